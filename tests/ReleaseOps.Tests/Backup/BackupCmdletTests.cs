using System.Management.Automation;
using System.Reflection;
using ReleaseOps.Backup;
using ReleaseOps.Cmdlets.Backup;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Tests.Redis;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary>The backup cmdlets driven through the cmdlet seam against the real services.</summary>
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

    private BackupPgDatabaseCommand BackupCommand(string destination) => new()
    {
        Database = new[] { _pg.Database },
        Server = TestEnvironment.PgHost,
        Port = TestEnvironment.PgPort,
        User = TestEnvironment.PgUser,
        PasswordVariable = PasswordVariable,
        Destination = destination,
        Release = "v9",
    };

    public static IEnumerable<object[]> Cmdlets() => typeof(BackupCmdletBase).Assembly.GetTypes()
        .Where(t => t.Namespace == "ReleaseOps.Cmdlets.Backup" && typeof(ReleaseOpsCmdlet).IsAssignableFrom(t) && !t.IsAbstract)
        .Select(t => new object[] { t.Name });

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Cmdlets_use_approved_verbs_declare_output_and_confirm_changes(string typeName)
    {
        var type = typeof(BackupCmdletBase).Assembly.GetTypes().Single(t => t.Name == typeName);
        var cmdlet = type.GetCustomAttributesData().Single(a => a.AttributeType == typeof(CmdletAttribute));
        var verb = (string)cmdlet.ConstructorArguments[0].Value!;
        var noun = (string)cmdlet.ConstructorArguments[1].Value!;
        var approved = new[] { typeof(VerbsData), typeof(VerbsCommon), typeof(VerbsDiagnostic) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetValue(null)!);
        Assert.Contains(verb, approved);
        Assert.Matches("^(Pg|Redis|Release)", noun);
        Assert.Contains(type.GetCustomAttributesData(), a => a.AttributeType == typeof(OutputTypeAttribute));
        var named = cmdlet.NamedArguments.ToDictionary(a => a.MemberName, a => a.TypedValue.Value);
        if (verb is "Backup" or "Restore" or "Remove")
        {
            Assert.Equal(true, named.GetValueOrDefault("SupportsShouldProcess"));
        }
        if (verb == "Restore")
        {
            Assert.Equal((int)ConfirmImpact.High, named["ConfirmImpact"]);
        }
        Assert.Contains($"'{verb}-{noun}'", File.ReadAllText(Path.Combine(RepoRoot(), "ReleaseOps.psd1")));
    }

    [Fact]
    public void Format_file_is_listed_in_the_manifest_and_is_valid_xml_for_every_record()
    {
        var root = RepoRoot();
        var format = System.Xml.Linq.XDocument.Load(Path.Combine(root, "formats", "Backup.Format.ps1xml"));
        var types = format.Descendants("TypeName").Select(e => (string?)e.Value).ToHashSet();
        Assert.Contains(typeof(ReleaseBackup).FullName, types);
        Assert.Contains(typeof(BackupVerification).FullName, types);
        Assert.Contains(typeof(RestoreResult).FullName, types);
        Assert.Contains(typeof(BackupRemoval).FullName, types);
        Assert.Contains("formats/Backup.Format.ps1xml", File.ReadAllText(Path.Combine(root, "ReleaseOps.psd1")));
    }

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
        var backup = CmdletHarness.Invoke(BackupCommand(destination));
        Assert.Empty(backup.Errors);
        var taken = Assert.Single(backup.OutputOf<ReleaseBackup>());
        Assert.Equal("v9", taken.Release);
        Assert.Contains(backup.Progress, p => p.Status.Contains("bytes written"));
        Assert.Contains(backup.ShouldProcessCalls, c => c.Target.EndsWith("/" + _pg.Database));

        var test = CmdletHarness.Invoke(new TestPgBackupCommand
        {
            User = TestEnvironment.PgUser,
            PasswordVariable = PasswordVariable,
            ScratchPrefix = $"ro_bkp_verify_{_pg.RunTag}_",
        }, new Action<TestPgBackupCommand>[] { c => c.Backup = taken });
        Assert.Empty(test.Errors);
        Assert.True(Assert.Single(test.OutputOf<BackupVerification>()).Passed);

        var listed = CmdletHarness.Invoke(new GetReleaseBackupCommand { Path = new[] { destination }, LatestRequested = true, VerifyChecksumRequested = true });
        Assert.Equal(taken.Id, Assert.Single(listed.OutputOf<ReleaseBackup>()).Id);
        Assert.True(listed.OutputOf<ReleaseBackup>().Single().Verified);
    }

    [Fact]
    public async Task Restore_asks_with_high_impact_and_whatif_changes_nothing()
    {
        var destination = _pg.NewDestination("cmdlet-restore");
        var taken = CmdletHarness.Invoke(BackupCommand(destination)).OutputOf<ReleaseBackup>().Single();
        var target = $"ro_bkp_whatif_{_pg.RunTag}";
        var run = CmdletHarness.Invoke(new RestorePgDatabaseCommand
        {
            Backup = taken,
            Database = target,
            User = TestEnvironment.PgUser,
            PasswordVariable = PasswordVariable,
        }, whatIf: true);
        Assert.Empty(run.Output);
        Assert.Contains(run.ShouldProcessCalls, c => c.Target.EndsWith("/" + target) && c.Action.Contains(taken.Id));
        Assert.False(await _pg.DatabaseExistsAsync(target));
    }

    [Fact]
    public void Retention_whatif_lists_without_removing_and_a_damaged_backup_is_reported_by_get()
    {
        var destination = _pg.NewDestination("cmdlet-retention");
        var first = CmdletHarness.Invoke(BackupCommand(destination)).OutputOf<ReleaseBackup>().Single();
        var second = CmdletHarness.Invoke(BackupCommand(destination)).OutputOf<ReleaseBackup>().Single();

        var whatIf = CmdletHarness.Invoke(new RemoveReleaseBackupCommand { Path = destination, KeepCount = 1 }, whatIf: true);
        var planned = Assert.Single(whatIf.OutputOf<BackupRemoval>());
        Assert.Equal(first.Id, planned.Id);
        Assert.False(planned.Removed);
        Assert.True(File.Exists(first.ManifestPath));

        var noRule = Assert.Throws<TerminatingErrorException>(() =>
            CmdletHarness.Invoke(new RemoveReleaseBackupCommand { Path = destination }, whatIf: true));
        Assert.Equal("RetentionRuleMissing", noRule.Error.ErrorId);

        var bytes = File.ReadAllBytes(second.DataPath);
        bytes[10] ^= 0xff;
        File.WriteAllBytes(second.DataPath, bytes);
        var listed = CmdletHarness.Invoke(new GetReleaseBackupCommand { Path = new[] { destination }, VerifyChecksumRequested = true });
        Assert.Equal(first.Id, Assert.Single(listed.OutputOf<ReleaseBackup>()).Id);
        Assert.Equal("BackupIntegrityFailure", Assert.Single(listed.Errors).ErrorId);

        var removed = CmdletHarness.Invoke(new RemoveReleaseBackupCommand { Path = destination, KeepCount = 1 });
        Assert.True(Assert.Single(removed.OutputOf<BackupRemoval>()).Removed);
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
            var command = BackupCommand(destination);
            command.PasswordVariable = variable;
            var run = CmdletHarness.Invoke(command);
            Assert.Equal("PgAuthenticationFailed", Assert.Single(run.Errors).ErrorId);
            Assert.Equal(ErrorCategory.AuthenticationError, run.Errors[0].Category);
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
        var command = BackupCommand(destination);
        command.PasswordVariable = "RO_BKP_TEST_UNSET_VARIABLE";
        var missing = CmdletHarness.Invoke(command);
        Assert.Equal("SecretNotFound", Assert.Single(missing.Errors).ErrorId);

        var ambiguous = BackupCommand(destination);
        ambiguous.EncryptionKeyVariable = "A";
        ambiguous.EncryptionKeyFile = "/nonexistent";
        var ended = Assert.Throws<TerminatingErrorException>(() => CmdletHarness.Invoke(ambiguous));
        Assert.Equal("EncryptionKeyAmbiguous", ended.Error.ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(destination));
    }

    [Fact]
    public void A_yaml_plan_drives_the_backup_with_its_secret_references()
    {
        var destination = _pg.NewDestination("cmdlet-plan");
        var planFile = Path.Combine(destination, "..", $"plan-{Guid.NewGuid():N}.yml");
        File.WriteAllText(planFile, $$"""
            api_version: releaseops/v1
            application: shop
            environment: test
            version: 4.0.0
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
            """);
        var run = CmdletHarness.Invoke(new BackupPgDatabaseCommand { PlanPath = planFile });
        Assert.Empty(run.Errors);
        var taken = Assert.Single(run.OutputOf<ReleaseBackup>());
        Assert.Equal("shop-db", taken.Name);
        Assert.Equal("4.0.0", taken.Release);
        CanarySecret.AssertAbsent(TestEnvironment.PgPassword, run.AllText(), "the plan-driven backup's output");
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

/// <summary>The Redis backup cmdlets through the seam.</summary>
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
            var backup = CmdletHarness.Invoke(new BackupRedisDataCommand
            {
                Server = "127.0.0.1",
                Port = ScratchRedisFixture.Port,
                PasswordVariable = variable,
                Destination = destination,
            });
            Assert.Empty(backup.Errors);
            var taken = Assert.Single(backup.OutputOf<ReleaseBackup>());
            Assert.Equal(BackupKind.Redis, taken.Kind);

            var test = CmdletHarness.Invoke(new TestRedisBackupCommand(), new Action<TestRedisBackupCommand>[] { c => c.Backup = taken });
            Assert.Empty(test.Errors);
            Assert.True(Assert.Single(test.OutputOf<BackupVerification>()).Passed);
            CanarySecret.AssertAbsent(_redis.Password.Reveal(), backup.AllText().Concat(test.AllText()), "the Redis cmdlets' output");
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
