using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Monitoring;
using ReleaseOps.Plans;

namespace ReleaseOps.Health;

/// <summary>
/// The canary judge's figures from Prometheus: each metric's query, once with the canary's label matchers
/// and once with the stable version's put where it says <see cref="Placeholder"/>, as range queries over the
/// time judged, so that <see cref="CanaryJudge"/> compares the team's own metrics (error ratio, job success,
/// queue latency) between the two versions as it compares HTTP samples.
/// </summary>
public static class PrometheusCanary
{
    /// <summary>Where a query takes a version's label matchers: <c>{code=~"5..",$selector}</c>.</summary>
    public const string Placeholder = "$selector";

    /// <summary>The query for one version: its matchers in place of the placeholder.</summary>
    public static string For(string query, string selector) => query.Replace(Placeholder, selector, StringComparison.Ordinal);

    /// <summary>How the judge reads a metric: its direction, tolerance (else the judge's default) and whether it is critical.</summary>
    public static CanaryMetricOptions Options(CanaryMetricDefinition metric, CanaryMetricOptions defaults) => defaults with
    {
        Direction = metric.Direction switch
        {
            "lower-is-worse" => MetricDirection.LowerIsWorse,
            "either" => MetricDirection.Either,
            _ => MetricDirection.HigherIsWorse,
        },
        Tolerance = metric.Tolerance ?? defaults.Tolerance,
        Critical = metric.Critical,
    };

    /// <summary>
    /// The HTTP samples' series with the analysis's metrics added: each metric's points for the stable version and
    /// for the canary between <paramref name="start"/> and <paramref name="end"/> (all series of a query together;
    /// points that are not numbers dropped), at the analysis's step or <paramref name="defaultStep"/>; and the judge's
    /// options with each metric's direction, tolerance and criticality. Prometheus is reached with the plan's secrets.
    /// </summary>
    public static async Task<(IReadOnlyDictionary<string, IReadOnlyList<double>> Stable, IReadOnlyDictionary<string, IReadOnlyList<double>> Canary, CanaryJudgeOptions Options)>
        WithMetricsAsync(CanaryAnalysisDefinition analysis, ReleasePlan plan, IReadOnlyDictionary<string, IReadOnlyList<double>> stable,
            IReadOnlyDictionary<string, IReadOnlyList<double>> canary, CanaryJudgeOptions options, DateTimeOffset start, DateTimeOffset end,
            TimeSpan defaultStep, CancellationToken cancellation)
    {
        var endpoint = SettingConnections.Monitoring(analysis.Prometheus, text => plan.Secrets.Expand(text),
            path => Path.GetFullPath(path, plan.Directory ?? Directory.GetCurrentDirectory()), TimeSpan.FromSeconds(10), null,
            (key, problem, fix) => new ReleaseOpsException("CanaryAnalysisInvalid", FailureKind.InvalidConfiguration,
                $"The canary analysis has an invalid '{key}': {problem}", analysis.Location?.ToString() ?? "strategy.analysis", fix));
        using var prometheus = new PrometheusApi(endpoint);
        var step = analysis.Step ?? defaultStep;
        var stableSeries = new Dictionary<string, IReadOnlyList<double>>(stable, StringComparer.OrdinalIgnoreCase);
        var canarySeries = new Dictionary<string, IReadOnlyList<double>>(canary, StringComparer.OrdinalIgnoreCase);
        var metrics = new Dictionary<string, CanaryMetricOptions>(options.Metrics, StringComparer.OrdinalIgnoreCase);
        foreach (var metric in analysis.Metrics)
        {
            stableSeries[metric.Name] = await PointsAsync(For(metric.Query, analysis.Stable)).ConfigureAwait(false);
            canarySeries[metric.Name] = await PointsAsync(For(metric.Query, analysis.Canary)).ConfigureAwait(false);
            metrics[metric.Name] = Options(metric, options.Default);
        }
        return (stableSeries, canarySeries, options with { Metrics = metrics });

        async Task<IReadOnlyList<double>> PointsAsync(string query) =>
            (await prometheus.QueryRangeAsync(query, start, end, step, cancellation).ConfigureAwait(false))
                .SelectMany(s => s.Points).Select(p => p.Value).Where(double.IsFinite).ToArray();
    }
}
