using ReleaseOps.Deploy;
using ReleaseOps.Docker;
using ReleaseOps.Journal;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// What the Swarm releases without a proxy need (SwarmStackTests, SwarmTests, SwarmVerificationTests): a Docker
/// client and the engine on the shared dockerd, an HTTP client, and journal directories. No nginx, and never the
/// application ro-depl-app (whose containers the deploy collection removes between its tests): the examples/swarm
/// stack is swarmdemo's, the other services are <see cref="Application"/>'s, so this collection runs beside the
/// deploy collection instead of after it.
/// </summary>
public sealed class SwarmFixture : IAsyncLifetime
{
    public const string Application = "ro-swarm-app";

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ro-swarm-" + Guid.NewGuid().ToString("N")[..8]);
    public DockerEngine Docker { get; private set; } = null!;
    public DockerContainerPlatform Platform { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>A plan of <see cref="Application"/> releasing one service (a Swarm one: no proxy).</summary>
    public ReleasePlan Plan(ServiceDefinition service) => new()
    {
        Application = Application,
        Environment = "test",
        // Swarm verification relays through the test image (busybox); no registry serves busybox here.
        Docker = new DockerEndpointDefinition { Host = TestEnvironment.DockerHost, RelayImage = "releaseops-test/web:v1" },
        Journal = new JournalDefinition { Path = NewJournalDirectory() },
        Services = new[] { service },
    };

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

    public async Task DisposeAsync()
    {
        try
        {
            // The overlay networks Swarm releases created for the test application (its default network).
            await Docker.CallAsync("networks", async (api, token) =>
            {
                var networks = await api.Networks.ListNetworksAsync(new global::Docker.DotNet.Models.NetworksListParameters(), token);
                foreach (var network in networks.Where(n => n.Labels?.TryGetValue("org.releaseops.application", out var app) == true && app == Application))
                {
                    try { await api.Networks.DeleteNetworkAsync(network.ID, token); }
                    catch (global::Docker.DotNet.DockerApiException) { } // still in use by a task going away: left for the next run
                }
            }, default);
        }
        finally
        {
            Docker.Dispose();
            Http.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SwarmCollection : ICollectionFixture<SwarmFixture>
{
    public const string Name = "swarm";
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
