using System.Xml.Linq;
using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Reporting;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>Collects everything an engine operation reports, for assertions and leak scans.</summary>
internal sealed class CollectingReporter : IOperationReporter
{
    public List<string> Lines { get; } = new();

    public void Verbose(string message) { lock (Lines) Lines.Add("verbose: " + message); }

    public void Warning(string message) { lock (Lines) Lines.Add("warning: " + message); }

    public void Progress(OperationProgress progress) { lock (Lines) Lines.Add("progress: " + progress.Activity + " " + progress.Status); }
}

[Collection(GateNginxCollection.Name)]
public class GateRunnerTests : IClassFixture<GateScratchDirectory>
{
    private readonly GateNginxFixture _nginx;
    private readonly GateScratchDirectory _dir;

    public GateRunnerTests(GateNginxFixture nginx, GateScratchDirectory dir)
    {
        _nginx = nginx;
        _dir = dir;
    }

    private static async Task<List<GateResult>> RunAll(IEnumerable<GateDefinition> gates, GateRunOptions options, GateEnvironment? env = null,
        IOperationReporter? reporter = null)
    {
        var results = new List<GateResult>();
        await foreach (var r in Runner.RunAsync(gates, env ?? GateEnvironment.Default, options, reporter ?? SilentReporter.Instance, default))
        {
            results.Add(r);
        }
        return results;
    }

    /// <summary>A gate that passes only when all <paramref name="count"/> such gates run at the same time (a barrier on files).</summary>
    private GateDefinition Barrier(string barrier, string name, int count, int tries = 60) => Define(("type", "command"), ("name", name), ("timeout", "5s"),
        ("run", $"mkdir -p {barrier}; touch {barrier}/{name}; for i in $(seq {tries}); do [ $(ls {barrier} | wc -l) -ge {count} ] && exit 0; sleep 0.05; done; exit 1"));

    [Fact]
    public async Task Gates_run_in_parallel_up_to_the_throttle()
    {
        var together = Path.Combine(_dir.Path, "barrier-" + Guid.NewGuid().ToString("N")[..6]);
        var parallel = await RunAll(Enumerable.Range(1, 4).Select(i => Barrier(together, "g" + i, 4)), new GateRunOptions { ThrottleLimit = 4 });
        Assert.All(parallel, r => Assert.True(r.Status == GateStatus.Passed, Explain(r)));

        var oneAtATime = Path.Combine(_dir.Path, "barrier-" + Guid.NewGuid().ToString("N")[..6]);
        var serial = await RunAll(Enumerable.Range(1, 2).Select(i => Barrier(oneAtATime, "s" + i, 2, tries: 8)), new GateRunOptions { ThrottleLimit = 1 });
        Assert.Contains(serial, r => r.Status != GateStatus.Passed);
    }

    [Fact]
    public async Task FailFast_stops_at_the_first_critical_failure_and_skips_the_rest()
    {
        var gates = new List<GateDefinition>
        {
            Define(("type", "http"), ("name", "critical-health"), ("severity", "critical"), ("url", _nginx.Plain + "/missing"), ("expect", "status == 200")),
        };
        gates.AddRange(Enumerable.Range(1, 5).Select(i => Define(("type", "command"), ("name", "slow-" + i), ("run", "sleep 20"), ("timeout", "30s"))));
        var reporter = new CollectingReporter();

        var results = await RunAll(gates, new GateRunOptions { FailFast = true, ThrottleLimit = 3 }, reporter: reporter);

        Assert.Equal(6, results.Count);
        Assert.Equal(GateStatus.Failed, results.Single(r => r.Name == "critical-health").Status);
        Assert.All(results.Where(r => r.Name.StartsWith("slow-")), r =>
        {
            Assert.Equal(GateStatus.Skipped, r.Status);
            Assert.Contains("-FailFast stopped the run after critical gate 'critical-health'", r.Message);
        });
        Assert.Contains(reporter.Lines, l => l.StartsWith("warning: Critical gate 'critical-health'"));
    }

