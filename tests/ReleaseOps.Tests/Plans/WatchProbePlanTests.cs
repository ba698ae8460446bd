using System.Collections;
using ReleaseOps.Errors;
using ReleaseOps.Health;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Plans;

/// <summary>The watch's probe types and the canary's Prometheus analysis as plans write them: every key read, wrong ones refused at file:line:col.</summary>
public class WatchProbePlanTests
{
    private const string Header = "api_version: releaseops/v1\napplication: shop\nenvironment: staging\n";

    private static PlanValidation Validate(string yaml) => ReleasePlanLoader.Validate(yaml, "plan.yml", null, _ => null);

    [Fact]
    public void Every_probe_type_binds_its_own_settings()
    {
        var validation = Validate(Header + """
            secrets: { db: { env: DB_PASSWORD }, prom: { env: PROM_TOKEN } }
            watch:
              duration: 10m
              probes:
                - { name: web, url: "http://127.0.0.1:8080/health" }
                - name: jobs
                  type: prometheus
                  url: https://prometheus:9090
                  bearer_token: ${secret:prom}
                  ca_file: ca.pem
                  query: sum(rate(jobs_succeeded_total[5m])) / sum(rate(jobs_total[5m]))
                  expect: value > 0.5
                - { name: logins, type: container-logs, service: shop_api, pattern: "(?i)authentication failed", window: 1h, ignore_case: true }
                - { name: db, type: postgres, connection: { host: db, database: shop, username: app, password: "${secret:db}" }, query: "SELECT 1" }
                - { name: cache, type: redis, configuration: "redis:6379,password=x" }
                - { name: script, type: command, run: [./check.sh, --fast], env: { TOKEN: "${secret:prom}" }, working_directory: scripts, timeout: 20s }
              criteria:
                - { name: job-success, expect: "value > 0.98", probe: jobs, for: 5m }
            """);
        Assert.True(validation.IsValid, string.Join("\n", validation.Diagnostics));
        var probes = validation.Plan!.Watch!.Probes.ToDictionary(p => p.Name);
        Assert.Equal(ProbeType.Http, probes["web"].Type);
        Assert.Equal(ProbeType.Prometheus, probes["jobs"].Type);
        Assert.Equal("${secret:prom}", probes["jobs"].Settings.GetString("bearer_token"));
        Assert.StartsWith("sum(rate(jobs_succeeded_total", probes["jobs"].Settings.GetString("query"));
        Assert.Equal(new[] { "value > 0.5" }, probes["jobs"].Expect);
        Assert.Equal(ProbeType.ContainerLogs, probes["logins"].Type);
        Assert.Equal(TimeSpan.FromHours(1), probes["logins"].Settings.GetDuration("window"));
        Assert.Equal(true, probes["logins"].Settings.GetBoolean("ignore_case"));
        Assert.Equal("shop", ((IReadOnlyDictionary<string, object?>)probes["db"].Settings["connection"]!)["database"]);
        Assert.Equal(ProbeType.Redis, probes["cache"].Type);
        Assert.Equal(new[] { "./check.sh", "--fast" }, probes["script"].Settings.GetStrings("run"));
        Assert.Equal(TimeSpan.FromSeconds(20), probes["script"].Timeout);
        Assert.Equal("scripts", probes["script"].Settings.GetString("working_directory"));
    }

