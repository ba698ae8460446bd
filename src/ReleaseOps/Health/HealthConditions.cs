using ReleaseOps.Conditions;

namespace ReleaseOps.Health;

/// <summary>
/// A probe expectation or rollback criterion in the condition language that gates use
/// (<see cref="ConditionExpression"/>): <c>status == 200</c>, <c>response_time &lt; 500ms</c>,
/// <c>error_rate &lt; 5%</c>, <c>p95 &lt; 800ms</c>, <c>memory_percent &lt; 80</c>.
/// Parsed once, evaluated many times; thread-safe.
/// </summary>
public sealed class HealthCondition
{
    private HealthCondition(ConditionExpression expression) => Expression = expression;

    /// <summary>Parses a condition; throws a ReleaseOpsException (InvalidConfiguration) when it is not valid.</summary>
    public static HealthCondition Parse(string text) => new(ConditionExpression.Parse(text));

    public ConditionExpression Expression { get; }

    public string Text => Expression.Text;

    /// <summary>The value names it reads (error_rate, p95, status...).</summary>
    public IReadOnlyList<string> Names => Expression.Names;

    /// <summary>
    /// Judges the condition over a window's values: <see cref="TimeSpan"/> for durations,
    /// <see cref="HealthRatio"/> for rates, numbers, strings and booleans. A condition that reads a
    /// value the watch does not have yet is not judged (pending).
    /// </summary>
    public HealthConditionResult Evaluate(IReadOnlyDictionary<string, object?> values)
    {
        var missing = Names.FirstOrDefault(n => !values.ContainsKey(n));
        if (missing is not null)
        {
            return new HealthConditionResult(false, false, null, $"{missing} has no value yet");
        }
        var named = new ConditionValues();
        foreach (var name in Names)
        {
            var value = values[name];
            named.Set(name, value is HealthRatio ratio ? ConditionValue.Ratio(ratio.Value) : value);
        }
        var outcome = Expression.Evaluate(named);
        return new HealthConditionResult(outcome.Passed, true, outcome.Observed, outcome.Message);
    }
}

/// <summary>The outcome of one judgement; <see cref="Judged"/> is false when a value was missing.</summary>
public sealed record HealthConditionResult(bool Passed, bool Judged, string? Observed, string Message);

/// <summary>A rate such as an error rate (0.05 is 5%), compared against percentages in conditions.</summary>
public readonly record struct HealthRatio(double Value)
{
    public override string ToString() => $"{Value * 100:0.##}%";
}
