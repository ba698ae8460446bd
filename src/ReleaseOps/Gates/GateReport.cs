using System.Collections;
using System.Globalization;
using ReleaseOps.Reporting;

namespace ReleaseOps.Gates;

/// <summary>Turns a gate run into a report suite for the JUnit, JSON and Markdown writers.</summary>
public static class GateReport
{
    public static ReportSuite ToSuite(GateRunSummary summary) => new()
    {
        Title = summary.Plan is null ? "Release gates" : $"Release gates: {summary.Plan}",
        Timestamp = summary.StartTime,
        Duration = summary.Duration,
        Succeeded = summary.Succeeded,
        Summary = summary.ToString(),
        Cases = summary.Results.Select(ToCase).ToArray(),
    };

    public static ReportCase ToCase(GateResult result) => new()
    {
        Name = result.Name,
        Group = result.Category,
        Outcome = result.Status switch
        {
            GateStatus.Passed => ReportOutcome.Passed,
            GateStatus.Failed => ReportOutcome.Failed,
            GateStatus.Warning => ReportOutcome.Warning,
            GateStatus.Skipped => ReportOutcome.Skipped,
            _ => ReportOutcome.Error,
        },
        Severity = result.Severity.ToString().ToLowerInvariant(),
        Message = result.Message,
        Target = result.Target,
        Duration = result.Duration,
        Fix = result.Fix,
        Properties = result.Evidence.Where(kv => kv.Value is not null)
            .ToDictionary(kv => kv.Key, kv => Text(kv.Value)),
        Details = result.Findings.Select(f => $"{f.Level.ToString().ToLowerInvariant()} {f.Rule}: {f.Message}")
            .Concat(result.ErrorId is null ? Array.Empty<string>() : new[] { "error id: " + result.ErrorId })
            .Concat(result.Attempts > 1 ? new[] { $"attempts: {result.Attempts}" } : Array.Empty<string>())
            .ToArray(),
    };

    /// <summary>Writes every report the caller asked for (null paths are skipped).</summary>
    public static async Task WriteAsync(GateRunSummary summary, string? junitPath, string? jsonPath, string? markdownPath, CancellationToken cancellation)
    {
        var suite = ToSuite(summary);
        foreach (var (path, format) in new[] { (junitPath, ReportFormat.JUnit), (jsonPath, ReportFormat.Json), (markdownPath, ReportFormat.Markdown) })
        {
            if (!string.IsNullOrWhiteSpace(path))
            {
                await ReportWriters.WriteFileAsync(suite, format, path, cancellation).ConfigureAwait(false);
            }
        }
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary map => string.Join("; ", map.Keys.Cast<object>().Select(k => $"{k}={Text(map[k])}")),
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(Text)),
        _ => value.ToString() ?? "",
    };
}
