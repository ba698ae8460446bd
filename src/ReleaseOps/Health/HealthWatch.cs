using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>What to watch and what to do on a breach.</summary>
public sealed record WatchRequest
{
    public required WatchDefinition Definition { get; init; }
    public string Application { get; init; } = "adhoc";
    public string Environment { get; init; } = "adhoc";
    public string? Version { get; init; }
    /// <summary>When set, every probe samples at this interval instead of its own.</summary>
    public TimeSpan? IntervalOverride { get; init; }
    /// <summary>Journal directory: the previous watch is read from it as baseline and this one saved to it.</summary>
    public string? JournalPath { get; init; }
    /// <summary>Save this watch's summary to <see cref="JournalPath"/> (the previous one is read either way).</summary>
    public bool SaveSummary { get; init; } = true;
    /// <summary>End the watch at the first breach.</summary>
    public bool StopOnBreach { get; init; }
    /// <summary>Call <see cref="Rollback"/> at the first breach (and then end the watch).</summary>
    public bool RollbackOnBreach { get; init; }
    public IRollbackTrigger? Rollback { get; init; }
    /// <summary>Told at the first breach (notifications).</summary>
    public IBreachObserver? OnBreach { get; init; }
    /// <summary>Without a previous watch in the journal, the first part of this watch is the latency baseline.</summary>
    public TimeSpan? BaselineWindow { get; init; }
    /// <summary>An explicit baseline; wins over the journal and <see cref="BaselineWindow"/>.</summary>
    public LatencyBaseline? Baseline { get; init; }
    /// <summary>Expands <c>${secret:NAME}</c> in probe headers and settings.</summary>
    public Plans.SecretCatalog? SecretsCatalog { get; init; }
    /// <summary>Where relative paths in probe settings (a command's working directory, a ca_file) are resolved: the plan's directory.</summary>
    public string? BaseDirectory { get; init; }
}

/// <summary>What the watch needs from outside: for container and container-logs probes, the Docker engine.</summary>
public sealed record HealthWatchServices
{
    public IContainerObserver? Containers { get; init; }

    /// <summary>The clock every schedule, window and offset of the watch reads (the system's; a fake one in tests).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>For container-logs probes.</summary>
    public Docker.DockerEngine? Docker { get; init; }
}

/// <summary>
/// The post-deployment watch: samples every probe on its interval, streams each sample as it
/// arrives, judges the rollback criteria over their sliding windows, reacts to the first breach
/// (warning, optional rollback, optional stop), and ends with a <see cref="HealthVerdict"/> in
/// <see cref="Verdict"/>. The summary is saved to the journal for the next release's baseline.
/// One watch runs once.
/// </summary>
public sealed class HealthWatch
{
    private ProgressActivity? _activity;
    private static readonly TimeSpan JudgeEvery = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest watch: a watch is the minutes or hours after a release, not a monitoring system.</summary>
    public static readonly TimeSpan MaximumDuration = TimeSpan.FromDays(30);
    private readonly WatchRequest _request;
    private readonly HealthWatchServices _services;
    private readonly object _gate = new();
    private readonly List<CriterionTracker> _criteria = new();
    private readonly Dictionary<string, ProbeAccumulator> _accumulators = new(StringComparer.Ordinal);
    private readonly HashSet<string> _everFailing = new(StringComparer.Ordinal);
    private IReadOnlyList<IHealthProbe> _probes = Array.Empty<IHealthProbe>();
    private HttpProbeClient? _client;
    private bool _prepared;
    private ProbeAccumulator _overall = new("(all)", ProbeType.Http);
    private long _origin;
    private int _started;
    private int _breachHandled;
    private Task? _breachTask;
    private Task? _observerTask;
    private CriterionTracker? _firstBreach;
    private object? _rollbackResult;
    private string? _rollbackError;
    private bool _rolledBack;

    public HealthWatch(WatchRequest request, HealthWatchServices services)
    {
        _request = request ?? throw new ArgumentNullException(nameof(request));
        _services = services ?? throw new ArgumentNullException(nameof(services));
    }

