using System.Diagnostics;
using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Journal;

/// <summary>The same contract for both stores: the file directory and a PostgreSQL database of our own.</summary>
public abstract class JournalContract
{
    protected abstract IReleaseJournal Journal { get; }

    private static ReleaseRecord Release(string app, string version, DateTimeOffset at, ReleaseStatus status = ReleaseStatus.Succeeded) => new()
    {
        Id = $"{at:yyyyMMddHHmmssfff}-{Guid.NewGuid():N}"[..25], Application = app, Environment = "test", Version = version,
        Status = status, StartedBy = "tester", Host = Environment.MachineName, Pid = Environment.ProcessId, StartedAt = at,
        Images = new[] { new ReleasedImage("web", $"web:{version}", "sha256:abc") },
        Steps = new[] { new JournalStep(1, "lock", null, StepStatus.Succeeded, at, at, "held") },
    };

    [Fact]
    public async Task Releases_are_saved_replaced_and_listed_newest_first()
    {
        var app = "ro-depl-" + Guid.NewGuid().ToString("N")[..8];
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-5);
        var first = Release(app, "v1", t0);
        var second = Release(app, "v2", t0.AddMinutes(1), ReleaseStatus.InProgress);
        await Journal.SaveAsync(first, default);
        await Journal.SaveAsync(second, default);
        await Journal.SaveAsync(second with { Status = ReleaseStatus.RolledBack, Reason = "probe 'health': status 404" }, default);

        var list = await Journal.ListAsync(app, "test", default);
        Assert.Equal(new[] { "v2", "v1" }, list.Select(r => r.Version));
        Assert.Equal(ReleaseStatus.RolledBack, list[0].Status);
        Assert.Equal("sha256:abc", list[1].Images.Single().Digest);
        Assert.Equal("held", (await Journal.GetAsync(app, "test", first.Id, default))!.Steps.Single().Detail);
        Assert.Empty(await Journal.ListAsync(app, "other", default));
    }

    [Fact]
    public async Task A_held_lock_is_refused_naming_its_holder_and_released_only_by_its_release()
    {
        var app = "ro-depl-" + Guid.NewGuid().ToString("N")[..8];
        var held = await Journal.AcquireLockAsync(app, "test", "release-a", breakStale: false, default);
        Assert.Equal(Environment.ProcessId, held.Pid);

        var refused = await Assert.ThrowsAsync<ReleaseOpsException>(() => Journal.AcquireLockAsync(app, "test", "release-b", breakStale: true, default));
        Assert.Equal("DeploymentLocked", refused.ErrorId);
        Assert.Equal(FailureKind.Conflict, refused.Kind);
        Assert.Contains(Environment.MachineName, refused.Message);
        Assert.Contains($"pid {Environment.ProcessId}", refused.Message);

        Assert.False(await Journal.ReleaseLockAsync(app, "test", "release-b", default));
        Assert.True(await Journal.ReleaseLockAsync(app, "test", "release-a", default));
        Assert.Null(await Journal.GetLockAsync(app, "test", default));
    }

    [Fact]
    public async Task A_stale_lock_of_a_dead_process_is_broken_only_when_asked()
    {
        var app = "ro-depl-" + Guid.NewGuid().ToString("N")[..8];
        await PlantLockOfDeadProcessAsync(app);

        var refused = await Assert.ThrowsAsync<ReleaseOpsException>(() => Journal.AcquireLockAsync(app, "test", "mine", breakStale: false, default));
        Assert.Equal("DeploymentLocked", refused.ErrorId);
        Assert.Contains("-Force", refused.Fix);

        var taken = await Journal.AcquireLockAsync(app, "test", "mine", breakStale: true, default);
        Assert.Equal("mine", taken.ReleaseId);
        Assert.True(await Journal.ReleaseLockAsync(app, "test", "mine", default));
    }

    /// <summary>A lock written by a process that has exited (a real pid, now gone).</summary>
    private async Task PlantLockOfDeadProcessAsync(string app)
    {
        using var dead = Process.Start(new ProcessStartInfo("true"))!;
        await dead.WaitForExitAsync();
        await PlantLockAsync(app, dead.Id);
    }

    protected abstract Task PlantLockAsync(string app, int pid);
}

