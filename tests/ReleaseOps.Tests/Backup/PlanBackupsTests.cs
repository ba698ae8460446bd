using ReleaseOps.Backup;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary>The services the deployment engine calls: the pre-deploy backup and the rollback restore.</summary>
[Collection(SharedPgCollection.Name)]
public class PlanBackupsTests
{
    private readonly SharedPgFixture _pg;

    public PlanBackupsTests(SharedPgFixture pg)
    {
        _pg = pg;
    }

    [Fact]
    public async Task Pre_deploy_backup_is_filed_for_the_release_and_rollback_restores_it()
    {
        // The rollback target is a copy of the source so the shared fixture database stays as it is.
        var app = $"ro_bkp_app_{_pg.RunTag}";
        await _pg.ExecuteAsync(TestEnvironment.PgDatabase, $"CREATE DATABASE {app} TEMPLATE {_pg.Database}");
        var destination = _pg.NewDestination("plan");
        var plan = new ReleasePlan
        {
            Application = "shop",
            Environment = "test",
            Secrets = SecretCatalog.Empty.With(new GivenSecretSource("pg_password", new SecretValue(TestEnvironment.PgPassword))),
            Backups = new[]
            {
                new BackupDefinition
                {
                    Name = "app-db",
                    Type = BackupSourceType.Postgres,
                    Connection = new ConnectionDefinition
                    {
                        Host = TestEnvironment.PgHost, Port = TestEnvironment.PgPort, Database = app, Username = TestEnvironment.PgUser,
                        Password = "${secret:pg_password}",
                    },
                    Destination = destination,
                    Verify = true,
                    Retention = new RetentionDefinition { Count = 1 },
                },
            },
        };
        var services = new PlanBackups(new PlanBackupSettings { ScratchPrefix = $"ro_bkp_verify_{_pg.RunTag}_" });
        var reporter = new RecordingReporter();

        var older = Assert.Single(await services.BackupBeforeDeployAsync(plan, "v1.9.0", reporter, CancellationToken.None).ToListAsync());
        var taken = await services.BackupBeforeDeployAsync(plan, "v2.0.0", reporter, CancellationToken.None).ToListAsync();
        var backup = Assert.Single(taken);
        Assert.True(backup.Verified);
        // Retention (count 1) removed the older pre-deploy backup once the new one was verified.
        Assert.False(File.Exists(older.ManifestPath));
        Assert.Equal(BackupReasons.PreDeploy, backup.Reason);
        Assert.Equal("v2.0.0", backup.Release);
        Assert.Equal("app-db", backup.Name);

        // The deployment "migrates" the database; rollback brings the pre-deploy state back.
        await _pg.ExecuteAsync(app, "ALTER TABLE customers ADD COLUMN migrated boolean; DROP TABLE empty_table");
        var restored = Assert.Single(await services.RestorePreDeployAsync(plan, "v2.0.0", terminateConnections: true, reporter, CancellationToken.None)
            .ToListAsync());
        Assert.Equal(backup.Id, restored.BackupId);
        Assert.NotNull(restored.EmergencyBackup);
        Assert.Equal(0L, await _pg.ScalarAsync(app, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'migrated'"));
        Assert.Equal(1L, await _pg.ScalarAsync(app, "SELECT count(*) FROM pg_class WHERE relname = 'empty_table'"));

        var missing = await Assert.ThrowsAsync<ReleaseOpsException>(async () =>
            await services.RestorePreDeployAsync(plan, "v9.9.9", false, reporter, CancellationToken.None).ToListAsync());
        Assert.Equal("PreDeployBackupNotFound", missing.ErrorId);
        CanarySecret.AssertAbsent(TestEnvironment.PgPassword, reporter.AllText().Append(File.ReadAllText(backup.ManifestPath)), "plan backup output");
    }

    [Fact]
    public async Task A_definitions_format_jobs_encryption_key_and_max_age_reach_the_backup_it_takes()
    {
        var destination = _pg.NewDestination("plan-keys");
        var key = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)); // 64 hex digits
        var secrets = SecretCatalog.Empty
            .With(new GivenSecretSource("pg_password", new SecretValue(TestEnvironment.PgPassword)))
            .With(new GivenSecretSource("backup_key", new SecretValue(key)));
        var plain = new BackupDefinition
        {
            Name = "keys-db",
            Type = BackupSourceType.Postgres,
            Connection = new ConnectionDefinition
            {
                Host = TestEnvironment.PgHost, Port = TestEnvironment.PgPort, Database = _pg.Database, Username = TestEnvironment.PgUser,
                Password = "${secret:pg_password}",
            },
            Destination = destination,
        };
        var services = new PlanBackups(new PlanBackupSettings { ScratchPrefix = $"ro_bkp_verify_{_pg.RunTag}_" });
        var reporter = new RecordingReporter();
        Task<ReleaseBackup> TakeAsync(BackupDefinition definition) =>
            services.BackupAsync(definition, secrets, BackupReasons.Manual, null, reporter, CancellationToken.None);

        var custom = await TakeAsync(plain);
        Assert.Equal(("custom", false), (custom.Format, custom.Encrypted));
        Assert.True(File.Exists(custom.DataPath));

        // format: directory with jobs: 2 is a pg_dump directory of files, test-restored as one.
        var directory = await TakeAsync(plain with { Format = "directory", Jobs = 2, Verify = true });
        Assert.Equal(("directory", false, true), (directory.Format, directory.Encrypted, directory.Verified));
        Assert.True(Directory.Exists(directory.DataPath));
        // jobs is passed to pg_dump: more than one job needs the directory format, and the custom one is refused for it.
        var refused = await Assert.ThrowsAsync<ReleaseOpsException>(() => TakeAsync(plain with { Jobs = 4 }));
        Assert.Equal("BackupJobsInvalid", refused.ErrorId);
        // encryption_key encrypts the dump; the test-restore opens it with the same key.
        var encrypted = await TakeAsync(plain with { EncryptionKey = "${secret:backup_key}", Verify = true });
        Assert.Equal(("custom", true, true), (encrypted.Format, encrypted.Encrypted, encrypted.Verified));

        // retention.max_age: the earlier backups are older than a millisecond; the plain and the directory ones are removed, the one
        // just taken stays, and so does the newest verified one (retention never leaves a destination without a restorable backup).
        Assert.Equal(3, Directory.GetFiles(destination, "*.manifest.json").Length);
        await Task.Delay(10);
        var newest = await TakeAsync(plain with { Retention = new RetentionDefinition { MaxAge = TimeSpan.FromMilliseconds(1) } });
        Assert.Equal(new[] { encrypted.ManifestPath, newest.ManifestPath }.Order(), Directory.GetFiles(destination, "*.manifest.json").Order());
        Assert.False(File.Exists(custom.ManifestPath));
        CanarySecret.AssertAbsent(key, reporter.AllText().Append(File.ReadAllText(newest.ManifestPath)), "plan backup output");
    }
}
