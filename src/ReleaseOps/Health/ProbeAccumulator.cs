using ReleaseOps.Plans;

namespace ReleaseOps.Health;

/// <summary>
/// A probe's figures over a whole watch in constant memory: counts, the latest measured values,
/// and a uniform reservoir of at most <see cref="Capacity"/> latencies (Vitter's algorithm R) from
/// which the summary's percentiles are estimated.
/// </summary>
internal sealed class ProbeAccumulator
{
    public const int Capacity = 1024;
    private readonly double[] _reservoir = new double[Capacity];
    private readonly Random _random = new(17);
    private long _latencies;
    private double _max = double.NaN;

    public ProbeAccumulator(string probe, ProbeType type)
    {
        Probe = probe;
        Type = type;
    }

    public string Probe { get; }
    public ProbeType Type { get; }
    public long Samples { get; private set; }
    public long Failures { get; private set; }
    public IReadOnlyDictionary<string, double> LastValues { get; private set; } = HealthSample.EmptyValues;

    public void Add(HealthSample sample)
    {
        Samples++;
        if (!sample.Success) Failures++;
        if (sample.Values.Count > 0) LastValues = sample.Values;
        if (sample.LatencyMs is { } latency && sample.Type is ProbeType.Http or ProbeType.Tcp)
        {
            AddLatency(latency);
        }
    }

    public void AddLatency(double latency)
    {
        _max = double.IsNaN(_max) ? latency : Math.Max(_max, latency);
        if (_latencies < Capacity)
        {
            _reservoir[_latencies] = latency;
        }
        else
        {
            var slot = _random.NextInt64(_latencies + 1);
            if (slot < Capacity) _reservoir[slot] = latency;
        }
        _latencies++;
    }

    public ProbeSummary Summary()
    {
        var kept = (int)Math.Min(_latencies, Capacity);
        var sorted = _reservoir.AsSpan(0, kept).ToArray();
        Array.Sort(sorted);
        double? At(double q) => kept == 0 ? null : Math.Round(Percentiles.OfSorted(sorted, q), 3);
        return new ProbeSummary
        {
            Probe = Probe,
            Type = Type,
            Samples = Samples,
            Failures = Failures,
            ErrorRate = Samples == 0 ? 0 : (double)Failures / Samples,
            P50Ms = At(50),
            P95Ms = At(95),
            P99Ms = At(99),
            MaxMs = double.IsNaN(_max) ? null : Math.Round(_max, 3),
            LastValues = LastValues,
        };
    }
}
