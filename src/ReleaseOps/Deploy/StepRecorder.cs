using System.Diagnostics;
using System.Threading.Channels;
using ReleaseOps.Journal;
using ReleaseOps.Operations;

namespace ReleaseOps.Deploy;

/// <summary>
/// Runs the steps of one release against the journal, write-ahead: a step is saved as Started
/// before its body runs and saved again with its outcome before the next begins; each finished step
/// is also handed to the caller's stream as a <see cref="DeploymentStep"/>. The release is one progress
/// activity; what its steps run (gates, backups, probes) reports through <see cref="Reporter"/> and nests under it.
/// </summary>
internal sealed class StepRecorder : IDisposable
{
    private readonly IReleaseJournal _journal;
    private readonly ChannelWriter<DeploymentRecord> _output;
    private readonly ProgressActivity _activity;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ReleaseRecord _release;
    private int _sequence;

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

    public async Task BeginAsync(CancellationToken cancellation) =>
        await _journal.SaveAsync(_release, cancellation).ConfigureAwait(false);

    /// <summary>Runs one step. Its body returns the detail to record; an exception fails the step and propagates.</summary>
    public async Task<string?> RunAsync(string name, string? service, Func<CancellationToken, Task<string?>> body, CancellationToken cancellation)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        _activity.Report($"{name}{(service is null ? "" : $" [{service}]")}", Total > 0 ? Math.Min(99, (sequence - 1) * 100 / Total) : -1);
        await UpdateAsync(new JournalStep(sequence, name, service, StepStatus.Started, started, null, null), cancellation).ConfigureAwait(false);
        try
        {
            var detail = await body(cancellation).ConfigureAwait(false);
            await FinishAsync(sequence, name, service, StepStatus.Succeeded, started, clock.Elapsed, detail).ConfigureAwait(false);
            return detail;
        }
        catch (Exception ex)
        {
            var detail = ex is OperationCanceledException ? "cancelled" : Describe(ex);
            await FinishAsync(sequence, name, service, StepStatus.Failed, started, clock.Elapsed, detail).ConfigureAwait(false);
            throw;
        }
    }

    public async Task SkipAsync(string name, string? service, string detail, CancellationToken cancellation)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var now = DateTimeOffset.UtcNow;
        await FinishAsync(sequence, name, service, StepStatus.Skipped, now, TimeSpan.Zero, detail).ConfigureAwait(false);
    }

    /// <summary>Records the release's outcome (status, images, reason).</summary>
    public async Task CompleteAsync(Func<ReleaseRecord, ReleaseRecord> change)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _release = change(_release) with { FinishedAt = DateTimeOffset.UtcNow };
            await _journal.SaveAsync(_release, CancellationToken.None).ConfigureAwait(false);
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
            await _journal.SaveAsync(_release, cancellation).ConfigureAwait(false);
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
        ex is Errors.ReleaseOpsException roe ? $"{roe.ErrorId}: {roe.Message}" : ex.Message;

    private async Task FinishAsync(int sequence, string name, string? service, StepStatus status, DateTimeOffset started,
        TimeSpan elapsed, string? detail)
    {
        // The outcome of a step is recorded even when the deployment is being cancelled.
        await UpdateAsync(new JournalStep(sequence, name, service, status, started, started + elapsed, detail), CancellationToken.None)
            .ConfigureAwait(false);
        var step = new DeploymentStep(_release.Id, sequence, name, service, status, started, elapsed, detail);
        _activity.Nested.Verbose(step.ToString());
        await _output.WriteAsync(step, CancellationToken.None).ConfigureAwait(false);
    }

    private async Task UpdateAsync(JournalStep step, CancellationToken cancellation)
    {
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var steps = _release.Steps.Where(s => s.Sequence != step.Sequence).Append(step).OrderBy(s => s.Sequence).ToArray();
            _release = _release with { Steps = steps };
            await _journal.SaveAsync(_release, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the release's progress activity with its outcome.</summary>
    public void Dispose() => _activity.Complete(_release.Status.ToString());
}
