using System.Globalization;
using System.Text.Json;
using ReleaseOps.Errors;
using ReleaseOps.Reporting;
using ReleaseOps.Text;

namespace ReleaseOps.Health;

/// <summary>
/// Exports of a verdict for CI systems and scheduled jobs: JSON (the verdict as is), and through
/// the shared report writers JUnit XML and Markdown (one case per criterion: breached is a
/// failure, failing-but-not-breached a warning, pending skipped). Files are written to a temporary
/// name and renamed, so a reader never sees half a report.
/// </summary>
public static class HealthReport
{
    public static string ToJson(HealthVerdict verdict) =>
        JsonSerializer.Serialize(verdict with { RollbackResult = verdict.RollbackResult?.ToString() }, WatchSummaryStore.Json);

    /// <summary>The verdict as a report suite: one case per criterion, the probes' figures as properties.</summary>
    public static ReportSuite ToSuite(HealthVerdict verdict, string title = "release-health") => new()
    {
        Title = title,
        Timestamp = verdict.StartedAt,
        Duration = verdict.Duration,
        Succeeded = verdict.Status is HealthStatus.Healthy or HealthStatus.Degraded,
        Summary = verdict.ToString(),
        Cases = verdict.Criteria.Select(c => new ReportCase
        {
            Name = c.Name,
            Group = c.Probe ?? "all probes",
            Outcome = c.State switch
            {
                CriterionState.Breached => ReportOutcome.Failed,
                CriterionState.Failing => ReportOutcome.Warning,
                CriterionState.Pending => ReportOutcome.Skipped,
                _ => ReportOutcome.Passed,
            },
            Severity = c.Severity.ToString(),
            Message = c.State switch
            {
                CriterionState.Breached => $"breached: {c.Expect} ({c.Detail})",
                CriterionState.Pending => "not judged: " + (c.Detail ?? "not enough data"),
                _ => c.Detail ?? c.Expect,
            },
            Target = c.Probe,
            Duration = c.Window,
            Properties = Properties(c),
        }).ToList(),
    };

    public static void WriteJson(HealthVerdict verdict, string path)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + "." + Guid.NewGuid().ToString("N")[..6] + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(temporary, ToJson(verdict));
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (IOException) { }
            throw new ReleaseOpsException("ReportWriteFailed", FailureKind.PermissionDenied,
                $"Could not write the JSON report to {full}: {ex.Message}", full, "Choose a writable path for the report.", ex);
        }
    }

    /// <summary>Writes every report <paramref name="paths"/> names.</summary>
    public static async Task WriteAsync(HealthVerdict verdict, HealthReportPaths paths, CancellationToken cancellation)
    {
        foreach (var (path, format) in new[] { (paths.Json, ReportFormat.Json), (paths.JUnit, ReportFormat.JUnit), (paths.Markdown, ReportFormat.Markdown) })
        {
            if (path is not null)
            {
                await WriteAsync(verdict, format, path, cancellation).ConfigureAwait(false);
            }
        }
    }

    public static Task WriteAsync(HealthVerdict verdict, ReportFormat format, string path, CancellationToken cancellation)
    {
        if (format == ReportFormat.Json)
        {
            WriteJson(verdict, path);
            return Task.CompletedTask;
        }
        return ReportWriters.WriteFileAsync(ToSuite(verdict), format, path, cancellation);
    }

    private static Dictionary<string, string> Properties(CriterionResult c)
    {
        var properties = new Dictionary<string, string>
        {
            ["expect"] = c.Expect,
            ["window"] = DurationText.Format(c.Window),
        };
        if (c.For is { } f) properties["for"] = DurationText.Format(f);
        if (c.Observed is { } o) properties["observed"] = o.ToString("G6", CultureInfo.InvariantCulture);
        if (c.Threshold is { } t) properties["threshold"] = t.ToString("G6", CultureInfo.InvariantCulture);
        if (c.BreachedAt is { } at) properties["breached_at"] = DurationText.Format(at);
        return properties;
    }
}
