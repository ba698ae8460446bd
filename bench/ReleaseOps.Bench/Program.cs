using System.Diagnostics;

namespace ReleaseOps.Bench;

/// <summary>
/// Runs ReleaseOps's benchmarks: <c>dotnet run -c Release --project bench/ReleaseOps.Bench -- NAME [args]</c>.
/// Each benchmark measures against the real services of scripts/test-env.sh, prints its figures,
/// and the ratio against the baseline it names. Nothing here asserts; the figures are the result.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var benchmarks = Benchmarks();
        if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var benchmark))
        {
            Console.Error.WriteLine("usage: ReleaseOps.Bench NAME [args]");
            foreach (var b in benchmarks.Values.OrderBy(b => b.Name))
            {
                Console.Error.WriteLine($"  {b.Name,-16} {b.Description}");
            }
            return 2;
        }
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        var clock = Stopwatch.StartNew();
        Console.WriteLine($"# benchmark {benchmark.Name}: {benchmark.Description}");
        Console.WriteLine($"# machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z");
        Console.WriteLine($"# load average before: {BenchTable.LoadAverage()}");
        await benchmark.RunAsync(args[1..], cancel.Token);
        Console.WriteLine($"# load average after: {BenchTable.LoadAverage()}");
        if (Environment.GetEnvironmentVariable(AllBenchmark.RowsVariable) is { Length: > 0 } rowsFile)
        {
            await File.WriteAllTextAsync(rowsFile, System.Text.Json.JsonSerializer.Serialize(BenchTable.All));
        }
        else if (benchmark is not AllBenchmark && BenchTable.All.Count > 0)
        {
            Console.WriteLine();
            BenchTable.Print(BenchTable.All, Console.Out);
        }
        Console.WriteLine($"# done in {clock.Elapsed.TotalSeconds:F1} s");
        return 0;
    }

    public static Dictionary<string, IBenchmark> Benchmarks() => typeof(Program).Assembly.GetTypes()
        .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
        .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
        .ToDictionary(b => b.Name, StringComparer.OrdinalIgnoreCase);
}

/// <summary>One benchmark. Implementations are found by reflection.</summary>
public interface IBenchmark
{
    string Name { get; }

    string Description { get; }

    Task RunAsync(string[] args, CancellationToken cancellation);
}
