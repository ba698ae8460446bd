using System.Globalization;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Plans.Schema;
using ReleaseOps.Text;

namespace ReleaseOps.Gates;

/// <summary>
/// Builds a <see cref="GateDefinition"/> from loose key/value input: a PowerShell hashtable
/// (<c>@{ type = 'http'; url = '...'; expect = 'status == 200' }</c>) or CLI flags. The common keys
/// (name, type, category, severity, stage, timeout, within, tags, expect) become fields; every
/// other key is a setting of the gate's type. Ad hoc gates and plan gates run the same way.
/// </summary>
public static class InlineGate
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "type", "category", "severity", "stage", "timeout", "within", "tags", "tag", "expect",
    };

    public static GateDefinition Create(IEnumerable<KeyValuePair<string, object?>> values)
    {
        var map = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            map[key.Replace('-', '_')] = HostValues.Normalize(value);
        }
        var type = Text(map, "type") ?? throw Bad("An inline gate needs a 'type' (http, tls, tcp, postgres, redis, ...).", "type",
            "Add type = 'http' (or another gate type) to the hashtable.");
        var settings = map.Where(kv => !Common.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        if (GateTypeCatalog.Find(type) is { } known)
        {
            var unknown = settings.Keys.Where(k => known.Settings.All(p => !p.Name.Equals(k, StringComparison.OrdinalIgnoreCase))).ToArray();
            if (unknown.Length > 0)
            {
                throw Bad($"Gate type '{known.Name}' has no setting {string.Join(", ", unknown.Select(u => "'" + u + "'"))}.", unknown[0],
                    $"Use the settings of '{known.Name}': {string.Join(", ", known.Settings.Select(p => p.Name))}, or the common keys {string.Join(", ", Common)}.");
            }
        }
        var name = Text(map, "name") ?? DefaultName(type, settings);
        return new GateDefinition
        {
            Name = name,
            Type = type,
            Category = Text(map, "category"),
            Severity = Text(map, "severity") is { } severity
                ? Enum.TryParse<GateSeverity>(severity, true, out var s) ? s : throw Bad($"'{severity}' is not a severity.", "severity", "Use critical, high, medium or low.")
                : GateSeverity.High,
            Stage = Text(map, "stage") is { } stage
                ? Enum.TryParse<GateStage>(stage.Replace("-", ""), true, out var st) ? st : throw Bad($"'{stage}' is not a stage.", "stage", "Use pre-deploy, post-deploy or manual.")
                : GateStage.PreDeploy,
            Timeout = Duration(map, "timeout"),
            Within = Duration(map, "within"),
            Tags = Strings(map.GetValueOrDefault("tags") ?? map.GetValueOrDefault("tag")),
            Expect = Strings(map.GetValueOrDefault("expect")),
            Settings = new GateSettings(settings),
        };
    }

    private static string DefaultName(string type, IReadOnlyDictionary<string, object?> settings)
    {
        foreach (var key in new[] { "url", "host", "container", "service", "network", "image", "path", "file", "prefix" })
        {
            if (settings.TryGetValue(key, out var v) && v is not null)
            {
                var target = Convert.ToString(v, CultureInfo.InvariantCulture);
                if (settings.TryGetValue("port", out var port) && key == "host")
                {
                    target += ":" + Convert.ToString(port, CultureInfo.InvariantCulture);
                }
                return $"{type} {target}";
            }
        }
        return type;
    }

    private static ReleaseOpsException Bad(string message, string key, string fix) =>
        new("InlineGateInvalid", FailureKind.InvalidArgument, message, target: key, fix: fix);

    private static string? Text(IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var v) && v is not null ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;

    private static TimeSpan? Duration(IReadOnlyDictionary<string, object?> map, string key) => map.GetValueOrDefault(key) switch
    {
        null => null,
        TimeSpan t => t,
        long seconds => TimeSpan.FromSeconds(seconds),
        double seconds => TimeSpan.FromSeconds(seconds),
        var v => DurationText.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), out var d)
            ? d
            : throw Bad($"'{v}' is not a duration for '{key}'.", key, "Write a number and a unit: 500ms, 30s, 5m."),
    };

    private static IReadOnlyList<string> Strings(object? value) => value switch
    {
        null => Array.Empty<string>(),
        string s => new[] { s },
        IReadOnlyList<object?> list => list.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture) ?? "").ToArray(),
        var v => new[] { Convert.ToString(v, CultureInfo.InvariantCulture) ?? "" },
    };
}
