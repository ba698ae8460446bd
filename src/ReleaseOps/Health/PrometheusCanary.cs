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

    /// <summary>The Prometheus the analysis names, its secrets expanded from the plan's and its ca_file relative to the plan.</summary>
    public static MonitoringEndpoint Endpoint(CanaryAnalysisDefinition analysis, SecretCatalog secrets, string? baseDirectory) =>
        SettingConnections.Monitoring(analysis.Prometheus, text => secrets.Expand(text), path => Path.GetFullPath(path, baseDirectory ?? Directory.GetCurrentDirectory()),
            TimeSpan.FromSeconds(10), null, (key, problem, fix) => new ReleaseOpsException("CanaryAnalysisInvalid", FailureKind.InvalidConfiguration,
                $"The canary analysis has an invalid '{key}': {problem}", analysis.Location?.ToString() ?? "strategy.analysis", fix));

    /// <summary>
    /// Every metric's points for the stable version and for the canary between <paramref name="start"/> and
    /// <paramref name="end"/> at <paramref name="step"/> (all series of a query together; points that are not numbers dropped).
    /// </summary>
    public static async Task<(Dictionary<string, IReadOnlyList<double>> Stable, Dictionary<string, IReadOnlyList<double>> Canary)> SeriesAsync(
        PrometheusApi prometheus, CanaryAnalysisDefinition analysis, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellation)
    {
        var stable = new Dictionary<string, IReadOnlyList<double>>(StringComparer.OrdinalIgnoreCase);
        var canary = new Dictionary<string, IReadOnlyList<double>>(StringComparer.OrdinalIgnoreCase);
        foreach (var metric in analysis.Metrics)
        {
            stable[metric.Name] = await PointsAsync(For(metric.Query, analysis.Stable)).ConfigureAwait(false);
            canary[metric.Name] = await PointsAsync(For(metric.Query, analysis.Canary)).ConfigureAwait(false);
        }
        return (stable, canary);

        async Task<IReadOnlyList<double>> PointsAsync(string query) =>
            (await prometheus.QueryRangeAsync(query, start, end, step, cancellation).ConfigureAwait(false))
                .SelectMany(s => s.Points).Select(p => p.Value).Where(double.IsFinite).ToArray();
    }
}
