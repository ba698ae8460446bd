using System.Diagnostics;
using System.Net.Sockets;
using ReleaseOps.Conditions;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>
/// Samples an HTTP endpoint: status, latency and, when an expectation reads it, the body. A hung
/// endpoint fails at the probe's timeout with the timeout as its latency. Without expectations a
/// status below 400 is healthy. Connections are pooled by the shared handler. Header values are
/// secrets (they may hold <c>${secret:NAME}</c> tokens) and are revealed only into the request.
/// </summary>
public sealed class HttpProbe : IHealthProbe
{
    private const int MaxBodyChars = 256 * 1024;
    private readonly HttpClient _client;
    private readonly Uri _url;
    private readonly TimeSpan _timeout;
    private readonly IReadOnlyList<HealthCondition> _expect;
    private readonly IReadOnlyDictionary<string, Secrets.SecretValue> _headers;
    private readonly bool _readsBody;
    private readonly bool _readsHeaders;

    public HttpProbe(string name, Uri url, TimeSpan interval, TimeSpan timeout, HttpClient client,
        IReadOnlyList<HealthCondition>? expect = null, IReadOnlyDictionary<string, Secrets.SecretValue>? headers = null)
    {
        Name = name;
        _url = url;
        Interval = interval;
        _timeout = timeout;
        _client = client;
        _expect = expect ?? Array.Empty<HealthCondition>();
        _headers = headers ?? new Dictionary<string, Secrets.SecretValue>();
        _readsBody = _expect.Any(c => c.Names.Any(n => n.Equals("body", StringComparison.OrdinalIgnoreCase) || n.StartsWith("json.", StringComparison.OrdinalIgnoreCase)));
        _readsHeaders = _expect.Any(c => c.Names.Any(n => n.StartsWith("header.", StringComparison.OrdinalIgnoreCase)));
    }

    public string Name { get; }

    public ProbeType Type => ProbeType.Http;

    public TimeSpan Interval { get; }

    public Uri Url => _url;

    public async Task<HealthSample> SampleAsync(CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_timeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _url);
            foreach (var (header, value) in _headers)
            {
                request.Headers.TryAddWithoutValidation(header, value.Reveal());
            }
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            string? body = null;
            if (_readsBody)
            {
                body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                if (body.Length > MaxBodyChars) body = body[..MaxBodyChars];
            }
            else
            {
                // Drain so that the connection goes back to the pool.
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                await stream.CopyToAsync(Stream.Null, timeout.Token).ConfigureAwait(false);
            }
            var latency = Stopwatch.GetElapsedTime(started);
            var status = (int)response.StatusCode;
            var (ok, why) = Judge(status, latency, body, response);
            return new HealthSample { Probe = Name, Type = ProbeType.Http, Success = ok, Status = status, LatencyMs = latency.TotalMilliseconds, Error = why };
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return Failed(_timeout.TotalMilliseconds, $"no answer within {DurationText.Format(_timeout)}");
        }
        catch (HttpRequestException ex)
        {
            return Failed(Stopwatch.GetElapsedTime(started).TotalMilliseconds, Describe(ex));
        }
        catch (IOException ex)
        {
            return Failed(Stopwatch.GetElapsedTime(started).TotalMilliseconds, "connection broken: " + ex.Message);
        }
    }

    private (bool Ok, string? Why) Judge(int status, TimeSpan latency, string? body, HttpResponseMessage response)
    {
        if (_expect.Count == 0)
        {
            return status < 400 ? (true, null) : (false, $"status {status}");
        }
        // The values every HTTP condition reads (status, response_time, body, header.*, json.*), as gates read them.
        var headers = _readsHeaders
            ? response.Headers.Concat(response.Content.Headers)
                .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => string.Join(", ", g.SelectMany(h => h.Value)), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>();
        var values = HttpResponseValues.Create(status, latency, body ?? string.Empty, headers).Set("latency", latency);
        foreach (var condition in _expect)
        {
            var outcome = condition.Expression.Evaluate(values);
            if (!outcome.Passed)
            {
                return (false, outcome.Message);
            }
        }
        return (true, null);
    }

    private HealthSample Failed(double latencyMs, string why) =>
        new() { Probe = Name, Type = ProbeType.Http, Success = false, LatencyMs = latencyMs, Error = why };

    internal static string Describe(HttpRequestException ex) => ex.InnerException switch
    {
        SocketException { SocketErrorCode: SocketError.ConnectionRefused } => "connection refused",
        SocketException socket => "socket error: " + socket.SocketErrorCode,
        IOException io => "connection broken: " + io.Message,
        _ => ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : ex.HttpRequestError.ToString(),
    };
}

/// <summary>Samples a TCP port: healthy when a connection is accepted within the timeout.</summary>
public sealed class TcpProbe : IHealthProbe
{
    private readonly string _host;
    private readonly int _port;
    private readonly TimeSpan _timeout;

    public TcpProbe(string name, string host, int port, TimeSpan interval, TimeSpan timeout)
    {
        Name = name;
        _host = host;
        _port = port;
        Interval = interval;
        _timeout = timeout;
    }

    public string Name { get; }

    public ProbeType Type => ProbeType.Tcp;

    public TimeSpan Interval { get; }

    public async Task<HealthSample> SampleAsync(CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_timeout);
        var started = Stopwatch.GetTimestamp();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_host, _port, timeout.Token).ConfigureAwait(false);
            return new HealthSample { Probe = Name, Type = ProbeType.Tcp, Success = true, LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds };
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new HealthSample { Probe = Name, Type = ProbeType.Tcp, Success = false, LatencyMs = _timeout.TotalMilliseconds, Error = $"no connection within {DurationText.Format(_timeout)}" };
        }
        catch (SocketException ex)
        {
            return new HealthSample
            {
                Probe = Name, Type = ProbeType.Tcp, Success = false, LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                Error = ex.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : "socket error: " + ex.SocketErrorCode,
            };
        }
    }
}
