using System.Globalization;
using System.Text.Json;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Conditions;

/// <summary>What a condition value is, which decides how it compares.</summary>
public enum ConditionValueKind
{
    Null,
    Boolean,
    Number,
    String,
    Duration,
    /// <summary>A proportion, held as a ratio (0.05 for 5%).</summary>
    Percent,
    /// <summary>A size in bytes.</summary>
    Size,
    List,
}

/// <summary>
/// A typed value a condition compares: an observed value (a status code, a latency, days to
/// expiry, a header) or a literal written in the condition (200, 500ms, 5%, 300MB, "UP").
/// Units compare correctly: a duration against a duration, a percent against a ratio or percent,
/// a size against a size or a number of bytes.
/// </summary>
public sealed class ConditionValue : IEquatable<ConditionValue>
{
    private readonly object? _value;

    private ConditionValue(ConditionValueKind kind, object? value)
    {
        Kind = kind;
        _value = value;
    }

    public static readonly ConditionValue Null = new(ConditionValueKind.Null, null);
    public static readonly ConditionValue True = new(ConditionValueKind.Boolean, true);
    public static readonly ConditionValue False = new(ConditionValueKind.Boolean, false);

    public ConditionValueKind Kind { get; }

    public static ConditionValue Boolean(bool value) => value ? True : False;

    public static ConditionValue Number(double value) => new(ConditionValueKind.Number, value);

    public static ConditionValue String(string value) => new(ConditionValueKind.String, value ?? string.Empty);

    public static ConditionValue Duration(TimeSpan value) => new(ConditionValueKind.Duration, value);

    /// <summary>A proportion given as a ratio: 0.05 is 5%.</summary>
    public static ConditionValue Ratio(double ratio) => new(ConditionValueKind.Percent, ratio);

    /// <summary>A proportion given in percentage points: 5 is 5%.</summary>
    public static ConditionValue Percent(double points) => new(ConditionValueKind.Percent, points / 100d);

    public static ConditionValue Size(long bytes) => new(ConditionValueKind.Size, (double)bytes);

    public static ConditionValue List(IEnumerable<ConditionValue> items) =>
        new(ConditionValueKind.List, items.ToArray());

    /// <summary>
    /// Converts a plain .NET value: bool, integer and floating types, string, TimeSpan, enumerables,
    /// a <see cref="JsonElement"/>, or a ConditionValue (returned as is). Null becomes <see cref="Null"/>.
    /// </summary>
    public static ConditionValue From(object? value) => value switch
    {
        null => Null,
        ConditionValue v => v,
        bool b => Boolean(b),
        string s => String(s),
        TimeSpan t => Duration(t),
        JsonElement e => FromJson(e),
        byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal =>
            Number(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        System.Collections.IEnumerable items => List(items.Cast<object?>().Select(From)),
        _ => String(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty),
    };

    public static ConditionValue FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => String(element.GetString() ?? string.Empty),
        JsonValueKind.Number => Number(element.GetDouble()),
        JsonValueKind.True => True,
        JsonValueKind.False => False,
        JsonValueKind.Array => List(element.EnumerateArray().Select(FromJson)),
        JsonValueKind.Null or JsonValueKind.Undefined => Null,
        _ => String(element.GetRawText()),
    };

    public bool? AsBoolean => _value as bool?;
    public string? AsString => _value as string;
    public TimeSpan? AsDuration => _value as TimeSpan?;
    public IReadOnlyList<ConditionValue> AsList => _value as ConditionValue[] ?? Array.Empty<ConditionValue>();

    /// <summary>The number behind a Number, Percent (the ratio) or Size (bytes) value.</summary>
    public double? AsNumber => Kind is ConditionValueKind.Number or ConditionValueKind.Percent or ConditionValueKind.Size
        ? (double)_value!
        : null;

    /// <summary>The plain .NET value, for evidence: bool, double, string, TimeSpan, or a list of them.</summary>
    public object? ToPlain() => Kind switch
    {
        ConditionValueKind.List => AsList.Select(v => v.ToPlain()).ToArray(),
        ConditionValueKind.Percent or ConditionValueKind.Size => ToString(),
        _ => _value,
    };

