using ReleaseOps.Deploy;
using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>A health watch's rollback on breach: the deployment engine's rollback to the previous release.</summary>
public sealed class DeploymentRollbackTrigger : IRollbackTrigger
{
    private readonly ReleasePlan _plan;
    private readonly DeploymentEngine _engine;

    public DeploymentRollbackTrigger(ReleasePlan plan, DeploymentEngine engine)
    {
        _plan = plan;
        _engine = engine;
    }

    public string Description => $"roll {_plan.Application}/{_plan.Environment} back to the previous release";

    public async Task<object> RollbackAsync(string reason, IOperationReporter reporter, CancellationToken cancellation)
    {
        reporter.Warning($"Rolling {_plan.Application}/{_plan.Environment} back: {reason}");
        return await new RollbackService(_engine).RunAsync(_plan, new RollbackRequest(), reporter, cancellation).ConfigureAwait(false);
    }
}
