using ReleaseOps.Operations;

namespace ReleaseOps.Cli.Rendering;

/// <summary>How much progress a command shows on stderr.</summary>
public enum ProgressLines
{
    None,
    /// <summary>A line when the activity changes or completes (backups: "dumping", "verifying").</summary>
    PerActivity,
    /// <summary>At most one line every few seconds (long watches).</summary>
    EveryFewSeconds,
}

/// <summary>
/// The engine's reporter for every CLI command: warnings, and verbose text and progress where the
/// command asks for them, go to stderr so stdout stays the records (and valid JSON with --output json).
/// </summary>
public sealed class StderrReporter : IOperationReporter
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);
    private readonly TextWriter _error;
    private readonly bool _verbose;
    private readonly ProgressLines _progress;
    private readonly object _gate = new();
    private string? _lastActivity;
    private DateTime _lastProgress = DateTime.MinValue;

    public StderrReporter(TextWriter error, bool verbose = false, ProgressLines progress = ProgressLines.None)
    {
        _error = error;
        _verbose = verbose;
        _progress = progress;
    }

    public void Verbose(string message)
    {
        if (_verbose)
        {
            Write("verbose: " + message);
        }
    }

    public void Warning(string message) => Write("warning: " + message);

    public void Progress(OperationProgress progress)
    {
        lock (_gate)
        {
            var show = _progress switch
            {
                ProgressLines.PerActivity => progress.Completed || progress.Activity != _lastActivity,
                ProgressLines.EveryFewSeconds => !progress.Completed && DateTime.UtcNow - _lastProgress >= ProgressInterval,
                _ => false,
            };
            if (show)
            {
                _lastActivity = progress.Activity;
                _lastProgress = DateTime.UtcNow;
                _error.WriteLine($"{progress.Activity}: {progress.Status}");
            }
        }
    }

    private void Write(string line)
    {
        lock (_gate)
        {
            _error.WriteLine(line);
        }
    }
}
