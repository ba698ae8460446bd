using System.Management.Automation;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Plans;

/// <summary>
/// <para type="synopsis">Reads a release plan and returns it as a ReleasePlan object.</para>
/// <para type="description">Reads and validates a YAML release plan. Variables are substituted; secrets stay as
/// ${secret:NAME} references and are read only when an operation uses them. A plan with problems is reported as an
/// error listing each problem as file:line:col: message (use Test-ReleasePlan to get them as objects).</para>
/// </summary>
/// <example><code>Get-ReleasePlan ./releaseplan.yml</code></example>
/// <example><code>Get-ChildItem plans/*.yml | Get-ReleasePlan | Select-Object Application, Environment, Version</code></example>
[Cmdlet(VerbsCommon.Get, "ReleasePlan")]
[OutputType(typeof(ReleasePlan))]
public sealed class GetReleasePlanCommand : PlanFileCmdlet
{
    protected override void ProcessRecord()
    {
        foreach (var path in Path)
        {
            var file = ResolvePath(path);
            Run(async op =>
            {
                try
                {
                    op.Emit(await ReleasePlanLoader.LoadAsync(file, Variables(), op.Cancellation).ConfigureAwait(false));
                }
                catch (PlanInvalidException ex)
                {
                    // One bad plan among many piped in should not stop the others.
                    op.Fail(ex, file);
                }
            }, target: file);
        }
    }
}
