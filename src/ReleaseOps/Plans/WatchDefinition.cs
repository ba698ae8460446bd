using ReleaseOps.Text;
namespace ReleaseOps.Plans;

/// <summary>The post-deployment watch: what is sampled, for how long, and what breaches.</summary>
public sealed record WatchDefinition
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Default sampling interval for probes that set none.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>A deployment runs this watch after the release goes live, inside its lock, and is Succeeded only when it ends healthy.</summary>
    public bool AfterDeploy { get; init; }
    public IReadOnlyList<ProbeDefinition> Probes { get; init; } = Array.Empty<ProbeDefinition>();
    public IReadOnlyList<CriterionDefinition> Criteria { get; init; } = Array.Empty<CriterionDefinition>();
    /// <summary>Roll the release back when a criterion breaches.</summary>
    public bool RollbackOnBreach { get; init; }

    public override string ToString() =>
        $"{DurationText.Format(Duration)}: {Probes.Count} probe(s) every {DurationText.Format(Interval)}, {Criteria.Count} criteria{(RollbackOnBreach ? ", rollback on breach" : "")}";
}

/// <summary>
/// A rollback criterion over a sliding window, in the shared condition language, for example
/// <c>error_rate &lt; 5%</c> over 5m, <c>p95 &lt; 800ms</c>, <c>memory_percent &lt; 80</c> for 5m.
/// </summary>
public sealed record CriterionDefinition
{
    public required string Name { get; init; }
    /// <summary>The condition that must hold; a breach is when it does not.</summary>
    public required string Expect { get; init; }
    /// <summary>Which probe's samples it reads (null: all probes).</summary>
    public string? Probe { get; init; }
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How long the condition must fail before it counts as a breach (sustained).</summary>
    public TimeSpan? For { get; init; }
    public GateSeverity Severity { get; init; } = GateSeverity.Critical;
    public SourceLocation? Location { get; init; }

    public override string ToString() =>
        $"{Name}: {Expect} over {DurationText.Format(Window)}{(For is null ? "" : $" for {DurationText.Format(For.Value)}")}{(Probe is null ? "" : $" ({Probe})")}";
}
