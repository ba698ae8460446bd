using ReleaseOps.Backup;
using ReleaseOps.Errors;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary>Faults that need a PostgreSQL server of our own: stopping it mid-dump, and a canary superuser password.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class PgFaultTests : IClassFixture<OwnPostgresFixture>
{
    private readonly OwnPostgresFixture _pg;

    public PgFaultTests(OwnPostgresFixture pg)
    {
        _pg = pg;
    }

    [Fact]
    public async Task Server_stopped_mid_dump_fails_typed_and_leaves_no_backup()
    {
        var destination = Path.Combine(_pg.Directory, "stop-" + Guid.NewGuid().ToString("N")[..6]);
        var backup = new PgBackupService().BackupAsync(new PgBackupRequest { Source = _pg.Source, Destination = destination },
            new RecordingReporter(), CancellationToken.None);
        try
        {
            // Wait until pg_dump has started writing data, then pull the server away.
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(Directory.Exists(destination) && Directory.GetFiles(destination, "*.partial").Any(f => new FileInfo(f).Length > 0)))
            {
                Assert.True(DateTime.UtcNow < deadline && !backup.IsCompleted, "the dump never started writing");
                await Task.Delay(5);
            }
            await _pg.StopImmediatelyAsync();
            var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => backup);
            Assert.Equal("PgConnectionLost", ex.ErrorId);
            Assert.Equal(FailureKind.ConnectionFailed, ex.Kind);
            Assert.Empty(Directory.GetFileSystemEntries(destination));
            CanarySecret.AssertAbsent(_pg.Canary, new[] { ex.ToString() }, "the mid-dump failure");
        }
        finally
        {
            await _pg.StartAsync();
        }
    }

    [Fact]
    public async Task Canary_password_never_reaches_pg_dump_argv_environment_records_verbose_text_or_manifests()
    {
        var destination = Path.Combine(_pg.Directory, "canary-" + Guid.NewGuid().ToString("N")[..6]);
        var reporter = new RecordingReporter();
        var watcher = new ProcWatcher("pg_dump", "pg_restore");
        ReleaseBackup backup;
        BackupVerification verification;
        try
        {
            backup = await new PgBackupService().BackupAsync(new PgBackupRequest { Source = _pg.Source, Destination = destination },
                reporter, CancellationToken.None);
            verification = await new PgBackupVerifier().TestAsync(backup, new PgVerifyRequest
            {
                Server = _pg.Source.ForDatabase("postgres"),
                ScratchPrefix = "ro_bkp_verify_",
                Depth = VerificationDepth.Quick,
            }, reporter, CancellationToken.None);
        }
        finally
        {
            await watcher.StopAsync();
        }
        var seen = watcher.Seen.SelectMany(p => new[] { p.CommandLine, p.Environment }).ToList();
        Assert.True(verification.Passed, verification.Error);
        Assert.Contains(seen, s => s.Contains("--snapshot="));
        Assert.Contains(seen, s => s.Contains("PGPASSFILE="));
        Assert.DoesNotContain(seen, s => s.Contains("PGPASSWORD="));
        CanarySecret.AssertAbsent(_pg.Canary, seen, "a pg_dump/pg_restore command line or environment");
        CanarySecret.AssertAbsent(_pg.Canary, reporter.AllText(), "verbose text and progress");
        CanarySecret.AssertAbsent(_pg.Canary, new[]
        {
            System.Text.Json.JsonSerializer.Serialize(backup),
            System.Text.Json.JsonSerializer.Serialize(verification),
            File.ReadAllText(backup.ManifestPath),
        }, "records and the manifest");
        // The password file given to pg_dump is gone.
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.GetTempPath(), "releaseops-pgpass-*"),
            d => File.Exists(Path.Combine(d, "pgpass")) && File.ReadAllText(Path.Combine(d, "pgpass")).Contains(_pg.Canary));
    }

    [Fact]
    public async Task A_password_handed_over_in_the_environment_is_not_in_the_environment_of_pg_dump_or_pg_restore()
    {
        // As --password-env RO_BKP_PW or a plan's secrets: { env: RO_BKP_PW } hand it over: a variable of ReleaseOps' own
        // environment. The children get the minimum they need: the canary must not be in their /proc/PID/environ.
        var variable = "RO_BKP_PW_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, _pg.Canary);
        var destination = Path.Combine(_pg.Directory, "env-" + Guid.NewGuid().ToString("N")[..6]);
        var watcher = new ProcWatcher("pg_dump", "pg_restore");
        try
        {
            var source = _pg.Source with { Password = new ReleaseOps.Secrets.EnvironmentSecretSource("password", variable).Resolve() };
            var backup = await new PgBackupService().BackupAsync(new PgBackupRequest { Source = source, Destination = destination },
                new RecordingReporter(), CancellationToken.None);
            var verification = await new PgBackupVerifier().TestAsync(backup, new PgVerifyRequest
            {
                Server = source.ForDatabase("postgres"), ScratchPrefix = "ro_bkp_verify_", Depth = VerificationDepth.Quick,
            }, new RecordingReporter(), CancellationToken.None);
            Assert.True(verification.Passed, verification.Error);
        }
        finally
        {
            await watcher.StopAsync();
            Environment.SetEnvironmentVariable(variable, null);
        }
        var children = watcher.Seen;
        Assert.Contains(children, c => c.Name == "pg_dump");
        Assert.Contains(children, c => c.Name == "pg_restore");
        // What connects gets the password's 0600 file (--version and --list connect nowhere), and nothing more of ours.
        Assert.Contains(children, c => c.CommandLine.Contains("--snapshot=") && c.Environment.Contains("PGPASSFILE="));
        Assert.All(children, c => Assert.Contains("PATH=", c.Environment));
        Assert.DoesNotContain(children, c => c.Environment.Contains(variable + "=", StringComparison.Ordinal));
        CanarySecret.AssertAbsent(_pg.Canary, children.Select(c => c.Environment), "the environment of pg_dump or pg_restore");
    }

    [Fact]
    public async Task A_backup_killed_with_SIGKILL_leaves_its_password_file_and_partial_dump_and_the_next_run_sweeps_them()
    {
        var destination = Path.Combine(_pg.Directory, "killed-" + Guid.NewGuid().ToString("N")[..6]);
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList =
            {
                ChildProcess.CliDll(), "backup", "pg", "--host", "127.0.0.1", "--port", OwnPostgresFixture.Port.ToString(), "-d", _pg.Database,
                "--user", "postgres", "--password-env", "RO_BKP_KILLED_PW", "--destination", destination,
            },
            Environment = { ["RO_BKP_KILLED_PW"] = _pg.Canary },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var said = child.StandardError.ReadToEndAsync();
        string[] passFiles, partials;
        try
        {
            // SIGKILL while pg_dump writes: its password file and the partial dump are on disk, and nothing can remove them.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                passFiles = Directory.GetDirectories(Path.GetTempPath(), $"releaseops-pgpass-{child.Id}-*");
                partials = Directory.Exists(destination) ? Directory.GetFiles(destination, $"*.{child.Id}.partial") : Array.Empty<string>();
                if (passFiles.Length > 0 && partials.Any(p => new FileInfo(p).Length > 0)) break;
                Assert.True(DateTime.UtcNow < deadline && !child.HasExited, "the backup never started writing: " + (child.HasExited ? said.Result : ""));
                await Task.Delay(5);
            }
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
        }
        var passFile = Path.Combine(Assert.Single(passFiles), "pgpass");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passFile));
        Assert.Contains(_pg.Canary, await File.ReadAllTextAsync(passFile));
        Assert.True(File.Exists(Assert.Single(partials)));

        var reporter = new RecordingReporter();
        var next = await new PgBackupService().BackupAsync(new PgBackupRequest { Source = _pg.Source, Destination = destination }, reporter, CancellationToken.None);

        Assert.False(Directory.Exists(Path.GetDirectoryName(passFile)), "the dead run's password file is still there");
        Assert.False(File.Exists(partials[0]), "the dead run's partial dump is still there");
        Assert.Contains(reporter.Messages, m => m.Contains($"Removed {partials[0]}", StringComparison.Ordinal));
        Assert.Equal(new[] { next.ManifestPath, next.DataPath }.Order(), Directory.GetFileSystemEntries(destination).Order());
    }
}
