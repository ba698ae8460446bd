using System.Net;
using System.Net.Sockets;
using ReleaseOps.Gates;
using ReleaseOps.Infrastructure.Http;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

[Collection(GateNginxCollection.Name)]
public class HttpGateTests
{
    private readonly GateNginxFixture _nginx;

    public HttpGateTests(GateNginxFixture nginx) => _nginx = nginx;

    [Fact]
    public async Task Status_latency_body_json_and_headers_pass_against_a_healthy_endpoint()
    {
        var result = await Run(("type", "http"), ("url", _nginx.Plain + "/health"), ("status", new[] { 200, 204 }),
            ("max_latency", "30s"), ("contains", "UP"), ("matches", "\"version\":\"\\d+\\.\\d+"),
            ("json", new Dictionary<string, object?> { ["status"] = "UP", ["checks[0].name"] = "db" }),
            ("header_present", "Content-Type"), ("header_equals", new Dictionary<string, object?> { ["content-type"] = "application/json" }),
            ("expect", new[] { "json.status == \"UP\" and json.checks[0].ok", "response_time < 30s", "header.content-type contains \"json\"" }));

        Assert.True(result.Status == GateStatus.Passed, Explain(result));
        Assert.Equal(200L, Convert.ToInt64(result.Evidence["status"]));
        Assert.Contains("response_time", result.Evidence.Keys);
        Assert.StartsWith("HTTP 200 in ", result.Message);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(_nginx.Plain + "/health", result.Target);
    }

    [Fact]
    public async Task A_wrong_status_or_json_value_fails_with_a_message_that_names_what_was_seen()
    {
        var result = await Run(("type", "http"), ("url", _nginx.Plain + "/missing"), ("expect", "status == 200"));
        Assert.Equal(GateStatus.Failed, result.Status);
        Assert.Equal("status 404 is not == 200", result.Message);

        var json = await Run(("type", "http"), ("url", _nginx.Short + "/"), ("insecure", true), ("json", new Dictionary<string, object?> { ["status"] = "UP" }));
        Assert.Equal(GateStatus.Failed, json.Status);
        Assert.Contains("json.status \"DEGRADED\" is not \"UP\"", json.Message);
    }

    [Fact]
    public async Task Redirects_are_followed_only_when_asked()
    {
        var notFollowed = await Run(("type", "http"), ("url", _nginx.Plain + "/redirect"), ("expect", "status == 302 and header.location exists"));
        Assert.True(notFollowed.Status == GateStatus.Passed, Explain(notFollowed));

        var followed = await Run(("type", "http"), ("url", _nginx.Plain + "/redirect"), ("follow_redirects", true), ("expect", "status == 200 and json.status == \"UP\""));
        Assert.True(followed.Status == GateStatus.Passed, Explain(followed));
    }

    [Fact]
    public async Task Redirect_to_https_passes_on_the_redirecting_server_and_fails_on_the_plain_one()
    {
        var good = await Run(("type", "redirect-https"), ("url", $"http://127.0.0.1:{GateNginxFixture.RedirectPort}/login"));
        Assert.True(good.Status == GateStatus.Passed, Explain(good));
        Assert.Equal($"https://localhost:{GateNginxFixture.GoodTlsPort}/login", good.Evidence["location"]);

        var bad = await Run(("type", "redirect-https"), ("url", _nginx.Plain + "/"));
        Assert.Equal(GateStatus.Failed, bad.Status);
        Assert.Contains("HTTP 200 is not a redirect", bad.Message);
        Assert.NotNull(bad.Fix);
    }

    [Fact]
    public async Task Https_with_a_pinned_ca_passes_and_without_it_is_an_error_that_says_how_to_trust_it()
    {
        var pinned = await Run(("type", "http"), ("url", _nginx.Good + "/"), ("ca_file", _nginx.CaFile), ("expect", "cert_expiry > 300d"));
        Assert.True(pinned.Status == GateStatus.Passed, Explain(pinned));

        var untrusted = await Run(("type", "http"), ("url", _nginx.Good + "/"));
        Assert.Equal(GateStatus.Error, untrusted.Status);
        Assert.Equal("HttpTlsHandshakeFailed", untrusted.ErrorId);
        Assert.Contains("not trusted", untrusted.Message);
        Assert.Contains("ca_file", untrusted.Fix);
    }

