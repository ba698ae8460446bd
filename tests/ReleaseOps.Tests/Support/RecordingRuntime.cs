using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Operations;

namespace ReleaseOps.Tests.Support;

/// <summary>
/// The test side of the cmdlet seam: records everything a cmdlet writes and answers ShouldProcess
/// as told (<see cref="WhatIf"/> answers no and records the question, as -WhatIf does). Also records
/// the thread each call came from, so tests can prove writes happen on the pipeline thread.
/// </summary>
public sealed class RecordingRuntime : ICmdletRuntime
{
    public List<object?> Output { get; } = new();
    public List<CmdletError> Errors { get; } = new();
    public List<string> Verbose { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<OperationProgress> Progress { get; } = new();
    public List<(string Target, string Action)> ShouldProcessCalls { get; } = new();
    public HashSet<int> WritingThreads { get; } = new();

    /// <summary>When true, ShouldProcess answers no (as -WhatIf does).</summary>
    public bool WhatIf { get; set; }

    /// <summary>Called on each WriteObject, for tests that stop the pipeline part way.</summary>
    public Action<object?>? OnWriteObject { get; set; }

    public void WriteObject(object? value)
    {
        Touch();
        Output.Add(value);
        OnWriteObject?.Invoke(value);
    }

    public void WriteError(CmdletError error)
    {
        Touch();
        Errors.Add(error);
    }

    public void WriteVerbose(string message)
    {
        Touch();
        Verbose.Add(message);
    }

    public void WriteWarning(string message)
    {
        Touch();
        Warnings.Add(message);
    }

    public void WriteProgress(OperationProgress progress)
    {
        Touch();
        Progress.Add(progress);
    }

    public bool ShouldProcess(string target, string action)
    {
        Touch();
        ShouldProcessCalls.Add((target, action));
        return !WhatIf;
    }

    /// <summary>Relative paths resolve against the process's current directory, as in a fresh session.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path);

    public void ThrowTerminatingError(CmdletError error)
    {
        Touch();
        Errors.Add(error);
        throw new TerminatingErrorException(error);
    }

    /// <summary>Everything the cmdlet wrote as text, for leak scans.</summary>
    public IEnumerable<string?> AllText() =>
        Output.Select(o => o is null ? null : Serialize(o))
            .Concat(Errors.Select(e => e.Message + " " + e.RecommendedAction + " " + e.TargetObject + " " + e.Exception))
            .Concat(Verbose).Concat(Warnings)
            .Concat(Progress.Select(p => p.Activity + " " + p.Status));

    public IEnumerable<T> OutputOf<T>() => Output.OfType<T>();

    private void Touch()
    {
        lock (WritingThreads)
        {
            WritingThreads.Add(Environment.CurrentManagedThreadId);
        }
    }

    private static string Serialize(object value)
    {
        try
        {
            return value + " " + System.Text.Json.JsonSerializer.Serialize(value, value.GetType());
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidOperationException)
        {
            return value.ToString() ?? string.Empty;
        }
    }
}

/// <summary>What the recorder throws for ThrowTerminatingError, as PowerShell would.</summary>
public sealed class TerminatingErrorException : Exception
{
    public TerminatingErrorException(CmdletError error)
        : base(error.Message, error.Exception)
    {
        Error = error;
    }

    public CmdletError Error { get; }
}
