using ReleaseOps.Backup;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Redis;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary>Redis backups over SYNC and test-restores into a scratch redis-server.</summary>
[Collection(ScratchRedisCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class RedisBackupTests : IDisposable
{
    private readonly ScratchRedisFixture _redis;
    private readonly string _destination = Path.Combine(Path.GetTempPath(), "ro-bkp-redis-backups-" + Guid.NewGuid().ToString("N")[..8]);

    public RedisBackupTests(ScratchRedisFixture redis)
    {
        _redis = redis;
    }

    public void Dispose()
    {
        if (Directory.Exists(_destination))
        {
            Directory.Delete(_destination, recursive: true);
        }
    }

    private async Task SeedAsync()
    {
        await using var admin = await _redis.Server.ConnectAsync();
        await admin.Server.FlushDatabaseAsync(1);
        var one = admin.Server.Multiplexer.GetDatabase(1);
        for (var i = 0; i < 25; i++)
        {
            await one.StringSetAsync($"ro-bkp-k{i}", new string('x', i));
        }
        await one.HashSetAsync("ro-bkp-hash", [new("a", "1"), new("b", "2")]);
        await admin.Server.FlushDatabaseAsync(4);
        await admin.Server.Multiplexer.GetDatabase(4).StringSetAsync("ro-bkp-expiring", "v", TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Rdb_backup_over_sync_records_key_counts_and_test_restores_into_a_scratch_server()
    {
        await SeedAsync();
        var reporter = new RecordingReporter();
        var backup = await new RedisBackupService().BackupAsync(new RedisBackupRequest
        {
            Source = _redis.Options,
            Destination = _destination,
            Release = "v7",
        }, reporter, CancellationToken.None);

        Assert.Equal(BackupKind.Redis, backup.Kind);
        Assert.Equal("rdb", backup.Format);
        Assert.Equal(26, backup.Manifest.KeyCounts.Single(k => k.Database == 1).Keys);
        Assert.Equal(1, backup.Manifest.KeyCounts.Single(k => k.Database == 4).Expires);
        Assert.Equal(new FileInfo(backup.DataPath).Length, backup.SizeBytes);
        Assert.Equal("REDIS", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(backup.DataPath), 0, 5));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup.DataPath));

        var verification = await new RedisBackupService().TestAsync(backup, new RedisVerifyRequest(), reporter, CancellationToken.None);
        Assert.True(verification.Passed, verification.Summary + " " + verification.Error);
        Assert.Equal(new[] { "Checksum", "Load", "KeyCounts" }, verification.Levels.Select(l => l.Level));
        Assert.True((await BackupCatalog.ReadAsync(backup.ManifestPath, CancellationToken.None)).Verified);
        CanarySecret.AssertAbsent(_redis.Password.Reveal(),
            reporter.AllText().Append(File.ReadAllText(backup.ManifestPath)).Append(System.Text.Json.JsonSerializer.Serialize(verification)),
            "the Redis backup's records and manifest");
    }

    [Fact]
    public async Task Encrypted_rdb_backup_restores_with_its_key_and_a_damaged_one_is_not_loaded()
    {
        await SeedAsync();
        var key = new SecretValue(Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var backup = await new RedisBackupService().BackupAsync(new RedisBackupRequest
        {
            Source = _redis.Options,
            Destination = _destination,
            EncryptionKey = key,
        }, new RecordingReporter(), CancellationToken.None);
        Assert.True(backup.Encrypted);
        Assert.EndsWith(".rdb.enc", backup.DataPath);

        var good = await new RedisBackupService().TestAsync(backup, new RedisVerifyRequest { EncryptionKey = key }, new RecordingReporter(),
            CancellationToken.None);
        Assert.True(good.Passed, good.Error);

        var bytes = await File.ReadAllBytesAsync(backup.DataPath);
        bytes[^20] ^= 0x40;
        await File.WriteAllBytesAsync(backup.DataPath, bytes);
        var bad = await new RedisBackupService().TestAsync(backup, new RedisVerifyRequest { EncryptionKey = key }, new RecordingReporter(),
            CancellationToken.None);
        Assert.False(bad.Passed);
        Assert.Equal("BackupIntegrityFailure", bad.ErrorId);
        Assert.Equal(VerificationStatus.Skipped, bad.Levels.Single(l => l.Level == "Load").Status);
    }

    [Fact]
    public void Key_counts_come_from_the_keyspace_fields_of_info()
    {
        var info = new Dictionary<string, string>
        {
            ["redis_version"] = "7.0.15",
            ["db5"] = "keys=1,expires=0,avg_ttl=0",
            ["db0"] = "keys=12,expires=3,avg_ttl=400",
            ["dbfilename"] = "dump.rdb",
        };
        Assert.Equal([new RedisKeyCount(0, 12, 3), new RedisKeyCount(5, 1, 0)], RedisBackupService.KeyCounts(info));
    }

    [Fact]
    public async Task Unreachable_redis_fails_typed_and_leaves_no_backup()
    {
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => new RedisBackupService().BackupAsync(new RedisBackupRequest
        {
            Source = new RedisConnectionOptions { Host = "127.0.0.1", Port = 23997, ConnectTimeout = TimeSpan.FromSeconds(2) },
            Destination = _destination,
        }, new RecordingReporter(), CancellationToken.None));
        Assert.Equal("RedisUnreachable", ex.ErrorId);
        Assert.Empty(Directory.GetFileSystemEntries(_destination));
    }

    [Fact]
    public async Task Wrong_redis_password_fails_typed_without_the_canary()
    {
        var canary = CanarySecret.New();
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => new RedisBackupService().BackupAsync(new RedisBackupRequest
        {
            Source = _redis.Options with { Password = new SecretValue(canary) },
            Destination = _destination,
        }, new RecordingReporter(), CancellationToken.None));
        Assert.Equal("RedisAuthenticationFailed", ex.ErrorId);
        CanarySecret.AssertAbsent(canary, new[] { ex.ToString() }, "the Redis authentication failure");
    }
}
