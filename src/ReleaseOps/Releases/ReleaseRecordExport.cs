using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Notifications;
using ReleaseOps.Plans;
using ReleaseOps.Records;

namespace ReleaseOps.Releases;

/// <summary>
/// Gathers one release's record from every capability that left a trace of it (journal, checklist
/// and attestations, backup catalogue, watch summaries, notification log) and writes it as JSON,
/// Markdown and HTML (<c>Export-ReleaseRecord</c>, <c>releaseops record export</c>).
/// </summary>
public static class ReleaseRecordExport
{
    /// <param name="version">Null: the plan's version, else the newest deployment.</param>
    /// <param name="releaseId">This deployment exactly (wins over <paramref name="version"/>).</param>
    public static async Task<ReleaseArchive> BuildAsync(ReleasePlan plan, string? version, string? releaseId, CancellationToken cancellation)
    {
        var journal = ReleaseJournalFactory.Open(plan);
        var history = await journal.ListAsync(plan.Application, plan.Environment, cancellation).ConfigureAwait(false);
        var deployments = history.Where(r => r.Kind == ReleaseKind.Deployment).ToArray();
        var wanted = version ?? plan.Version;
        var release = (releaseId is not null ? deployments.FirstOrDefault(r => r.Id == releaseId)
            : wanted is not null ? deployments.FirstOrDefault(r => r.Version == wanted)
            : deployments.FirstOrDefault()) ?? throw new ReleaseOpsException("ReleaseNotFound", FailureKind.NotFound,
                $"{plan} has no deployment{(releaseId is not null ? $" {releaseId}" : wanted is not null ? $" of version {wanted}" : "")} in its journal ({journal.Location}).",
                plan.ToString(), "Get-Deployment (releaseops history) lists the releases the journal holds.");

        var rollbacks = history.Where(r => r.Kind == ReleaseKind.Rollback && r.RelatedId == release.Id).OrderBy(r => r.StartedAt).ToArray();
        var report = plan.Checklist is null
            ? null
            : await StandardRelease.Checklist(plan).StatusAsync(plan, release.Version, cancellation, release.Id).ConfigureAwait(false);
        var ids = rollbacks.Select(r => r.Id).Append(release.Id).ToHashSet(StringComparer.Ordinal);
        var notifications = (await JournalNotificationLog.ListAsync(journal, plan.Application, plan.Environment, cancellation).ConfigureAwait(false))
            .Where(n => n.ReleaseId is not null ? ids.Contains(n.ReleaseId) : n.Version == release.Version && n.At >= release.StartedAt)
            .ToArray();
        var me = ProcessIdentity.Current;
        return new ReleaseArchive
        {
            Application = plan.Application,
            Environment = plan.Environment,
            Release = release,
            Plan = await PlanAsync(plan, release, cancellation).ConfigureAwait(false),
            ChecklistFiles = report?.Checklists.Select(c => new ArchivedChecklistFile(c.File, c.Title, c.Sha256, c.Items.Count, c.EncodingRepaired)).ToArray()
                ?? Array.Empty<ArchivedChecklistFile>(),
            Coverage = report?.Coverage ?? Array.Empty<Checklists.ChecklistCoverage>(),
            Checklist = report?.Items ?? Array.Empty<Checklists.ChecklistItemStatus>(),
            Backups = await BackupsAsync(plan, release, cancellation).ConfigureAwait(false),
            Watch = ReleaseTraces.WatchOf(plan, release),
            Rollbacks = rollbacks,
            Notifications = notifications,
            Journal = await JournalVerifier.VerifyAsync(journal, plan.Application, plan.Environment, cancellation: cancellation).ConfigureAwait(false),
            ExportedAt = DateTimeOffset.UtcNow,
            ExportedBy = $"{me.User}@{me.Host}",
        };
    }

    /// <summary>Builds the record and writes it into <paramref name="directory"/>.</summary>
    public static async Task<ExportedReleaseRecord> ExportAsync(ReleasePlan plan, string? version, string? releaseId, string directory,
        ReleaseRecordFormat formats, CancellationToken cancellation)
    {
        var archive = await BuildAsync(plan, version, releaseId, cancellation).ConfigureAwait(false);
        return Describe(archive, await ReleaseArchiveWriter.WriteAsync(archive, directory, formats, cancellation).ConfigureAwait(false));
    }

    /// <summary>What was written for <paramref name="archive"/>.</summary>
    public static ExportedReleaseRecord Describe(ReleaseArchive archive, IReadOnlyList<string> files) =>
        new()
        {
            Application = archive.Application,
            Environment = archive.Environment,
            Version = archive.Release.Version,
            ReleaseId = archive.Release.Id,
            Status = archive.Release.Status.ToString(),
            Items = archive.Checklist.Count,
            Attestations = archive.Attestations.Count(),
            JournalIntact = archive.Journal.IsIntact,
            JournalHead = archive.Journal.Head,
            Files = files,
        };

    private static async Task<ArchivedPlan> PlanAsync(ReleasePlan plan, ReleaseRecord release, CancellationToken cancellation)
    {
        string? text = null;
        if (plan.SourcePath is not null && File.Exists(plan.SourcePath))
        {
            text = await File.ReadAllTextAsync(plan.SourcePath, cancellation).ConfigureAwait(false);
        }
        var shown = text;
        foreach (var url in plan.Notifications.Select(n => n.Url).Where(u => !SecretCatalog.HasReference(u)))
        {
            // A webhook written into the plan carries its token in the path: the record shows it masked.
            shown = shown?.Replace(url, UrlMask.Mask(url), StringComparison.Ordinal);
        }
        return new ArchivedPlan
        {
            File = plan.SourcePath,
            Sha256AtRelease = release.PlanSha256,
            Sha256 = text is null ? plan.Sha256 : ReleasePlanLoader.Digest(text),
            Text = shown,
        };
    }

    private static async Task<IReadOnlyList<ArchivedBackup>> BackupsAsync(ReleasePlan plan, ReleaseRecord release, CancellationToken cancellation) =>
        (await ReleaseTraces.PreDeployBackupsAsync(plan, release, cancellation).ConfigureAwait(false)).Select(found => found.Backup is { } b
            ? new ArchivedBackup
            {
                Name = found.Definition.Name, Id = b.Id, Kind = b.Kind.ToString(), Source = b.Source, SizeBytes = b.SizeBytes, Sha256 = b.Sha256,
                Verified = b.Verified, CreatedAt = b.CreatedAt,
            }
            : new ArchivedBackup { Name = found.Definition.Name, Problem = found.Problem }).ToArray();
}
