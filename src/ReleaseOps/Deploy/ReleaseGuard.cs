using ReleaseOps.Errors;
using ReleaseOps.Journal;

namespace ReleaseOps.Deploy;

/// <summary>
/// The checks before any release of an application+environment starts: no live holder of the
/// deploy lock, and no release left InProgress by a process that died (kill -9, a crash). An
/// interrupted release blocks new deployments until the operator resumes it or rolls back.
/// </summary>
internal static class ReleaseGuard
{
    public static async Task<(DeployLock Lock, ReleaseRecord? Interrupted)> EnterAsync(IReleaseJournal journal, string application,
        string environment, string releaseId, bool force, bool mayTakeOverInterrupted, string refusalFix, CancellationToken cancellation)
    {
        var held = await journal.GetLockAsync(application, environment, cancellation).ConfigureAwait(false);
        if (held is not null && !held.HolderIsDead)
        {
            throw FileReleaseJournal.Locked(held, journal.Location);
        }
        var history = await journal.ListAsync(application, environment, cancellation).ConfigureAwait(false);
        var interrupted = history.FirstOrDefault(r => r.Status == ReleaseStatus.InProgress && IsOrphaned(r, held));
        if (interrupted is not null && !mayTakeOverInterrupted)
        {
            var last = interrupted.Steps.LastOrDefault();
            throw new ReleaseOpsException("DeploymentInterrupted", FailureKind.Conflict,
                $"The {interrupted.Kind.ToString().ToLowerInvariant()} {interrupted.Id} of {application}/{environment} to {interrupted.Version} " +
                $"was interrupted{(last is null ? "" : $" at step '{last.Name}'{(last.Service is null ? "" : $" of {last.Service}")} ({last.Status})")}: " +
                $"its process (pid {interrupted.Pid} on {interrupted.Host}) is gone. A new deployment is refused until it is resolved.",
                $"{application}/{environment}", refusalFix);
        }
        var acquired = await journal.AcquireLockAsync(application, environment, releaseId,
            breakStale: force || interrupted is not null, cancellation).ConfigureAwait(false);
        return (acquired, interrupted);
    }

    /// <summary>True when no live process can still be writing this release.</summary>
    private static bool IsOrphaned(ReleaseRecord release, DeployLock? held)
    {
        if (string.Equals(release.Host, ProcessIdentity.Current.Host, StringComparison.OrdinalIgnoreCase))
        {
            return !ProcessIdentity.IsAlive(release.Pid);
        }
        // Another machine: orphaned when that machine no longer holds the lock for it.
        return held is null || held.ReleaseId != release.Id || held.HolderIsDead;
    }

    /// <summary>The release serving now: the newest that finished well.</summary>
    public static ReleaseRecord? Current(IEnumerable<ReleaseRecord> history) => history.FirstOrDefault(r => r.Status == ReleaseStatus.Succeeded);

    /// <summary>The version serving now.</summary>
    public static string? CurrentVersion(IEnumerable<ReleaseRecord> history) => Current(history)?.Version;

    public static string NewReleaseId() => $"{DateTime.UtcNow:yyyyMMdd'T'HHmmssfff}-{Guid.NewGuid():N}"[..25];
}