    /// <summary>The verdict, once <see cref="RunAsync"/> has finished.</summary>
    public HealthVerdict? Verdict { get; private set; }

    /// <summary>The baseline the criteria compare against, once known.</summary>
    public LatencyBaseline? Baseline { get; private set; }

    /// <summary>Checks the request and builds probes and criteria without sampling anything.</summary>
    public void Prepare()
    {
        if (_prepared) return;
        var definition = _request.Definition;
        if (definition.Probes.Count == 0)
        {
            throw new ReleaseOpsException("WatchHasNoProbes", FailureKind.InvalidArgument,
                "The health watch has no probes: there is nothing to sample.", "watch",
                "Give probes in the plan's watch section or with -Probe.");
        }
        if (definition.Duration <= TimeSpan.Zero || definition.Duration > MaximumDuration)
        {
            throw new ReleaseOpsException("WatchDurationInvalid", FailureKind.InvalidArgument,
                $"The watch duration must be positive and at most {DurationText.Format(MaximumDuration)}; got {DurationText.Format(definition.Duration)}.",
                "duration", "Give a duration such as 10m.");
        }
        if (_request.RollbackOnBreach && _request.Rollback is null)
        {
            throw new ReleaseOpsException("WatchRollbackUnavailable", FailureKind.InvalidArgument,
                "Rollback on breach was asked for, but no rollback is available for this release.", _request.Application,
                "Watch a plan whose deployment can be rolled back, or drop -RollbackOnBreach.");
        }
        var duplicate = definition.Probes.GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ReleaseOpsException("WatchProbeNameDuplicate", FailureKind.InvalidArgument,
                $"Two probes are named '{duplicate.Key}'; criteria refer to probes by name.", duplicate.Key, "Give each probe its own name.");
        }
        var client = new HttpProbeClient();
        try
        {
            _probes = definition.Probes.Select(p => CreateProbe(p, client)).ToList();
        }
        catch
        {
            client.Dispose();
            throw;
        }
        _client = client;

