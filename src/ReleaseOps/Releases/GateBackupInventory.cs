using ReleaseOps.Backup;
using ReleaseOps.Gates;
using ReleaseOps.Operations;

namespace ReleaseOps.Releases;

/// <summary>The gates' view of the backup catalogue: complete backups (those with a manifest) of one database.</summary>
public sealed class GateBackupInventory : IGateBackupInventory
{
    public async Task<IReadOnlyList<GateBackup>> PostgresBackupsAsync(string directory, string database, IOperationReporter reporter,
        CancellationToken cancellation) =>
        (await new BackupCatalog().ListAllAsync(directory, null, BackupKind.Postgres, reporter, cancellation).ConfigureAwait(false))
            .Where(b => string.Equals(b.Database, database, StringComparison.Ordinal) || b.Source.EndsWith("/" + database, StringComparison.Ordinal))
            .OrderByDescending(b => b.CreatedAt)
            .Select(b => new GateBackup(b.Id, b.CreatedAt, b.Verified))
            .ToArray();
}
