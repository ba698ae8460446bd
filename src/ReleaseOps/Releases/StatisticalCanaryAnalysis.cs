using ReleaseOps.Deploy;
using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The deployment engine's <see cref="ICanaryAnalysis"/> over the health capability's watch and
/// <see cref="CanaryJudge"/>; it joins two capabilities, so it lives with the wiring. For a canary
/// step's pause it samples the service's HTTP health probes on every stable and every canary
/// instance side by side (about <see cref="PointsPerStep"/> samples each), then asks the judge
/// whether the canary is significantly worse (latency, errors), together with the PromQL figures of the
/// strategy's <c>analysis</c> for the canary and the stable version over the same pause. A failed judgement fails the
/// step; a marginal one or one without enough points passes with a warning.
/// </summary>
public sealed class StatisticalCanaryAnalysis : ICanaryAnalysis
{
    private readonly CanaryJudgeOptions _options;

    public StatisticalCanaryAnalysis(CanaryJudgeOptions? options = null, int pointsPerStep = 20)
    {
        PointsPerStep = Math.Max(pointsPerStep, 3);
        _options = options ?? new CanaryJudgeOptions
        {
            MinimumPoints = Math.Min(10, PointsPerStep / 2),
            Metrics = new Dictionary<string, CanaryMetricOptions>(StringComparer.OrdinalIgnoreCase)
            {
                // Any clear rise in failures fails the canary; latency may wander 20% on a busy host.
                ["error"] = new() { Critical = true, Tolerance = 0, AbsoluteTolerance = 0.02 },
                ["latency_ms"] = new() { Tolerance = 0.2 },
            },
        };
    }

    public int PointsPerStep { get; }

    /// <summary>The last judgement made, for hosts that want to show the per-metric detail.</summary>
    public CanaryJudgement? LastJudgement { get; private set; }

    public async Task<CanaryVerdict> AnalyseAsync(CanaryContext context, IOperationReporter reporter, CancellationToken cancellation)
    {
        var duration = context.Pause > TimeSpan.Zero ? context.Pause : TimeSpan.FromSeconds(30);
        var interval = TimeSpan.FromTicks(Math.Clamp(duration.Ticks / PointsPerStep, TimeSpan.FromMilliseconds(50).Ticks, TimeSpan.FromSeconds(10).Ticks));
        var paths = context.Service.Health.Where(p => p.Type == ProbeType.Http).ToList();
        var probes = new List<ProbeDefinition>();
        void Add(string side, IReadOnlyList<Uri> instances)
        {
            for (var i = 0; i < instances.Count; i++)
            {
                foreach (var probe in paths.DefaultIfEmpty(new ProbeDefinition { Name = "root", Url = "/" }))
                {
                    probes.Add(probe with
                    {
                        Name = $"{side}-{i}-{probe.Name}",
                        Url = new Uri(instances[i], Uri.TryCreate(probe.Url, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : probe.Url ?? "/").ToString(),
                        Interval = interval,
                    });
                }
            }
        }
        Add("stable", context.Stable);
        Add("canary", context.Canary);

        var watch = new HealthWatch(new WatchRequest
        {
            Definition = new WatchDefinition { Duration = duration, Interval = interval, Probes = probes },
            Application = context.Plan.Application,
            Environment = context.Plan.Environment,
            SecretsCatalog = context.Plan.Secrets,
        }, new HealthWatchServices());
        var stable = new List<HealthSample>();
        var canary = new List<HealthSample>();
        var started = DateTimeOffset.UtcNow;
        await foreach (var sample in watch.RunAsync(reporter, cancellation).ConfigureAwait(false))
        {
            (sample.Probe.StartsWith("canary-", StringComparison.Ordinal) ? canary : stable).Add(sample);
        }

        var (stableSeries, canarySeries, options) = (CanaryJudge.SeriesOf(stable), CanaryJudge.SeriesOf(canary), _options);
        if (context.Service.Strategy.Analysis is { Metrics.Count: > 0 } analysis)
        {
            // The team's own figures from Prometheus over the same pause, judged beside the HTTP samples.
            (stableSeries, canarySeries, options) = await PrometheusCanary.WithMetricsAsync(analysis, context.Plan, stableSeries, canarySeries, options,
                started, DateTimeOffset.UtcNow, TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerSecond, duration.Ticks / PointsPerStep)), cancellation)
                .ConfigureAwait(false);
        }
        var judgement = CanaryJudge.Judge(stableSeries, canarySeries, options);
        LastJudgement = judgement;
        var reasons = new List<string> { $"canary at {context.TrafficPercent}%: {judgement.Outcome}, {judgement.Summary}" };
        reasons.AddRange(judgement.Metrics.Where(m => m.Classification is MetricClassification.High or MetricClassification.Low)
            .Select(m => $"{m.Metric}: {m.Reason}"));
        if (judgement.Outcome is CanaryOutcome.Marginal or CanaryOutcome.NoData)
        {
            reporter.Warning(reasons[0]);
        }
        // Inconclusive about a critical metric is not a pass: the step stops and the release rolls back.
        var criticalUnjudged = judgement.Metrics.Any(m => m.Critical && m.Classification == MetricClassification.NoData);
        return new CanaryVerdict(judgement.Outcome != CanaryOutcome.Fail && !criticalUnjudged, reasons);
    }
}
