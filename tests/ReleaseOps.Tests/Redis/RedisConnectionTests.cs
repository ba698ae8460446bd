using System.Net;
using System.Net.Sockets;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Redis;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Redis;

/// <summary>The RESP2 client against the shared Redis 7 (read-mostly, keys under ro-bkp- in db 9 only).</summary>
public class RedisConnectionTests
{
    private const int Db = 9;

    private static RedisConnectionOptions Shared(SecretValue? password = null, int database = Db) => new()
    {
        Host = TestEnvironment.RedisHost,
        Port = TestEnvironment.RedisPort,
        Password = password ?? new SecretValue(TestEnvironment.RedisPassword),
        Database = database,
        CommandTimeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task Commands_return_typed_replies()
    {
        TestEnvironment.Require(TestService.Redis);
        await using var redis = await RedisConnection.ConnectAsync(Shared());
        var key = "ro-bkp-resp-" + Guid.NewGuid().ToString("N")[..8];
        var list = key + "-list";
        try
        {
            Assert.True(await redis.PingAsync() > TimeSpan.Zero);
            Assert.Equal(new RedisSimpleString("OK"), await redis.ExecuteAsync("SET", key, "héllo\r\nworld"));
            var bulk = Assert.IsType<RedisBulkString>(await redis.ExecuteAsync("GET", key));
            Assert.Equal("héllo\r\nworld", bulk.AsString());
            Assert.True((await redis.ExecuteAsync("GET", key + "-missing")).IsNull);
            Assert.Equal(3, (await redis.ExecuteAsync("RPUSH", list, "a", "", "c")).AsInt64());
            var items = (await redis.ExecuteAsync("LRANGE", list, "0", "-1")).AsArray();
            Assert.Equal(new[] { "a", "", "c" }, items.Select(i => i.AsString()));
            var binary = new ReadOnlyMemory<byte>[] { "SET"u8.ToArray(), Encoding.UTF8.GetBytes(key), new byte[] { 0, 255, 13, 10 } };
            await redis.ExecuteAsync(binary);
            Assert.Equal(new byte[] { 0, 255, 13, 10 }, ((RedisBulkString)await redis.ExecuteAsync("GET", key)).Value);

            var wrongType = await Assert.ThrowsAsync<RedisCommandException>(() => redis.ExecuteAsync("LPUSH", key, "x"));
            Assert.Equal("RedisCommandFailed", wrongType.ErrorId);
            Assert.Equal("WRONGTYPE", wrongType.ServerErrorCode);
            Assert.Equal("LPUSH", wrongType.Command);
            Assert.False(redis.IsBroken); // an error reply leaves the connection usable
            Assert.Equal(Db, redis.Database);
            Assert.True(await redis.DbSizeAsync() >= 2);
        }
        finally
        {
            await redis.ExecuteAsync("DEL", key, list);
        }
    }

    [Fact]
    public async Task Info_config_and_dbsize_are_parsed()
    {
        TestEnvironment.Require(TestService.Redis);
        await using var redis = await RedisConnection.ConnectAsync(Shared());
        var key = "ro-bkp-info-" + Guid.NewGuid().ToString("N")[..8];
        await redis.ExecuteAsync("SET", key, "1");
        try
        {
            var info = await redis.InfoAsync();
            Assert.StartsWith("7.", info.Version);
            Assert.Equal("master", info.Role);
            Assert.Contains("Server", info.Sections.Keys);
            Assert.Equal(info.Version, info.Section("server")["redis_version"]);
            var keyspace = Assert.Single(info.Keyspace, e => e.Database == Db);
            Assert.Equal(await redis.DbSizeAsync(), keyspace.Keys);

            var persistence = await redis.InfoAsync("persistence");
            Assert.NotNull(persistence["aof_enabled"]);

            var config = await redis.ConfigGetAsync("maxmemory*");
            Assert.True(config.ContainsKey("maxmemory"));
            Assert.True(config.ContainsKey("maxmemory-policy"));

            await redis.SelectAsync(Db + 1);
            Assert.Equal(Db + 1, redis.Database);
        }
        finally
        {
            await redis.SelectAsync(Db);
            await redis.ExecuteAsync("DEL", key);
        }
    }

    [Fact]
    public void Info_text_parses_sections_and_keyspace()
    {
        var info = RedisInfo.Parse("# Server\r\nredis_version:7.0.15\r\nos:Linux 6 x86_64\r\n\r\n# Keyspace\r\ndb0:keys=12,expires=3,avg_ttl=400\r\ndb5:keys=1,expires=0,avg_ttl=0\r\n");
        Assert.Equal("7.0.15", info.Version);
        Assert.Equal("Linux 6 x86_64", info["os"]);
        Assert.Equal(new[] { new RedisKeyspaceEntry(0, 12, 3, 400), new RedisKeyspaceEntry(5, 1, 0, 0) }, info.Keyspace);
    }

    [Fact]
    public async Task Wrong_password_is_a_typed_error_that_names_the_endpoint_not_the_password()
    {
        TestEnvironment.Require(TestService.Redis);
        var canary = CanarySecret.New();
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => RedisConnection.ConnectAsync(Shared(new SecretValue(canary))));
        Assert.Equal("RedisAuthenticationFailed", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.Contains($"{TestEnvironment.RedisHost}:{TestEnvironment.RedisPort}", ex.Message);
        Assert.NotNull(ex.Fix);
        CanarySecret.AssertAbsent(canary, new[] { ex.ToString(), ex.Describe(), ex.Fix }, "the authentication error");
    }

    [Fact]
    public async Task Missing_password_is_reported_as_authentication_failure()
    {
        TestEnvironment.Require(TestService.Redis);
        var options = Shared() with { Password = null, Database = 0 };
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => RedisConnection.ConnectAsync(options));
        Assert.Equal("RedisAuthenticationFailed", ex.ErrorId);
        Assert.Contains("requires a password", ex.Fix);
    }