        Baseline = _request.Baseline ?? PreviousBaseline();
        foreach (var criterion in definition.Criteria)
        {
            if (criterion.Probe is not null && !definition.Probes.Any(p => p.Name.Equals(criterion.Probe, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ReleaseOpsException("WatchCriterionProbeUnknown", FailureKind.InvalidConfiguration,
                    $"Criterion '{criterion.Name}' reads probe '{criterion.Probe}', which the watch does not have.",
                    criterion.Location?.ToString() ?? criterion.Name, "Name one of the watch's probes, or leave the probe out to read all.");
            }
            if (criterion.Window <= TimeSpan.Zero)
            {
                throw new ReleaseOpsException("WatchCriterionWindowInvalid", FailureKind.InvalidConfiguration,
                    $"Criterion '{criterion.Name}' has a window of {DurationText.Format(criterion.Window)}; it must be positive.",
                    criterion.Location?.ToString() ?? criterion.Name, "Give a window such as 5m.");
            }
            var condition = HealthCondition.Parse(criterion.Expect);
            var read = definition.Probes.Where(p => criterion.Probe is null || p.Name.Equals(criterion.Probe, StringComparison.OrdinalIgnoreCase)).ToArray();
            if (condition.Names.FirstOrDefault(n => !HealthValues.AnyProduces(read, n)) is { } unknown)
            {
                throw new ReleaseOpsException("WatchCriterionValueUnknown", FailureKind.InvalidConfiguration,
                    $"Criterion '{criterion.Name}' ({criterion.Expect}) reads {unknown}, which no probe it reads produces " +
                    $"({string.Join(", ", read.Select(p => $"{p.Name}: {p.Type.ToString().ToLowerInvariant()}"))}); it could never be judged.",
                    criterion.Location?.ToString() ?? criterion.Name,
                    $"Read one of: {string.Join(", ", HealthValues.Produced(read))}; or add a probe that produces {unknown}.");
            }
            _criteria.Add(new CriterionTracker(criterion, condition, Baseline, _request.BaselineWindow));
        }
        _prepared = true;
    }

    /// <summary>
    /// Runs the watch: yields each sample as it arrives and sets <see cref="Verdict"/> at the end.
    /// Cancelling ends the watch early (the verdict then covers what was seen).
    /// </summary>
    public async IAsyncEnumerable<HealthSample> RunAsync(IOperationReporter reporter,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException("A health watch runs once; create a new one.");
        }
        Prepare();
        using var activity = ProgressActivity.Start(reporter ?? SilentReporter.Instance, "Watching release health");
        _activity = activity;
        reporter = activity.Nested; // a rollback on breach nests under the watch

        var time = _services.Time;
        var wallStart = time.GetUtcNow();
        _origin = time.GetTimestamp();
        var duration = _request.Definition.Duration;
        var until = _origin + (long)(duration.TotalSeconds * time.TimestampFrequency);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var channel = Channel.CreateUnbounded<HealthSample>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        var scheduler = new ProbeScheduler(_probes, channel.Writer, _origin, wallStart, time);
        reporter.Verbose($"Watching {_probes.Count} probe(s) for {DurationText.Format(duration)} with {_criteria.Count} criteria" +
            (Baseline is null ? "." : $"; latency baseline from {Baseline.Source}."));
        var scheduling = scheduler.RunAsync(until, stop.Token);
        // Samples are judged as they arrive, on a task of their own, and only then handed to the
        // caller: a slow consumer (a slow pipeline downstream) delays what it sees, never a breach.
        var judged = Channel.CreateUnbounded<HealthSample>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var judging = JudgePeriodicallyAsync(reporter, stop, channel.Reader.Completion);
        var processing = Task.Run(() => ProcessAsync(channel.Reader, judged.Writer, reporter, stop, duration), CancellationToken.None);

        var drained = false;
        try
        {
            await foreach (var sample in judged.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                yield return sample;
            }
            drained = true;
        }
        finally
        {
            if (!drained)
            {
                // The caller stopped reading (broke out of its loop): stop sampling too.
                stop.Cancel();
            }
        }

        var samples = await processing.ConfigureAwait(false);
        _client?.Dispose(); // the pooled connections of this watch
        foreach (var probe in _probes.OfType<IAsyncDisposable>())
        {
            await probe.DisposeAsync().ConfigureAwait(false); // the connections of the probes that keep their own
        }
        await scheduling.ConfigureAwait(false);
        await judging.ConfigureAwait(false);
        // A watch that ran its course covered its whole duration (its last tick falls a little before the end): the
        // criteria are judged once more at that end, so a window as long as the watch is judged, not left pending.
        var ranFor = time.GetElapsedTime(_origin);
        var end = stop.IsCancellationRequested ? ranFor : TimeSpan.FromTicks(Math.Max(ranFor.Ticks, duration.Ticks));
        lock (_gate)
        {
            foreach (var tracker in _criteria)
            {
                Track(tracker, tracker.Judge(end), reporter, stop);
            }
        }
        if (_breachTask is not null) await _breachTask.ConfigureAwait(false);
        if (_observerTask is not null) await _observerTask.ConfigureAwait(false);
        activity.Complete();

        HealthVerdict verdict;
        lock (_gate)
        {
            var results = _criteria.Select(c => c.Result(end)).ToList();
            var (status, why) = Judge(results);
            var breach = _firstBreach is null ? null : results.First(r => r.Name == _firstBreach.Definition.Name);
            verdict = new HealthVerdict
            {
                Status = status,
                Reason = why,
                Criterion = breach?.Name,
                Expect = breach?.Expect,
                Window = breach?.Window,
                Observed = breach?.Observed,
                Threshold = breach?.Threshold,
                BreachedAt = breach?.BreachedAt,
                Criteria = results,
                Probes = _accumulators.Values.Select(a => a.Summary()).OrderBy(p => p.Probe, StringComparer.Ordinal).ToList(),
                StartedAt = wallStart,
                Duration = ranFor,
                Samples = samples,
                SkippedTicks = scheduler.SkippedTicks,
                StoppedEarly = _firstBreach is not null && (_request.StopOnBreach || _request.RollbackOnBreach),
                RolledBack = _rolledBack,
                RollbackResult = _rollbackResult,
                RollbackError = _rollbackError,
            };
        }
        if (_request.JournalPath is not null && _request.SaveSummary)
        {
            var path = await new WatchSummaryStore(_request.JournalPath).SaveAsync(SummaryOf(verdict), CancellationToken.None).ConfigureAwait(false);
            reporter.Verbose($"Saved the watch summary to {path}.");
            verdict = verdict with { SummaryPath = path };
        }
        Verdict = verdict;
    }

