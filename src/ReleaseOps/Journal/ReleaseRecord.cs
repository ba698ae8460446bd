using System.Text.Json.Serialization;

namespace ReleaseOps.Journal;

/// <summary>What a journal entry records: a deployment or a rollback.</summary>
public enum ReleaseKind
{
    Deployment,
    Rollback,
}

/// <summary>
/// Where a release stands, which is also the state it left the services in. <see cref="InProgress"/> with a dead
/// writer means it was interrupted.
/// </summary>
public enum ReleaseStatus
{
    InProgress,
    /// <summary>A deployment: every service runs its version, verified. A rollback: the target version serves again, verified.</summary>
    Succeeded,
    /// <summary>Failed before anything changed: what served before still serves.</summary>
    Failed,
    /// <summary>A deployment that failed after its first change and was put back: the previous release serves again, verified.</summary>
    RolledBack,
    /// <summary>Found in progress after its process died; superseded by a resume or a rollback.</summary>
    Interrupted,
    /// <summary>
    /// Failed after its first change, and putting things back failed too: the services are as <see cref="ReleaseRecord.Left"/>
    /// says (possibly mixed versions). The next Invoke-Rollback returns to the version that served before it.
    /// </summary>
    RollbackFailed,
}

/// <summary>The state of one step in the journal: written as Started before it runs and again when it ends.</summary>
public enum StepStatus
{
    /// <summary>-WhatIf: what would run.</summary>
    Planned,
    Started,
    Succeeded,
    Failed,
    Skipped,
}

/// <summary>The image one service runs in a release, by tag and by digest.</summary>
public sealed record ReleasedImage(string Service, string Image, string? Digest)
{
    public override string ToString() => $"{Service}: {Image}{(Digest is null ? "" : "@" + Digest)}";
}

/// <summary>One step as the journal holds it.</summary>
public sealed record JournalStep(
    int Sequence,
    string Name,
    string? Service,
    StepStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? Detail)
{
    public override string ToString() => $"{Sequence,2} {Name}{(Service is null ? "" : $" [{Service}]")}: {Status}{(Detail is null ? "" : $" - {Detail}")}";
}

/// <summary>One gate's verdict as the journal keeps it: status, message and the evidence it measured (plain text, never a secret).</summary>
public sealed record GateRecord(string Name, string Type, string Stage, string Status, string Message, DateTimeOffset At, TimeSpan Duration)
{
    public IReadOnlyDictionary<string, string> Evidence { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{Name} ({Stage}): {Status} - {Message}";
}

/// <summary>
/// One release (deployment or rollback) of an application to an environment: who, where, when, which
/// version replaced which, the images by digest, every step and the outcome.
/// </summary>
public sealed record ReleaseRecord
{
    public required string Id { get; init; }
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public ReleaseKind Kind { get; init; } = ReleaseKind.Deployment;
    public required string Version { get; init; }
    public string? PreviousVersion { get; init; }
    public ReleaseStatus Status { get; init; } = ReleaseStatus.InProgress;
    public required string StartedBy { get; init; }
    public required string Host { get; init; }
    public int Pid { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public IReadOnlyList<ReleasedImage> Images { get; init; } = Array.Empty<ReleasedImage>();
    /// <summary>Why it failed or was rolled back (which probe, which value).</summary>
    public string? Reason { get; init; }
    /// <summary>For a resumed deployment, the interrupted release it continues; for a rollback, the release it undoes.</summary>
    public string? RelatedId { get; init; }
    /// <summary>Identifiers of the pre-deploy backups taken for this release (for -RestoreDatabase).</summary>
    public IReadOnlyList<string> BackupIds { get; init; } = Array.Empty<string>();
    public IReadOnlyList<JournalStep> Steps { get; init; } = Array.Empty<JournalStep>();
    /// <summary>SHA-256 of the release plan's text when the release ran.</summary>
    public string? PlanSha256 { get; init; }
    /// <summary>Every gate the release ran (pre- and post-deploy), with its verdict and evidence.</summary>
    public IReadOnlyList<GateRecord> Gates { get; init; } = Array.Empty<GateRecord>();
    /// <summary>When it did not succeed: what each service was left running (versions, instances, upstream), read after the rollback.</summary>
    public IReadOnlyList<string> Left { get; init; } = Array.Empty<string>();
    /// <summary>
    /// A blue-green release with <c>strategy.standby</c>: the old colors it left running out of the proxy, and until when. Cleared
    /// when Stop-DeploymentStandby retires them; a later release retires them too (and records its own).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WarmStandby>? Standby { get; init; }

    [JsonIgnore]
    public TimeSpan? Duration => FinishedAt is null ? null : FinishedAt - StartedAt;

    public override string ToString() => $"{Application}/{Environment} {Kind} {Version} {Status}";
}

/// <summary>An old color kept running out of the proxy after a blue-green release, for a rollback that is a proxy switch.</summary>
public sealed record WarmStandby(string Service, string Version, IReadOnlyList<string> Instances, DateTimeOffset Until)
{
    public override string ToString() => $"{Service} {Version} ({string.Join(", ", Instances)}) until {Until:u}";
}

/// <summary>Who holds the deploy lock of an application+environment.</summary>
public sealed record DeployLock(
    string Application,
    string Environment,
    string Holder,
    string Host,
    int Pid,
    DateTimeOffset AcquiredAt,
    string? ReleaseId)
{
    /// <summary>Set when the lock file names no holder (empty, or not a lock): what is wrong with it, for messages.</summary>
    [JsonIgnore]
    public string? Problem { get; init; }

    /// <summary>True when the holder ran on this host and its process no longer exists (or no holder is named: -Force may break it).</summary>
    public bool HolderIsDead => Problem is not null || string.Equals(Host, ProcessIdentity.Current.Host, StringComparison.OrdinalIgnoreCase)
        && !ProcessIdentity.IsAlive(Pid);

    public override string ToString() => Problem ?? $"{Holder}@{Host} pid {Pid} since {AcquiredAt:u}";
}

/// <summary>The running process as the journal names it.</summary>
public sealed record ProcessIdentity(string User, string Host, int Pid)
{
    public static ProcessIdentity Current { get; } = new(
        System.Environment.UserName, System.Environment.MachineName, System.Environment.ProcessId);

    public static bool IsAlive(int pid)
    {
        if (pid == System.Environment.ProcessId)
        {
            return true;
        }
        if (OperatingSystem.IsLinux())
        {
            // A zombie (killed, not yet reaped) is dead for our purpose.
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
            {
                return false;
            }
            try
            {
                var text = File.ReadAllText(stat);
                var close = text.LastIndexOf(')');
                return close < 0 || close + 2 >= text.Length || text[close + 2] != 'Z';
            }
            catch (IOException)
            {
                return false;
            }
        }
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
