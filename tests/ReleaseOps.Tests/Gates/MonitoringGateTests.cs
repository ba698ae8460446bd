using ReleaseOps.Gates;
using ReleaseOps.Infrastructure.Monitoring;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// The prometheus and alertmanager gates against the test environment's Prometheus 2.42 (scraping
/// fixture targets these tests write) and Alertmanager 0.25 (delivering to the local webhook receiver),
/// directly and through nginx with TLS and basic or bearer auth.
/// </summary>
public class MonitoringGateTests
{
    private static readonly string Prometheus = TestEnvironment.PrometheusUrl.ToString();

    private static (string, object?) Url(string url) => ("url", url);

    [Fact]
    public async Task An_error_ratio_below_its_limit_passes_every_series_and_one_series_above_fails_naming_it()
    {
        using var target = new PrometheusTarget("app_error_ratio{route=\"/checkout\"} 0.0004\napp_error_ratio{route=\"/cart\"} 0.0002\n");
        await target.WaitForSeriesAsync($"app_error_ratio{{{target.Selector}}}", 2);
        var query = $"app_error_ratio{{{target.Selector}}}";

        var passed = await Run(("type", "prometheus"), Url(Prometheus), ("query", query), ("condition", "value < 0.001"));
        Assert.True(passed.Status == GateStatus.Passed, Explain(passed));
        Assert.Contains("all 2 series meet value < 0.001", passed.Message);
        Assert.Equal(2, passed.Evidence["series"]);

        target.Publish("app_error_ratio{route=\"/checkout\"} 0.02\napp_error_ratio{route=\"/cart\"} 0.0002\n");
        await PrometheusTarget.WaitUntilAsync(query, r => r.Samples.Any(s => s.Value > 0.01));
        var failed = await Run(("type", "prometheus"), Url(Prometheus), ("query", query), ("condition", "value < 0.001"));
        Assert.Equal(GateStatus.Failed, failed.Status);
        Assert.Contains("1 of 2 series fail", failed.Message);
        Assert.Contains("route=\"/checkout\"", failed.Message);
        Assert.Contains("0.02 is not < 0.001", failed.Message);
        Assert.DoesNotContain("/cart", failed.Message);

        // any: one series meeting it is enough; labels are readable too.
        var any = await Run(("type", "prometheus"), Url(Prometheus), ("query", query), ("series", "any"), ("condition", "value < 0.001 and labels.route == \"/cart\""));
        Assert.True(any.Status == GateStatus.Passed, Explain(any));
    }

    [Fact]
    public async Task No_target_down_passes_while_the_target_answers_and_fails_once_it_is_down()
    {
        using var target = new PrometheusTarget("app_up 1\n");
        var down = $"up{{{target.Selector}}} == 0";
        await target.WaitForSeriesAsync($"up{{{target.Selector}}} == 1");
        var passed = await Run(("type", "prometheus"), Url(Prometheus), ("query", down), ("series", "none"));
        Assert.True(passed.Status == GateStatus.Passed, Explain(passed));
        Assert.Equal("the query returns no series", passed.Message);

        target.GoDown();
        await target.WaitForSeriesAsync(down);
        var failed = await Run(("type", "prometheus"), Url(Prometheus), ("query", down), ("series", "none"));
        Assert.Equal(GateStatus.Failed, failed.Status);
        Assert.Contains("the query returns 1 series", failed.Message);
        Assert.Contains(target.Name, failed.Message);
    }

    [Fact]
    public async Task A_recording_rule_is_present_for_a_scraped_target_and_a_query_without_data_is_never_a_pass()
    {
        using var target = new PrometheusTarget("app_up 1\n");
        var recorded = $"releaseops_fixture:up:sum{{{target.Selector}}}";
        await target.WaitForSeriesAsync(recorded);
        var present = await Run(("type", "prometheus"), Url(Prometheus), ("query", recorded));
        Assert.True(present.Status == GateStatus.Passed, Explain(present));
        Assert.Equal(1.0, present.Evidence["value"]);

        var absent = await Run(("type", "prometheus"), Url(Prometheus), ("query", "releaseops_no_such_rule:sum"), ("condition", "value < 1"));
        Assert.Equal(GateStatus.Failed, absent.Status);
        Assert.Equal("the query returns no series (no data is not a pass)", absent.Message);

        // expect reads the answer's figures: a scalar has one value.
        var scalar = await Run(("type", "prometheus"), Url(Prometheus), ("query", "scalar(vector(3))"), ("expect", new[] { "value == 3", "series == 1" }));
        Assert.True(scalar.Status == GateStatus.Passed, Explain(scalar));
        var wrong = await Run(("type", "prometheus"), Url(Prometheus), ("query", "vector(3)"), ("expect", "value < 3"));
        Assert.Equal(GateStatus.Failed, wrong.Status);
    }

