using ReleaseOps.Backup;
using ReleaseOps.Errors;
using ReleaseOps.Health;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>What capabilities other than the journal kept of one release: its pre-deploy backups and the watch of its version.</summary>
internal static class ReleaseTraces
{
    /// <summary>For each pre-deploy backup of the plan, the backup filed under <paramref name="release"/>, or why there is none.</summary>
    public static async Task<IReadOnlyList<(BackupDefinition Definition, ReleaseBackup? Backup, string? Problem)>> PreDeployBackupsAsync(
        ReleasePlan plan, ReleaseRecord release, CancellationToken cancellation)
    {
        var found = new List<(BackupDefinition, ReleaseBackup?, string?)>();
        foreach (var definition in plan.Backups.Where(b => b.BeforeDeploy))
        {
            try
            {
                found.Add((definition, await PlanBackups.FindPreDeployAsync(definition, release.Id, SilentReporter.Instance, cancellation).ConfigureAwait(false), null));
            }
            catch (ReleaseOpsException ex) when (ex.ErrorId == "PreDeployBackupNotFound")
            {
                found.Add((definition, null, ex.Message));
            }
        }
        return found;
    }

    /// <summary>The newest watch summary of the release's version that began after the release did (file journals keep them).</summary>
    public static WatchSummary? WatchOf(ReleasePlan plan, ReleaseRecord release) =>
        plan.Journal.Store == JournalStore.File
        && new WatchSummaryStore(plan.Journal.Path).LoadLatest(plan.Application, plan.Environment, release.Version) is { } summary
        && summary.StartedAt >= release.StartedAt
            ? summary
            : null;
}
