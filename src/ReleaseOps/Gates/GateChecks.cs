using ReleaseOps.Gates.Checks;
using ReleaseOps.Plans.Schema;

namespace ReleaseOps.Gates;

/// <summary>The checks behind the gate types of <see cref="GateTypeCatalog"/>.</summary>
public static class GateChecks
{
    public static IReadOnlyList<IGateCheck> All { get; } = new IGateCheck[]
    {
        new HttpGateCheck(),
        new RedirectHttpsGateCheck(),
        new SecurityHeadersGateCheck(),
        new CorsGateCheck(),
        new TlsGateCheck(),
        new TcpGateCheck(),
        new PostgresGateCheck(),
        new RedisGateCheck(),
        new DiskGateCheck(),
        new MemoryGateCheck(),
        new FileSizeGateCheck(),
        new CommandGateCheck(),
        new EnvPolicyGateCheck(),
        new ComposeGateCheck(),
        new WindowGateCheck(),
        new SignOffGateCheck(),
        new DockerContainerGateCheck(),
        new DockerServiceGateCheck(),
        new DockerSecretsGateCheck(),
        new DockerHardeningGateCheck(),
        new DockerImageGateCheck(),
        new DockerSwarmGateCheck(),
        new DockerNetworkGateCheck(),
        new PrometheusGateCheck(),
        new AlertmanagerGateCheck(),
        new ContainerLogsGateCheck(),
        new ScanReportGateCheck(),
        new SecretStrengthGateCheck(),
    };
}