    [Fact]
    public async Task Bad_queries_range_vectors_and_unreachable_servers_are_errors_with_the_servers_reason()
    {
        var syntax = await Run(("type", "prometheus"), Url(Prometheus), ("query", "sum(rate(x[5m])"));
        Assert.Equal(GateStatus.Error, syntax.Status);
        Assert.Equal("MonitoringRequestRejected", syntax.ErrorId);
        Assert.Contains("HTTP 400", syntax.Message);
        Assert.Contains("parse error", syntax.Message);

        var range = await Run(("type", "prometheus"), Url(Prometheus), ("query", "up[1m]"));
        Assert.Equal("PrometheusRangeVector", range.ErrorId);

        var closed = await Run(("type", "prometheus"), Url("http://127.0.0.1:1"), ("query", "up"));
        Assert.Equal("HttpUnreachable", closed.ErrorId);

        var web = await Run(("type", "prometheus"), Url(TestEnvironment.NginxHttp.ToString()), ("query", "up"));
        Assert.Equal(GateStatus.Error, web.Status);
        Assert.StartsWith("Monitoring", web.ErrorId);
    }

    [Fact]
    public async Task Basic_auth_and_bearer_tokens_over_tls_work_and_wrong_credentials_never_leak()
    {
        var proxy = TestEnvironment.MonitoringProxy.ToString().TrimEnd('/');
        var canary = CanarySecret.New();
        var secrets = SecretCatalog.Empty
            .With(new GivenSecretSource("prom_password", new SecretValue(TestEnvironment.PrometheusPassword)))
            .With(new GivenSecretSource("prom_token", new SecretValue(TestEnvironment.PrometheusToken)))
            .With(new GivenSecretSource("wrong", new SecretValue(canary)));
        var environment = new GateEnvironment { Secrets = secrets };
        var ca = ("ca_file", (object?)TestEnvironment.NginxCertificate);

        var basic = await Run(environment, ("type", "prometheus"), Url(proxy + "/basic"), ca, ("query", "vector(1)"),
            ("username", TestEnvironment.PrometheusUser), ("password", "${secret:prom_password}"));
        Assert.True(basic.Status == GateStatus.Passed, Explain(basic));
        var bearer = await Run(environment, ("type", "prometheus"), Url(proxy + "/bearer"), ca, ("query", "vector(1)"), ("bearer_token", "${secret:prom_token}"));
        Assert.True(bearer.Status == GateStatus.Passed, Explain(bearer));

        var wrongPassword = await Run(environment, ("type", "prometheus"), Url(proxy + "/basic"), ca, ("query", "vector(1)"),
            ("username", TestEnvironment.PrometheusUser), ("password", "${secret:wrong}"));
        var wrongToken = await Run(environment, ("type", "prometheus"), Url(proxy + "/bearer"), ca, ("query", "vector(1)"), ("bearer_token", "${secret:wrong}"));
        foreach (var refused in new[] { wrongPassword, wrongToken })
        {
            Assert.Equal("MonitoringUnauthorized", refused.ErrorId);
            Assert.Contains("HTTP 401", refused.Message);
            CanarySecret.AssertAbsent(canary, new[] { AsJson(refused) }, "a refused prometheus gate");
        }

        var untrusted = await Run(environment, ("type", "prometheus"), Url(proxy + "/bearer"), ("query", "vector(1)"), ("bearer_token", "${secret:wrong}"));
        Assert.Equal("HttpTlsHandshakeFailed", untrusted.ErrorId);
        CanarySecret.AssertAbsent(canary, new[] { AsJson(untrusted) }, "a prometheus gate that failed TLS");

        // insecure: the self-signed certificate is accepted without ca_file (test endpoints).
        var insecure = await Run(environment, ("type", "prometheus"), Url(proxy + "/bearer"), ("query", "vector(1)"), ("bearer_token", "${secret:prom_token}"), ("insecure", true));
        Assert.True(insecure.Status == GateStatus.Passed, Explain(insecure));

        // Alertmanager behind the same proxy: the same credentials and the same refusal.
        var alerts = await Run(environment, ("type", "alertmanager"), Url(proxy + "/alertmanager"), ca, ("bearer_token", "${secret:prom_token}"),
            ("matchers", $"incident=\"{Guid.NewGuid():N}\""));
        Assert.True(alerts.Status == GateStatus.Passed, Explain(alerts));
        var refusedAlerts = await Run(environment, ("type", "alertmanager"), Url(proxy + "/alertmanager"), ca, ("bearer_token", "${secret:wrong}"));
        Assert.Equal("MonitoringUnauthorized", refusedAlerts.ErrorId);
        CanarySecret.AssertAbsent(canary, new[] { AsJson(refusedAlerts) }, "a refused alertmanager gate");
    }

