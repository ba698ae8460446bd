using System.Diagnostics;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Deploy;

/// <summary>
/// Rolls an application+environment back to the release before the current one (or a given
/// version): blue-green switches back to the kept color, other strategies start the previous
/// version beside the current one and switch before stopping anything; Swarm services use Swarm's
/// own rollback when the previous spec is the target. Optionally restores the database from the
/// pre-deploy backup of the release being undone. The result's duration runs until the previous release
/// serves again and passed verification; stopping what it replaced follows (step <c>retire</c>). Used by Invoke-Rollback and by health watches
/// (Watch-ReleaseHealth -RollbackOnBreach).
/// </summary>
public sealed class RollbackService
{
    private readonly DeploymentEngine _engine;

    public RollbackService(DeploymentEngine engine)
    {
        _engine = engine;
    }

    /// <summary>Rolls back; yields each step as it ends, then the <see cref="RollbackResult"/>.</summary>
    public IAsyncEnumerable<DeploymentRecord> RollbackAsync(ReleasePlan plan, RollbackRequest request, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        var services = DeploymentEngine.SelectServices(plan, request.Services);
        if (request.RestoreDatabase && _engine.Hooks.Restore is null)
        {
            throw new ReleaseOpsException("DatabaseRestoreNotConfigured", FailureKind.InvalidConfiguration,
                $"-RestoreDatabase was asked for {plan}, but no pre-deploy restore is configured.", plan.ToString(),
                "Run without -RestoreDatabase, or use a ReleaseOps build with the backup capability.");
        }
        return RecordStream.RunAsync(async output => await RunAsync(plan, request, services, output, reporter, cancellation).ConfigureAwait(false));
    }

    /// <summary>Rolls back and returns only the result (for callers that do not stream steps).</summary>
    public async Task<RollbackResult> RunAsync(ReleasePlan plan, RollbackRequest request, IOperationReporter reporter, CancellationToken cancellation)
    {
        RollbackResult? result = null;
        await foreach (var record in RollbackAsync(plan, request, reporter, cancellation).ConfigureAwait(false))
        {
            if (record is RollbackResult r) result = r;
        }
        return result!;
    }

