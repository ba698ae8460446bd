using System.Diagnostics;
using ReleaseOps.Backup;
using ReleaseOps.Gates;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Gates;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Redis;

/// <summary>
/// A private primary (redis-server, password on stdin) and a real Sentinel monitoring it
/// (<c>redis-server FILE --sentinel</c>; Sentinel needs a config file it can rewrite, so the primary's
/// password sits in a 0600 file of a private directory, never in argv), on ports 23110-23111.
/// </summary>
public sealed class SentinelFixture : IAsyncLifetime
{
    public const int PrimaryPort = 23110;
    public const int SentinelPort = 23111;
    public const string Service = "ro-bkp-main";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ro-bkp-sentinel-" + Guid.NewGuid().ToString("N")[..8]);
    private Process? _sentinel;

    public SecretValue Password { get; } = new(CanarySecret.New());

    public ScratchRedisServer Primary { get; private set; } = null!;

    /// <summary>What a .NET user writes: the Sentinel and the service name, the primary's password.</summary>
    public string ConnectionString(string? password = null) =>
        $"127.0.0.1:{SentinelPort},serviceName={Service},password={password ?? Password.Reveal()}";

    public async Task InitializeAsync()
    {
        Primary = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions
        {
            Directory = Path.Combine(_directory, "primary"),
            Port = PrimaryPort,
            Password = Password,
            ExtraConfiguration = ["repl-diskless-sync-delay 0"],
        });
        var sentinelDirectory = Path.Combine(_directory, "sentinel");
        Directory.CreateDirectory(sentinelDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var config = Path.Combine(sentinelDirectory, "sentinel.conf");
        File.WriteAllText(config, string.Join('\n',
            $"port {SentinelPort}", "bind 127.0.0.1", "daemonize no", $"dir {sentinelDirectory}", $"logfile {Path.Combine(sentinelDirectory, "sentinel.log")}",
            $"sentinel monitor {Service} 127.0.0.1 {PrimaryPort} 1", $"sentinel auth-pass {Service} {Password.Reveal()}",
            $"sentinel down-after-milliseconds {Service} 60000", ""));
        File.SetUnixFileMode(config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(config);
        start.ArgumentList.Add("--sentinel");
        _sentinel = Process.Start(start)!;
        _sentinel.OutputDataReceived += (_, _) => { };
        _sentinel.ErrorDataReceived += (_, _) => { };
        _sentinel.BeginOutputReadLine();
        _sentinel.BeginErrorReadLine();
        // Ready once the Sentinel names the primary.
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var session = await RedisSession.ConnectAsync(RedisConnectionOptions.Parse(ConnectionString()));
                return;
            }
            catch (ReleaseOps.Errors.ReleaseOpsException) when (clock.Elapsed < TimeSpan.FromSeconds(20) && !_sentinel.HasExited)
            {
                await Task.Delay(200);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_sentinel is { HasExited: false })
        {
            _sentinel.Kill(entireProcessTree: true);
            await _sentinel.WaitForExitAsync();
        }
        _sentinel?.Dispose();
        await Primary.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Sentinel-managed Redis through the connection string .NET users know: the client, the gate and a backup find the primary.</summary>
public sealed class RedisSentinelTests(SentinelFixture sentinel) : IClassFixture<SentinelFixture>
{
    [Fact]
    public async Task A_service_name_finds_the_primary_the_sentinel_names()
    {
        var options = RedisConnectionOptions.Parse(sentinel.ConnectionString());
        Assert.Equal("ro-bkp-main@127.0.0.1:23111", options.Endpoint);
        await using var session = await RedisSession.ConnectAsync(options);
        Assert.Equal(SentinelFixture.PrimaryPort, session.Primary.Port);
        Assert.Null(session.Primary.ServiceName);
        Assert.Equal("master", (await session.InfoAsync("replication"))["role"]);

        var unknown = await Assert.ThrowsAsync<ReleaseOps.Errors.ReleaseOpsException>(() =>
            RedisSession.ConnectAsync(options with { ServiceName = "ro-bkp-none", ConnectTimeout = TimeSpan.FromSeconds(2) }));
        Assert.Equal("RedisUnreachable", unknown.ErrorId);
        Assert.Contains("ro-bkp-none", unknown.Message);
        CanarySecret.AssertAbsent(sentinel.Password.Reveal(), [unknown.ToString()], "the unknown-service error");
    }

    [Fact]
    public async Task The_redis_gate_takes_a_connection_string_with_a_service_name()
    {
        var environment = PostgresGateTests.WithSecret("redis", sentinel.Password.Reveal());
        var result = await GateKit.Run(environment, ("type", "redis"),
            ("configuration", sentinel.ConnectionString("${secret:redis}")), ("require_password", true));
        Assert.True(result.Status == GateStatus.Passed, GateKit.Explain(result));
        Assert.Contains($"primary 127.0.0.1:{SentinelFixture.PrimaryPort}", result.Message);
        CanarySecret.AssertAbsent(sentinel.Password.Reveal(), [result.Message, System.Text.Json.JsonSerializer.Serialize(result)], "the gate result");

        var canary = CanarySecret.New();
        var wrong = await GateKit.Run(PostgresGateTests.WithSecret("redis", canary), ("type", "redis"),
            ("configuration", sentinel.ConnectionString("${secret:redis}")));
        Assert.Equal(GateStatus.Error, wrong.Status);
        Assert.Equal("RedisAuthenticationFailed", wrong.ErrorId);
        CanarySecret.AssertAbsent(canary, [wrong.Message, wrong.Fix, System.Text.Json.JsonSerializer.Serialize(wrong)], "the gate error");
    }

    [Fact]
    public async Task A_backup_through_the_sentinel_streams_the_primarys_snapshot()
    {
        await using (var primary = await sentinel.Primary.ConnectAsync())
        {
            await primary.RunAsync("SET", (_, db) => db.StringSetAsync("ro-bkp-sentinel", "1"));
        }
        var destination = Directory.CreateTempSubdirectory("ro-bkp-sentinel-backups-");
        try
        {
            var reporter = new ReleaseOps.Tests.Backup.RecordingReporter();
            var backup = await new RedisBackupService().BackupAsync(new RedisBackupRequest
            {
                Source = RedisConnectionOptions.Parse(sentinel.ConnectionString()),
                Destination = destination.FullName,
                Name = "ro-bkp-sentinel",
            }, reporter, CancellationToken.None);
            Assert.Equal($"127.0.0.1:{SentinelFixture.PrimaryPort}", backup.Manifest.Source);
            Assert.True(backup.Manifest.KeyCounts.Single(k => k.Database == 0).Keys >= 1);
            Assert.Equal("REDIS", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(backup.DataPath), 0, 5));
            CanarySecret.AssertAbsent(sentinel.Password.Reveal(), reporter.AllText().Append(File.ReadAllText(backup.ManifestPath)),
                "the backup's records and manifest");
        }
        finally
        {
            destination.Delete(recursive: true);
        }
    }
}