    [Fact]
    public async Task Selection_by_name_category_severity_and_tag()
    {
        var gates = new[]
        {
            Define(("type", "tcp"), ("name", "web-port"), ("host", "127.0.0.1"), ("port", GateNginxFixture.PlainPort), ("severity", "low"), ("tags", new[] { "smoke" })),
            Define(("type", "tls"), ("name", "web-cert"), ("host", "localhost"), ("port", GateNginxFixture.GoodTlsPort), ("ca_file", _nginx.CaFile)),
            Define(("type", "http"), ("name", "api-health"), ("url", _nginx.Plain + "/health"), ("category", "performance"), ("tags", new[] { "smoke", "api" })),
        };
        async Task<string[]> Names(GateSelection selection) =>
            (await RunAll(gates, new GateRunOptions { Selection = selection })).Select(r => r.Name).Order().ToArray();

        Assert.Equal(new[] { "web-cert", "web-port" }, await Names(new GateSelection { Names = new[] { "web-*" } }));
        Assert.Equal(new[] { "web-cert" }, await Names(new GateSelection { Categories = new[] { "Security" } }));
        Assert.Equal(new[] { "web-port" }, await Names(new GateSelection { Severities = new[] { GateSeverity.Low } }));
        Assert.Equal(new[] { "api-health", "web-port" }, await Names(new GateSelection { Tags = new[] { "smoke" } }));
        Assert.Empty(await Names(new GateSelection { Names = new[] { "nothing" } }));
    }

    [Fact]
    public async Task Bad_gates_become_error_results_that_say_what_to_fix()
    {
        var gates = new[]
        {
            new GateDefinition { Name = "typo", Type = "htttp" },
            new GateDefinition { Name = "no-url", Type = "http" },
            new GateDefinition { Name = "bad-expect", Type = "http", Settings = new GateSettings(new Dictionary<string, object?> { ["url"] = _nginx.Plain }), Expect = new[] { "status = 200" } },
        };
        var env = new GateEnvironment { Docker = new DockerEndpointDefinition { Host = "unix:///tmp/ro-gate-no-such-docker.sock" } };
        var results = (await RunAll(gates, new GateRunOptions(), env)).ToDictionary(r => r.Name);

        Assert.Equal("GateTypeUnknown", results["typo"].ErrorId);
        Assert.Contains("unknown type 'htttp'", results["typo"].Message);
        Assert.Contains("http, redirect-https", results["typo"].Fix);
        Assert.Equal("GateSettingMissing", results["no-url"].ErrorId);
        Assert.Contains("'url'", results["no-url"].Message);
        Assert.Equal("ConditionSyntaxError", results["bad-expect"].ErrorId);
        Assert.Contains("column 8", results["bad-expect"].Message);
        Assert.All(results.Values, r => Assert.Equal(GateStatus.Error, r.Status));
    }

    [Fact]
    public async Task A_canary_secret_never_reaches_results_evidence_verbose_text_or_any_report()
    {
        var canary = CanarySecret.New();
        var env = new GateEnvironment
        {
            PlanName = "shop/production",
            Secrets = SecretCatalog.Empty.With(new GivenSecretSource("token", new SecretValue(canary))),
        };
        var gates = new[]
        {
            // nginx echoes the Authorization header into the body, and the condition's message quotes the body.
            Define(("type", "http"), ("name", "echoes-token"), ("url", _nginx.Plain + "/echo-auth"),
                ("headers", new Dictionary<string, object?> { ["Authorization"] = "Bearer ${secret:token}" }), ("expect", "body contains \"welcome\"")),
            Define(("type", "postgres"), ("name", "db"), ("connection", new Dictionary<string, object?>
            {
                ["host"] = TestEnvironment.PgHost, ["port"] = TestEnvironment.PgPort, ["username"] = TestEnvironment.PgUser, ["password"] = "${secret:token}",
            })),
            Define(("type", "command"), ("name", "prints-token"), ("run", "echo $T; exit 1"), ("env", new Dictionary<string, object?> { ["T"] = "${secret:token}" })),
            Define(("type", "tcp"), ("name", "port"), ("host", "127.0.0.1"), ("port", GateNginxFixture.PlainPort)),
            Define(("type", "http"), ("name", "token-in-url"), ("url", _nginx.Plain + "/missing?token=${secret:token}"), ("expect", "status == 200")),
        };
        var reporter = new CollectingReporter();
        var summary = await Runner.RunToSummaryAsync(gates, env, new GateRunOptions(), reporter, default);

        Assert.Equal(5, summary.Total);
        Assert.EndsWith("token=********", summary.Results.Single(r => r.Name == "token-in-url").Target);
        var echoed = summary.Results.Single(r => r.Name == "echoes-token").Message;
        Assert.True(echoed.Contains("body \"denied for Bearer ********\" does not contain \"welcome\""), echoed);
        var suite = GateReport.ToSuite(summary);
        var texts = summary.Results.Select(r => System.Text.Json.JsonSerializer.Serialize(r))
            .Concat(summary.Results.Select(r => r.ToString()))
            .Concat(reporter.Lines)
            .Concat(Enum.GetValues<ReportFormat>().Select(f => ReportWriters.ToText(suite, f)));
        CanarySecret.AssertAbsent(canary, texts, "gate results, verbose text or reports");
    }

