using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Plans;

namespace ReleaseOps.Deploy;

/// <summary>What a deployment or rollback writes to the pipeline: its steps as they end, then one result.</summary>
public abstract record DeploymentRecord;

/// <summary>One step of a deployment or rollback (lock, gates, backup, migration, rollout, verify...).</summary>
public sealed record DeploymentStep(
    string ReleaseId,
    int Sequence,
    string Name,
    string? Service,
    StepStatus Status,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string? Detail) : DeploymentRecord
{
    public override string ToString() => $"{Sequence,2} {Name}{(Service is null ? "" : $" [{Service}]")}: {Status}{(Detail is null ? "" : $" - {Detail}")}";
}

/// <summary>
/// How a deployment ended, which is also what state it left the services in. Each value means one
/// thing only, so that a script (or an operator reading the journal) can act on it without reading the reason.
/// </summary>
public enum DeploymentOutcome
{
    /// <summary>Every service runs the new version and passed verification.</summary>
    Succeeded,
    /// <summary>Something failed after the first change, and every service changed was put back: the previous release serves again, verified.</summary>
    RolledBack,
    /// <summary>Something failed before anything changed (lock, gate, backup, missing image): the previous release never stopped serving.</summary>
    Failed,
    /// <summary>-WhatIf: nothing was touched.</summary>
    Planned,
    /// <summary>
    /// Something failed after the first change and putting the previous release back failed too: the services are as
    /// <see cref="DeploymentResult.Left"/> describes (possibly mixed versions). Run Invoke-Rollback once the cause is fixed.
    /// </summary>
    RollbackFailed,
}

/// <summary>What one service runs after the release.</summary>
public sealed record ServiceRelease(
    string Service,
    DeploymentStrategyType Strategy,
    ServiceTarget Target,
    string Image,
    string? Digest,
    IReadOnlyList<string> Instances)
{
    public override string ToString() =>
        $"{Service}: {Image} ({Strategy}{(Instances.Count == 0 ? "" : ": " + string.Join(", ", Instances))})";
}

/// <summary>The outcome of <c>Invoke-Deployment</c>.</summary>
public sealed record DeploymentResult(
    string ReleaseId,
    string Application,
    string Environment,
    string Version,
    string? PreviousVersion,
    DeploymentOutcome Outcome,
    string? Reason,
    IReadOnlyList<ServiceRelease> Services,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string Journal) : DeploymentRecord
{
    /// <summary>
    /// What each service was left running when the deployment did not succeed (versions, instances, upstream), as read
    /// from Docker and nginx after the rollback; empty when it succeeded or nothing changed.
    /// </summary>
    public IReadOnlyList<string> Left { get; init; } = Array.Empty<string>();

    public bool Succeeded => Outcome is DeploymentOutcome.Succeeded or DeploymentOutcome.Planned;

    /// <summary>
    /// The failure a host reports besides this result (a PowerShell error record, a non-zero exit):
    /// DeploymentFailed, DeploymentRolledBack or DeploymentRollbackFailed; null when the deployment succeeded.
    /// </summary>
    public ReleaseOpsException? ToException() => Outcome switch
    {
        DeploymentOutcome.Succeeded or DeploymentOutcome.Planned => null,
        DeploymentOutcome.RolledBack => new ReleaseOpsException("DeploymentRolledBack", FailureKind.OperationFailed,
            $"Deployment of {Application}/{Environment} {Version} was rolled back to {PreviousVersion ?? "the previous release"}: {Reason}",
            $"{Application}/{Environment}",
            "The previous release serves again. See the steps (Get-Deployment -Last 1) for what failed, fix it and deploy again."),
        DeploymentOutcome.RollbackFailed => new ReleaseOpsException("DeploymentRollbackFailed", FailureKind.OperationFailed,
            $"Deployment of {Application}/{Environment} {Version} failed and its automatic rollback failed too: {Reason}. " +
            $"Left: {(Left.Count == 0 ? "unknown" : string.Join("; ", Left))}",
            $"{Application}/{Environment}",
            "The services may run mixed versions (see Left). Fix the cause, then run Invoke-Rollback (releaseops rollback)."),
        _ => new ReleaseOpsException("DeploymentFailed", FailureKind.OperationFailed,
            $"Deployment of {Application}/{Environment} {Version} failed before anything changed: {Reason}", $"{Application}/{Environment}",
            "Nothing was changed: the previous release keeps serving. See the steps (Get-Deployment -Last 1), fix the cause and deploy again."),
    };

    public override string ToString() => $"{Application}/{Environment} {Version}: {Outcome}{(Reason is null ? "" : $" ({Reason})")}";
}

public enum RollbackOutcome
{
    Succeeded,
    Failed,
    Planned,
}

/// <summary>The outcome of <c>Invoke-Rollback</c>, with its measured duration.</summary>
public sealed record RollbackResult(
    string ReleaseId,
    string Application,
    string Environment,
    string FromVersion,
    string ToVersion,
    RollbackOutcome Outcome,
    string? Reason,
    bool DatabaseRestored,
    IReadOnlyList<ServiceRelease> Services,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    string Journal) : DeploymentRecord
{
    /// <summary>When it failed after its first change: what each service was left running, read after the failure.</summary>
    public IReadOnlyList<string> Left { get; init; } = Array.Empty<string>();

    /// <summary>The failure a host reports besides this result: RollbackFailed; null when the rollback succeeded.</summary>
    public ReleaseOpsException? ToException() => Outcome != RollbackOutcome.Failed
        ? null
        : new ReleaseOpsException("RollbackFailed", FailureKind.OperationFailed,
            $"Rollback of {Application}/{Environment} from {FromVersion} to {ToVersion} failed: {Reason}", $"{Application}/{Environment}",
            "See the steps (Get-Deployment -Last 1); fix the cause and run Invoke-Rollback again.");

    public override string ToString() => $"{Application}/{Environment} {FromVersion} -> {ToVersion}: {Outcome} in {Duration.TotalSeconds:F1} s";
}

/// <summary>What to deploy: the version, which services, and how to treat a held lock or an interrupted release.</summary>
public sealed record DeploymentRequest
{
    /// <summary>The version to release; default the plan's version.</summary>
    public string? Version { get; init; }
    /// <summary>Only these services (names, case-insensitive); empty for all.</summary>
    public IReadOnlyList<string> Services { get; init; } = Array.Empty<string>();
    /// <summary>Break a stale lock (its holder's process is gone).</summary>
    public bool Force { get; init; }
    /// <summary>Continue a deployment that was interrupted (its process died).</summary>
    public bool Resume { get; init; }
    /// <summary>
    /// The watch after the release goes live: null, as the plan says (watch.after_deploy); false, skipped (recorded as skipped);
    /// true, run even when the plan does not ask (it needs a watch section).
    /// </summary>
    public bool? Watch { get; init; }
}

/// <summary>What to roll back to.</summary>
public sealed record RollbackRequest
{
    /// <summary>The version to return to; default the one before the current release.</summary>
    public string? ToVersion { get; init; }
    public IReadOnlyList<string> Services { get; init; } = Array.Empty<string>();
    /// <summary>Also restore the database from the pre-deploy backup of the release being undone.</summary>
    public bool RestoreDatabase { get; init; }
    public bool Force { get; init; }
}
