using ReleaseOps.Text;
using ReleaseOps.Deploy;
using ReleaseOps.Health;
using ReleaseOps.Journal;
using ReleaseOps.Notifications;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Releases;

/// <summary>
/// The plan's webhooks, told about what the other capabilities do: deployments starting and
/// ending (the deployment engine's <see cref="IReleaseEvents"/>), a watch breaching
/// (<see cref="IBreachObserver"/>), a deployment waiting for sign-offs (the gate stage). Every
/// delivery is journaled; nothing here fails or blocks a release.
/// </summary>
public sealed class ReleaseNotifications : IReleaseEvents
{
    private readonly Func<ReleasePlan, IReleaseJournal> _journal;
    private readonly TimeProvider? _clock;
    private readonly HttpMessageHandler? _handler;

    /// <param name="journal">Where deliveries are journaled (default: the plan's journal).</param>
    /// <param name="clock">Drives retry backoff and timeouts (tests pass a fake clock).</param>
    public ReleaseNotifications(Func<ReleasePlan, IReleaseJournal>? journal = null, TimeProvider? clock = null, HttpMessageHandler? handler = null)
    {
        _journal = journal ?? ReleaseJournalFactory.Open;
        _clock = clock;
        _handler = handler;
    }

    public Task PublishAsync(ReleaseEvent releaseEvent, IOperationReporter reporter, CancellationToken cancellation)
    {
        var r = releaseEvent.Release;
        var kind = releaseEvent.Kind switch
        {
            ReleaseEventKind.Started => NotificationEvent.Started,
            ReleaseEventKind.Succeeded => NotificationEvent.Succeeded,
            ReleaseEventKind.RolledBack => NotificationEvent.RolledBack,
            _ => NotificationEvent.Failed,
        };
        var summary = Summary(kind, r, releaseEvent.Reason);
        var failed = r.Steps.Where(s => s.Status == StepStatus.Failed).Select(s => $"step {s.Name}{(s.Service is null ? "" : $" [{s.Service}]")} failed: {s.Detail}");
        return NotifyAsync(releaseEvent.Plan, new ReleaseNotice
        {
            Event = kind,
            Application = r.Application,
            Environment = r.Environment,
            Version = r.Version,
            ReleaseId = r.Id,
            Summary = summary,
            Details = kind == NotificationEvent.Started ? Array.Empty<string>() : failed.ToArray(),
            At = (_clock ?? TimeProvider.System).GetUtcNow(),
        }, reporter, cancellation);
    }

    private static string Summary(NotificationEvent kind, ReleaseRecord r, string? reason)
    {
        var what = r.Kind == ReleaseKind.Rollback ? "rollback" : "release";
        switch (kind)
        {
            case NotificationEvent.Started:
                return $"The {what} of {r.Application}/{r.Environment} {r.Version} was started by {r.StartedBy} on {r.Host}"
                    + (r.PreviousVersion is null ? "." : $" (replacing {r.PreviousVersion}).");
            case NotificationEvent.Succeeded:
                return $"{r.Application}/{r.Environment} {r.Version} is released" + Took(r.Duration);
            case NotificationEvent.RolledBack when r.Kind == ReleaseKind.Rollback:
                return $"{r.Application}/{r.Environment} was rolled back from {r.PreviousVersion} to {r.Version}" + Took(r.Duration);
            case NotificationEvent.RolledBack:
                return $"The release of {r.Application}/{r.Environment} {r.Version} was rolled back to {r.PreviousVersion ?? "nothing"}: {reason}";
            default:
                return $"The {what} of {r.Application}/{r.Environment} {r.Version} failed: {reason}";
        }
    }

    private static string Took(TimeSpan? duration) =>
        duration is null ? "." : $" ({DurationText.Format(TimeSpan.FromSeconds(Math.Max(1, Math.Round(duration.Value.TotalSeconds))))}).";

    /// <summary>A deployment is refused until these sign-offs are recorded.</summary>
    public Task SignOffNeededAsync(ReleasePlan plan, IReadOnlyList<string> missing, IOperationReporter reporter, CancellationToken cancellation) =>
        NotifyAsync(plan, new ReleaseNotice
        {
            Event = NotificationEvent.SignOffNeeded,
            Application = plan.Application,
            Environment = plan.Environment,
            Version = plan.Version,
            Summary = $"{plan.Application}/{plan.Environment} {plan.Version} cannot be deployed until {missing.Count} sign-off(s) are recorded " +
                "(Confirm-ReleaseChecklistItem, releaseops checklist attest).",
            Details = missing,
            At = (_clock ?? TimeProvider.System).GetUtcNow(),
        }, reporter, cancellation);

    /// <summary>What a watch of <paramref name="plan"/> tells at its first breach.</summary>
    public IBreachObserver BreachObserver(ReleasePlan plan, string? version, IOperationReporter reporter) => new Breach(this, plan, version, reporter);

    private async Task NotifyAsync(ReleasePlan plan, ReleaseNotice notice, IOperationReporter reporter, CancellationToken cancellation)
    {
        if (!plan.Notifications.Any(n => n.On.Contains(notice.EventName, StringComparer.OrdinalIgnoreCase)))
        {
            return;
        }
        using var notifier = new ReleaseNotifier(new JournalNotificationLog(_journal(plan)), _clock, _handler);
        await notifier.NotifyAsync(plan, notice, reporter, cancellation).ConfigureAwait(false);
    }

    private sealed class Breach(ReleaseNotifications owner, ReleasePlan plan, string? version, IOperationReporter reporter) : IBreachObserver
    {
        public Task BreachedAsync(CriterionResult criterion, string reason, CancellationToken cancellation) =>
            owner.NotifyAsync(plan, new ReleaseNotice
            {
                Event = NotificationEvent.WatchBreached,
                Application = plan.Application,
                Environment = plan.Environment,
                Version = version ?? plan.Version,
                Summary = $"The health watch of {plan.Application}/{plan.Environment} {version ?? plan.Version} breached: {reason}",
                Details = new[] { criterion.ToString() },
                At = (owner._clock ?? TimeProvider.System).GetUtcNow(),
            }, reporter, cancellation);
    }
}