    [Fact]
    public async Task Reports_carry_every_gate_with_outcome_evidence_and_verdict()
    {
        var gates = new[]
        {
            Define(("type", "http"), ("name", "health"), ("url", _nginx.Plain + "/health"), ("expect", "json.status == \"UP\"")),
            Define(("type", "http"), ("name", "missing-page"), ("severity", "critical"), ("url", _nginx.Plain + "/missing"), ("expect", "status == 200")),
            Define(("type", "tcp"), ("name", "closed-port"), ("severity", "medium"), ("host", "127.0.0.1"), ("port", 22996)),
            Define(("type", "http"), ("name", "nowhere"), ("severity", "low"), ("url", "http://127.0.0.1:22995/")),
        };
        var summary = await Runner.RunToSummaryAsync(gates, new GateEnvironment { PlanName = "shop/staging" }, new GateRunOptions(), SilentReporter.Instance, default);
        Assert.True((1, 2, 1, 1) == (summary.Passed, summary.Failed, summary.Errors, summary.Blocking), string.Join("\n", summary.Results.Select(Explain)));
        Assert.False(summary.Succeeded);

        var junitFile = Path.Combine(_dir.Path, "reports", "gates.xml");
        var jsonFile = Path.Combine(_dir.Path, "reports", "gates.json");
        var markdownFile = Path.Combine(_dir.Path, "reports", "gates.md");
        await GateReport.WriteAsync(summary, junitFile, jsonFile, markdownFile, default);

        var junit = XDocument.Load(junitFile);
        var suite = junit.Root!.Element("testsuite")!;
        Assert.Equal("4", suite.Attribute("tests")!.Value);
        Assert.Equal("2", suite.Attribute("failures")!.Value);
        Assert.Equal("1", suite.Attribute("errors")!.Value);
        var failure = suite.Elements("testcase").Single(t => t.Attribute("name")!.Value == "missing-page").Element("failure")!;
        Assert.Equal("status 404 is not == 200", failure.Attribute("message")!.Value);
        Assert.Contains("status: 404", failure.Value);
        Assert.Equal("critical", suite.Elements("testcase").Single(t => t.Attribute("name")!.Value == "missing-page")
            .Descendants("property").Single(p => p.Attribute("name")!.Value == "severity").Attribute("value")!.Value);
        Assert.NotNull(suite.Elements("testcase").Single(t => t.Attribute("name")!.Value == "nowhere").Element("error"));

        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(jsonFile));
        Assert.False(json.RootElement.GetProperty("succeeded").GetBoolean());
        Assert.Equal(2, json.RootElement.GetProperty("counts").GetProperty("failed").GetInt32());
        var health = json.RootElement.GetProperty("cases").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "health");
        Assert.Equal("passed", health.GetProperty("outcome").GetString());
        Assert.Equal("200", health.GetProperty("evidence").GetProperty("status").GetString());

        var markdown = File.ReadAllText(markdownFile);
        Assert.Contains("# Release gates: shop/staging", markdown);
        Assert.Contains("**BLOCKED**", markdown);
        Assert.Contains("### ❌ missing-page", markdown);
        Assert.Contains("**Fix:** Start the service", markdown);
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir.Path, "reports"), "*.tmp"));
    }
}