    [Fact]
    public async Task A_kept_alive_tls_connection_reports_its_certificate_on_every_response_it_carries()
    {
        var authorities = ReleaseOps.Infrastructure.Tls.CertificateTrust.LoadAuthorities(_nginx.CaFile);
        var request = new HttpProbeRequest { Url = new Uri(_nginx.Good + "/connection") };
        using (var kept = new HttpProbeClient(new HttpProbeOptions { Authorities = authorities }))
        {
            var first = await kept.SendAsync(request, default);
            var second = await kept.SendAsync(request, default);
            Assert.Equal(first.Body, second.Body); // nginx's connection number: the same connection carried both
            Assert.NotNull(first.Certificate);
            Assert.NotNull(second.Certificate);
            Assert.Equal(first.Certificate!.Thumbprint, second.Certificate!.Thumbprint);
            Assert.Equal(System.Net.Security.SslPolicyErrors.None, second.CertificateErrors);
        }
        using (var fresh = new HttpProbeClient(new HttpProbeOptions { Authorities = authorities, KeepAlive = false }))
        {
            var first = await fresh.SendAsync(request, default);
            var second = await fresh.SendAsync(request, default);
            Assert.NotEqual(first.Body, second.Body);
            Assert.NotNull(second.Certificate);
        }
    }

    [Fact]
    public async Task The_gates_of_one_run_share_a_pool_per_tls_setting_and_each_reports_its_servers_certificate()
    {
        var gates = new[]
        {
            Define(("name", "pinned-1"), ("type", "http"), ("url", _nginx.Good + "/"), ("ca_file", _nginx.CaFile), ("expect", "cert_expiry > 300d")),
            Define(("name", "pinned-2"), ("type", "http"), ("url", _nginx.Good + "/connection"), ("ca_file", _nginx.CaFile), ("expect", "cert_expiry > 300d")),
            // The same pool (same ca_file), another server: its own certificate, not the pool's last one.
            Define(("name", "pinned-short"), ("type", "http"), ("url", _nginx.Short + "/"), ("ca_file", _nginx.CaFile), ("expect", "cert_expiry < 10d")),
            Define(("name", "headers"), ("type", "security-headers"), ("url", _nginx.Good + "/"), ("ca_file", _nginx.CaFile)),
            // No ca_file: a pool of its own that trusts the system store only, so the same server is refused.
            Define(("name", "system-store"), ("type", "http"), ("url", _nginx.Good + "/")),
            Define(("name", "insecure"), ("type", "http"), ("url", _nginx.Good + "/"), ("insecure", true), ("expect", "cert_expiry > 300d")),
            Define(("name", "plain"), ("type", "http"), ("url", _nginx.Plain + "/health"), ("expect", "json.status == \"UP\"")),
        };
        foreach (var throttle in new[] { 1, 4 })
        {
            var run = await Runner.RunToSummaryAsync(gates, GateEnvironment.Default, new GateRunOptions { ThrottleLimit = throttle,
                DefaultTimeout = TimeSpan.FromSeconds(10) }, ReleaseOps.Operations.SilentReporter.Instance, CancellationToken.None);
            var byName = run.Results.ToDictionary(r => r.Name);
            foreach (var name in new[] { "pinned-1", "pinned-2", "pinned-short", "headers", "insecure", "plain" })
            {
                Assert.True(byName[name].Status == GateStatus.Passed, name + ": " + Explain(byName[name]));
            }
            Assert.Equal("HttpTlsHandshakeFailed", byName["system-store"].ErrorId);
            Assert.Contains("not trusted", byName["system-store"].Message);
        }
    }

    [Fact]
    public async Task Unreachable_dns_failure_and_a_silent_server_are_errors_within_the_timeout()
    {
        var refused = await Run(("type", "http"), ("url", "http://127.0.0.1:22999/health"));
        Assert.Equal(GateStatus.Error, refused.Status);
        Assert.Equal("HttpUnreachable", refused.ErrorId);
        Assert.Contains("connection refused", refused.Message);

        var dns = await Run(("type", "http"), ("url", "http://ro-gate-no-such-host.invalid/"));
        Assert.Equal(GateStatus.Error, dns.Status);
        Assert.Equal("HttpDnsFailure", dns.ErrorId);

        using var silent = new TcpListener(IPAddress.Loopback, 22998);
        silent.Start();
        var hung = await Run(("type", "http"), ("url", "http://127.0.0.1:22998/"), ("timeout", "500ms"));
        Assert.Equal(GateStatus.Error, hung.Status);
        Assert.Equal("GateTimeout", hung.ErrorId);
        Assert.Contains("did not finish within 500ms", hung.Message);
        Assert.True(hung.Duration < TimeSpan.FromSeconds(3), $"took {hung.Duration}");
    }

