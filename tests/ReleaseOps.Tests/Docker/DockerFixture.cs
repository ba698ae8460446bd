using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Docker;

/// <summary>
/// One <see cref="DockerClient"/> for all Docker tests, talking to the test environment's dockerd. Everything
/// the tests create is named <c>ro-dock-*</c>; the fixture removes what a failed test left behind, before and
/// after the run. Ports come from the docker range 20000-20999.
/// </summary>
public sealed class DockerFixture : IAsyncLifetime
{
    public const string Prefix = "ro-dock-";
    public const string WebV1 = "releaseops-test/web:v1";
    public const string WebV2 = "releaseops-test/web:v2";
    public const string Plain = "releaseops-test/web:plain";
    private static int _nextPort = 20100;
    private DockerClient? _client;

    public DockerClient Client => _client ?? throw new InvalidOperationException("The Docker fixture is not initialised.");

    public DockerEndpoint Endpoint => DockerEndpoint.Parse(TestEnvironment.DockerHost);

    /// <summary>A unique name with the docker prefix.</summary>
    public static string Name(string purpose) => $"{Prefix}{purpose}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A host port of the docker range not handed out before in this run.</summary>
    public static int Port() => Interlocked.Increment(ref _nextPort);

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        _client = new DockerClient(Endpoint, new DockerClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
        await RemoveLeftoversAsync();
    }

    public async Task DisposeAsync()
    {
        if (_client is null)
        {
            return;
        }
        await RemoveLeftoversAsync();
        _client.Dispose();
    }

    /// <summary>Removes a container if it exists (cleanup in finally blocks).</summary>
    public async Task RemoveContainerQuietlyAsync(string container)
    {
        try
        {
            await Client.RemoveContainerAsync(container, force: true, removeVolumes: true);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound
            || (ex.ErrorId == DockerErrorIds.Conflict && ex.Message.Contains("already in progress", StringComparison.Ordinal)))
        {
        }
    }

    /// <summary>Creates and starts a container, returning its id.</summary>
    public async Task<string> RunAsync(ContainerSpec spec)
    {
        var id = await Client.CreateContainerAsync(spec);
        await Client.StartContainerAsync(id);
        return id;
    }

    private async Task RemoveLeftoversAsync()
    {
        foreach (var container in await Client.ListContainersAsync(new ContainerListFilter { All = true, Name = Prefix }))
        {
            if (container.Name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                await RemoveContainerQuietlyAsync(container.Id);
            }
        }
        foreach (var network in await Client.ListNetworksAsync(Prefix))
        {
            if (network.Name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                try
                {
                    await Client.RemoveNetworkAsync(network.Id);
                }
                catch (ReleaseOpsException)
                {
                }
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "docker";
}
