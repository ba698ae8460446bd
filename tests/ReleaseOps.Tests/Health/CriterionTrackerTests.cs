using ReleaseOps.Health;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// The per-probe figures a criterion reads (consecutive_failures, down_for, up) are kept as samples
/// arrive rather than recomputed over every probe: they must still be the worst probe's.
/// </summary>
public class CriterionTrackerTests
{
    private static HealthSample Sample(string probe, bool ok, double seconds) =>
        new() { Probe = probe, Type = ProbeType.Http, Success = ok, LatencyMs = ok ? 5 : null, Offset = TimeSpan.FromSeconds(seconds) };

    private static CriterionTracker Tracker(string expect) =>
        new(new CriterionDefinition { Name = "c", Expect = expect, Window = TimeSpan.FromSeconds(1) }, HealthCondition.Parse(expect), null, null);

    [Fact]
    public void The_worst_run_of_failures_and_the_earliest_failing_probe_follow_recoveries_across_probes()
    {
        var tracker = Tracker("consecutive_failures < 3");
        var now = 0.0;
        CriterionState Observe(string probe, bool ok) => tracker.Observe(Sample(probe, ok, now += 0.1), TimeSpan.FromSeconds(now));

        Observe("a", false);
        Observe("a", false);
        Observe("b", false);   // a has 2, b has 1; a has failed since 0.1 s
        Assert.Equal(CriterionState.Holding, Observe("c", true));
        Assert.Equal(CriterionState.Holding, Observe("a", true));   // a recovers: the worst is b's run of 1, down since b's 0.3 s
        var result = tracker.Result(TimeSpan.FromSeconds(now));
        Assert.Equal(1, result.Observed);
        Observe("b", false);
        Assert.Equal(CriterionState.Breached, Observe("b", false)); // b's third in a row
        Assert.Equal(3, tracker.Result(TimeSpan.FromSeconds(now)).Observed);

        var down = Tracker("down_for < 1s");
        now = 0;
        CriterionState Down(string probe, bool ok, double at) => down.Observe(Sample(probe, ok, at), TimeSpan.FromSeconds(at));
        Down("a", false, 0.0);
        Down("b", false, 0.5);
        Down("a", true, 0.6);                                          // a's start no longer counts; b failing since 0.5 s
        Assert.Equal(CriterionState.Holding, Down("c", true, 1.4));    // down for 0.9 s
        Assert.Equal(CriterionState.Breached, Down("c", true, 1.6));   // down for 1.1 s
        Assert.Equal(1100, down.Result(TimeSpan.FromSeconds(1.6)).Observed!.Value, 3);

        var up = Tracker("up == true");
        Assert.Equal(CriterionState.Holding, up.Observe(Sample("a", true, 0.1), TimeSpan.FromSeconds(0.1)));
        Assert.Equal(CriterionState.Breached, up.Observe(Sample("b", false, 0.2), TimeSpan.FromSeconds(0.2)));
    }
}
