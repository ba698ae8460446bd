using System.Text.Json;
using ReleaseOps.Docker;

namespace ReleaseOps.Health;

/// <summary>
/// Container state and resource use from the Docker Engine API: inspect for state, health and
/// restart count; a one-shot stats read for CPU and memory. CPU % is computed between this
/// observer's consecutive reads of a container (as <c>docker stats</c> does between its reads),
/// scaled by the online CPUs; memory % is usage minus inactive file cache over the limit.
/// </summary>
public sealed class DockerContainerObserver : IContainerObserver
{
    private readonly DockerClient _client;
    private readonly Dictionary<string, (ulong Container, ulong System)> _previousCpu = new(StringComparer.Ordinal);

    public DockerContainerObserver(DockerClient client) => _client = client;

    public async Task<ContainerObservation> ObserveAsync(string container, CancellationToken cancellation)
    {
        var details = await _client.TryInspectContainerAsync(container, cancellation).ConfigureAwait(false);
        if (details is null)
        {
            return new ContainerObservation(false, false, "missing", null, 0, null, null, null, null);
        }
        double? cpu = null, memoryPercent = null;
        long? memory = null, limit = null;
        if (details.IsRunning)
        {
            var stats = await _client.GetJsonAsync<JsonElement>($"containers/{Uri.EscapeDataString(details.Id)}/stats",
                new DockerQuery().Add("stream", false).Add("one-shot", true), container, cancellation).ConfigureAwait(false);
            cpu = CpuPercent(details.Id, stats);
            (memory, limit, memoryPercent) = Memory(stats);
        }
        var health = details.HealthStatus == ContainerHealth.None ? null : details.HealthStatus;
        return new ContainerObservation(true, details.IsRunning, details.State.Status ?? (details.IsRunning ? "running" : "stopped"),
            health, details.RestartCount, cpu, memoryPercent, memory, limit);
    }

    private double? CpuPercent(string id, JsonElement stats)
    {
        if (!stats.TryGetProperty("cpu_stats", out var cpu) || !cpu.TryGetProperty("cpu_usage", out var usage) ||
            !usage.TryGetProperty("total_usage", out var total) || !cpu.TryGetProperty("system_cpu_usage", out var system))
        {
            return null;
        }
        var now = (total.GetUInt64(), system.GetUInt64());
        double? percent = null;
        lock (_previousCpu)
        {
            if (_previousCpu.TryGetValue(id, out var before) && now.Item2 > before.System && now.Item1 >= before.Container)
            {
                var cpus = cpu.TryGetProperty("online_cpus", out var online) && online.ValueKind == JsonValueKind.Number ? online.GetInt32() : Environment.ProcessorCount;
                percent = (double)(now.Item1 - before.Container) / (now.Item2 - before.System) * cpus * 100;
            }
            _previousCpu[id] = now;
        }
        return percent ?? 0;
    }

    private static (long?, long?, double?) Memory(JsonElement stats)
    {
        if (!stats.TryGetProperty("memory_stats", out var memory) || !memory.TryGetProperty("usage", out var usageElement))
        {
            return (null, null, null);
        }
        var usage = usageElement.GetInt64();
        if (memory.TryGetProperty("stats", out var detail))
        {
            foreach (var cache in new[] { "inactive_file", "total_inactive_file" })
            {
                if (detail.TryGetProperty(cache, out var inactive) && inactive.GetInt64() < usage)
                {
                    usage -= inactive.GetInt64();
                    break;
                }
            }
        }
        long? limit = memory.TryGetProperty("limit", out var limitElement) ? limitElement.GetInt64() : null;
        return (usage, limit, limit is > 0 ? usage * 100.0 / limit.Value : null);
    }
}