    private async Task<long> ProcessAsync(ChannelReader<HealthSample> input, ChannelWriter<HealthSample> output,
        IOperationReporter reporter, CancellationTokenSource stop, TimeSpan duration)
    {
        long samples = 0;
        var lastProgress = 0L;
        try
        {
            await foreach (var sample in input.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                samples++;
                lock (_gate)
                {
                    if (!_accumulators.TryGetValue(sample.Probe, out var accumulator))
                    {
                        _accumulators[sample.Probe] = accumulator = new ProbeAccumulator(sample.Probe, sample.Type);
                    }
                    accumulator.Add(sample);
                    if (sample.LatencyMs is { } latency && sample.Type is ProbeType.Http or ProbeType.Tcp) _overall.AddLatency(latency);
                    var now = Now();
                    foreach (var tracker in _criteria)
                    {
                        if (tracker.Reads(sample))
                        {
                            Track(tracker, tracker.Observe(sample, now), reporter, stop);
                        }
                    }
                }
                var elapsed = _services.Time.GetTimestamp() - _origin;
                if (elapsed - lastProgress >= _services.Time.TimestampFrequency)
                {
                    lastProgress = elapsed;
                    ReportProgress(reporter, samples, duration);
                }
                output.TryWrite(sample);
            }
        }
        finally
        {
            output.TryComplete();
        }
        return samples;
    }

    /// <summary>The summary the journal keeps of a verdict.</summary>
    public WatchSummary SummaryOf(HealthVerdict verdict) => new()
    {
        Application = _request.Application,
        Environment = _request.Environment,
        Version = _request.Version,
        StartedAt = verdict.StartedAt,
        Duration = verdict.Duration,
        Status = verdict.Status,
        BreachedCriterion = verdict.Criterion,
        Samples = verdict.Samples,
        Overall = _overall.Summary() with { Samples = verdict.Samples, Failures = verdict.Probes.Sum(p => p.Failures) },
        Probes = verdict.Probes,
        Criteria = verdict.Criteria,
    };

    private TimeSpan Now() => _services.Time.GetElapsedTime(_origin);

    /// <summary>
    /// The three-valued verdict (plus Degraded): Breached at the first breach; Inconclusive when a critical criterion
    /// never had data (or there is none to judge); Healthy only when every criterion was judged and held to the end;
    /// Degraded otherwise. Returns the reason in words for every verdict but Healthy.
    /// </summary>
    private (HealthStatus Status, string? Reason) Judge(IReadOnlyList<CriterionResult> results)
    {
        static bool Critical(CriterionResult r) => r.Severity is GateSeverity.Critical or GateSeverity.High;
        static string Never(CriterionResult r) => $"criterion '{r.Name}' ({r.Expect}, {r.Severity}) was never judged: {r.Detail}";
        if (_firstBreach is not null)
        {
            return (HealthStatus.Breached, $"criterion '{_firstBreach.Definition.Name}' breached");
        }
        if (results.Count == 0)
        {
            return (HealthStatus.Inconclusive, "the watch has no criteria: nothing was judged");
        }
        if (results.Where(r => !r.Judged && Critical(r)).Select(Never).ToArray() is { Length: > 0 } unjudged)
        {
            return (HealthStatus.Inconclusive, string.Join("; ", unjudged) +
                (_request.RollbackOnBreach ? "; no rollback: nothing showed the release to be bad" : ""));
        }
        var problems = results.Where(r => !r.Judged).Select(Never)
            .Concat(results.Where(r => r.Judged && (r.State != CriterionState.Holding || _everFailing.Contains(r.Name)))
                .Select(r => r.State == CriterionState.Pending
                    ? $"criterion '{r.Name}' ({r.Expect}) had no data at the end: {r.Detail}"
                    : $"criterion '{r.Name}' ({r.Expect}) failed{(r.State == CriterionState.Failing ? "" : " for a while")}: {r.Detail}"))
            .ToArray();
        return problems.Length == 0 ? (HealthStatus.Healthy, null) : (HealthStatus.Degraded, string.Join("; ", problems));
    }

