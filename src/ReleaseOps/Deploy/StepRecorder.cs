using System.Diagnostics;
using System.Threading.Channels;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Operations;

namespace ReleaseOps.Deploy;

/// <summary>
/// Runs the steps of one release against the journal, write-ahead: a step is saved as Started
/// before its body runs and saved again with its outcome before the next begins; each finished step
/// is also handed to the caller's stream as a <see cref="DeploymentStep"/>. The release is one progress
/// activity; what its steps run (gates, backups, probes) reports through <see cref="Reporter"/> and nests under it.
/// A release that cannot journal (a full disk, a lost database) stops before its next change: a failed write throws
/// <c>JournalWriteFailed</c> before the step's body runs. Once the release is putting things back
/// (<see cref="RecordBestEffort"/>), journal failures are warnings only: a rollback must run whatever the journal does.
/// </summary>
internal sealed class StepRecorder : IDisposable
{
    private readonly IReleaseJournal _journal;
    private readonly ChannelWriter<DeploymentRecord> _output;
    private readonly ProgressActivity _activity;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ReleaseRecord _release;
    private int _sequence;
    private bool _bestEffort;
    private int _warned;

    public StepRecorder(IReleaseJournal journal, ReleaseRecord release, ChannelWriter<DeploymentRecord> output, IOperationReporter reporter)
    {
        _journal = journal;
        _release = release;
        _output = output;
        _activity = ProgressActivity.Start(reporter, $"{release.Kind} {release.Application}/{release.Environment} {release.Version}");
    }

    public ReleaseRecord Release => _release;

    /// <summary>The reporter for what the steps run: their progress activities are children of the release's.</summary>
    public IOperationReporter Reporter => _activity.Nested;

    public int Total { get; set; }

    /// <summary>The first journal write that failed, if any.</summary>
    public ReleaseOpsException? JournalFailure { get; private set; }

    /// <summary>From now on (putting things back, recording the outcome) a failed journal write is a warning, never a stop.</summary>
    public void RecordBestEffort() => _bestEffort = true;

    public async Task BeginAsync(CancellationToken cancellation) =>
        await SaveAsync(_release, cancellation, "the start of the release").ConfigureAwait(false);

