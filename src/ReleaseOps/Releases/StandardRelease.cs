using ReleaseOps.Deploy;

namespace ReleaseOps.Releases;

/// <summary>
/// The standard wiring of a release, used by the cmdlets and the CLI: deployments run the plan's
/// gates, take its pre-deploy backups and restore them on request, and judge canaries.
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
        };
    }

    public static DeploymentEngine Engine() => new(hooks: Hooks());
}