    [Fact]
    public async Task No_firing_alert_matches_until_one_fires_and_silenced_ones_count_only_when_asked()
    {
        TestEnvironment.Require(TestService.Alertmanager);
        var incident = Guid.NewGuid().ToString("N");
        var matchers = new[] { $"incident=\"{incident}\"", "severity=~\"critical|page\"" };
        var alertmanager = TestEnvironment.AlertmanagerUrl.ToString();
        var quiet = await Run(("type", "alertmanager"), Url(alertmanager), ("matchers", matchers));
        Assert.True(quiet.Status == GateStatus.Passed, Explain(quiet));
        Assert.Equal(0, quiet.Evidence["firing"]);

        using var api = new AlertmanagerApi(new MonitoringEndpoint { BaseUrl = TestEnvironment.AlertmanagerUrl });
        var labels = new Dictionary<string, string> { ["alertname"] = "CheckoutDown", ["incident"] = incident, ["severity"] = "page" };
        var now = DateTimeOffset.UtcNow;
        await api.PostAlertsAsync([new PostableAlert(labels, new Dictionary<string, string>(), now, now.AddMinutes(5))]);
        try
        {
            var firing = await Run(("type", "alertmanager"), Url(alertmanager), ("matchers", matchers));
            Assert.Equal(GateStatus.Failed, firing.Status);
            Assert.Contains("1 firing alert(s) match", firing.Message);
            Assert.Contains("CheckoutDown", firing.Message);

            var tolerated = await Run(("type", "alertmanager"), Url(alertmanager), ("matchers", matchers), ("max_firing", 1));
            Assert.True(tolerated.Status == GateStatus.Passed, Explain(tolerated));
            var otherSeverity = await Run(("type", "alertmanager"), Url(alertmanager), ("matchers", new[] { $"incident=\"{incident}\"", "severity=\"info\"" }));
            Assert.True(otherSeverity.Status == GateStatus.Passed, Explain(otherSeverity));

            var badMatcher = await Run(("type", "alertmanager"), Url(alertmanager), ("matchers", "severity=~\"((\""));
            Assert.Equal("MonitoringRequestRejected", badMatcher.ErrorId);

            // A silenced incident is known and handled: it counts only with include_silenced.
            using var http = new HttpClient();
            var silence = await http.PostAsync(new Uri(TestEnvironment.AlertmanagerUrl, "api/v2/silences"), new StringContent(
                $$"""{"matchers":[{"name":"incident","value":"{{incident}}","isRegex":false,"isEqual":true}],"startsAt":"{{now.UtcDateTime:O}}","endsAt":"{{now.AddMinutes(5).UtcDateTime:O}}","createdBy":"releaseops tests","comment":"known incident"}""",
                System.Text.Encoding.UTF8, "application/json"));
            silence.EnsureSuccessStatusCode();
            var silenced = await Run(("type", "alertmanager"), Url(alertmanager), ("matchers", matchers), ("within", "10s"));
            Assert.True(silenced.Status == GateStatus.Passed, Explain(silenced));
            var counted = await Run(("type", "alertmanager"), Url(alertmanager), ("matchers", matchers), ("include_silenced", true));
            Assert.Equal(GateStatus.Failed, counted.Status);
        }
        finally
        {
            await api.PostAlertsAsync([new PostableAlert(labels, new Dictionary<string, string>(), now, DateTimeOffset.UtcNow)]);
        }
        var resolved = await Run(("type", "alertmanager"), Url(alertmanager), ("matchers", matchers), ("within", "10s"));
        Assert.True(resolved.Status == GateStatus.Passed, Explain(resolved));
    }

