using ReleaseOps.Health;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Gates;
using Xunit;
using static ReleaseOps.Tests.Health.WatchProbeKit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// A container-logs watch probe reading a Swarm service of the test dockerd (the evidence fixture's, which wrote three failed
/// logins at its start, one of them in capitals on stderr): service, ignore_case and window, each changing what is counted.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class ContainerLogsProbeKeyTests : IClassFixture<DockerEvidenceFixture>
{
    private readonly DockerEvidenceFixture _docker;

    public ContainerLogsProbeKeyTests(DockerEvidenceFixture docker) => _docker = docker;

    [Fact]
    public async Task A_logs_probe_reads_a_services_tasks_matching_case_as_asked_within_its_window()
    {
        Dictionary<string, object?> Settings(bool ignoreCase, string window) => new()
        {
            ["service"] = _docker.LogService, ["pattern"] = "auth failed", ["ignore_case"] = ignoreCase, ["window"] = window,
        };
        var watch = Watch(TimeSpan.FromSeconds(1), new[]
        {
            Probe("any-case", ProbeType.ContainerLogs, Settings(ignoreCase: true, window: "1h")),
            Probe("exact-case", ProbeType.ContainerLogs, Settings(ignoreCase: false, window: "1h")),
            // The lines were written when the fixture started the service, well over a millisecond ago.
            Probe("recent", ProbeType.ContainerLogs, Settings(ignoreCase: true, window: "1ms")),
        }, services: new HealthWatchServices { Docker = _docker.Client }, stopOnBreach: false);
        var (samples, _) = await RunAsync(watch);
        double Count(string probe)
        {
            var sample = samples.First(s => s.Probe == probe);
            Assert.True(sample.Success, sample.ToString());
            return sample.Values["count"];
        }

        Assert.Equal(3, Count("any-case"));
        Assert.Equal(2, Count("exact-case"));
        Assert.Equal(0, Count("recent"));
        var missing = Watch(TimeSpan.FromSeconds(0.5), new[]
        {
            Probe("gone", ProbeType.ContainerLogs, new Dictionary<string, object?> { ["service"] = "ro-no-such-service", ["pattern"] = "x" }),
        }, services: new HealthWatchServices { Docker = _docker.Client }, stopOnBreach: false);
        Assert.All((await RunAsync(missing)).Samples, s => Assert.False(s.Success));
    }
}
