using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReleaseOps.Reporting;

/// <summary>The report as JSON: title, verdict, counts and every case with its evidence; camelCase names, outcomes as words.</summary>
public sealed class JsonReportWriter : IReportWriter
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public ReportFormat Format => ReportFormat.Json;

    public void Write(ReportSuite suite, TextWriter writer)
    {
        var document = new
        {
            title = suite.Title,
            timestamp = suite.Timestamp,
            durationSeconds = Math.Round(suite.Duration.TotalSeconds, 3),
            succeeded = suite.Succeeded,
            summary = suite.Summary,
            counts = Enum.GetValues<ReportOutcome>().ToDictionary(o => JsonNamingPolicy.CamelCase.ConvertName(o.ToString()), suite.Count),
            cases = suite.Cases.Select(c => new
            {
                name = c.Name,
                group = c.Group,
                outcome = c.Outcome,
                severity = c.Severity,
                message = c.Message,
                target = c.Target,
                durationSeconds = Math.Round(c.Duration.TotalSeconds, 3),
                fix = c.Fix,
                evidence = c.Properties,
                details = c.Details.Count == 0 ? null : c.Details,
            }),
        };
        writer.Write(JsonSerializer.Serialize(document, Options));
        writer.WriteLine();
    }
}
