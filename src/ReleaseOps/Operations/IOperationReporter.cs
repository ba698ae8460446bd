namespace ReleaseOps.Operations;

/// <summary>
/// How an engine operation tells its host what it is doing while it runs. Implementations may be
/// called from any thread; the PowerShell host queues the calls to its pipeline thread, the CLI
/// writes them to stderr. Nothing passed here may contain a secret.
/// </summary>
public interface IOperationReporter
{
    void Verbose(string message);

    void Warning(string message);

    void Progress(OperationProgress progress);
}

/// <summary>
/// One progress update of an activity (see <see cref="ProgressActivity"/>, which gives each activity its own
/// id and parent). <see cref="PercentComplete"/> is -1 when the total is unknown.
/// </summary>
public sealed record OperationProgress(
    string Activity,
    string Status,
    int PercentComplete = -1,
    TimeSpan? Remaining = null,
    bool Completed = false,
    int ActivityId = 1,
    int ParentActivityId = -1);

/// <summary>A reporter that drops everything, for callers that do not care.</summary>
public sealed class SilentReporter : IOperationReporter
{
    public static readonly SilentReporter Instance = new();

    private SilentReporter()
    {
    }

    public void Verbose(string message)
    {
    }

    public void Warning(string message)
    {
    }

    public void Progress(OperationProgress progress)
    {
    }
}
