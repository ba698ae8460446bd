using System.Diagnostics;
using System.Globalization;

namespace ReleaseOps.Bench.Module;

/// <summary>
/// <c>import-time [N=5]</c>: the module's cold start as a runbook meets it (the same measure as
/// bench/import-time.sh): a new <c>pwsh -NoProfile</c> process that imports ./ReleaseOps.psd1 and calls
/// Get-ReleasePlan on the quickstart plan, minus a bare <c>pwsh -NoProfile -Command exit</c>; median
/// of N each, runs alternating. Target: &lt;= 0.5 s. pwsh is scripts/tools.sh's (RELEASEOPS_PWSH overrides).
/// </summary>
public sealed class ImportTimeBenchmark : IBenchmark
{
    private const string Import = "Import-Module ./ReleaseOps.psd1; $null = Get-ReleasePlan ./examples/quickstart/releaseplan.yml";

    public string Name => "import-time";

    public string Description => "cold Import-Module + first Get-ReleasePlan minus bare pwsh startup, median of N (arg: N=5)";

    public async Task RunAsync(string[] args, CancellationToken cancellation)
    {
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var root = RepositoryRoot();
        if (!File.Exists(Path.Combine(root, "module", "bin", "ReleaseOps.Cmdlets.dll")))
        {
            throw new InvalidOperationException("build first: dotnet build ReleaseOps.sln -c Release");
        }
        var pwsh = Environment.GetEnvironmentVariable("RELEASEOPS_PWSH") ?? await PwshAsync(root, cancellation);
        await RunPwshAsync(pwsh, root, "exit", cancellation); // the OS file cache for pwsh itself, not for the module's first load
        var bare = new List<double>();
        var module = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            bare.Add(await RunPwshAsync(pwsh, root, "exit", cancellation));
            module.Add(await RunPwshAsync(pwsh, root, Import, cancellation));
            Console.WriteLine($"run {i + 1}: bare {bare[^1]:F0} ms, import + Get-ReleasePlan {module[^1]:F0} ms");
        }
        var (b, m) = (Median(bare), Median(module));
        Console.WriteLine($"pwsh -NoProfile -Command exit: median {b:F0} ms of {runs}; with \"{Import}\": median {m:F0} ms; the module adds {m - b:F0} ms");
        BenchTable.Add($"cold import + first Get-ReleasePlan (median of {runs})", $"bare pwsh {b / 1000:F2} s",
            $"+{(m - b) / 1000:F2} s ({m / 1000:F2} s total)", $"{m / b:F2}x", "<= 0.5 s added", (m - b) / 1000 <= 0.5);
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ReleaseOps.sln"))) return dir.FullName;
        }
        return Directory.GetCurrentDirectory();
    }

    private static async Task<string> PwshAsync(string root, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(Path.Combine(root, "scripts", "tools.sh")) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add("path");
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        return process.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException("scripts/tools.sh path failed");
    }

    private static async Task<double> RunPwshAsync(string pwsh, string root, string command, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(pwsh) { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-NoProfile", "-NonInteractive", "-Command", command }) start.ArgumentList.Add(a);
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        start.Environment["POWERSHELL_UPDATECHECK"] = "Off";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
        var stderr = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        await Task.WhenAll(stdout, stderr);
        if (process.ExitCode != 0) throw new InvalidOperationException($"pwsh -Command {command} exited {process.ExitCode}: {stderr.Result}");
        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
