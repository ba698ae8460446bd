using System.Globalization;

namespace ReleaseOps.Reporting;

/// <summary>
/// A Markdown summary for pull requests and job summaries: the verdict, a count line, a table of
/// every case, and a section per failure/error with its evidence and fix.
/// </summary>
public sealed class MarkdownReportWriter : IReportWriter
{
    public ReportFormat Format => ReportFormat.Markdown;

    public void Write(ReportSuite suite, TextWriter w)
    {
        w.WriteLine($"# {Escape(suite.Title)}");
        w.WriteLine();
        w.WriteLine($"**{(suite.Succeeded ? "PASSED" : "BLOCKED")}**" + (suite.Summary is null ? "" : " - " + Escape(suite.Summary)));
        w.WriteLine();
        w.WriteLine(string.Join(" · ", Enum.GetValues<ReportOutcome>().Select(o => $"{Icon(o)} {suite.Count(o)} {o.ToString().ToLowerInvariant()}")) +
            $" · {suite.Duration.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s · {suite.Timestamp.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        w.WriteLine();
        w.WriteLine("| | Name | Group | Severity | Message | Time |");
        w.WriteLine("|---|---|---|---|---|---|");
        foreach (var c in suite.Cases.OrderBy(c => Rank(c.Outcome)).ThenBy(c => c.Name, StringComparer.Ordinal))
        {
            w.WriteLine($"| {Icon(c.Outcome)} | {Escape(c.Name)} | {Escape(c.Group)} | {Escape(c.Severity ?? "")} | {Escape(c.Message)} | {c.Duration.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms |");
        }
        var problems = suite.Cases.Where(c => c.Outcome is ReportOutcome.Failed or ReportOutcome.Error).ToArray();
        if (problems.Length > 0)
        {
            w.WriteLine();
            w.WriteLine("## Failures and errors");
            foreach (var c in problems)
            {
                w.WriteLine();
                w.WriteLine($"### {Icon(c.Outcome)} {Escape(c.Name)}");
                w.WriteLine();
                w.WriteLine(Escape(c.Message));
                if (c.Target is not null)
                {
                    w.WriteLine();
                    w.WriteLine($"- target: `{c.Target.Replace("`", "'", StringComparison.Ordinal)}`");
                }
                foreach (var (key, value) in c.Properties)
                {
                    w.WriteLine($"- {Escape(key)}: {Escape(value)}");
                }
                foreach (var detail in c.Details)
                {
                    w.WriteLine($"- {Escape(detail)}");
                }
                if (c.Fix is not null)
                {
                    w.WriteLine();
                    w.WriteLine($"**Fix:** {Escape(c.Fix)}");
                }
            }
        }
    }

    private static int Rank(ReportOutcome outcome) => outcome switch
    {
        ReportOutcome.Error => 0,
        ReportOutcome.Failed => 1,
        ReportOutcome.Warning => 2,
        ReportOutcome.Skipped => 3,
        _ => 4,
    };

    private static string Icon(ReportOutcome outcome) => outcome switch
    {
        ReportOutcome.Passed => "✅",
        ReportOutcome.Failed => "❌",
        ReportOutcome.Warning => "⚠️",
        ReportOutcome.Skipped => "⏭️",
        _ => "💥",
    };

    private static string Escape(string text) =>
        text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)
            .Replace("|", "\\|", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal);
}
