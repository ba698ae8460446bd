using ReleaseOps.Errors;

namespace ReleaseOps.Health;

/// <summary>Which direction of change in a metric is bad for the canary.</summary>
public enum MetricDirection
{
    /// <summary>Latency, error rate, CPU: the canary fails when it is higher.</summary>
    HigherIsWorse,
    /// <summary>Throughput, cache hit ratio: the canary fails when it is lower.</summary>
    LowerIsWorse,
    /// <summary>Any significant change beyond the tolerance fails.</summary>
    Either,
}

/// <summary>How one metric is judged.</summary>
public sealed record CanaryMetricOptions
{
    public MetricDirection Direction { get; init; } = MetricDirection.HigherIsWorse;
    /// <summary>
    /// How much worse the canary's mean may be, as a fraction of the baseline's (0.1 = 10%), before a
    /// significant difference counts against it.
    /// </summary>
    public double Tolerance { get; init; } = 0.1;
    /// <summary>Absolute slack added to the tolerance, for metrics whose baseline is near zero (error rates).</summary>
    public double AbsoluteTolerance { get; init; }
    public double Weight { get; init; } = 1;
    /// <summary>A failing critical metric fails the whole judgement whatever the score.</summary>
    public bool Critical { get; init; }
}

/// <summary>Options of the canary judge; per-metric options fall back to <see cref="Default"/>.</summary>
public sealed record CanaryJudgeOptions
{
    /// <summary>Significance level of the Mann-Whitney test.</summary>
    public double Alpha { get; init; } = 0.05;
    /// <summary>A metric with fewer points than this on either side is not judged (NoData).</summary>
    public int MinimumPoints { get; init; } = 10;
    /// <summary>Score (0-100) at or above which the canary passes.</summary>
    public double PassScore { get; init; } = 95;
    /// <summary>Score at or above which the canary is marginal rather than failed.</summary>
    public double MarginalScore { get; init; } = 75;
    public CanaryMetricOptions Default { get; init; } = new();
    public IReadOnlyDictionary<string, CanaryMetricOptions> Metrics { get; init; } =
        new Dictionary<string, CanaryMetricOptions>(StringComparer.OrdinalIgnoreCase);

    public CanaryMetricOptions For(string metric) =>
        Metrics.TryGetValue(metric, out var options) ? options : Default;
}

public enum MetricClassification
{
    /// <summary>Not significantly worse beyond the tolerance.</summary>
    Pass,
    /// <summary>Significantly higher than the baseline beyond the tolerance.</summary>
    High,
    /// <summary>Significantly lower than the baseline beyond the tolerance.</summary>
    Low,
    /// <summary>Too few points on one side to judge.</summary>
    NoData,
}

public enum CanaryOutcome
{
    Pass,
    Marginal,
    Fail,
    /// <summary>No metric had enough points to judge, or a critical one had too few.</summary>
    NoData,
}

/// <summary>One metric's comparison.</summary>
public sealed record MetricJudgement(
    string Metric,
    MetricClassification Classification,
    int BaselinePoints,
    int CanaryPoints,
    double? BaselineMean,
    double? CanaryMean,
    double? BaselineMedian,
    double? CanaryMedian,
    /// <summary>(canary mean - baseline mean) / |baseline mean|; infinity when the baseline mean is 0 and the canary's is not.</summary>
    double? RelativeChange,
    double? PValue,
    double Weight,
    bool Critical,
    string Reason)
{
    public override string ToString() => $"{Metric}: {Classification} ({Reason})";
}

/// <summary>The judge's verdict: a score from 0 to 100, an outcome, and each metric's classification.</summary>
public sealed record CanaryJudgement(
    CanaryOutcome Outcome,
    double Score,
    IReadOnlyList<MetricJudgement> Metrics,
    string Summary)
{
    public override string ToString() => $"{Outcome} (score {Score:0.##}): {Summary}";
}

