using ReleaseOps.Errors;
using ReleaseOps.Health;
using Xunit;

namespace ReleaseOps.Tests.Health;

/// <summary>The test against published examples: their U statistics and p-values.</summary>
public class MannWhitneyUTests
{
    // SciPy's mannwhitneyu documentation example (ages of male and female faculty):
    // U1 = 17; exact two-sided p = 0.1111111111111111; asymptotic (continuity-corrected) p = 0.11134688653314041.
    private static readonly double[] Males = { 19, 22, 16, 29, 24 };
    private static readonly double[] Females = { 20, 11, 17, 12 };

    [Fact]
    public void Scipy_example_exact()
    {
        var result = MannWhitneyU.Test(Males, Females);

        Assert.Equal(TestMethod.Exact, result.Method);
        Assert.Equal(17, result.U);
        Assert.Equal(3, result.UOther);
        Assert.Equal(0.1111111111111111, result.PValue, 12);
    }

    [Fact]
    public void Scipy_example_normal_approximation()
    {
        var result = MannWhitneyU.Test(Males, Females, method: TestMethod.Normal);

        Assert.Equal(17, result.U);
        Assert.Equal(0.11134688653314041, result.PValue, 6);
        Assert.Equal(1.5921683328090657, result.Z, 9);
    }

    [Fact]
    public void Hollander_and_Wolfe_example_one_sided_exact()
    {
        // R's wilcox.test documentation (Hollander & Wolfe 1973, p. 69):
        // wilcox.test(x, y, alternative = "g") gives W = 35, p-value = 0.1272.
        double[] x = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
        double[] y = { 1.15, 0.88, 0.90, 0.74, 1.21 };

        var result = MannWhitneyU.Test(x, y, TestAlternative.Greater);

        Assert.Equal(TestMethod.Exact, result.Method);
        Assert.Equal(35, result.U);
        Assert.Equal(0.1272, result.PValue, 4);
    }

    [Fact]
    public void R_normal_approximation_without_ties()
    {
        // wilcox.test(c(1,2,3), c(4,5,6), exact = FALSE): W = 0, p-value = 0.08086.
        var result = MannWhitneyU.Test(new double[] { 1, 2, 3 }, new double[] { 4, 5, 6 }, method: TestMethod.Normal);

        Assert.Equal(0, result.U);
        Assert.Equal(0.08086, result.PValue, 5);
    }

    [Fact]
    public void Minitab_example_with_a_tie_uses_midranks_and_the_tie_corrected_variance()
    {
        // Minitab's "Calculating Mann-Whitney statistics": W = 33.5 (U = 18.5); the test is
        // significant at 0.0500, and at 0.0491 adjusted for ties.
        double[] first = { 22, 24, 25, 29, 30 };
        double[] second = { 16, 21, 22, 23 };

        var result = MannWhitneyU.Test(first, second);

        Assert.Equal(TestMethod.Normal, result.Method); // a tie rules out the exact distribution
        Assert.Equal(18.5, result.U);
        Assert.Equal(0.0491, result.PValue, 4);
    }

    [Fact]
    public void Large_samples_use_the_normal_approximation_and_detect_a_shift()
    {
        var random = new Random(3);
        var baseline = Enumerable.Range(0, 200).Select(_ => 100 + random.NextDouble() * 20).ToArray();
        var slower = baseline.Select(v => v + 5).ToArray();

        var result = MannWhitneyU.Test(slower, baseline, TestAlternative.Greater);

        Assert.Equal(TestMethod.Normal, result.Method);
        Assert.True(result.PValue < 0.001, $"p = {result.PValue}");
        Assert.True(MannWhitneyU.Test(baseline, baseline.Reverse().ToArray(), TestAlternative.Greater).PValue > 0.4);
    }

    [Fact]
    public void Exact_and_normal_agree_for_moderate_samples()
    {
        double[] x = Enumerable.Range(0, 20).Select(i => i * 1.5 + 0.1).ToArray();
        double[] y = Enumerable.Range(0, 20).Select(i => i * 1.3 + 3.05).ToArray();

        var exact = MannWhitneyU.Test(x, y, method: TestMethod.Exact);
        var normal = MannWhitneyU.Test(x, y, method: TestMethod.Normal);

        Assert.Equal(exact.U, normal.U);
        Assert.InRange(normal.PValue - exact.PValue, -0.01, 0.01);
    }

    [Fact]
    public void Empty_samples_are_refused()
    {
        Assert.Throws<ArgumentException>(() => MannWhitneyU.Test(Array.Empty<double>(), new double[] { 1 }));
    }
}

public class CanaryJudgeTests
{
    private static IReadOnlyList<double> Series(int seed, int count, double centre, double spread) =>
        Enumerable.Range(0, count).Select(_ => centre + (new Random(seed + _).NextDouble() - 0.5) * spread).ToArray();

    private static Dictionary<string, IReadOnlyList<double>> Metrics(params (string Name, IReadOnlyList<double> Values)[] series) =>
        series.ToDictionary(s => s.Name, s => s.Values, StringComparer.OrdinalIgnoreCase);

    [Fact]
    public void A_canary_like_its_baseline_passes_with_full_score()
    {
        var baseline = Metrics(("latency_ms", Series(1, 40, 100, 20)), ("cpu_percent", Series(2, 40, 30, 10)));
        var canary = Metrics(("latency_ms", Series(101, 40, 100, 20)), ("cpu_percent", Series(202, 40, 30, 10)));

        var judgement = CanaryJudge.Judge(baseline, canary);

        Assert.Equal(CanaryOutcome.Pass, judgement.Outcome);
        Assert.Equal(100, judgement.Score);
        Assert.All(judgement.Metrics, m => Assert.Equal(MetricClassification.Pass, m.Classification));
    }

