using System.Diagnostics;

namespace ReleaseOps.Bench;

/// <summary>
/// <c>all [--long]</c>: every benchmark in sequence, short forms by default (the whole run well under
/// 15 minutes on a 2-core machine), then one table of their headline rows with the load average
/// before and after. <c>--long</c> runs the long forms the issue names (1 GB backup, median of 3;
/// the 5,000-endpoint watch for 10 minutes). <c>--only a,b</c> runs a subset.
/// Each benchmark runs in a process of its own (its peak memory and CPU are its own). The blue-green warm
/// standby is not part of this run.
/// </summary>
public sealed class AllBenchmark : IBenchmark
{
    public string Name => "all";

    public string Description => "every benchmark in sequence, one summary table with the load average (--long for the long forms, --only a,b)";

    /// <summary>The sequence and the arguments of each step: (benchmark, short args, long args).</summary>
    private static readonly (string Name, string[] Short, string[] Long)[] Steps =
    {
        ("import-time", ["5"], ["5"]),
        ("gates", [], []),
        ("gates", ["--gates", "1000", "--no-sequential"], ["--gates", "1000", "--no-sequential"]),
        ("health-watch", ["--duration", "40s", "--endpoints", "1000"], ["--duration", "120s", "--endpoints", "1000"]),
        ("health-watch", ["--duration", "120s", "--endpoints", "5000"], ["--duration", "10m", "--endpoints", "5000"]),
        ("backup", ["256", "--runs", "3", "--jobs", "2"], ["1024", "--runs", "3", "--jobs", "2"]),
        ("docker-client", ["100", "10"], ["200", "20"]),
        ("deploy-rollback-time", [], []),
        ("deploy-zero-downtime", [], []),
    };

    /// <summary>
    /// Each benchmark in a process of its own, as when it runs alone: its peak working set, CPU share and GC
    /// state are its own, not what the benchmarks before it left. Its rows come back through a file.
    /// </summary>
    private static async Task RunInOwnProcessAsync(string name, string[] args, string label, CancellationToken cancellation)
    {
        var rows = Path.Combine(Path.GetTempPath(), $"ro-bench-rows-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
        var entry = System.Reflection.Assembly.GetEntryAssembly()!.Location;
        if (Path.GetFileName(Environment.ProcessPath!) is not ("ReleaseOps.Bench" or "ReleaseOps.Bench.exe"))
        {
            start.ArgumentList.Add(entry); // dotnet ReleaseOps.Bench.dll
        }
        start.ArgumentList.Add(name);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment[RowsVariable] = rows;
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync(cancellation);
        try
        {
            if (File.Exists(rows))
            {
                foreach (var row in System.Text.Json.JsonSerializer.Deserialize<BenchRow[]>(await File.ReadAllTextAsync(rows, cancellation))!)
                {
                    BenchTable.Add(row.Measure, row.Baseline, row.Ours, row.Ratio, row.Target, row.Met);
                }
            }
            if (process.ExitCode != 0) throw new InvalidOperationException($"{label} exited {process.ExitCode}");
        }
        finally
        {
            File.Delete(rows);
        }
    }

    /// <summary>Where a benchmark run by <c>all</c> writes its rows.</summary>
    public const string RowsVariable = "RELEASEOPS_BENCH_ROWS";

    public async Task RunAsync(string[] args, CancellationToken cancellation)
    {
        var longForm = args.Contains("--long");
        var only = args.SkipWhile(a => a != "--only").Skip(1).FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var benchmarks = Program.Benchmarks();
        var before = BenchTable.LoadAverage();
        var clock = Stopwatch.StartNew();
        var timings = new List<string>();
        foreach (var (name, shortArgs, longArgs) in Steps)
        {
            if (only is not null && !only.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            var stepArgs = longForm ? longArgs : shortArgs;
            var step = Stopwatch.StartNew();
            var label = name + (stepArgs.Length > 0 ? " " + string.Join(' ', stepArgs) : "");
            Console.WriteLine();
            Console.WriteLine($"## {label} (load average {BenchTable.LoadAverage()})");
            BenchTable.Current = label;
            try
            {
                if (!benchmarks.ContainsKey(name)) throw new InvalidOperationException($"no benchmark {name}");
                await RunInOwnProcessAsync(name, stepArgs, label, cancellation);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellation.IsCancellationRequested)
            {
                Console.WriteLine($"## {label} failed: {ex.GetType().Name}: {ex.Message}");
                BenchTable.Add("(benchmark failed)", "-", ex.GetType().Name + ": " + ex.Message.ReplaceLineEndings(" "), "-", "-", false);
            }
            timings.Add($"{label}: {step.Elapsed.TotalSeconds:F0} s");
        }
        var after = BenchTable.LoadAverage();
        Console.WriteLine();
        Console.WriteLine($"# run-all {(longForm ? "long" : "short")} form, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z, {clock.Elapsed.TotalMinutes:F1} min");
        Console.WriteLine($"# load average before: {before}   after: {after}   (1, 5, 15 min; a figure is only as quiet as the machine)");
        Console.WriteLine($"# steps: {string.Join("; ", timings)}");
        Console.WriteLine();
        BenchTable.Print(BenchTable.All, Console.Out);
        var rows = BenchTable.All;
        Console.WriteLine();
        Console.WriteLine($"# {rows.Count(r => r.Met == true)} met, {rows.Count(r => r.Met == false)} missed, {rows.Count(r => r.Met is null)} informational");
    }
}
