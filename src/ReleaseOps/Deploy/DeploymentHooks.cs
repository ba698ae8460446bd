using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Deploy;

/// <summary>The gates of one stage as a deployment sees them. Null from the runner: none configured.</summary>
public sealed record GateStageOutcome(bool Passed, int Ran, string Summary)
{
    /// <summary>Each gate's verdict, recorded on the release.</summary>
    public IReadOnlyList<GateRecord> Results { get; init; } = Array.Empty<GateRecord>();
}

/// <summary>
/// Runs the plan's release gates of one stage (pre-deploy before anything changes, post-deploy as
/// part of verification). The gates capability provides the real runner; without one the step is
/// recorded as skipped.
/// </summary>
public interface IReleaseGateRunner
{
    /// <returns>Null when no gate of that stage is configured (the step is skipped).</returns>
    Task<GateStageOutcome?> RunAsync(ReleasePlan plan, GateStage stage, IOperationReporter reporter, CancellationToken cancellation);
}

/// <summary>What a pre-deploy backup produced: identifiers the matching restore understands.</summary>
public sealed record PreDeployBackupOutcome(IReadOnlyList<string> BackupIds, string Summary);

/// <summary>Takes the plan's pre-deploy backups (the backup capability fills it in).</summary>
public interface IPreDeployBackup
{
    /// <returns>Null when the plan has nothing to back up before deploying (the step is skipped).</returns>
    Task<PreDeployBackupOutcome?> BackupAsync(ReleasePlan plan, string releaseId, IOperationReporter reporter, CancellationToken cancellation);
}

/// <summary>Restores the database from the pre-deploy backup of a release (Invoke-Rollback -RestoreDatabase).</summary>
public interface IPreDeployRestore
{
    /// <returns>A one-line summary of what was restored.</returns>
    Task<string> RestoreAsync(ReleasePlan plan, string releaseId, IReadOnlyList<string> backupIds, IOperationReporter reporter, CancellationToken cancellation);
}

/// <summary>The instances a canary step compares.</summary>
public sealed record CanaryContext(
    ReleasePlan Plan,
    ServiceDefinition Service,
    int TrafficPercent,
    IReadOnlyList<Uri> Stable,
    IReadOnlyList<Uri> Canary,
    TimeSpan Pause);

public sealed record CanaryVerdict(bool Passed, IReadOnlyList<string> Reasons);

/// <summary>Judges a canary between weight steps; the health capability offers a statistical judge.</summary>
public interface ICanaryAnalysis
{
    Task<CanaryVerdict> AnalyseAsync(CanaryContext context, IOperationReporter reporter, CancellationToken cancellation);
}

/// <summary>What a deployment or rollback tells the world: it started, and how it ended.</summary>
public enum ReleaseEventKind
{
    Started,
    Succeeded,
    Failed,
    RolledBack,
}

/// <summary>One release event: the release as journaled at that moment, and why it ended as it did.</summary>
public sealed record ReleaseEvent(ReleaseEventKind Kind, ReleasePlan Plan, ReleaseRecord Release, string? Reason);

/// <summary>
/// Told about release events (the notifications capability sends the plan's webhooks). It must not
/// throw; a release never fails because of it. The engine awaits what it returns only at the end.
/// </summary>
public interface IReleaseEvents
{
    Task PublishAsync(ReleaseEvent releaseEvent, IOperationReporter reporter, CancellationToken cancellation);
}

/// <summary>The verdict of a watch, as a deployment acts on it (the health capability's verdicts, in the same order of badness).</summary>
public enum DeploymentWatchStatus
{
    /// <summary>Every criterion was judged and held to the end.</summary>
    Healthy,
    /// <summary>No breach and every critical criterion judged, but something failed for a while or a minor one was never judged.</summary>
    Degraded,
    /// <summary>No breach, but a Critical or High criterion was never judged (or the watch has no criteria): no evidence either way.</summary>
    Inconclusive,
    /// <summary>A Critical or High criterion failed for as long as it may.</summary>
    Breached,
}

/// <summary>What the watch after a deployment concluded, in words.</summary>
public sealed record DeploymentWatchVerdict(DeploymentWatchStatus Status, string Reason, long Samples);

/// <summary>
/// Watches a release after it goes live, inside the deployment (watch.after_deploy): the health capability runs the plan's
/// watch; the deployment rolls back when it breaches or cannot judge.
/// </summary>
public interface IDeploymentWatch
{
    Task<DeploymentWatchVerdict> WatchAsync(ReleasePlan plan, string version, IOperationReporter reporter, CancellationToken cancellation);
}

/// <summary>The integration points a deployment calls; anything left null is not configured.</summary>
public sealed record DeploymentHooks
{
    public static readonly DeploymentHooks None = new();

    public IReleaseGateRunner? Gates { get; init; }
    public IPreDeployBackup? Backup { get; init; }
    public IPreDeployRestore? Restore { get; init; }
    /// <summary>Default: <see cref="ProbeCanaryAnalysis"/>.</summary>
    public ICanaryAnalysis? Canary { get; init; }
    /// <summary>Told when a release starts and ends (webhooks).</summary>
    public IReleaseEvents? Events { get; init; }
    /// <summary>Runs the plan's watch after the release went live, when the plan says watch.after_deploy.</summary>
    public IDeploymentWatch? Watch { get; init; }
}
