using System.Globalization;
using System.Text;
using ReleaseOps.Deploy;
using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Releases;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// The canary judge comparing a team's PromQL figure for the canary against the same figure for the stable
/// version (label matchers per version) on the test Prometheus, as the canary strategy runs it between steps.
/// </summary>
public class PrometheusCanaryTests
{
    [Fact]
    public void The_versions_matchers_go_where_the_query_says_selector()
    {
        Assert.Equal("sum(rate(errors{code=~\"5..\",track=\"canary\"}[1m]))",
            PrometheusCanary.For("sum(rate(errors{code=~\"5..\",$selector}[1m]))", "track=\"canary\""));
        var options = PrometheusCanary.Options(new CanaryMetricDefinition { Name = "q", Query = "x", Direction = "lower-is-worse", Critical = true },
            new CanaryMetricOptions { Tolerance = 0.2 });
        Assert.Equal(MetricDirection.LowerIsWorse, options.Direction);
        Assert.Equal(0.2, options.Tolerance);
        Assert.True(options.Critical);
    }

    [Fact]
    public void A_metrics_tolerance_is_how_much_worse_than_stable_the_canary_may_be()
    {
        // A canary 20% slower than stable, clearly significant: beyond the default 10%, within a metric's tolerance of 30%.
        IReadOnlyList<double> Series(int seed, double centre) => Enumerable.Range(0, 40).Select(i => centre + (new Random(seed + i).NextDouble() - 0.5) * 2).ToArray();
        var stable = new Dictionary<string, IReadOnlyList<double>> { ["latency"] = Series(1, 100) };
        var canary = new Dictionary<string, IReadOnlyList<double>> { ["latency"] = Series(101, 120) };
        MetricClassification Judge(double? tolerance)
        {
            var metric = new CanaryMetricDefinition { Name = "latency", Query = "x", Tolerance = tolerance };
            var options = new CanaryJudgeOptions { Metrics = new Dictionary<string, CanaryMetricOptions> { ["latency"] = PrometheusCanary.Options(metric, new CanaryMetricOptions()) } };
            return CanaryJudge.Judge(stable, canary, options).Metrics.Single().Classification;
        }

        Assert.Equal(MetricClassification.High, Judge(null));
        Assert.Equal(MetricClassification.Pass, Judge(0.3));
        Assert.Equal(MetricClassification.High, Judge(0.15));
    }

    [Fact]
    public async Task A_canary_whose_error_ratio_is_worse_than_stables_fails_its_step_and_a_like_one_passes()
    {
        TestEnvironment.Require(TestService.Nginx);
        using var target = new PrometheusTarget(Metrics(0));
        await target.WaitForSeriesAsync($"app_error_ratio{{{target.Selector}}}", 3);
        using var publishing = new CancellationTokenSource();
        // The service's figures move every 250 ms, with noise: stable and the good canary around 1%, the bad one around 8%.
        var publisher = Task.Run(async () =>
        {
            for (var tick = 1; !publishing.IsCancellationRequested; tick++)
            {
                target.Publish(Metrics(tick));
                await Task.Delay(250);
            }
        });
        try
        {
            var analysis = new StatisticalCanaryAnalysis(pointsPerStep: 12);
            var bad = await analysis.AnalyseAsync(Context(target, "bad"), SilentReporter.Instance, CancellationToken.None);
            var badJudgement = analysis.LastJudgement!;
            var good = await analysis.AnalyseAsync(Context(target, "good"), SilentReporter.Instance, CancellationToken.None);
            var goodJudgement = analysis.LastJudgement!;
            var coarse = await analysis.AnalyseAsync(Context(target, "good", step: TimeSpan.FromSeconds(2)), SilentReporter.Instance, CancellationToken.None);
            var coarseJudgement = analysis.LastJudgement!;

            var errors = badJudgement.Metrics.Single(m => m.Metric == "error_ratio");
            Assert.False(bad.Passed, string.Join("; ", bad.Reasons) + $" n={errors.BaselinePoints}/{errors.CanaryPoints} mean {errors.BaselineMean}/{errors.CanaryMean}");
            Assert.Equal(MetricClassification.High, errors.Classification);
            Assert.True(errors.CanaryPoints >= 6 && errors.BaselinePoints >= 6);
            Assert.Contains(bad.Reasons, r => r.StartsWith("error_ratio"));
            Assert.True(good.Passed, string.Join("; ", good.Reasons));
            Assert.Equal(MetricClassification.Pass, goodJudgement.Metrics.Single(m => m.Metric == "error_ratio").Classification);
            // The analysis's step: 2s over the 6s pause gives a handful of points, too few to judge; the metric is
            // critical, so the canary is not promoted on a figure nobody judged.
            var coarseErrors = coarseJudgement.Metrics.Single(m => m.Metric == "error_ratio");
            Assert.InRange(coarseErrors.CanaryPoints, 2, 4);
            Assert.Equal(MetricClassification.NoData, coarseErrors.Classification);
            Assert.Equal(CanaryOutcome.NoData, coarseJudgement.Outcome);
            Assert.False(coarse.Passed, string.Join("; ", coarse.Reasons));
            Assert.Contains("critical metric error_ratio could not be judged", coarse.Reasons[0]);
        }
        finally
        {
            publishing.Cancel();
            await publisher;
        }
    }

    private static string Metrics(int tick)
    {
        double Noise(int track) => ((tick * 7919 + track * 104729) % 97) / 97.0 * 0.004;
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"app_error_ratio{{track=\"stable\"}} {0.010 + Noise(1)}\n");
        text.Append(CultureInfo.InvariantCulture, $"app_error_ratio{{track=\"good\"}} {0.010 + Noise(2)}\n");
        text.Append(CultureInfo.InvariantCulture, $"app_error_ratio{{track=\"bad\"}} {0.080 + Noise(3)}\n");
        return text.ToString();
    }

    private static CanaryContext Context(PrometheusTarget target, string canaryTrack, TimeSpan? step = null)
    {
        var health = new Uri(TestEnvironment.NginxHttp, "/health");
        var service = new ServiceDefinition
        {
            Name = "web",
            Image = "releaseops-test/web",
            Health = new[] { new ProbeDefinition { Name = "health", Url = "/health" } },
            Strategy = new StrategyDefinition
            {
                Type = DeploymentStrategyType.Canary,
                Analysis = new CanaryAnalysisDefinition
                {
                    Prometheus = new GateSettings(new Dictionary<string, object?> { ["url"] = TestEnvironment.PrometheusUrl.ToString() }),
                    Canary = $"{target.Selector},track=\"{canaryTrack}\"",
                    Stable = $"{target.Selector},track=\"stable\"",
                    Step = step,
                    Metrics = new[] { new CanaryMetricDefinition { Name = "error_ratio", Query = "app_error_ratio{$selector}", Critical = true } },
                },
            },
        };
        return new CanaryContext(new ReleasePlan { Application = "ro-prom-canary", Environment = "test" }, service, 10,
            new[] { new Uri(health, "/") }, new[] { new Uri(health, "/") }, TimeSpan.FromSeconds(6));
    }
}
