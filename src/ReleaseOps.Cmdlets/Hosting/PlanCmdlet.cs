using System.Collections;
using System.Management.Automation;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// The base of the cmdlets whose subject is a release plan (Invoke-Deployment, Test-ReleaseGate,
/// Watch-ReleaseHealth...). They take it the same way: -Plan, a ReleasePlan object, bound from the
/// pipeline by value; or -PlanPath, the plan's file (first position, wildcards, FileInfo objects from
/// Get-ChildItem by property name) read with -Variable. Derived cmdlets declare no default parameter
/// set: with one, PowerShell settles on it before it sees the pipeline, and a piped plan (by value)
/// or a piped file (by property name) could no longer bind to the other set.
/// </summary>
public abstract class PlanCmdlet : ReleaseOpsCmdlet
{
    protected const string PlanSet = "Plan";
    protected const string PlanPathSet = "PlanPath";

    /// <summary><para type="description">A release plan from Get-ReleasePlan, usually piped in.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PlanSet)]
    public ReleasePlan? Plan { get; set; }

    /// <summary><para type="description">Path of the release plan file (YAML), relative to the current location; wildcards select several. Accepts FileInfo objects from Get-ChildItem.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PlanPathSet)]
    [Alias("FullName", "PSPath")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? PlanPath { get; set; }

    /// <summary><para type="description">Values for ${var:NAME} references in the plan file; they override its variables block.</para></summary>
    [Parameter(ParameterSetName = PlanPathSet)]
    public Hashtable? Variable { get; set; }

    /// <summary>Runs <paramref name="body"/> for the -Plan object or each -PlanPath file, each as an item of its own.</summary>
    internal void ForEachPlan(Func<CmdletOperation, ReleasePlan, Task> body) => ForEachPlan(Plan, PlanPath, Variable, body);
}
