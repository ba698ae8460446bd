using ReleaseOps.Text;
using ReleaseOps.Checklists;
using ReleaseOps.Health;
using ReleaseOps.Journal;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// What a checklist's bindings are judged against, read from where each capability left it: the
/// journal's newest deployment of the version (its gates and steps) and the rollbacks of it, the
/// backup catalogue (the pre-deploy backups filed under that deployment, with their checksums),
/// and the newest health watch summary of the version.
/// </summary>
public sealed class JournalReleaseEvidence : IReleaseEvidenceSource
{
    /// <summary>Steps that only run when a release is rolled back: without a rollback they were not needed.</summary>
    private static readonly string[] RollbackOnly = { "rollback", "restore", "retire", "restore-database" };

    private readonly IReleaseJournal _journal;

    public JournalReleaseEvidence(IReleaseJournal journal)
    {
        _journal = journal;
    }

    public async Task<ReleaseEvidence> GetAsync(ReleasePlan plan, string? version, string? releaseId, CancellationToken cancellation)
    {
        var history = await _journal.ListAsync(plan.Application, plan.Environment, cancellation).ConfigureAwait(false);
        var deployments = history.Where(r => r.Kind == ReleaseKind.Deployment).ToArray();
        var release = releaseId is not null ? deployments.FirstOrDefault(r => r.Id == releaseId)
            : (version ?? plan.Version) is { } wanted ? deployments.FirstOrDefault(r => r.Version == wanted)
            : deployments.FirstOrDefault();
        var evidence = new ReleaseEvidence { Application = plan.Application, Environment = plan.Environment, Version = version ?? plan.Version ?? release?.Version };
        if (release is null)
        {
            return evidence;
        }
        var rollbacks = history.Where(r => r.Kind == ReleaseKind.Rollback && r.RelatedId == release.Id).ToArray();
        var results = new List<EvidenceResult>();
        results.AddRange(release.Gates.Select(g => new EvidenceResult(ChecklistBindingKind.Gate, g.Name, null, GateOutcome(g.Status),
            $"{g.Status.ToLowerInvariant()}: {g.Message}", g.At)));
        foreach (var step in release.Steps.Concat(rollbacks.SelectMany(RollbackSteps)))
        {
            results.Add(new EvidenceResult(ChecklistBindingKind.Step, step.Name, step.Service, StepOutcome(step.Status),
                $"{step.Status.ToString().ToLowerInvariant()}{(step.Detail is null ? "" : ": " + step.Detail)}", step.EndedAt ?? step.StartedAt));
        }
        if (release.Status != ReleaseStatus.InProgress)
        {
            foreach (var name in RollbackOnly.Where(n => !results.Any(r => r.Source == ChecklistBindingKind.Step && r.Name == n)))
            {
                results.Add(new EvidenceResult(ChecklistBindingKind.Step, name, null, EvidenceOutcome.NotNeeded,
                    $"no rollback of release {release.Id} was needed", release.FinishedAt));
            }
        }
        results.AddRange(await BackupsAsync(plan, release, cancellation).ConfigureAwait(false));
        results.AddRange(Watch(plan, release));
        return evidence with { ReleaseId = release.Id, Version = release.Version, Results = results };
    }

    /// <summary>
    /// The steps of a rollback of the release that bindings can name: "restore" (the previous version
    /// serving again, so the rollback's own verification counts as part of it), "retire" and
    /// "restore-database"; its lock and image steps stand for nothing in a checklist.
    /// </summary>
    private static IEnumerable<JournalStep> RollbackSteps(ReleaseRecord rollback) =>
        rollback.Steps.Where(s => s.Name is "restore" or "retire" or "restore-database" or "verify")
            .Select(s => s.Name == "verify" ? s with { Name = "restore", Detail = "verified: " + s.Detail } : s);

    private static EvidenceOutcome GateOutcome(string status) => status switch
    {
        "Passed" or "Warning" => EvidenceOutcome.Passed,
        "Skipped" => EvidenceOutcome.NotRun,
        _ => EvidenceOutcome.Failed,
    };

    private static EvidenceOutcome StepOutcome(StepStatus status) => status switch
    {
        StepStatus.Succeeded => EvidenceOutcome.Passed,
        StepStatus.Failed => EvidenceOutcome.Failed,
        StepStatus.Skipped => EvidenceOutcome.NotNeeded,
        _ => EvidenceOutcome.NotRun,
    };

    private static async Task<IReadOnlyList<EvidenceResult>> BackupsAsync(ReleasePlan plan, ReleaseRecord release, CancellationToken cancellation) =>
        (await ReleaseTraces.PreDeployBackupsAsync(plan, release, cancellation).ConfigureAwait(false)).Select(found => found.Backup is { } backup
            ? new EvidenceResult(ChecklistBindingKind.Backup, found.Definition.Name, null,
                backup.Verified == false ? EvidenceOutcome.Failed : EvidenceOutcome.Passed,
                $"{backup.Id}, {backup.SizeBytes:N0} bytes, sha256:{backup.Sha256}" + backup.Verified switch
                {
                    true => ", test-restore passed",
                    false => ", test-restore FAILED",
                    null => "",
                }, backup.CreatedAt)
            : new EvidenceResult(ChecklistBindingKind.Backup, found.Definition.Name, null,
                release.Status != ReleaseStatus.InProgress ? EvidenceOutcome.Failed : EvidenceOutcome.NotRun, found.Problem!)).ToArray();

    private static IEnumerable<EvidenceResult> Watch(ReleasePlan plan, ReleaseRecord release) =>
        ReleaseTraces.WatchOf(plan, release) is not { } summary
            ? Enumerable.Empty<EvidenceResult>()
            : summary.Criteria.Select(criterion => new EvidenceResult(ChecklistBindingKind.Watch, criterion.Name, null, criterion.State switch
            {
                CriterionState.Holding => EvidenceOutcome.Passed,
                CriterionState.Pending => EvidenceOutcome.NotRun,
                _ => EvidenceOutcome.Failed,
            }, $"{criterion.State.ToString().ToLowerInvariant()} ({criterion.Expect}; observed {criterion.Observed?.ToString("G4") ?? "-"}) " +
               $"over a {DurationText.Format(summary.Duration)} watch", summary.StartedAt + summary.Duration));
}
