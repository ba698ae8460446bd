using System.Collections;
using System.Security;
using ReleaseOps.Cmdlets.Gates;
using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Gates;

[Collection(GateNginxCollection.Name)]
public class TestReleaseGateCommandTests : IClassFixture<GateScratchDirectory>
{
    private readonly GateNginxFixture _nginx;
    private readonly GateScratchDirectory _dir;

    public TestReleaseGateCommandTests(GateNginxFixture nginx, GateScratchDirectory dir)
    {
        _nginx = nginx;
        _dir = dir;
    }

    private string Plan() => _dir.Write($"plan-{Guid.NewGuid():N}.yml", $"""
        api_version: releaseops/v1
        application: shop
        environment: staging
        services:
          - name: web
            image: shop/web:v1
        gates:
          - name: health
            type: http
            category: performance
            url: {_nginx.Plain}/health
            expect: [status == 200, json.status == "UP"]
          - name: certificate
            type: tls
            severity: critical
            host: localhost
            port: {GateNginxFixture.ShortTlsPort}
            ca_file: {_nginx.CaFile}
            min_days: 30
          - name: web-port
            type: tcp
            severity: low
            tags: [smoke]
            host: 127.0.0.1
            port: {GateNginxFixture.PlainPort}
        """);

    [Fact]
    public void A_plan_path_runs_its_gates_and_writes_the_reports()
    {
        var junit = Path.Combine(_dir.Path, "cmdlet-report.xml");
        var markdown = Path.Combine(_dir.Path, "cmdlet-report.md");
        var runtime = CmdletHarness.Invoke(new TestReleaseGateCommand { Path = new[] { Plan() }, JUnitPath = junit, MarkdownPath = markdown });

        Assert.Empty(runtime.Errors);
        var results = runtime.OutputOf<GateResult>().ToDictionary(r => r.Name);
        Assert.Equal(GateStatus.Passed, results["health"].Status);
        Assert.Equal(GateStatus.Failed, results["certificate"].Status);
        Assert.Equal(GateStatus.Passed, results["web-port"].Status);
        Assert.Matches(@"plan-\w+\.yml:\d+:\d+", results["health"].Location);
        Assert.Contains("<testcase name=\"certificate\"", File.ReadAllText(junit));
        Assert.Contains("**BLOCKED**", File.ReadAllText(markdown));
        Assert.Contains(runtime.Verbose, v => v.StartsWith("3 gates: 2 passed, 1 failed"));
        Assert.NotEmpty(runtime.Progress);
    }

    [Fact]
    public async Task A_piped_plan_with_selection_and_summary()
    {
        var plan = await ReleasePlanLoader.LoadAsync(Plan());
        var cmdlet = new TestReleaseGateCommand { Tag = new[] { "smoke" }, SummaryRequested = true };
        var runtime = CmdletHarness.Invoke(cmdlet, new Action<TestReleaseGateCommand>[] { c => c.Plan = plan });

        var summary = Assert.Single(runtime.OutputOf<GateRunSummary>());
        Assert.Equal("shop/staging", summary.Plan);
        Assert.Equal(1, summary.Total);
        Assert.Equal("web-port", summary.Results.Single().Name);
        Assert.True(summary.Succeeded);
    }

    [Fact]
    public void Piped_hashtables_run_together_and_give_the_same_records_without_leaking_the_secret()
    {
        var canary = CanarySecret.New();
        var secure = new SecureString();
        foreach (var ch in canary)
        {
            secure.AppendChar(ch);
        }
        var json = Path.Combine(_dir.Path, "inline-report.json");
        var cmdlet = new TestReleaseGateCommand { Secret = new Hashtable { ["token"] = secure }, JsonPath = json };
        var runtime = CmdletHarness.Invoke(cmdlet, new Action<TestReleaseGateCommand>[]
        {
            c => c.Gate = new[] { new Hashtable { ["type"] = "http", ["url"] = _nginx.Plain + "/health", ["expect"] = new object[] { "status == 200" } } },
            c => c.Gate = new[]
            {
                new Hashtable
                {
                    ["type"] = "http", ["name"] = "auth", ["severity"] = "critical", ["url"] = _nginx.Plain + "/echo-auth",
                    ["headers"] = new Hashtable { ["Authorization"] = "Bearer ${secret:token}" }, ["expect"] = "status == 200",
                },
            },
        });

        var results = runtime.OutputOf<GateResult>().ToDictionary(r => r.Name);
        Assert.Equal(2, results.Count);
        Assert.Equal(GateStatus.Passed, results[$"http {_nginx.Plain}/health"].Status);
        Assert.Equal(GateStatus.Failed, results["auth"].Status);
        Assert.Equal("status 401 is not == 200", results["auth"].Message);
        CanarySecret.AssertAbsent(canary, runtime.AllText().Append(File.ReadAllText(json)), "Test-ReleaseGate output and its JSON report");
    }

    [Fact]
    public void An_inline_gate_with_an_unknown_setting_ends_the_command_with_the_settings_it_takes()
    {
        var cmdlet = new TestReleaseGateCommand { Gate = new[] { new Hashtable { ["type"] = "tcp", ["host"] = "127.0.0.1", ["prot"] = 80 } } };

        var ex = Assert.Throws<TerminatingErrorException>(() => CmdletHarness.Invoke(cmdlet));
        Assert.Equal("InlineGateInvalid", ex.Error.ErrorId);
        Assert.Contains("'prot'", ex.Error.Message);
        Assert.Contains("host, port, state", ex.Error.RecommendedAction);
    }
}
