using ReleaseOps.Docker;

namespace ReleaseOps.Health;

/// <summary>
/// Container state and resource use through the Docker Engine API client: inspect for state,
/// health and restart count; a stats sample (CPU % and memory % of the limit, computed as
/// <c>docker stats</c> does) while it runs. The daemon takes about a second to measure the CPU
/// delta, so a container sample takes about that long.
/// </summary>
public sealed class DockerContainerObserver : IContainerObserver
{
    private readonly DockerClient _client;

    public DockerContainerObserver(DockerClient client) => _client = client;

    public async Task<ContainerObservation> ObserveAsync(string container, CancellationToken cancellation)
    {
        var details = await _client.TryInspectContainerAsync(container, cancellation).ConfigureAwait(false);
        if (details is null)
        {
            return new ContainerObservation(false, false, "missing", null, 0, null, null, null, null);
        }
        ContainerStatsSample? stats = details.IsRunning
            ? await _client.GetContainerStatsAsync(details.Id, cancellation).ConfigureAwait(false)
            : null;
        var health = details.HealthStatus == ContainerHealth.None ? null : details.HealthStatus;
        return new ContainerObservation(true, details.IsRunning, details.State.Status, health, details.RestartCount,
            stats?.CpuPercent, stats is { MemoryLimit: > 0 } ? stats.MemoryPercent : null, stats?.MemoryUsage, stats?.MemoryLimit);
    }
}
