using System.Globalization;

namespace ReleaseOps.Bench;

/// <summary>One line of the summary table: a measure, its named baseline, ReleaseOps's figure, their ratio and the target.</summary>
/// <param name="Met">true met, false missed, null when the row has no pass/fail target (informational).</param>
public sealed record BenchRow(string Benchmark, string Measure, string Baseline, string Ours, string Ratio, string Target, bool? Met);

/// <summary>
/// The rows the benchmarks report as they finish. Every benchmark prints its own detail and adds its
/// headline figures here; <c>all</c> prints the rows of every benchmark as one table.
/// </summary>
public static class BenchTable
{
    private static readonly List<BenchRow> Rows = new();

    public static string? Current { get; set; }

    public static IReadOnlyList<BenchRow> All
    {
        get
        {
            lock (Rows) return Rows.ToArray();
        }
    }

    public static void Add(string measure, string baseline, string ours, string ratio, string target, bool? met)
    {
        lock (Rows) Rows.Add(new BenchRow(Current ?? "-", measure, baseline, ours, ratio, target, met));
    }

    /// <summary>A row whose target is a ratio ours/baseline at most <paramref name="maxRatio"/>.</summary>
    public static void Ratio(string measure, string baselineName, double baseline, double ours, string unit, double maxRatio)
    {
        var ratio = ours / baseline;
        Add(measure, $"{baselineName} {F(baseline)} {unit}", $"{F(ours)} {unit}", $"{ratio:F2}x", $"<= {maxRatio:0.##}x", ratio <= maxRatio);
    }

    public static string F(double value) => value.ToString(Math.Abs(value) >= 100 ? "F0" : Math.Abs(value) >= 10 ? "F1" : "F2", CultureInfo.InvariantCulture);

    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public static void Print(IEnumerable<BenchRow> rows, TextWriter output)
    {
        output.WriteLine("| benchmark | measure | baseline | ReleaseOps | ratio | target | met |");
        output.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in rows)
        {
            var met = r.Met switch { true => "met", false => "MISSED", null => "-" };
            output.WriteLine($"| {r.Benchmark} | {r.Measure} | {r.Baseline} | {r.Ours} | {r.Ratio} | {r.Target} | {met} |");
        }
    }
}
