using System.Globalization;
using ReleaseOps.Errors;

namespace ReleaseOps.Health;

public enum PrometheusMetricType
{
    Untyped,
    Counter,
    Gauge,
    Histogram,
    Summary,
}

/// <summary>One line of an exposition: a sample name, its labels, value and optional timestamp (ms).</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? TimestampMs)
{
    public string? Label(string name) => Labels.TryGetValue(name, out var value) ? value : null;
}

/// <summary>A metric family: the name from <c># TYPE</c>, its type and help, and its samples (for a histogram also the _bucket, _sum and _count lines).</summary>
public sealed record PrometheusFamily(string Name, PrometheusMetricType Type, string? Help, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// A parser of the Prometheus text exposition format (version 0.0.4): <c># HELP</c> and <c># TYPE</c>
/// lines, samples with optional label sets (escaped <c>\\</c>, <c>\"</c> and <c>\n</c> in values),
/// float values including <c>+Inf</c>, <c>-Inf</c> and <c>NaN</c>, and optional millisecond timestamps.
/// Histogram and summary samples (<c>_bucket</c>, <c>_sum</c>, <c>_count</c>) are grouped under their family.
/// </summary>
public static class PrometheusText
{
    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text, string source = "metrics")
    {
        ArgumentNullException.ThrowIfNull(text);
        var types = new Dictionary<string, PrometheusMetricType>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new Dictionary<string, List<PrometheusSample>>(StringComparer.Ordinal);
        var order = new List<string>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r').Trim();
            if (line.Length == 0) continue;
            if (line[0] == '#')
            {
                ReadComment(line, types, help, source, lineNumber);
                continue;
            }
            var sample = ReadSample(line, source, lineNumber);
            var family = FamilyOf(sample.Name, types);
            if (!samples.TryGetValue(family, out var list))
            {
                samples[family] = list = new List<PrometheusSample>();
                order.Add(family);
            }
            list.Add(sample);
        }
        foreach (var name in types.Keys.Where(n => !samples.ContainsKey(n)))
        {
            samples[name] = new List<PrometheusSample>();
            order.Add(name);
        }
        return order.ToDictionary(name => name,
            name => new PrometheusFamily(name, types.GetValueOrDefault(name, PrometheusMetricType.Untyped),
                help.GetValueOrDefault(name), samples[name]), StringComparer.Ordinal);
    }

    private static string FamilyOf(string sampleName, Dictionary<string, PrometheusMetricType> types)
    {
        if (types.ContainsKey(sampleName)) return sampleName;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal))
            {
                var stem = sampleName[..^suffix.Length];
                if (types.TryGetValue(stem, out var type) && type is PrometheusMetricType.Histogram or PrometheusMetricType.Summary)
                {
                    return stem;
                }
            }
        }
        return sampleName;
    }

    private static void ReadComment(string line, Dictionary<string, PrometheusMetricType> types,
        Dictionary<string, string> help, string source, int lineNumber)
    {
        var parts = line[1..].TrimStart().Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2) return; // an ordinary comment
        if (parts[0] == "TYPE")
        {
            var typeText = parts.Length > 2 ? parts[2].Trim() : "";
            types[parts[1]] = typeText switch
            {
                "counter" => PrometheusMetricType.Counter,
                "gauge" => PrometheusMetricType.Gauge,
                "histogram" => PrometheusMetricType.Histogram,
                "summary" => PrometheusMetricType.Summary,
                "untyped" => PrometheusMetricType.Untyped,
                _ => throw Invalid(source, lineNumber, $"unknown metric type '{typeText}'"),
            };
        }
        else if (parts[0] == "HELP")
        {
            help[parts[1]] = parts.Length > 2 ? Unescape(parts[2], helpText: true) : "";
        }
    }

    private static PrometheusSample ReadSample(string line, string source, int lineNumber)
    {
        var i = 0;
        while (i < line.Length && IsNameChar(line[i], i == 0)) i++;
        if (i == 0) throw Invalid(source, lineNumber, "a sample line must start with a metric name");
        var name = line[..i];
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                SkipSpaces(line, ref i);
                if (i < line.Length && line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && IsNameChar(line[i], i == start)) i++;
                if (i == start) throw Invalid(source, lineNumber, "expected a label name");
                var label = line[start..i];
                SkipSpaces(line, ref i);
                if (i >= line.Length || line[i] != '=') throw Invalid(source, lineNumber, $"expected '=' after label {label}");
                i++;
                SkipSpaces(line, ref i);
                if (i >= line.Length || line[i] != '"') throw Invalid(source, lineNumber, $"expected a quoted value for label {label}");
                i++;
                var value = new System.Text.StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw Invalid(source, lineNumber, $"unterminated value of label {label}");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\' && i < line.Length)
                    {
                        var e = line[i++];
                        value.Append(e switch { 'n' => '\n', '\\' => '\\', '"' => '"', _ => throw Invalid(source, lineNumber, $"bad escape \\{e}") });
                    }
                    else
                    {
                        value.Append(c);
                    }
                }
                labels[label] = value.ToString();
                SkipSpaces(line, ref i);
                if (i < line.Length && line[i] == ',') { i++; continue; }
                if (i < line.Length && line[i] == '}') { i++; break; }
                throw Invalid(source, lineNumber, "expected ',' or '}' in the label set");
            }
        }
        var rest = line[i..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is < 1 or > 2) throw Invalid(source, lineNumber, $"expected a value (and optional timestamp) after {name}");
        var sampleValue = ParseValue(rest[0]) ?? throw Invalid(source, lineNumber, $"'{rest[0]}' is not a number");
        long? timestamp = null;
        if (rest.Length == 2)
        {
            if (!long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ts))
            {
                throw Invalid(source, lineNumber, $"'{rest[1]}' is not a timestamp in milliseconds");
            }
            timestamp = ts;
        }
        return new PrometheusSample(name, labels, sampleValue, timestamp);
    }

    /// <summary>Parses a sample value: a float, <c>+Inf</c>, <c>-Inf</c> or <c>NaN</c>.</summary>
    public static double? ParseValue(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null,
    };

    private static bool IsNameChar(char c, bool first) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' or ':' || (!first && c is >= '0' and <= '9');

    private static void SkipSpaces(string line, ref int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t') i++;
    }

    private static string Unescape(string text, bool helpText) =>
        text.Replace("\\n", "\n").Replace("\\\\", "\\");

    private static ReleaseOpsException Invalid(string source, int line, string what) =>
        new("MetricsExpositionInvalid", FailureKind.OperationFailed,
            $"The metrics endpoint {source} returned text that is not in the Prometheus format: line {line}: {what}.",
            source, "Point the probe at a Prometheus text-format endpoint (Content-Type text/plain; version=0.0.4).");
}

