using ReleaseOps.Plans;
using ReleaseOps.Plans.Schema;
using Xunit;

namespace ReleaseOps.Tests.Plans.Keys;

/// <summary>Keys the engine cannot act on are refused at validation, at their file:line:col, saying why and what to do instead.</summary>
public class KeyRefusalTests
{
    private const string Header = "api_version: releaseops/v1\napplication: shop\nenvironment: staging\n";

    private static PlanValidation Validate(string yaml) => ReleasePlanLoader.Validate(yaml, "plan.yml", null, _ => null);

    private static PlanDiagnostic Single(PlanValidation validation, string code)
    {
        var error = Assert.Single(validation.Errors);
        Assert.Equal(code, error.Code);
        return error;
    }

    [Fact]
    public void Every_key_the_schema_refuses_is_rejected_where_it_is_written_with_the_reason()
    {
        // Each refused key, written where it belongs in a plan that is otherwise valid.
        var refused = SchemaKeys.All().Where(k => k.Property?.Refused is not null).ToArray();
        Assert.NotEmpty(refused);
        foreach (var key in refused)
        {
            var yaml = key.Path switch
            {
                "services[].health[].container" => "services:\n  - name: web\n    image: shop/web\n    health:\n      - { name: h, url: /health, container: web }\n",
                "gates[type=redis].connection.database" => "gates:\n  - name: cache\n    type: redis\n    require_password: true\n    connection: { host: cache01, database: 3 }\n",
                _ => throw new Xunit.Sdk.XunitException($"{key.Path} is refused by the schema: add a plan that writes it to this test"),
            };
            var error = Single(Validate(Header + yaml), "KeyRefused");
            Assert.Equal(8, error.Line);
            Assert.Equal(34, error.Column);
            Assert.Contains(key.Property!.Refused!, error.Message);
            Assert.StartsWith("plan.yml:8:34: '", error.ToString());
        }
    }

    [Fact]
    public void Service_probes_of_type_container_or_metrics_are_refused_naming_what_to_use()
    {
        foreach (var (type, instead) in new[] { ("container", "HEALTHCHECK"), ("metrics", "watch probe of type metrics") })
        {
            var error = Single(Validate(Header + $"services:\n  - name: web\n    image: shop/web\n    health:\n      - {{ name: h, type: {type}, url: /m }}\n"),
                "RetiredValue");
            Assert.Equal(8, error.Line);
            Assert.Contains(instead, error.Message);
        }
        Assert.True(Validate(Header + "watch:\n  probes:\n    - { name: m, type: metrics, url: http://127.0.0.1:9/metrics }\n    - { name: c, type: container, container: web }\n").IsValid);
    }

    [Fact]
    public void Docker_secrets_on_a_container_service_are_refused_and_env_secret_references_are_the_way()
    {
        var error = Single(Validate(Header + "secrets: { db: { env: DB } }\nservices:\n  - name: web\n    image: shop/web\n    secrets: [db_password]\n"),
            "ContainerSecrets");
        Assert.Equal(6, error.Line);
        Assert.Contains("mounted by Swarm only", error.Message);
        Assert.Contains("env: { DB_PASSWORD: ${secret:db_password} }", error.Message);
        Assert.True(Validate(Header + "services:\n  - name: web\n    image: shop/web\n    target: swarm\n    secrets: [db_password]\n").IsValid);
        Assert.True(Validate(Header + "secrets: { db: { env: DB } }\nservices:\n  - name: web\n    image: shop/web\n    env: { DB_PASSWORD: \"${secret:db}\" }\n").IsValid);
    }

    [Fact]
    public void Baseline_criteria_with_a_postgres_journal_are_refused_and_with_a_file_journal_accepted()
    {
        const string watch = "watch:\n  probes: [{ name: web, url: http://127.0.0.1:9/ }]\n  criteria:\n    - { name: slower, expect: p95_increase < 50% }\n";
        var error = Single(Validate(Header + "journal:\n  store: postgres\n  connection: { host: db }\n" + watch), "BaselineNeedsFileJournal");
        Assert.Equal(10, error.Line);
        Assert.Contains("file journal only", error.Message);
        Assert.True(Validate(Header + "journal: { store: file }\n" + watch).IsValid);
        Assert.True(Validate(Header + "journal:\n  store: postgres\n  connection: { host: db }\n" + watch.Replace("p95_increase < 50%", "p95 < 800ms")).IsValid);
    }

    [Fact]
    public void The_json_schema_forbids_a_refused_key_and_says_why()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse(JsonSchemaWriter.Write())!;
        var text = schema.ToJsonString();
        Assert.Contains("Refused: service probes of type container are refused", text);
        var container = schema["properties"]!["services"]!["items"]!["properties"]!["health"]!["items"]!["properties"]!["container"]!;
        Assert.NotNull(container["not"]);
    }
}
