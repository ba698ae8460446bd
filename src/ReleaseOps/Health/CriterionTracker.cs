using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>
/// The latency figures a criterion compares against: the previous release's recorded watch, or
/// the first minutes of this one.
/// </summary>
public sealed record LatencyBaseline(double? P50Ms, double? P95Ms, double? P99Ms, string Source);

/// <summary>
/// Follows one rollback criterion over its sliding window. It keeps compact points of the samples
/// it reads (monotonic offset, success, latency, request and error counts), the latest measured
/// values per probe, and the current run of failures per probe, and turns them into the values the
/// condition reads:
/// <list type="bullet">
/// <item><c>error_rate</c> (a rate; from request/error counts for metrics probes, else failed
/// samples / samples), <c>samples</c>, <c>failures</c>, and latency <c>p50</c>, <c>p95</c>,
/// <c>p99</c>, <c>latency_avg</c>, <c>latency_max</c> (durations): only once the watch has run for
/// a whole window, so a short start does not breach early.</item>
/// <item><c>p50_baseline</c>.. and <c>p50_increase</c>.. (a rate: 0.5 = 50% slower than the
/// baseline): once a baseline exists.</item>
/// <item><c>consecutive_failures</c>, <c>down_for</c> (a duration), <c>up</c>: the worst probe's.</item>
/// <item>the latest measured values (<c>cpu_percent</c>, <c>memory_percent</c>, <c>restarts</c>,
/// metrics-endpoint <c>p95</c>...): the highest over the criterion's probes.</item>
/// </list>
/// A breach is the condition failing continuously for the criterion's <c>For</c> (at once without
/// one); warning-level criteria (Medium, Low) only ever degrade.
/// </summary>
public sealed class CriterionTracker
{
    private static readonly HashSet<string> LatencyNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "p50", "p95", "p99", "latency_avg", "latency_max",
    };

    /// <summary>Baselines below this many milliseconds count as this much when computing an increase.</summary>
    public const double MinimumBaselineMs = 1;

    private readonly Queue<Point> _points = new();
    private readonly Dictionary<string, ProbeState> _probes = new(StringComparer.Ordinal);
    // Kept as samples arrive so that judging costs the same with 5 probes or 5,000 (it ran over every
    // probe on every sample before: quadratic in the probe count per second): how many probes have each
    // current run of failures, how many started failing at each offset, and the probes that have measured values.
    private readonly Multiset<int> _failureRuns = new();
    private readonly Multiset<long> _probesFailingSince = new();
    private readonly List<ProbeState> _valued = new();
    private readonly TimeSpan? _baselineWindow;
    private readonly List<double>? _baselineLatencies;
    private readonly bool _needsLatencies;
    private readonly bool _needsBaseline;
    private long _windowSamples, _windowFailures;
    private double _windowRequests, _windowErrors;
    private int _windowCountedPoints;
    private TimeSpan? _failingSince;
    private HealthConditionResult? _last;
    private Dictionary<string, object?>? _lastValues;

    public CriterionTracker(CriterionDefinition definition, HealthCondition condition, LatencyBaseline? baseline,
        TimeSpan? baselineWindow)
    {
        Definition = definition;
        Condition = condition;
        Baseline = baseline;
        _baselineWindow = baseline is null ? baselineWindow : null;
        if (_baselineWindow is not null) _baselineLatencies = new List<double>();
        _needsLatencies = condition.Names.Any(n => LatencyNames.Contains(n));
        _needsBaseline = condition.Names.Any(n => n.EndsWith("_baseline", StringComparison.OrdinalIgnoreCase) || n.EndsWith("_increase", StringComparison.OrdinalIgnoreCase));
        Metric = condition.Names.FirstOrDefault();
    }

    public CriterionDefinition Definition { get; }

    public HealthCondition Condition { get; }

    public LatencyBaseline? Baseline { get; private set; }

    public string? Metric { get; }

    public CriterionState State { get; private set; } = CriterionState.Pending;

    public TimeSpan? BreachedAt { get; private set; }

    /// <summary>True once the criterion had every value it reads at least once.</summary>
    public bool EverJudged { get; private set; }

    public bool Reads(HealthSample sample) =>
        Definition.Probe is null || string.Equals(Definition.Probe, sample.Probe, StringComparison.OrdinalIgnoreCase);

    /// <summary>Adds a sample and judges the criterion at <paramref name="now"/> (monotonic offset). Returns the state.</summary>
    public CriterionState Observe(HealthSample sample, TimeSpan now)
    {
        var probe = _probes.TryGetValue(sample.Probe, out var p) ? p : _probes[sample.Probe] = new ProbeState();
        if (sample.Values.Count > 0)
        {
            if (probe.Latest.Count == 0) _valued.Add(probe);
            probe.Latest = sample.Values;
        }
        if (probe.ConsecutiveFailures > 0) _failureRuns.Remove(probe.ConsecutiveFailures);
        if (sample.Success)
        {
            probe.ConsecutiveFailures = 0;
            if (probe.FailingSince is { } since) _probesFailingSince.Remove(since.Ticks);
            probe.FailingSince = null;
        }
        else
        {
            probe.ConsecutiveFailures++;
            _failureRuns.Add(probe.ConsecutiveFailures);
            if (probe.FailingSince is null)
            {
                probe.FailingSince = sample.Offset;
                _probesFailingSince.Add(sample.Offset.Ticks);
            }
        }

        var counts = sample.Values.TryGetValue("requests", out var requests) && sample.Values.TryGetValue("errors", out var errors)
            ? (requests, errors) : ((double, double)?)null;
        var latency = sample.Type != ProbeType.Metrics && sample.Type != ProbeType.Container && sample.LatencyMs is { } ms ? ms : double.NaN;
        var point = new Point(sample.Offset.Ticks, sample.Success, latency, counts?.Item1 ?? 0, counts?.Item2 ?? 0, counts is not null);
        _points.Enqueue(point);
        Count(point, +1);
        if (_baselineLatencies is not null && sample.Offset < _baselineWindow!.Value && !double.IsNaN(latency))
        {
            _baselineLatencies.Add(latency);
        }
        return Judge(now);
    }

    /// <summary>Re-judges without a new sample (time passing can complete a window or a For).</summary>
    public CriterionState Judge(TimeSpan now)
    {
        Evict(now);
        FixBaseline(now);
        if (State == CriterionState.Breached)
        {
            return State; // a breach stands for the rest of the watch, with the evidence of its moment
        }
        var values = Values(now);
        var result = Condition.Evaluate(values);
        _last = result;
        _lastValues = values;
        if (!result.Judged)
        {
            _failingSince = null;
            return State = CriterionState.Pending;
        }
        EverJudged = true;
        if (result.Passed)
        {
            _failingSince = null;
            return State = CriterionState.Holding;
        }
        _failingSince ??= now;
        var critical = Definition.Severity is GateSeverity.Critical or GateSeverity.High;
        if (critical && now - _failingSince.Value >= (Definition.For ?? TimeSpan.Zero))
        {
            BreachedAt = now;
            return State = CriterionState.Breached;
        }
        return State = CriterionState.Failing;
    }

    public CriterionResult Result(TimeSpan now)
    {
        var observed = Metric is not null && _lastValues is not null && _lastValues.TryGetValue(Metric, out var v) ? Numeric(v) : null;
        return new CriterionResult
        {
            Name = Definition.Name,
            Expect = Definition.Expect,
            Probe = Definition.Probe,
            State = State,
            Window = Definition.Window,
            For = Definition.For,
            Severity = Definition.Severity,
            Metric = Metric,
            Observed = observed,
            Threshold = ThresholdOf(Definition.Expect, Metric),
            BreachedAt = BreachedAt,
            FailingFor = _failingSince is { } since ? (BreachedAt ?? now) - since : null,
            Judged = EverJudged,
            Detail = State == CriterionState.Pending ? PendingReason(now) : _last?.Message,
        };
    }

    /// <summary>Why the criterion has no value to judge now, in the operator's terms.</summary>
    private string PendingReason(TimeSpan now)
    {
        if (_probes.Count == 0)
        {
            return Definition.Probe is null ? "no sample arrived" : $"no sample of probe '{Definition.Probe}' arrived";
        }
        var values = _lastValues ?? new Dictionary<string, object?>();
        var missing = Condition.Names.FirstOrDefault(n => !values.ContainsKey(n)) ?? Metric ?? "its value";
        if (missing.EndsWith("_baseline", StringComparison.OrdinalIgnoreCase) || missing.EndsWith("_increase", StringComparison.OrdinalIgnoreCase))
        {
            return Baseline is null
                ? $"{missing} needs a latency baseline: there is no previous watch in the journal and no baseline window"
                : $"{missing} needs latencies, and no sample in the window had one (every sample failed without an answer)";
        }
        if (now < Definition.Window && WindowNames.Contains(missing))
        {
            return $"{missing} is judged over the window of {DurationText.Format(Definition.Window)}, and the watch ran only {DurationText.Format(Round(now))}";
        }
        if (LatencyNames.Contains(missing))
        {
            return $"{missing} needs latencies, and no sample in the window had one (every sample failed without an answer)";
        }
        return $"no sample produced {missing}";
    }

    private static TimeSpan Round(TimeSpan t) => TimeSpan.FromMilliseconds(Math.Round(t.TotalMilliseconds));

    private static readonly HashSet<string> WindowNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "error_rate", "samples", "failures", "p50", "p95", "p99", "latency_avg", "latency_max",
    };

    /// <summary>
    /// The literal a simple <c>name op literal</c> condition compares against, in the observed
    /// value's unit (ms for durations, a fraction for percentages); null for compound conditions.
    /// </summary>
    internal static double? ThresholdOf(string expect, string? metric)
    {
        if (metric is null) return null;
        var text = expect.Trim();
        if (!text.StartsWith(metric, StringComparison.OrdinalIgnoreCase)) return null;
        var rest = text[metric.Length..].TrimStart().TrimStart('<', '>', '=', '!').Trim();
        if (rest.EndsWith('%') && double.TryParse(rest[..^1], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var percent))
        {
            return percent / 100;
        }
        if (DurationText.TryParse(rest, out var duration)) return duration.TotalMilliseconds;
        return double.TryParse(rest, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    internal static double? Numeric(object? value) => value switch
    {
        TimeSpan t => t.TotalMilliseconds,
        HealthRatio r => r.Value,
        double d => d,
        int i => i,
        long l => l,
        bool b => b ? 1 : 0,
        _ => null,
    };

    private Dictionary<string, object?> Values(TimeSpan now)
    {
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (_probes.Count == 0) return values;

        var worst = _failureRuns.Count == 0 ? 0 : _failureRuns.Max;
        values["consecutive_failures"] = worst;
        var downSince = _probesFailingSince.Count == 0 ? now : TimeSpan.FromTicks(_probesFailingSince.Min);
        values["down_for"] = now - downSince;
        values["up"] = worst == 0;

        foreach (var latest in _valued.Select(p => p.Latest))
        {
            foreach (var (name, value) in latest)
            {
                if (!values.TryGetValue(name, out var existing) || existing is double d && value > d)
                {
                    values[name] = value;
                }
            }
        }
        foreach (var key in new[] { "error_rate", "p50", "p95", "p99" })
        {
            // Metrics-endpoint figures of the last scrape: rates and durations, like the window's own.
            if (values.TryGetValue(key, out var raw) && raw is double number)
            {
                values[key] = key == "error_rate" ? new HealthRatio(number) : TimeSpan.FromMilliseconds(number);
            }
        }

        if (now < Definition.Window || _points.Count == 0)
        {
            // The window is not yet covered: rates and percentiles are not judged.
            values.Remove("error_rate");
            values.Remove("p50");
            values.Remove("p95");
            values.Remove("p99");
            return values;
        }
        values["samples"] = _windowSamples;
        values["failures"] = _windowFailures;
        values["error_rate"] = _windowCountedPoints > 0
            ? (_windowRequests > 0 ? new HealthRatio(_windowErrors / _windowRequests) : new HealthRatio(0))
            : new HealthRatio(_windowSamples == 0 ? 0 : (double)_windowFailures / _windowSamples);

        if (_needsLatencies || _needsBaseline)
        {
            var latencies = _points.Where(p => !double.IsNaN(p.LatencyMs)).Select(p => p.LatencyMs).ToArray();
            if (latencies.Length > 0)
            {
                Array.Sort(latencies);
                var p50 = Percentiles.OfSorted(latencies, 50);
                var p95 = Percentiles.OfSorted(latencies, 95);
                var p99 = Percentiles.OfSorted(latencies, 99);
                values["p50"] = TimeSpan.FromMilliseconds(p50);
                values["p95"] = TimeSpan.FromMilliseconds(p95);
                values["p99"] = TimeSpan.FromMilliseconds(p99);
                values["latency_avg"] = TimeSpan.FromMilliseconds(latencies.Average());
                values["latency_max"] = TimeSpan.FromMilliseconds(latencies[^1]);
                if (Baseline is not null)
                {
                    AddBaseline(values, "p50", p50, Baseline.P50Ms);
                    AddBaseline(values, "p95", p95, Baseline.P95Ms);
                    AddBaseline(values, "p99", p99, Baseline.P99Ms);
                }
            }
        }
        return values;
    }

    private static void AddBaseline(Dictionary<string, object?> values, string name, double current, double? baseline)
    {
        if (baseline is not { } b || b <= 0) return;
        values[name + "_baseline"] = TimeSpan.FromMilliseconds(b);
        // Below a millisecond, relative change is noise (a 0.3 ms baseline would make 1 ms "+233%").
        var floor = Math.Max(b, MinimumBaselineMs);
        values[name + "_increase"] = new HealthRatio((current - floor) / floor);
    }

    private void FixBaseline(TimeSpan now)
    {
        if (Baseline is not null || _baselineLatencies is null || now < _baselineWindow!.Value || _baselineLatencies.Count == 0) return;
        var sorted = _baselineLatencies.ToArray();
        Array.Sort(sorted);
        Baseline = new LatencyBaseline(Percentiles.OfSorted(sorted, 50), Percentiles.OfSorted(sorted, 95),
            Percentiles.OfSorted(sorted, 99), $"first {DurationText.Format(_baselineWindow.Value)} of this watch");
        _baselineLatencies.Clear();
    }

    private void Evict(TimeSpan now)
    {
        var oldest = (now - Definition.Window).Ticks;
        while (_points.Count > 0 && _points.Peek().OffsetTicks < oldest)
        {
            Count(_points.Dequeue(), -1);
        }
    }

    private void Count(Point point, int sign)
    {
        _windowSamples += sign;
        if (!point.Success) _windowFailures += sign;
        if (point.HasCounts)
        {
            _windowCountedPoints += sign;
            _windowRequests += sign * point.Requests;
            _windowErrors += sign * point.Errors;
        }
    }

    private readonly record struct Point(long OffsetTicks, bool Success, double LatencyMs, double Requests, double Errors, bool HasCounts);

    /// <summary>A sorted multiset: Add, Remove, Min and Max in O(log n) of its distinct values.</summary>
    private sealed class Multiset<T>
        where T : notnull
    {
        private readonly SortedSet<T> _values = new();
        private readonly Dictionary<T, int> _counts = new();

        public int Count => _values.Count;
        public T Min => _values.Min!;
        public T Max => _values.Max!;

        public void Add(T value)
        {
            _counts[value] = _counts.TryGetValue(value, out var n) ? n + 1 : 1;
            if (n == 0) _values.Add(value);
        }

        public void Remove(T value)
        {
            if (!_counts.TryGetValue(value, out var n)) return;
            if (n > 1)
            {
                _counts[value] = n - 1;
                return;
            }
            _counts.Remove(value);
            _values.Remove(value);
        }
    }

    private sealed class ProbeState
    {
        public int ConsecutiveFailures;
        public TimeSpan? FailingSince;
        public IReadOnlyDictionary<string, double> Latest = HealthSample.EmptyValues;
    }
}