    [Fact]
    public async Task A_target_going_down_fires_prometheus_rule_through_alertmanager_and_blocks_the_gate()
    {
        TestEnvironment.Require(TestService.Alertmanager);
        using var target = new PrometheusTarget("app_up 1\n");
        await target.WaitForSeriesAsync($"up{{{target.Selector}}} == 1");
        target.GoDown();
        var matchers = new[] { "alertname=\"ReleaseOpsFixtureDown\"", target.Selector };
        using var api = new AlertmanagerApi(new MonitoringEndpoint { BaseUrl = TestEnvironment.AlertmanagerUrl });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while ((await api.GetAlertsAsync(matchers)).Count == 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "Prometheus's alert never reached Alertmanager");
            await Task.Delay(250);
        }
        var blocked = await Run(("type", "alertmanager"), Url(TestEnvironment.AlertmanagerUrl.ToString()), ("matchers", matchers));
        Assert.Equal(GateStatus.Failed, blocked.Status);
        Assert.Contains("ReleaseOpsFixtureDown", blocked.Message);
    }

    [Fact]
    public async Task The_alert_pipeline_delivers_a_test_alert_to_its_receiver_and_a_broken_route_fails()
    {
        TestEnvironment.Require(TestService.Alertmanager);
        var alertmanager = Url(TestEnvironment.AlertmanagerUrl.ToString());
        var options = new GateRunOptions { DefaultTimeout = TimeSpan.FromSeconds(20) };
        var delivered = await Run(new GateEnvironment(), options, ("type", "alertmanager"), alertmanager, ("pipeline", new Dictionary<string, object?>
        {
            ["receiver"] = "releaseops-test",
            ["confirm_url"] = TestEnvironment.AlertReceiverUrl.ToString(),
            ["labels"] = new Dictionary<string, object?> { ["team"] = "checkout" },
            ["within"] = "15s",
        }));
        Assert.True(delivered.Status == GateStatus.Passed, Explain(delivered));
        Assert.Contains("the receiver got the test alert", delivered.Message);
        Assert.Equal(new[] { "releaseops-test" }, (string[])delivered.Evidence["receivers"]!);
        var id = ((string)delivered.Evidence["test_alert"]!).Split('=')[1];
        using (var receiver = new HttpClient())
        {
            var stored = await receiver.GetStringAsync(TestEnvironment.AlertReceiverUrl);
            Assert.Contains($"\"releaseops_check\":\"{id}\"", stored);
            Assert.Contains("\"team\":\"checkout\"", stored);
        }
        // The test alert is resolved again: it does not stay behind as an incident.
        using var api = new AlertmanagerApi(new MonitoringEndpoint { BaseUrl = TestEnvironment.AlertmanagerUrl });
        var left = await api.GetAlertsAsync([$"releaseops_check=\"{id}\""], true, true);
        Assert.All(left, a => Assert.True(a.EndsAt <= DateTimeOffset.UtcNow.AddSeconds(5), $"{a} still ends at {a.EndsAt}"));

        var broken = await Run(new GateEnvironment(), options, ("type", "alertmanager"), alertmanager, ("pipeline", new Dictionary<string, object?>
        {
            ["labels"] = new Dictionary<string, object?> { ["releaseops_route"] = "broken" },
            ["receiver"] = "broken",
            ["confirm_url"] = TestEnvironment.AlertReceiverUrl.ToString(),
            ["within"] = "4s",
        }));
        Assert.True(broken.Status == GateStatus.Failed, Explain(broken));
        Assert.Contains("the receiver did not show the test alert within 4s", broken.Message);

        // confirm_headers go to confirm_url (a receiver's API wants its token); one that never shows the id is not a delivery.
        var canary = CanarySecret.New();
        await using (var receiverApi = new WebhookReceiver())
        {
            var withToken = new GateEnvironment { Secrets = SecretCatalog.Empty.With(new GivenSecretSource("receiver", new SecretValue(canary))) };
            var unconfirmed = await Run(withToken, options, ("type", "alertmanager"), alertmanager, ("pipeline", new Dictionary<string, object?>
            {
                ["confirm_url"] = receiverApi.Url("/received"),
                ["confirm_headers"] = new Dictionary<string, object?> { ["Authorization"] = "Bearer ${secret:receiver}" },
                ["within"] = "2s",
            }));
            Assert.Equal(GateStatus.Failed, unconfirmed.Status);
            Assert.Contains(receiverApi.Received, r => r.Headers.TryGetValue("Authorization", out var value) && value == "Bearer " + canary);
            CanarySecret.AssertAbsent(canary, new[] { AsJson(unconfirmed) }, "an alert-pipeline gate");
        }

        var misrouted = await Run(new GateEnvironment(), options, ("type", "alertmanager"), alertmanager, ("pipeline", new Dictionary<string, object?>
        {
            ["receiver"] = "pagerduty",
            ["confirm_url"] = TestEnvironment.AlertReceiverUrl.ToString(),
            ["within"] = "4s",
        }));
        Assert.Equal(GateStatus.Failed, misrouted.Status);
        Assert.Contains("routed to releaseops-test, not to pagerduty", misrouted.Message);
    }
}
