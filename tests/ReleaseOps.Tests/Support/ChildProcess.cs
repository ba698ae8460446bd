using System.Diagnostics;

namespace ReleaseOps.Tests.Support;

/// <summary>Runs a real command-line tool (openssl, chromium) with an argument list and waits for it.</summary>
public static class ChildProcess
{
    public static (int ExitCode, string Output, string Error) Run(string program, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The built releaseops CLI (the configuration the tests were built in), for tests that run it as its own process.</summary>
    public static string CliDll()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        var dll = Path.Combine(Plans.ExamplePlanTests.RepositoryRoot, "src", "ReleaseOps.Cli", "bin", configuration, "net8.0", "ReleaseOps.Cli.dll");
        Xunit.Assert.True(File.Exists(dll), $"{dll} is not built");
        return dll;
    }
}
