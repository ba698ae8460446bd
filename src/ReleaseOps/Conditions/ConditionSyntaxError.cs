using ReleaseOps.Errors;

namespace ReleaseOps.Conditions;

/// <summary>Where a condition's text is wrong (0-based <see cref="Offset"/>) and what was expected there.</summary>
public sealed record ConditionSyntaxError(int Offset, string Message)
{
    public override string ToString() => $"column {Offset + 1}: {Message}";
}

/// <summary>Thrown by <see cref="ConditionExpression.Parse"/>; carries the <see cref="ConditionSyntaxError"/>.</summary>
public sealed class ConditionSyntaxException : ReleaseOpsException
{
    public ConditionSyntaxException(string text, ConditionSyntaxError error)
        : base("ConditionSyntaxError", FailureKind.InvalidConfiguration,
            $"Condition '{text}' is not valid at column {error.Offset + 1}: {error.Message}",
            target: text,
            fix: "Write NAME OPERATOR VALUE, for example status == 200, response_time < 500ms, json.status == \"UP\", " +
                 "status in [200, 204]; combine with and, or, not and parentheses.")
    {
        Text = text;
        Error = error;
    }

    public string Text { get; }

    public ConditionSyntaxError Error { get; }
}
