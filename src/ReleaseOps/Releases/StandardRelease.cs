using ReleaseOps.Checklists;
using ReleaseOps.Deploy;
using ReleaseOps.Gates;
using ReleaseOps.Health;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The standard wiring of a release, used by the cmdlets and the CLI: deployments run the plan's
/// gates (with the checklist's sign-offs), take its pre-deploy backups and restore them on request,
/// judge canaries statistically and tell the plan's webhooks; a health watch that breaches rolls
/// the release back through the deployment engine and tells the webhooks too; gates that ask about
/// backups read the backup catalogue.
/// </summary>
public static class StandardRelease
{
    /// <summary>Every gate check, with the backup catalogue behind <c>max_backup_age</c>.</summary>
    public static GateRunner GateRunner() => new(GateChecks.All, new GateBackupInventory());

    /// <param name="notifications">Default: the plan's webhooks, journaled in the plan's journal.</param>
    public static DeploymentHooks Hooks(ReleaseNotifications? notifications = null)
    {
        notifications ??= new ReleaseNotifications();
        var backups = new PreDeployBackups();
        return new DeploymentHooks
        {
            Gates = new DeploymentGateStage(GateRunner(), notifications: notifications),
            Backup = backups,
            Restore = backups,
            Canary = new StatisticalCanaryAnalysis(),
            Events = notifications,
            Watch = new DeploymentWatch(),
        };
    }

    public static DeploymentEngine Engine() => new(hooks: Hooks());

    /// <summary>The rollback a watch of <paramref name="plan"/> triggers on breach; null for a plan without services.</summary>
    public static IRollbackTrigger? RollbackFor(ReleasePlan plan) =>
        plan.Services.Count == 0 ? null : new DeploymentRollbackTrigger(plan, Engine());

    /// <summary>What a watch of <paramref name="plan"/> tells at its first breach: the plan's watch-breached webhooks.</summary>
    public static IBreachObserver BreachObserverFor(ReleasePlan plan, string? version, IOperationReporter reporter) =>
        new ReleaseNotifications().BreachObserver(plan, version, reporter);

    /// <summary>The plan's checklist, executed against its journal: status, attestations, sign-offs.</summary>
    public static ChecklistService Checklist(ReleasePlan plan, TimeProvider? clock = null)
    {
        var journal = ReleaseJournalFactory.Open(plan);
        return new ChecklistService(new JournalAttestationStore(journal), new JournalReleaseEvidence(journal), clock);
    }

    /// <summary>The plan's gates, with a critical sign-off gate first when its checklist requires attestations before deploying and no gate checks them.</summary>
    public static IReadOnlyList<GateDefinition> GatesOf(ReleasePlan plan)
    {
        var required = plan.Checklist?.Items.Any(b => b.IsRequiredBeforeDeploy) == true;
        if (!required || plan.Gates.Any(g => g.Type == "sign-off" && g.Stage == GateStage.PreDeploy))
        {
            return plan.Gates;
        }
        return plan.Gates.Prepend(new GateDefinition
        {
            Name = "checklist-sign-offs",
            Type = "sign-off",
            Category = "process",
            Severity = GateSeverity.Critical,
            Stage = GateStage.PreDeploy,
            Location = plan.Checklist!.Location,
        }).ToArray();
    }

    /// <summary>
    /// Validates a plan file as the loader does and, for a plan with a checklist, binds its items too:
    /// a binding that picks nothing or picks an item twice is a problem of the plan, at its position.
    /// </summary>
    public static async Task<PlanValidation> ValidateAsync(string path, IReadOnlyDictionary<string, string>? variables, CancellationToken cancellation)
    {
        var validation = await ReleasePlanLoader.ValidateAsync(path, variables, cancellation).ConfigureAwait(false);
        if (validation.Plan?.Checklist is null)
        {
            return validation;
        }
        var bound = await ChecklistBinder.BindAsync(validation.Plan, cancellation).ConfigureAwait(false);
        return bound.Problems.Count == 0
            ? validation
            : new PlanValidation(validation.File, validation.Diagnostics.Concat(bound.Problems).OrderBy(d => d.Line).ThenBy(d => d.Column).ToArray(), null);
    }

    /// <summary>Test-ReleaseJournal, releaseops journal verify: the plan's journal, checked link by link.</summary>
    public static Task<JournalVerification> VerifyJournalAsync(ReleasePlan plan, JournalAnchor? anchor, CancellationToken cancellation) =>
        JournalVerifier.VerifyAsync(ReleaseJournalFactory.Open(plan), plan.Application, plan.Environment, anchor, cancellation);

    /// <summary>Where the plan's gates run: its secrets, Docker endpoint and directory, and the checklist's sign-offs.</summary>
    public static GateEnvironment GateEnvironmentFor(ReleasePlan plan) => GateEnvironment.For(plan) with
    {
        SignOffs = plan.Checklist is null ? null : new ChecklistSignOffs(plan, Checklist(plan)),
    };
}
