using ReleaseOps.Deploy;
using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Releases;
using Xunit;

namespace ReleaseOps.Tests.Health;

/// <summary>The statistical canary judge as the deploy engine's canary strategy calls it, against real endpoints.</summary>
public class CanaryAnalysisTests
{
    private static CanaryContext Context(ControllableEndpoint stable, ControllableEndpoint canary) => new(
        new ReleasePlan { Application = "ro-hlth-canary", Environment = "test" },
        new ServiceDefinition { Name = "web", Image = "releaseops-test/web", Health = new[] { new ProbeDefinition { Name = "health", Url = "/health" } } },
        10,
        new[] { new Uri($"http://127.0.0.1:{stable.Port}/") },
        new[] { new Uri($"http://127.0.0.1:{canary.Port}/") },
        TimeSpan.FromSeconds(2));

    [Fact]
    public async Task A_slower_canary_fails_and_a_like_one_passes()
    {
        // 40 ms answers: a loaded CI machine adds a few milliseconds of scheduling to some samples, noise within the 20%
        // tolerance at 40 ms that made a like canary "significantly slower" at 10 ms (19.5 vs 13.2 ms). The slow one
        // (110 ms) still answers within the analysis's sampling interval, so both sides get their points.
        await using var stable = new ControllableEndpoint(24020) { BaseDelay = TimeSpan.FromMilliseconds(40) };
        await using var slow = new ControllableEndpoint(24021) { BaseDelay = TimeSpan.FromMilliseconds(40), SlowDelay = TimeSpan.FromMilliseconds(70) };
        slow.Mode = EndpointMode.Slow;
        await using var like = new ControllableEndpoint(24022) { BaseDelay = TimeSpan.FromMilliseconds(40) };
        var analysis = new StatisticalCanaryAnalysis(pointsPerStep: 16);

        var bad = await analysis.AnalyseAsync(Context(stable, slow), SilentReporter.Instance, CancellationToken.None);
        var judged = analysis.LastJudgement!;
        var good = await analysis.AnalyseAsync(Context(stable, like), SilentReporter.Instance, CancellationToken.None);

        Assert.False(bad.Passed, string.Join("; ", bad.Reasons) + " " + string.Join(" / ", judged.Metrics.Select(m => $"{m.Metric} n={m.BaselinePoints}/{m.CanaryPoints} mean {m.BaselineMean:F1}/{m.CanaryMean:F1} median {m.BaselineMedian:F1}/{m.CanaryMedian:F1} p={m.PValue:G3}")));
        Assert.Equal(MetricClassification.High, judged.Metrics.Single(m => m.Metric == "latency_ms").Classification);
        Assert.Contains(bad.Reasons, r => r.StartsWith("latency_ms"));
        Assert.True(good.Passed, string.Join("; ", good.Reasons));
        Assert.Equal(CanaryOutcome.Pass, analysis.LastJudgement!.Outcome);
    }
}
