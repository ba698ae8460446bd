using System.Collections;
using System.Management.Automation;
using ReleaseOps.Cmdlets.Plans;
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
        var b = Write("b.yml", Valid.Replace("shop", "cart"));
        var cmdlet = new GetReleasePlanCommand();
        var runtime = CmdletHarness.Invoke(cmdlet, new Action<GetReleasePlanCommand>[]
        {
            c => c.Path = new[] { a },
            c => c.Path = new[] { b },
        });

        Assert.Empty(runtime.Errors);
        Assert.Equal(new[] { "shop", "cart" }, runtime.OutputOf<ReleasePlan>().Select(p => p.Application));
        Assert.Equal(a, runtime.OutputOf<ReleasePlan>().First().SourcePath);
    }

    [Fact]
    public void Get_ReleasePlan_applies_variable_overrides()
    {
        var cmdlet = new GetReleasePlanCommand { Path = new[] { Write("a.yml", Valid) }, Variable = new Hashtable { ["tag"] = "v2" } };
        var plan = Assert.Single(CmdletHarness.Invoke(cmdlet).OutputOf<ReleasePlan>());
        Assert.Equal("shop/web:v2", plan.Services[0].Image);
    }

    [Fact]
    public void An_invalid_plan_among_several_is_a_non_terminating_error_with_every_diagnostic()
    {
        var bad = Write("bad.yml", Valid + "    replicas: many\n");
        var good = Write("good.yml", Valid);
        var runtime = CmdletHarness.Invoke(new GetReleasePlanCommand { Path = new[] { bad, good } });

        Assert.Single(runtime.OutputOf<ReleasePlan>());
        var error = Assert.Single(runtime.Errors);
        Assert.Equal("PlanInvalid", error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.Category);
        Assert.Equal(bad, error.TargetObject);
        Assert.Contains($"{bad}:9:15: 'many' is not valid", error.Message);
    }

    [Fact]
    public void A_missing_plan_file_terminates_with_a_clear_error()
    {
        var ex = Assert.Throws<TerminatingErrorException>(() =>
            CmdletHarness.Invoke(new GetReleasePlanCommand { Path = new[] { Path.Combine(Directory, "missing.yml") } }));
        Assert.Equal("PlanNotFound", ex.Error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, ex.Error.Category);
        Assert.NotNull(ex.Error.RecommendedAction);
    }

    [Fact]
    public void Test_ReleasePlan_returns_diagnostic_records()
    {
        var path = Write("bad.yml", Valid + "    imagee: x\n");
        var runtime = CmdletHarness.Invoke(new TestReleasePlanCommand { Path = new[] { path } });

        var diagnostic = Assert.Single(runtime.OutputOf<PlanDiagnostic>());
        Assert.Equal((9, 5), (diagnostic.Line, diagnostic.Column));
        Assert.Equal("UnknownKey", diagnostic.Code);
        Assert.Contains("did you mean 'image'?", diagnostic.Message);
        Assert.Empty(runtime.Errors);
    }

    [Fact]
    public void Test_ReleasePlan_Quiet_returns_one_boolean_per_plan()
    {
        var runtime = CmdletHarness.Invoke(new TestReleasePlanCommand
        {
            Path = new[] { Write("good.yml", Valid), Write("bad.yml", "application: x\n") },
            QuietRequested = true,
        });
        Assert.Equal(new object?[] { true, false }, runtime.Output);
    }

    [Fact]
    public void Relative_paths_resolve_through_the_host()
    {
        Write("rel.yml", Valid);
        var previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Directory;
        try
        {
            var runtime = CmdletHarness.Invoke(new TestReleasePlanCommand { Path = new[] { "rel.yml" }, QuietRequested = true });
            Assert.Equal(new object?[] { true }, runtime.Output);
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }
    }
}
