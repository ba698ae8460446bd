using System.Text.Json.Nodes;
using ReleaseOps.Plans.Schema;
using Xunit;

namespace ReleaseOps.Tests.Plans;

public class JsonSchemaTests
{
    [Fact]
    public void The_committed_json_schema_matches_the_loader_schema() =>
        GeneratedFiles.AssertInStep("docs/releaseplan.schema.json", JsonSchemaWriter.Write());

    [Fact]
    public void The_schema_describes_every_top_level_key_gate_type_and_required_field()
    {
        var schema = JsonNode.Parse(JsonSchemaWriter.Write())!.AsObject();
        var properties = schema["properties"]!.AsObject();
        Assert.Equal(PlanSchema.Root.Properties.Select(p => p.Name), properties.Select(p => p.Key));
        Assert.Equal(new[] { "api_version", "application", "environment" }, schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(schema["additionalProperties"]!.GetValue<bool>());

        var gateVariants = properties["gates"]!["items"]!["allOf"]!.AsArray();
        var tags = gateVariants.Select(v => v!["if"]!["properties"]!["type"]!["const"]!.GetValue<string>());
        Assert.Equal(ReleaseOps.Plans.Schema.GateTypeCatalog.All.Select(t => t.Name), tags);
        var tls = gateVariants.Single(v => v!["if"]!["properties"]!["type"]!["const"]!.GetValue<string>() == "tls")!["then"]!;
        Assert.Contains("host", tls["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(tls["additionalProperties"]!.GetValue<bool>());
    }
}

public class PlanReferenceTests
{
    [Fact]
    public void The_plan_reference_documents_every_top_level_key_and_gate_type()
    {
        var reference = File.ReadAllText(Path.Combine(ExamplePlanTests.RepositoryRoot, "docs", "plan-reference.md"));
        foreach (var key in ReleaseOps.Plans.Schema.PlanSchema.Root.Properties.Select(p => p.Name))
        {
            Assert.Contains($"| `{key}` |", reference);
        }
        foreach (var type in ReleaseOps.Plans.Schema.GateTypeCatalog.All)
        {
            Assert.Contains($"| `{type.Name}` |", reference);
        }
    }

    [Fact]
    public void Each_gate_types_row_names_every_setting_of_the_type()
    {
        var reference = File.ReadAllLines(Path.Combine(ExamplePlanTests.RepositoryRoot, "docs", "plan-reference.md"))
            .SkipWhile(l => l != "## gates").TakeWhile(l => l != "## backups").ToArray();
        foreach (var type in ReleaseOps.Plans.Schema.GateTypeCatalog.All)
        {
            var row = reference.Single(l => l.StartsWith($"| `{type.Name}` |", StringComparison.Ordinal));
            var missing = type.Settings.Select(p => p.Name).Where(name => !row.Contains($"`{name}`", StringComparison.Ordinal)).ToArray();
            Assert.True(missing.Length == 0 || row.Contains("the `http` request keys") && missing.All(m => HttpRequestKeys.Contains(m)),
                $"docs/plan-reference.md's row for {type.Name} does not name {string.Join(", ", missing)}");
        }
    }

    private static readonly string[] HttpRequestKeys = { "url", "method", "headers", "body", "follow_redirects", "insecure", "ca_file" };
}