/// <summary>
/// Compares a canary against the baseline running beside it, metric by metric, in the manner of
/// Kayenta's judge: a metric passes unless the canary is significantly worse (one-sided
/// Mann-Whitney U test at <see cref="CanaryJudgeOptions.Alpha"/>) and its mean or median is worse
/// by more than the metric's tolerance. The score is the weighted share of judged metrics that pass. A pure
/// function: the deploy engine's canary strategy calls it between weight steps.
/// </summary>
public static class CanaryJudge
{
    public static CanaryJudgement Judge(
        IReadOnlyDictionary<string, IReadOnlyList<double>> baselineSamples,
        IReadOnlyDictionary<string, IReadOnlyList<double>> canarySamples,
        CanaryJudgeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baselineSamples);
        ArgumentNullException.ThrowIfNull(canarySamples);
        options ??= new CanaryJudgeOptions();
        Validate(options);

        var names = baselineSamples.Keys.Union(canarySamples.Keys, StringComparer.OrdinalIgnoreCase)
            .OrderBy(n => n, StringComparer.OrdinalIgnoreCase).ToList();
        var metrics = names.Select(name => JudgeMetric(name,
            baselineSamples.TryGetValue(name, out var b) ? b : Array.Empty<double>(),
            canarySamples.TryGetValue(name, out var c) ? c : Array.Empty<double>(),
            options)).ToList();

