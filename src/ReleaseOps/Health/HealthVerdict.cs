using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>
/// A watch's verdict, three-valued as Argo Rollouts' analysis is: evidence that the release is good (Healthy, or
/// Degraded: good with warnings), evidence that it is bad (Breached), or no evidence either way (Inconclusive).
/// </summary>
public enum HealthStatus
{
    /// <summary>Every criterion was judged, and held until the end.</summary>
    Healthy,
    /// <summary>No critical criterion breached, but a criterion failed for a while (or a warning-level one failed), or a warning-level one was never judged.</summary>
    Degraded,
    /// <summary>A critical criterion failed for as long as it is allowed to: roll back.</summary>
    Breached,
    /// <summary>
    /// A critical (Critical or High) criterion never had data to be judged (the endpoint never answered, the watch was
    /// shorter than the criterion's window, no baseline), or the watch had no criteria at all: nothing says the release
    /// is good. -RollbackOnBreach does not roll back on it (there is no evidence the release is bad); the CLI exits 4.
    /// </summary>
    Inconclusive,
}

/// <summary>Where one criterion stands.</summary>
public enum CriterionState
{
    /// <summary>Not enough data yet (the window is not yet covered, or no baseline).</summary>
    Pending,
    Holding,
    /// <summary>Failing, but not yet for its <c>For</c> duration (or warning severity).</summary>
    Failing,
    Breached,
}

/// <summary>One criterion's result: what was expected, what was observed, over which window.</summary>
public sealed record CriterionResult
{
    public required string Name { get; init; }
    public required string Expect { get; init; }
    public string? Probe { get; init; }
    public CriterionState State { get; init; }
    public TimeSpan Window { get; init; }
    public TimeSpan? For { get; init; }
    public GateSeverity Severity { get; init; }
    /// <summary>The variable the condition reads, e.g. <c>error_rate</c>.</summary>
    public string? Metric { get; init; }
    public double? Observed { get; init; }
    public double? Threshold { get; init; }
    /// <summary>Monotonic offset into the watch at which it breached.</summary>
    public TimeSpan? BreachedAt { get; init; }
    /// <summary>How long it has been failing at the time of the result.</summary>
    public TimeSpan? FailingFor { get; init; }
    /// <summary>True once it had the data to be judged at least once; a criterion never judged says nothing about the release.</summary>
    public bool Judged { get; init; }
    public string? Detail { get; init; }

    public override string ToString() => $"{Name}: {State} ({Expect}; observed {Observed?.ToString("G4") ?? "-"})";
}

/// <summary>
/// The watch's conclusion. When breached, <see cref="Criterion"/>, <see cref="Window"/>,
/// <see cref="Observed"/> and <see cref="Threshold"/> describe the first criterion that breached.
/// </summary>
public sealed record HealthVerdict
{
    public HealthStatus Status { get; init; }
    /// <summary>Why the verdict is not Healthy, in words: the criteria that failed or were never judged, and why.</summary>
    public string? Reason { get; init; }
    public string? Criterion { get; init; }
    public string? Expect { get; init; }
    public TimeSpan? Window { get; init; }
    public double? Observed { get; init; }
    public double? Threshold { get; init; }
    public TimeSpan? BreachedAt { get; init; }
    public IReadOnlyList<CriterionResult> Criteria { get; init; } = Array.Empty<CriterionResult>();
    public IReadOnlyList<ProbeSummary> Probes { get; init; } = Array.Empty<ProbeSummary>();
    public DateTimeOffset StartedAt { get; init; }
    /// <summary>How long the watch ran (monotonic).</summary>
    public TimeSpan Duration { get; init; }
    public long Samples { get; init; }
    /// <summary>Ticks skipped because a probe's previous sample was still running (a probe slower than its interval).</summary>
    public long SkippedTicks { get; init; }
    /// <summary>True when the watch ended early because a criterion breached (-StopOnBreach).</summary>
    public bool StoppedEarly { get; init; }
    /// <summary>True when a rollback was called on breach.</summary>
    public bool RolledBack { get; init; }
    /// <summary>What the rollback returned, or why it failed.</summary>
    public object? RollbackResult { get; init; }
    public string? RollbackError { get; init; }
    /// <summary>Where the watch summary was saved for the next release's baseline.</summary>
    public string? SummaryPath { get; init; }

    public override string ToString() => Status == HealthStatus.Breached
        ? $"Breached: {Criterion} ({Expect}; observed {Observed:G4}, threshold {Threshold:G4})"
        : $"{Status} after {DurationText.Format(Duration)} ({Samples} samples){(Reason is null ? "" : ": " + Reason)}";
}

/// <summary>One probe's figures over the whole watch; also what the next release compares against.</summary>
public sealed record ProbeSummary
{
    public required string Probe { get; init; }
    public ProbeType Type { get; init; }
    public long Samples { get; init; }
    public long Failures { get; init; }
    public double ErrorRate { get; init; }
    public double? P50Ms { get; init; }
    public double? P95Ms { get; init; }
    public double? P99Ms { get; init; }
    public double? MaxMs { get; init; }
    /// <summary>The latest value of each measured value (cpu_percent, memory_percent...).</summary>
    public IReadOnlyDictionary<string, double> LastValues { get; init; } = HealthSample.EmptyValues;

    public override string ToString() =>
        $"{Probe}: {Samples} samples, {Failures} failed" + (P95Ms is { } p95 ? $", p95 {p95:0.#} ms" : "") +
        (LastValues.Count == 0 ? "" : ", " + string.Join(", ", LastValues.Select(v => $"{v.Key} {v.Value:0.##}")));
}
