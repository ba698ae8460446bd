using System.Threading.Channels;
using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Deploy;

/// <summary>
/// Deploys a version of a plan's services: lock, pre-deploy gates, pre-deploy backup, migrations,
/// rollout by each service's strategy, verification (health probes, smoke checks, post-deploy
/// gates), and automatic rollback when anything after the first change fails. Every step is
/// journalled before and after it runs and streamed as a <see cref="DeploymentStep"/>; the last
/// record is the <see cref="DeploymentResult"/>.
/// </summary>
public sealed class DeploymentEngine
{
    private readonly Func<ReleasePlan, IContainerPlatform> _platform;
    private readonly Func<ReleasePlan, IReleaseJournal> _journal;
    private readonly DeploymentHooks _hooks;

    /// <param name="platform">The Docker engine a plan deploys to (default: <see cref="DockerContainerPlatform.For"/>).</param>
    /// <param name="hooks">Gates, backup, restore and canary analysis; anything null is not configured.</param>
    /// <param name="journal">The journal a plan writes to (default: the plan's <c>journal:</c>).</param>
    public DeploymentEngine(Func<ReleasePlan, IContainerPlatform>? platform = null, DeploymentHooks? hooks = null,
        Func<ReleasePlan, IReleaseJournal>? journal = null)
    {
        _platform = platform ?? DockerContainerPlatform.For;
        _hooks = hooks ?? DeploymentHooks.None;
        _journal = journal ?? ReleaseJournalFactory.Open;
    }

    /// <summary>The gates, backup, restore and canary hooks this engine calls.</summary>
    public DeploymentHooks Hooks => _hooks;

    /// <summary>The journal a plan's releases are written to.</summary>
    public IReleaseJournal JournalFor(ReleasePlan plan) => _journal(plan);

    internal IContainerPlatform PlatformFor(ReleasePlan plan) => _platform(plan);

    /// <summary>The releases of the plan's application+environment, newest first.</summary>
    public Task<IReadOnlyList<ReleaseRecord>> HistoryAsync(ReleasePlan plan, CancellationToken cancellation) =>
        _journal(plan).ListAsync(plan.Application, plan.Environment, cancellation);

    /// <summary>
    /// Removes the deploy lock of the plan's application and environment: a lock whose holder
    /// process is gone once <paramref name="confirm"/> agrees, a lock held by a live process only with
    /// <paramref name="force"/>. Returns the lock removed, or null when there was none or the
    /// removal was not confirmed.
    /// </summary>
    public async Task<DeployLock?> UnlockAsync(ReleasePlan plan, bool force, Confirmation confirm, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        var journal = _journal(plan);
        var held = await journal.GetLockAsync(plan.Application, plan.Environment, cancellation).ConfigureAwait(false);
        if (held is null)
        {
            reporter.Verbose($"{plan} is not locked.");
            return null;
        }
        if (!held.HolderIsDead && !force)
        {
            throw new ReleaseOpsException("DeploymentLockHeld", FailureKind.Conflict,
                $"{plan} is locked by a running deployment: {held}.", plan.ToString(),
                "Wait for it to finish, or use -Force (--force) if you know that process is not deploying.");
        }
        if (!await confirm(plan.ToString(), $"Remove the deploy lock held by {held}").ConfigureAwait(false))
        {
            return null;
        }
        return await journal.ReleaseLockAsync(plan.Application, plan.Environment, null, cancellation).ConfigureAwait(false) ? held : null;
    }