    [Fact]
    public async Task Within_retries_until_the_endpoint_comes_up()
    {
        var port = 22997;
        var task = Run(("type", "http"), ("url", $"http://127.0.0.1:{port}/"), ("within", "5s"), ("timeout", "1s"), ("expect", "status == 200"));
        await Task.Delay(700);
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                try
                {
                    var ctx = await listener.GetContextAsync();
                    ctx.Response.StatusCode = 200;
                    ctx.Response.Close();
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
        var result = await task;
        Assert.True(result.Status == GateStatus.Passed, Explain(result));
        Assert.True(result.Attempts > 1, $"attempts: {result.Attempts}");
    }

    [Fact]
    public async Task Security_headers_score_high_with_headers_and_low_without()
    {
        var good = await Run(("type", "security-headers"), ("url", _nginx.Good + "/"), ("ca_file", _nginx.CaFile),
            ("required", new[] { "Content-Security-Policy" }), ("expect", "score >= 90"));
        Assert.True(good.Status == GateStatus.Passed, Explain(good));
        Assert.Equal(100L, Convert.ToInt64(good.Evidence["score"]));

        var none = await Run(("type", "security-headers"), ("url", _nginx.Plain + "/"));
        Assert.Equal(GateStatus.Failed, none.Status);
        Assert.Contains("score 25/100 is below 70", none.Message);
        var findings = Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(none.Evidence["findings"]);
        Assert.Contains("Strict-Transport-Security is missing", findings["hsts"]);

        var weak = await Run(("type", "security-headers"), ("url", _nginx.Short + "/"), ("insecure", true), ("min_score", 0));
        Assert.Equal(GateStatus.Warning, weak.Status);
        Assert.Contains(weak.Findings, f => f.Rule == "csp" && f.Message.Contains("'unsafe-inline' and 'unsafe-eval'"));
    }

    [Fact]
    public async Task Cors_refuses_foreign_origins_on_the_strict_server_and_fails_wildcard_with_credentials()
    {
        var strict = await Run(("type", "cors"), ("url", _nginx.Good + "/api"), ("ca_file", _nginx.CaFile), ("allowed_origins", new[] { "https://app.example" }));
        Assert.True(strict.Status == GateStatus.Passed, Explain(strict));

        var loose = await Run(("type", "cors"), ("url", _nginx.Short + "/api"), ("insecure", true));
        Assert.Equal(GateStatus.Failed, loose.Status);
        Assert.Contains("Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true", loose.Message);
    }

    [Fact]
    public async Task Method_headers_and_body_are_sent_as_written_and_cors_asks_about_the_method_from_the_origin()
    {
        foreach (var type in new[] { "http", "security-headers", "cors" })
        {
            await using var receiver = new ReleaseOps.Tests.Support.WebhookReceiver();
            var settings = new List<(string, object?)>
            {
                ("type", type), ("url", receiver.Url("/check")), ("method", "PUT"),
                ("headers", new Dictionary<string, object?> { ["X-Team"] = "payments" }), ("body", "{\"probe\":true}"),
            };
            if (type == "cors") settings.Add(("origin", "https://attacker.example"));
            await Run(settings.ToArray());

            var got = Assert.Single(receiver.Received);
            Assert.Equal("payments", got.Headers["X-Team"]);
            Assert.Equal("{\"probe\":true}", got.Body);
            if (type == "cors")
            {
                Assert.Equal("OPTIONS", got.Method); // a preflight...
                Assert.Equal("PUT", got.Headers["Access-Control-Request-Method"]); // ...about the gate's method
                Assert.Equal("https://attacker.example", got.Headers["Origin"]);
            }
            else
            {
                Assert.Equal("PUT", got.Method);
            }
        }
    }

    [Fact]
    public async Task Min_hsts_max_age_fails_a_max_age_below_it()
    {
        // The server sends max-age=31536000 (365 days): enough for the default 180 days, not for 400.
        var enough = await Run(("type", "security-headers"), ("url", _nginx.Good + "/"), ("ca_file", _nginx.CaFile), ("min_score", 100));
        Assert.True(enough.Status == GateStatus.Passed, Explain(enough));
        var tooShort = await Run(("type", "security-headers"), ("url", _nginx.Good + "/"), ("ca_file", _nginx.CaFile), ("min_score", 100),
            ("min_hsts_max_age", "400d"));
        Assert.Equal(GateStatus.Failed, tooShort.Status);
        var findings = Assert.IsAssignableFrom<IReadOnlyDictionary<string, string>>(tooShort.Evidence["findings"]);
        Assert.Contains("hsts", findings.Keys);
    }
}
