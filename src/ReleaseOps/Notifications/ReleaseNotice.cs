namespace ReleaseOps.Notifications;

/// <summary>The release events a webhook can be told about.</summary>
public enum NotificationEvent
{
    Started,
    Succeeded,
    Failed,
    RolledBack,
    WatchBreached,
    SignOffNeeded,
}

/// <summary>The names plans use for <see cref="NotificationEvent"/> (<c>on: [failed, rolled-back]</c>).</summary>
public static class NotificationEvents
{
    public static string Name(NotificationEvent e) => e switch
    {
        NotificationEvent.Started => "started",
        NotificationEvent.Succeeded => "succeeded",
        NotificationEvent.Failed => "failed",
        NotificationEvent.RolledBack => "rolled-back",
        NotificationEvent.WatchBreached => "watch-breached",
        _ => "sign-off-needed",
    };
}

/// <summary>What happened, in words a channel shows: one summary line and a few details.</summary>
public sealed record ReleaseNotice
{
    public required NotificationEvent Event { get; init; }
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public string? Version { get; init; }
    public string? ReleaseId { get; init; }
    public required string Summary { get; init; }
    public IReadOnlyList<string> Details { get; init; } = Array.Empty<string>();
    public required DateTimeOffset At { get; init; }

    public string EventName => NotificationEvents.Name(Event);

    public override string ToString() => $"{EventName}: {Summary}";
}

/// <summary>One notification sent (or given up on): to which channel, how many attempts, what came back. The URL is masked.</summary>
public sealed record NotificationDelivery
{
    public required string Channel { get; init; }
    public required string Event { get; init; }
    public required string Format { get; init; }
    /// <summary>Scheme, host and port only: webhook paths carry tokens.</summary>
    public required string Url { get; init; }
    public required bool Delivered { get; init; }
    public int Attempts { get; init; }
    public int? StatusCode { get; init; }
    /// <summary>Why it was not delivered; never a secret.</summary>
    public string? Error { get; init; }
    /// <summary>The waits between attempts, as the backoff chose them.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; init; } = Array.Empty<TimeSpan>();
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public string? Version { get; init; }
    public string? ReleaseId { get; init; }
    public required DateTimeOffset At { get; init; }
    public TimeSpan Duration { get; init; }

    public override string ToString() =>
        $"{Event} -> {Channel} ({Url}): {(Delivered ? "delivered" : "not delivered")} after {Attempts} attempt(s)" + (Error is null ? "" : $": {Error}");
}
