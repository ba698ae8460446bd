using System.Globalization;
using ReleaseOps.Deploy;
using ReleaseOps.Gates;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The deployment's gate steps, served by the gate runner: the plan's pre-deploy gates before
/// anything changes, its post-deploy gates as part of verification. A critical or high gate that
/// fails or cannot run stops the deployment (before it) or rolls it back (after it). A plan whose
/// checklist requires attestations before deploying gets a sign-off gate among its pre-deploy
/// gates; when it fails, the plan's sign-off-needed webhooks are told what is missing.
/// </summary>
public sealed class DeploymentGateStage : IReleaseGateRunner
{
    private readonly GateRunner _runner;
    private readonly GateRunOptions _options;
    private readonly ReleaseNotifications? _notifications;

    public DeploymentGateStage(GateRunner? runner = null, GateRunOptions? options = null, ReleaseNotifications? notifications = null)
    {
        _runner = runner ?? StandardRelease.GateRunner();
        _options = options ?? new GateRunOptions();
        _notifications = notifications;
    }

    public async Task<GateStageOutcome?> RunAsync(ReleasePlan plan, GateStage stage, IOperationReporter reporter, CancellationToken cancellation)
    {
        var gates = StandardRelease.GatesOf(plan).Where(g => g.Stage == stage).ToArray();
        if (gates.Length == 0)
        {
            return null;
        }
        var summary = await _runner.RunToSummaryAsync(gates, StandardRelease.GateEnvironmentFor(plan), _options, reporter, cancellation)
            .ConfigureAwait(false);
        var blocking = summary.Results.Where(r => r.IsBlocking).ToArray();
        var text = blocking.Length == 0
            ? $"{summary.Passed} of {summary.Total} gates passed"
                + (summary.Failed + summary.Errors + summary.Warnings > 0 ? $" ({summary.Failed + summary.Errors} non-blocking problems, {summary.Warnings} warnings)" : "")
            : $"{blocking.Length} blocking gate(s): " + string.Join("; ", blocking.Select(r => $"{r.Name} {r.Status.ToString().ToLowerInvariant()}: {r.Message}"));
        var signOffs = summary.Results.FirstOrDefault(r => r.Type == "sign-off" && r.Status == GateStatus.Failed);
        if (signOffs?.Evidence.GetValueOrDefault("missing") is IEnumerable<string> missing && _notifications is not null)
        {
            await _notifications.SignOffNeededAsync(plan, missing.ToArray(), reporter, cancellation).ConfigureAwait(false);
        }
        return new GateStageOutcome(summary.Succeeded, summary.Total, text)
        {
            Results = summary.Results.Select(r => new GateRecord(r.Name, r.Type, stage == GateStage.PreDeploy ? "pre-deploy" : "post-deploy",
                r.Status.ToString(), r.Message, r.StartTime, r.Duration)
            {
                Evidence = r.Evidence.ToDictionary(e => e.Key, e => Text(e.Value)),
            }).ToArray(),
        };
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        System.Collections.IEnumerable list => string.Join(", ", list.Cast<object?>().Select(Text)),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
