using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ReleaseOps.Tests.Health;

/// <summary>How the endpoint answers right now.</summary>
public enum EndpointMode
{
    Healthy,
    /// <summary>Every tenth request answers 500.</summary>
    TenPercentErrors,
    /// <summary>Answers 200 after <see cref="ControllableEndpoint.SlowDelay"/>.</summary>
    Slow,
    /// <summary>Accepts the request and never answers.</summary>
    Hang,
}

/// <summary>
/// A real HTTP/1.1 server on 127.0.0.1 (a raw TcpListener in the health port range) whose
/// behaviour the test switches on cue. It serves any path with "ok" (and /metrics in Prometheus
/// text format, counting its own requests), keeps connections alive, and records the Authorization
/// headers it sees.
/// </summary>
public sealed class ControllableEndpoint : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _requests;
    private long _served200, _served500;
    private readonly double[] _latencyBuckets = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1 };
    private readonly long[] _latencyCounts = new long[9];

    public ControllableEndpoint(int port)
    {
        // The suite runs test classes in parallel on two cores; with the pool's default minimum
        // (one thread per core) a few blocking tests elsewhere starve this server for seconds.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), Math.Max(io, 16));
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(512);
        Port = port;
        // Off xunit's synchronization context (two threads, held by tests that block): the server's
        // continuations must run on the thread pool or it would stall while other tests wait.
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    public Uri Url(string path = "/health") => new($"http://127.0.0.1:{Port}{path}");

    public volatile EndpointMode Mode = EndpointMode.Healthy;

    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How long every answer takes, as a real service's work would.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.Zero;

    public List<string> AuthorizationHeaders { get; } = new();

    public long Requests => Interlocked.Read(ref _requests);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var buffer = new byte[8192];
        var pending = new StringBuilder();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var read = await stream.ReadAsync(buffer, _stop.Token);
                if (read == 0) return;
                pending.Append(Encoding.ASCII.GetString(buffer, 0, read));
                int end;
                while ((end = pending.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    var head = pending.ToString(0, end);
                    pending.Remove(0, end + 4);
                    await AnswerAsync(stream, head);
                }
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
    }

    private async Task AnswerAsync(NetworkStream stream, string head)
    {
        var lines = head.Split("\r\n");
        var path = lines[0].Split(' ')[1];
        foreach (var line in lines.Skip(1).Where(l => l.StartsWith("Authorization:", StringComparison.OrdinalIgnoreCase)))
        {
            lock (AuthorizationHeaders) AuthorizationHeaders.Add(line);
        }
        if (path.StartsWith("/metrics", StringComparison.Ordinal))
        {
            await WriteAsync(stream, 200, MetricsText(), "text/plain; version=0.0.4");
            return;
        }
        if (path.StartsWith("/status.json", StringComparison.Ordinal))
        {
            await WriteAsync(stream, 200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"db\"}]}", "application/json");
            return;
        }
        var n = Interlocked.Increment(ref _requests);
        var started = DateTime.UtcNow;
        var status = 200;
        if (BaseDelay > TimeSpan.Zero) await Task.Delay(BaseDelay, _stop.Token);
        switch (Mode)
        {
            case EndpointMode.TenPercentErrors when n % 10 == 0:
                status = 500;
                break;
            case EndpointMode.Slow:
                await Task.Delay(SlowDelay, _stop.Token);
                break;
            case EndpointMode.Hang:
                await Task.Delay(Timeout.Infinite, _stop.Token);
                break;
        }
        Record(status, (DateTime.UtcNow - started).TotalSeconds);
        await WriteAsync(stream, status, status == 200 ? "ok" : "boom", "text/plain");
    }

    private void Record(int status, double seconds)
    {
        lock (_latencyCounts)
        {
            if (status == 200) _served200++; else _served500++;
            var i = Array.FindIndex(_latencyBuckets, b => seconds <= b);
            _latencyCounts[i < 0 ? _latencyBuckets.Length : i]++;
        }
    }

    private string MetricsText()
    {
        var text = new StringBuilder();
        lock (_latencyCounts)
        {
            text.Append("# HELP http_requests_total Requests served, by status.\n# TYPE http_requests_total counter\n");
            text.Append($"http_requests_total{{code=\"200\",path=\"/health\"}} {_served200}\n");
            text.Append($"http_requests_total{{code=\"500\",path=\"/health\"}} {_served500}\n");
            text.Append("# HELP http_request_duration_seconds Time to answer.\n# TYPE http_request_duration_seconds histogram\n");
            long cumulative = 0;
            for (var i = 0; i < _latencyBuckets.Length; i++)
            {
                cumulative += _latencyCounts[i];
                text.Append($"http_request_duration_seconds_bucket{{le=\"{_latencyBuckets[i].ToString(System.Globalization.CultureInfo.InvariantCulture)}\"}} {cumulative}\n");
            }
            cumulative += _latencyCounts[^1];
            text.Append($"http_request_duration_seconds_bucket{{le=\"+Inf\"}} {cumulative}\n");
            text.Append($"http_request_duration_seconds_count {cumulative}\n");
        }
        return text.ToString();
    }

    private static async Task WriteAsync(NetworkStream stream, int status, string body, string contentType)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var reason = status == 200 ? "OK" : "Internal Server Error";
        var header = $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {bytes.Length}\r\nConnection: keep-alive\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(header));
        await stream.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
