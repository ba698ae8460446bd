using System.Globalization;
using System.Xml;

namespace ReleaseOps.Reporting;

/// <summary>
/// JUnit XML as CI systems read it (GitLab, Jenkins, GitHub test reporters): one testsuite, one
/// testcase per case; failures and errors carry the message and the evidence; warnings pass with
/// their message in system-out; skipped cases are marked skipped.
/// </summary>
public sealed class JUnitReportWriter : IReportWriter
{
    public ReportFormat Format => ReportFormat.JUnit;

    public void Write(ReportSuite suite, TextWriter writer)
    {
        // Through a UTF-8 stream, so the declaration says utf-8 whatever the TextWriter is.
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false), CheckCharacters = false }))
        {
            WriteDocument(suite, xml);
        }
        writer.Write(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
        writer.WriteLine();
    }

    private static void WriteDocument(ReportSuite suite, XmlWriter xml)
    {
        xml.WriteStartDocument();
        xml.WriteStartElement("testsuites");
        Totals(xml, suite);
        xml.WriteStartElement("testsuite");
        Totals(xml, suite);
        xml.WriteAttributeString("timestamp", suite.Timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        foreach (var c in suite.Cases)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("name", Clean(c.Name));
            xml.WriteAttributeString("classname", Clean(c.Group));
            xml.WriteAttributeString("time", Seconds(c.Duration));
            if (c.Properties.Count > 0 || c.Severity is not null || c.Target is not null)
            {
                xml.WriteStartElement("properties");
                if (c.Severity is not null)
                {
                    Property(xml, "severity", c.Severity);
                }
                if (c.Target is not null)
                {
                    Property(xml, "target", c.Target);
                }
                foreach (var (key, value) in c.Properties)
                {
                    Property(xml, key, value);
                }
                xml.WriteEndElement();
            }
            var body = Body(c);
            switch (c.Outcome)
            {
                case ReportOutcome.Failed:
                case ReportOutcome.Error:
                    xml.WriteStartElement(c.Outcome == ReportOutcome.Failed ? "failure" : "error");
                    xml.WriteAttributeString("message", Clean(c.Message));
                    xml.WriteAttributeString("type", c.Outcome == ReportOutcome.Failed ? "GateFailed" : "GateError");
                    xml.WriteString(Clean(body));
                    xml.WriteEndElement();
                    break;
                case ReportOutcome.Skipped:
                    xml.WriteStartElement("skipped");
                    xml.WriteAttributeString("message", Clean(c.Message));
                    xml.WriteEndElement();
                    break;
                default:
                    xml.WriteElementString("system-out", Clean((c.Outcome == ReportOutcome.Warning ? "WARNING: " : "") + body));
                    break;
            }
            xml.WriteEndElement();
        }
        xml.WriteEndElement();
        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void Totals(XmlWriter xml, ReportSuite suite)
    {
        xml.WriteAttributeString("name", suite.Title);
        xml.WriteAttributeString("tests", Count(suite.Cases.Count));
        xml.WriteAttributeString("failures", Count(suite.Count(ReportOutcome.Failed)));
        xml.WriteAttributeString("errors", Count(suite.Count(ReportOutcome.Error)));
        xml.WriteAttributeString("skipped", Count(suite.Count(ReportOutcome.Skipped)));
        xml.WriteAttributeString("time", Seconds(suite.Duration));
    }

    private static string Body(ReportCase c)
    {
        var lines = new List<string> { c.Message };
        if (c.Target is not null)
        {
            lines.Add("target: " + c.Target);
        }
        lines.AddRange(c.Properties.Select(p => $"{p.Key}: {p.Value}"));
        lines.AddRange(c.Details);
        if (c.Fix is not null)
        {
            lines.Add("fix: " + c.Fix);
        }
        return string.Join("\n", lines);
    }

    private static void Property(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", Clean(name));
        xml.WriteAttributeString("value", Clean(value));
        xml.WriteEndElement();
    }

    /// <summary>Removes characters XML 1.0 cannot carry (control characters from server output).</summary>
    private static string Clean(string text) => new(text.Where(ch => ch is '\t' or '\n' or '\r' || (ch >= 0x20 && ch != 0xFFFE && ch != 0xFFFF)).ToArray());

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
