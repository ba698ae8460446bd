using System.Management.Automation;
using ReleaseOps.Backup;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Tests.Redis;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary>The backup cmdlets in a real runspace against the real services.</summary>
[Collection(SharedPgCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class BackupCmdletTests
{
    private const string PasswordVariable = "RO_BKP_TEST_PG_PASSWORD";
    private readonly SharedPgFixture _pg;

    public BackupCmdletTests(SharedPgFixture pg)
    {
        _pg = pg;
        Environment.SetEnvironmentVariable(PasswordVariable, TestEnvironment.PgPassword);
    }

    /// <summary>Backup-PgDatabase of the fixture's database as release v9, with <paramref name="extra"/> parameters.</summary>
    private string BackupCommand(string destination, string extra = "") =>
        $"Backup-PgDatabase -Database {_pg.Database} -Server {TestEnvironment.PgHost} -Port {TestEnvironment.PgPort} " +
        $"-User {TestEnvironment.PgUser} -PasswordVariable {PasswordVariable} -Destination '{destination}' -Release v9 {extra}";

    private string Credentials => $"-User {TestEnvironment.PgUser} -PasswordVariable {PasswordVariable}";

    [Fact]
    public void SecureString_becomes_a_SecretValue_in_the_cmdlet_layer()
    {
        var secure = new System.Security.SecureString();
        foreach (var c in "s3cret-value")
        {
            secure.AppendChar(c);
        }
        var secret = SecretConversion.FromSecureString(secure, "given");
        Assert.Equal("s3cret-value", secret.Reveal());
        Assert.Equal("********", secret.ToString());
    }

    [Fact]
    public void Backup_pipes_into_test_and_shows_progress()
    {
        var destination = _pg.NewDestination("cmdlet");
        using var session = PowerShellSession.Start(destination);
        var backup = session.Run(BackupCommand(destination) + " -Confirm:$false").ThrowIfFailed();
        var taken = Assert.Single(backup.Objects<ReleaseBackup>());
        Assert.Equal("v9", taken.Release);
        Assert.Contains(backup.Progress, p => p.StatusDescription.Contains("bytes written"));
        Deploy.ProgressTests.AssertWellFormed(backup.Progress);

        var test = session.Run($"param($backup) $backup | Test-PgBackup {Credentials} -ScratchPrefix ro_bkp_verify_{_pg.RunTag}_",
            new Dictionary<string, object?> { ["backup"] = taken }).ThrowIfFailed();
        Assert.True(Assert.Single(test.Objects<BackupVerification>()).Passed);
        Deploy.ProgressTests.AssertWellFormed(test.Progress);

        var listed = session.Run($"Get-ReleaseBackup '{destination}' -Latest -VerifyChecksum").ThrowIfFailed();
        Assert.Equal(taken.Id, Assert.Single(listed.Objects<ReleaseBackup>()).Id);
        Assert.True(listed.Objects<ReleaseBackup>().Single().Verified);
    }

    [Fact]
    public async Task Restore_asks_with_high_impact_and_whatif_changes_nothing()
    {
        var destination = _pg.NewDestination("cmdlet-restore");
        using var session = PowerShellSession.Start(destination);
        var taken = session.Run(BackupCommand(destination)).ThrowIfFailed().Objects<ReleaseBackup>().Single();
        var target = $"ro_bkp_whatif_{_pg.RunTag}";

        var run = session.Run($"param($backup) $backup | Restore-PgDatabase -Database {target} {Credentials} -WhatIf",
            new Dictionary<string, object?> { ["backup"] = taken }).ThrowIfFailed();

        Assert.Empty(run.Output);
        var whatIf = Assert.Single(run.WhatIf);
        Assert.Contains($"/{target}\".", whatIf);
        Assert.Contains(taken.Id, whatIf);
        Assert.False(await _pg.DatabaseExistsAsync(target));
        var impact = session.Run("(Get-Command Restore-PgDatabase).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false).ConfirmImpact")
            .ThrowIfFailed();
        Assert.Equal(ConfirmImpact.High, Assert.Single(impact.Output).BaseObject);
    }

    [Fact]
    public void Retention_whatif_lists_without_removing_and_a_damaged_backup_is_reported_by_get()
    {
        var destination = _pg.NewDestination("cmdlet-retention");
        using var session = PowerShellSession.Start(destination);
        var first = session.Run(BackupCommand(destination)).ThrowIfFailed().Objects<ReleaseBackup>().Single();
        var second = session.Run(BackupCommand(destination)).ThrowIfFailed().Objects<ReleaseBackup>().Single();

        var whatIf = session.Run($"Remove-ReleaseBackup -Path '{destination}' -KeepCount 1 -WhatIf").ThrowIfFailed();
        var planned = Assert.Single(whatIf.Objects<BackupRemoval>());
        Assert.Equal(first.Id, planned.Id);
        Assert.False(planned.Removed);
        Assert.True(File.Exists(first.ManifestPath));

        var noRule = session.Run($"Remove-ReleaseBackup -Path '{destination}' -WhatIf");
        Assert.StartsWith("RetentionRuleMissing,", noRule.Terminating?.FullyQualifiedErrorId);

        var bytes = File.ReadAllBytes(second.DataPath);
        bytes[10] ^= 0xff;
        File.WriteAllBytes(second.DataPath, bytes);
        var listed = session.Run($"Get-ReleaseBackup '{destination}' -VerifyChecksum");
        Assert.Equal(first.Id, Assert.Single(listed.Objects<ReleaseBackup>()).Id);
        Assert.Equal("BackupIntegrityFailure", Assert.Single(listed.ErrorIds));

        var removed = session.Run($"Remove-ReleaseBackup -Path '{destination}' -KeepCount 1 -Confirm:$false").ThrowIfFailed();
        Assert.True(Assert.Single(removed.Objects<BackupRemoval>()).Removed);
        Assert.False(File.Exists(first.ManifestPath));
    }

    [Fact]
    public void A_wrong_password_is_a_typed_error_and_the_canary_is_nowhere_in_the_output()
    {
        var canary = CanarySecret.New();
        const string variable = "RO_BKP_TEST_CANARY_PASSWORD";
        Environment.SetEnvironmentVariable(variable, canary);
        try
        {
            var destination = _pg.NewDestination("cmdlet-canary");
            using var session = PowerShellSession.Start(destination);
            var run = session.Run(BackupCommand(destination).Replace(PasswordVariable, variable));
            Assert.Equal("PgAuthenticationFailed", Assert.Single(run.ErrorIds));
            Assert.Equal(ErrorCategory.AuthenticationError, run.Errors[0].CategoryInfo.Category);
            CanarySecret.AssertAbsent(canary, run.AllText(), "the cmdlet's output, errors, verbose text and progress");
            Assert.Empty(Directory.GetFileSystemEntries(destination));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Parameters_that_cannot_be_resolved_are_typed_errors_not_crashes()
    {
        var destination = _pg.NewDestination("cmdlet-params");
        using var session = PowerShellSession.Start(destination);
        var missing = session.Run(BackupCommand(destination).Replace(PasswordVariable, "RO_BKP_TEST_UNSET_VARIABLE"));
        Assert.Equal("SecretNotFound", Assert.Single(missing.ErrorIds));

        var ended = session.Run(BackupCommand(destination, "-EncryptionKeyVariable A -EncryptionKeyFile /nonexistent"));
        Assert.StartsWith("EncryptionKeyAmbiguous,", ended.Terminating?.FullyQualifiedErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(destination));
    }

    [Fact]
    public void A_yaml_plan_drives_the_backup_with_its_secret_references()
    {
        var destination = _pg.NewDestination("cmdlet-plan");
        var planFile = Path.Combine(destination, "..", $"plan-{Guid.NewGuid():N}.yml");
        File.WriteAllText(planFile, PlanWithBackup(destination, version: "4.0.0"));
        using var session = PowerShellSession.Start(destination);
        var run = session.Run($"Backup-PgDatabase -PlanPath '{planFile}' -Confirm:$false").ThrowIfFailed();
        var taken = Assert.Single(run.Objects<ReleaseBackup>());
        Assert.Equal("shop-db", taken.Name);
        Assert.Equal("4.0.0", taken.Release);
        CanarySecret.AssertAbsent(TestEnvironment.PgPassword, run.AllText(), "the plan-driven backup's output");
    }

    /// <summary>A plan with one PostgreSQL backup of the fixture's database; <paramref name="extra"/> adds keys to the backup.</summary>
    private string PlanWithBackup(string destination, string version, string extra = "") => $$"""
        api_version: releaseops/v1
        application: shop
        environment: test
        version: {{version}}
        secrets:
          db_password: { env: {{PasswordVariable}} }
        backups:
          - name: shop-db
            type: postgres
            connection:
              host: {{TestEnvironment.PgHost}}
              port: {{TestEnvironment.PgPort}}
              database: {{_pg.Database}}
              username: {{TestEnvironment.PgUser}}
              password: ${secret:db_password}
            destination: {{destination}}
        {{extra}}
        """;

    /// <summary>A plan with one verified PostgreSQL backup of the fixture's database, keeping one copy.</summary>
    private string PlanWithVerifiedBackup(string destination) =>
        PlanWithBackup(destination, "5.0.0", "    verify: true\n    retention: { count: 1 }");

    [Fact]
    public void A_plan_backup_is_test_restored_and_retention_applied_as_the_plan_says()
    {
        var destination = _pg.NewDestination("cmdlet-plan-verify");
        var planFile = Path.Combine(destination, "..", $"plan-{Guid.NewGuid():N}.yml");
        File.WriteAllText(planFile, PlanWithVerifiedBackup(destination));
        using var session = PowerShellSession.Start(destination);

        var runs = Enumerable.Range(0, 2).Select(_ => session.Run(
            $"$plan = Get-ReleasePlan '{planFile}'; Backup-PgDatabase -Plan $plan -Confirm:$false").ThrowIfFailed()).ToList();

        var taken = runs.Select(r => Assert.Single(r.Objects<ReleaseBackup>())).ToList();
        Assert.All(taken, b => Assert.True(b.Verified, "verify: true test-restores every backup the plan takes"));
        Assert.Equal(new[] { taken[1].ManifestPath }, Directory.GetFiles(destination, "*.manifest.json"));
    }

    [Fact]
    public void The_cli_takes_a_plans_backups_the_same_way()
    {
        var destination = _pg.NewDestination("cli-plan-verify");
        var planFile = Path.Combine(destination, "..", $"plan-{Guid.NewGuid():N}.yml");
        File.WriteAllText(planFile, PlanWithVerifiedBackup(destination));

        var first = Cli.CliRunner.Run("backup", "plan", planFile, "--output", "json");
        var second = Cli.CliRunner.Run("backup", "plan", planFile, "--output", "json");

        Assert.True(first.ExitCode == 0 && second.ExitCode == 0, first.Error + second.Error);
        using var json = System.Text.Json.JsonDocument.Parse(second.Out);
        var backup = Assert.Single(json.RootElement.EnumerateArray());
        Assert.True(backup.GetProperty("verified").GetBoolean());
        Assert.Equal("5.0.0", backup.GetProperty("release").GetString());
        Assert.Single(Directory.GetFiles(destination, "*.manifest.json"));
        CanarySecret.AssertAbsent(TestEnvironment.PgPassword, new[] { first.Out, first.Error, second.Out, second.Error }, "the CLI's output");
    }

    [Fact]
    public void Retention_reasons_show_durations_as_written_in_the_cmdlet_and_the_cli()
    {
        var destination = _pg.NewDestination("cmdlet-retention-age");
        using var session = PowerShellSession.Start(destination);
        var taken = session.Run(BackupCommand(destination)).ThrowIfFailed().Objects<ReleaseBackup>().Single();

        var cmdlet = session.Run($"Remove-ReleaseBackup -Path '{destination}' -MaxAge ([timespan]::FromMilliseconds(1)) -WhatIf").ThrowIfFailed();
        var cli = Cli.CliRunner.Run("backup", "prune", destination, "--max-age", "1ms", "--dry-run");

        Assert.Equal("older than 1ms", Assert.Single(cmdlet.Objects<BackupRemoval>()).Reason);
        Assert.Contains($"would remove  {taken.Id}  (older than 1ms)", cli.Out);
        Assert.True(File.Exists(taken.ManifestPath));
    }

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "ReleaseOps.sln")))
        {
            dir = Path.GetDirectoryName(dir)!;
        }
        return dir;
    }
}

