using System.Diagnostics;
using ReleaseOps.Errors;
using ReleaseOps.Health;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// Drives one real endpoint through healthy -> 10% errors -> slow -> hung, with each criterion
/// on a short window, and checks that each breaches after its degradation began, within its window
/// (plus scheduling slack), and never before.
/// </summary>
public class HealthWatchTests
{
    private static WatchRequest Request(WatchDefinition definition, string? journal = null) =>
        new() { Definition = definition, Application = "ro-hlth-shop", Environment = "test", JournalPath = journal };

    private static readonly HealthWatchServices Services = new();

    [Fact]
    public async Task Each_injected_degradation_breaches_its_criterion_at_the_right_time()
    {
        await using var endpoint = new ControllableEndpoint(24011) { BaseDelay = TimeSpan.FromMilliseconds(20), SlowDelay = TimeSpan.FromMilliseconds(400) };
        var interval = TimeSpan.FromMilliseconds(50);
        var definition = new WatchDefinition
        {
            Duration = TimeSpan.FromSeconds(11.5),
            Probes = new[]
            {
                new ProbeDefinition { Name = "web", Url = endpoint.Url().ToString(), Interval = interval, Timeout = TimeSpan.FromMilliseconds(600), Expect = new[] { "status == 200" } },
            },
            Criteria = new[]
            {
                new CriterionDefinition { Name = "errors", Expect = "error_rate < 5%", Window = TimeSpan.FromSeconds(2) },
                new CriterionDefinition { Name = "errors-sustained", Expect = "error_rate < 5%", Window = TimeSpan.FromSeconds(2), For = TimeSpan.FromSeconds(1.5) },
                new CriterionDefinition { Name = "latency", Expect = "p95 < 300ms", Window = TimeSpan.FromSeconds(2) },
                new CriterionDefinition { Name = "latency-vs-baseline", Expect = "p50_increase < 300%", Window = TimeSpan.FromSeconds(2) },
                new CriterionDefinition { Name = "down", Expect = "down_for < 1s", Window = TimeSpan.FromSeconds(2) },
                new CriterionDefinition { Name = "consecutive", Expect = "consecutive_failures < 3", Window = TimeSpan.FromSeconds(2) },
                new CriterionDefinition { Name = "warning-only", Expect = "error_rate < 1%", Window = TimeSpan.FromSeconds(2), Severity = GateSeverity.Low },
            },
        };
        var watch = new HealthWatch(Request(definition) with { BaselineWindow = TimeSpan.FromSeconds(2) }, Services);
        watch.Prepare();

        // The timeline: cue each behaviour at a fixed offset from the watch's start.
        var errorsAt = TimeSpan.FromSeconds(3);
        var slowAt = TimeSpan.FromSeconds(6);
        var hangAt = TimeSpan.FromSeconds(9);
        // The clock starts at the first sample, so every cue lands at or after its offset on the
        // watch's own timeline (never before: that would let a criterion breach "early").
        var firstSample = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cues = new CancellationTokenSource();
        // When each behaviour really began: a loaded machine wakes a cue late, and the assertions follow the endpoint, not the plan.
        var cuedAt = new TimeSpan[3];
        var cueing = Task.Run(async () =>
        {
            await firstSample.Task;
            var clock = Stopwatch.StartNew();
            await Task.Delay(errorsAt - clock.Elapsed, cues.Token);
            endpoint.Mode = EndpointMode.TenPercentErrors;
            cuedAt[0] = clock.Elapsed;
            await Task.Delay(slowAt - clock.Elapsed, cues.Token);
            endpoint.Mode = EndpointMode.Slow;
            cuedAt[1] = clock.Elapsed;
            await Task.Delay(hangAt - clock.Elapsed, cues.Token);
            endpoint.Mode = EndpointMode.Hang;
            cuedAt[2] = clock.Elapsed;
        });

        var samples = new List<HealthSample>();
        await foreach (var sample in watch.RunAsync(SilentReporter()))
        {
            firstSample.TrySetResult();
            samples.Add(sample);
        }
        await cueing;
        (errorsAt, slowAt, hangAt) = (cuedAt[0], cuedAt[1], cuedAt[2]);
        var verdict = watch.Verdict!;
        var results = verdict.Criteria.ToDictionary(c => c.Name);
        var slack = TimeSpan.FromSeconds(1.5);

        Assert.Equal(HealthStatus.Breached, verdict.Status);
        Assert.Equal("errors", verdict.Criterion); // the first degradation breaches first
        Assert.Equal(TimeSpan.FromSeconds(2), verdict.Window);
        Assert.True(verdict.Observed >= 0.05, $"observed {verdict.Observed}");
        Assert.Equal(0.05, verdict.Threshold);

        AssertBreachedBetween(results["errors"], errorsAt, errorsAt + TimeSpan.FromSeconds(2) + slack);
        AssertBreachedBetween(results["errors-sustained"], results["errors"].BreachedAt!.Value + TimeSpan.FromSeconds(1.5), errorsAt + TimeSpan.FromSeconds(3.5) + slack);
        Assert.True(results["errors-sustained"].FailingFor >= TimeSpan.FromSeconds(1.5));
        AssertBreachedBetween(results["latency"], slowAt, slowAt + TimeSpan.FromSeconds(2) + slack);
        AssertBreachedBetween(results["latency-vs-baseline"], slowAt, slowAt + TimeSpan.FromSeconds(2) + slack);
        AssertBreachedBetween(results["down"], hangAt + TimeSpan.FromSeconds(1), hangAt + TimeSpan.FromSeconds(1) + slack + TimeSpan.FromSeconds(0.5));
        AssertBreachedBetween(results["consecutive"], hangAt + TimeSpan.FromSeconds(1), hangAt + TimeSpan.FromSeconds(2) + slack);
        Assert.Equal(CriterionState.Failing, results["warning-only"].State); // low severity never breaches

        // A hung endpoint is a failure at its timeout, with the timeout as latency.
        var hung = samples.Where(s => s.Offset > hangAt + TimeSpan.FromMilliseconds(200)).ToList();
        Assert.NotEmpty(hung);
        Assert.All(hung, s => Assert.False(s.Success));
        Assert.All(hung, s => Assert.Equal(600, s.LatencyMs!.Value, 0));
        Assert.Contains("no answer within 600ms", hung[0].Error);
        // Failing samples name what was wrong.
        Assert.Contains(samples, s => s.Status == 500 && !s.Success && s.Error!.Contains("status"));
        // Samples stream in monotonic time and carry wall time derived from it.
        Assert.True(samples.Count > 40, $"{samples.Count} samples");
        Assert.All(samples, s => Assert.Equal(verdict.StartedAt + s.Offset, s.Timestamp));
    }

