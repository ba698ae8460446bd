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
        var seen = new List<string>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => char.IsDigit(Path.GetFileName(d)[0])))
                {
                    try
                    {
                        var comm = File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                        if (comm is "pg_dump" or "pg_restore")
                        {
                            var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                            var environ = File.ReadAllText(Path.Combine(dir, "environ")).Replace('\0', ' ');
                            lock (seen)
                            {
                                seen.Add(cmdline);
                                seen.Add(environ);
                            }
                        }
                    }
                    catch (IOException)
                    {
                    }
                    catch (UnauthorizedAccessException)
                    {
                    }
                }
                await Task.Delay(2);
            }
        });
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
            stop.Cancel();
            await watcher;
        }
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
}
