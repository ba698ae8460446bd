using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using ReleaseOps.Conditions;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Plans.Schema;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Gates;

/// <summary>
/// Runs gates in parallel under a throttle, each attempt under its timeout, retrying gates with
/// <c>within</c> until they pass or the time is up, and yields each <see cref="GateResult"/> as it
/// completes. A gate that cannot run (unknown type, missing setting, unreachable host, timeout)
/// yields a result with status Error; the runner itself throws only on cancellation.
/// </summary>
public sealed class GateRunner
{
    private readonly IReadOnlyDictionary<string, IGateCheck> _checks;
    private readonly IGateBackupInventory? _backups;

    /// <summary>Every standard check, without a backup inventory (Releases.StandardRelease.GateRunner() adds one).</summary>
    public GateRunner()
        : this(GateChecks.All)
    {
    }

    /// <param name="checks">The checks, by the gate types they serve.</param>
    /// <param name="backups">Where <c>max_backup_age</c> looks for backups; without one that setting cannot be checked.</param>
    public GateRunner(IEnumerable<IGateCheck> checks, IGateBackupInventory? backups = null)
    {
        _backups = backups;
        _checks = checks.SelectMany(c => c.Types.Select(t => (t, c)))
            .ToDictionary(p => p.t, p => p.c, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The category a gate reports: its own, or its type's default.</summary>
    public static string CategoryOf(GateDefinition gate) =>
        gate.Category ?? GateTypeCatalog.Find(gate.Type)?.DefaultCategory ?? "other";

    /// <summary>Runs the plan's selected gates.</summary>
    public IAsyncEnumerable<GateResult> RunAsync(ReleasePlan plan, GateRunOptions options, IOperationReporter reporter,
        CancellationToken cancellation) =>
        RunAsync(plan.Gates, GateEnvironment.For(plan), options, reporter, cancellation);

    /// <summary>Runs the selected gates; results come in completion order.</summary>
    public async IAsyncEnumerable<GateResult> RunAsync(IEnumerable<GateDefinition> gates, GateEnvironment environment,
        GateRunOptions options, IOperationReporter reporter, [EnumeratorCancellation] CancellationToken cancellation)
    {
        var selected = gates.Where(options.Selection.Includes).ToArray();
        if (selected.Length == 0)
        {
            reporter.Verbose("No gate matches the selection; nothing to run.");
            yield break;
        }
        var throttle = Math.Max(1, options.ThrottleLimit);
        reporter.Verbose($"Running {selected.Length} gate(s), {throttle} at a time.");
        using var activity = ProgressActivity.Start(reporter, "Release gates");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var slots = new SemaphoreSlim(throttle);
        await using var connections = new GateConnections(stop.Token);
        var channel = Channel.CreateUnbounded<GateResult>();
        string? stoppedBy = null;
        var completed = 0;

        // One gate that holds a slot: runs, releases the slot, reports.
        async Task RunStarted(GateDefinition gate)
        {
            GateResult result;
            try
            {
                result = await RunGateAsync(gate, environment, options, reporter, connections, stop.Token).ConfigureAwait(false);
                if (stop.IsCancellationRequested && !cancellation.IsCancellationRequested && result.Status == GateStatus.Error
                    && result.ErrorId == "GateCancelled")
                {
                    result = Skip(gate, stoppedBy);
                }
            }
            finally
            {
                slots.Release();
            }
            if (options.FailFast && result.Severity == GateSeverity.Critical &&
                result.Status is GateStatus.Failed or GateStatus.Error &&
                Interlocked.CompareExchange(ref stoppedBy, gate.Name, null) is null)
            {
                reporter.Warning($"Critical gate '{gate.Name}' did not pass; -FailFast stops the remaining gates.");
                stop.Cancel();
            }
            var done = Interlocked.Increment(ref completed);
            activity.Report($"{done}/{selected.Length}: {result.Status} {gate.Name}", done * 100 / selected.Length);
            channel.Writer.TryWrite(result);
        }

        // Gates start in the order they are given, each as soon as a slot is free: a slow gate listed first
        // starts first (work items queued all at once ran in the thread pool's order, which is not the
        // plan's, so a slow gate could start late and stretch the run), and no more than the throttle's
        // worth of gates wait at once. When the run is stopped (-FailFast), the gates not started are Skipped.
        async Task Dispatch()
        {
            var running = new List<Task>(Math.Min(selected.Length, throttle * 2));
            try
            {
                for (var i = 0; i < selected.Length; i++)
                {
                    try
                    {
                        await slots.WaitAsync(stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                    {
                        for (var j = i; j < selected.Length; j++)
                        {
                            channel.Writer.TryWrite(Skip(selected[j], stoppedBy));
                        }
                        return;
                    }
                    var gate = selected[i];
                    running.Add(Task.Run(() => RunStarted(gate), CancellationToken.None));
                    if (running.Count >= throttle * 2)
                    {
                        running.RemoveAll(t => t.IsCompletedSuccessfully);
                    }
                }
            }
            finally
            {
                // Never return (or fail) before every started gate has ended: none outlives the throttle and token it uses.
                await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            }
            await Task.WhenAll(running).ConfigureAwait(false);
        }

        var all = Dispatch();
        _ = all.ContinueWith(t => channel.Writer.TryComplete(t.Exception), TaskScheduler.Default);
        try
        {
            await foreach (var result in channel.Reader.ReadAllAsync(cancellation).ConfigureAwait(false))
            {
                yield return result;
            }
        }
        finally
        {
            // The caller may stop reading early (or be cancelled): stop the gates still running and
            // wait for them, so none outlives the throttle and token it uses.
            stop.Cancel();
            await Task.WhenAny(all).ConfigureAwait(false);
        }
        cancellation.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Runs gates and returns the run's summary (totals, verdict, every result), handing each result
    /// to <paramref name="onResult"/> the moment it completes. Every host's gate run comes here: the
    /// cmdlet, the CLI, a deployment's gate stages and the benchmarks.
    /// </summary>
    public async Task<GateRunSummary> RunToSummaryAsync(IEnumerable<GateDefinition> gates, GateEnvironment environment,
        GateRunOptions options, IOperationReporter reporter, CancellationToken cancellation, Action<GateResult>? onResult = null)
    {
        var start = options.Clock.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var results = new List<GateResult>();
        await foreach (var result in RunAsync(gates, environment, options, reporter, cancellation).ConfigureAwait(false))
        {
            results.Add(result);
            onResult?.Invoke(result);
        }
        var summary = GateRunSummary.From(results, start, clock.Elapsed, environment.PlanName,
            options.FailFast && results.Any(r => r.Status == GateStatus.Skipped));
        reporter.Verbose(summary.ToString());
        return summary;
    }

    private static GateResult Skip(GateDefinition gate, string? stoppedBy) => new()
    {
        Name = gate.Name,
        Type = gate.Type,
        Category = CategoryOf(gate),
        Severity = gate.Severity,
        Status = GateStatus.Skipped,
        Message = stoppedBy is null ? "Skipped: the run was stopped." : $"Skipped: -FailFast stopped the run after critical gate '{stoppedBy}' did not pass.",
        Tags = gate.Tags,
        StartTime = DateTimeOffset.UtcNow,
        Location = gate.Location?.ToString(),
    };

    /// <summary>Runs one gate: all its attempts, each under its timeout. Never throws except on cancellation of <paramref name="cancellation"/> by the caller.</summary>
    public Task<GateResult> RunGateAsync(GateDefinition gate, GateEnvironment environment, GateRunOptions options,
        IOperationReporter reporter, CancellationToken cancellation) =>
        RunGateAsync(gate, environment, options, reporter, null, cancellation);

    private async Task<GateResult> RunGateAsync(GateDefinition gate, GateEnvironment environment, GateRunOptions options,
        IOperationReporter reporter, GateConnections? connections, CancellationToken cancellation)
    {
        var start = options.Clock.GetUtcNow();
        var clock = Stopwatch.StartNew();
        var redactor = new SecretRedactor();
        var baseResult = new GateResult
        {
            Name = gate.Name,
            Type = gate.Type,
            Category = CategoryOf(gate),
            Severity = gate.Severity,
            Message = string.Empty,
            Tags = gate.Tags,
            StartTime = start,
            Location = gate.Location?.ToString(),
        };

        var problem = Prepare(gate, out var check, out var conditions);
        if (problem is not null)
        {
            return Redact(ErrorResult(baseResult, problem, attempts: 0, clock.Elapsed), redactor);
        }

        var timeout = gate.Timeout ?? options.DefaultTimeout;
        var deadline = gate.Within is { } within ? clock.Elapsed + within : (TimeSpan?)null;
        var attempts = 0;
        GateResult result;
        while (true)
        {
            attempts++;
            var attemptTimeout = timeout;
            if (deadline is { } d)
            {
                var remaining = d - clock.Elapsed;
                attemptTimeout = remaining < attemptTimeout ? remaining : attemptTimeout;
                attemptTimeout = attemptTimeout < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : attemptTimeout;
            }
            result = await AttemptAsync(gate, check!, conditions!, environment, _backups, connections, options, reporter, redactor, attemptTimeout,
                baseResult, cancellation).ConfigureAwait(false);
            result = result with { Attempts = attempts, Duration = clock.Elapsed };
            if (result.Status is GateStatus.Passed or GateStatus.Warning || deadline is null || cancellation.IsCancellationRequested)
            {
                break;
            }
            var pause = RetryPause(gate.Within!.Value);
            if (clock.Elapsed + pause >= deadline.Value)
            {
                result = result with { Message = $"{result.Message} (still not passing after {attempts} attempt(s) within {DurationText.Format(gate.Within.Value)})" };
                break;
            }
            reporter.Verbose($"Gate '{gate.Name}' attempt {attempts}: {redactor.Redact(result.Message)}; retrying.");
            try
            {
                await Task.Delay(pause, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        result = Redact(result with { Duration = clock.Elapsed }, redactor);
        reporter.Verbose($"Gate '{gate.Name}': {result.Status} - {result.Message}");
        return result;
    }

    private static TimeSpan RetryPause(TimeSpan within)
    {
        var pause = within / 20;
        return pause < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100)
            : pause > TimeSpan.FromSeconds(2) ? TimeSpan.FromSeconds(2) : pause;
    }

    private ReleaseOpsException? Prepare(GateDefinition gate, out IGateCheck? check, out IReadOnlyList<ConditionExpression>? conditions)
    {
        check = null;
        conditions = null;
        var type = GateTypeCatalog.Find(gate.Type);
        if (type is null || !_checks.TryGetValue(type.Name, out check))
        {
            return new ReleaseOpsException("GateTypeUnknown", FailureKind.InvalidConfiguration,
                $"Gate '{gate.Name}' has the unknown type '{gate.Type}'.", target: gate.Name,
                fix: "Use one of: " + string.Join(", ", GateTypeCatalog.All.Where(t => _checks.ContainsKey(t.Name)).Select(t => t.Name)) + ".");
        }
        var missing = type.Settings.Where(p => p.Required && !gate.Settings.Has(p.Name)).Select(p => p.Name).ToArray();
        if (missing.Length > 0)
        {
            return new ReleaseOpsException("GateSettingMissing", FailureKind.InvalidConfiguration,
                $"Gate '{gate.Name}' ({type.Name}) is missing the required setting(s) {string.Join(", ", missing.Select(m => "'" + m + "'"))}.",
                target: gate.Name,
                fix: $"Add {string.Join(" and ", missing.Select(m => m + ":"))} to the gate. Settings of '{type.Name}': " +
                     string.Join(", ", type.Settings.Select(p => p.Required ? p.Name + " (required)" : p.Name)) + ".");
        }
        var parsed = new List<ConditionExpression>();
        foreach (var text in gate.Expect)
        {
            if (!ConditionExpression.TryParse(text, out var expression, out var error))
            {
                return new ConditionSyntaxException(text, error!);
            }
            parsed.Add(expression!);
        }
        conditions = parsed;
        return null;
    }

    private static async Task<GateResult> AttemptAsync(GateDefinition gate, IGateCheck check, IReadOnlyList<ConditionExpression> conditions,
        GateEnvironment environment, IGateBackupInventory? backups, GateConnections? connections, GateRunOptions options, IOperationReporter reporter,
        SecretRedactor redactor, TimeSpan timeout,
        GateResult baseResult, CancellationToken cancellation)
    {
        var observation = new GateObservation();
        var context = new GateCheckContext(gate, environment, reporter, redactor, timeout, options.Clock, backups, connections);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            // WaitAsync bounds the attempt even when a client ignores its token.
            await check.RunAsync(context, observation, limit.Token).WaitAsync(timeout + TimeSpan.FromMilliseconds(250), cancellation)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (cancellation.IsCancellationRequested && ex is OperationCanceledException)
        {
            return ErrorResult(baseResult with { Target = observation.Target }, new ReleaseOpsException("GateCancelled",
                FailureKind.OperationFailed, "The gate was cancelled before it finished."), 1, TimeSpan.Zero);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
            return ErrorResult(baseResult with { Target = observation.Target, Evidence = observation.Evidence }, new ReleaseOpsException(
                "GateTimeout", FailureKind.Timeout,
                $"The check did not finish within {DurationText.Format(timeout)}" + (observation.Target is null ? "." : $" ({observation.Target})."),
                target: observation.Target ?? gate.Name,
                fix: "Check that the target answers, or raise the gate's 'timeout:'."), 1, TimeSpan.Zero);
        }
        catch (ReleaseOpsException ex)
        {
            return ErrorResult(baseResult with { Target = observation.Target ?? ex.Target, Evidence = observation.Evidence }, ex, 1, TimeSpan.Zero);
        }
        catch (Exception ex)
        {
            return ErrorResult(baseResult with { Target = observation.Target, Evidence = observation.Evidence },
                new ReleaseOpsException("GateCheckFailed", FailureKind.OperationFailed,
                    $"The check could not run: {ex.GetType().Name}: {ex.Message}", target: observation.Target ?? gate.Name,
                    fix: "Check the gate's settings and that the target is reachable."), 1, TimeSpan.Zero);
        }

        foreach (var condition in conditions)
        {
            var outcome = condition.Evaluate(observation.Values);
            observation.Rule(condition.Text, outcome.Passed, outcome.Message);
        }
        var findings = observation.Findings;
        var failed = findings.Where(f => f.Level == GateFindingLevel.Failed).ToArray();
        var warned = findings.Where(f => f.Level == GateFindingLevel.Warning).ToArray();
        var status = failed.Length > 0 ? GateStatus.Failed : warned.Length > 0 ? GateStatus.Warning : GateStatus.Passed;
        var message = status switch
        {
            GateStatus.Failed => string.Join("; ", failed.Select(f => f.Message)),
            GateStatus.Warning => (observation.Summary is null ? "" : observation.Summary + "; ") + "warning: " + string.Join("; ", warned.Select(f => f.Message)),
            _ => observation.Summary ?? (findings.Count == 0 ? "Checked." : string.Join("; ", findings.Select(f => f.Message))),
        };
        return baseResult with
        {
            Status = status,
            Message = message,
            Evidence = observation.Evidence,
            Findings = findings.ToArray(),
            Target = observation.Target,
            Fix = status == GateStatus.Failed ? observation.Fix : null,
        };
    }

    private static GateResult ErrorResult(GateResult baseResult, ReleaseOpsException error, int attempts, TimeSpan duration) =>
        baseResult with
        {
            Status = GateStatus.Error,
            Message = error.Message,
            ErrorId = error.ErrorId,
            Fix = error.Fix,
            Target = baseResult.Target ?? error.Target,
            Attempts = attempts,
            Duration = duration,
        };

    /// <summary>Removes every secret the gate expanded from all text it reports.</summary>
    private static GateResult Redact(GateResult result, SecretRedactor redactor) => result with
    {
        Message = redactor.Redact(result.Message),
        Fix = result.Fix is null ? null : redactor.Redact(result.Fix),
        Target = result.Target is null ? null : redactor.Redact(result.Target),
        Evidence = result.Evidence.ToDictionary(kv => kv.Key, kv => RedactValue(kv.Value, redactor)),
        Findings = result.Findings.Select(f => f with { Message = redactor.Redact(f.Message), Rule = redactor.Redact(f.Rule) }).ToArray(),
    };

    private static object? RedactValue(object? value, SecretRedactor redactor) => value switch
    {
        string s => redactor.Redact(s),
        IEnumerable<string> list => list.Select(redactor.Redact).ToArray(),
        object?[] items => items.Select(i => RedactValue(i, redactor)).ToArray(),
        _ => value,
    };
}