    private static void AssertBreachedBetween(CriterionResult result, TimeSpan notBefore, TimeSpan by)
    {
        Assert.True(result.State == CriterionState.Breached, $"{result.Name} did not breach: {result.Detail}");
        var at = result.BreachedAt!.Value;
        Assert.True(at >= notBefore, $"{result.Name} breached at {at.TotalSeconds:F2}s, before {notBefore.TotalSeconds:F2}s");
        Assert.True(at <= by, $"{result.Name} breached at {at.TotalSeconds:F2}s, later than {by.TotalSeconds:F2}s");
    }

    [Fact]
    public async Task A_healthy_endpoint_stays_healthy_and_the_watch_is_saved_as_the_next_baseline()
    {
        await using var endpoint = new ControllableEndpoint(24012);
        var journal = Directory.CreateTempSubdirectory("ro-hlth-journal-").FullName;
        try
        {
            var definition = new WatchDefinition
            {
                Duration = TimeSpan.FromSeconds(2),
                Probes = new[]
                {
                    new ProbeDefinition { Name = "web", Url = endpoint.Url().ToString(), Interval = TimeSpan.FromMilliseconds(50) },
                    new ProbeDefinition { Name = "port", Type = ProbeType.Tcp, Host = "127.0.0.1", Port = endpoint.Port, Interval = TimeSpan.FromMilliseconds(100) },
                    new ProbeDefinition { Name = "metrics", Type = ProbeType.Metrics, Url = endpoint.Url("/metrics").ToString(), Interval = TimeSpan.FromMilliseconds(200) },
                },
                Criteria = new[]
                {
                    new CriterionDefinition { Name = "errors", Expect = "error_rate < 5%", Window = TimeSpan.FromSeconds(1) },
                    new CriterionDefinition { Name = "served-errors", Probe = "metrics", Expect = "error_rate < 5%", Window = TimeSpan.FromSeconds(1) },
                    // What is tested is that the last release's watch is found and judged against, not a threshold: a
                    // localhost p95 of ~1 ms can be ten times that on a loaded two-core runner (seen once in CI).
                    new CriterionDefinition { Name = "vs-last-release", Probe = "web", Expect = "p95_increase < 100000%", Window = TimeSpan.FromSeconds(1) },
                },
            };
            var first = new HealthWatch(Request(definition, journal) with { Version = "1.0.0" }, Services);
            var samples = new List<HealthSample>();
            await foreach (var s in first.RunAsync(SilentReporter())) samples.Add(s);

            Assert.Null(first.Baseline);
            // No baseline yet: the comparison with the last release was never judged, so the first watch proves nothing about it.
            Assert.Equal(HealthStatus.Inconclusive, first.Verdict!.Status);
            Assert.Contains("'vs-last-release'", first.Verdict.Reason);
            Assert.Contains("needs a latency baseline", first.Verdict.Reason);
            Assert.Equal(CriterionState.Pending, first.Verdict.Criteria.Single(c => c.Name == "vs-last-release").State);
            var served = first.Verdict.Criteria.Single(c => c.Name == "served-errors");
            Assert.True(served.State == CriterionState.Holding, $"{served} {served.Detail}; ran {first.Verdict.Duration}; skipped {first.Verdict.SkippedTicks}; scrapes at " +
                string.Join(", ", samples.Where(s => s.Probe == "metrics").Select(s => $"{s.Offset.TotalMilliseconds:F0}ms {s.Success} {s.Error}")));
            Assert.Contains(samples, s => s.Probe == "port" && s.Success);
            var scrape = samples.Last(s => s.Probe == "metrics");
            Assert.True(scrape.Success, scrape.Error);
            Assert.True(scrape.Values["requests"] > 0);
            Assert.Equal(0, scrape.Values["errors"]);
            Assert.True(scrape.Values.ContainsKey("p95"));

            // Saved atomically: one complete JSON file and no temporary left behind.
            var saved = Assert.Single(Directory.GetFiles(Path.Combine(journal, "watches")));
            Assert.EndsWith(".json", saved);
            Assert.Equal(saved, first.Verdict.SummaryPath);

            var second = new HealthWatch(Request(definition, journal) with { Version = "1.1.0" }, Services);
            await foreach (var _ in second.RunAsync(SilentReporter())) { }

            Assert.NotNull(second.Baseline);
            Assert.Contains("1.0.0", second.Baseline!.Source);
            Assert.Equal(CriterionState.Holding, second.Verdict!.Criteria.Single(c => c.Name == "vs-last-release").State);
            Assert.True(second.Verdict.Status == HealthStatus.Healthy, second.Verdict.ToString());
            Assert.Equal(2, Directory.GetFiles(Path.Combine(journal, "watches")).Length);
            Assert.Equal("1.1.0", new WatchSummaryStore(journal).LoadLatest("ro-hlth-shop", "test")!.Version);
        }
        finally
        {
            Directory.Delete(journal, recursive: true);
        }
    }