    private async Task<DeploymentRecord> RunAsync(ReleasePlan plan, RollbackRequest request, IReadOnlyList<ServiceDefinition> services,
        System.Threading.Channels.ChannelWriter<DeploymentRecord> output, IOperationReporter reporter, CancellationToken cancellation)
    {
        var journal = _engine.JournalFor(plan);
        var docker = _engine.PlatformFor(plan);
        using var owned = docker as IDisposable;
        var id = ReleaseGuard.NewReleaseId();
        var clock = Stopwatch.StartNew();
        var (held, interrupted) = await ReleaseGuard.EnterAsync(journal, plan.Application, plan.Environment, id, request.Force,
            mayTakeOverInterrupted: true, "", cancellation).ConfigureAwait(false);
        string from, to;
        ReleaseRecord? undone;
        try
        {
            var history = await journal.ListAsync(plan.Application, plan.Environment, cancellation).ConfigureAwait(false);
            (from, to, undone) = Target(history, interrupted, request.ToVersion, plan, journal.Location);
        }
        catch
        {
            await journal.ReleaseLockAsync(plan.Application, plan.Environment, id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        var me = ProcessIdentity.Current;
        var started = DateTimeOffset.UtcNow;
        using var steps = new StepRecorder(journal, new ReleaseRecord
        {
            Id = id, Application = plan.Application, Environment = plan.Environment, Kind = ReleaseKind.Rollback, Version = to,
            PreviousVersion = from, StartedBy = me.User, Host = me.Host, Pid = me.Pid, StartedAt = started, RelatedId = undone?.Id,
            PlanSha256 = plan.Sha256,
        }, output, reporter) { Total = 4 + 2 * services.Count };
        reporter = steps.Reporter;
        using var probes = new ProbeRunner(plan.Secrets);
        var restored = new List<ServiceRelease>();
        var rollouts = new List<(ServiceDefinition Service, IServiceRollout Rollout)>();
        IReadOnlyList<string> left = Array.Empty<string>();
        Exception? cancelled = null;
        var databaseRestored = false;
        string? reason = null;
        var outcome = RollbackOutcome.Succeeded;
        var elapsed = TimeSpan.Zero;
        try
        {
            await steps.BeginAsync(cancellation).ConfigureAwait(false);
            await steps.LockAsync(held, interrupted, "rolled back", cancellation).ConfigureAwait(false);
            var images = await steps.ResolveImagesAsync(docker, services, to, cancellation).ConfigureAwait(false);
            foreach (var s in services.Reverse())
            {
                var rollout = DeploymentEngine.RolloutFor(plan, s, docker, probes, _engine.Hooks, reporter);
                rollouts.Add((s, rollout));
                var instances = await steps.RunAsync("restore", s.Name, async ct =>
                    $"{s.Strategy.Type} ({s.Target}) {from} -> {to}: {string.Join(", ", await rollout.RestoreAsync(to, id, ct).ConfigureAwait(false))}",
                    cancellation).ConfigureAwait(false);
                await steps.RunAsync("verify", s.Name, ct => rollout.VerifyAsync(to, ct)!, cancellation).ConfigureAwait(false);
                var image = images.First(i => i.Service == s.Name);
                restored.Add(new ServiceRelease(s.Name, s.Strategy.Type, s.Target, image.Image, image.Digest, new[] { instances ?? "" }));
            }
            // The previous release serves again: that is the rollback's measured duration. Retiring what it
            // replaced (drain, graceful stop) follows as its own step.
            elapsed = clock.Elapsed;
            foreach (var (s, rollout) in rollouts)
            {
                await steps.RunAsync("retire", s.Name, ct => rollout.RetireAsync(to, ct)!, cancellation).ConfigureAwait(false);
            }
            if (request.RestoreDatabase)
            {
                await steps.RunAsync("restore-database", null, ct =>
                    _engine.Hooks.Restore!.RestoreAsync(plan, undone?.Id ?? "", undone?.BackupIds ?? Array.Empty<string>(), reporter, ct)!,
                    cancellation).ConfigureAwait(false);
                databaseRestored = true;
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            outcome = RollbackOutcome.Failed;
            reason = ex is OperationCanceledException ? "cancelled" : StepRecorder.Describe(ex);
            steps.RecordBestEffort();
            // Failed before its first change (the target's image is missing): nothing changed. Otherwise say what runs now.
            if (rollouts.Count > 0)
            {
                left = await DeploymentEngine.DescribeAsync(rollouts, reporter).ConfigureAwait(false);
            }
            if (ex is OperationCanceledException && cancellation.IsCancellationRequested) cancelled = ex;
        }
        finally
        {
            if (elapsed == TimeSpan.Zero) elapsed = clock.Elapsed;
            steps.RecordBestEffort();
            await steps.CompleteAsync(r => r with
            {
                Status = outcome == RollbackOutcome.Succeeded ? ReleaseStatus.Succeeded
                    : left.Count > 0 ? ReleaseStatus.RollbackFailed : ReleaseStatus.Failed,
                Reason = reason ?? $"rolled back {from} -> {to} in {elapsed.TotalSeconds:F1} s",
                Left = left,
            }).ConfigureAwait(false);
            try
            {
                await steps.RunAsync("unlock", null, async ct =>
                    await journal.ReleaseLockAsync(plan.Application, plan.Environment, id, ct).ConfigureAwait(false) ? "released" : "not held",
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                var stuck = $"the deploy lock of {plan.Application}/{plan.Environment} in {journal.Location} could not be released " +
                            $"({StepRecorder.Describe(ex)}): remove it with Unlock-Deployment (releaseops unlock) once the journal works";
                reporter.Warning(stuck);
                reason = reason is null ? stuck : $"{reason}; {stuck}";
                outcome = RollbackOutcome.Failed;
            }
            await _engine.PublishAsync(outcome == RollbackOutcome.Succeeded ? ReleaseEventKind.RolledBack : ReleaseEventKind.Failed,
                plan, steps.Release, reason ?? steps.Release.Reason, reporter).ConfigureAwait(false);
        }
        if (cancelled is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cancelled);
        return new RollbackResult(id, plan.Application, plan.Environment, from, to, outcome, reason, databaseRestored, restored, started,
            elapsed, journal.Location) { Left = left };
    }

    /// <summary>
    /// What a rollback undoes and where it returns to. A release that changed things and could not put them back
    /// (interrupted, or RollbackFailed) is finished: its change is undone. Otherwise the current version is that of the newest
    /// successful release, and the target the newest successful release of a different version (a same-version redeploy,
    /// or several, never makes a rollback a no-op); <paramref name="toVersion"/> overrides the target. The undone release is the
    /// one that brought the current version (the oldest of a run of same-version releases): its pre-deploy backup is the one
    /// -RestoreDatabase restores.
    /// </summary>
    internal static (string From, string To, ReleaseRecord? Undone) Target(IReadOnlyList<ReleaseRecord> history, ReleaseRecord? interrupted,
        string? toVersion, ReleasePlan plan, string journal)
    {
        var latest = interrupted ?? history.FirstOrDefault(r => r.Status is ReleaseStatus.Succeeded or ReleaseStatus.RollbackFailed)
            ?? throw new ReleaseOpsException("NothingToRollBack", FailureKind.NotFound,
                $"{plan} has no release in its journal ({journal}) to roll back.", plan.ToString(),
                "Deploy first; a rollback returns to the release before the current one.");
        string from;
        string? to;
        ReleaseRecord? undone;
        if (latest.Status != ReleaseStatus.Succeeded)
        {
            // Unfinished: a deployment's change goes back to its previous version; a rollback's is tried again.
            (from, to) = latest.Kind == ReleaseKind.Deployment ? (latest.Version, latest.PreviousVersion) : (latest.PreviousVersion ?? "", latest.Version);
            undone = latest.Kind == ReleaseKind.Deployment ? latest : history.FirstOrDefault(r => r.Id == latest.RelatedId);
        }
        else
        {
            from = latest.Version;
            var succeeded = history.Where(r => r.Status == ReleaseStatus.Succeeded).ToArray();
            to = succeeded.FirstOrDefault(r => r.Version != from)?.Version;
            undone = succeeded.TakeWhile(r => r.Version == from).LastOrDefault(r => r.Kind == ReleaseKind.Deployment);
        }
        to = toVersion ?? to;
        if (to is null)
        {
            throw new ReleaseOpsException("NoPreviousRelease", FailureKind.NotFound,
                $"{plan} runs {from}, and the journal has no successful release of another version.", plan.ToString(),
                "Give the version with -ToVersion (--to-version).");
        }
        return (from, to, undone);
    }
}
