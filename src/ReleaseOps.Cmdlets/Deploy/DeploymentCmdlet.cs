using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Deploy;

namespace ReleaseOps.Cmdlets.Deploy;

/// <summary>The cmdlets that act on a plan's deployments: the plan as for every plan cmdlet, and the standard engine.</summary>
public abstract class DeploymentCmdlet : PlanCmdlet
{
    /// <summary>The standard release wiring (gates, backups, canary judge); the plan names the Docker engine and the journal.</summary>
    internal static DeploymentEngine Engine() => ReleaseOps.Releases.StandardRelease.Engine();
}