    [Fact]
    public async Task Stop_on_breach_ends_the_watch_early_and_a_refused_port_fails()
    {
        var definition = new WatchDefinition
        {
            Duration = TimeSpan.FromSeconds(30),
            Probes = new[] { new ProbeDefinition { Name = "closed", Type = ProbeType.Tcp, Host = "127.0.0.1", Port = 24099, Interval = TimeSpan.FromMilliseconds(50) } },
            Criteria = new[] { new CriterionDefinition { Name = "up", Expect = "consecutive_failures < 3" } },
        };
        var watch = new HealthWatch(Request(definition) with { StopOnBreach = true }, Services);
        var samples = new List<HealthSample>();
        await foreach (var s in watch.RunAsync(SilentReporter())) samples.Add(s);

        Assert.Equal(HealthStatus.Breached, watch.Verdict!.Status);
        Assert.True(watch.Verdict.StoppedEarly);
        Assert.True(watch.Verdict.Duration < TimeSpan.FromSeconds(10));
        Assert.All(samples, s => Assert.Equal("connection refused", s.Error));
    }

    [Fact]
    public async Task Probe_expectations_read_status_body_and_json_in_the_gate_language()
    {
        await using var endpoint = new ControllableEndpoint(24017);
        var url = endpoint.Url("/status.json").ToString();
        var definition = new WatchDefinition
        {
            Duration = TimeSpan.FromSeconds(0.5),
            Probes = new[]
            {
                new ProbeDefinition { Name = "up", Url = url, Interval = TimeSpan.FromMilliseconds(100), Expect = new[] { "status == 200", "json.status == \"UP\"", "json.checks[0].name == \"db\"", "body contains \"checks\"" } },
                new ProbeDefinition { Name = "down", Url = url, Interval = TimeSpan.FromMilliseconds(100), Expect = new[] { "json.status == \"DOWN\"" } },
            },
        };
        var watch = new HealthWatch(Request(definition), Services);
        var samples = new List<HealthSample>();
        await foreach (var s in watch.RunAsync(SilentReporter())) samples.Add(s);

        Assert.All(samples.Where(s => s.Probe == "up"), s => Assert.True(s.Success, s.Error));
        var down = samples.Where(s => s.Probe == "down").ToList();
        Assert.NotEmpty(down);
        Assert.All(down, s => Assert.False(s.Success));
        Assert.Contains("UP", down[0].Error);
    }