    [Theory]
    [InlineData("- { name: p, type: prometheus, url: http://p:9090, query: up, pattern: x }", "unknown key 'pattern'", 7, 67)]
    [InlineData("- { name: p, type: prometheus, url: http://p:9090 }", "missing required key 'query'", 7, 7)]
    [InlineData("- { name: l, type: container-logs, container: web, service: web, pattern: x }", "reads one container or one service", 7, 7)]
    [InlineData("- { name: l, type: container-logs, pattern: x }", "reads one container or one service", 7, 7)]
    [InlineData("- { name: r, type: redis }", "needs connection", 7, 7)]
    [InlineData("- { name: c, type: command, run: [curl, \"-u\", \"admin:${secret:pw}\"] }", "give the secret to the command in env", 7, 7)]
    [InlineData("- { name: h, type: http, url: http://x, query: up }", "unknown key 'query'", 7, 45)]
    [InlineData("- { name: h, type: graphite, url: http://x }", "'graphite' is not valid", 7, 24)]
    public void Probe_keys_that_do_not_belong_or_cannot_work_are_refused_where_they_are_written(string probe, string message, int line, int column)
    {
        var validation = Validate(Header + "secrets: { pw: { env: PW } }\nwatch:\n  probes:\n    " + probe + "\n");
        Assert.False(validation.IsValid);
        var error = Assert.Single(validation.Errors, e => e.Message.Contains(message, StringComparison.Ordinal));
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void Service_readiness_probes_keep_their_four_types()
    {
        var validation = Validate(Header + "services:\n  - name: web\n    image: shop/web\n    health:\n      - { name: q, type: prometheus, url: http://p:9090 }\n");
        Assert.Contains(validation.Errors, e => e.Message.Contains("'prometheus' is not valid") && e.Line == 8 && e.Column == 26);
    }

    [Fact]
    public void A_canary_analysis_binds_and_needs_selector_and_a_canary_strategy()
    {
        const string service = "proxy: { upstream_file: upstreams.conf }\nservices:\n  - name: web\n    image: shop/web\n    strategy:\n      type: TYPE\n      analysis:\n" +
                               "        url: http://prometheus:9090\n        canary: 'track=\"canary\"'\n        stable: 'track=\"stable\"'\n        step: 5s\n        metrics:\n" +
                               "          - { name: errors, query: 'sum(rate(http_errors_total{$selector}[1m]))', direction: higher-is-worse, tolerance: 0.2, critical: true }\n" +
                               "          - { name: QNAME, query: 'QUERY' }\n";
        var valid = Validate(Header + service.Replace("TYPE", "canary").Replace("QNAME", "throughput").Replace("QUERY", "sum(rate(http_requests_total{$selector}[1m]))"));
        Assert.True(valid.IsValid, string.Join("\n", valid.Diagnostics));
        var analysis = valid.Plan!.Services[0].Strategy.Analysis!;
        Assert.Equal("track=\"canary\"", analysis.Canary);
        Assert.Equal("track=\"stable\"", analysis.Stable);
        Assert.Equal(TimeSpan.FromSeconds(5), analysis.Step);
        Assert.Equal("http://prometheus:9090", analysis.Prometheus.GetString("url"));
        Assert.Equal(0.2, analysis.Metrics[0].Tolerance);
        Assert.True(analysis.Metrics[0].Critical);
        Assert.Equal("higher-is-worse", analysis.Metrics[1].Direction);

        var noSelector = Validate(Header + service.Replace("TYPE", "canary").Replace("QNAME", "throughput").Replace("QUERY", "sum(rate(http_requests_total[1m]))"));
        var error = Assert.Single(noSelector.Errors);
        Assert.Equal("CanaryQuerySelector", error.Code);
        Assert.Equal(17, error.Line);
        var reserved = Validate(Header + service.Replace("TYPE", "canary").Replace("QNAME", "latency_ms").Replace("QUERY", "x{$selector}"));
        Assert.Equal("CanaryMetricName", Assert.Single(reserved.Errors).Code);
        var rolling = Validate(Header + service.Replace("TYPE", "rolling").Replace("QNAME", "throughput").Replace("QUERY", "x{$selector}"));
        Assert.Equal("AnalysisWithoutCanary", Assert.Single(rolling.Errors).Code);
    }

    [Fact]
    public void Inline_probes_take_their_types_keys_and_refuse_others()
    {
        var probe = WatchDefinitionReader.Probe(new Hashtable
        {
            ["Name"] = "db", ["Type"] = "postgres", ["Interval"] = "2s",
            ["Connection"] = new Hashtable { ["host"] = "127.0.0.1", ["port"] = 5432, ["password"] = "${secret:db}" },
            ["Query"] = "SELECT 1",
        });
        Assert.Equal(ProbeType.Postgres, probe.Type);
        Assert.Equal(TimeSpan.FromSeconds(2), probe.Interval);
        Assert.Equal("SELECT 1", probe.Settings.GetString("query"));
        Assert.Equal(5432L, ((IReadOnlyDictionary<string, object?>)probe.Settings["connection"]!)["port"]);

        var command = WatchDefinitionReader.Probe(new Hashtable { ["name"] = "c", ["type"] = "command", ["run"] = new object[] { "/bin/true", "x" } });
        Assert.Equal(new[] { "/bin/true", "x" }, command.Settings.GetStrings("run"));

        var wrong = Assert.Throws<ReleaseOpsException>(() => WatchDefinitionReader.Probe(new Hashtable { ["name"] = "p", ["type"] = "prometheus", ["pattern"] = "x" }));
        Assert.Equal("HealthDefinitionInvalid", wrong.ErrorId);
        Assert.Contains("unknown key 'pattern'", wrong.Message);
        var type = Assert.Throws<ReleaseOpsException>(() => WatchDefinitionReader.Probe(new Hashtable { ["name"] = "p", ["type"] = "graphite" }));
        Assert.Contains("prometheus, container-logs, postgres, redis, command", type.Fix);
    }
}
