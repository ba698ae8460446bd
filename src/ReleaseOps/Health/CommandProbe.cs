using System.Diagnostics;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Health;

/// <summary>
/// Runs a team's existing check script each interval: the program and its arguments exactly as given,
/// never through a shell (nothing in them is interpreted), in an environment of PATH, HOME and LANG plus
/// the probe's <c>env</c> (where its secrets go; arguments never hold one). A run that outlives the
/// probe's timeout is killed with its children. Values: <c>exit_code</c>; expect conditions also read
/// <c>output</c> (stdout and stderr, at most 64 KiB, the probe's secrets masked) and <c>duration</c>.
/// Without expect, a sample passes on exit code 0.
/// </summary>
public sealed class CommandProbe : MeasuringProbe
{
    private const int MaxOutput = 64 * 1024;
    private static readonly string[] Inherited = { "PATH", "HOME", "LANG" };
    private readonly IReadOnlyList<string> _run;
    private readonly IReadOnlyDictionary<string, SecretValue> _environment;
    private readonly string? _workingDirectory;

    public CommandProbe(ProbeDefinition definition, TimeSpan interval, IReadOnlyList<string> run, IReadOnlyDictionary<string, SecretValue> environment,
        string? workingDirectory, SecretRedactor redactor)
        : base(definition.Expect.Count == 0 ? definition with { Expect = new[] { "exit_code == 0" } } : definition, interval, redactor)
    {
        _run = run;
        _environment = environment;
        _workingDirectory = workingDirectory;
    }

    protected override async Task<ProbeMeasurement> MeasureAsync(CancellationToken cancellation)
    {
        var start = new ProcessStartInfo(_run[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = _workingDirectory ?? "",
        };
        foreach (var argument in _run.Skip(1)) start.ArgumentList.Add(argument);
        start.Environment.Clear();
        foreach (var name in Inherited)
        {
            if (Environment.GetEnvironmentVariable(name) is { } value) start.Environment[name] = value;
        }
        foreach (var (name, value) in _environment) start.Environment[name] = value.Reveal();

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process was started");
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ReleaseOpsException("CommandProbeNotStarted", FailureKind.InvalidConfiguration,
                $"'{_run[0]}' could not be started: {Redactor.Redact(ex.Message)}", _run[0],
                "Give the program's path (or a name on PATH) as the first element of run.");
        }
        using (process)
        {
            process.StandardInput.Close();
            var output = new StringBuilder();
            var reading = Task.WhenAll(ReadAsync(process.StandardOutput, output), ReadAsync(process.StandardError, output));
            try
            {
                await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
                await reading.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended meanwhile.
                }
                throw;
            }
            string text;
            lock (output) text = Redactor.Redact(output.ToString());
            return new ProbeMeasurement(
                new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase) { ["exit_code"] = process.ExitCode },
                new Dictionary<string, object?> { ["output"] = text });
        }
    }

    /// <summary>Reads a stream to its end, keeping at most <see cref="MaxOutput"/> characters of all output.</summary>
    private static async Task ReadAsync(StreamReader reader, StringBuilder output)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (output)
            {
                output.Append(buffer, 0, Math.Min(read, Math.Max(0, MaxOutput - output.Length)));
            }
        }
    }
}
