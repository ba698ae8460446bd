using System.Net;
using System.Net.Sockets;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Infrastructure;

/// <summary>The engine's one HTTP probe against raw loopback listeners on ports of the system's choosing.</summary>
public sealed class HttpProbeClientTests
{
    [Fact]
    public async Task A_body_beyond_the_one_cap_is_cut_flagged_and_counted()
    {
        var body = new string('x', HttpProbeClient.MaxBodyBytes + 4096);
        await using var server = await OneAnswerServer.StartAsync(
            $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Probe: a\r\nX-Probe: b\r\nConnection: close\r\n\r\n{body}");
        using var client = new HttpProbeClient();
        var response = await client.SendAsync(new HttpProbeRequest { Url = server.Url, Timeout = TimeSpan.FromSeconds(10) }, default);
        Assert.Equal(200, response.Status);
        Assert.True(response.BodyTruncated);
        Assert.Equal(HttpProbeClient.MaxBodyBytes, response.Body.Length);
        Assert.True(response.BodyBytes > HttpProbeClient.MaxBodyBytes);
        Assert.Equal("a, b", response.Header("x-probe"));
        Assert.Null(response.Certificate);
    }

    [Fact]
    public async Task A_server_that_never_answers_is_a_typed_timeout_with_the_probes_few_words()
    {
        await using var server = await OneAnswerServer.StartAsync(answer: null);
        using var client = new HttpProbeClient();
        var error = await Assert.ThrowsAsync<HttpProbeException>(() =>
            client.SendAsync(new HttpProbeRequest { Url = server.Url, Timeout = TimeSpan.FromMilliseconds(300) }, default));
        Assert.Equal("HttpTimeout", error.ErrorId);
        Assert.Equal(FailureKind.Timeout, error.Kind);
        Assert.Equal("no answer within 300ms", error.Reason);
        Assert.Contains($"127.0.0.1:{server.Port}", error.Message);
    }

    [Fact]
    public async Task Secret_headers_and_bodies_reach_the_server_but_no_error()
    {
        var canary = CanarySecret.New();
        // The server reads the request, then answers with something that is not HTTP.
        await using var server = await OneAnswerServer.StartAsync("SSH-2.0-not-http " + canary + "\r\n\r\n");
        using var client = new HttpProbeClient();
        var error = await Assert.ThrowsAsync<HttpProbeException>(() => client.SendAsync(new HttpProbeRequest
        {
            Url = server.Url,
            Method = "POST",
            Headers = new Dictionary<string, SecretValue> { ["X-Api-Key"] = new(canary) },
            Body = new SecretValue("{\"token\":\"" + canary + "\"}"),
            ContentType = "application/json",
            Timeout = TimeSpan.FromSeconds(5),
        }, default));
        Assert.Contains("X-Api-Key: " + canary, await server.RequestText);
        Assert.Contains("\"token\":\"" + canary, await server.RequestText);
        Assert.Equal("HttpProtocolError", error.ErrorId);
        CanarySecret.AssertAbsent(canary, [error.Message, error.Reason, error.Fix, error.ToString()], "the probe's error");
    }

    [Fact]
    public async Task A_closed_port_is_unreachable_and_says_connection_refused()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        using var client = new HttpProbeClient();
        var error = await Assert.ThrowsAsync<HttpProbeException>(() =>
            client.SendAsync(new HttpProbeRequest { Url = new Uri($"http://127.0.0.1:{port}/") }, default));
        Assert.Equal("HttpUnreachable", error.ErrorId);
        Assert.Equal("connection refused", error.Reason);
    }

    /// <summary>Accepts one connection, reads the request head and body, writes <c>answer</c> (or nothing) and closes.</summary>
    private sealed class OneAnswerServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly TaskCompletionSource<string> _request = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly CancellationTokenSource _stop = new();
        private Task _serving = Task.CompletedTask;

        private OneAnswerServer(TcpListener listener) => _listener = listener;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public Uri Url => new($"http://127.0.0.1:{Port}/probe");

        public Task<string> RequestText => _request.Task;

        public static Task<OneAnswerServer> StartAsync(string? answer)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var server = new OneAnswerServer(listener);
            server._serving = Task.Run(() => server.ServeAsync(answer));
            return Task.FromResult(server);
        }

        private async Task ServeAsync(string? answer)
        {
            try
            {
                using var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
                var stream = connection.GetStream();
                var received = new StringBuilder();
                var buffer = new byte[8192];
                while (!received.ToString().Contains("\r\n\r\n") || !BodyComplete(received.ToString()))
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0) break;
                    received.Append(Encoding.UTF8.GetString(buffer, 0, n));
                }
                _request.TrySetResult(received.ToString());
                if (answer is null)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
                await stream.WriteAsync(Encoding.UTF8.GetBytes(answer!), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
            {
                _request.TrySetResult("");
            }
        }

        private static bool BodyComplete(string text)
        {
            var head = text[..text.IndexOf("\r\n\r\n", StringComparison.Ordinal)];
            var line = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            return line is null || text.Length - head.Length - 4 >= int.Parse(line["Content-Length:".Length..].Trim());
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _serving;
        }
    }
}
