using System.Text.Json;
using ReleaseOps.Tests.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Cli;

public sealed class PlanCliTests : TemporaryDirectory
{
    private static string Example => Path.Combine(ExamplePlanTests.RepositoryRoot, "examples", "quickstart", "releaseplan.yml");

    [Fact]
    public void Validate_exits_0_on_the_example_plan()
    {
        var result = CliRunner.Run("validate", Example);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("valid (1 services", result.Out);
    }

    [Fact]
    public void Validate_prints_position_and_suggestion_for_a_misspelt_key_and_exits_1()
    {
        var plan = Path.Combine(Directory, "plan.yml");
        File.WriteAllText(plan, File.ReadAllText(Example).Replace("    drain: 2s", "    drian: 2s"));
        var result = CliRunner.Run("validate", plan);

        Assert.Equal(1, result.ExitCode);
        var line = File.ReadAllLines(plan).ToList().FindIndex(l => l.Contains("drian")) + 1;
        Assert.Contains($"{plan}:{line}:7: unknown key 'drian'; did you mean 'drain'?", result.Out);
    }

    [Fact]
    public void Validate_with_json_output_lists_diagnostics()
    {
        var plan = Path.Combine(Directory, "plan.yml");
        File.WriteAllText(plan, "api_version: releaseops/v1\napplication: a\nenvironment: b\nwatch: { duration: soon }\n");
        var result = CliRunner.Run("validate", plan, "--output", "json");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var diagnostic = json.RootElement.GetProperty("diagnostics")[0];
        Assert.Equal(4, diagnostic.GetProperty("line").GetInt32());
        Assert.Equal("InvalidValue", diagnostic.GetProperty("code").GetString());
    }

    [Fact]
    public void Usage_errors_exit_2_and_a_missing_plan_3()
    {
        Assert.Equal(2, CliRunner.Run("validate").ExitCode);
        Assert.Equal(3, CliRunner.Run("validate", Path.Combine(Directory, "missing.yml")).ExitCode); // PlanNotFound: could not run
        Assert.Equal(2, CliRunner.Run("validate", Example, "--var", "novalue").ExitCode);
        Assert.Equal(2, CliRunner.Run("no-such-command").ExitCode);
    }

    [Fact]
    public void Show_prints_the_plan_and_json_keeps_secrets_as_references()
    {
        var table = CliRunner.Run("show", Example);
        Assert.Equal(0, table.ExitCode);
        Assert.Contains("quickstart/local", table.Out);
        Assert.Contains("releaseops-demo/web", table.Out);

        const string canary = "canary-cli-show-31337";
        Environment.SetEnvironmentVariable("RO_CLI_CANARY", canary);
        try
        {
            var plan = Path.Combine(Directory, "secret.yml");
            File.WriteAllText(plan, "api_version: releaseops/v1\napplication: a\nenvironment: b\nsecrets:\n  pw: { env: RO_CLI_CANARY }\n"
                + "backups:\n  - name: db\n    type: postgres\n    destination: /b\n    connection: { host: h, password: \"${secret:pw}\" }\n");
            var json = CliRunner.Run("show", plan, "--output", "json");
            Assert.Equal(0, json.ExitCode);
            Assert.Contains("${secret:pw}", json.Out);
            Assert.DoesNotContain(canary, json.Out + json.Error);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RO_CLI_CANARY", null);
        }
    }

    [Fact]
    public void Schema_prints_the_committed_json_schema()
    {
        var result = CliRunner.Run("schema");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllText(Path.Combine(ExamplePlanTests.RepositoryRoot, "docs", "releaseplan.schema.json")), result.Out);
    }
}
