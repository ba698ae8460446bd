namespace ReleaseOps.Health;

/// <summary>
/// The seam between the health watch and the condition language it reads probe expectations and
/// rollback criteria in. The watch only ever parses text, asks which names it reads, and judges
/// it against named values; <see cref="SharedConditionLanguage"/> is the implementation over the
/// language that gates use, so criteria and gates read the same.
/// </summary>
public interface IHealthConditionLanguage
{
    /// <summary>Parses a condition; throws a ReleaseOpsException (InvalidConfiguration) when it is not valid.</summary>
    IHealthCondition Parse(string text);
}

/// <summary>A parsed condition: thread-safe, evaluated many times.</summary>
public interface IHealthCondition
{
    string Text { get; }

    /// <summary>The value names it reads (error_rate, p95, status...).</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Judges the condition. Values are <see cref="TimeSpan"/> for durations, <see cref="HealthRatio"/>
    /// for rates (compared with percentages), numbers, strings and booleans.
    /// </summary>
    HealthConditionResult Evaluate(IReadOnlyDictionary<string, object?> values);
}

/// <summary>The outcome of one judgement; <see cref="Judged"/> is false when a value was missing.</summary>
public sealed record HealthConditionResult(bool Passed, bool Judged, string? Observed, string Message);

/// <summary>A rate such as an error rate (0.05 is 5%), compared against percentages in conditions.</summary>
public readonly record struct HealthRatio(double Value)
{
    public override string ToString() => $"{Value * 100:0.##}%";
}
