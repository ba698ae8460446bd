using ReleaseOps.Backup;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;

namespace ReleaseOps.Tests.Redis;

/// <summary>
/// One private redis-server for the Redis and backup tests that need settings or data we may not
/// put on the shared server (ACL users, SYNC, a known key set). Port 23100 from the backup range,
/// in its own temp directory, password on stdin. Started once per test run, stopped at the end.
/// </summary>
public sealed class ScratchRedisFixture : IAsyncDisposable, Xunit.IAsyncLifetime
{
    public const int Port = 23100;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ro-bkp-redis-" + Guid.NewGuid().ToString("N")[..8]);

    public SecretValue Password { get; } = new(CanarySecret.New());

    public ScratchRedisServer Server { get; private set; } = null!;

    public RedisConnectionOptions Options => Server.ConnectionOptions;

    public async Task InitializeAsync()
    {
        Server = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions
        {
            Directory = Directory,
            Port = Port,
            Password = Password,
            // Diskless SYNC without the 5 s wait for more replicas.
            ExtraConfiguration = new[] { "repl-diskless-sync-delay 0" },
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
}

[Xunit.CollectionDefinition(Name)]
public sealed class ScratchRedisCollection : Xunit.ICollectionFixture<ScratchRedisFixture>
{
    public const string Name = "ro-bkp scratch redis";
}
