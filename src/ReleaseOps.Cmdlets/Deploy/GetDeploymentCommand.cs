using System.Management.Automation;
using ReleaseOps.Journal;

namespace ReleaseOps.Cmdlets.Deploy;

/// <summary>
/// <para type="synopsis">Lists the deployments and rollbacks of a release plan's application and environment from its journal.</para>
/// <para type="description">Returns ReleaseRecord objects, newest first: who, where, when, version and previous version,
/// images by digest, every step and the outcome. Filter by -Version, -Status, -Kind, -Id, or keep the newest -Last N.</para>
/// </summary>
/// <example><code>Get-Deployment ./releaseplan.yml -Last 5</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Get-Deployment -Status Succeeded | Select-Object -ExpandProperty Steps</code></example>
/// <example><code>$plan | Get-Deployment -Kind Rollback -Last 1 | Format-List</code></example>
[Cmdlet(VerbsCommon.Get, "Deployment")]
[OutputType(typeof(ReleaseRecord))]
public sealed class GetDeploymentCommand : DeploymentCmdlet
{
    /// <summary><para type="description">Only releases of these versions.</para></summary>
    [Parameter]
    public string[]? Version { get; set; }

    /// <summary><para type="description">Only releases with these outcomes (InProgress, Succeeded, Failed, RolledBack, Interrupted).</para></summary>
    [Parameter]
    public ReleaseStatus[]? Status { get; set; }

    /// <summary><para type="description">Only deployments or only rollbacks.</para></summary>
    [Parameter]
    public ReleaseKind? Kind { get; set; }

    /// <summary><para type="description">Only the release with this id.</para></summary>
    [Parameter]
    public string? Id { get; set; }

    /// <summary><para type="description">Only the newest N releases (after the other filters).</para></summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int? Last { get; set; }

    protected override void ProcessRecord() => ForEachPlan(async (op, plan) =>
    {
        IEnumerable<ReleaseRecord> history = await Engine().HistoryAsync(plan, op.Cancellation).ConfigureAwait(false);
        if (Version is { Length: > 0 }) history = history.Where(r => Version.Contains(r.Version, StringComparer.OrdinalIgnoreCase));
        if (Status is { Length: > 0 }) history = history.Where(r => Status.Contains(r.Status));
        if (Kind is not null) history = history.Where(r => r.Kind == Kind);
        if (Id is not null) history = history.Where(r => r.Id == Id);
        if (Last is not null) history = history.Take(Last.Value);
        foreach (var record in history)
        {
            op.Emit(record);
        }
    });
}
