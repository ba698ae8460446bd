using System.Management.Automation;
using ReleaseOps.Deploy;

namespace ReleaseOps.Cmdlets.Deploy;

/// <summary>
/// <para type="synopsis">Rolls a release plan's services back to the previous release (or -ToVersion).</para>
/// <para type="description">Blue-green services switch back to the color kept from the last release; other
/// strategies start the previous version beside the current one and switch traffic before stopping anything;
/// Swarm services use Swarm's own rollback. With -RestoreDatabase, the database is restored from the pre-deploy
/// backup of the release being undone. Also resolves an interrupted deployment. Writes each step, then a
/// RollbackResult with the measured duration; a failed rollback is also an error (RollbackFailed). Asks for
/// confirmation (ConfirmImpact High).</para>
/// </summary>
/// <example><code>Invoke-Rollback ./releaseplan.yml -Confirm:$false</code></example>
/// <example><code>$plan | Invoke-Rollback -WhatIf</code></example>
/// <example><code>$plan | Invoke-Rollback -ToVersion v1 -RestoreDatabase -Confirm:$false | Select-Object -Last 1</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "Rollback", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DeploymentStep), typeof(RollbackResult))]
public sealed class InvokeRollbackCommand : DeploymentCmdlet
{
    /// <summary><para type="description">The version to return to; default the release before the current one.</para></summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? ToVersion { get; set; }

    /// <summary><para type="description">Roll back only these services of the plan.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">Also restore the database from the pre-deploy backup of the release being undone.</para></summary>
    [Parameter]
    public SwitchParameter RestoreDatabase { get; set; }

    /// <summary><para type="description">Break a stale deploy lock (its holder's process is gone).</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var request = new RollbackRequest { ToVersion = ToVersion, Services = Service, RestoreDatabase = RestoreDatabase.IsPresent, Force = Force.IsPresent };
        ForEachPlan(async (op, plan) =>
        {
            var action = $"Roll back to {request.ToVersion ?? "the previous release"}{(request.RestoreDatabase ? " and restore the database from the pre-deploy backup" : "")}";
            if (!await op.ShouldProcessAsync(plan.ToString(), action).ConfigureAwait(false))
            {
                return;
            }
            await foreach (var record in new RollbackService(Engine()).RollbackAsync(plan, request, op, op.Cancellation).ConfigureAwait(false))
            {
                op.Emit(record);
                if (record is RollbackResult result && result.ToException() is { } failure)
                {
                    op.Fail(failure);
                }
            }
        });
    }
}
