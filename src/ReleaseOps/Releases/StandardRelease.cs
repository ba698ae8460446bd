using ReleaseOps.Deploy;
using ReleaseOps.Health;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The standard wiring of a release, used by the cmdlets and the CLI: deployments run the plan's
/// gates, take its pre-deploy backups and restore them on request, and judge canaries
/// statistically; a health watch that breaches rolls the release back through the deployment engine.
/// </summary>
public static class StandardRelease
{
    public static DeploymentHooks Hooks()
    {
        var backups = new PreDeployBackups();
        return new DeploymentHooks
        {
            Gates = new DeploymentGateStage(),
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
