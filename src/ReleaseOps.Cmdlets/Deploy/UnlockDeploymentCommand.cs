using System.Management.Automation;
using ReleaseOps.Journal;

namespace ReleaseOps.Cmdlets.Deploy;

/// <summary>
/// <para type="synopsis">Removes the deploy lock of a release plan's application and environment.</para>
/// <para type="description">A lock whose holder process is gone (a crash on this host) is removed after confirmation;
/// a lock held by a live process is removed only with -Force (otherwise the error DeploymentLockHeld). Returns the lock
/// that was removed, nothing when there was none. An interrupted deployment still blocks new ones until it is resumed
/// (Invoke-Deployment -Resume) or rolled back.</para>
/// </summary>
/// <example><code>Unlock-Deployment ./releaseplan.yml -Confirm:$false</code></example>
/// <example><code>$plan | Unlock-Deployment -Force -WhatIf</code></example>
[Cmdlet(VerbsCommon.Unlock, "Deployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DeployLock))]
public sealed class UnlockDeploymentCommand : DeploymentCmdlet
{
    /// <summary><para type="description">Remove the lock even though its holder is still running.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => ForEachPlan(async (op, plan) =>
    {
        if (await Engine().UnlockAsync(plan, Force.IsPresent, op.ShouldProcessAsync, op, op.Cancellation).ConfigureAwait(false) is { } removed)
        {
            op.Emit(removed);
        }
    });
}
