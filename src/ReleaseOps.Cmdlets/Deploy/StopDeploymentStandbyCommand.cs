using System.Management.Automation;
using ReleaseOps.Journal;

namespace ReleaseOps.Cmdlets.Deploy;

/// <summary>
/// <para type="synopsis">Stops the warm standby that a blue-green release left running for an instant switch-back.</para>
/// <para type="description">With strategy.standby, a blue-green release keeps the old color running out of the proxy, so that
/// Invoke-Rollback is a proxy switch and one verification. Stop-DeploymentStandby stops it once the window the plan set has
/// ended (schedule it, for example with the window's length), or at once with -Force; the old color is kept, stopped. The next
/// deployment or rollback retires a standby too. Returns the current release, its standby cleared and a retire-standby step
/// added; nothing when there is no standby or its window has not ended.</para>
/// </summary>
/// <example><code>Stop-DeploymentStandby ./releaseplan.yml</code></example>
/// <example><code>$plan | Stop-DeploymentStandby -Force -WhatIf</code></example>
[Cmdlet(VerbsLifecycle.Stop, "DeploymentStandby", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ReleaseRecord))]
public sealed class StopDeploymentStandbyCommand : DeploymentCmdlet
{
    /// <summary><para type="description">Stop the standby before its window ends.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ForEachPlan(async (op, plan) =>
    {
        if (await Engine().StopStandbyAsync(plan, Force.IsPresent, op.ShouldProcessAsync, op, op.Cancellation).ConfigureAwait(false) is { } release)
        {
            op.Emit(release);
        }
    });
}
