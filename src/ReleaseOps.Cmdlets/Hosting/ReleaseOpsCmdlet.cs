using System.Collections.Concurrent;
using System.Management.Automation;
using ReleaseOps.Errors;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// The base class of every ReleaseOps cmdlet. It runs the engine's async operations on a worker
/// thread and carries what they produce to the pipeline thread as it arrives (PowerShell allows
/// writes only from there), cancels them on Ctrl+C, and turns engine exceptions into ErrorRecords:
/// bad arguments and configuration end the command, every other failure is reported for the
/// current item only. All host interaction goes through <see cref="Runtime"/>, the test seam.
/// </summary>
public abstract class ReleaseOpsCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();
    private ICmdletRuntime? _runtime;

    /// <summary>The host seam. Tests replace it with a recorder before driving the cmdlet.</summary>
    internal ICmdletRuntime Runtime
    {
        get => _runtime ??= new PowerShellRuntime(this);
        set => _runtime = value;
    }

    /// <summary>Cancelled by Ctrl+C (StopProcessing). Every engine call receives it.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>Runs an engine operation that streams records; each is written as it arrives.</summary>
    protected void RunStream<T>(Func<CmdletOperation, IAsyncEnumerable<T>> operation, object? target = null) =>
        Pump(async op =>
        {
            await foreach (var item in operation(op).WithCancellation(op.Cancellation).ConfigureAwait(false))
            {
                op.Emit(item);
            }
        }, target);

    /// <summary>Runs an engine operation that returns one record, written unless it is null.</summary>
    protected void Run<T>(Func<CmdletOperation, Task<T>> operation, object? target = null) =>
        Pump(async op =>
        {
            var result = await operation(op).ConfigureAwait(false);
            if (result is not null)
            {
                op.Emit(result);
            }
        }, target);

    /// <summary>Runs an engine operation that writes through the <see cref="CmdletOperation"/> itself.</summary>
    protected void Run(Func<CmdletOperation, Task> operation, object? target = null) => Pump(operation, target);

    protected new void WriteObject(object? value) => Runtime.WriteObject(value);

    protected new void WriteVerbose(string message) => Runtime.WriteVerbose(message);

    protected new void WriteWarning(string message) => Runtime.WriteWarning(message);

    protected new bool ShouldProcess(string target, string action) => Runtime.ShouldProcess(target, action);

    /// <summary>A file system path for a path the user typed (relative, ~, PSDrive).</summary>
    protected string ResolvePath(string path) => Runtime.ResolvePath(path);

    /// <summary>Reports a failure of the current item and lets the command go on.</summary>
    protected void WriteFailure(Exception exception, object? target = null) =>
        Runtime.WriteError(Describe(exception, target));

    /// <summary>Ends the command with an error (bad arguments or configuration).</summary>
    protected void ThrowFailure(Exception exception, object? target = null) =>
        Runtime.ThrowTerminatingError(Describe(exception, target));

    protected override void StopProcessing()
    {
        _stopping.Cancel();
        base.StopProcessing();
    }

    /// <summary>Maps an exception onto the ErrorRecord vocabulary: a stable id, a category, the target.</summary>
    internal static CmdletError Describe(Exception exception, object? target)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }
        return exception switch
        {
            ReleaseOpsException roe => new CmdletError(roe, roe.ErrorId, CategoryOf(roe.Kind), target ?? roe.Target, roe.Fix),
            ArgumentException => new CmdletError(exception, "InvalidArgument", ErrorCategory.InvalidArgument, target),
            TimeoutException => new CmdletError(exception, "OperationTimeout", ErrorCategory.OperationTimeout, target),
            UnauthorizedAccessException => new CmdletError(exception, "AccessDenied", ErrorCategory.PermissionDenied, target),
            _ => new CmdletError(exception, exception.GetType().Name, ErrorCategory.NotSpecified, target),
        };
    }

    internal static ErrorCategory CategoryOf(FailureKind kind) => kind switch
    {
        FailureKind.InvalidArgument => ErrorCategory.InvalidArgument,
        FailureKind.InvalidConfiguration => ErrorCategory.InvalidData,
        FailureKind.NotFound => ErrorCategory.ObjectNotFound,
        FailureKind.Conflict => ErrorCategory.ResourceBusy,
        FailureKind.ConnectionFailed => ErrorCategory.ConnectionError,
        FailureKind.AuthenticationFailed => ErrorCategory.AuthenticationError,
        FailureKind.Timeout => ErrorCategory.OperationTimeout,
        FailureKind.PermissionDenied => ErrorCategory.PermissionDenied,
        FailureKind.ResourceExhausted => ErrorCategory.LimitsExceeded,
        FailureKind.IntegrityFailure => ErrorCategory.InvalidResult,
        FailureKind.VersionMismatch => ErrorCategory.NotImplemented,
        _ => ErrorCategory.InvalidOperation,
    };

    private static bool EndsCommand(Exception exception) =>
        exception is ReleaseOpsException { EndsCommand: true } or ArgumentException;

    private void Pump(Func<CmdletOperation, Task> body, object? target)
    {
        using var queue = new BlockingCollection<Action<ICmdletRuntime>>();
        var operation = new CmdletOperation(queue, Describe, _stopping.Token);
        var work = Task.Run(() => body(operation), _stopping.Token);
        work.ContinueWith(_ => queue.CompleteAdding(), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            foreach (var action in queue.GetConsumingEnumerable())
            {
                action(Runtime);
            }
        }
        catch
        {
            // The host refused a write (the pipeline is stopping, or a terminating error was
            // raised): stop the worker, release anything it waits on, and let the host unwind.
            _stopping.Cancel();
            operation.Abandon();
            try
            {
                work.Wait(TimeSpan.FromSeconds(30));
            }
            catch (AggregateException)
            {
                // Its failure is superseded by the one unwinding now.
            }
            throw;
        }

        try
        {
            work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Ctrl+C: PowerShell reports the stop itself; nothing more to say.
        }
        catch (Exception ex) when (EndsCommand(ex))
        {
            ThrowFailure(ex, target);
        }
        catch (Exception ex)
        {
            WriteFailure(ex, target);
        }
    }
}
