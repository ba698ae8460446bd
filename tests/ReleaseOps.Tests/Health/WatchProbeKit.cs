using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Tests.Health;

/// <summary>Watches built from probe definitions as a plan would give them, run until the test has seen what it needs.</summary>
internal static class WatchProbeKit
{
    /// <summary>A probe of <paramref name="type"/> with the given type settings, sampling every <paramref name="interval"/> (default 250 ms).</summary>
    public static ProbeDefinition Probe(string name, ProbeType type, IReadOnlyDictionary<string, object?> settings, TimeSpan? interval = null,
        params string[] expect) => new()
    {
        Name = name,
        Type = type,
        Interval = interval ?? TimeSpan.FromMilliseconds(250),
        Timeout = TimeSpan.FromSeconds(5),
        Expect = expect,
        Settings = new GateSettings(settings),
    };

    public static HealthWatch Watch(TimeSpan duration, IReadOnlyList<ProbeDefinition> probes, IReadOnlyList<CriterionDefinition>? criteria = null,
        SecretCatalog? secrets = null, HealthWatchServices? services = null, bool stopOnBreach = true, string? baseDirectory = null)
    {
        var watch = new HealthWatch(new WatchRequest
        {
            Definition = new WatchDefinition { Duration = duration, Probes = probes, Criteria = criteria ?? Array.Empty<CriterionDefinition>() },
            Application = "ro-watch-probes",
            Environment = "test",
            StopOnBreach = stopOnBreach,
            SecretsCatalog = secrets,
            BaseDirectory = baseDirectory,
        }, services ?? new HealthWatchServices());
        watch.Prepare();
        return watch;
    }

    /// <summary>Runs the watch to its end (its duration, or a breach with stop on breach), handing each sample to <paramref name="onSample"/> as it comes.</summary>
    public static async Task<(IReadOnlyList<HealthSample> Samples, HealthVerdict Verdict)> RunAsync(HealthWatch watch, Action<HealthSample>? onSample = null)
    {
        var samples = new List<HealthSample>();
        await foreach (var sample in watch.RunAsync(SilentReporter.Instance))
        {
            samples.Add(sample);
            onSample?.Invoke(sample);
        }
        return (samples, watch.Verdict!);
    }

    public static string Describe(IEnumerable<HealthSample> samples) =>
        string.Join(" | ", samples.TakeLast(8).Select(s => $"{s} {string.Join(",", s.Values.Select(v => $"{v.Key}={v.Value}"))}"));
}
