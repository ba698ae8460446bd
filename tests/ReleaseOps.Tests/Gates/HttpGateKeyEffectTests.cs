using System.Net;
using System.Net.Sockets;
using System.Text;
using ReleaseOps.Gates;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// Keys of the http-family gates whose effect the broader HttpGateTests did not show (they only set them to values that pass
/// anyway): each is run once with a value the server meets and once with one it does not.
/// </summary>
[Collection(GateNginxCollection.Name)]
public class HttpGateKeyEffectTests
{
    private readonly GateNginxFixture _nginx;

    public HttpGateKeyEffectTests(GateNginxFixture nginx) => _nginx = nginx;

    [Fact]
    public async Task Contains_matches_header_present_and_header_equals_fail_when_the_response_does_not_meet_them()
    {
        var health = _nginx.Plain + "/health"; // {"status":"UP","version":"2.3.1",...}, Content-Type application/json
        foreach (var (key, met, unmet, message) in new (string, object, object, string)[]
        {
            ("contains", "UP", "DOWN", "does not contain \"DOWN\""),
            ("matches", "\"version\":\"\\d+\\.\\d+", "\"version\":\"9\\.", "does not match"),
            ("header_present", "Content-Type", "X-Request-Id", "x-request-id"),
            ("header_equals", new Dictionary<string, object?> { ["content-type"] = "application/json" },
                new Dictionary<string, object?> { ["content-type"] = "text/html" }, "text/html"),
        })
        {
            var pass = await Run(("type", "http"), ("url", health), (key, met));
            Assert.True(pass.Status == GateStatus.Passed, key + ": " + Explain(pass));
            var fail = await Run(("type", "http"), ("url", health), (key, unmet));
            Assert.True(fail.Status == GateStatus.Failed, key + ": " + Explain(fail));
            Assert.Contains(message, Explain(fail), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Max_latency_fails_a_response_slower_than_it_and_passes_a_faster_one()
    {
        using var slow = new TcpListener(IPAddress.Loopback, 0);
        slow.Start();
        var port = ((IPEndPoint)slow.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await slow.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                var buffer = new byte[4096];
                await stream.ReadAsync(buffer, stop.Token);
                await Task.Delay(400, stop.Token); // answers in ~400 ms
                await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"), stop.Token);
            }
        });
        try
        {
            var tooSlow = await Run(("type", "http"), ("url", $"http://127.0.0.1:{port}/"), ("max_latency", "100ms"));
            Assert.True(tooSlow.Status == GateStatus.Failed, Explain(tooSlow));
            Assert.Contains("100ms", tooSlow.Message);
            var fastEnough = await Run(("type", "http"), ("url", $"http://127.0.0.1:{port}/"), ("max_latency", "3s"));
            Assert.True(fastEnough.Status == GateStatus.Passed, Explain(fastEnough));
        }
        finally
        {
            stop.Cancel();
        }
    }

    [Fact]
    public async Task A_required_security_header_the_server_does_not_send_fails_naming_it()
    {
        var sent = await Run(("type", "security-headers"), ("url", _nginx.Good + "/"), ("ca_file", _nginx.CaFile), ("required", new[] { "X-Frame-Options" }));
        Assert.True(sent.Status == GateStatus.Passed, Explain(sent));
        var missing = await Run(("type", "security-headers"), ("url", _nginx.Good + "/"), ("ca_file", _nginx.CaFile), ("required", new[] { "Permissions-Policy" }));
        Assert.Equal(GateStatus.Failed, missing.Status);
        Assert.Contains("required header Permissions-Policy is missing", Explain(missing));
    }

    [Fact]
    public async Task Security_headers_and_cors_judge_the_redirect_itself_unless_follow_redirects_is_set()
    {
        // 22081 answers 301 to https://localhost:22443 (full security headers, CORS for https://app.example).
        var redirect = $"http://127.0.0.1:{GateNginxFixture.RedirectPort}/";

        var headersOfTheRedirect = await Run(("type", "security-headers"), ("url", redirect), ("ca_file", _nginx.CaFile), ("min_score", 90));
        Assert.Equal(GateStatus.Failed, headersOfTheRedirect.Status);
        var headersOfTheTarget = await Run(("type", "security-headers"), ("url", redirect), ("ca_file", _nginx.CaFile), ("min_score", 90), ("follow_redirects", true));
        Assert.True(headersOfTheTarget.Status == GateStatus.Passed, Explain(headersOfTheTarget));

        var corsOfTheRedirect = await Run(("type", "cors"), ("url", redirect), ("ca_file", _nginx.CaFile), ("allowed_origins", new[] { "https://app.example" }));
        Assert.Equal(GateStatus.Failed, corsOfTheRedirect.Status);
        Assert.Contains("allowed origin https://app.example is refused", Explain(corsOfTheRedirect));
        var corsOfTheTarget = await Run(("type", "cors"), ("url", redirect), ("ca_file", _nginx.CaFile), ("allowed_origins", new[] { "https://app.example" }),
            ("follow_redirects", true));
        Assert.True(corsOfTheTarget.Status == GateStatus.Passed, Explain(corsOfTheTarget));
    }

    [Fact]
    public async Task Cors_allowed_origins_fail_when_the_server_refuses_a_listed_origin()
    {
        var listedAndAllowed = await Run(("type", "cors"), ("url", _nginx.Good + "/api"), ("ca_file", _nginx.CaFile), ("allowed_origins", new[] { "https://app.example" }));
        Assert.True(listedAndAllowed.Status == GateStatus.Passed, Explain(listedAndAllowed));
        var listedButRefused = await Run(("type", "cors"), ("url", _nginx.Good + "/api"), ("ca_file", _nginx.CaFile), ("allowed_origins", new[] { "https://shop.example" }));
        Assert.Equal(GateStatus.Failed, listedButRefused.Status);
        Assert.Contains("a preflight from the allowed origin https://shop.example is refused", Explain(listedButRefused));
    }
}
