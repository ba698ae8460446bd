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

    /// <summary>
    /// Appends an entry to the application+environment's tamper-evident chain (<see cref="JournalChain"/>).
    /// <see cref="SaveAsync"/> appends one for every release it writes; attestations and notifications are appended directly.
    /// </summary>
    Task<JournalEntry> AppendAsync(string application, string environment, string kind, string? subject, string payloadJson,
        CancellationToken cancellation);

    /// <summary>Every chain entry of an application+environment exactly as stored, in the order of the keys it is stored under.</summary>
    Task<IReadOnlyList<StoredJournalEntry>> ReadChainAsync(string application, string environment, CancellationToken cancellation);
}
