using ReleaseOps.Conditions;
using ReleaseOps.Plans;

namespace ReleaseOps.Gates;

/// <summary>How a gate ended. <see cref="Error"/> means the check itself could not run.</summary>
public enum GateStatus
{
    Passed,
    Failed,
    Warning,
    Skipped,
    Error,
}

/// <summary>
/// One gate's verdict: what was checked, against what, what was measured (evidence), and a
/// one-line message a human understands. Evidence values are plain (string, number, bool) and
/// never hold a secret.
/// </summary>
public sealed record GateResult
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public required string Category { get; init; }
    public GateSeverity Severity { get; init; }
    public GateStatus Status { get; init; }
    public required string Message { get; init; }
    /// <summary>What the check measured: status code, latency, days to expiry, header values, sizes...</summary>
    public IReadOnlyDictionary<string, object?> Evidence { get; init; } = new Dictionary<string, object?>();
    /// <summary>Each rule the check applied and each expect condition, with its own verdict.</summary>
    public IReadOnlyList<GateFinding> Findings { get; init; } = Array.Empty<GateFinding>();
    /// <summary>The endpoint, container, database or file checked.</summary>
    public string? Target { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>How many times the check ran (more than one with <c>within</c>).</summary>
    public int Attempts { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    /// <summary>For <see cref="GateStatus.Error"/>: the stable error id (GateTypeUnknown, HttpUnreachable...).</summary>
    public string? ErrorId { get; init; }
    /// <summary>For <see cref="GateStatus.Error"/> and failures with a known remedy: what to do.</summary>
    public string? Fix { get; init; }
    /// <summary>Where the gate is defined in the plan, when it came from one.</summary>
    public string? Location { get; init; }

    /// <summary>True when this result blocks a release: a critical or high gate that failed or could not run.</summary>
    public bool IsBlocking => Status is GateStatus.Failed or GateStatus.Error && Severity is GateSeverity.Critical or GateSeverity.High;

    public override string ToString() => $"{Status} {Name}: {Message}";
}

/// <summary>Whether a finding passed, only warns, or fails its gate.</summary>
public enum GateFindingLevel
{
    Passed,
    Warning,
    Failed,
}

/// <summary>One rule a check applied (hsts, non-root, status) or one expect condition, with its verdict.</summary>
public sealed record GateFinding(string Rule, GateFindingLevel Level, string Message)
{
    public static GateFinding From(ConditionOutcome outcome) =>
        new(outcome.Condition, outcome.Passed ? GateFindingLevel.Passed : GateFindingLevel.Failed, outcome.Message);

    public override string ToString() => $"{Level} {Rule}: {Message}";
}

/// <summary>The totals of one gate run, and whether the release may go on.</summary>
public sealed record GateRunSummary
{
    public int Total { get; init; }
    public int Passed { get; init; }
    public int Failed { get; init; }
    public int Warnings { get; init; }
    public int Skipped { get; init; }
    public int Errors { get; init; }
    /// <summary>Critical or high gates that failed or could not run.</summary>
    public int Blocking { get; init; }
    /// <summary>True when nothing blocks the release.</summary>
    public bool Succeeded => Blocking == 0;
    /// <summary>True when -FailFast stopped the run after a critical failure.</summary>
    public bool StoppedEarly { get; init; }
    public DateTimeOffset StartTime { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>The plan the gates came from (application/environment), or null for ad hoc gates.</summary>
    public string? Plan { get; init; }
    public IReadOnlyList<GateResult> Results { get; init; } = Array.Empty<GateResult>();

    public static GateRunSummary From(IReadOnlyList<GateResult> results, DateTimeOffset startTime, TimeSpan duration,
        string? plan = null, bool stoppedEarly = false) => new()
    {
        Total = results.Count,
        Passed = results.Count(r => r.Status == GateStatus.Passed),
        Failed = results.Count(r => r.Status == GateStatus.Failed),
        Warnings = results.Count(r => r.Status == GateStatus.Warning),
        Skipped = results.Count(r => r.Status == GateStatus.Skipped),
        Errors = results.Count(r => r.Status == GateStatus.Error),
        Blocking = results.Count(r => r.IsBlocking),
        StoppedEarly = stoppedEarly,
        StartTime = startTime,
        Duration = duration,
        Plan = plan,
        Results = results,
    };

    /// <summary>One summary over several runs (several plans piped into one command): all results, the earliest start.</summary>
    public static GateRunSummary Combine(IReadOnlyList<GateRunSummary> runs) => runs.Count == 1
        ? runs[0]
        : From(runs.SelectMany(r => r.Results).ToArray(), runs.Min(r => r.StartTime),
            runs.Max(r => r.StartTime + r.Duration) - runs.Min(r => r.StartTime),
            string.Join(", ", runs.Select(r => r.Plan).Where(p => p is not null).Distinct()) is { Length: > 0 } plans ? plans : null,
            runs.Any(r => r.StoppedEarly));

    public override string ToString() =>
        $"{Total} gates: {Passed} passed, {Failed} failed, {Warnings} warnings, {Errors} errors, {Skipped} skipped" +
        (Blocking > 0 ? $"; {Blocking} blocking" : "") + $" ({Duration.TotalSeconds:0.##} s)";
}
