using System.Management.Automation;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Plans;

public sealed class PlanCmdletTests : TemporaryDirectory
{
    private const string Valid = "api_version: releaseops/v1\napplication: shop\nenvironment: prod\nvariables:\n  tag: v1\n"
        + "services:\n  - name: web\n    image: shop/web:${var:tag}\n";

    [Fact]
    public void Get_ReleasePlan_returns_plans_for_each_path_piped_in()
    {
        var a = Write("a.yml", Valid);
        Write("b.yml", Valid.Replace("shop", "cart"));
        using var session = PowerShellSession.Start(Directory);
        var result = session.Run("'a.yml', (Get-Item b.yml) | Get-ReleasePlan").ThrowIfFailed();

        Assert.Equal(new[] { "shop", "cart" }, result.Objects<ReleasePlan>().Select(p => p.Application));
        Assert.Equal(a, result.Objects<ReleasePlan>().First().SourcePath);
    }

    [Fact]
    public void Get_ReleasePlan_applies_variable_overrides()
    {
        Write("a.yml", Valid);
        using var session = PowerShellSession.Start(Directory);
        var plan = Assert.Single(session.Run("Get-ReleasePlan a.yml -Variable @{ tag = 'v2' }").ThrowIfFailed().Objects<ReleasePlan>());
        Assert.Equal("shop/web:v2", plan.Services[0].Image);
    }

    [Fact]
    public void An_invalid_plan_among_several_is_a_non_terminating_error_with_every_diagnostic()
    {
        var bad = Write("bad.yml", Valid + "    replicas: many\n");
        Write("good.yml", Valid);
        using var session = PowerShellSession.Start(Directory);
        var result = session.Run("Get-ReleasePlan bad.yml, good.yml");

        Assert.Single(result.Objects<ReleasePlan>());
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("PlanInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.Equal(bad, error.TargetObject);
        Assert.Contains($"{bad}:9:15: 'many' is not valid", error.Exception.Message);
    }

    [Fact]
    public void A_missing_plan_file_is_a_clear_error()
    {
        using var session = PowerShellSession.Start(Directory);
        var result = session.Run("Get-ReleasePlan missing.yml");

        var record = result.Errors.SingleOrDefault() ?? result.Terminating;
        Assert.NotNull(record);
        Assert.StartsWith("PlanNotFound,", record!.FullyQualifiedErrorId);
        Assert.NotNull(record.ErrorDetails?.RecommendedAction);
    }

    [Fact]
    public void Test_ReleasePlan_returns_diagnostic_records()
    {
        Write("bad.yml", Valid + "    imagee: x\n");
        using var session = PowerShellSession.Start(Directory);
        var result = session.Run("Test-ReleasePlan bad.yml").ThrowIfFailed();

        var diagnostic = Assert.Single(result.Objects<PlanDiagnostic>());
        Assert.Equal((9, 5), (diagnostic.Line, diagnostic.Column));
        Assert.Equal("UnknownKey", diagnostic.Code);
        Assert.Contains("did you mean 'image'?", diagnostic.Message);
    }

    [Fact]
    public void Test_ReleasePlan_Quiet_returns_one_boolean_per_plan()
    {
        Write("good.yml", Valid);
        Write("bad.yml", "application: x\n");
        using var session = PowerShellSession.Start(Directory);
        var result = session.Run("Test-ReleasePlan good.yml, bad.yml -Quiet").ThrowIfFailed();
        Assert.Equal(new object[] { true, false }, result.Output.Select(o => o.BaseObject));
    }

    [Fact]
    public void Relative_paths_resolve_against_the_PowerShell_location_not_the_process_directory()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "sub"));
        Write("sub/rel.yml", Valid);
        using var session = PowerShellSession.Start(Directory);
        var result = session.Run("Set-Location sub; Test-ReleasePlan rel.yml -Quiet").ThrowIfFailed();
        Assert.NotEqual(Path.Combine(Directory, "sub"), Environment.CurrentDirectory);
        Assert.Equal(new object[] { true }, result.Output.Select(o => o.BaseObject));
    }
}
