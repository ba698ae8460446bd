namespace ReleaseOps.Journal;

/// <summary>
/// The write-ahead record of releases and the deploy lock of each application+environment.
/// Every step is written as Started before it runs and rewritten when it ends, so a crash leaves a
/// release InProgress with its last step visible.
/// </summary>
public interface IReleaseJournal
{
    /// <summary>Where the journal lives, for messages.</summary>
    string Location { get; }

    /// <summary>Takes the lock or throws <c>DeploymentLocked</c> naming the holder. <paramref name="breakStale"/>
    /// replaces a lock whose holder process is dead on this host (the -Force switch).</summary>
    Task<DeployLock> AcquireLockAsync(string application, string environment, string? releaseId, bool breakStale, CancellationToken cancellation);

    /// <summary>Releases the lock if it is held for <paramref name="releaseId"/>; with null, releases it whoever holds it (Unlock-Deployment).</summary>
    Task<bool> ReleaseLockAsync(string application, string environment, string? releaseId, CancellationToken cancellation);

    Task<DeployLock?> GetLockAsync(string application, string environment, CancellationToken cancellation);

    /// <summary>Writes a whole release record (insert or replace), durably, before returning.</summary>
    Task SaveAsync(ReleaseRecord release, CancellationToken cancellation);

    Task<ReleaseRecord?> GetAsync(string application, string environment, string id, CancellationToken cancellation);

    /// <summary>The releases of an application+environment, newest first.</summary>
    Task<IReadOnlyList<ReleaseRecord>> ListAsync(string application, string environment, CancellationToken cancellation);
}
