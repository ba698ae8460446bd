using System.Collections;
using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Deploy;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Deploy;

/// <summary>Parameters shared by the cmdlets that act on a plan's deployments: the plan, by path or as an object.</summary>
public abstract class DeploymentCmdlet : ReleaseOpsCmdlet
{
    protected const string ByPath = "Path";
    protected const string ByObject = "Object";

    /// <summary>
    /// <para type="description">Path of the release plan (YAML). Accepts FileInfo objects from Get-ChildItem.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ByPath, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath", "Path")]
    [ValidateNotNullOrEmpty]
    public string? Plan { get; set; }

    /// <summary>
    /// <para type="description">A release plan from Get-ReleasePlan, usually piped in.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ByObject, ValueFromPipeline = true)]
    public ReleasePlan? InputObject { get; set; }

    /// <summary>
    /// <para type="description">Values for ${var:NAME} references when the plan is read from a path.</para>
    /// </summary>
    [Parameter(ParameterSetName = ByPath)]
    public Hashtable? Variable { get; set; }

    /// <summary>The standard release wiring (gates, backups, canary judge); the plan names the Docker engine and the journal.</summary>
    internal static DeploymentEngine Engine() => ReleaseOps.Releases.StandardRelease.Engine();

    /// <summary>The plan from -InputObject, or loaded from -Plan (path resolved on the pipeline thread).</summary>
    internal Func<CancellationToken, Task<ReleasePlan>> PlanSource()
    {
        if (InputObject is not null)
        {
            var given = InputObject;
            return _ => Task.FromResult(given);
        }
        var file = ResolvePath(Plan!);
        var variables = PowerShellValues.StringMap(Variable);
        return cancellation => ReleasePlanLoader.LoadAsync(file, variables, cancellation);
    }
}
