using System.Diagnostics;
using Npgsql;
using ReleaseOps.Backup;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary>
/// A small source database on the shared PostgreSQL (ro_bkp_src_*), created once for the backup
/// tests: a plain table, a quoted schema/table, an empty table and a bulk table (~1 MB of dump).
/// Every database whose name starts with this run's prefix is dropped at the end.
/// </summary>
public sealed class SharedPgFixture : IAsyncLifetime
{
    public const int CustomerRows = 500;
    public const int OrderLineRows = 1200;
    public const int BulkRows = 30000;

    public string RunTag { get; } = Guid.NewGuid().ToString("N")[..6];
    public string Database => $"ro_bkp_src_{RunTag}";
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "ro-bkp-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public PgEndpoint Server => new()
    {
        Host = TestEnvironment.PgHost,
        Port = TestEnvironment.PgPort,
        Database = TestEnvironment.PgDatabase,
        Username = TestEnvironment.PgUser,
        Password = new SecretValue(TestEnvironment.PgPassword),
    };

    public PgEndpoint Source => Server.ForDatabase(Database);

    /// <summary>A fresh, empty directory for one test's backups.</summary>
    public string NewDestination(string label)
    {
        var path = Path.Combine(Root, label + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        return path;
    }

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Postgres);
        Directory.CreateDirectory(Root);
        await ExecuteAsync(TestEnvironment.PgDatabase, $"CREATE DATABASE {Database}");
        await ExecuteAsync(Database, $"""
            CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now());
            INSERT INTO customers (name) SELECT 'customer ' || g FROM generate_series(1, {CustomerRows}) g;
            CREATE SCHEMA "Sales";
            CREATE TABLE "Sales"."Order Lines" (id bigserial PRIMARY KEY, customer_id int REFERENCES customers(id), amount numeric(10,2));
            INSERT INTO "Sales"."Order Lines" (customer_id, amount) SELECT 1 + g % {CustomerRows}, g * 1.25 FROM generate_series(1, {OrderLineRows}) g;
            CREATE TABLE empty_table (id int);
            CREATE TABLE bulk (id int, payload text);
            INSERT INTO bulk SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, {BulkRows}) g;
            """);
    }

    public async Task DisposeAsync()
    {
        await using var connection = new NpgsqlConnection(Server.ConnectionStringForTests());
        await connection.OpenAsync();
        var names = new List<string>();
        await using (var list = new NpgsqlCommand($"SELECT datname FROM pg_database WHERE datname LIKE 'ro\\_bkp\\_%{RunTag}%'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                names.Add(reader.GetString(0));
            }
        }
        foreach (var name in names)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ForDatabase(database).ConnectionStringForTests());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(Server.ForDatabase(database).ConnectionStringForTests());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    public async Task<bool> DatabaseExistsAsync(string name) =>
        await ScalarAsync(TestEnvironment.PgDatabase, $"SELECT count(*) FROM pg_database WHERE datname = '{name}'") is long n && n > 0;
}

[CollectionDefinition(Name)]
public sealed class SharedPgCollection : ICollectionFixture<SharedPgFixture>
{
    public const string Name = "ro-bkp shared postgres";
}

/// <summary>
/// A PostgreSQL 15 cluster of our own (initdb as the postgres user in a temp dir, port 23201,
/// scram-sha-256 with a canary superuser password), for the faults we may not cause on the shared
/// server: stopping it mid-dump. Holds a ~20 MB table so that a dump takes long enough to interrupt.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class OwnPostgresFixture : IAsyncLifetime
{
    public const int Port = 23201;
    private const string Bin = "/usr/lib/postgresql/15/bin";

    public string Directory { get; } = Path.Combine("/tmp", "ro-bkp-pg-" + Guid.NewGuid().ToString("N")[..8]);
    public string Canary { get; } = CanarySecret.New();
    public string Database => "ro_bkp_big";

    public PgEndpoint Source => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = Database,
        Username = "postgres",
        Password = new SecretValue(Canary),
    };

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        await RunAsync("chown", "postgres", Directory);
        var pwfile = Path.Combine(Directory, "pwfile");
        await File.WriteAllTextAsync(pwfile, Canary + "\n");
        await RunAsync("chown", "postgres", pwfile);
        File.SetUnixFileMode(pwfile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await RunAsync("runuser", "-u", "postgres", "--", $"{Bin}/initdb", "-D", Path.Combine(Directory, "data"), "-A", "scram-sha-256",
            "-U", "postgres", "--pwfile", pwfile, "--no-sync");
        File.Delete(pwfile);
        await StartAsync();
        await using var admin = new NpgsqlConnection(Source.ForDatabase("postgres").ConnectionStringForTests());
        await admin.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {Database}", admin))
        {
            await create.ExecuteNonQueryAsync();
        }
        await using var db = new NpgsqlConnection(Source.ConnectionStringForTests());
        await db.OpenAsync();
        await using var fill = new NpgsqlCommand(
            "CREATE TABLE big (id int, a text, b text); INSERT INTO big SELECT g, md5(g::text) || md5((g+1)::text), md5((g*3)::text) FROM generate_series(1, 200000) g;",
            db);
        await fill.ExecuteNonQueryAsync();
    }

    public Task StartAsync() => RunAsync("runuser", "-u", "postgres", "--", $"{Bin}/pg_ctl", "-D", Path.Combine(Directory, "data"),
        "-l", Path.Combine(Directory, "log"), "-w", "-o", $"-p {Port} -k {Directory} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    public Task StopImmediatelyAsync() => RunAsync("runuser", "-u", "postgres", "--", $"{Bin}/pg_ctl", "-D", Path.Combine(Directory, "data"),
        "-m", "immediate", "-w", "stop");

    public async Task DisposeAsync()
    {
        try
        {
            await StopImmediatelyAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static async Task RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/tmp" };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {await stderr} {await stdout}");
        }
    }
}

internal static class PgEndpointTestExtensions
{
    public static string ConnectionStringForTests(this PgEndpoint endpoint) =>
        (endpoint with { CommandTimeout = TimeSpan.FromSeconds(120) }).ConnectionString();
}

/// <summary>Records what an engine operation reports, for leak scans and progress checks.</summary>
public sealed class RecordingReporter : ReleaseOps.Operations.IOperationReporter
{
    private readonly object _gate = new();
    public List<string> Messages { get; } = new();
    public List<ReleaseOps.Operations.OperationProgress> Updates { get; } = new();

    public void Verbose(string message)
    {
        lock (_gate)
        {
            Messages.Add(message);
        }
    }

    public void Warning(string message) => Verbose("WARNING: " + message);

    public void Progress(ReleaseOps.Operations.OperationProgress progress)
    {
        lock (_gate)
        {
            Updates.Add(progress);
        }
    }

    public IEnumerable<string> AllText()
    {
        lock (_gate)
        {
            return Messages.Concat(Updates.Select(p => p.Activity + " " + p.Status)).ToArray();
        }
    }
}
