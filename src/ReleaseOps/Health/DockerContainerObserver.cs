using ReleaseOps.Docker;

namespace ReleaseOps.Health;

/// <summary>
/// Container state and resource use through the Docker adapter: inspect for state, health and
/// restart count; a stats sample (CPU % and memory % of the limit, computed as <c>docker stats</c>
/// does) while it runs. The daemon takes about a second to measure the CPU delta, so a container
/// sample takes about that long.
/// </summary>
public sealed class DockerContainerObserver : IContainerObserver
{
    private readonly DockerEngine _client;

    public DockerContainerObserver(DockerEngine client) => _client = client;

    public async Task<ContainerObservation> ObserveAsync(string container, CancellationToken cancellation)
    {
        var details = await _client.TryInspectContainerAsync(container, cancellation).ConfigureAwait(false);
        if (details is null)
        {
            return new ContainerObservation(false, false, "missing", null, 0, null, null, null, null);
        }
        var running = details.IsRunning();
        var use = running ? await _client.GetResourceUseAsync(details.ID, cancellation).ConfigureAwait(false) : null;
        var health = details.HealthStatus() is var status && status == ContainerHealth.None ? null : status;
        return new ContainerObservation(true, running, details.State?.Status ?? "unknown", health, (int)details.RestartCount,
            use?.CpuPercent, use is { MemoryLimit: > 0 } ? use.MemoryPercent : null, use?.MemoryUsage, use?.MemoryLimit);
    }
}
