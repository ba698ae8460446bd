using ReleaseOps.Deploy;
using ReleaseOps.Docker;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// What the releases of the examples/swarm stack need (SwarmStackTests): a Docker client and the
/// engine on the shared dockerd, and journal directories. No nginx: the stack has no host ports and
/// no proxy, and its services, secrets and networks are the application swarmdemo's, never
/// ro-depl-app's, so this collection runs beside the deploy collection instead of after it.
/// </summary>
public sealed class SwarmStackFixture : IAsyncLifetime
{
    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ro-swst-" + Guid.NewGuid().ToString("N")[..8]);
    public DockerEngine Docker { get; private set; } = null!;
    public DockerContainerPlatform Platform { get; private set; } = null!;

    public Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        System.IO.Directory.CreateDirectory(Directory);
        Docker = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        Platform = new DockerContainerPlatform(Docker);
        return Task.CompletedTask;
    }

    public DeploymentEngine Engine() => new(_ => Platform);

    public string NewJournalDirectory() => Path.Combine(Directory, "journal-" + Guid.NewGuid().ToString("N")[..8]);

    public Task DisposeAsync()
    {
        Docker.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class SwarmStackCollection : ICollectionFixture<SwarmStackFixture>
{
    public const string Name = "swarm-stack";
}

/// <summary>
/// The examples/swarm stack names its networks (swarmdemo-public, swarmdemo-backend) and its volume
/// (swarmdemo-store-data) itself, so every release of it on the shared dockerd uses the same ones,
/// whatever its environment: SwarmStackTests here and tests/pester/Swarm.Tests.ps1, which
/// scripts/test.sh runs at the same time, take turns through this lock file (an exclusive
/// FileShare.None open, which .NET on Linux takes as flock; pwsh takes it the same way).
/// </summary>
public sealed class SwarmDemoLock : IDisposable
{
    public static string File => Path.Combine(TestEnvironment.StateDirectory, "swarmdemo.lock");

    private readonly FileStream _stream;

    private SwarmDemoLock(FileStream stream) => _stream = stream;

    public static async Task<SwarmDemoLock> TakeAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new SwarmDemoLock(new FileStream(File, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    public void Dispose() => _stream.Dispose();
}
