using ReleaseOps.Errors;
using ReleaseOps.Health;
using Xunit;

namespace ReleaseOps.Tests.Health;

public class PrometheusTextTests
{
    // The exposition format's own example (counters with labels and timestamps, escapes, odd
    // values, a histogram and a summary).
    private const string Exposition = """
        # HELP http_requests_total The total number of HTTP requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400"}    3 1395066363000
        http_requests_total{method="post",code="503"}   20 1395066363000

        # Escaping in label values:
        msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9

        # Minimalistic line:
        metric_without_timestamp_and_labels 12.47

        # A weird metric from before the epoch:
        something_weird{problem="division by zero"} +Inf -3982045

        # A histogram, which has a pretty complex representation in the text format:
        # HELP http_request_duration_seconds A histogram of the request duration.
        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{le="0.05"} 24054
        http_request_duration_seconds_bucket{le="0.1"} 33444
        http_request_duration_seconds_bucket{le="0.2"} 100392
        http_request_duration_seconds_bucket{le="0.5"} 129389
        http_request_duration_seconds_bucket{le="1"} 133988
        http_request_duration_seconds_bucket{le="+Inf"} 144320
        http_request_duration_seconds_sum 53423
        http_request_duration_seconds_count 144320

        # Finally a summary, which has a complex representation, too:
        # HELP rpc_duration_seconds A summary of the RPC duration in seconds.
        # TYPE rpc_duration_seconds summary
        rpc_duration_seconds{quantile="0.01"} 3102
        rpc_duration_seconds{quantile="0.5"} 4773
        rpc_duration_seconds_sum 1.7560473e+07
        rpc_duration_seconds_count 2693
        """;

    [Fact]
    public void Parses_the_reference_exposition()
    {
        var families = PrometheusText.Parse(Exposition);

        var requests = families["http_requests_total"];
        Assert.Equal(PrometheusMetricType.Counter, requests.Type);
        Assert.Equal("The total number of HTTP requests.", requests.Help);
        Assert.Equal(3, requests.Samples.Count);
        Assert.Equal(1395066363000, requests.Samples[0].TimestampMs);
        Assert.Equal("400", requests.Samples[1].Label("code"));

        var escaped = Assert.Single(families["msdos_file_access_time_seconds"].Samples);
        Assert.Equal(@"C:\DIR\FILE.TXT", escaped.Label("path"));
        Assert.Equal("Cannot find file:\n\"FILE.TXT\"", escaped.Label("error"));
        Assert.Equal(1.458255915e9, escaped.Value);

        Assert.Equal(12.47, Assert.Single(families["metric_without_timestamp_and_labels"].Samples).Value);
        var weird = Assert.Single(families["something_weird"].Samples);
        Assert.True(double.IsPositiveInfinity(weird.Value));
        Assert.Equal(-3982045, weird.TimestampMs);

        var histogram = families["http_request_duration_seconds"];
        Assert.Equal(PrometheusMetricType.Histogram, histogram.Type);
        Assert.Equal(8, histogram.Samples.Count);
        Assert.Equal(PrometheusMetricType.Summary, families["rpc_duration_seconds"].Type);
        Assert.Equal(4, families["rpc_duration_seconds"].Samples.Count);
    }

    [Fact]
    public void Request_counter_and_errors_by_status()
    {
        var families = PrometheusText.Parse(Exposition);
        var counter = PrometheusFigures.RequestCounter(families)!;

        var (requests, errors) = PrometheusFigures.Totals(counter);

        Assert.Equal(1050, requests);
        Assert.Equal(20, errors); // only the 503s are server errors
    }

    [Fact]
    public void Histogram_quantiles_interpolate_inside_the_bucket()
    {
        var families = PrometheusText.Parse(Exposition);
        var buckets = PrometheusFigures.Buckets(PrometheusFigures.LatencyHistogram(families)!);
        var cumulative = PrometheusFigures.Delta(buckets, null);

        // Median: rank 72160 falls in (0.1, 0.2] holding 33444..100392.
        var expectedMedian = 0.1 + 0.1 * ((0.5 * 144320 - 33444) / (100392.0 - 33444));
        Assert.Equal(expectedMedian, PrometheusFigures.Quantile(cumulative, 0.5)!.Value, 9);
        // p99 is in the +Inf bucket: the highest finite bound.
        Assert.Equal(1, PrometheusFigures.Quantile(cumulative, 0.99));
    }

    [Fact]
    public void Deltas_between_scrapes_and_counter_resets()
    {
        var before = new SortedDictionary<double, double> { [0.1] = 10, [1] = 20, [double.PositiveInfinity] = 20 };
        var after = new SortedDictionary<double, double> { [0.1] = 10, [1] = 30, [double.PositiveInfinity] = 30 };
        var delta = PrometheusFigures.Delta(after, before);
        Assert.Equal(new[] { 0.0, 10, 10 }, delta.Select(d => d.Count));

        var reset = new SortedDictionary<double, double> { [0.1] = 1, [1] = 2, [double.PositiveInfinity] = 2 };
        Assert.Equal(new[] { 1.0, 2, 2 }, PrometheusFigures.Delta(reset, after).Select(d => d.Count));
    }

    [Theory]
    [InlineData("metric{label=\"unterminated} 1")]
    [InlineData("metric 12abc")]
    [InlineData("{label=\"x\"} 1")]
    [InlineData("# TYPE metric flavour")]
    public void Malformed_lines_are_typed_errors_with_the_line(string text)
    {
        var ex = Assert.Throws<ReleaseOpsException>(() => PrometheusText.Parse("ok 1\n" + text, "http://127.0.0.1:1/metrics"));
        Assert.Equal("MetricsExpositionInvalid", ex.ErrorId);
        Assert.Contains("line 2", ex.Message);
    }
}
