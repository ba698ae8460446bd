namespace ReleaseOps.Conditions;

/// <summary>
/// A condition in ReleaseOps's small readable expression language, shared by release gates and
/// the health watch's rollback criteria:
/// <code>
/// status == 200
/// status in [200, 204] and response_time &lt; 500ms
/// json.status == "UP" and header.content-type contains "json"
/// cert_expiry &gt; 30d
/// error_rate &lt; 5% or not (p95 &gt;= 800ms)
/// body matches "v[0-9]+\.[0-9]+" and header.x-request-id exists
/// </code>
/// Values: names (dotted, may hold '-': header.content-type; json paths may index: json.items[0].id),
/// integers and decimals, "strings" or 'strings', true/false/null, durations (500ms, 30s, 5m, 2h, 30d),
/// percentages (5%), sizes (300MB, 1.5GB, 512KiB), lists [a, b]. Operators: == != &lt; &lt;= &gt; &gt;=,
/// contains, matches (a .NET regular expression), in [..], not in [..], exists. A bare name is true
/// when its value is true. Combine with and, or, not and parentheses (and binds tighter than or).
/// Parse once, evaluate many times; instances are immutable and thread-safe.
/// </summary>
public sealed class ConditionExpression
{
    private readonly ConditionNode _root;

    private ConditionExpression(string text, ConditionNode root)
    {
        Text = text;
        _root = root;
        var names = new List<string>();
        root.CollectNames(names);
        Names = names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
    }

    /// <summary>The condition as written.</summary>
    public string Text { get; }

    /// <summary>The value names the condition reads, in order of first use (status, json.status...).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Parses <paramref name="text"/>; on failure returns false with the offset and what was expected.</summary>
    public static bool TryParse(string text, out ConditionExpression? expression, out ConditionSyntaxError? error)
    {
        expression = null;
        if (!ConditionParser.TryParse(text ?? string.Empty, out var root, out error))
        {
            return false;
        }
        expression = new ConditionExpression(text!, root!);
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws <see cref="ConditionSyntaxException"/> (a ReleaseOpsException, InvalidConfiguration).</summary>
    public static ConditionExpression Parse(string text) =>
        TryParse(text, out var expression, out var error)
            ? expression!
            : throw new ConditionSyntaxException(text ?? string.Empty, error!);

    /// <summary>Judges the condition against <paramref name="values"/>. Never throws for missing or mismatched values: the outcome says so.</summary>
    public ConditionOutcome Evaluate(IConditionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = _root.Evaluate(values);
        return new ConditionOutcome(Text, result.Passed, result.Observed, result.Message, result.Problem);
    }

    public override string ToString() => Text;
}
