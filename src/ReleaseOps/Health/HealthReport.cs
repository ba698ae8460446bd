using System.Globalization;
using System.Text.Json;
using System.Xml.Linq;
using ReleaseOps.Errors;

namespace ReleaseOps.Health;

/// <summary>
/// Exports of a verdict for CI systems and scheduled jobs: JSON (the verdict as is) and JUnit XML
/// (one test case per criterion: breached is a failure, pending is skipped). Files are written to
/// a temporary name and renamed, so a reader never sees half a report.
/// </summary>
public static class HealthReport
{
    public static string ToJson(HealthVerdict verdict) => JsonSerializer.Serialize(verdict with { RollbackResult = verdict.RollbackResult?.ToString() }, WatchSummaryStore.Json);

    public static string ToJUnit(HealthVerdict verdict, string suite = "release-health")
    {
        var cases = verdict.Criteria.Select(c =>
        {
            var element = new XElement("testcase",
                new XAttribute("classname", suite),
                new XAttribute("name", c.Name),
                new XAttribute("time", Seconds(c.Window)));
            var detail = $"{c.Expect} over {Plans.DurationText.Format(c.Window)}: observed {c.Observed?.ToString("G6", CultureInfo.InvariantCulture) ?? "-"}" +
                (c.Threshold is null ? "" : $", threshold {c.Threshold.Value.ToString("G6", CultureInfo.InvariantCulture)}") +
                (c.Detail is null ? "" : $" ({c.Detail})");
            switch (c.State)
            {
                case CriterionState.Breached:
                    element.Add(new XElement("failure", new XAttribute("message", $"breached: {c.Expect}"), new XAttribute("type", "Breached"), detail));
                    break;
                case CriterionState.Pending:
                    element.Add(new XElement("skipped", new XAttribute("message", "not enough data to judge")));
                    break;
                case CriterionState.Failing:
                    element.Add(new XElement("system-out", "degraded: " + detail));
                    break;
            }
            return element;
        }).ToList();
        var document = new XDocument(new XElement("testsuites",
            new XElement("testsuite",
                new XAttribute("name", suite),
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", verdict.Criteria.Count(c => c.State == CriterionState.Breached)),
                new XAttribute("skipped", verdict.Criteria.Count(c => c.State == CriterionState.Pending)),
                new XAttribute("errors", 0),
                new XAttribute("time", Seconds(verdict.Duration)),
                new XAttribute("timestamp", verdict.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)),
                new XElement("properties",
                    new XElement("property", new XAttribute("name", "status"), new XAttribute("value", verdict.Status)),
                    new XElement("property", new XAttribute("name", "samples"), new XAttribute("value", verdict.Samples))),
                cases)));
        return document.Declaration + document.ToString();
    }

    public static void WriteJson(HealthVerdict verdict, string path) => Write(path, ToJson(verdict));

    public static void WriteJUnit(HealthVerdict verdict, string path) => Write(path, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" + ToJUnit(verdict));

    private static string Seconds(TimeSpan value) => value.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    private static void Write(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var temporary = full + "." + Guid.NewGuid().ToString("N")[..6] + ".tmp";
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(temporary, text);
            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (IOException) { }
            throw new ReleaseOpsException("HealthReportNotWritten", ex is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.OperationFailed,
                $"Could not write the health report {full}: {ex.Message}", full, "Check that the directory exists and is writable.", ex);
        }
    }
}
