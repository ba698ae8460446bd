using System.Collections;
using System.Globalization;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Plans.Schema;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>
/// Reads probes and criteria given inline (PowerShell hashtables, JSON objects turned into
/// dictionaries) into plan records. Keys are case-insensitive and named as in the plan
/// (name, type, url, host, port, container, interval, timeout, expect, headers; name, expect,
/// probe, window, for, severity). Durations are TimeSpans, text such as <c>5s</c>, or seconds.
/// </summary>
public static class WatchDefinitionReader
{
    private static readonly string[] ProbeKeys = { "name", "type", "url", "host", "port", "container", "interval", "timeout", "expect", "headers" };
    private static readonly HashSet<string> CommonProbeKeys = PlanSchema.WatchProbe.Common.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
    private static readonly string[] CriterionKeys = { "name", "expect", "probe", "window", "for", "severity" };

    public static ProbeDefinition Probe(IDictionary values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var typeName = values.Keys.Cast<object>().Where(k => string.Equals(k?.ToString(), "type", StringComparison.OrdinalIgnoreCase))
            .Select(k => values[k]?.ToString()).FirstOrDefault() ?? "http";
        if (!ProbeTypes.TryParse(typeName, out var type))
        {
            throw Invalid(values["name"]?.ToString() ?? "probe", $"has type '{typeName}'", "Use " + string.Join(", ", ProbeTypes.Names) + ".");
        }
        // The type's own keys (query, pattern, connection, run...) as the plan's watch probes take them.
        var known = ProbeKeys.Concat(PlanSchema.WatchProbe.Variants[ProbeTypes.Name(type)].Select(p => p.Name)).Distinct().ToArray();
        var map = Normalise(values, known, "probe");
        var name = Text(map, "name", "probe") ?? throw Invalid("probe", "needs a name", "Add Name = 'web'.");
        var defaults = new ProbeDefinition { Name = name };
        return defaults with
        {
            Type = type,
            Url = Text(map, "url", name),
            Host = Text(map, "host", name),
            Port = map.TryGetValue("port", out var port) ? Number(port, name, "port") : null,
            Container = Text(map, "container", name),
            Interval = Duration(map, "interval", name),
            Timeout = Duration(map, "timeout", name) ?? defaults.Timeout,
            Expect = Texts(map, "expect"),
            Headers = map.TryGetValue("headers", out var headers) && headers is IDictionary h
                ? h.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => h[k]?.ToString() ?? "", StringComparer.OrdinalIgnoreCase)
                : defaults.Headers,
            Settings = new GateSettings(map.Where(kv => !CommonProbeKeys.Contains(kv.Key))
                .ToDictionary(kv => kv.Key.ToLowerInvariant(), kv => HostValues.Normalize(kv.Value))),
        };
    }

    public static CriterionDefinition Criterion(IDictionary values)
    {
        var map = Normalise(values, CriterionKeys, "criterion");
        var name = Text(map, "name", "criterion") ?? throw Invalid("criterion", "needs a name", "Add Name = 'errors'.");
        var expect = Text(map, "expect", name) ?? throw Invalid(name, "needs an expect condition", "Add Expect = 'error_rate < 5%'.");
        var defaults = new CriterionDefinition { Name = name, Expect = expect };
        var severity = Text(map, "severity", name);
        return defaults with
        {
            Probe = Text(map, "probe", name),
            Window = Duration(map, "window", name) ?? defaults.Window,
            For = Duration(map, "for", name),
            Severity = severity is null ? defaults.Severity
                : Enum.TryParse<GateSeverity>(severity, true, out var s) ? s
                : throw Invalid(name, $"has severity '{severity}'", "Use critical, high, medium or low."),
        };
    }

    /// <summary>Parses a duration written as a TimeSpan, <c>5s</c>/<c>2m</c> text, <c>00:02:00</c>, or seconds.</summary>
    public static bool TryDuration(object? value, out TimeSpan duration)
    {
        duration = default;
        switch (value)
        {
            case TimeSpan t:
                duration = t;
                return true;
            case int or long or double or float or decimal:
                duration = TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                return true;
            case string s:
                return DurationText.TryParse(s, out duration) || TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out duration);
            default:
                return false;
        }
    }

    private static Dictionary<string, object?> Normalise(IDictionary values, string[] known, string what)
    {
        ArgumentNullException.ThrowIfNull(values);
        var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in values)
        {
            var key = entry.Key?.ToString() ?? "";
            if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw Invalid(what, $"has an unknown key '{key}'", $"Use only: {string.Join(", ", known)}.");
            }
            map[key] = HostValues.Unwrap(entry.Value);
        }
        return map;
    }


    private static string? Text(Dictionary<string, object?> map, string key, string owner) =>
        map.TryGetValue(key, out var value) && value is not null ? value.ToString() : null;

    private static IReadOnlyList<string> Texts(Dictionary<string, object?> map, string key) =>
        !map.TryGetValue(key, out var value) || value is null ? Array.Empty<string>()
        : value is string s ? new[] { s }
        : value is IEnumerable items ? items.Cast<object?>().Select(i => HostValues.Unwrap(i)?.ToString() ?? "").ToArray()
        : new[] { value.ToString()! };

    private static int Number(object? value, string owner, string key) =>
        int.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n : throw Invalid(owner, $"has {key} '{value}', which is not a whole number", $"Give {key} as a number.");

    private static TimeSpan? Duration(Dictionary<string, object?> map, string key, string owner)
    {
        if (!map.TryGetValue(key, out var value) || value is null) return null;
        return TryDuration(value, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw Invalid(owner, $"has {key} '{value}', which is not a positive duration", "Write a duration such as 500ms, 5s or 2m.");
    }

    private static ReleaseOpsException Invalid(string owner, string what, string fix) =>
        new("HealthDefinitionInvalid", FailureKind.InvalidArgument, $"The inline watch definition '{owner}' {what}.", owner, fix);
}
