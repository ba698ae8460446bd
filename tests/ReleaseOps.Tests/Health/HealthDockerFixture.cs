using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Health;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// One Docker client for the health tests and one running releaseops-test/web:v1 container
/// (ro-hlth-web, 64 MB memory limit, published on 127.0.0.1:24050) that they sample. Removes
/// every ro-hlth- container before and after the run.
/// </summary>
public sealed class HealthDockerFixture : IAsyncLifetime
{
    public const string Prefix = "ro-hlth-";
    public const string WebContainer = "ro-hlth-web";
    public const int WebPort = 24050;
    private DockerClient? _client;

    public DockerClient Client => _client ?? throw new InvalidOperationException("The health Docker fixture is not initialised.");

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        _client = new DockerClient(DockerEndpoint.Parse(TestEnvironment.DockerHost), new DockerClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) });
        await RemoveLeftoversAsync();
        await RunWebAsync(WebContainer, "releaseops-test/web:v1", WebPort, memoryLimit: 64L * 1024 * 1024);
        await Client.WaitForContainerHealthAsync(WebContainer, TimeSpan.FromSeconds(20));
    }

    public async Task<string> RunWebAsync(string name, string image, int hostPort, long? memoryLimit = null)
    {
        var id = await Client.CreateContainerAsync(new ContainerSpec
        {
            Name = name,
            Image = image,
            Ports = new[] { new PortBinding(8080, hostPort, "127.0.0.1") },
            MemoryLimit = memoryLimit,
            Labels = new Dictionary<string, string> { ["org.releaseops.test"] = "health" },
        });
        await Client.StartContainerAsync(id);
        return id;
    }

    public async Task RemoveQuietlyAsync(string container)
    {
        try
        {
            await Client.RemoveContainerAsync(container, force: true);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound)
        {
        }
    }

    public async Task DisposeAsync()
    {
        if (_client is null) return;
        await RemoveLeftoversAsync();
        _client.Dispose();
    }

    private async Task RemoveLeftoversAsync()
    {
        foreach (var container in await Client.ListContainersAsync(new ContainerListFilter { All = true, Name = Prefix }))
        {
            if (container.Name.StartsWith(Prefix, StringComparison.Ordinal)) await RemoveQuietlyAsync(container.Id);
        }
    }
}

/// <summary>
/// A real rollback for tests: stops and removes the container of the bad release and starts the
/// previous image on the same host port. The deployment engine's rollback replaces it in the product.
/// </summary>
public sealed class ContainerImageRollback : IRollbackTrigger
{
    private readonly HealthDockerFixture _docker;
    private readonly string _container;
    private readonly string _previousImage;
    private readonly int _port;

    public ContainerImageRollback(HealthDockerFixture docker, string container, string previousImage, int port)
    {
        _docker = docker;
        _container = container;
        _previousImage = previousImage;
        _port = port;
    }

    public string Description => $"replace {_container} with {_previousImage}";

    public List<string> Reasons { get; } = new();

    public async Task<object> RollbackAsync(string reason, ReleaseOps.Operations.IOperationReporter reporter, CancellationToken cancellation)
    {
        Reasons.Add(reason);
        await _docker.RemoveQuietlyAsync(_container);
        var id = await _docker.RunWebAsync(_container, _previousImage, _port);
        return $"{_container} now runs {_previousImage} ({id[..12]})";
    }
}
