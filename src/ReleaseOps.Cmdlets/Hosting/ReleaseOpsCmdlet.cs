using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Hosting;

/// <summary>
/// The base class of every ReleaseOps cmdlet. It runs the engine's async operations on a worker
/// thread and carries what they produce to the pipeline thread as it arrives (PowerShell allows
/// writes only from there), cancels them on Ctrl+C, and turns engine exceptions into ErrorRecords:
/// bad arguments and configuration end the command, every other failure is reported for the
/// current item only.
/// </summary>
public abstract class ReleaseOpsCmdlet : PSCmdlet
{
    private readonly CancellationTokenSource _stopping = new();

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

    /// <summary>
    /// A file system path for a path the user typed (relative to $PWD, ~, a PSDrive), which need not
    /// exist yet (reports, destinations). Resolved here, on the pipeline thread: the engine runs on
    /// worker threads and never sees PowerShell's location.
    /// </summary>
    protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary><see cref="ResolvePath(string)"/> for an optional parameter.</summary>
    protected string? ResolveOptionalPath(string? path) => path is null ? null : ResolvePath(path);

    /// <summary>
    /// File system paths for input paths the user typed: wildcards expand to the items that exist,
    /// and a wildcard that matches nothing is reported as a non-terminating ObjectNotFound error for
    /// that path alone. Literal paths are passed on as they are; the engine reports a missing file with
    /// its own error id (PlanNotFound...), also for that item only.
    /// </summary>
    protected IEnumerable<string> ResolveInputPaths(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path))
            {
                yield return ResolvePath(path);
                continue;
            }
            IReadOnlyList<string> matches;
            try
            {
                matches = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
            }
            catch (ItemNotFoundException)
            {
                matches = Array.Empty<string>();
            }
            if (matches.Count == 0)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"Nothing matches the path {path}."), "PathNotFound",
                    ErrorCategory.ObjectNotFound, path));
                continue;
            }
            foreach (var match in matches)
            {
                yield return match;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> for each plan the cmdlet was given: the ReleasePlan object, or
    /// every file -PlanPath names (wildcards expanded, read with -Variable), each as an item of its own.
    /// </summary>
    internal void ForEachPlan(ReleasePlan? plan, string[]? planPaths, Hashtable? variables, Func<CmdletOperation, ReleasePlan, Task> body)
    {
        if (plan is not null)
        {
            Run(op => body(op, plan), plan.ToString());
            return;
        }
        var values = PowerShellValues.StringMap(variables);
        foreach (var file in ResolveInputPaths(planPaths ?? Array.Empty<string>()))
        {
            Run(async op =>
            {
                if (await LoadPlanAsync(op, file, values).ConfigureAwait(false) is { } loaded)
                {
                    await body(op, loaded).ConfigureAwait(false);
                }
            }, file);
        }
    }

    /// <summary>Runs <paramref name="body"/> for the piped backup, or each backup manifest the paths name (wildcards expanded).</summary>
    internal void ForEachBackup(ReleaseOps.Backup.ReleaseBackup? backup, string[]? manifestPaths, Func<CmdletOperation, ReleaseOps.Backup.ReleaseBackup, Task> body)
    {
        if (backup is not null)
        {
            Run(op => body(op, backup), backup.Id);
            return;
        }
        foreach (var file in ResolveInputPaths(manifestPaths ?? Array.Empty<string>()))
        {
            Run(async op => await body(op, await ReleaseOps.Backup.BackupCatalog.ReadAsync(file, op.Cancellation).ConfigureAwait(false)).ConfigureAwait(false), file);
        }
    }

    /// <summary>
    /// Reads a plan file. An invalid plan is reported as an error of this file only (null is
    /// returned), so that one bad plan among several piped in does not stop the others.
    /// </summary>
    internal static async Task<ReleasePlan?> LoadPlanAsync(CmdletOperation op, string file, IReadOnlyDictionary<string, string> variables)
    {
        try
        {
            return await ReleasePlanLoader.LoadAsync(file, variables, op.Cancellation).ConfigureAwait(false);
        }
        catch (PlanInvalidException ex)
        {
            op.Fail(ex, file);
            return null;
        }
    }

    /// <summary>
    /// Turns parameters into what the engine takes, on the pipeline thread (secrets, keys, inline
    /// definitions). A failure is reported like an engine failure, with its id and category: bad
    /// arguments end the command, anything else fails this item only. False when it failed.
    /// </summary>
    internal bool TryPrepare<T>(Func<T> prepare, out T value, object? target = null)
    {
        try
        {
            value = prepare();
            return true;
        }
        catch (Exception ex) when (ex is ReleaseOpsException or ArgumentException)
        {
            value = default!;
            if (EndsCommand(ex))
            {
                ThrowFailure(ex, target);
            }
            WriteFailure(ex, target);
            return false;
        }
    }

    /// <summary>Reports a failure of the current item and lets the command go on.</summary>
    protected void WriteFailure(Exception exception, object? target = null) => WriteError(Describe(exception, target));

    /// <summary>Ends the command with an error (bad arguments or configuration).</summary>
    protected void ThrowFailure(Exception exception, object? target = null) => ThrowTerminatingError(Describe(exception, target));

    /// <summary>Writes an engine progress report as a PowerShell ProgressRecord.</summary>
    internal void WriteProgress(OperationProgress progress)
    {
        var record = new ProgressRecord(progress.ActivityId, progress.Activity,
            string.IsNullOrEmpty(progress.Status) ? progress.Activity : progress.Status)
        {
            PercentComplete = Math.Clamp(progress.PercentComplete, -1, 100),
            ParentActivityId = progress.ParentActivityId,
            RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
        };
        if (progress.Remaining is { } remaining)
        {
            record.SecondsRemaining = (int)Math.Ceiling(remaining.TotalSeconds);
        }
        WriteProgress(record);
    }

    protected override void StopProcessing()
    {
        _stopping.Cancel();
        base.StopProcessing();
    }

    /// <summary>Maps an exception onto an ErrorRecord: a stable id, a category, the target and the fix.</summary>
    internal static ErrorRecord Describe(Exception exception, object? target)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            exception = aggregate.InnerExceptions[0];
        }
        var (id, category, fix) = exception switch
        {
            ReleaseOpsException roe => (roe.ErrorId, CategoryOf(roe.Kind), roe.Fix),
            ArgumentException => ("InvalidArgument", ErrorCategory.InvalidArgument, null),
            TimeoutException => ("OperationTimeout", ErrorCategory.OperationTimeout, null),
            UnauthorizedAccessException => ("AccessDenied", ErrorCategory.PermissionDenied, null),
            _ => (exception.GetType().Name, ErrorCategory.NotSpecified, (string?)null),
        };
        var record = new ErrorRecord(exception, id, category, target ?? (exception as ReleaseOpsException)?.Target);
        if (fix is not null)
        {
            record.ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = fix };
        }
        return record;
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
        using var queue = new BlockingCollection<Action<ReleaseOpsCmdlet>>();
        var operation = new CmdletOperation(queue, Describe, _stopping.Token);
        var work = Task.Run(() => body(operation), _stopping.Token);
        work.ContinueWith(_ => queue.CompleteAdding(), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            foreach (var action in queue.GetConsumingEnumerable())
            {
                action(this);
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
