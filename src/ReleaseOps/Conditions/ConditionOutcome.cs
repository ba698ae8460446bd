namespace ReleaseOps.Conditions;

/// <summary>
/// The result of evaluating a condition: whether it held, the observed value that decided it
/// (as text, for evidence), and a sentence a human understands: <c>response_time 812ms is not &lt; 500ms</c>.
/// </summary>
/// <param name="Condition">The condition's text.</param>
/// <param name="Passed">True when the condition holds.</param>
/// <param name="Observed">The deciding observed value as text (812ms, 200, "UP"), or null when it had none.</param>
/// <param name="Message">What was seen, against what was expected.</param>
/// <param name="Problem">Set when the condition could not be judged (a value missing, units that do not compare); Passed is then false.</param>
public sealed record ConditionOutcome(string Condition, bool Passed, string? Observed, string Message, string? Problem = null)
{
    public override string ToString() => Message;
}