    [Fact]
    public void Bad_watches_are_typed_errors()
    {
        var probe = new ProbeDefinition { Name = "web", Url = "http://127.0.0.1:24013/" };
        var cases = new (WatchRequest Request, string ErrorId)[]
        {
            (Request(new WatchDefinition()), "WatchHasNoProbes"),
            (Request(new WatchDefinition { Probes = new[] { probe with { Url = "not a url" } } }), "ProbeUrlInvalid"),
            (Request(new WatchDefinition { Probes = new[] { probe, probe } }), "WatchProbeNameDuplicate"),
            (Request(new WatchDefinition { Probes = new[] { probe with { Type = ProbeType.Tcp, Url = null } } }), "ProbeAddressInvalid"),
            (Request(new WatchDefinition { Probes = new[] { probe with { Type = ProbeType.Container } } }), "ProbeContainerMissing"),
            (Request(new WatchDefinition { Probes = new[] { probe }, Criteria = new[] { new CriterionDefinition { Name = "c", Expect = "p95 < 1s", Probe = "nope" } } }), "WatchCriterionProbeUnknown"),
            (Request(new WatchDefinition { Probes = new[] { probe } }) with { RollbackOnBreach = true }, "WatchRollbackUnavailable"),
        };
        foreach (var (request, errorId) in cases)
        {
            var ex = Assert.ThrowsAny<ReleaseOpsException>(() => new HealthWatch(request, Services).Prepare());
            Assert.Equal(errorId, ex.ErrorId);
            Assert.True(ex.EndsCommand, errorId);
            Assert.NotNull(ex.Fix);
        }
        var syntax = Assert.ThrowsAny<ReleaseOpsException>(() => new HealthWatch(Request(new WatchDefinition
        {
            Probes = new[] { probe },
            Criteria = new[] { new CriterionDefinition { Name = "c", Expect = "p95 <<< 1s" } },
        }), Services).Prepare());
        Assert.Equal(FailureKind.InvalidConfiguration, syntax.Kind);
    }

    internal static Operations.IOperationReporter SilentReporter() => Operations.SilentReporter.Instance;
}
