namespace ReleaseOps.Plans;

public enum GateSeverity
{
    Critical,
    High,
    Medium,
    Low,
}

/// <summary>When a gate runs as part of a deployment.</summary>
public enum GateStage
{
    /// <summary>Before anything changes (the default).</summary>
    PreDeploy,
    /// <summary>After the rollout, as part of verification.</summary>
    PostDeploy,
    /// <summary>Only when asked for explicitly (Test-ReleaseGate), never during a deployment.</summary>
    Manual,
}

/// <summary>
/// A release gate as written in a plan or given ad hoc: common fields plus the settings of its
/// type (url, host, database...), typed by the plan schema (strings, numbers, booleans, durations,
/// lists and maps) and read through <see cref="GateSettings"/>.
/// </summary>
public sealed record GateDefinition
{
    public required string Name { get; init; }
    /// <summary>The check type from the gate catalog: http, tls, headers, cors, tcp, docker-..., postgres-..., redis-...</summary>
    public required string Type { get; init; }
    /// <summary>security, build, performance, infrastructure, database...; default from the type.</summary>
    public string? Category { get; init; }
    public GateSeverity Severity { get; init; } = GateSeverity.High;
    public GateStage Stage { get; init; } = GateStage.PreDeploy;
    /// <summary>Limit for one attempt.</summary>
    public TimeSpan? Timeout { get; init; }
    /// <summary>Retry until it passes or this much time has passed ("health checks respond within 30 seconds").</summary>
    public TimeSpan? Within { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = Array.Empty<string>();
    /// <summary>Conditions in the shared condition language.</summary>
    public IReadOnlyList<string> Expect { get; init; } = Array.Empty<string>();
    public GateSettings Settings { get; init; } = GateSettings.Empty;
    public SourceLocation? Location { get; init; }

    public override string ToString() => $"{Name} ({Type}, {Severity}, {Stage})";
}

/// <summary>
/// A gate type's own settings. Values are string, long, double, bool, TimeSpan,
/// IReadOnlyList&lt;object?&gt; or IReadOnlyDictionary&lt;string, object?&gt;.
/// Strings may hold secret references; expand them with <see cref="SecretCatalog.Expand"/>.
/// </summary>
public sealed class GateSettings
{
    public static readonly GateSettings Empty = new(new Dictionary<string, object?>());

    private readonly IReadOnlyDictionary<string, object?> _values;

    public GateSettings(IReadOnlyDictionary<string, object?> values)
    {
        _values = new Dictionary<string, object?>(values, StringComparer.OrdinalIgnoreCase);
    }

    public IEnumerable<string> Keys => _values.Keys;

    public bool Has(string key) => _values.ContainsKey(key) && _values[key] is not null;

    public object? this[string key] => _values.TryGetValue(key, out var value) ? value : null;

    public string? GetString(string key) => this[key] switch
    {
        null => null,
        string s => s,
        TimeSpan t => t.ToString(),
        bool b => b ? "true" : "false",
        var v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
    };

    public long? GetInteger(string key) => this[key] switch
    {
        null => null,
        long l => l,
        int i => i,
        double d => (long)d,
        string s when long.TryParse(s, out var l) => l,
        var v => throw new InvalidCastException($"Setting '{key}' is {v.GetType().Name}, not an integer."),
    };

    public double? GetNumber(string key) => this[key] switch
    {
        null => null,
        double d => d,
        long l => l,
        int i => i,
        string s when double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d) => d,
        var v => throw new InvalidCastException($"Setting '{key}' is {v.GetType().Name}, not a number."),
    };

    public bool? GetBoolean(string key) => this[key] switch
    {
        null => null,
        bool b => b,
        string s when bool.TryParse(s, out var b) => b,
        var v => throw new InvalidCastException($"Setting '{key}' is {v.GetType().Name}, not a boolean."),
    };

    public TimeSpan? GetDuration(string key) => this[key] switch
    {
        null => null,
        TimeSpan t => t,
        string s => DurationText.Parse(s),
        var v => throw new InvalidCastException($"Setting '{key}' is {v.GetType().Name}, not a duration."),
    };

    /// <summary>A list of strings; a single scalar counts as a list of one.</summary>
    public IReadOnlyList<string> GetStrings(string key) => this[key] switch
    {
        null => Array.Empty<string>(),
        IReadOnlyList<object?> list => list.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray(),
        var v => new[] { Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "" },
    };

    public IReadOnlyDictionary<string, string> GetMap(string key) => this[key] switch
    {
        null => new Dictionary<string, string>(),
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(kv => kv.Key,
            kv => Convert.ToString(kv.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""),
        var v => throw new InvalidCastException($"Setting '{key}' is {v.GetType().Name}, not a map."),
    };

    public GateSettings With(string key, object? value)
    {
        var copy = new Dictionary<string, object?>(_values, StringComparer.OrdinalIgnoreCase) { [key] = value };
        return new GateSettings(copy);
    }

    public IReadOnlyDictionary<string, object?> ToDictionary() => _values;

    /// <summary>key=value pairs as written in the plan (secret references stay references).</summary>
    public override string ToString() => string.Join(", ", _values.Where(kv => kv.Value is not null).Select(kv => $"{kv.Key}={Text(kv.Value)}"));

    private static string Text(object? value) => value switch
    {
        TimeSpan t => DurationText.Format(t),
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(Text)) + "]",
        IReadOnlyDictionary<string, object?> map => "{" + string.Join(", ", map.Select(kv => $"{kv.Key}={Text(kv.Value)}")) + "}",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}
