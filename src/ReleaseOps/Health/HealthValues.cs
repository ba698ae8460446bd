using ReleaseOps.Plans;

namespace ReleaseOps.Health;

/// <summary>
/// The values a watch's probes produce, by probe type: what a criterion can read. A criterion reading a value no probe
/// of it produces would stay pending for ever, so the watch refuses it up front. A probe type not listed here is taken
/// to produce anything (its values are its own business), so a new probe type is never refused for want of an entry.
/// </summary>
internal static class HealthValues
{
    /// <summary>From every probe's samples: counts, failures and the current run of failures.</summary>
    private static readonly string[] EveryProbe = { "error_rate", "samples", "failures", "consecutive_failures", "down_for", "up" };

    private static readonly string[] Latencies =
    {
        "p50", "p95", "p99", "latency_avg", "latency_max", "p50_baseline", "p95_baseline", "p99_baseline", "p50_increase", "p95_increase", "p99_increase",
    };

    private static readonly IReadOnlyDictionary<ProbeType, string[]> ByType = new Dictionary<ProbeType, string[]>
    {
        [ProbeType.Http] = Latencies,
        [ProbeType.Tcp] = Latencies,
        [ProbeType.Container] = new[] { "running", "cpu_percent", "memory_percent", "memory_bytes", "restarts", "restart_count" },
        [ProbeType.Metrics] = new[] { "requests", "errors", "p50", "p95", "p99" },
    };

    public static bool AnyProduces(IEnumerable<ProbeDefinition> probes, string name) =>
        EveryProbe.Contains(name, StringComparer.OrdinalIgnoreCase)
        || probes.Any(p => !ByType.TryGetValue(p.Type, out var names) || names.Contains(name, StringComparer.OrdinalIgnoreCase));

    public static IEnumerable<string> Produced(IEnumerable<ProbeDefinition> probes) =>
        EveryProbe.Concat(probes.SelectMany(p => ByType.TryGetValue(p.Type, out var names) ? names : Array.Empty<string>())).Distinct();
}