    /// <summary>How the value reads in a message: 812ms, 29.5d, 4.2%, 312.4MB, "UP", 200.</summary>
    public override string ToString() => Kind switch
    {
        ConditionValueKind.Null => "null",
        ConditionValueKind.Boolean => (bool)_value! ? "true" : "false",
        ConditionValueKind.Number => FormatNumber((double)_value!),
        ConditionValueKind.String => "\"" + (string)_value! + "\"",
        ConditionValueKind.Duration => FormatDuration((TimeSpan)_value!),
        ConditionValueKind.Percent => FormatNumber(Math.Round((double)_value! * 100, 2)) + "%",
        ConditionValueKind.Size => FormatSize((double)_value!),
        _ => "[" + string.Join(", ", AsList.Select(v => v.ToString())) + "]",
    };

    /// <summary>The value as text without quotes, for string comparisons and evidence.</summary>
    public string ToText() => Kind == ConditionValueKind.String ? (string)_value! : ToString();

    public static string FormatNumber(double value) =>
        value.ToString(Math.Abs(value) >= 1e15 ? "E3" : "0.###", CultureInfo.InvariantCulture);

    public static string FormatDuration(TimeSpan value)
    {
        var ms = value.TotalMilliseconds;
        var abs = Math.Abs(ms);
        return abs switch
        {
            < 1000 => FormatNumber(Math.Round(ms, 1)) + "ms",
            < 60_000 => FormatNumber(Math.Round(ms / 1000, 2)) + "s",
            < 3_600_000 => FormatNumber(Math.Round(ms / 60_000, 2)) + "m",
            < 86_400_000 => FormatNumber(Math.Round(ms / 3_600_000, 2)) + "h",
            _ => FormatNumber(Math.Round(ms / 86_400_000, 1)) + "d",
        };
    }

    public static string FormatSize(double bytes)
    {
        var abs = Math.Abs(bytes);
        return abs switch
        {
            < 1e3 => FormatNumber(bytes) + "B",
            < 1e6 => FormatNumber(Math.Round(bytes / 1e3, 1)) + "KB",
            < 1e9 => FormatNumber(Math.Round(bytes / 1e6, 1)) + "MB",
            < 1e12 => FormatNumber(Math.Round(bytes / 1e9, 2)) + "GB",
            _ => FormatNumber(Math.Round(bytes / 1e12, 2)) + "TB",
        };
    }

    /// <summary>Reads a string as the kind of <paramref name="like"/> (a header "512" as a number, "2s" as a duration).</summary>
    internal ConditionValue? Coerce(ConditionValueKind like)
    {
        if (Kind == like)
        {
            return this;
        }
        var text = Kind == ConditionValueKind.String ? ((string)_value!).Trim() : null;
        switch (like)
        {
            case ConditionValueKind.Number when text is not null:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) ? Number(n) : null;
            case ConditionValueKind.Number when Kind == ConditionValueKind.Boolean:
                return null;
            case ConditionValueKind.Boolean when text is not null:
                return bool.TryParse(text, out var b) ? Boolean(b) : null;
            case ConditionValueKind.Duration when text is not null:
                return DurationText.TryParse(text, out var d) ? Duration(d) : null;
            case ConditionValueKind.Size when text is not null:
                return SizeText.TryParse(text, out var s) ? Size(s) : null;
            case ConditionValueKind.Size when Kind == ConditionValueKind.Number:
                return Size((long)(double)_value!);
            case ConditionValueKind.Percent when text is not null && text.EndsWith('%') &&
                double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var p):
                return Percent(p);
            case ConditionValueKind.Percent when Kind == ConditionValueKind.Number:
                // A plain number read against a percent is in percentage points: memory_percent 73 vs 80%.
                return Percent((double)_value!);
            case ConditionValueKind.String:
                return String(ToText());
        }
        return null;
    }

    public bool Equals(ConditionValue? other) =>
        other is not null && Kind == other.Kind && (Kind == ConditionValueKind.List
            ? AsList.SequenceEqual(other.AsList)
            : Equals(_value, other._value));

    public override bool Equals(object? obj) => obj is ConditionValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, _value);
}
