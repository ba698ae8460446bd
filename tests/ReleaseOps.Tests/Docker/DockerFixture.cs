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
    private Task<SharedWebContainer>? _web;

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

    /// <summary>
    /// One healthy web:v1 container (64 MiB limit, 8080 published on 127.0.0.1) shared by the tests that only read
    /// from a running container (logs, stats, exec); started on first use, removed with the fixture.
    /// </summary>
    public Task<SharedWebContainer> SharedWebAsync() => LazyInitializer.EnsureInitialized(ref _web, StartSharedWebAsync);

    private async Task<SharedWebContainer> StartSharedWebAsync()
    {
        var name = Name("shared-web");
        var port = Port();
        var id = await RunAsync(new ContainerSpec
        {
            Name = name,
            Image = WebV1,
            Ports = [new PortBinding(8080, port, "127.0.0.1")],
            MemoryLimit = 64L * 1024 * 1024,
        });
        var health = await Client.WaitForContainerHealthAsync(id, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        if (!health.IsHealthy)
        {
            throw new InvalidOperationException($"The shared web container did not turn healthy: {health.Status} {health.LastProbeOutput}");
        }
        return new SharedWebContainer(id, name, port);
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
        foreach (var service in await Client.ListServicesAsync())
        {
            if (service.Name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                await Client.RemoveServiceAsync(service.Id);
            }
        }
        foreach (var container in await Client.ListContainersAsync(new ContainerListFilter { All = true, Name = Prefix }))
        {
            if (container.Name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                await RemoveContainerQuietlyAsync(container.Id);
            }
        }
        foreach (var secret in await Client.ListSecretsAsync())
        {
            if (secret.Name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                try
                {
                    await Client.RemoveSecretAsync(secret.Id);
                }
                catch (ReleaseOpsException)
                {
                    // Still held by a service being removed; the next run clears it.
                }
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

public sealed record SharedWebContainer(string Id, string Name, int Port);

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "docker";
}
