using System.Collections;

namespace ReleaseOps.Plans.Loading;

/// <summary>
/// A validated, typed mapping from a plan: values are string, long, double, bool, TimeSpan,
/// PlanObject, IReadOnlyList&lt;object?&gt; or IReadOnlyDictionary&lt;string, object?&gt;. Keeps where each key
/// was written, so binding can give records their positions.
/// </summary>
internal sealed class PlanObject : IReadOnlyDictionary<string, object?>
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    public PlanObject(SourceLocation location)
    {
        Location = location;
    }

    public SourceLocation Location { get; }

    public void Set(string key, object? value) => _values[key] = value;

    public object? this[string key] => _values.TryGetValue(key, out var value) ? value : null;

    public IEnumerable<string> Keys => _values.Keys;

    public IEnumerable<object?> Values => _values.Values;

    public int Count => _values.Count;

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, out object? value) => _values.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public string? String(string key) => this[key] as string;

    public string StringOr(string key, string fallback) => String(key) ?? fallback;

    public int? Int(string key) => this[key] is long l ? checked((int)l) : null;

    public long? Long(string key) => this[key] as long?;

    public double? Number(string key) => this[key] switch
    {
        double d => d,
        long l => l,
        _ => null,
    };

    public bool? Bool(string key) => this[key] as bool?;

    public TimeSpan? Duration(string key) => this[key] as TimeSpan?;

    public PlanObject? Object(string key) => this[key] as PlanObject;

    public IReadOnlyList<PlanObject> Objects(string key) =>
        this[key] is IReadOnlyList<object?> list ? list.OfType<PlanObject>().ToArray() : Array.Empty<PlanObject>();

    public IReadOnlyList<string> Strings(string key) => this[key] switch
    {
        IReadOnlyList<object?> list => list.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray(),
        null => Array.Empty<string>(),
        var v => new[] { Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "" },
    };

    public IReadOnlyList<int> Ints(string key) =>
        this[key] is IReadOnlyList<object?> list ? list.OfType<long>().Select(l => checked((int)l)).ToArray() : Array.Empty<int>();

    public IReadOnlyDictionary<string, string> StringMap(string key) =>
        this[key] is IReadOnlyDictionary<string, object?> map
            ? map.ToDictionary(kv => kv.Key, kv => Convert.ToString(kv.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
