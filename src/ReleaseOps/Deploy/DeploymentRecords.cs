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

public enum DeploymentOutcome
{
    /// <summary>Every service runs the new version and passed verification.</summary>
    Succeeded,
    /// <summary>Something failed and the previous release was put back and is serving.</summary>
    RolledBack,
    /// <summary>Something failed before anything changed (lock, gate, missing image): the previous release never stopped serving.</summary>
    Failed,
    /// <summary>-WhatIf: nothing was touched.</summary>
    Planned,
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
    public bool Succeeded => Outcome is DeploymentOutcome.Succeeded or DeploymentOutcome.Planned;

    /// <summary>
    /// The failure a host reports besides this result (a PowerShell error record, a non-zero exit):
    /// DeploymentRolledBack or DeploymentFailed; null when the deployment succeeded.
    /// </summary>
    public ReleaseOpsException? ToException() => Succeeded
        ? null
        : new ReleaseOpsException(Outcome == DeploymentOutcome.RolledBack ? "DeploymentRolledBack" : "DeploymentFailed", FailureKind.OperationFailed,
            $"Deployment of {Application}/{Environment} {Version} {(Outcome == DeploymentOutcome.RolledBack ? $"was rolled back to {PreviousVersion ?? "the previous release"}" : "failed")}: {Reason}",
            $"{Application}/{Environment}",
            Outcome == DeploymentOutcome.RolledBack
                ? "The previous release serves again. See the steps (Get-Deployment -Last 1) for what failed, fix it and deploy again."
                : "Nothing was changed, or the automatic rollback failed too: see the steps (Get-Deployment -Last 1) and the reason.");

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
