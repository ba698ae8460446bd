using System.Collections.Concurrent;
using System.Management.Automation;
using ReleaseOps.Operations;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// What an engine call running on a worker thread may do to the pipeline: emit results, report
/// per-item failures, write verbose text, warnings and progress, and ask ShouldProcess. Every call
/// is queued and carried out on the pipeline thread by <see cref="ReleaseOpsCmdlet"/>.
/// It is also the <see cref="IOperationReporter"/> handed to the engine.
/// </summary>
public sealed class CmdletOperation : IOperationReporter
{
    private readonly BlockingCollection<Action<ReleaseOpsCmdlet>> _queue;
    private readonly Func<Exception, object?, ErrorRecord> _describe;
    private readonly ConcurrentDictionary<TaskCompletionSource<bool>, byte> _pendingQuestions = new();

    internal CmdletOperation(BlockingCollection<Action<ReleaseOpsCmdlet>> queue,
        Func<Exception, object?, ErrorRecord> describe, CancellationToken cancellation)
    {
        _queue = queue;
        _describe = describe;
        Cancellation = cancellation;
    }

    /// <summary>Cancelled when the user presses Ctrl+C or a downstream command stops the pipeline.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Writes a result object to the pipeline as soon as the pipeline thread gets to it.</summary>
    public void Emit(object? value) => Post(cmdlet => cmdlet.WriteObject(value));

    /// <summary>Reports a failure of one item without ending the command (a non-terminating error).</summary>
    public void Fail(Exception exception, object? target = null)
    {
        var error = _describe(exception, target);
        Post(cmdlet => cmdlet.WriteError(error));
    }

    public void Verbose(string message) => Post(cmdlet => cmdlet.WriteVerbose(message));

    public void Warning(string message) => Post(cmdlet => cmdlet.WriteWarning(message));

    public void Progress(OperationProgress progress) => Post(cmdlet => cmdlet.WriteProgress(progress));

    /// <summary>Asks ShouldProcess on the pipeline thread and waits for the answer.</summary>
    public async Task<bool> ShouldProcessAsync(string target, string action)
    {
        var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingQuestions[answer] = 0;
        Post(cmdlet =>
        {
            try
            {
                answer.TrySetResult(cmdlet.ShouldProcess(target, action));
            }
            catch (Exception ex)
            {
                answer.TrySetException(ex);
                throw;
            }
        });
        using (Cancellation.Register(() => answer.TrySetCanceled(Cancellation)))
        {
            try
            {
                return await answer.Task.ConfigureAwait(false);
            }
            finally
            {
                _pendingQuestions.TryRemove(answer, out _);
            }
        }
    }

    /// <summary>Called when the pipeline thread stops draining, so that no worker waits forever.</summary>
    internal void Abandon()
    {
        foreach (var question in _pendingQuestions.Keys)
        {
            question.TrySetCanceled();
        }
    }

    private void Post(Action<ReleaseOpsCmdlet> action)
    {
        if (!_queue.IsAddingCompleted)
        {
            try
            {
                _queue.Add(action);
            }
            catch (InvalidOperationException)
            {
                // The operation has already finished; nothing can be written any more.
            }
        }
    }
}
