using ReleaseOps.Operations;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// A reporter that acts on cue: calls an action the first time a verbose message contains a text (and, with
/// <see cref="OnProgress"/>, the first time a progress status starts with another); records every message.
/// The action runs synchronously on the engine's thread, so the engine goes on only after it.
/// </summary>
internal sealed class TriggerReporter(string prefix, Action action) : IOperationReporter
{
    private bool _progressFired;

    public bool Fired { get; private set; }
    public List<string>? Messages { get; init; }
    public (string Prefix, Action Action)? OnProgress { get; init; }

    public void Verbose(string message)
    {
        lock (this) Messages?.Add(message);
        if (!Fired && message.Contains(prefix, StringComparison.Ordinal))
        {
            Fired = true;
            action();
        }
    }

    public void Warning(string message)
    {
        lock (this) Messages?.Add(message);
    }

    public void Progress(OperationProgress progress)
    {
        lock (this) Messages?.Add(progress.Activity + " " + progress.Status);
        if (OnProgress is { } cue && !_progressFired && progress.Status.StartsWith(cue.Prefix, StringComparison.Ordinal))
        {
            _progressFired = true;
            cue.Action();
        }
    }
}