/// <summary>Figures read from two consecutive scrapes of a metrics endpoint.</summary>
public static class PrometheusFigures
{
    /// <summary>
    /// The request counter: the first counter whose name ends in <c>requests_total</c> (or
    /// <c>requests</c>) and carries a <c>code</c> or <c>status</c> label; else the first such counter.
    /// </summary>
    public static PrometheusFamily? RequestCounter(IReadOnlyDictionary<string, PrometheusFamily> families) =>
        families.Values.Where(f => f.Type is PrometheusMetricType.Counter or PrometheusMetricType.Untyped &&
                (f.Name.EndsWith("requests_total", StringComparison.Ordinal) || f.Name.EndsWith("requests", StringComparison.Ordinal)))
            .OrderByDescending(f => f.Samples.Any(s => StatusOf(s) is not null))
            .FirstOrDefault();

    /// <summary>The latency histogram: the first histogram whose name mentions duration or latency.</summary>
    public static PrometheusFamily? LatencyHistogram(IReadOnlyDictionary<string, PrometheusFamily> families) =>
        families.Values.FirstOrDefault(f => f.Type == PrometheusMetricType.Histogram &&
            (f.Name.Contains("duration", StringComparison.Ordinal) || f.Name.Contains("latency", StringComparison.Ordinal)));

    /// <summary>The HTTP status of a request counter sample, from its <c>code</c> or <c>status</c> label.</summary>
    public static string? StatusOf(PrometheusSample sample) => sample.Label("code") ?? sample.Label("status");

    /// <summary>Total requests and 5xx errors of a counter family (errors also counts an <c>error="true"</c> label).</summary>
    public static (double Requests, double Errors) Totals(PrometheusFamily counter)
    {
        double requests = 0, errors = 0;
        foreach (var sample in counter.Samples.Where(s => s.Name == counter.Name))
        {
            requests += sample.Value;
            var status = StatusOf(sample);
            if ((status is not null && status.StartsWith('5')) || sample.Label("error") == "true") errors += sample.Value;
        }
        return (requests, errors);
    }

    /// <summary>Cumulative bucket counts of a histogram (summed over its label sets), by upper bound.</summary>
    public static SortedDictionary<double, double> Buckets(PrometheusFamily histogram)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var sample in histogram.Samples.Where(s => s.Name == histogram.Name + "_bucket"))
        {
            if (sample.Label("le") is { } le && PrometheusText.ParseValue(le) is { } bound && !double.IsNaN(bound))
            {
                buckets[bound] = buckets.GetValueOrDefault(bound) + sample.Value;
            }
        }
        return buckets;
    }

    /// <summary>
    /// The q-quantile (0..1) from cumulative buckets, as Prometheus's histogram_quantile estimates it:
    /// linear interpolation inside the bucket that holds the rank; the highest finite bound when the
    /// rank falls in the +Inf bucket. Null when there are no observations.
    /// </summary>
    public static double? Quantile(IReadOnlyList<(double UpperBound, double Count)> cumulative, double q)
    {
        if (cumulative.Count == 0) return null;
        var total = cumulative[^1].Count;
        if (total <= 0) return null;
        var rank = q * total;
        double lowerBound = 0, lowerCount = 0;
        foreach (var (bound, count) in cumulative)
        {
            if (count >= rank)
            {
                if (double.IsPositiveInfinity(bound)) return lowerBound;
                var inBucket = count - lowerCount;
                return inBucket <= 0 ? bound : lowerBound + (bound - lowerBound) * ((rank - lowerCount) / inBucket);
            }
            lowerBound = bound;
            lowerCount = count;
        }
        return lowerBound;
    }

    /// <summary>Bucket deltas between two scrapes; a counter reset (a smaller value) counts from zero.</summary>
    public static List<(double UpperBound, double Count)> Delta(SortedDictionary<double, double> current,
        SortedDictionary<double, double>? previous)
    {
        var reset = previous is not null && current.Any(b => previous.TryGetValue(b.Key, out var p) && b.Value < p);
        return current.Select(b => (b.Key, previous is null || reset ? b.Value : b.Value - previous.GetValueOrDefault(b.Key)))
            .ToList();
    }
}
