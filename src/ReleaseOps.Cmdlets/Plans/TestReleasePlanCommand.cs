using System.Management.Automation;
using ReleaseOps.Errors;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Plans;

/// <summary>
/// <para type="synopsis">Validates a release plan and returns every problem found.</para>
/// <para type="description">Returns one PlanDiagnostic per problem (file, line, column, message, code), and nothing for
/// a valid plan. With -Quiet, returns $true or $false per plan instead, $false also for a file that does not exist.
/// Nothing is run or contacted.</para>
/// </summary>
/// <example><code>Test-ReleasePlan ./releaseplan.yml</code></example>
/// <example><code>if (-not (Test-ReleasePlan ./releaseplan.yml -Quiet)) { throw 'plan invalid' }</code></example>
/// <example><code>Get-ChildItem ./*.yml | Test-ReleasePlan | Format-Table File, Line, Column, Message</code></example>
[Cmdlet(VerbsDiagnostic.Test, "ReleasePlan")]
[OutputType(typeof(PlanDiagnostic), typeof(bool))]
public sealed class TestReleasePlanCommand : PlanFileCmdlet
{
    /// <summary><para type="description">Return only $true (valid) or $false (invalid or missing) for each plan.</para></summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        foreach (var file in Files())
        {
            Run(async op =>
            {
                PlanValidation validation;
                try
                {
                    validation = await ReleaseOps.Releases.StandardRelease.ValidateAsync(file, Variables(), op.Cancellation).ConfigureAwait(false);
                }
                catch (ReleaseOpsException ex) when (Quiet.IsPresent && ex.Kind == FailureKind.NotFound)
                {
                    op.Emit(false); // as Test-Path: a plan that is not there is not a valid plan
                    return;
                }
                if (Quiet.IsPresent)
                {
                    op.Emit(validation.IsValid);
                    return;
                }
                foreach (var diagnostic in validation.Diagnostics)
                {
                    op.Emit(diagnostic);
                }
                op.Verbose(validation.IsValid
                    ? $"{file}: valid ({validation.Plan!.Services.Count} services, {validation.Plan.Gates.Count} gates)."
                    : $"{file}: {validation.Errors.Count()} problem(s).");
            }, target: file);
        }
    }
}
