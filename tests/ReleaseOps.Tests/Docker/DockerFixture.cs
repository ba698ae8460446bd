using Docker.DotNet.Models;
using ReleaseOps.Docker;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Docker;

/// <summary>
/// One <see cref="DockerEngine"/> for all Docker tests, talking to the test environment's dockerd. Everything
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
    private DockerEngine? _client;
    private Task<SharedWebContainer>? _web;

    public DockerEngine Client => _client ?? throw new InvalidOperationException("The Docker fixture is not initialised.");

    public DockerEndpoint Endpoint => DockerEndpoint.Parse(TestEnvironment.DockerHost);

    /// <summary>A unique name with the docker prefix.</summary>
    public static string Name(string purpose) => $"{Prefix}{purpose}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A host port of the docker range not handed out before in this run.</summary>
    public static int Port() => Interlocked.Increment(ref _nextPort);

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        _client = new DockerEngine(Endpoint, new DockerClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
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
    /// from a running container (output, stats); started on first use, removed with the fixture.
    /// </summary>
    public Task<SharedWebContainer> SharedWebAsync() => LazyInitializer.EnsureInitialized(ref _web, StartSharedWebAsync);

    private async Task<SharedWebContainer> StartSharedWebAsync()
    {
        var name = Name("shared-web");
        var port = Port();
        var id = await Client.RunAsync(TestContainers.Spec(name, WebV1, port, memory: 64L * 1024 * 1024));
        var health = await Client.WaitForContainerHealthAsync(id, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        if (!health.IsHealthy)
        {
            throw new InvalidOperationException($"The shared web container did not turn healthy: {health.Status} {health.LastProbeOutput}");
        }
        return new SharedWebContainer(id, name, port);
    }

    private async Task RemoveLeftoversAsync()
    {
        var services = await Client.CallAsync("services", (api, token) => api.Swarm.ListServicesAsync(null, token), default);
        foreach (var service in services.Where(s => s.Spec?.Name?.StartsWith(Prefix, StringComparison.Ordinal) == true))
        {
            await TestContainers.QuietlyAsync(() => Client.RemoveServiceAsync(service.ID));
        }
        foreach (var container in await Client.ListContainersAsync(name: Prefix))
        {
            if (container.ShortName().StartsWith(Prefix, StringComparison.Ordinal))
            {
                await Client.RemoveQuietlyAsync(container.ID);
            }
        }
        foreach (var secret in await Client.ListSecretsAsync())
        {
            if (secret.Spec.Name?.StartsWith(Prefix, StringComparison.Ordinal) == true)
            {
                // Still held by a service being removed: the next run clears it.
                await TestContainers.QuietlyAsync(() => Client.CallAsync("secret", (api, token) => api.Secrets.DeleteAsync(secret.ID, token), default));
            }
        }
        var networks = await Client.CallAsync("networks", (api, token) => api.Networks.ListNetworksAsync(new NetworksListParameters(), token), default);
        foreach (var network in networks.Where(n => n.Name.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            await TestContainers.QuietlyAsync(() => Client.CallAsync("network", (api, token) => api.Networks.DeleteNetworkAsync(network.ID, token), default));
        }
    }
}

public sealed record SharedWebContainer(string Id, string Name, int Port);

[CollectionDefinition(Name)]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
    public const string Name = "docker";
}