    [Fact]
    public void A_significantly_slower_canary_fails_the_latency_metric()
    {
        var baseline = Metrics(("latency_ms", Series(1, 40, 100, 20)), ("cpu_percent", Series(2, 40, 30, 10)));
        var canary = Metrics(("latency_ms", Series(101, 40, 150, 20)), ("cpu_percent", Series(202, 40, 30, 10)));

        var judgement = CanaryJudge.Judge(baseline, canary);

        var latency = judgement.Metrics.Single(m => m.Metric == "latency_ms");
        Assert.Equal(MetricClassification.High, latency.Classification);
        Assert.True(latency.PValue < 0.05);
        Assert.Equal(50, judgement.Score);
        Assert.Equal(CanaryOutcome.Fail, judgement.Outcome);
    }

    [Fact]
    public void A_significant_difference_within_tolerance_passes()
    {
        // 5% slower, clearly significant with this little noise, but inside the 10% tolerance.
        var baseline = Metrics(("latency_ms", Series(1, 60, 100, 2)));
        var canary = Metrics(("latency_ms", Series(101, 60, 105, 2)));

        var judgement = CanaryJudge.Judge(baseline, canary);

        var latency = Assert.Single(judgement.Metrics);
        Assert.True(latency.PValue < 0.05);
        Assert.Equal(MetricClassification.Pass, latency.Classification);
    }

    [Fact]
    public void Better_is_not_worse_and_lower_is_worse_metrics_fail_when_lower()
    {
        var options = new CanaryJudgeOptions
        {
            Metrics = new Dictionary<string, CanaryMetricOptions> { ["throughput"] = new() { Direction = MetricDirection.LowerIsWorse } },
        };
        var baseline = Metrics(("latency_ms", Series(1, 30, 100, 10)), ("throughput", Series(2, 30, 500, 20)));
        var canary = Metrics(("latency_ms", Series(101, 30, 60, 10)), ("throughput", Series(202, 30, 300, 20)));

        var judgement = CanaryJudge.Judge(baseline, canary, options);

        Assert.Equal(MetricClassification.Pass, judgement.Metrics.Single(m => m.Metric == "latency_ms").Classification);
        Assert.Equal(MetricClassification.Low, judgement.Metrics.Single(m => m.Metric == "throughput").Classification);
    }

    [Fact]
    public void Too_few_points_are_not_judged()
    {
        var judgement = CanaryJudge.Judge(Metrics(("latency_ms", Series(1, 5, 100, 10))), Metrics(("latency_ms", Series(2, 50, 500, 10))));

        Assert.Equal(CanaryOutcome.NoData, judgement.Outcome);
        Assert.Equal(MetricClassification.NoData, Assert.Single(judgement.Metrics).Classification);
    }

    [Fact]
    public void A_failing_critical_metric_fails_the_canary_whatever_the_score()
    {
        var options = new CanaryJudgeOptions
        {
            MarginalScore = 50,
            Metrics = new Dictionary<string, CanaryMetricOptions> { ["error"] = new() { Critical = true, AbsoluteTolerance = 0.01 } },
        };
        var many = Enumerable.Range(0, 8).Select(i => ($"m{i}", Series(i, 30, 10, 2))).ToList();
        var baseline = Metrics(many.Append(("error", (IReadOnlyList<double>)Enumerable.Repeat(0.0, 60).ToArray())).ToArray());
        var canary = Metrics(many.Select(m => (m.Item1, Series(m.Item1.Length + 50, 30, 10, 2))).ToList()
            .Append(("error", (IReadOnlyList<double>)Enumerable.Range(0, 60).Select(i => i % 4 == 0 ? 1.0 : 0).ToArray())).ToArray());

        var judgement = CanaryJudge.Judge(baseline, canary, options);

        Assert.Equal(MetricClassification.High, judgement.Metrics.Single(m => m.Metric == "error").Classification);
        Assert.True(judgement.Score >= 80, judgement.Summary);
        Assert.Equal(CanaryOutcome.Fail, judgement.Outcome);
    }

    [Fact]
    public void A_critical_metric_with_too_few_points_makes_the_judgement_NoData_whatever_the_others_say()
    {
        var options = new CanaryJudgeOptions
        {
            Metrics = new Dictionary<string, CanaryMetricOptions> { ["error"] = new() { Critical = true } },
        };
        var baseline = Metrics(("latency_ms", Series(1, 30, 100, 10)), ("error", Series(2, 3, 0, 0)));
        var canary = Metrics(("latency_ms", Series(3, 30, 100, 10)), ("error", Series(4, 3, 0, 0)));

        var judgement = CanaryJudge.Judge(baseline, canary, options);

        Assert.Equal(MetricClassification.Pass, judgement.Metrics.Single(m => m.Metric == "latency_ms").Classification);
        Assert.Equal(CanaryOutcome.NoData, judgement.Outcome);
        Assert.StartsWith("critical metric error could not be judged", judgement.Summary);

        // The same figures with error not critical: judged on latency alone, and it passes.
        Assert.Equal(CanaryOutcome.Pass, CanaryJudge.Judge(baseline, canary).Outcome);
    }

    [Fact]
    public void Bad_options_are_typed_errors()
    {
        var ex = Assert.Throws<ReleaseOpsException>(() => CanaryJudge.Judge(Metrics(), Metrics(), new CanaryJudgeOptions { Alpha = 2 }));
        Assert.Equal("CanaryAlphaInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
    }
}