public sealed class FileJournalTests : JournalContract, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-depl-journal-").FullName;
    private readonly FileReleaseJournal _journal;

    public FileJournalTests()
    {
        _journal = new FileReleaseJournal(_dir);
    }

    protected override IReleaseJournal Journal => _journal;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    protected override Task PlantLockAsync(string app, int pid)
    {
        var path = Path.Combine(_dir, app, "test", "deploy.lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, $$"""{"application":"{{app}}","environment":"test","holder":"ghost","host":"{{Environment.MachineName}}","pid":{{pid}},"acquiredAt":"2026-01-01T00:00:00+00:00","releaseId":"old"}""");
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Writes_are_atomic_no_temporary_file_is_left_and_a_reader_never_sees_half_a_document()
    {
        var app = "ro-depl-atomic";
        var record = new ReleaseRecord
        {
            Id = "20260101T000000000-atomic", Application = app, Environment = "test", Version = "v1", StartedBy = "t",
            Host = "h", StartedAt = DateTimeOffset.UtcNow,
        };
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await _journal.SaveAsync(record with { Reason = new string('x', i * 50) }, default);
            }
        });
        while (!writer.IsCompleted)
        {
            // Every read parses: the rename replaces the whole file at once.
            var seen = await _journal.GetAsync(app, "test", record.Id, default);
            Assert.True(seen is null || seen.Version == "v1");
        }
        await writer;
        Assert.Equal(new[] { record.Id + ".json" }, Directory.GetFiles(Path.Combine(_dir, app, "test", "releases")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_corrupt_entry_is_a_typed_integrity_error()
    {
        var dir = Path.Combine(_dir, "ro-depl-corrupt", "test", "releases");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "x.json"), "{ not json");
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => _journal.ListAsync("ro-depl-corrupt", "test", default));
        Assert.Equal("JournalCorrupt", error.ErrorId);
        Assert.Equal(FailureKind.IntegrityFailure, error.Kind);
    }
}

/// <summary>Against the shared PostgreSQL, in a database of our own (ro_depl_journal_*), dropped afterwards.</summary>
public sealed class PostgresJournalFixture : IAsyncLifetime
{
    public string Database { get; } = "ro_depl_journal_" + Guid.NewGuid().ToString("N")[..8];

    public PostgresReleaseJournal Journal { get; private set; } = null!;

    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = TestEnvironment.PgHost, Port = TestEnvironment.PgPort, Username = TestEnvironment.PgUser,
        Password = TestEnvironment.PgPassword, Database = Database,
    }.ConnectionString;

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Postgres);
        await AdminAsync($"CREATE DATABASE {Database}");
        Journal = new PostgresReleaseJournal(TestEnvironment.PgHost, TestEnvironment.PgPort, Database, TestEnvironment.PgUser,
            new SecretValue(TestEnvironment.PgPassword));
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await AdminAsync($"DROP DATABASE IF EXISTS {Database} WITH (FORCE)");
    }

    private static async Task AdminAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = TestEnvironment.PgHost, Port = TestEnvironment.PgPort, Username = TestEnvironment.PgUser,
            Password = TestEnvironment.PgPassword, Database = TestEnvironment.PgDatabase,
        };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

public sealed class PostgresJournalTests(PostgresJournalFixture fixture) : JournalContract, IClassFixture<PostgresJournalFixture>
{
    protected override IReleaseJournal Journal => fixture.Journal;

    protected override async Task PlantLockAsync(string app, int pid)
    {
        await Journal.GetLockAsync(app, "test", default); // creates the tables
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO releaseops_deploy_locks VALUES (@a, 'test', 'ghost', @h, @p, now(), 'old')", connection);
        insert.Parameters.AddWithValue("a", app);
        insert.Parameters.AddWithValue("h", Environment.MachineName);
        insert.Parameters.AddWithValue("p", pid);
        await insert.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_a_typed_authentication_failure_that_does_not_echo_it()
    {
        var canary = CanarySecret.New();
        var journal = new PostgresReleaseJournal(TestEnvironment.PgHost, TestEnvironment.PgPort, fixture.Database, TestEnvironment.PgUser,
            new SecretValue(canary));
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => journal.ListAsync("x", "y", default));
        Assert.Equal("JournalAuthenticationFailed", error.ErrorId);
        CanarySecret.AssertAbsent(canary, new[] { error.Message, error.Fix, error.ToString() }, "the journal error");
    }
}
