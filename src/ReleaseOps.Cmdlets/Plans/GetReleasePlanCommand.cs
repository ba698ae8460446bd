using System.Management.Automation;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Plans;

/// <summary>
/// <para type="synopsis">Reads a release plan and returns it as a ReleasePlan object.</para>
/// <para type="description">Reads and validates a YAML release plan. Variables are substituted; secrets stay as
/// ${secret:NAME} references and are read only when an operation uses them. Paths in the plan (journal, proxy files,
/// backup destinations, secret files) are relative to the plan file. A plan with problems is reported as an error
/// listing each problem as file:line:col: message (use Test-ReleasePlan to get them as objects); a missing file is an
/// ObjectNotFound error; either way the other plans given are still read.</para>
/// </summary>
/// <example><code>Get-ReleasePlan ./releaseplan.yml</code></example>
/// <example><code>Get-ChildItem ./*.yml | Get-ReleasePlan | Select-Object Application, Environment, Version</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml -Variable @{ tag = 'v2' } | Format-List</code></example>
[Cmdlet(VerbsCommon.Get, "ReleasePlan")]
[OutputType(typeof(ReleasePlan))]
public sealed class GetReleasePlanCommand : PlanFileCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var file in Files())
        {
            Run(op => LoadPlanAsync(op, file, Variables()), target: file);
        }
    }
}
