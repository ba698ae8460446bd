using Docker.DotNet.Models;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Docker;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// Docker objects for the Docker gate tests, all named ro-gate-*: a container running as root
/// (web:v1, healthcheck, port 5432 published on 22432), a hardened one running as user 10001
/// (read-only root, all capabilities dropped, memory and CPU limits, a healthcheck), three secrets
/// with a common prefix, an internal network and a one-replica Swarm service. Removed at the end.
/// </summary>
public sealed class GateDockerFixture : IAsyncLifetime
{
    public const string Prefix = "ro-gate-";
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];

    public DockerEngine Client { get; private set; } = null!;
    public string RootContainer => $"{Prefix}root-{_run}";
    public string UserContainer => $"{Prefix}user-{_run}";
    public string SecretPrefix => $"{Prefix}s-{_run}-";
    public string Network => $"{Prefix}net-{_run}";
    public string Service => $"{Prefix}svc-{_run}";

    public GateEnvironment Environment => new() { Docker = new DockerEndpointDefinition { Host = TestEnvironment.DockerHost } };

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        Client = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        var root = await Client.RunAsync(new CreateContainerParameters
        {
            Name = RootContainer,
            Image = "releaseops-test/web:v1",
            ExposedPorts = new Dictionary<string, EmptyStruct> { ["5432/tcp"] = default },
            HostConfig = new HostConfig
            {
                PortBindings = new Dictionary<string, IList<PortBinding>> { ["5432/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "22432" }] },
            },
        });
        var user = await Client.RunAsync(HardenedContainer(UserContainer, "releaseops-test/web:plain"));
        for (var i = 1; i <= 3; i++)
        {
            await CreateSecretAsync(Client, SecretPrefix + i);
        }
        await Client.CallAsync("network", (api, token) => api.Networks.CreateNetworkAsync(new NetworksCreateParameters { Name = Network, Internal = true }, token), default);
        await Client.CreateServiceAsync(new ServiceSpec
        {
            Name = Service,
            TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = "releaseops-test/web:plain" } },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
        });
        await Client.WaitForContainerHealthAsync(root, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        await Client.WaitForContainerHealthAsync(user, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        await Client.WaitForServiceTasksAsync(Service, "releaseops-test/web:plain", 1, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await TestContainers.QuietlyAsync(() => Client.RemoveServiceAsync(Service));
        await Client.RemoveQuietlyAsync(RootContainer);
        await Client.RemoveQuietlyAsync(UserContainer);
        await TestContainers.QuietlyAsync(() => Client.CallAsync("network", (api, token) => api.Networks.DeleteNetworkAsync(Network, token), default));
        for (var i = 1; i <= 3; i++)
        {
            var secret = SecretPrefix + i;
            await TestContainers.QuietlyAsync(() => Client.CallAsync("secret", (api, token) => api.Secrets.DeleteAsync(secret, token), default));
        }
        Client.Dispose();
    }

    /// <summary>
    /// A container that passes every hardening rule: read-only root, all capabilities dropped, memory and CPU
    /// limits, a healthcheck that passes, running as the image's non-root user.
    /// </summary>
    public static CreateContainerParameters HardenedContainer(string name, string image, string? network = null) => new()
    {
        Name = name,
        Image = image,
        Healthcheck = new HealthcheckConfig { Test = ["CMD", "/bin/sleep", "0"], Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(2) },
        HostConfig = new HostConfig
        {
            ReadonlyRootfs = true,
            CapDrop = ["ALL"],
            Memory = 32L * 1024 * 1024,
            NanoCPUs = 250_000_000,
            NetworkMode = network ?? "",
        },
    };

    /// <summary>A Swarm secret holding a canary value.</summary>
    public static Task CreateSecretAsync(DockerEngine docker, string name) =>
        docker.CallAsync("secret", (api, token) => api.Secrets.CreateAsync(new SwarmSecretSpec
        {
            Name = name,
            Labels = new Dictionary<string, string>(),
            Data = System.Text.Encoding.UTF8.GetBytes(CanarySecret.New()),
        }, token), default);
}