        // A critical metric is a figure the team said the canary must be judged on: without enough points it
        // cannot be said to hold, so the whole judgement is NoData and names it (the canary is not promoted).
        if (metrics.FirstOrDefault(m => m.Critical && m.Classification == MetricClassification.NoData) is { } unjudged)
        {
            return new CanaryJudgement(CanaryOutcome.NoData, 0, metrics,
                $"critical metric {unjudged.Metric} could not be judged: {unjudged.Reason}");
        }
        var judged = metrics.Where(m => m.Classification != MetricClassification.NoData).ToList();
        if (judged.Count == 0)
        {
            return new CanaryJudgement(CanaryOutcome.NoData, 0, metrics,
                $"No metric had {options.MinimumPoints} points on both sides yet.");
        }
        var totalWeight = judged.Sum(m => m.Weight);
        var passWeight = judged.Where(m => m.Classification == MetricClassification.Pass).Sum(m => m.Weight);
        var score = totalWeight > 0 ? Math.Round(100 * passWeight / totalWeight, 2) : 0;
        var criticalFailure = judged.FirstOrDefault(m => m.Critical && m.Classification != MetricClassification.Pass);
        var outcome = criticalFailure is not null ? CanaryOutcome.Fail
            : score >= options.PassScore ? CanaryOutcome.Pass
            : score >= options.MarginalScore ? CanaryOutcome.Marginal
            : CanaryOutcome.Fail;
        var failed = judged.Where(m => m.Classification != MetricClassification.Pass).Select(m => $"{m.Metric} {m.Classification}");
        var summary = $"score {score:0.##} ({judged.Count - failed.Count()}/{judged.Count} metrics pass)" +
            (failed.Any() ? "; " + string.Join(", ", failed) : "") +
            (criticalFailure is null ? "" : $"; critical metric {criticalFailure.Metric} failed");
        return new CanaryJudgement(outcome, score, metrics, summary);
    }

    /// <summary>
    /// Turns health samples into the judge's metric series: <c>latency_ms</c>, <c>error</c> (1 for a
    /// failed sample, 0 otherwise) and every measured value (cpu_percent, memory_percent...).
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<double>> SeriesOf(IEnumerable<HealthSample> samples)
    {
        var series = new Dictionary<string, List<double>>(StringComparer.OrdinalIgnoreCase);
        void Add(string name, double value)
        {
            if (!series.TryGetValue(name, out var list)) series[name] = list = new List<double>();
            list.Add(value);
        }
        foreach (var sample in samples)
        {
            Add("error", sample.Success ? 0 : 1);
            if (sample.LatencyMs is { } latency && sample.Success) Add("latency_ms", latency);
            foreach (var (name, value) in sample.Values) Add(name, value);
        }
        return series.ToDictionary(p => p.Key, p => (IReadOnlyList<double>)p.Value, StringComparer.OrdinalIgnoreCase);
    }

    private static MetricJudgement JudgeMetric(string name, IReadOnlyList<double> baseline, IReadOnlyList<double> canary,
        CanaryJudgeOptions options)
    {
        var metric = options.For(name);
        baseline = baseline.Where(double.IsFinite).ToArray();
        canary = canary.Where(double.IsFinite).ToArray();
        if (baseline.Count < options.MinimumPoints || canary.Count < options.MinimumPoints)
        {
            return new MetricJudgement(name, MetricClassification.NoData, baseline.Count, canary.Count,
                null, null, null, null, null, null, metric.Weight, metric.Critical,
                $"needs {options.MinimumPoints} points on each side (baseline {baseline.Count}, canary {canary.Count})");
        }

        var baselineMean = baseline.Average();
        var canaryMean = canary.Average();
        var baselineMedian = Percentiles.Of(baseline, 50);
        var canaryMedian = Percentiles.Of(canary, 50);
        var relative = baselineMean != 0 ? (canaryMean - baselineMean) / Math.Abs(baselineMean)
            : canaryMean == 0 ? 0 : Math.Sign(canaryMean) * double.PositiveInfinity;
        // Worse beyond the tolerance by the mean (error rates: medians of 0/1 series stay 0) or by
        // the median (latency: a few outliers on the baseline side must not hide a slower canary).
        var allowedMean = metric.Tolerance * Math.Abs(baselineMean) + metric.AbsoluteTolerance;
        var allowedMedian = metric.Tolerance * Math.Abs(baselineMedian) + metric.AbsoluteTolerance;
        bool Beyond(double sign) =>
            sign * (canaryMean - baselineMean) > allowedMean || sign * (canaryMedian - baselineMedian) > allowedMedian;

        var higher = Check(canary, baseline, TestAlternative.Greater, Beyond(+1), options.Alpha);
        var lower = Check(canary, baseline, TestAlternative.Less, Beyond(-1), options.Alpha);
        var classification = MetricClassification.Pass;
        double p;
        if (metric.Direction != MetricDirection.LowerIsWorse && higher.Significant && higher.BeyondTolerance)
        {
            classification = MetricClassification.High;
            p = higher.P;
        }
        else if (metric.Direction != MetricDirection.HigherIsWorse && lower.Significant && lower.BeyondTolerance)
        {
            classification = MetricClassification.Low;
            p = lower.P;
        }
        else
        {
            p = metric.Direction switch
            {
                MetricDirection.HigherIsWorse => higher.P,
                MetricDirection.LowerIsWorse => lower.P,
                _ => Math.Min(1, 2 * Math.Min(higher.P, lower.P)),
            };
        }
        var reason = classification switch
        {
            MetricClassification.High => $"canary significantly higher (p={p:G3}), mean {canaryMean:G4} vs {baselineMean:G4} beyond tolerance {metric.Tolerance:P0}",
            MetricClassification.Low => $"canary significantly lower (p={p:G3}), mean {canaryMean:G4} vs {baselineMean:G4} beyond tolerance {metric.Tolerance:P0}",
            _ => $"no significant degradation beyond tolerance (p={p:G3}, mean {canaryMean:G4} vs {baselineMean:G4})",
        };
        return new MetricJudgement(name, classification, baseline.Count, canary.Count, baselineMean, canaryMean,
            baselineMedian, canaryMedian, relative, p, metric.Weight, metric.Critical, reason);
    }

    private static (bool Significant, bool BeyondTolerance, double P) Check(IReadOnlyList<double> canary,
        IReadOnlyList<double> baseline, TestAlternative alternative, bool beyondTolerance, double alpha)
    {
        var p = MannWhitneyU.Test(canary, baseline, alternative).PValue;
        return (p < alpha, beyondTolerance, p);
    }

    private static void Validate(CanaryJudgeOptions options)
    {
        if (options.Alpha is <= 0 or >= 1)
        {
            throw new ReleaseOpsException("CanaryAlphaInvalid", FailureKind.InvalidArgument,
                $"The canary judge's significance level must be between 0 and 1; got {options.Alpha}.",
                "alpha", "Use a value such as 0.05.");
        }
        if (options.MinimumPoints < 3)
        {
            throw new ReleaseOpsException("CanaryMinimumPointsInvalid", FailureKind.InvalidArgument,
                $"The canary judge needs at least 3 points per side to judge; got {options.MinimumPoints}.",
                "minimumPoints", "Use 10 or more points per metric.");
        }
        if (options.MarginalScore > options.PassScore)
        {
            throw new ReleaseOpsException("CanaryScoresInvalid", FailureKind.InvalidArgument,
                $"The marginal score ({options.MarginalScore}) may not exceed the pass score ({options.PassScore}).",
                "marginalScore", "Set the marginal score at or below the pass score.");
        }
    }
}
