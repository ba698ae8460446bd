using System.Management.Automation;
using ReleaseOps.Deploy;

namespace ReleaseOps.Cmdlets.Deploy;

/// <summary>
/// <para type="synopsis">Rolls a release plan's services back to the previous release (or -ToVersion).</para>
/// <para type="description">Blue-green services switch back to the color kept from the last release; other
/// strategies start the previous version beside the current one and switch traffic before stopping anything;
/// Swarm services use Swarm's own rollback. With -RestoreDatabase, the database is restored from the pre-deploy
/// backup of the release being undone. Also resolves an interrupted deployment. Writes each step, then a
/// RollbackResult with the measured duration.</para>
/// </summary>
/// <example><code>Invoke-Rollback ./releaseplan.yml</code></example>
/// <example><code>Invoke-Rollback ./releaseplan.yml -ToVersion v1 -RestoreDatabase -Confirm:$false</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "Rollback", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = ByPath)]
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
        var source = PlanSource();
        var request = new RollbackRequest { ToVersion = ToVersion, Services = Service, RestoreDatabase = RestoreDatabase.IsPresent, Force = Force.IsPresent };
        var rollback = new RollbackService(Engine());
        Run(async op =>
        {
            var plan = await source(op.Cancellation).ConfigureAwait(false);
            var action = $"Roll back to {request.ToVersion ?? "the previous release"}{(request.RestoreDatabase ? " and restore the database from the pre-deploy backup" : "")}";
            if (!await op.ShouldProcessAsync(plan.ToString(), action).ConfigureAwait(false))
            {
                return;
            }
            await foreach (var record in rollback.RollbackAsync(plan, request, op, op.Cancellation).ConfigureAwait(false))
            {
                op.Emit(record);
            }
        }, target: InputObject?.ToString() ?? Plan);
    }
}
