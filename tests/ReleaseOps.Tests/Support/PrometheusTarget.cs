using System.Diagnostics;
using System.Text.Json;
using ReleaseOps.Infrastructure.Monitoring;

namespace ReleaseOps.Tests.Support;

/// <summary>
/// A scrape target of the test environment's Prometheus whose metrics the test writes: a metrics file
/// served by the fixtures' httpd and a file_sd entry that makes Prometheus scrape it every second with
/// the label <c>fixture="NAME"</c>. <see cref="Publish"/> replaces the metrics; <see cref="GoDown"/> makes
/// the target answer 404 (<c>up == 0</c>). Removed on dispose.
/// </summary>
public sealed class PrometheusTarget : IDisposable
{
    public PrometheusTarget(string? metrics = null)
    {
        TestEnvironment.Require(TestService.Prometheus);
        Name = "t" + Guid.NewGuid().ToString("N")[..12];
        Publish(metrics ?? "# no metrics yet\n");
        var target = new[]
        {
            new
            {
                targets = new[] { TestEnvironment.PrometheusFixtureAddress },
                labels = new Dictionary<string, string> { ["__metrics_path__"] = "/" + Name + ".prom", ["fixture"] = Name },
            },
        };
        WriteAtomically(SdFile, JsonSerializer.Serialize(target));
    }

    /// <summary>The value of the <c>fixture</c> label on every series of this target.</summary>
    public string Name { get; }

    /// <summary>A selector for this target's series: <c>fixture="NAME"</c>.</summary>
    public string Selector => $"fixture=\"{Name}\"";

    private string MetricsFile => Path.Combine(TestEnvironment.PrometheusFixtures, Name + ".prom");

    private string SdFile => Path.Combine(TestEnvironment.PrometheusTargets, Name + ".json");

    /// <summary>Replaces what the target serves (Prometheus text format).</summary>
    public void Publish(string metrics) => WriteAtomically(MetricsFile, metrics);

    /// <summary>The target stops answering with metrics (404): Prometheus records up == 0.</summary>
    public void GoDown() => File.Delete(MetricsFile);

    /// <summary>
    /// Asks Prometheus until <paramref name="query"/> answers as <paramref name="ready"/> wants (it scrapes every
    /// second and picks a new target up within a few); fails the test after <paramref name="limit"/> (default 30 s).
    /// </summary>
    public static async Task<PromQueryResult> WaitUntilAsync(string query, Func<PromQueryResult, bool> ready, TimeSpan? limit = null)
    {
        using var prometheus = new PrometheusApi(new MonitoringEndpoint { BaseUrl = TestEnvironment.PrometheusUrl });
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var result = await prometheus.QueryAsync(query);
            if (ready(result))
            {
                return result;
            }
            if (clock.Elapsed > (limit ?? TimeSpan.FromSeconds(30)))
            {
                throw new Xunit.Sdk.XunitException($"Prometheus did not answer '{query}' as expected within {clock.Elapsed}: " +
                                                   string.Join("; ", result.Samples));
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until Prometheus has scraped this target and sees <paramref name="query"/> with <paramref name="series"/> series.</summary>
    public Task<PromQueryResult> WaitForSeriesAsync(string query, int series = 1) => WaitUntilAsync(query, r => r.Samples.Count == series);

    public void Dispose()
    {
        File.Delete(SdFile);
        File.Delete(MetricsFile);
    }

    private static void WriteAtomically(string path, string text)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, text);
        File.Move(temporary, path, overwrite: true);
    }
}
