using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ReleaseOps.Tests.Support;

/// <summary>One request the receiver got: method, path and query, headers, body.</summary>
public sealed record ReceivedWebhook(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);

/// <summary>
/// A local HTTP receiver on a loopback port of its own that records every webhook it gets and
/// answers as scripted: a status code per request in order (then 200), or no answer at all
/// (<see cref="Hang"/>) to drive timeouts.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    /// <summary>A scripted answer that never comes.</summary>
    public const int Hang = -1;

    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<int> _script = new();
    private readonly List<ReceivedWebhook> _received = new();
    private readonly SemaphoreSlim _arrivals = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WebhookReceiver(params int[] script)
    {
        foreach (var status in script) _script.Enqueue(status);
        // A free port can be taken by someone else before we listen on it: then take another.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            _listener = new HttpListener();
            _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                _listener.Close();
            }
        }
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (_received) return _received.ToArray();
        }
    }

    /// <summary>Waits (real time, bounded) until <paramref name="count"/> requests have arrived.</summary>
    public async Task<bool> WaitForAsync(int count, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Received.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrivals.WaitAsync(left)) return Received.Count >= count;
        }
        return true;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
        lock (_received) _received.Add(new ReceivedWebhook(context.Request.HttpMethod, context.Request.Url!.PathAndQuery, headers, body));
        _arrivals.Release();
        var status = _script.TryDequeue(out var scripted) ? scripted : 200;
        if (status == Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
            context.Response.Abort();
            return;
        }
        context.Response.StatusCode = status;
        context.Response.Close();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        // Close stops listening too; a separate Stop first frees the port, and Close would then try to claim it again.
        _listener.Close();
        await _loop;
    }
}
