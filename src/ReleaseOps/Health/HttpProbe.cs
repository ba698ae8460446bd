using System.Diagnostics;
using System.Net.Sockets;
using ReleaseOps.Conditions;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>
/// Samples an HTTP endpoint through the engine's HTTP probe: status, latency and the values
/// expectations read. A hung endpoint fails at the probe's timeout with the timeout as its
/// latency. Without expectations a status below 400 is healthy. Connections are kept open by the
/// watch's shared client. Header values are secrets (they may hold <c>${secret:NAME}</c> tokens)
/// and are revealed only into the request.
/// </summary>
public sealed class HttpProbe : IHealthProbe
{
    private readonly HttpProbeClient _client;
    private readonly Uri _url;
    private readonly TimeSpan _timeout;
    private readonly IReadOnlyList<HealthCondition> _expect;
    private readonly IReadOnlyDictionary<string, Secrets.SecretValue> _headers;

    public HttpProbe(string name, Uri url, TimeSpan interval, TimeSpan timeout, HttpProbeClient client,
        IReadOnlyList<HealthCondition>? expect = null, IReadOnlyDictionary<string, Secrets.SecretValue>? headers = null)
    {
        Name = name;
        _url = url;
        Interval = interval;
        _timeout = timeout;
        _client = client;
        _expect = expect ?? Array.Empty<HealthCondition>();
        _headers = headers ?? new Dictionary<string, Secrets.SecretValue>();
    }

    public string Name { get; }

    public ProbeType Type => ProbeType.Http;

    public TimeSpan Interval { get; }

    public Uri Url => _url;

    public async Task<HealthSample> SampleAsync(CancellationToken cancellation)
    {
        var (response, error, latencyMs) = await SendAsync(_client, _url, _timeout, _headers, cancellation).ConfigureAwait(false);
        if (response is null)
        {
            return new HealthSample { Probe = Name, Type = ProbeType.Http, Success = false, LatencyMs = latencyMs, Error = error };
        }
        var (ok, why) = Judge(response);
        return new HealthSample { Probe = Name, Type = ProbeType.Http, Success = ok, Status = response.Status, LatencyMs = latencyMs, Error = why };
    }

    /// <summary>
    /// One request: the response, or the probe's few words for why there is none. A request that
    /// timed out counts the whole timeout as its latency; one that got no answer at all (a refused
    /// connection, a reset) has no latency: it is a failed sample, never a fast one.
    /// </summary>
    internal static async Task<(HttpProbeResponse? Response, string? Error, double? LatencyMs)> SendAsync(HttpProbeClient client, Uri url,
        TimeSpan timeout, IReadOnlyDictionary<string, Secrets.SecretValue> headers, CancellationToken cancellation)
    {
        try
        {
            var response = await client.SendAsync(new HttpProbeRequest { Url = url, Headers = headers, Timeout = timeout }, cancellation)
                .ConfigureAwait(false);
            return (response, null, response.Elapsed.TotalMilliseconds);
        }
        catch (HttpProbeException ex)
        {
            return (null, ex.Reason, ex.Kind == Errors.FailureKind.Timeout ? timeout.TotalMilliseconds : null);
        }
    }

    private (bool Ok, string? Why) Judge(HttpProbeResponse response)
    {
        if (_expect.Count == 0)
        {
            return response.Status < 400 ? (true, null) : (false, $"status {response.Status}");
        }
        // The values every HTTP condition reads (status, response_time, body, header.*, json.*), as gates read them.
        var values = HttpResponseValues.Create(response.Status, response.Elapsed, response.Body, response.Headers).Set("latency", response.Elapsed);
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
            // No connection: a failed sample without a latency (a refused port answers fast, and is not fast).
            return new HealthSample
            {
                Probe = Name, Type = ProbeType.Tcp, Success = false,
                Error = ex.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : "socket error: " + ex.SocketErrorCode,
            };
        }
    }
}
