namespace ReleaseOps.Conditions;

/// <summary>
/// The named values a condition reads: <c>status</c>, <c>response_time</c>, <c>json.status</c>,
/// <c>header.content-type</c>, <c>body</c>, <c>cert_expiry</c>, <c>error_rate</c>, <c>p95</c>...
/// Each check or probe provides its own; names are matched case-insensitively by convention.
/// </summary>
public interface IConditionValues
{
    /// <summary>Looks up a value; false when the name has no value here (which the condition reports).</summary>
    bool TryResolve(string name, out ConditionValue value);
}

/// <summary>A set of named values held in memory, optionally backed by a resolver for dynamic names (json.*, header.*).</summary>
public sealed class ConditionValues : IConditionValues
{
    public static readonly ConditionValues Empty = new();

    private readonly Dictionary<string, ConditionValue> _values = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Func<string, ConditionValue?>> _resolvers = new();

    public ConditionValues()
    {
    }

    public ConditionValues(IEnumerable<KeyValuePair<string, object?>> values)
    {
        foreach (var (name, value) in values)
        {
            Set(name, value);
        }
    }

    /// <summary>Sets a value; plain .NET values are converted with <see cref="ConditionValue.From"/>.</summary>
    public ConditionValues Set(string name, object? value)
    {
        _values[name] = ConditionValue.From(value);
        return this;
    }

    /// <summary>Adds a resolver consulted, in order, for names not set directly; it returns null for "no value".</summary>
    public ConditionValues AddResolver(Func<string, ConditionValue?> resolver)
    {
        _resolvers.Add(resolver);
        return this;
    }

    public IReadOnlyDictionary<string, ConditionValue> Known => _values;

    public bool TryResolve(string name, out ConditionValue value)
    {
        if (_values.TryGetValue(name, out value!))
        {
            return true;
        }
        foreach (var resolver in _resolvers)
        {
            var found = resolver(name);
            if (found is not null)
            {
                value = found;
                return true;
            }
        }
        value = ConditionValue.Null;
        return false;
    }
}
