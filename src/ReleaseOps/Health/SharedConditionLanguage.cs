using ReleaseOps.Conditions;

namespace ReleaseOps.Health;

/// <summary>
/// Probe expectations and rollback criteria in the condition language that gates use
/// (<see cref="ConditionExpression"/>): <c>status == 200</c>, <c>response_time &lt; 500ms</c>,
/// <c>error_rate &lt; 5%</c>, <c>p95 &lt; 800ms</c>, <c>memory_percent &lt; 80</c>.
/// A condition that reads a value the watch does not have yet is not judged (pending).
/// </summary>
public sealed class SharedConditionLanguage : IHealthConditionLanguage
{
    public static readonly SharedConditionLanguage Instance = new();

    public IHealthCondition Parse(string text) => new Condition(ConditionExpression.Parse(text));

    private sealed class Condition : IHealthCondition
    {
        private readonly ConditionExpression _expression;

        public Condition(ConditionExpression expression) => _expression = expression;

        public string Text => _expression.Text;

        public IReadOnlyList<string> Names => _expression.Names;

        public HealthConditionResult Evaluate(IReadOnlyDictionary<string, object?> values)
        {
            var missing = _expression.Names.FirstOrDefault(n => !values.ContainsKey(n));
            if (missing is not null)
            {
                return new HealthConditionResult(false, false, null, $"{missing} has no value yet");
            }
            var named = new ConditionValues();
            foreach (var name in _expression.Names)
            {
                var value = values[name];
                named.Set(name, value is HealthRatio ratio ? ConditionValue.Ratio(ratio.Value) : value);
            }
            var outcome = _expression.Evaluate(named);
            return new HealthConditionResult(outcome.Passed, true, outcome.Observed, outcome.Message);
        }
    }
}
