using ReleaseOps.Deploy;
using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The deployment's gate steps, served by the gate runner: the plan's pre-deploy gates before
/// anything changes, its post-deploy gates as part of verification. A critical or high gate that
/// fails or cannot run stops the deployment (before it) or rolls it back (after it).
/// </summary>
public sealed class DeploymentGateStage : IReleaseGateRunner
{
    private readonly GateRunner _runner;
    private readonly GateRunOptions _options;

    public DeploymentGateStage(GateRunner? runner = null, GateRunOptions? options = null)
    {
        _runner = runner ?? StandardRelease.GateRunner();
        _options = options ?? new GateRunOptions();
    }

    public async Task<GateStageOutcome?> RunAsync(ReleasePlan plan, GateStage stage, IOperationReporter reporter, CancellationToken cancellation)
    {
        var gates = plan.Gates.Where(g => g.Stage == stage).ToArray();
        if (gates.Length == 0)
        {
            return null;
        }
        var summary = await _runner.RunToSummaryAsync(gates, GateEnvironment.For(plan), _options, reporter, cancellation)
            .ConfigureAwait(false);
        var blocking = summary.Results.Where(r => r.IsBlocking).ToArray();
        var text = blocking.Length == 0
            ? $"{summary.Passed} of {summary.Total} gates passed"
                + (summary.Failed + summary.Errors + summary.Warnings > 0 ? $" ({summary.Failed + summary.Errors} non-blocking problems, {summary.Warnings} warnings)" : "")
            : $"{blocking.Length} blocking gate(s): " + string.Join("; ", blocking.Select(r => $"{r.Name} {r.Status.ToString().ToLowerInvariant()}: {r.Message}"));
        return new GateStageOutcome(summary.Succeeded, summary.Total, text);
    }
}
