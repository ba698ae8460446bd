using System.Text.RegularExpressions;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Monitoring;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Health;

/// <summary>
/// Samples a PromQL query each interval, so that criteria come from the team's own metrics ("job
/// success rate &gt; 98%": <c>value &gt; 0.98</c>; "memory &lt; 80% for 5m": <c>value &lt; 0.8</c> with
/// <c>for: 5m</c>). Values: <c>series</c> (how many), <c>value</c> (with one series, or a scalar),
/// <c>min</c>, <c>max</c>, <c>sum</c> (over the series that are numbers).
/// </summary>
public sealed class PrometheusProbe : MeasuringProbe
{
    private readonly MonitoringEndpoint _endpoint;
    private readonly string _query;
    private PrometheusApi? _api;

    public PrometheusProbe(ProbeDefinition definition, TimeSpan interval, MonitoringEndpoint endpoint, string query, SecretRedactor redactor)
        : base(definition, interval, redactor)
    {
        _endpoint = endpoint with { Timeout = definition.Timeout };
        _query = query;
    }

    protected override async Task<ProbeMeasurement> MeasureAsync(CancellationToken cancellation)
    {
        _api ??= new PrometheusApi(_endpoint);
        var result = await _api.QueryAsync(_query, null, cancellation).ConfigureAwait(false);
        return new ProbeMeasurement(Figures(result.Samples.Select(s => s.Value).ToArray()));
    }

    /// <summary>The figures of a query's answer: series, and value, min, max, sum of the values that are numbers.</summary>
    internal static Dictionary<string, double> Figures(IReadOnlyList<double> answer)
    {
        var values = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase) { ["series"] = answer.Count };
        var numbers = answer.Where(double.IsFinite).ToArray();
        if (answer.Count == 1 && numbers.Length == 1) values["value"] = numbers[0];
        if (numbers.Length > 0)
        {
            values["min"] = numbers.Min();
            values["max"] = numbers.Max();
            values["sum"] = numbers.Sum();
        }
        return values;
    }

    public override ValueTask DisposeAsync()
    {
        _api?.Dispose();
        return base.DisposeAsync();
    }
}

/// <summary>
/// Counts, each interval, the lines of a container's (or a Swarm service's) logs that match a pattern:
/// over the last <c>window</c> when given ("authentication failed &lt; 50 an hour": <c>window: 1h</c>,
/// <c>count &lt; 50</c>), else over the time since the previous sample. Values: <c>count</c>, <c>lines</c>.
/// Only counts leave the probe; the lines themselves are never kept.
/// </summary>
public sealed class ContainerLogsProbe : MeasuringProbe
{
    /// <summary>How much log one sample reads at most.</summary>
    private const long MaxBytes = 64L << 20;
    private readonly DockerEngine _docker;
    private readonly LogSourceKind _kind;
    private readonly string _source;
    private readonly Regex _pattern;
    private readonly TimeSpan? _window;
    private readonly TimeProvider _clock;
    private DateTimeOffset? _previous;

    public ContainerLogsProbe(ProbeDefinition definition, TimeSpan interval, DockerEngine docker, LogSourceKind kind, string source, Regex pattern,
        TimeSpan? window, SecretRedactor redactor, TimeProvider? clock = null)
        : base(definition, interval, redactor)
    {
        _docker = docker;
        _kind = kind;
        _source = source;
        _pattern = pattern;
        _window = window;
        _clock = clock ?? TimeProvider.System;
    }

    protected override async Task<ProbeMeasurement> MeasureAsync(CancellationToken cancellation)
    {
        var now = _clock.GetUtcNow();
        var since = _window is { } window ? now - window : _previous ?? now - Interval;
        double matches = 0, lines = 0;
        foreach (var source in await SourcesAsync(cancellation).ConfigureAwait(false))
        {
            var scan = await _docker.ScanLogsAsync(_kind, source, _pattern, since, now, 0, MaxBytes, cancellation, Timeout).ConfigureAwait(false);
            matches += scan.Matches;
            lines += scan.Lines;
        }
        _previous = now;
        return new ProbeMeasurement(new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase) { ["count"] = matches, ["lines"] = lines });
    }

    /// <summary>
    /// The container (or service) to read; a container name ending in * is every running container whose name starts
    /// with the rest, read anew at each sample: the replicas a rolling release moves to other host ports stay watched.
    /// None running is a failed sample, not a count of zero.
    /// </summary>
    private async Task<IReadOnlyList<string>> SourcesAsync(CancellationToken cancellation)
    {
        if (_kind != LogSourceKind.Container || !_source.EndsWith('*'))
        {
            return new[] { _source };
        }
        var stem = _source.TrimEnd('*');
        var running = (await _docker.ListContainersAsync(name: stem, all: false, cancellation: cancellation).ConfigureAwait(false))
            .Select(c => c.ShortName()).Where(n => n.StartsWith(stem, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        return running.Length > 0 ? running
            : throw new ReleaseOpsException("ProbeNoContainer", FailureKind.NotFound, $"No running container's name starts with '{stem}'.",
                _source, "Check the probe's container prefix against `docker ps` (ReleaseOps names containers APPLICATION-ENVIRONMENT-SERVICE-PORT).");
    }
}
