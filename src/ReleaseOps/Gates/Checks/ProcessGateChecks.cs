using System.Globalization;
using ReleaseOps.Errors;

namespace ReleaseOps.Gates.Checks;

/// <summary><c>window</c>: now (in an explicit IANA time zone) is inside the deployment window and outside every change freeze.</summary>
internal sealed class WindowGateCheck : IGateCheck
{
    private static readonly string[] DayNames = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

    public IReadOnlyList<string> Types { get; } = new[] { "window" };

    public Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var zoneName = context.Require("timezone");
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(zoneName);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw context.Invalid("timezone", $"'{zoneName}' is not a known time zone.", "Use an IANA name such as Europe/Berlin or UTC.");
        }
        var now = TimeZoneInfo.ConvertTime(context.Clock.GetUtcNow(), zone);
        observation.Target = zone.Id;
        observation.Measure("now", now.ToString("yyyy-MM-dd HH:mm ddd", CultureInfo.InvariantCulture));
        var day = DayNames[(int)now.DayOfWeek];
        var days = context.Settings.GetStrings("days").Select(d => d.ToLowerInvariant()).ToArray();
        if (days.Length > 0)
        {
            var ok = days.Contains(day);
            observation.Rule("days", ok, ok ? $"{day} is a release day" : $"{day} is not a release day ({string.Join(", ", days)})");
        }
        var start = Time(context, "start");
        var end = Time(context, "end");
        if (start is not null || end is not null)
        {
            var from = start ?? TimeOnly.MinValue;
            var to = end ?? TimeOnly.MaxValue;
            var t = TimeOnly.FromDateTime(now.DateTime);
            var inside = from <= to ? t >= from && t < to : t >= from || t < to; // crossing midnight
            observation.Rule("hours", inside, inside ? $"{t:HH\\:mm} is inside {from:HH\\:mm}-{to:HH\\:mm}" : $"{t:HH\\:mm} is outside the window {from:HH\\:mm}-{to:HH\\:mm} ({zone.Id})");
        }
        if (context.Settings["freezes"] is IReadOnlyList<object?> freezes)
        {
            foreach (var item in freezes.OfType<IReadOnlyDictionary<string, object?>>())
            {
                var fromText = Convert.ToString(item.GetValueOrDefault("from"), CultureInfo.InvariantCulture) ?? "";
                var toText = Convert.ToString(item.GetValueOrDefault("to"), CultureInfo.InvariantCulture) ?? "";
                var reason = Convert.ToString(item.GetValueOrDefault("reason"), CultureInfo.InvariantCulture);
                var fromTime = FreezeBound(context, fromText, zone, false);
                var toTime = FreezeBound(context, toText, zone, true);
                var frozen = now >= fromTime && now < toTime;
                observation.Rule("freeze " + fromText, !frozen, frozen
                    ? $"change freeze {fromText} to {toText}" + (reason is null ? "" : $" ({reason})")
                    : $"outside the freeze {fromText} to {toText}");
            }
        }
        observation.Summary = $"{now:yyyy-MM-dd HH:mm} {zone.Id}: inside the release window";
        return Task.CompletedTask;
    }

    private static TimeOnly? Time(GateCheckContext context, string key) =>
        context.Settings.GetString(key) is not { } text ? null
        : TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t
        : throw context.Invalid(key, $"'{text}' is not a time.", "Write times as HH:mm, for example 09:00.");

    private static DateTimeOffset FreezeBound(GateCheckContext context, string text, TimeZoneInfo zone, bool end)
    {
        if (!DateTime.TryParseExact(text, new[] { "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-dd HH:mm" }, CultureInfo.InvariantCulture,
                DateTimeStyles.None, out var local))
        {
            throw context.Invalid("freezes", $"'{text}' is not a date.", "Write freeze bounds as yyyy-MM-dd or yyyy-MM-ddTHH:mm.");
        }
        if (end && text.Length == 10)
        {
            local = local.AddDays(1); // a date-only end includes that whole day
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