    /// <summary>
    /// Retires the warm standby the plan's current release left running (<c>strategy.standby</c>) once its window has ended, or
    /// at once with <paramref name="force"/>: the old color is stopped (kept, stopped) and the release record says so. Takes the
    /// deploy lock while it works. Returns the amended release, or null when there was nothing to retire (or it was not
    /// confirmed, or the window has not ended and <paramref name="force"/> was not given).
    /// </summary>
    public async Task<ReleaseRecord?> StopStandbyAsync(ReleasePlan plan, bool force, Confirmation confirm, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        var journal = _journal(plan);
        var current = await CurrentReleaseAsync(journal, plan, cancellation).ConfigureAwait(false);
        if (current?.Standby is not { Count: > 0 } standby)
        {
            reporter.Verbose($"{plan} has no warm standby: {(current is null ? "no release succeeded yet" : $"release {current.Id} ({current.Version}) left none running")}.");
            return null;
        }
        var until = standby.Min(w => w.Until);
        if (until > DateTimeOffset.UtcNow && !force)
        {
            reporter.Verbose($"The standby of {plan} ({string.Join("; ", standby)}) has not ended; -Force (--force) retires it now.");
            return null;
        }
        if (!await confirm(plan.ToString(), $"Stop the warm standby {string.Join("; ", standby)}").ConfigureAwait(false))
        {
            return null;
        }
        var id = ReleaseGuard.NewReleaseId();
        await ReleaseGuard.EnterAsync(journal, plan.Application, plan.Environment, id, force: false, mayTakeOverInterrupted: false,
            "Resume or roll back the interrupted release first; either retires the standby.", cancellation).ConfigureAwait(false);
        try
        {
            // Read again under the lock: a release that finished meanwhile has retired this standby and left its own.
            if (await CurrentReleaseAsync(journal, plan, cancellation).ConfigureAwait(false) is not { } locked || locked.Id != current.Id)
            {
                reporter.Verbose($"Release {current.Id} of {plan} is no longer the current one; its standby was retired by the release after it.");
                return null;
            }
            var docker = _platform(plan);
            using var owned = docker as IDisposable;
            using var probes = new ProbeRunner();
            var steps = current.Steps.ToList();
            foreach (var warm in standby)
            {
                var service = plan.Services.FirstOrDefault(s => s.Name == warm.Service)
                    ?? throw new ReleaseOpsException("StandbyServiceUnknown", FailureKind.InvalidConfiguration,
                        $"The standby of service '{warm.Service}' ({warm.Version}) belongs to a service the plan no longer has.", plan.ToString(),
                        $"Stop its containers by hand: docker stop {string.Join(" ", warm.Instances)}");
                var started = DateTimeOffset.UtcNow;
                var detail = await RolloutFor(plan, service, docker, probes, _hooks, reporter).StopStandbyAsync(current.Version, cancellation)
                    .ConfigureAwait(false);
                reporter.Verbose($"{service.Name}: {detail}.");
                steps.Add(new JournalStep(steps.Count + 1, "retire-standby", service.Name, StepStatus.Succeeded, started, DateTimeOffset.UtcNow, detail));
            }
            var retired = current with { Standby = null, Steps = steps };
            await journal.SaveAsync(retired, cancellation).ConfigureAwait(false);
            return retired;
        }
        finally
        {
            await journal.ReleaseLockAsync(plan.Application, plan.Environment, id, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<ReleaseRecord?> CurrentReleaseAsync(IReleaseJournal journal, ReleasePlan plan, CancellationToken cancellation) =>
        ReleaseGuard.Current(await journal.ListAsync(plan.Application, plan.Environment, cancellation).ConfigureAwait(false));

    /// <summary>The exact steps a deployment would take (-WhatIf), without touching anything.</summary>
    public IReadOnlyList<DeploymentStep> Plan(ReleasePlan plan, DeploymentRequest request)
    {
        var (version, services) = Validate(plan, request);
        return DeploymentStepPlan.Describe(plan, version, services, _hooks, _journal(plan).Location, request.Watch);
    }

    /// <summary>Deploys; yields each step as it ends, then the <see cref="DeploymentResult"/>.</summary>
    public IAsyncEnumerable<DeploymentRecord> DeployAsync(ReleasePlan plan, DeploymentRequest request, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        var (requested, services) = Validate(plan, request);
        return RecordStream.RunAsync(async output =>
            await RunAsync(plan, request, requested, services, output, reporter, cancellation).ConfigureAwait(false));
    }

    internal static (string Version, IReadOnlyList<ServiceDefinition> Services) Validate(ReleasePlan plan, DeploymentRequest request)
    {
        var version = request.Version ?? plan.Version;
        if (string.IsNullOrWhiteSpace(version) && !request.Resume)
        {
            throw new ReleaseOpsException("DeploymentVersionMissing", FailureKind.InvalidArgument,
                $"No version to deploy for {plan}: the plan sets none and none was given.", plan.ToString(),
                "Pass -Version (--version) or set 'version:' in the plan.");
        }
        return (version ?? "", SelectServices(plan, request.Services));
    }

    internal static IReadOnlyList<ServiceDefinition> SelectServices(ReleasePlan plan, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (!plan.Services.Any(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ReleaseOpsException("ServiceNotInPlan", FailureKind.InvalidArgument,
                    $"Service '{name}' is not in the plan {plan}.", name,
                    $"Use one of: {string.Join(", ", plan.Services.Select(s => s.Name))}.");
            }
        }
        var selected = plan.Services.Where(s => names.Count == 0 || names.Contains(s.Name, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (selected.Length == 0)
        {
            throw new ReleaseOpsException("PlanHasNoServices", FailureKind.InvalidConfiguration,
                $"The plan {plan} has no services to deploy.", plan.SourcePath ?? plan.ToString(), "Add services: to the plan.");
        }
        foreach (var s in selected)
        {
            var where = s.Location?.ToString() ?? $"service '{s.Name}'";
            if (s.Target == ServiceTarget.Container)
            {
                var needed = ContainerRollout.PortsNeeded(s);
                if (s.ContainerPort is null || s.HostPorts.Count < needed)
                {
                    throw new ReleaseOpsException("ServicePortsInsufficient", FailureKind.InvalidConfiguration,
                        $"{where}: the {s.Strategy.Type} strategy with {s.Replicas} replica(s) needs containerPort and {needed} host port(s); " +
                        $"the plan gives {s.HostPorts.Count}.", s.Name,
                        $"List {needed} loopback ports under hostPorts: (instances of the new version start beside the old).");
                }
                if (s.Strategy.Type is DeploymentStrategyType.BlueGreen or DeploymentStrategyType.Canary && plan.Proxy is null)
                {
                    throw new ReleaseOpsException("ProxyRequired", FailureKind.InvalidConfiguration,
                        $"{where}: {s.Strategy.Type} switches traffic at a reverse proxy, and the plan has no proxy:.", s.Name,
                        "Add proxy: { upstreamFile: ..., configFile: ... } to the plan.");
                }
            }
            if (s.Strategy.Type == DeploymentStrategyType.Canary && (s.Strategy.Steps.Count == 0 || s.Strategy.Steps.Any(p => p is < 0 or > 100)))
            {
                throw new ReleaseOpsException("CanaryStepsInvalid", FailureKind.InvalidConfiguration,
                    $"{where}: canary steps must be percentages between 0 and 100.", s.Name, "Write steps: [10, 50, 100].");
            }
            foreach (var probe in s.Health) ProbeRunner.Validate(probe.Expect, $"{where} probe '{probe.Name}'");
            foreach (var smoke in s.Smoke) ProbeRunner.Validate(smoke.Expect, $"{where} smoke '{smoke.Name}'");
        }
        return selected;
    }

    internal static IServiceRollout RolloutFor(ReleasePlan plan, ServiceDefinition service, IContainerPlatform docker,
        ProbeRunner probes, DeploymentHooks hooks, IOperationReporter reporter) =>
        service.Target == ServiceTarget.Swarm
            ? new SwarmRollout(docker, probes, plan, service, reporter)
            : new ContainerRollout(docker, plan.Proxy is null ? null : new NginxProxyController(plan.Proxy), probes,
                hooks.Canary ?? new ProbeCanaryAnalysis(probes), plan, service, reporter);

    private async Task<DeploymentResult> RunAsync(ReleasePlan plan, DeploymentRequest request, string requested,
        IReadOnlyList<ServiceDefinition> services, ChannelWriter<DeploymentRecord> output, IOperationReporter reporter, CancellationToken cancellation)
    {
        var journal = _journal(plan);
        var docker = _platform(plan);
        using var owned = docker as IDisposable;
        var id = ReleaseGuard.NewReleaseId();
        var (held, interrupted) = await ReleaseGuard.EnterAsync(journal, plan.Application, plan.Environment, id, request.Force,
            mayTakeOverInterrupted: request.Resume, "Finish it with Invoke-Deployment -Resume (releaseops deploy --resume), " +
            "or return to the previous release with Invoke-Rollback (releaseops rollback).", cancellation).ConfigureAwait(false);
        string version;
        string? previous;
        try
        {
            var history = await journal.ListAsync(plan.Application, plan.Environment, cancellation).ConfigureAwait(false);
            version = string.IsNullOrWhiteSpace(requested) ? interrupted?.Version ?? "" : requested;
            if (version.Length == 0)
            {
                throw new ReleaseOpsException("NothingToResume", FailureKind.InvalidArgument,
                    $"-Resume was given without -Version, and {plan} has no interrupted deployment.", plan.ToString(), "Pass -Version.");
            }
            previous = interrupted is not null ? interrupted.PreviousVersion : ReleaseGuard.CurrentVersion(history);
        }
        catch
        {
            await journal.ReleaseLockAsync(plan.Application, plan.Environment, id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        var me = ProcessIdentity.Current;
        var started = DateTimeOffset.UtcNow;
        var release = new ReleaseRecord
        {
            Id = id, Application = plan.Application, Environment = plan.Environment, Kind = ReleaseKind.Deployment,
            Version = version, PreviousVersion = previous, StartedBy = me.User, Host = me.Host, Pid = me.Pid, StartedAt = started,
            RelatedId = interrupted?.Id, PlanSha256 = plan.Sha256,
        };
        using var steps = new StepRecorder(journal, release, output, reporter) { Total = 5 + 4 * services.Count + ((request.Watch ?? plan.Watch?.AfterDeploy ?? false) ? 1 : 0) };
        reporter = steps.Reporter;
        using var probes = new ProbeRunner(plan.Secrets);
        var serviceReleases = new List<ServiceRelease>();
        var touched = new List<(ServiceDefinition Service, IServiceRollout Rollout)>();
        var migrated = new List<string>();
        // Set when the first change begins (a migration or a rollout): from then on, any failure puts the previous release back.
        var changed = false;
        DeploymentOutcome outcome;
        string? reason = null;
        IReadOnlyList<string> left = Array.Empty<string>();
        var announced = Task.CompletedTask;
        try
        {
            await steps.BeginAsync(cancellation).ConfigureAwait(false);
            announced = PublishAsync(ReleaseEventKind.Started, plan, steps.Release, null, reporter);
            await steps.LockAsync(held, interrupted, "resumed", cancellation).ConfigureAwait(false);

            var images = await steps.ResolveImagesAsync(docker, services, version, cancellation).ConfigureAwait(false);

            await GatesAsync(steps, plan, GateStage.PreDeploy, reporter, cancellation).ConfigureAwait(false);

            if (_hooks.Backup is null)
            {
                await steps.SkipAsync("backup", null, "no pre-deploy backup hook configured", cancellation).ConfigureAwait(false);
            }
            else
            {
                await steps.RunAsync("backup", null, async ct =>
                {
                    var backup = await _hooks.Backup.BackupAsync(plan, id, reporter, ct).ConfigureAwait(false);
                    if (backup is null) return "nothing to back up";
                    await steps.AmendAsync(r => r with { BackupIds = backup.BackupIds }, ct).ConfigureAwait(false);
                    return backup.Summary;
                }, cancellation).ConfigureAwait(false);
            }

            foreach (var s in services.Where(s => s.Migration is not null))
            {
                changed = true;
                migrated.Add(s.Name);
                await steps.RunAsync("migration", s.Name, ct => MigrationRunner.RunAsync(docker, plan, s, version, id, reporter, ct), cancellation)
                    .ConfigureAwait(false);
            }

            foreach (var s in services)
            {
                var rollout = RolloutFor(plan, s, docker, probes, _hooks, reporter);
                touched.Add((s, rollout));
                changed = true;
                IReadOnlyList<string> instances = Array.Empty<string>();
                await steps.RunAsync("rollout", s.Name, async ct =>
                {
                    instances = await rollout.DeployAsync(version, id, ct).ConfigureAwait(false);
                    return $"{s.Strategy.Type} ({s.Target}) to {s.ImageFor(version)}: {string.Join(", ", instances)}";
                }, cancellation).ConfigureAwait(false);
                await steps.RunAsync("verify", s.Name, ct => rollout.VerifyAsync(version, ct)!, cancellation).ConfigureAwait(false);
                var image = images.First(i => i.Service == s.Name);
                serviceReleases.Add(new ServiceRelease(s.Name, s.Strategy.Type, s.Target, image.Image, image.Digest, instances));
            }

            await GatesAsync(steps, plan, GateStage.PostDeploy, reporter, cancellation).ConfigureAwait(false);

            await WatchAsync(steps, plan, request, version, reporter, cancellation).ConfigureAwait(false);

            // Only a verified release retires what it replaced (blue-green's old color serves a failed verification until then).
            foreach (var (s, rollout) in touched)
            {
                await steps.RunAsync("retire", s.Name, ct => rollout.CompleteAsync(version, ct)!, cancellation).ConfigureAwait(false);
            }
            // What stays warm, and until when, is in the journal: Get-Deployment shows it and Stop-DeploymentStandby retires it.
            var warm = touched.Where(t => t.Rollout.KeptWarm.Count > 0)
                .Select(t => new WarmStandby(t.Service.Name, previous ?? "", t.Rollout.KeptWarm, DateTimeOffset.UtcNow + t.Service.Strategy.Standby))
                .ToArray();
            if (warm.Length > 0)
            {
                await steps.AmendAsync(r => r with { Standby = warm }, cancellation).ConfigureAwait(false);
            }
            outcome = DeploymentOutcome.Succeeded;
        }
        catch (Exception ex) when (changed || ex is ReleaseOpsException { EndsCommand: false } or OperationCanceledException
            or HttpRequestException or IOException)
        {
            reason = ex is OperationCanceledException ? "cancelled" : StepRecorder.Describe(ex);
            // Putting things back must run, and the outcome be recorded, whatever the journal does now.
            steps.RecordBestEffort();
            if (!changed)
            {
                outcome = DeploymentOutcome.Failed;
            }
            else
            {
                var rolledBack = await RollBackAsync(steps, touched, previous, id, reporter).ConfigureAwait(false);
                serviceReleases = rolledBack.Restored;
                outcome = rolledBack.Failures.Count == 0 ? DeploymentOutcome.RolledBack : DeploymentOutcome.RollbackFailed;
                reason += string.Concat(rolledBack.Failures.Select(f => "; " + f));
                if (migrated.Count > 0)
                {
                    reason += $"; the migration of {string.Join(", ", migrated)} is not undone by a rollback (Invoke-Rollback -RestoreDatabase restores the pre-deploy backup)";
                }
                left = await DescribeAsync(touched, reporter).ConfigureAwait(false);
            }
            if (ex is OperationCanceledException && cancellation.IsCancellationRequested)
            {
                await FinishAsync(steps, journal, plan, outcome, reason, left, announced, reporter).ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception ex)
        {
            // Before the first change: bad input or configuration; nothing to put back.
            steps.RecordBestEffort();
            await FinishAsync(steps, journal, plan, DeploymentOutcome.Failed, StepRecorder.Describe(ex), left, announced, reporter).ConfigureAwait(false);
            throw;
        }
        reason = await FinishAsync(steps, journal, plan, outcome, reason, left, announced, reporter).ConfigureAwait(false);
        return new DeploymentResult(id, plan.Application, plan.Environment, version, previous, outcome, reason, serviceReleases,
            started, DateTimeOffset.UtcNow - started, journal.Location) { Left = left };
    }

    /// <summary>
    /// The watch after the release goes live (watch.after_deploy, or -Watch), inside the deployment's lock: Healthy and Degraded
    /// let the release succeed; Breached and Inconclusive throw, so the release is rolled back as after any failure once something
    /// changed (an Inconclusive watch is no evidence that the release is good, and a deployment is Succeeded only on evidence).
    /// The step records the verdict in the journal.
    /// </summary>
    private async Task WatchAsync(StepRecorder steps, ReleasePlan plan, DeploymentRequest request, string version, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        var wanted = request.Watch ?? plan.Watch?.AfterDeploy ?? false;
        if (!wanted)
        {
            if (request.Watch == false && plan.Watch?.AfterDeploy == true)
            {
                await steps.SkipAsync("watch", null, "skipped as asked (-Watch:$false / --no-watch); the plan asks for watch.after_deploy",
                    cancellation).ConfigureAwait(false);
            }
            return;
        }
        if (plan.Watch is null)
        {
            throw new ReleaseOpsException("PlanHasNoWatch", FailureKind.InvalidConfiguration,
                $"A watch after the deployment was asked for, and {plan} has no watch section.", plan.SourcePath ?? plan.ToString(),
                "Add a watch: section with probes and criteria, or deploy without -Watch.");
        }
        if (_hooks.Watch is null)
        {
            await steps.SkipAsync("watch", null, "no watch hook configured", cancellation).ConfigureAwait(false);
            return;
        }
        await steps.RunAsync("watch", null, async ct =>
        {
            var verdict = await _hooks.Watch.WatchAsync(plan, version, reporter, ct).ConfigureAwait(false);
            var said = $"{verdict.Status} after {verdict.Samples} sample(s): {verdict.Reason}";
            return verdict.Status switch
            {
                DeploymentWatchStatus.Breached => throw new ReleaseOpsException("WatchBreached", FailureKind.OperationFailed,
                    $"The watch after the deployment breached: {verdict.Reason}", plan.ToString(),
                    "Find why the release misbehaves (the watch's report and the probes' samples); the previous release was put back."),
                DeploymentWatchStatus.Inconclusive => throw new ReleaseOpsException("WatchInconclusive", FailureKind.OperationFailed,
                    $"The watch after the deployment could not judge the release: {verdict.Reason}", plan.ToString(),
                    "Give the watch probes that answer and criteria it can judge within its duration (or deploy with -Watch:$false to skip it)."),
                _ => said,
            };
        }, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// The automatic rollback, service by service in reverse order: the previous version back (checked like a new one),
    /// verified, then what replaced it removed. A first release has nothing to go back to: it is withdrawn.
    /// Every service gets its rollback even when one fails; the failures are returned.
    /// </summary>
    private static async Task<(List<ServiceRelease> Restored, List<string> Failures)> RollBackAsync(StepRecorder steps,
        IReadOnlyList<(ServiceDefinition Service, IServiceRollout Rollout)> touched, string? previous, string releaseId, IOperationReporter reporter)
    {
        var restored = new List<ServiceRelease>();
        var failures = new List<string>();
        foreach (var (s, rollout) in Enumerable.Reverse(touched))
        {
            try
            {
                // Rolling back must finish even when the deployment was cancelled.
                await steps.RunAsync("rollback", s.Name, async ct =>
                {
                    if (previous is null)
                    {
                        await rollout.WithdrawAsync(ct).ConfigureAwait(false);
                        return "no previous release: the new version was removed";
                    }
                    var back = await rollout.RestoreAsync(previous, releaseId, ct).ConfigureAwait(false);
                    var verified = await rollout.VerifyAsync(previous, ct).ConfigureAwait(false);
                    var retired = await rollout.RetireAsync(previous, ct).ConfigureAwait(false);
                    restored.Add(new ServiceRelease(s.Name, s.Strategy.Type, s.Target, s.ImageFor(previous), null, back));
                    return $"{previous} serving again: {string.Join(", ", back)}; verified: {verified}; {retired}";
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception failure) when (failure is not OutOfMemoryException)
            {
                failures.Add($"automatic rollback of {s.Name} failed: {StepRecorder.Describe(failure)}");
                reporter.Warning(failures[^1]);
            }
        }
        return (restored, failures);
    }

    /// <summary>What each touched service runs now, for the journal of a release (deployment or rollback) that did not succeed.</summary>
    internal static async Task<IReadOnlyList<string>> DescribeAsync(IReadOnlyList<(ServiceDefinition Service, IServiceRollout Rollout)> touched,
        IOperationReporter reporter)
    {
        var left = new List<string>();
        foreach (var (s, rollout) in touched)
        {
            try
            {
                left.Add(await rollout.DescribeAsync(CancellationToken.None).ConfigureAwait(false));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                left.Add($"{s.Name}: unknown, its state could not be read ({StepRecorder.Describe(ex)})");
            }
        }
        reporter.Verbose("Left: " + string.Join("; ", left));
        return left;
    }

    /// <summary>Records the outcome and releases the lock; returns the reason, extended when the lock could not be released.</summary>
    private async Task<string?> FinishAsync(StepRecorder steps, IReleaseJournal journal, ReleasePlan plan, DeploymentOutcome outcome, string? reason,
        IReadOnlyList<string> left, Task announced, IOperationReporter reporter)
    {
        var id = steps.Release.Id;
        steps.RecordBestEffort();
        await steps.CompleteAsync(r => r with
        {
            Status = outcome switch
            {
                DeploymentOutcome.Succeeded => ReleaseStatus.Succeeded,
                DeploymentOutcome.RolledBack => ReleaseStatus.RolledBack,
                DeploymentOutcome.RollbackFailed => ReleaseStatus.RollbackFailed,
                _ => ReleaseStatus.Failed,
            },
            Reason = reason,
            Left = left,
        }).ConfigureAwait(false);
        if (steps.JournalFailure is { } broken && reason?.Contains(broken.ErrorId, StringComparison.Ordinal) != true)
        {
            reason = (reason is null ? "" : reason + "; ") + $"{broken.ErrorId}: {broken.Message} (the journal may not show this outcome)";
        }
        try
        {
            await steps.RunAsync("unlock", null, async ct =>
            {
                var released = await journal.ReleaseLockAsync(plan.Application, plan.Environment, id, ct).ConfigureAwait(false);
                return released ? "released" : "not held";
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var stuck = $"the deploy lock of {plan.Application}/{plan.Environment} in {journal.Location} could not be released " +
                        $"({StepRecorder.Describe(ex)}): remove it with Unlock-Deployment (releaseops unlock) once the journal works";
            reporter.Warning(stuck);
            reason = reason is null ? stuck : $"{reason}; {stuck}";
        }
        await announced.ConfigureAwait(false);
        await PublishAsync(outcome switch
        {
            DeploymentOutcome.Succeeded => ReleaseEventKind.Succeeded,
            DeploymentOutcome.RolledBack => ReleaseEventKind.RolledBack,
            _ => ReleaseEventKind.Failed,
        }, plan, steps.Release, reason, reporter).ConfigureAwait(false);
        return reason;
    }

    /// <summary>Tells <see cref="DeploymentHooks.Events"/>; whatever goes wrong there is a warning, never the release's failure.</summary>
    internal async Task PublishAsync(ReleaseEventKind kind, ReleasePlan plan, ReleaseRecord release, string? reason, IOperationReporter reporter)
    {
        if (_hooks.Events is null) return;
        try
        {
            await _hooks.Events.PublishAsync(new ReleaseEvent(kind, plan, release, reason), reporter, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            reporter.Warning($"Release event {kind} was not published (the release is not affected): {ex.Message}");
        }
    }

    private async Task GatesAsync(StepRecorder steps, ReleasePlan plan, GateStage stage, IOperationReporter reporter, CancellationToken cancellation)
    {
        var name = stage == GateStage.PreDeploy ? "gates:pre-deploy" : "gates:post-deploy";
        var declared = plan.Gates.Count(g => g.Stage == stage);
        if (_hooks.Gates is null)
        {
            if (declared > 0)
            {
                reporter.Warning($"{declared} {name} gate(s) are declared but no gate runner is configured; they did not run.");
            }
            await steps.SkipAsync(name, null, declared == 0 ? "no gates configured" : $"{declared} gate(s) declared; no gate runner configured",
                cancellation).ConfigureAwait(false);
            return;
        }
        await steps.RunAsync(name, null, async ct =>
        {
            // Gates judge the version being released (sign-offs are per version), not the plan's default.
            var result = await _hooks.Gates.RunAsync(plan with { Version = steps.Release.Version }, stage, reporter, ct).ConfigureAwait(false);
            if (result is null) return "no gates configured";
            await steps.AmendAsync(r => r with { Gates = r.Gates.Concat(result.Results).ToArray() }, ct).ConfigureAwait(false);
            if (!result.Passed)
            {
                throw new ReleaseOpsException("ReleaseGateFailed", FailureKind.OperationFailed, $"{name}: {result.Summary}", plan.ToString(),
                    "Fix what the gate reports, then deploy again.");
            }
            return result.Summary;
        }, cancellation).ConfigureAwait(false);
    }
}
