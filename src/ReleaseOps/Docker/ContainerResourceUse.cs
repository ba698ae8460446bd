using Docker.DotNet.Models;

namespace ReleaseOps.Docker;

/// <summary>
/// A container's CPU and memory use from one stats sample, computed as <c>docker stats</c> does: CPU %
/// is the container's share of the host's CPU time between the sample and the one before it, times the
/// online CPUs (so one busy core is 100 %); memory excludes the reclaimable page cache and is a share of
/// the limit (the host's memory when the container has none).
/// </summary>
public sealed record ContainerResourceUse(double CpuPercent, int OnlineCpus, long MemoryUsage, long MemoryLimit, double MemoryPercent)
{
    public static ContainerResourceUse From(ContainerStatsResponse stats)
    {
        var cpu = stats.CPUStats;
        var before = stats.PreCPUStats;
        var online = (int)(cpu?.OnlineCPUs ?? 0);
        if (online == 0)
        {
            online = cpu?.CPUUsage?.PercpuUsage?.Count ?? 0;
        }
        var cpuDelta = (double)(cpu?.CPUUsage?.TotalUsage ?? 0) - (before?.CPUUsage?.TotalUsage ?? 0);
        var systemDelta = (double)(cpu?.SystemUsage ?? 0) - (before?.SystemUsage ?? 0);
        var cpuPercent = cpuDelta > 0 && systemDelta > 0 ? cpuDelta / systemDelta * Math.Max(online, 1) * 100.0 : 0.0;

        var memory = stats.MemoryStats;
        var usage = (long)(memory?.Usage ?? 0);
        var limit = (long)(memory?.Limit ?? 0);
        // cgroup v1 reports total_inactive_file, v2 inactive_file; docker stats subtracts it when smaller than usage.
        var counters = memory?.Stats;
        var inactive = (long)(counters is null ? 0
            : counters.TryGetValue("total_inactive_file", out var v1) ? v1
            : counters.TryGetValue("inactive_file", out var v2) ? v2 : 0);
        var used = inactive < usage ? usage - inactive : usage;
        return new ContainerResourceUse(cpuPercent, online, used, limit, limit > 0 ? used * 100.0 / limit : 0.0);
    }
}
