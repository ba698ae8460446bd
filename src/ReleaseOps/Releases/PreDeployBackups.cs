using ReleaseOps.Backup;
using ReleaseOps.Deploy;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The deployment's backup hooks, served by the backup capability: before a release, every plan
/// backup marked <c>before_deploy</c> is taken (and test-restored where <c>verify</c> asks); a
/// rollback with -RestoreDatabase restores the pre-deploy backups filed under the release it undoes.
/// </summary>
public sealed class PreDeployBackups : IPreDeployBackup, IPreDeployRestore
{
    private readonly PlanBackups _backups;

    public PreDeployBackups(PlanBackups? backups = null)
    {
        _backups = backups ?? new PlanBackups();
    }

    public async Task<PreDeployBackupOutcome?> BackupAsync(ReleasePlan plan, string releaseId, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        if (!plan.Backups.Any(b => b.BeforeDeploy))
        {
            return null;
        }
        var taken = new List<ReleaseBackup>();
        await foreach (var backup in _backups.BackupBeforeDeployAsync(plan, releaseId, reporter, cancellation).ConfigureAwait(false))
        {
            taken.Add(backup);
        }
        return new PreDeployBackupOutcome(taken.Select(b => b.Id).ToArray(),
            string.Join("; ", taken.Select(b => $"{b.Name}: {b.Id} ({b.SizeBytes:N0} bytes{(b.Verified == true ? ", verified" : "")})")));
    }

    public async Task<string> RestoreAsync(ReleasePlan plan, string releaseId, IReadOnlyList<string> backupIds, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        var restored = new List<RestoreResult>();
        await foreach (var result in _backups.RestorePreDeployAsync(plan, releaseId, terminateConnections: true, reporter, cancellation)
                           .ConfigureAwait(false))
        {
            restored.Add(result);
        }
        return restored.Count == 0
            ? "no PostgreSQL pre-deploy backup to restore"
            : string.Join("; ", restored.Select(r => $"{r.TargetDatabase} restored from {r.BackupId}"
                + (r.EmergencyBackup is null ? "" : $" (its previous state saved as {r.EmergencyBackup.Id})")));
    }
}
