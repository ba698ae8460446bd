using System.Diagnostics;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>
/// Scrapes a Prometheus text-format endpoint and turns two consecutive scrapes into the figures
/// of the interval between them: <c>requests</c> and <c>errors</c> (5xx) from the request counter,
/// <c>error_rate</c>, and <c>p50</c>/<c>p95</c>/<c>p99</c> in milliseconds from the latency histogram
/// (seconds). The first scrape reports the totals since the process started. Counter resets are
/// handled. The sample fails when the endpoint cannot be scraped or parsed.
/// </summary>
public sealed class MetricsProbe : IHealthProbe
{
    private static readonly IReadOnlyDictionary<string, Secrets.SecretValue> NoHeaders = new Dictionary<string, Secrets.SecretValue>();
    private readonly IReadOnlyDictionary<string, Secrets.SecretValue> _headers;
    private readonly HttpProbeClient _client;
    private readonly Uri _url;
    private readonly TimeSpan _timeout;
    private (double Requests, double Errors)? _previousTotals;
    private SortedDictionary<double, double>? _previousBuckets;

    /// <param name="headers">Sent with each scrape (an authorization in front of /metrics); values are revealed into the request only.</param>
    public MetricsProbe(string name, Uri url, TimeSpan interval, TimeSpan timeout, HttpProbeClient client,
        IReadOnlyDictionary<string, Secrets.SecretValue>? headers = null)
    {
        _headers = headers ?? NoHeaders;
        Name = name;
        _url = url;
        Interval = interval;
        _timeout = timeout;
        _client = client;
    }

    public string Name { get; }

    public ProbeType Type => ProbeType.Metrics;

    public TimeSpan Interval { get; }

    public async Task<HealthSample> SampleAsync(CancellationToken cancellation)
    {
        var (response, error, latency) = await HttpProbe.SendAsync(_client, _url, _timeout, _headers, cancellation).ConfigureAwait(false);
        if (response is null)
        {
            return Failed(null, latency, error!);
        }
        var status = response.Status;
        if (status >= 400)
        {
            return Failed(status, latency, $"status {status}");
        }
        if (response.BodyTruncated)
        {
            return Failed(status, latency, $"the metrics page is larger than {HttpProbeClient.MaxBodyBytes / (1 << 20)} MiB");
        }
        var text = response.Body;
        try
        {
            return new HealthSample
            {
                Probe = Name, Type = ProbeType.Metrics, Success = true, Status = status, LatencyMs = latency,
                Values = Figures(PrometheusText.Parse(text, _url.ToString())),
            };
        }
        catch (ReleaseOpsException ex)
        {
            return Failed(status, latency, ex.Message);
        }
    }

    private Dictionary<string, double> Figures(IReadOnlyDictionary<string, PrometheusFamily> families)
    {
        var values = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        if (PrometheusFigures.RequestCounter(families) is { } counter)
        {
            var totals = PrometheusFigures.Totals(counter);
            var (requests, errors) = totals;
            if (_previousTotals is { } previous && totals.Requests >= previous.Requests && totals.Errors >= previous.Errors)
            {
                requests -= previous.Requests;
                errors -= previous.Errors;
            }
            _previousTotals = totals;
            values["requests"] = requests;
            values["errors"] = errors;
            if (requests > 0) values["error_rate"] = errors / requests;
        }
        if (PrometheusFigures.LatencyHistogram(families) is { } histogram)
        {
            var buckets = PrometheusFigures.Buckets(histogram);
            var delta = PrometheusFigures.Delta(buckets, _previousBuckets);
            _previousBuckets = buckets;
            foreach (var (name, q) in new[] { ("p50", 0.5), ("p95", 0.95), ("p99", 0.99) })
            {
                if (PrometheusFigures.Quantile(delta, q) is { } seconds) values[name] = seconds * 1000;
            }
        }
        return values;
    }

    private HealthSample Failed(int? status, double? latencyMs, string why) =>
        new() { Probe = Name, Type = ProbeType.Metrics, Success = false, Status = status, LatencyMs = latencyMs, Error = why };
}

/// <summary>
/// Samples a container through the Docker engine: healthy while it runs (and its HEALTHCHECK, if
/// any, is not unhealthy). Values: <c>running</c> (1/0), <c>cpu_percent</c>, <c>memory_percent</c>
/// (of its limit, or of the host when it has none), <c>restarts</c> (since the watch began) and
/// <c>restart_count</c>.
/// </summary>
public sealed class ContainerProbe : IHealthProbe
{
    private readonly IContainerObserver _observer;
    private readonly string _container;
    private readonly TimeSpan _timeout;
    private int? _firstRestartCount;

    public ContainerProbe(string name, string container, TimeSpan interval, TimeSpan timeout, IContainerObserver observer)
    {
        Name = name;
        _container = container;
        Interval = interval;
        _timeout = timeout;
        _observer = observer;
    }

    public string Name { get; }

    public ProbeType Type => ProbeType.Container;

    public TimeSpan Interval { get; }

    public async Task<HealthSample> SampleAsync(CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_timeout);
        var started = Stopwatch.GetTimestamp();
        ContainerObservation seen;
        try
        {
            seen = await _observer.ObserveAsync(_container, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return new HealthSample { Probe = Name, Type = ProbeType.Container, Success = false, LatencyMs = _timeout.TotalMilliseconds, Error = $"the Docker engine did not answer within {DurationText.Format(_timeout)}" };
        }
        catch (ReleaseOpsException ex)
        {
            return new HealthSample { Probe = Name, Type = ProbeType.Container, Success = false, LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds, Error = ex.Message };
        }
        var latency = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (!seen.Exists)
        {
            return new HealthSample { Probe = Name, Type = ProbeType.Container, Success = false, LatencyMs = latency, Error = $"container {_container} does not exist", Values = new Dictionary<string, double> { ["running"] = 0 } };
        }
        _firstRestartCount ??= seen.RestartCount;
        var values = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase)
        {
            ["running"] = seen.Running ? 1 : 0,
            ["restarts"] = seen.RestartCount - _firstRestartCount.Value,
            ["restart_count"] = seen.RestartCount,
        };
        if (seen.CpuPercent is { } cpu) values["cpu_percent"] = cpu;
        if (seen.MemoryPercent is { } memory) values["memory_percent"] = memory;
        if (seen.MemoryBytes is { } bytes) values["memory_bytes"] = bytes;
        var healthy = seen.Running && seen.Health is not "unhealthy";
        return new HealthSample
        {
            Probe = Name, Type = ProbeType.Container, Success = healthy, LatencyMs = latency, Values = values,
            Error = healthy ? null : seen.Running ? "container health check reports unhealthy" : $"container is {seen.State}",
        };
    }
}
