using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
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

    public DockerClient Client { get; private set; } = null!;
    public string RootContainer => $"{Prefix}root-{_run}";
    public string UserContainer => $"{Prefix}user-{_run}";
    public string SecretPrefix => $"{Prefix}s-{_run}-";
    public string Network => $"{Prefix}net-{_run}";
    public string Service => $"{Prefix}svc-{_run}";

    public GateEnvironment Environment => new() { Docker = new DockerEndpointDefinition { Host = TestEnvironment.DockerHost } };

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        Client = new DockerClient(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        var root = await Client.CreateContainerAsync(new ContainerSpec
        {
            Name = RootContainer,
            Image = "releaseops-test/web:v1",
            Ports = [new PortBinding(5432, 22432, "127.0.0.1")],
        });
        await Client.StartContainerAsync(root);
        var user = await Client.CreateContainerAsync(new ContainerSpec
        {
            Name = UserContainer,
            Image = "releaseops-test/web:plain",
            ReadOnlyRootFilesystem = true,
            CapDrop = ["ALL"],
            MemoryLimit = 32L * 1024 * 1024,
            CpuLimit = 0.25,
            Healthcheck = HealthcheckSpec.Command(["/bin/sleep", "0"], TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)),
        });
        await Client.StartContainerAsync(user);
        for (var i = 1; i <= 3; i++)
        {
            await Client.CreateSecretAsync(SecretPrefix + i, new SecretValue(CanarySecret.New()));
        }
        await Client.CreateNetworkAsync(new NetworkSpec { Name = Network, Internal = true });
        await Client.CreateServiceAsync(new ServiceSpec { Name = Service, Image = "releaseops-test/web:plain", Replicas = 1 });
        await Client.WaitForContainerHealthAsync(root, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        await Client.WaitForContainerHealthAsync(user, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        await Client.WaitForServiceTasksAsync(Service, "releaseops-test/web:plain", 1, TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        await Quietly(() => Client.RemoveServiceAsync(Service));
        await Quietly(() => Client.RemoveContainerAsync(RootContainer, force: true));
        await Quietly(() => Client.RemoveContainerAsync(UserContainer, force: true));
        await Quietly(() => Client.RemoveNetworkAsync(Network));
        for (var i = 1; i <= 3; i++)
        {
            await Quietly(() => Client.RemoveSecretAsync(SecretPrefix + i));
        }
        Client.Dispose();
    }

    private static async Task Quietly(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ReleaseOpsException)
        {
        }
    }
}
