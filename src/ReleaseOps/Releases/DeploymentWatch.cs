using ReleaseOps.Deploy;
using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The watch a deployment runs after the release goes live (watch.after_deploy): the plan's watch, for the version just
/// released, stopping at the first breach (the deployment then rolls back in its own lock, so the watch never rolls back
/// itself), telling the plan's watch-breached webhooks, saving its summary as a standalone watch does.
/// </summary>
public sealed class DeploymentWatch : IDeploymentWatch
{
    public async Task<DeploymentWatchVerdict> WatchAsync(ReleasePlan plan, string version, IOperationReporter reporter, CancellationToken cancellation)
    {
        using var session = WatchSession.Create(new WatchOptions
        {
            Plan = plan,
            Version = version,
            StopOnBreach = true,
            RollbackOnBreach = false,
            OnBreach = StandardRelease.BreachObserverFor(plan, version, reporter),
        });
        reporter.Verbose($"Watching {plan.Application}/{plan.Environment} {version} for {Text.DurationText.Format(session.Request.Definition.Duration)}.");
        await foreach (var _ in session.RunAsync(reporter, cancellation).ConfigureAwait(false))
        {
        }
        var verdict = session.Verdict!;
        var status = verdict.Status switch
        {
            HealthStatus.Healthy => DeploymentWatchStatus.Healthy,
            HealthStatus.Degraded => DeploymentWatchStatus.Degraded,
            HealthStatus.Breached => DeploymentWatchStatus.Breached,
            _ => DeploymentWatchStatus.Inconclusive,
        };
        return new DeploymentWatchVerdict(status, verdict.Reason ?? verdict.Status.ToString(), verdict.Samples);
    }
}
