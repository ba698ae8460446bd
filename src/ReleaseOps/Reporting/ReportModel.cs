namespace ReleaseOps.Reporting;

/// <summary>How one case of a report ended, in the words CI systems use.</summary>
public enum ReportOutcome
{
    Passed,
    Failed,
    Warning,
    Skipped,
    Error,
}

/// <summary>
/// One checked thing in a report: a gate, a health criterion, a smoke test. Properties are the
/// evidence (measured values, already free of secrets), shown as a table in Markdown, as
/// properties in JUnit and as an object in JSON.
/// </summary>
public sealed record ReportCase
{
    public required string Name { get; init; }
    /// <summary>The group it belongs to (a gate category, a probe): JUnit's classname.</summary>
    public required string Group { get; init; }
    public ReportOutcome Outcome { get; init; }
    /// <summary>critical/high/medium/low, or null when the source has no severity.</summary>
    public string? Severity { get; init; }
    public required string Message { get; init; }
    public string? Target { get; init; }
    public TimeSpan Duration { get; init; }
    public string? Fix { get; init; }
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
    /// <summary>Further lines of detail (per-rule findings).</summary>
    public IReadOnlyList<string> Details { get; init; } = Array.Empty<string>();
}

/// <summary>A report: a titled, timed set of cases with a verdict.</summary>
public sealed record ReportSuite
{
    public required string Title { get; init; }
    public DateTimeOffset Timestamp { get; init; }
    public TimeSpan Duration { get; init; }
    /// <summary>False when something blocks (a critical/high gate failed, a criterion breached).</summary>
    public bool Succeeded { get; init; }
    /// <summary>A one-line verdict for the top of the report.</summary>
    public string? Summary { get; init; }
    public IReadOnlyList<ReportCase> Cases { get; init; } = Array.Empty<ReportCase>();

    public int Count(ReportOutcome outcome) => Cases.Count(c => c.Outcome == outcome);
}

/// <summary>The report formats ReleaseOps writes.</summary>
public enum ReportFormat
{
    JUnit,
    Json,
    Markdown,
}

/// <summary>Writes a <see cref="ReportSuite"/> in one format.</summary>
public interface IReportWriter
{
    ReportFormat Format { get; }

    void Write(ReportSuite suite, TextWriter writer);
}

/// <summary>The writers, and writing a report to a file atomically (a CI job never reads half a report).</summary>
public static class ReportWriters
{
    public static IReportWriter For(ReportFormat format) => format switch
    {
        ReportFormat.JUnit => new JUnitReportWriter(),
        ReportFormat.Json => new JsonReportWriter(),
        _ => new MarkdownReportWriter(),
    };

    public static string ToText(ReportSuite suite, ReportFormat format)
    {
        using var writer = new StringWriter();
        For(format).Write(suite, writer);
        return writer.ToString();
    }

    public static async Task WriteFileAsync(ReportSuite suite, ReportFormat format, string path, CancellationToken cancellation)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(directory);
            var temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
            await File.WriteAllTextAsync(temp, ToText(suite, format), new System.Text.UTF8Encoding(false), cancellation).ConfigureAwait(false);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Errors.ReleaseOpsException("ReportWriteFailed", Errors.FailureKind.PermissionDenied,
                $"Could not write the {format} report to {full}: {ex.Message}", target: full,
                fix: "Choose a writable path for the report.", innerException: ex);
        }
    }
}
