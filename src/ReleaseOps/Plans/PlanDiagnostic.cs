namespace ReleaseOps.Plans;

public enum DiagnosticSeverity
{
    Error,
    Warning,
}

/// <summary>
/// One problem found in a release plan, with its position: <c>plan.yml:12:5: unknown key 'imagee'; did you mean 'image'?</c>
/// </summary>
public sealed record PlanDiagnostic(string File, int Line, int Column, DiagnosticSeverity Severity, string Code, string Message)
{
    /// <summary>The key path the problem is at, for example <c>services[0].strategy.type</c>.</summary>
    public string? Path { get; init; }

    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString() =>
        Severity == DiagnosticSeverity.Error
            ? $"{File}:{Line}:{Column}: {Message}"
            : $"{File}:{Line}:{Column}: warning: {Message}";
}

/// <summary>The outcome of validating a plan: every problem found, and the plan when there were no errors.</summary>
public sealed record PlanValidation(string File, IReadOnlyList<PlanDiagnostic> Diagnostics, ReleasePlan? Plan)
{
    public bool IsValid => Plan is not null && Diagnostics.All(d => !d.IsError);

    public IEnumerable<PlanDiagnostic> Errors => Diagnostics.Where(d => d.IsError);
}