    private async Task JudgePeriodicallyAsync(IOperationReporter reporter, CancellationTokenSource stop, Task finished)
    {
        // Time alone can complete a window or a For: judge even when no sample arrives (hung probes).
        while (!finished.IsCompleted)
        {
            await Task.WhenAny(finished, Task.Delay(JudgeEvery, _services.Time)).ConfigureAwait(false);
            lock (_gate)
            {
                var now = Now();
                foreach (var tracker in _criteria)
                {
                    Track(tracker, tracker.Judge(now), reporter, stop);
                }
            }
        }
    }

    private void Track(CriterionTracker tracker, CriterionState state, IOperationReporter reporter, CancellationTokenSource stop)
    {
        if (state == CriterionState.Failing && _everFailing.Add(tracker.Definition.Name))
        {
            reporter.Warning($"Criterion '{tracker.Definition.Name}' ({tracker.Definition.Expect}) is failing" +
                (tracker.Definition.For is { } f ? $"; it breaches if it keeps failing for {DurationText.Format(f)}." : "."));
        }
        if (state != CriterionState.Breached || _firstBreach is not null && _firstBreach != tracker)
        {
            if (state == CriterionState.Breached) _everFailing.Add(tracker.Definition.Name);
            return;
        }
        if (Interlocked.Exchange(ref _breachHandled, 1) == 1) return;
        _firstBreach = tracker;
        var result = tracker.Result(Now());
        var reason = $"Criterion '{result.Name}' breached: {result.Detail ?? result.Expect} (window {DurationText.Format(result.Window)}).";
        reporter.Warning(reason);
        if (_request.OnBreach is { } observer)
        {
            _observerTask = ObserveAsync(observer, result, reason, reporter);
        }
        if (_request.RollbackOnBreach || _request.StopOnBreach)
        {
            _breachTask = ReactAsync(reason, reporter, stop);
        }
    }

