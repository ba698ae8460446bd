using System.Management.Automation;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Cli;

/// <summary>
/// The cmdlets' side of the hostile-input table: the same paths and values through the cmdlets that take them, in a real
/// runspace. Each ends in an error record with a ReleaseOps error id (or PowerShell's own binding error), never an
/// exception PowerShell could not trap, a hang, or a dead session.
/// </summary>
public sealed class HostileCmdletInputTests : IClassFixture<HostileInputTests.Inputs>
{
    private readonly HostileInputTests.Inputs _inputs;

    public HostileCmdletInputTests(HostileInputTests.Inputs inputs)
    {
        _inputs = inputs;
    }

    public static IEnumerable<object[]> Commands() => new[]
    {
        new object[] { "Get-ReleasePlan -PlanPath $path" },
        new object[] { "Test-ReleasePlan -PlanPath $path" },
        new object[] { "Get-Deployment -PlanPath $path" },
        new object[] { "Invoke-Deployment -PlanPath $path -Version v1 -Confirm:$false" },
        new object[] { "Watch-ReleaseHealth -PlanPath $path -Duration 1s" },
        new object[] { "Test-PgBackup -ManifestPath $path" },
        new object[] { "Restore-PgDatabase -ManifestPath $path -Confirm:$false" },
        new object[] { "Import-ReleaseChecklist -Path $path" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_hostile_path_ends_in_a_typed_error(string command)
    {
        using var session = PowerShellSession.Start(_inputs.Directory);
        var hostile = command.StartsWith("Import-ReleaseChecklist", StringComparison.Ordinal) ? _inputs.MarkdownFiles : _inputs.Files;
        foreach (var path in hostile.Where(p => p.Length > 0))
        {
            var run = Task.Run(() => session.Run($"param($path) {command}", new Dictionary<string, object?> { ["path"] = path }));
            var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Null(result.Aborted);
            var errors = result.Errors.Append(result.Terminating).OfType<ErrorRecord>().ToList();
            Assert.True(errors.Count > 0, $"{command} {path}: no error");
            Assert.All(errors, e => Assert.True(IsTyped(e), $"{command} {path}: {e.FullyQualifiedErrorId}: {e.Exception.GetType().Name}: {e.Exception.Message}"));
        }
    }

    [Fact]
    public void Hostile_durations_are_binding_errors_or_typed_refusals()
    {
        using var session = PowerShellSession.Start(_inputs.Directory);
        var url = "http://127.0.0.1:24061/health";
        foreach (var script in new[]
        {
            $"Watch-ReleaseHealth -Probe @{{ Name = 'web'; Url = '{url}' }} -Duration 99999999d",
            $"Watch-ReleaseHealth -Probe @{{ Name = 'web'; Url = '{url}' }} -Duration 365d",
            $"Watch-ReleaseHealth -Probe @{{ Name = 'web'; Url = '{url}' }} -Duration 1s -Interval 0s",
            "Remove-ReleaseBackup -Path . -MaxAge garbage -WhatIf",
            "Remove-ReleaseBackup -Path . -MaxAge 99999999999d -WhatIf",
        })
        {
            var result = session.Run(script);
            Assert.Null(result.Aborted);
            var errors = result.Errors.Append(result.Terminating).OfType<ErrorRecord>().ToList();
            Assert.True(errors.Count > 0, script);
            Assert.All(errors, e => Assert.True(IsTyped(e), $"{script}: {e.FullyQualifiedErrorId}: {e.Exception.GetType().Name}: {e.Exception.Message}"));
        }
    }

    /// <summary>A ReleaseOps error (its id is the record's) or PowerShell's binding/validation of a parameter.</summary>
    private static bool IsTyped(ErrorRecord e) =>
        e.Exception is ReleaseOps.Errors.ReleaseOpsException roe && e.FullyQualifiedErrorId.StartsWith(roe.ErrorId + ",", StringComparison.Ordinal)
        || e.Exception is ParameterBindingException or ValidationMetadataException
        || e.FullyQualifiedErrorId.StartsWith("ParameterArgument", StringComparison.Ordinal)
        || e.FullyQualifiedErrorId.StartsWith("PathNotFound", StringComparison.Ordinal);
}
