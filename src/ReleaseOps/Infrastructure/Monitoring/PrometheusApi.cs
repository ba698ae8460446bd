using System.Globalization;
using System.Text.Json;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Http;

namespace ReleaseOps.Infrastructure.Monitoring;

/// <summary>One series of an instant query's answer: its labels and its value at the query's time.</summary>
public sealed record PromSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() => $"{MonitoringApi.Describe(Labels)} {PrometheusApi.Format(Value)}";
}

/// <summary>
/// An instant query's answer: <c>vector</c> (a sample per series) or <c>scalar</c> (one sample
/// without labels), and the server's warnings.
/// </summary>
public sealed record PromQueryResult(string ResultType, IReadOnlyList<PromSample> Samples, IReadOnlyList<string> Warnings);

/// <summary>One series of a range query: its labels and its points in time order.</summary>
public sealed record PromRangeSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(DateTimeOffset Time, double Value)> Points);

/// <summary>
/// The Prometheus HTTP API (<c>/api/v1</c>): instant queries and range queries, sent as form posts
/// (long PromQL never meets a URL length limit, and never shows up in a URL that errors report).
/// </summary>
public sealed class PrometheusApi : MonitoringApi
{
    public PrometheusApi(MonitoringEndpoint endpoint, HttpProbeClient? client = null)
        : base(endpoint, "Prometheus", client)
    {
    }

    /// <summary>Evaluates <paramref name="query"/> at <paramref name="time"/> (default: the server's now).</summary>
    public async Task<PromQueryResult> QueryAsync(string query, DateTimeOffset? time = null, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        using var document = await SendAsync("POST", "api/v1/query",
            Query(("query", query), ("time", time is null ? null : Seconds(time.Value))), "application/x-www-form-urlencoded", cancellation)
            .ConfigureAwait(false);
        var data = Data(document.RootElement);
        var type = data.TryGetProperty("resultType", out var t) ? t.GetString() ?? "" : "";
        if (!data.TryGetProperty("result", out var result))
        {
            throw Unexpected("no data.result");
        }
        var samples = type switch
        {
            "vector" => result.EnumerateArray().Select(s => new PromSample(Labels(s.GetProperty("metric")), Value(s.GetProperty("value")))).ToArray(),
            "scalar" => new[] { new PromSample(new Dictionary<string, string>(), Value(result)) },
            "matrix" => throw new ReleaseOpsException("PrometheusRangeVector", FailureKind.InvalidConfiguration,
                "The query returns a range vector (it ends in [duration]); an instant check needs one value per series.", query,
                "Wrap the range in a function such as rate(...[5m]), avg_over_time(...[5m]) or max_over_time(...[5m])."),
            _ => throw new ReleaseOpsException("PrometheusResultUnsupported", FailureKind.InvalidConfiguration,
                $"The query returns a {type}, not numbers.", query, "Write a query that returns an instant vector or a scalar."),
        };
        return new PromQueryResult(type, samples, Warnings(document.RootElement));
    }

    /// <summary>Evaluates <paramref name="query"/> at every <paramref name="step"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public async Task<IReadOnlyList<PromRangeSeries>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step,
        CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(query);
        using var document = await SendAsync("POST", "api/v1/query_range",
            Query(("query", query), ("start", Seconds(start)), ("end", Seconds(end)),
                ("step", step.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture))),
            "application/x-www-form-urlencoded", cancellation).ConfigureAwait(false);
        var data = Data(document.RootElement);
        if (!data.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Array)
        {
            throw Unexpected("no data.result list");
        }
        return result.EnumerateArray().Select(series => new PromRangeSeries(Labels(series.GetProperty("metric")),
            series.GetProperty("values").EnumerateArray()
                .Select(point => (DateTimeOffset.FromUnixTimeMilliseconds((long)(point[0].GetDouble() * 1000)), Value(point)))
                .ToArray())).ToArray();
    }

    /// <summary>A sample value as Prometheus writes it (<c>0.5</c>, <c>NaN</c>, <c>+Inf</c>).</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("G10", CultureInfo.InvariantCulture);

    private JsonElement Data(JsonElement root) =>
        root.TryGetProperty("status", out var status) && status.GetString() == "success" && root.TryGetProperty("data", out var data)
            ? data
            : throw Unexpected("no status 'success' with data");

    private static IReadOnlyList<string> Warnings(JsonElement root) =>
        root.TryGetProperty("warnings", out var warnings) && warnings.ValueKind == JsonValueKind.Array
            ? warnings.EnumerateArray().Select(w => w.ToString()).ToArray()
            : Array.Empty<string>();

    /// <summary>The value of a <c>[time, "value"]</c> pair.</summary>
    private static double Value(JsonElement pair)
    {
        var text = pair[1].GetString() ?? "NaN";
        return text switch
        {
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    private static string Seconds(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
