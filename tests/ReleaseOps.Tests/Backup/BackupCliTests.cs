using System.Text.Json;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary><c>releaseops backup|verify|restore</c> end to end against the shared PostgreSQL.</summary>
[Collection(SharedPgCollection.Name)]
public class BackupCliTests
{
    private const string PasswordVariable = "RO_BKP_TEST_PG_PASSWORD";
    private readonly SharedPgFixture _pg;

    public BackupCliTests(SharedPgFixture pg)
    {
        _pg = pg;
        Environment.SetEnvironmentVariable(PasswordVariable, TestEnvironment.PgPassword);
    }

    private static (int Code, string Out, string Error) Run(params string[] args)
    {
        var result = ReleaseOps.Tests.Cli.CliRunner.Run(args);
        return (result.ExitCode, result.Out, result.Error);
    }

    private string[] Connection() => new[]
    {
        "--host", TestEnvironment.PgHost, "--port", TestEnvironment.PgPort.ToString(), "--user", TestEnvironment.PgUser, "--password-env", PasswordVariable,
    };

    [Fact]
    public void Backup_list_verify_and_restore_speak_json_and_exit_codes()
    {
        var destination = _pg.NewDestination("cli");
        var backup = Run(new[] { "backup", "pg", "--database", _pg.Database, "--destination", destination, "--release", "v3", "--output", "json" }
            .Concat(Connection()).ToArray());
        Assert.True(backup.Code == 0, backup.Error);
        using var taken = JsonDocument.Parse(backup.Out);
        var manifestPath = taken.RootElement.GetProperty("backup").GetProperty("manifestPath").GetString()!;
        Assert.Equal("v3", taken.RootElement.GetProperty("backup").GetProperty("release").GetString());
        CanarySecret.AssertAbsent(TestEnvironment.PgPassword, new[] { backup.Out, backup.Error }, "the CLI's output");

        var list = Run("backup", "list", destination, "--output", "json");
        Assert.Equal(0, list.Code);
        using (var listed = JsonDocument.Parse(list.Out))
        {
            Assert.Equal(1, listed.RootElement.GetArrayLength());
        }

        var verify = Run(new[] { "verify", manifestPath, "--scratch-prefix", $"ro_bkp_verify_{_pg.RunTag}_", "--output", "json" }.Concat(Connection()).ToArray());
        Assert.True(verify.Code == 0, verify.Error + verify.Out);
        using (var verified = JsonDocument.Parse(verify.Out))
        {
            Assert.True(verified.RootElement.GetProperty("passed").GetBoolean());
        }

        var unconfirmed = Run(new[] { "restore", manifestPath, "--database", $"ro_bkp_cli_{_pg.RunTag}" }.Concat(Connection()).ToArray());
        Assert.Equal(2, unconfirmed.Code);
        Assert.Contains("--yes", unconfirmed.Error);

        File.AppendAllText(Directory.GetFiles(destination, "*.dump").Single(), "tampered");
        var damaged = Run(new[] { "verify", manifestPath, "--quick" }.Concat(Connection()).ToArray());
        Assert.Equal(1, damaged.Code);
        Assert.Contains("FAILED", damaged.Out);

        var prune = Run("backup", "prune", destination, "--keep", "0", "--dry-run", "--output", "json");
        Assert.Equal(0, prune.Code);
        Assert.True(File.Exists(manifestPath));
    }
    [Fact]
    public async Task A_directory_backup_is_dumped_verified_and_restored_with_parallel_jobs_and_a_damaged_file_is_named()
    {
        var destination = _pg.NewDestination("cli-directory");
        var backup = Run(new[] { "backup", "pg", "--database", _pg.Database, "--destination", destination, "--format", "directory", "--jobs", "2",
            "--verify", "--output", "json" }.Concat(Connection()).ToArray());
        Assert.True(backup.Code == 0, backup.Error);
        using var taken = JsonDocument.Parse(backup.Out);
        var manifestPath = taken.RootElement.GetProperty("backup").GetProperty("manifestPath").GetString()!;
        Assert.True(taken.RootElement.GetProperty("verification").GetProperty("passed").GetBoolean());
        Assert.Equal("directory", taken.RootElement.GetProperty("backup").GetProperty("format").GetString());

        var verify = Run(new[] { "verify", manifestPath, "--jobs", "2", "--scratch-prefix", $"ro_bkp_verify_{_pg.RunTag}_", "--output", "json" }
            .Concat(Connection()).ToArray());
        Assert.True(verify.Code == 0, verify.Error + verify.Out);

        var target = $"ro_bkp_cli_dir_{_pg.RunTag}";
        try
        {
            var restore = Run(new[] { "restore", manifestPath, "--database", target, "--jobs", "2", "--skip-emergency-backup", "--yes" }
                .Concat(Connection()).ToArray());
            Assert.True(restore.Code == 0, restore.Error + restore.Out);
            Assert.True(await _pg.DatabaseExistsAsync(target));
        }
        finally
        {
            await _pg.ExecuteAsync(TestEnvironment.PgDatabase, $"DROP DATABASE IF EXISTS {target} WITH (FORCE)");
        }

        var dataFile = Directory.GetFiles(Directory.GetDirectories(destination, "*.dir").Single(), "*.dat.gz")
            .Concat(Directory.GetFiles(Directory.GetDirectories(destination, "*.dir").Single(), "*.dat"))
            .Where(f => Path.GetFileName(f) != "toc.dat").OrderByDescending(f => new FileInfo(f).Length).First();
        File.AppendAllText(dataFile, "tampered");
        var damaged = Run(new[] { "verify", manifestPath, "--quick", "--jobs", "2" }.Concat(Connection()).ToArray());
        Assert.Equal(1, damaged.Code);
        Assert.Contains(Path.GetFileName(dataFile), damaged.Out + damaged.Error);
    }
}
