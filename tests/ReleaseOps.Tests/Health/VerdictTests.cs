using Microsoft.Extensions.Time.Testing;
using ReleaseOps.Errors;
using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// The verdict is three-valued: Healthy only when every criterion was judged and held, Inconclusive when a critical
/// criterion never had data, Breached on evidence. The watch's clock is a FakeTimeProvider: a 30-second or 10-minute
/// watch runs in the time its probes take, and nothing here depends on how fast the machine is. The probes are real
/// (a refused port on 127.0.0.1, or a real HTTP server).
/// </summary>
public sealed class VerdictTests
{
    /// <summary>Nothing listens here: every connection is refused at once.</summary>
    private const int RefusedPort = 24061;

    private static ProbeDefinition Http(int port, string name = "web") =>
        new() { Name = name, Url = $"http://127.0.0.1:{port}/health", Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1) };

    private static CriterionDefinition Criterion(string name, string expect, TimeSpan window, GateSeverity severity = GateSeverity.High) =>
        new() { Name = name, Expect = expect, Window = window, Severity = severity };

    private static HealthWatch Watch(FakeTimeProvider time, TimeSpan duration, IReadOnlyList<ProbeDefinition> probes,
        IReadOnlyList<CriterionDefinition> criteria, IRollbackTrigger? rollback = null) =>
        new(new WatchRequest
        {
            Definition = new WatchDefinition { Duration = duration, Probes = probes, Criteria = criteria },
            Application = "ro-hlth-verdict",
            Environment = "test",
            RollbackOnBreach = rollback is not null,
            Rollback = rollback,
        }, new HealthWatchServices { Time = time });

    /// <summary>
    /// Runs the watch on the fake clock: time moves on in steps of 100 ms, and between steps the probes' real I/O and the
    /// judging get the processor (a yield, not a measurement: no outcome depends on how long it takes).
    /// </summary>
    private static async Task<(HealthVerdict Verdict, List<HealthSample> Samples)> RunAsync(HealthWatch watch, FakeTimeProvider time)
    {
        var samples = new List<HealthSample>();
        var run = Task.Run(async () =>
        {
            await foreach (var sample in watch.RunAsync(SilentReporter.Instance)) samples.Add(sample);
        });
        while (!run.IsCompleted)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(run, Task.Delay(1));
        }
        await run;
        return (watch.Verdict!, samples);
    }

    [Fact]
    public async Task An_endpoint_down_from_the_start_and_a_watch_shorter_than_the_window_is_Inconclusive_never_Healthy()
    {
        var time = new FakeTimeProvider();
        var watch = Watch(time, TimeSpan.FromSeconds(30), new[] { Http(RefusedPort) }, new[]
        {
            Criterion("errors", "error_rate < 5%", TimeSpan.FromMinutes(5)),
            Criterion("latency", "p95 < 500ms", TimeSpan.FromMinutes(5)),
        });

        var (verdict, samples) = await RunAsync(watch, time);

        Assert.True(samples.Count >= 20, $"{samples.Count} samples");
        Assert.All(samples, s => Assert.False(s.Success));
        Assert.Equal(HealthStatus.Inconclusive, verdict.Status);
        Assert.Contains("'errors' (error_rate < 5%, High) was never judged", verdict.Reason);
        Assert.Contains("judged over the window of 5m, and the watch ran only 30s", verdict.Reason);
        Assert.All(verdict.Criteria, c => Assert.False(c.Judged));
        Assert.False(verdict.RolledBack);
    }

    [Fact]
    public async Task A_refused_connection_is_a_failed_sample_never_a_fast_latency()
    {
        var time = new FakeTimeProvider();
        var tcp = new ProbeDefinition { Name = "port", Type = ProbeType.Tcp, Host = "127.0.0.1", Port = RefusedPort, Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1) };
        var watch = Watch(time, TimeSpan.FromSeconds(5), new[] { Http(RefusedPort), tcp }, new[]
        {
            Criterion("latency", "p95 < 500ms", TimeSpan.FromSeconds(2)),
        });

        var (verdict, samples) = await RunAsync(watch, time);

        Assert.Contains(samples, s => s.Probe == "port");
        Assert.All(samples, s => Assert.Equal((false, (double?)null), (s.Success, s.LatencyMs)));
        Assert.Contains(samples, s => s.Error!.Contains("refused", StringComparison.OrdinalIgnoreCase));
        var latency = Assert.Single(verdict.Criteria);
        Assert.Equal(CriterionState.Pending, latency.State);
        Assert.Contains("no sample in the window had one", latency.Detail);
        Assert.Equal(HealthStatus.Inconclusive, verdict.Status);
        Assert.All(verdict.Probes, p => Assert.Null(p.P95Ms));
    }

    [Fact]
    public async Task A_watch_without_criteria_judges_nothing_and_is_Inconclusive()
    {
        await using var endpoint = new ControllableEndpoint(24062);
        var time = new FakeTimeProvider();
        var (verdict, samples) = await RunAsync(Watch(time, TimeSpan.FromSeconds(3), new[] { Http(endpoint.Port) }, Array.Empty<CriterionDefinition>()), time);

        Assert.All(samples, s => Assert.True(s.Success, s.Error));
        Assert.Equal(HealthStatus.Inconclusive, verdict.Status);
        Assert.Equal("the watch has no criteria: nothing was judged", verdict.Reason);
    }

    [Fact]
    public async Task Healthy_only_when_every_criterion_was_judged_and_held()
    {
        await using var endpoint = new ControllableEndpoint(24063);
        var judged = new[] { Criterion("errors", "error_rate < 5%", TimeSpan.FromSeconds(2)), Criterion("up", "consecutive_failures < 3", TimeSpan.FromSeconds(2)) };

        var time = new FakeTimeProvider();
        var (healthy, _) = await RunAsync(Watch(time, TimeSpan.FromSeconds(4), new[] { Http(endpoint.Port) }, judged), time);
        Assert.True(healthy.Status == HealthStatus.Healthy, healthy.ToString());
        Assert.Null(healthy.Reason);
        Assert.All(healthy.Criteria, c => Assert.Equal((true, CriterionState.Holding), (c.Judged, c.State)));

        // A warning-level criterion that could not be judged (no baseline) keeps the verdict from Healthy, without making it Inconclusive.
        time = new FakeTimeProvider();
        var (degraded, _) = await RunAsync(Watch(time, TimeSpan.FromSeconds(4), new[] { Http(endpoint.Port) },
            judged.Append(Criterion("vs-baseline", "p95_increase < 50%", TimeSpan.FromSeconds(2), GateSeverity.Low)).ToArray()), time);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("'vs-baseline' (p95_increase < 50%, Low) was never judged", degraded.Reason);
    }

    [Fact]
    public async Task RollbackOnBreach_rolls_back_on_evidence_and_leaves_an_inconclusive_release_alone()
    {
        var rollback = new CountingRollback();
        var time = new FakeTimeProvider();
        var (inconclusive, _) = await RunAsync(Watch(time, TimeSpan.FromSeconds(10), new[] { Http(RefusedPort) },
            new[] { Criterion("errors", "error_rate < 5%", TimeSpan.FromMinutes(5)) }, rollback), time);

        Assert.Equal(HealthStatus.Inconclusive, inconclusive.Status);
        Assert.Equal(0, rollback.Calls);
        Assert.False(inconclusive.RolledBack);
        Assert.Contains("no rollback: nothing showed the release to be bad", inconclusive.Reason);

        // The same endpoint over a window the watch covers: evidence, a breach, one rollback.
        time = new FakeTimeProvider();
        var (breached, _) = await RunAsync(Watch(time, TimeSpan.FromSeconds(10), new[] { Http(RefusedPort) },
            new[] { Criterion("errors", "error_rate < 5%", TimeSpan.FromSeconds(3)) }, rollback), time);
        Assert.Equal(HealthStatus.Breached, breached.Status);
        Assert.Equal(1, rollback.Calls);
        Assert.True(breached.RolledBack);
    }

    [Fact]
    public void A_criterion_reading_a_value_no_probe_produces_is_refused()
    {
        var time = new FakeTimeProvider();
        var cpu = Watch(time, TimeSpan.FromSeconds(5), new[] { Http(RefusedPort) }, new[] { Criterion("cpu", "cpu_percent < 80", TimeSpan.FromMinutes(1)) });
        var error = Assert.Throws<ReleaseOpsException>(cpu.Prepare);
        Assert.Equal("WatchCriterionValueUnknown", error.ErrorId);
        Assert.Equal(FailureKind.InvalidConfiguration, error.Kind);
        Assert.Contains("reads cpu_percent, which no probe it reads produces (web: http)", error.Message);
        Assert.Contains("p95", error.Fix);

        // Scoped to one probe: the metrics probe beside it does not count.
        var metrics = new ProbeDefinition { Name = "metrics", Type = ProbeType.Metrics, Url = $"http://127.0.0.1:{RefusedPort}/metrics" };
        var scoped = Watch(time, TimeSpan.FromSeconds(5), new[] { Http(RefusedPort), metrics },
            new[] { new CriterionDefinition { Name = "served", Expect = "requests > 0", Probe = "web" } });
        Assert.Equal("WatchCriterionValueUnknown", Assert.Throws<ReleaseOpsException>(scoped.Prepare).ErrorId);

        Watch(time, TimeSpan.FromSeconds(5), new[] { Http(RefusedPort), metrics },
            new[] { new CriterionDefinition { Name = "served", Expect = "requests > 0", Probe = "metrics" } }).Prepare();
    }

    [Fact]
    public async Task A_metrics_probe_sends_its_headers_with_secrets_expanded()
    {
        var canary = ReleaseOps.Tests.Support.CanarySecret.New();
        await using var receiver = new ReleaseOps.Tests.Support.WebhookReceiver();
        var time = new FakeTimeProvider();
        var metrics = new ProbeDefinition
        {
            Name = "metrics", Type = ProbeType.Metrics, Url = receiver.Url("/metrics"), Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1),
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer ${secret:metrics}" },
        };
        var watch = new HealthWatch(new WatchRequest
        {
            Definition = new WatchDefinition { Duration = TimeSpan.FromSeconds(2), Probes = new[] { metrics } },
            Application = "ro-hlth-verdict",
            Environment = "test",
            SecretsCatalog = SecretCatalog.Empty.With(new ReleaseOps.Secrets.GivenSecretSource("metrics", new ReleaseOps.Secrets.SecretValue(canary))),
        }, new HealthWatchServices { Time = time });

        var (_, samples) = await RunAsync(watch, time);

        Assert.NotEmpty(receiver.Received);
        Assert.All(receiver.Received, r => Assert.Equal("Bearer " + canary, r.Headers["Authorization"]));
        ReleaseOps.Tests.Support.CanarySecret.AssertAbsent(canary, samples.Select(s => s.ToString()), "metrics samples");
    }

    [Fact]
    public void A_watch_longer_than_the_maximum_is_refused_not_overflowed()
    {
        var watch = Watch(new FakeTimeProvider(), TimeSpan.FromDays(3650), new[] { Http(RefusedPort) }, Array.Empty<CriterionDefinition>());
        var error = Assert.Throws<ReleaseOpsException>(watch.Prepare);
        Assert.Equal("WatchDurationInvalid", error.ErrorId);
        Assert.Contains("at most 30d", error.Message);
    }

    private sealed class CountingRollback : IRollbackTrigger
    {
        public int Calls;

        public string Description => "roll ro-hlth-verdict/test back";

        public Task<object> RollbackAsync(string reason, IOperationReporter reporter, CancellationToken cancellation)
        {
            Interlocked.Increment(ref Calls);
            return Task.FromResult<object>("rolled back");
        }
    }
}
