using ReleaseOps.Deploy;
using ReleaseOps.Gates;
using ReleaseOps.Health;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The standard wiring of a release, used by the cmdlets and the CLI: deployments run the plan's
/// gates, take its pre-deploy backups and restore them on request, and judge canaries
/// statistically; a health watch that breaches rolls the release back through the deployment engine;
/// gates that ask about backups read the backup catalogue.
/// </summary>
public static class StandardRelease
{
    /// <summary>Every gate check, with the backup catalogue behind <c>max_backup_age</c>.</summary>
    public static GateRunner GateRunner() => new(GateChecks.All, new GateBackupInventory());

    public static DeploymentHooks Hooks()
    {
        var backups = new PreDeployBackups();
        return new DeploymentHooks
        {
            Gates = new DeploymentGateStage(GateRunner()),
            Backup = backups,
            Restore = backups,
            Canary = new StatisticalCanaryAnalysis(),
        };
    }

    public static DeploymentEngine Engine() => new(hooks: Hooks());

    /// <summary>The rollback a watch of <paramref name="plan"/> triggers on breach; null for a plan without services.</summary>
    public static IRollbackTrigger? RollbackFor(ReleasePlan plan) =>
        plan.Services.Count == 0 ? null : new DeploymentRollbackTrigger(plan, Engine());
}