    [Fact]
    public async Task Nothing_listening_is_RedisUnreachable()
    {
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => RedisConnection.ConnectAsync(
            new RedisConnectionOptions { Host = "127.0.0.1", Port = 23999, ConnectTimeout = TimeSpan.FromSeconds(2) }));
        Assert.Equal("RedisUnreachable", ex.ErrorId);
        Assert.Equal(FailureKind.ConnectionFailed, ex.Kind);
        Assert.Contains("127.0.0.1:23999", ex.Message);
    }

    [Fact]
    public async Task A_silent_server_times_out_and_cancellation_is_honoured()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 23998);
        silent.Start();
        var options = new RedisConnectionOptions { Host = "127.0.0.1", Port = 23998, CommandTimeout = TimeSpan.FromMilliseconds(300) };
        var timeout = await Assert.ThrowsAsync<ReleaseOpsException>(() => RedisConnection.ConnectAsync(options));
        Assert.Equal("RedisTimeout", timeout.ErrorId);
        Assert.Equal(FailureKind.Timeout, timeout.Kind);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            RedisConnection.ConnectAsync(options with { CommandTimeout = Timeout.InfiniteTimeSpan }, cancel.Token));
    }
}

/// <summary>The client against a private redis-server: ACL users and the SYNC snapshot.</summary>
[Collection(ScratchRedisCollection.Name)]
public class RedisScratchServerTests
{
    private readonly ScratchRedisFixture _fixture;

    public RedisScratchServerTests(ScratchRedisFixture fixture)
    {
        _fixture = fixture;
    }

    [Fact]
    public async Task Acl_user_authenticates_and_a_wrong_acl_password_names_the_user_only()
    {
        var userPassword = CanarySecret.New();
        await using (var admin = await _fixture.Server.ConnectAsync())
        {
            await admin.ExecuteAsync("ACL", "SETUSER", "ro-bkp-reader", "on", ">" + userPassword, "~*", "+@read", "+ping", "+info");
        }
        var options = _fixture.Options with { User = "ro-bkp-reader", Password = new SecretValue(userPassword) };
        await using (var reader = await RedisConnection.ConnectAsync(options))
        {
            await reader.PingAsync();
            var denied = await Assert.ThrowsAsync<RedisCommandException>(() => reader.ExecuteAsync("SET", "ro-bkp-x", "1"));
            Assert.Equal("NOPERM", denied.ServerErrorCode);
            Assert.Equal(FailureKind.PermissionDenied, denied.Kind);
        }
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
            RedisConnection.ConnectAsync(options with { Password = new SecretValue(userPassword + "-wrong") }));
        Assert.Equal("RedisAuthenticationFailed", ex.ErrorId);
        Assert.Contains("ro-bkp-reader", ex.Message);
        Assert.Contains($"127.0.0.1:{ScratchRedisFixture.Port}", ex.Message);
        CanarySecret.AssertAbsent(userPassword, new[] { ex.ToString(), ex.Fix }, "the ACL authentication error");
        // The scratch server's own password went in on stdin, not argv.
        var cmdline = File.ReadAllText($"/proc/{_fixture.Server.ProcessId}/cmdline");
        CanarySecret.AssertAbsent(_fixture.Password.Reveal(), new[] { cmdline }, "redis-server's command line");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sync_streams_an_rdb_snapshot_and_spends_the_connection(bool diskless)
    {
        await using (var admin = await _fixture.Server.ConnectAsync())
        {
            // Our own server: both ways a master can send the RDB ($EOF:mark and $length).
            await admin.ExecuteAsync("CONFIG", "SET", "repl-diskless-sync", diskless ? "yes" : "no");
            await admin.SelectAsync(3);
            await admin.ExecuteAsync("SET", "ro-bkp-sync-a", "1");
            await admin.ExecuteAsync("HSET", "ro-bkp-sync-h", "f", "v");
        }
        var connection = await _fixture.Server.ConnectAsync();
        using var rdb = new MemoryStream();
        long lastProgress = 0;
        var transfer = await connection.ReadRdbSnapshotAsync(rdb, n => lastProgress = n);
        Assert.Equal(diskless, transfer.Diskless);
        Assert.True(transfer.Bytes > 9);
        Assert.Equal(transfer.Bytes, rdb.Length);
        Assert.Equal(transfer.Bytes, lastProgress);
        Assert.Equal("REDIS", Encoding.ASCII.GetString(rdb.ToArray(), 0, 5));
        Assert.True(connection.IsBroken);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => connection.PingAsync());
    }

}
