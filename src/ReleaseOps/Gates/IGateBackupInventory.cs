using ReleaseOps.Operations;

namespace ReleaseOps.Gates;

/// <summary>A backup as a gate sees it: when it was taken and whether its last test-restore passed.</summary>
public sealed record GateBackup(string Id, DateTimeOffset CreatedAt, bool? Verified);

/// <summary>
/// The backups a gate asks about (<c>postgres</c> with <c>max_backup_age</c>). The gate capability
/// does not read the backup capability's catalogue itself: Releases/ adapts it to this
/// (<c>StandardRelease.GateRunner()</c>).
/// </summary>
public interface IGateBackupInventory
{
    /// <summary>The complete PostgreSQL backups of <paramref name="database"/> in <paramref name="directory"/>, newest first.</summary>
    Task<IReadOnlyList<GateBackup>> PostgresBackupsAsync(string directory, string database, IOperationReporter reporter,
        CancellationToken cancellation);
}
