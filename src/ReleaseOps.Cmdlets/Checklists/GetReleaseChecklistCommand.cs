using System.Management.Automation;
using ReleaseOps.Checklists;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Releases;

namespace ReleaseOps.Cmdlets.Checklists;

/// <summary>
/// <para type="synopsis">Shows where every item of a release plan's checklist stands for a version.</para>
/// <para type="description">Binds the plan's checklist (checklist: files and items) and judges each item against the journal:
/// Passed or Failed from its gate, deployment step, backup or watch criterion (with the evidence), Attested by a member of
/// its role (who, when, note and evidence; the signature is checked), Pending, NotApplicable (with the reason) or Unbound.
/// The version is -Version, else the plan's; -ReleaseId picks one deployment exactly. With -Coverage, returns one
/// ChecklistCoverage per file instead: how many items are automated, attested by a role, not applicable or unbound, and how
/// many passed, failed, are attested or pending.</para>
/// </summary>
/// <example><code>Get-ReleaseChecklist ./releaseplan.yml -Version v1 | Format-Table</code></example>
/// <example><code>Get-ReleaseChecklist ./releaseplan.yml -Coverage</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Get-ReleaseChecklist -State Pending, Unbound | Select-Object State, Text, Evidence</code></example>
[Cmdlet(VerbsCommon.Get, "ReleaseChecklist")]
[OutputType(typeof(ChecklistItemStatus), typeof(ChecklistCoverage))]
public sealed class GetReleaseChecklistCommand : PlanCmdlet
{
    /// <summary><para type="description">The version the status is for (default: the plan's version, else the newest deployment's).</para></summary>
    [Parameter]
    public string? Version { get; set; }

    /// <summary><para type="description">This deployment exactly (an id from Get-Deployment), instead of the newest deployment of the version.</para></summary>
    [Parameter]
    public string? ReleaseId { get; set; }

    /// <summary><para type="description">Only items in these states: Passed, Failed, Attested, Pending, NotApplicable, Unbound.</para></summary>
    [Parameter]
    public ChecklistItemState[]? State { get; set; }

    /// <summary><para type="description">Return one ChecklistCoverage per checklist file instead of the items.</para></summary>
    [Parameter]
    public SwitchParameter Coverage { get; set; }

    protected override void ProcessRecord() => ForEachPlan(async (op, plan) =>
    {
        var report = await StandardRelease.Checklist(plan).StatusAsync(plan, Version, op.Cancellation, ReleaseId).ConfigureAwait(false);
        if (Coverage.IsPresent)
        {
            foreach (var coverage in report.Coverage) op.Emit(coverage);
            return;
        }
        foreach (var item in report.Items.Where(i => State is not { Length: > 0 } || State.Contains(i.State)))
        {
            op.Emit(item);
        }
    });
}
