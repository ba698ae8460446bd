using ReleaseOps.Plans;

namespace ReleaseOps.Health;

/// <summary>
/// One observation of one probe at one tick. <see cref="Offset"/> is monotonic time since the
/// watch started (from <see cref="System.Diagnostics.Stopwatch"/>): windows and durations use it,
/// so a wall-clock change during a watch moves <see cref="Timestamp"/> but never a window.
/// </summary>
public sealed record HealthSample
{
    public required string Probe { get; init; }
    public ProbeType Type { get; init; }
    /// <summary>Wall-clock time the sample was taken, for people and exports.</summary>
    public DateTimeOffset Timestamp { get; init; }
    /// <summary>Monotonic time since the watch started.</summary>
    public TimeSpan Offset { get; init; }
    /// <summary>True when the probe answered and met its expectations.</summary>
    public bool Success { get; init; }
    /// <summary>HTTP status code, when the probe is HTTP and a response arrived.</summary>
    public int? Status { get; init; }
    /// <summary>Time to answer (HTTP: headers and body; TCP: connect); the timeout when it hung.</summary>
    public double? LatencyMs { get; init; }
    /// <summary>Why the sample failed: a timeout, a refused connection, an unmet expectation.</summary>
    public string? Error { get; init; }
    /// <summary>
    /// Measured values beside latency: container <c>cpu_percent</c>, <c>memory_percent</c>,
    /// <c>restarts</c>, <c>running</c>; metrics-endpoint <c>requests</c>, <c>errors</c>,
    /// <c>error_rate</c>, <c>p50</c>/<c>p95</c>/<c>p99</c> (ms) over the scrape interval.
    /// </summary>
    public IReadOnlyDictionary<string, double> Values { get; init; } = EmptyValues;
    /// <summary>How late the probe started against its schedule, in milliseconds.</summary>
    public double ScheduleLagMs { get; init; }

    internal static readonly IReadOnlyDictionary<string, double> EmptyValues = new Dictionary<string, double>();

    public override string ToString() =>
        $"{Probe} {(Success ? "ok" : "FAIL")} {(Status is null ? "" : Status + " ")}{(LatencyMs is null ? "" : $"{LatencyMs:F1}ms")}{(Error is null ? "" : " " + Error)}";
}