/// <summary>The Redis backup cmdlets in a real runspace.</summary>
[Collection(ScratchRedisCollection.Name)]
public class RedisBackupCmdletTests
{
    private readonly ScratchRedisFixture _redis;

    public RedisBackupCmdletTests(ScratchRedisFixture redis)
    {
        _redis = redis;
    }

    [Fact]
    public void Backup_redis_pipes_into_test_redis_backup()
    {
        const string variable = "RO_BKP_TEST_REDIS_PASSWORD";
        Environment.SetEnvironmentVariable(variable, _redis.Password.Reveal());
        var destination = Path.Combine(Path.GetTempPath(), "ro-bkp-redis-cmdlet-" + Guid.NewGuid().ToString("N")[..6]);
        try
        {
            using var session = PowerShellSession.Start();
            var run = session.Run(
                $"$taken = Backup-RedisData -Server 127.0.0.1 -Port {ScratchRedisFixture.Port} -PasswordVariable {variable} -Destination '{destination}'; $taken; $taken | Test-RedisBackup")
                .ThrowIfFailed();
            var taken = Assert.Single(run.Objects<ReleaseBackup>());
            Assert.Equal(BackupKind.Redis, taken.Kind);
            Assert.True(Assert.Single(run.Objects<BackupVerification>()).Passed);
            CanarySecret.AssertAbsent(_redis.Password.Reveal(), run.AllText(), "the Redis cmdlets' output");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
            if (Directory.Exists(destination))
            {
                Directory.Delete(destination, recursive: true);
            }
        }
    }
}
