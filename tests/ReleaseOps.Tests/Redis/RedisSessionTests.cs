using System.Net;
using System.Net.Sockets;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Redis;

/// <summary>The shared Redis client (StackExchange.Redis underneath) against the shared Redis 7 (keys under ro-bkp- in db 9 only).</summary>
public class RedisSessionTests
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
    public async Task Commands_run_against_the_chosen_database_and_info_and_config_are_read()
    {
        TestEnvironment.Require(TestService.Redis);
        await using var redis = await RedisSession.ConnectAsync(Shared());
        var key = "ro-bkp-session-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Assert.True(await redis.RunAsync("SET", (_, db) => db.StringSetAsync(key, "héllo\r\nworld")));
            Assert.Equal("héllo\r\nworld", (string?)await redis.RunAsync("GET", (_, db) => db.StringGetAsync(key)));
            Assert.Equal(Db, redis.Database.Database);

            var info = await redis.InfoAsync();
            Assert.StartsWith("7.", info["redis_version"]);
            Assert.Equal("master", info["role"]);
            Assert.Contains(info, f => f.Key == $"db{Db}" && f.Value.StartsWith("keys=", StringComparison.Ordinal));
            Assert.NotNull((await redis.InfoAsync("persistence"))["aof_enabled"]);
            var config = await redis.ConfigGetAsync("maxmemory*");
            Assert.True(config.ContainsKey("maxmemory"));
            Assert.True(config.ContainsKey("maxmemory-policy"));

            var wrongType = await Assert.ThrowsAsync<RedisCommandFailedException>(() => redis.RunAsync("LPUSH", (_, db) => db.ListLeftPushAsync(key, "x")));
            Assert.Equal("RedisCommandFailed", wrongType.ErrorId);
            Assert.Equal("WRONGTYPE", wrongType.ServerErrorCode);
            Assert.Equal("LPUSH", wrongType.Command);
        }
        finally
        {
            await redis.RunAsync("DEL", (_, db) => db.KeyDeleteAsync(key));
        }
    }

    [Fact]
    public async Task The_connection_string_dotnet_users_know_connects_too()
    {
        TestEnvironment.Require(TestService.Redis);
        var options = RedisConnectionOptions.Parse(
            $"{TestEnvironment.RedisHost}:{TestEnvironment.RedisPort},password={TestEnvironment.RedisPassword},defaultDatabase={Db},syncTimeout=4000");
        Assert.Equal(TestEnvironment.RedisPort, options.Port);
        Assert.Equal(Db, options.Database);
        Assert.Equal(TimeSpan.FromSeconds(4), options.CommandTimeout);
        CanarySecret.AssertAbsent(TestEnvironment.RedisPassword, [options.ToString(), options.Endpoint], "the parsed options");
        await using var redis = await RedisSession.ConnectAsync(options);
        Assert.True(await redis.RunAsync("PING", (server, _) => server.PingAsync()) >= TimeSpan.Zero);
    }

    [Fact]
    public void Connection_strings_name_sentinels_tls_users_and_never_show_the_password()
    {
        var canary = CanarySecret.New();
        var sentinel = RedisConnectionOptions.Parse($"sentinel-a:26379,sentinel-b:26380,serviceName=shop,user=app,password={canary},ssl=true,sslHost=redis.example");
        Assert.Equal("sentinel-a", sentinel.Host);
        Assert.Equal(26379, sentinel.Port);
        Assert.Equal(["sentinel-b:26380"], sentinel.MoreEndpoints);
        Assert.Equal("shop", sentinel.ServiceName);
        Assert.Equal("app", sentinel.User);
        Assert.Equal(canary, sentinel.Password!.Reveal());
        Assert.True(sentinel.UseTls);
        Assert.Equal("redis.example", sentinel.TlsServerName);
        Assert.Equal("shop@sentinel-a:26379", sentinel.Endpoint);
        CanarySecret.AssertAbsent(canary, [sentinel.ToString(), sentinel.Password.ToString()], "the parsed options");

        var plain = RedisConnectionOptions.Parse("cache.internal");
        Assert.Equal(6379, plain.Port);
        Assert.Null(plain.Password);

        var broken = Assert.Throws<ReleaseOpsException>(() => RedisConnectionOptions.Parse($"cache:6379,pasword={canary}"));
        Assert.Equal("RedisEndpointInvalid", broken.ErrorId);
        CanarySecret.AssertAbsent(canary, [broken.ToString()], "the parse error");
    }

    [Fact]
    public async Task Wrong_password_is_a_typed_error_that_names_the_endpoint_not_the_password()
    {
        TestEnvironment.Require(TestService.Redis);
        var canary = CanarySecret.New();
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => RedisSession.ConnectAsync(Shared(new SecretValue(canary))));
        Assert.Equal("RedisAuthenticationFailed", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.Contains($"{TestEnvironment.RedisHost}:{TestEnvironment.RedisPort}", ex.Message);
        CanarySecret.AssertAbsent(canary, new[] { ex.ToString(), ex.Describe(), ex.Fix }, "the authentication error");
    }

    [Fact]
    public async Task Missing_password_is_reported_as_authentication_failure()
    {
        TestEnvironment.Require(TestService.Redis);
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => RedisSession.ConnectAsync(Shared() with { Password = null, Database = 0 }));
        Assert.Equal("RedisAuthenticationFailed", ex.ErrorId);
        Assert.Contains("requires a password", ex.Fix);
    }

    [Fact]
    public async Task Nothing_listening_is_RedisUnreachable()
    {
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() => RedisSession.ConnectAsync(
            new RedisConnectionOptions { Host = "127.0.0.1", Port = FreePort(), ConnectTimeout = TimeSpan.FromSeconds(2) }));
        Assert.Equal("RedisUnreachable", ex.ErrorId);
        Assert.Equal(FailureKind.ConnectionFailed, ex.Kind);
        Assert.Contains("127.0.0.1:", ex.Message);
    }

    [Fact]
    public async Task A_silent_server_times_out_and_cancellation_is_honoured()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var options = new RedisConnectionOptions { Host = "127.0.0.1", Port = port, ConnectTimeout = TimeSpan.FromMilliseconds(500) };
        var timeout = await Assert.ThrowsAsync<ReleaseOpsException>(() => RedisSession.ConnectAsync(options));
        Assert.Equal("RedisTimeout", timeout.ErrorId);
        Assert.Equal(FailureKind.Timeout, timeout.Kind);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            RedisSession.ConnectAsync(options with { ConnectTimeout = TimeSpan.FromSeconds(30) }, cancel.Token));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A private redis-server: ACL users and the SYNC snapshot reader.</summary>
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
            await admin.RunAsync("ACL", (server, _) => server.ExecuteAsync("ACL", "SETUSER", "ro-bkp-reader", "on", ">" + userPassword, "~*",
                "+@read", "+ping", "+info", "+client", "+echo", "+select", "+config|get", "+cluster|nodes", "+role"));
        }
        var options = _fixture.Options with { User = "ro-bkp-reader", Password = new SecretValue(userPassword) };
        await using (var reader = await RedisSession.ConnectAsync(options))
        {
            await reader.RunAsync("PING", (server, _) => server.PingAsync());
            var denied = await Assert.ThrowsAsync<RedisCommandFailedException>(() => reader.RunAsync("SET", (_, db) => db.StringSetAsync("ro-bkp-x", "1")));
            Assert.Equal("NOPERM", denied.ServerErrorCode);
            Assert.Equal(FailureKind.PermissionDenied, denied.Kind);
        }
        foreach (var wrong in new Func<Task>[]
                 {
                     () => RedisSession.ConnectAsync(options with { Password = new SecretValue(userPassword + "-wrong") }),
                     () => ReleaseOps.Redis.RedisSnapshotReader.ReadAsync(options with { Password = new SecretValue(userPassword + "-wrong") }, Stream.Null),
                 })
        {
            var ex = await Assert.ThrowsAsync<ReleaseOpsException>(wrong);
            Assert.Equal("RedisAuthenticationFailed", ex.ErrorId);
            Assert.Contains("ro-bkp-reader", ex.Message);
            Assert.Contains($"127.0.0.1:{ScratchRedisFixture.Port}", ex.Message);
            CanarySecret.AssertAbsent(userPassword, new[] { ex.ToString(), ex.Fix }, "the ACL authentication error");
        }
        // The scratch server's own password went in on stdin, not argv.
        var cmdline = File.ReadAllText($"/proc/{_fixture.Server.ProcessId}/cmdline");
        CanarySecret.AssertAbsent(_fixture.Password.Reveal(), new[] { cmdline }, "redis-server's command line");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Sync_streams_an_rdb_snapshot_in_both_framings(bool diskless)
    {
        await using (var admin = await _fixture.Server.ConnectAsync())
        {
            // Our own server: both ways a master can send the RDB ($EOF:mark and $length).
            await admin.Server.ConfigSetAsync("repl-diskless-sync", diskless ? "yes" : "no");
            var three = admin.Server.Multiplexer.GetDatabase(3);
            await three.StringSetAsync("ro-bkp-sync-a", "1");
            await three.HashSetAsync("ro-bkp-sync-h", "f", "v");
        }
        using var rdb = new MemoryStream();
        long lastProgress = 0;
        var transfer = await ReleaseOps.Redis.RedisSnapshotReader.ReadAsync(_fixture.Options, rdb, n => lastProgress = n);
        Assert.Equal(diskless, transfer.Diskless);
        Assert.True(transfer.Bytes > 9);
        Assert.Equal(transfer.Bytes, rdb.Length);
        Assert.Equal(transfer.Bytes, lastProgress);
        Assert.Equal("REDIS", System.Text.Encoding.ASCII.GetString(rdb.ToArray(), 0, 5));
        if (diskless)
        {
            // Not announcing capa eof makes even a diskless master send a length-framed payload.
            using var framed = new MemoryStream();
            var plain = await ReleaseOps.Redis.RedisSnapshotReader.ReadAsync(_fixture.Options, framed, acceptDiskless: false);
            Assert.False(plain.Diskless);
            Assert.Equal("REDIS", System.Text.Encoding.ASCII.GetString(framed.ToArray(), 0, 5));
        }
    }

    [Fact]
    public async Task A_reader_without_credentials_is_refused_typed()
    {
        var ex = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
            ReleaseOps.Redis.RedisSnapshotReader.ReadAsync(_fixture.Options with { Password = null }, Stream.Null));
        Assert.Equal("RedisAuthenticationFailed", ex.ErrorId);
        Assert.Contains("requires a password", ex.Fix);
    }
}
