using System.Management.Automation;
using ReleaseOps.Deploy;

namespace ReleaseOps.Cmdlets.Deploy;

/// <summary>
/// <para type="synopsis">Deploys a version of a release plan's services, health-gated, journalled and rolled back on failure.</para>
/// <para type="description">Takes the deploy lock, runs pre-deploy gates and the pre-deploy backup, runs migrations,
/// rolls each service out with its strategy (Recreate, Rolling, BlueGreen, Canary; containers or Swarm services),
/// verifies it with its health probes and smoke checks, runs post-deploy gates, and releases the lock. Each step is
/// written as a DeploymentStep the moment it ends, then one DeploymentResult. When verification fails the previous
/// release is put back automatically; a deployment that fails or is rolled back is also reported as an error
/// (DeploymentFailed, DeploymentRolledBack), so $? is $false and -ErrorAction Stop throws. -WhatIf shows the exact
/// steps and touches nothing, not even the journal.</para>
/// </summary>
/// <example><code>Invoke-Deployment ./releaseplan.yml -Version v2 -Confirm:$false</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Invoke-Deployment -Version v2 -WhatIf</code></example>
/// <example><code>$result = $plan | Invoke-Deployment -Version v2 -Confirm:$false -ErrorAction Stop | Select-Object -Last 1</code></example>
[Cmdlet(VerbsLifecycle.Invoke, "Deployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DeploymentStep), typeof(DeploymentResult))]
public sealed class InvokeDeploymentCommand : DeploymentCmdlet
{
    /// <summary><para type="description">The version to deploy (the image tag); default the plan's version.</para></summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Version { get; set; }

    /// <summary><para type="description">Deploy only these services of the plan.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Service { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">Break a stale deploy lock (its holder's process is gone).</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary><para type="description">Finish a deployment that was interrupted (its process died); without it such a deployment blocks new ones.</para></summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary><para type="description">The watch after the release goes live. Without it, as the plan says (watch.after_deploy: the
    /// release is Succeeded only when the watch ends healthy, and rolled back when it breaches or cannot judge); -Watch:$false skips
    /// it (journaled as skipped); -Watch runs the plan's watch even when the plan does not ask.</para></summary>
    [Parameter]
    public SwitchParameter Watch { get; set; }

    protected override void ProcessRecord()
    {
        var request = new DeploymentRequest
        {
            Version = Version, Services = Service, Force = Force.IsPresent, Resume = Resume.IsPresent,
            Watch = MyInvocation.BoundParameters.ContainsKey(nameof(Watch)) ? Watch.IsPresent : null,
        };
        ForEachPlan(async (op, plan) =>
        {
            var engine = Engine();
            var steps = engine.Plan(plan, request);
            var version = request.Version ?? plan.Version ?? "(interrupted release)";
            var action = $"Deploy {version}:" + string.Concat(steps.Select(s => $"{Environment.NewLine}  {s}"));
            if (!await op.ShouldProcessAsync(plan.ToString(), action).ConfigureAwait(false))
            {
                return;
            }
            await foreach (var record in engine.DeployAsync(plan, request, op, op.Cancellation).ConfigureAwait(false))
            {
                op.Emit(record);
                if (record is DeploymentResult result && result.ToException() is { } failure)
                {
                    op.Fail(failure);
                }
            }
        });
    }
}