    /// <summary>
    /// Runs one step. Its body returns the detail to record; an exception fails the step and propagates. The step's start
    /// is journalled before the body runs: when that write fails, the body does not run.
    /// </summary>
    public async Task<string?> RunAsync(string name, string? service, Func<CancellationToken, Task<string?>> body, CancellationToken cancellation)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        _activity.Report($"{name}{(service is null ? "" : $" [{service}]")}", Total > 0 ? Math.Min(99, (sequence - 1) * 100 / Total) : -1);
        await UpdateAsync(new JournalStep(sequence, name, service, StepStatus.Started, started, null, null), cancellation).ConfigureAwait(false);
        string? detail;
        try
        {
            detail = await body(cancellation).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The step's own failure is what the caller must see, even when the journal cannot record it.
            var why = ex is OperationCanceledException ? "cancelled" : Describe(ex);
            await FinishAsync(sequence, name, service, StepStatus.Failed, started, clock.Elapsed, why, required: false).ConfigureAwait(false);
            throw;
        }
        await FinishAsync(sequence, name, service, StepStatus.Succeeded, started, clock.Elapsed, detail, required: true).ConfigureAwait(false);
        return detail;
    }

    public async Task SkipAsync(string name, string? service, string detail, CancellationToken cancellation)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var now = DateTimeOffset.UtcNow;
        await FinishAsync(sequence, name, service, StepStatus.Skipped, now, TimeSpan.Zero, detail, required: true).ConfigureAwait(false);
    }

    /// <summary>Records the release's outcome (status, images, reason).</summary>
    public async Task CompleteAsync(Func<ReleaseRecord, ReleaseRecord> change)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _release = change(_release) with { FinishedAt = DateTimeOffset.UtcNow };
            await SaveAsync(_release, CancellationToken.None, "the outcome").ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task AmendAsync(Func<ReleaseRecord, ReleaseRecord> change, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            _release = change(_release);
            await SaveAsync(_release, cancellation, "the release's images, backups and gates").ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Step <c>lock</c>: records the lock taken and marks an interrupted release as superseded by this one.</summary>
    public Task<string?> LockAsync(DeployLock held, ReleaseRecord? interrupted, string resolution, CancellationToken cancellation) =>
        RunAsync("lock", null, async ct =>
        {
            if (interrupted is not null)
            {
                await _journal.SaveAsync(interrupted with
                {
                    Status = ReleaseStatus.Interrupted, FinishedAt = DateTimeOffset.UtcNow,
                    Reason = (interrupted.Reason is null ? "" : interrupted.Reason + "; ") + $"its process died; {resolution} by {_release.Id}",
                }, ct).ConfigureAwait(false);
            }
            return $"held by {held}" + (interrupted is null ? "" : $"; {resolution} interrupted release {interrupted.Id}");
        }, cancellation);

    /// <summary>Step <c>resolve-images</c>: every service's image for <paramref name="version"/> by digest, recorded on the release.</summary>
    public async Task<IReadOnlyList<ReleasedImage>> ResolveImagesAsync(IContainerPlatform docker, IReadOnlyList<Plans.ServiceDefinition> services,
        string version, CancellationToken cancellation)
    {
        var images = new List<ReleasedImage>();
        await RunAsync("resolve-images", null, async ct =>
        {
            foreach (var s in services)
            {
                var image = s.ImageFor(version);
                images.Add(new ReleasedImage(s.Name, image, await docker.ResolveImageAsync(image, ct).ConfigureAwait(false)));
            }
            await AmendAsync(r => r with { Images = images }, ct).ConfigureAwait(false);
            return string.Join(", ", images.Select(i => $"{i.Image}@{i.Digest}"));
        }, cancellation).ConfigureAwait(false);
        return images;
    }

    public static string Describe(Exception ex) =>
        ex is ReleaseOpsException roe ? $"{roe.ErrorId}: {roe.Message}" : ex.Message;

    private async Task FinishAsync(int sequence, string name, string? service, StepStatus status, DateTimeOffset started,
        TimeSpan elapsed, string? detail, bool required)
    {
        var step = new DeploymentStep(_release.Id, sequence, name, service, status, started, elapsed, detail);
        try
        {
            // The outcome of a step is recorded even when the deployment is being cancelled.
            await UpdateAsync(new JournalStep(sequence, name, service, status, started, started + elapsed, detail), CancellationToken.None, required)
                .ConfigureAwait(false);
        }
        finally
        {
            // The caller sees the step as it ended even when the journal could not record it.
            _activity.Nested.Verbose(step.ToString());
            await _output.WriteAsync(step, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task UpdateAsync(JournalStep step, CancellationToken cancellation, bool required = true)
    {
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var steps = _release.Steps.Where(s => s.Sequence != step.Sequence).Append(step).OrderBy(s => s.Sequence).ToArray();
            _release = _release with { Steps = steps };
            await SaveAsync(_release, cancellation, $"step '{step.Name}'{(step.Service is null ? "" : $" of {step.Service}")} {step.Status}", required)
                .ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Saves the release. A failure is <c>JournalWriteFailed</c>, thrown when the write is <paramref name="required"/> and the
    /// release is not yet putting things back; otherwise it is kept in <see cref="JournalFailure"/> and reported once.
    /// </summary>
    private async Task SaveAsync(ReleaseRecord release, CancellationToken cancellation, string what, bool required = true)
    {
        try
        {
            await _journal.SaveAsync(release, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var failure = new ReleaseOpsException("JournalWriteFailed",
                ex is IOException ? FailureKind.ResourceExhausted : ex is ReleaseOpsException r ? r.Kind : FailureKind.OperationFailed,
                $"The journal {_journal.Location} could not record {what} of release {release.Id}: {(ex is ReleaseOpsException roe ? roe.Message : ex.Message)}",
                _journal.Location, "Free space on (or repair) the journal's store; the release stopped before its next change and put back what it had changed.", ex);
            JournalFailure ??= failure;
            if (required && !_bestEffort)
            {
                throw failure;
            }
            if (Interlocked.Exchange(ref _warned, 1) == 0)
            {
                _activity.Nested.Warning($"{failure.Message}. The release goes on putting things back; the journal may not show its last steps.");
            }
        }
    }

    /// <summary>Ends the release's progress activity with its outcome.</summary>
    public void Dispose() => _activity.Complete(_release.Status.ToString());
}