    private static async Task ObserveAsync(IBreachObserver observer, CriterionResult result, string reason, IOperationReporter reporter)
    {
        await Task.Yield(); // leave the lock before doing anything slow
        try
        {
            await observer.BreachedAsync(result, reason, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            reporter.Warning($"The breach was not passed on (the watch is not affected): {ex.Message}");
        }
    }

    private async Task ReactAsync(string reason, IOperationReporter reporter, CancellationTokenSource stop)
    {
        await Task.Yield(); // leave the lock before doing anything slow
        if (_request.RollbackOnBreach && _request.Rollback is { } rollback)
        {
            reporter.Warning($"Rolling back: {rollback.Description}.");
            try
            {
                _rollbackResult = await rollback.RollbackAsync(reason, reporter, stop.Token).ConfigureAwait(false);
                _rolledBack = true;
            }
            catch (Exception ex) when (ex is ReleaseOpsException or OperationCanceledException or IOException or HttpRequestException)
            {
                _rollbackError = ex is ReleaseOpsException roe ? roe.Describe() : ex.Message;
                reporter.Warning($"The rollback failed: {_rollbackError}");
            }
        }
        stop.Cancel();
    }

    private void ReportProgress(IOperationReporter reporter, long samples, TimeSpan duration)
    {
        var elapsed = Now();
        var left = duration - elapsed;
        if (left < TimeSpan.Zero) left = TimeSpan.Zero;
        int breached, failing;
        lock (_gate)
        {
            breached = _criteria.Count(c => c.State == CriterionState.Breached);
            failing = _criteria.Count(c => c.State == CriterionState.Failing);
        }
        _activity?.Report(
            $"{samples} samples, {breached} breached, {failing} failing; {DurationText.Format(TimeSpan.FromSeconds(Math.Ceiling(left.TotalSeconds)))} left",
            (int)Math.Clamp(elapsed.TotalSeconds * 100 / duration.TotalSeconds, 0, 100), left);
    }

    private LatencyBaseline? PreviousBaseline()
    {
        if (_request.JournalPath is null) return null;
        var previous = new WatchSummaryStore(_request.JournalPath).LoadLatest(_request.Application, _request.Environment);
        return previous?.Overall is { } overall && overall.P50Ms is not null
            ? new LatencyBaseline(overall.P50Ms, overall.P95Ms, overall.P99Ms,
                $"the watch of {previous.Version ?? "the previous release"} at {previous.StartedAt:yyyy-MM-dd HH:mm}Z")
            : null;
    }

    /// <summary>The probe's own interval, or the watch's when the probe sets none.</summary>
    private TimeSpan IntervalOf(ProbeDefinition probe) => probe.Interval ?? _request.Definition.Interval;

    private IHealthProbe CreateProbe(ProbeDefinition probe, HttpProbeClient client)
    {
        var interval = _request.IntervalOverride ?? IntervalOf(probe);
        var where = probe.Location?.ToString() ?? probe.Name;
        if (interval <= TimeSpan.Zero || probe.Timeout <= TimeSpan.Zero)
        {
            throw new ReleaseOpsException("ProbeTimingInvalid", FailureKind.InvalidConfiguration,
                $"Probe '{probe.Name}' needs a positive interval and timeout.", where, "Give an interval such as 10s and a timeout such as 5s.");
        }
        switch (probe.Type)
        {
            case ProbeType.Http:
            case ProbeType.Metrics:
                if (!Uri.TryCreate(probe.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                {
                    throw new ReleaseOpsException("ProbeUrlInvalid", FailureKind.InvalidConfiguration,
                        $"Probe '{probe.Name}' needs an absolute http(s) URL; got '{probe.Url}'.", where,
                        "Write the full address, for example http://127.0.0.1:8080/health.");
                }
                return probe.Type == ProbeType.Http
                    ? new HttpProbe(probe.Name, url, interval, probe.Timeout, client,
                        probe.Expect.Select(HealthCondition.Parse).ToList(),
                        probe.Headers.ToDictionary(h => h.Key, h => (_request.SecretsCatalog ?? Plans.SecretCatalog.Empty).Expand(h.Value)!))
                    : new MetricsProbe(probe.Name, url, interval, probe.Timeout, client,
                        probe.Headers.ToDictionary(h => h.Key, h => (_request.SecretsCatalog ?? Plans.SecretCatalog.Empty).Expand(h.Value)!));
            case ProbeType.Tcp:
                var host = probe.Host;
                var port = probe.Port;
                if (host is null && Uri.TryCreate(probe.Url, UriKind.Absolute, out var tcpUrl))
                {
                    host = tcpUrl.Host;
                    port ??= tcpUrl.Port;
                }
                if (string.IsNullOrEmpty(host) || port is null or <= 0 or > 65535)
                {
                    throw new ReleaseOpsException("ProbeAddressInvalid", FailureKind.InvalidConfiguration,
                        $"TCP probe '{probe.Name}' needs a host and a port between 1 and 65535.", where, "Give host and port, e.g. 127.0.0.1 and 5432.");
                }
                return new TcpProbe(probe.Name, host, port.Value, interval, probe.Timeout);
            case ProbeType.Container:
                if (string.IsNullOrEmpty(probe.Container))
                {
                    throw new ReleaseOpsException("ProbeContainerMissing", FailureKind.InvalidConfiguration,
                        $"Container probe '{probe.Name}' needs the container's name.", where, "Set container: to the container or service name.");
                }
                var observer = _services.Containers ?? throw new ReleaseOpsException("ProbeDockerUnavailable", FailureKind.InvalidConfiguration,
                    $"Container probe '{probe.Name}' needs the Docker engine, and none is configured.", where, "Set docker.host in the plan or DOCKER_HOST.");
                return new ContainerProbe(probe.Name, probe.Container, interval, probe.Timeout, observer);
            default:
                return WatchProbes.Create(probe, interval, _request, _services);
        }
    }
}
