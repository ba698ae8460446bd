using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Health;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Docker;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Health.WatchProbeKit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// The watch's probes of the team's own figures against the real components: a PromQL query on the test
/// Prometheus, log lines of a container on the test dockerd, and commands.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class WatchProbeTests : TemporaryDirectory
{
    private static Dictionary<string, object?> Prometheus(string query) =>
        new() { ["url"] = TestEnvironment.PrometheusUrl.ToString(), ["query"] = query };

    [Fact]
    public async Task A_job_success_ratio_from_prometheus_holds_and_then_breaches_when_the_team_metric_drops()
    {
        using var target = new PrometheusTarget("jobs_success_ratio{job=\"nightly\"} 0.99\n");
        var query = $"jobs_success_ratio{{{target.Selector}}}";
        await target.WaitForSeriesAsync(query);
        var watch = Watch(TimeSpan.FromSeconds(30), new[] { Probe("jobs", ProbeType.Prometheus, Prometheus(query)) },
            new[] { new CriterionDefinition { Name = "job-success", Expect = "value > 0.98", Probe = "jobs" } });

        var healthySeen = 0;
        var (samples, verdict) = await RunAsync(watch, sample =>
        {
            // After a few healthy samples, the team's metric drops: the criterion must breach on it.
            if (sample.Values.GetValueOrDefault("value") > 0.98 && ++healthySeen == 3)
            {
                target.Publish("jobs_success_ratio{job=\"nightly\"} 0.5\n");
            }
        });
        Assert.True(verdict.Status == HealthStatus.Breached, Describe(samples));
        Assert.Equal("job-success", verdict.Criterion);
        Assert.Equal(0.5, verdict.Observed);
        Assert.True(healthySeen >= 3, "the criterion breached before the metric dropped");
        Assert.All(samples, s => Assert.True(s.Success, s.ToString()));
        Assert.Equal(1, samples[^1].Values["series"]);
        Assert.Null(samples[^1].LatencyMs);
    }

    [Fact]
    public async Task A_probe_expectation_fails_samples_and_bad_queries_or_credentials_fail_them_without_leaking()
    {
        var canary = CanarySecret.New();
        var secrets = SecretCatalog.Empty.With(new GivenSecretSource("prom", new SecretValue(canary)));
        var proxied = new Dictionary<string, object?>
        {
            ["url"] = TestEnvironment.MonitoringProxy + "bearer", ["query"] = "vector(1)", ["bearer_token"] = "${secret:prom}",
            ["ca_file"] = TestEnvironment.NginxCertificate,
        };
        var watch = Watch(TimeSpan.FromSeconds(1.5), new[]
        {
            Probe("over", ProbeType.Prometheus, Prometheus("vector(3)"), null, "value < 2"),
            Probe("syntax", ProbeType.Prometheus, Prometheus("sum(")),
            Probe("refused", ProbeType.Prometheus, proxied),
        }, secrets: secrets, stopOnBreach: false);
        var (samples, verdict) = await RunAsync(watch);
        Assert.Contains(samples, s => s.Probe == "over" && !s.Success && s.Error == "value 3 is not < 2");
        Assert.Contains(samples, s => s.Probe == "syntax" && !s.Success && s.Error!.Contains("parse error"));
        Assert.Contains(samples, s => s.Probe == "refused" && !s.Success && s.Error!.Contains("HTTP 401"));
        CanarySecret.AssertAbsent(canary, samples.Select(s => s.ToString()).Append(HealthReport.ToJson(verdict)), "prometheus probe samples");
    }

    [Fact]
    public async Task A_prometheus_probe_behind_tls_uses_its_basic_credentials_and_its_ca_file_or_insecure()
    {
        var proxy = TestEnvironment.MonitoringProxy.ToString().TrimEnd('/');
        var secrets = SecretCatalog.Empty
            .With(new GivenSecretSource("prom_password", new SecretValue(TestEnvironment.PrometheusPassword)))
            .With(new GivenSecretSource("prom_token", new SecretValue(TestEnvironment.PrometheusToken)));
        Dictionary<string, object?> Settings(string path, params (string Key, object? Value)[] more)
        {
            var settings = new Dictionary<string, object?> { ["url"] = proxy + path, ["query"] = "vector(1)" };
            foreach (var (key, value) in more) settings[key] = value;
            return settings;
        }
        var ca = ("ca_file", (object?)TestEnvironment.NginxCertificate);
        var token = ("bearer_token", (object?)"${secret:prom_token}");
        var watch = Watch(TimeSpan.FromSeconds(1.2), new[]
        {
            Probe("basic", ProbeType.Prometheus, Settings("/basic", ca, ("username", TestEnvironment.PrometheusUser), ("password", "${secret:prom_password}"))),
            Probe("anonymous", ProbeType.Prometheus, Settings("/basic", ca)),
            Probe("untrusted", ProbeType.Prometheus, Settings("/bearer", token)),
            Probe("insecure", ProbeType.Prometheus, Settings("/bearer", token, ("insecure", true))),
        }, secrets: secrets, stopOnBreach: false);
        var (samples, verdict) = await RunAsync(watch);
        HealthSample First(string probe) => samples.First(s => s.Probe == probe);

        Assert.True(First("basic").Success, First("basic").ToString());
        Assert.Equal(1, First("basic").Values["value"]);
        Assert.False(First("anonymous").Success);
        Assert.Contains("HTTP 401", First("anonymous").Error);
        Assert.False(First("untrusted").Success);
        Assert.Contains("certificate", First("untrusted").Error, StringComparison.OrdinalIgnoreCase);
        Assert.True(First("insecure").Success, First("insecure").ToString());
        CanarySecret.AssertAbsent(TestEnvironment.PrometheusPassword, samples.Select(s => s.ToString()).Append(HealthReport.ToJson(verdict)), "prometheus probe samples");
    }

    [Fact]
    public async Task Failed_logins_in_a_containers_logs_are_counted_each_interval_and_breach_a_rate_criterion()
    {
        TestEnvironment.Require(TestService.Docker);
        using var docker = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        var name = "ro-watch-logs-" + Guid.NewGuid().ToString("N")[..6];
        var quiet = name + "-quiet";
        await docker.RunAsync(TestContainers.Spec(name, "releaseops-test/web:v1",
            command: ["/bin/sh", "-c", "while true; do echo 'auth failed for bob'; echo 'GET / 200'; sleep 0.1; done"]));
        await docker.RunAsync(TestContainers.Spec(quiet, "releaseops-test/web:v1", command: ["/bin/sh", "-c", "echo 'GET / 200'; sleep 3600"]));
        try
        {
            var services = new HealthWatchServices { Docker = docker };
            // Not stopped at the breach: the quiet container's probe must have sampled too, however fast the breach comes.
            var watch = Watch(TimeSpan.FromSeconds(3), new[]
            {
                Probe("logins", ProbeType.ContainerLogs, new Dictionary<string, object?> { ["container"] = name, ["pattern"] = "auth failed", ["window"] = TimeSpan.FromSeconds(2) }),
                Probe("quiet", ProbeType.ContainerLogs, new Dictionary<string, object?>
                {
                    ["container"] = quiet, ["pattern"] = "get /", ["ignore_case"] = true, ["window"] = TimeSpan.FromHours(1),
                }),
            }, new[]
            {
                new CriterionDefinition { Name = "logins", Expect = "count < 5", Probe = "logins", Window = TimeSpan.FromSeconds(1) },
            }, services: services, stopOnBreach: false);
            var (samples, verdict) = await RunAsync(watch);
            Assert.True(verdict.Status == HealthStatus.Breached, Describe(samples));
            Assert.Equal("logins", verdict.Criterion);
            Assert.True(verdict.Observed >= 5, Describe(samples));
            // The quiet container wrote one line, "GET / 200", at its start: within the hour, whatever the case.
            Assert.Equal(1, samples.Last(s => s.Probe == "quiet").Values["count"]);
            Assert.Contains(samples, s => s.Probe == "logins" && s.Values["lines"] > s.Values["count"]);
        }
        finally
        {
            await docker.RemoveQuietlyAsync(name);
            await docker.RemoveQuietlyAsync(quiet);
        }
    }

    [Fact]
    public async Task A_container_prefix_counts_the_logs_of_every_running_replica_and_none_running_is_a_failed_sample()
    {
        TestEnvironment.Require(TestService.Docker);
        using var docker = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        var stem = "ro-watch-replicas-" + Guid.NewGuid().ToString("N")[..6] + "-";
        // Two replicas writing one failed login each, a stopped one whose line must not count, and a container whose
        // name only contains the stem (docker's name filter matches anywhere; a prefix must not).
        await docker.RunAsync(TestContainers.Spec(stem + "1", "releaseops-test/web:v1", command: ["/bin/sh", "-c", "echo 'auth failed for ann'; sleep 3600"]));
        await docker.RunAsync(TestContainers.Spec(stem + "2", "releaseops-test/web:v1", command: ["/bin/sh", "-c", "echo 'auth failed for bob'; echo 'GET / 200'; sleep 3600"]));
        await docker.RunAsync(TestContainers.Spec(stem + "old", "releaseops-test/web:v1", command: ["/bin/sh", "-c", "echo 'auth failed for eve'"]));
        await docker.RunAsync(TestContainers.Spec("x" + stem + "3", "releaseops-test/web:v1", command: ["/bin/sh", "-c", "echo 'auth failed for joe'; sleep 3600"]));
        try
        {
            var services = new HealthWatchServices { Docker = docker };
            var watch = Watch(TimeSpan.FromSeconds(2), new[]
            {
                Probe("logins", ProbeType.ContainerLogs, new Dictionary<string, object?> { ["container"] = stem + "*", ["pattern"] = "auth failed", ["window"] = TimeSpan.FromHours(1) }),
                Probe("gone", ProbeType.ContainerLogs, new Dictionary<string, object?> { ["container"] = stem + "nothing-*", ["pattern"] = "auth failed" }),
            }, Array.Empty<CriterionDefinition>(), services: services, stopOnBreach: false);
            var (samples, _) = await RunAsync(watch);
            var logins = samples.Last(s => s.Probe == "logins");
            Assert.True(logins.Success, Describe(samples));
            Assert.Equal(2, logins.Values["count"]);
            Assert.Equal(3, logins.Values["lines"]);
            var gone = samples.Last(s => s.Probe == "gone");
            Assert.False(gone.Success);
            Assert.Contains($"No running container's name starts with '{stem}nothing-'", gone.Error);
            Assert.False(gone.Values.ContainsKey("count"));
        }
        finally
        {
            foreach (var name in new[] { stem + "1", stem + "2", stem + "old", "x" + stem + "3" }) await docker.RemoveQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task A_command_runs_without_a_shell_with_only_its_environment_and_its_secret_masked()
    {
        var canary = CanarySecret.New();
        var parentOnly = "RELEASEOPS_TEST_PARENT_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(parentOnly, "inherited");
        try
        {
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, "scripts"));
            var script = Write("scripts/check.sh", "#!/bin/sh\necho \"token=$API_TOKEN\"\nenv\necho \"args: $*\"\necho \"in $(pwd)\"\n[ \"$API_TOKEN\" = \"$EXPECTED\" ] && echo OK && exit 0\nexit 3\n");
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var secrets = SecretCatalog.Empty.With(new GivenSecretSource("api_token", new SecretValue(canary)));
            var outputs = new List<string>();
            var watch = Watch(TimeSpan.FromSeconds(1.2), new[]
            {
                Probe("check", ProbeType.Command, new Dictionary<string, object?>
                {
                    ["run"] = new object?[] { "./check.sh", "$(touch injected)", "; rm -rf ." },
                    ["working_directory"] = "scripts",
                    ["env"] = new Dictionary<string, object?> { ["API_TOKEN"] = "${secret:api_token}", ["EXPECTED"] = "${secret:api_token}" },
                }, null, "exit_code == 0", "output contains \"OK\"", $"not (output contains \"{parentOnly}\")", "output contains \"args: $(touch injected) ; rm -rf .\"",
                    $"output contains \"in {Path.Combine(Directory, "scripts")}\""),
                Probe("fails", ProbeType.Command, new Dictionary<string, object?> { ["run"] = new object?[] { "/bin/sh", "-c", "echo nope; exit 3" } }),
            }, secrets: secrets, stopOnBreach: false, baseDirectory: Directory);
            var (samples, verdict) = await RunAsync(watch);
            var check = samples.Where(s => s.Probe == "check").ToArray();
            Assert.NotEmpty(check);
            Assert.All(check, s => Assert.True(s.Success, s.ToString()));
            Assert.Equal(0, check[0].Values["exit_code"]);
            Assert.False(File.Exists(Path.Combine(Directory, "scripts", "injected")), "an argument was run by a shell");
            Assert.True(File.Exists(script), "an argument was run by a shell");
            Assert.Contains(samples, s => s.Probe == "fails" && !s.Success && s.Error == "exit_code 3 is not == 0" && s.Values["exit_code"] == 3);
            CanarySecret.AssertAbsent(canary, samples.Select(s => s.ToString()).Append(HealthReport.ToJson(verdict)), "command probe samples");
        }
        finally
        {
            Environment.SetEnvironmentVariable(parentOnly, null);
        }
    }

    [Fact]
    public async Task A_command_that_outlives_its_timeout_is_killed_and_its_output_condition_is_reported_masked()
    {
        var canary = CanarySecret.New();
        var marker = Path.Combine(Directory, "finished");
        var secrets = SecretCatalog.Empty.With(new GivenSecretSource("token", new SecretValue(canary)));
        var watch = Watch(TimeSpan.FromSeconds(2.5), new[]
        {
            Probe("slow", ProbeType.Command, new Dictionary<string, object?> { ["run"] = new object?[] { "/bin/sh", "-c", $"sleep 2; touch {marker}" } }) with
            {
                Timeout = TimeSpan.FromMilliseconds(300), Interval = TimeSpan.FromSeconds(5),
            },
            Probe("leaky", ProbeType.Command, new Dictionary<string, object?>
            {
                ["run"] = new object?[] { "/bin/sh", "-c", "echo \"the token is $TOKEN\"" }, ["env"] = new Dictionary<string, object?> { ["TOKEN"] = "${secret:token}" },
            }, TimeSpan.FromSeconds(4), "output contains \"healthy\""),
        }, secrets: secrets, stopOnBreach: false);
        var (samples, verdict) = await RunAsync(watch);
        var slow = samples.First(s => s.Probe == "slow");
        Assert.False(slow.Success);
        Assert.Equal("no measurement within 300ms", slow.Error);
        Assert.False(File.Exists(marker), "the timed-out command was not killed");
        var leaky = samples.First(s => s.Probe == "leaky");
        Assert.False(leaky.Success);
        Assert.Contains("the token is ********", leaky.Error);
        CanarySecret.AssertAbsent(canary, samples.Select(s => s.ToString()).Append(HealthReport.ToJson(verdict)), "command probe samples");
    }

    [Fact]
    public void Probes_that_cannot_work_are_refused_when_the_watch_is_prepared()
    {
        var cases = new (ProbeDefinition Probe, string ErrorId)[]
        {
            (Probe("p", ProbeType.Prometheus, new Dictionary<string, object?> { ["url"] = "http://127.0.0.1:9" }), "ProbeSettingMissing"),
            (Probe("p", ProbeType.Prometheus, new Dictionary<string, object?> { ["url"] = "ftp://x", ["query"] = "up" }), "ProbeSettingInvalid"),
            (Probe("l", ProbeType.ContainerLogs, new Dictionary<string, object?> { ["container"] = "web", ["pattern"] = "x" }), "ProbeDockerUnavailable"),
            (Probe("l", ProbeType.ContainerLogs, new Dictionary<string, object?> { ["container"] = "web", ["service"] = "web", ["pattern"] = "x" }), "ProbeSettingInvalid"),
            (Probe("c", ProbeType.Command, new Dictionary<string, object?> { ["run"] = new object?[] { "curl", "-H", "Authorization: ${secret:token}" } }), "ProbeSecretInArguments"),
            (Probe("c", ProbeType.Command, new Dictionary<string, object?>()), "ProbeSettingMissing"),
            (Probe("r", ProbeType.Redis, new Dictionary<string, object?>()), "ProbeSettingMissing"),
            (Probe("d", ProbeType.Postgres, new Dictionary<string, object?> { ["connection"] = new Dictionary<string, object?> { ["host"] = "db", ["port"] = "x" } }), "ProbeSettingInvalid"),
        };
        foreach (var (probe, errorId) in cases)
        {
            var ex = Assert.ThrowsAny<ReleaseOpsException>(() => Watch(TimeSpan.FromSeconds(1), new[] { probe }));
            Assert.True(errorId == ex.ErrorId, $"{probe}: {ex.ErrorId} {ex.Message}");
            Assert.Equal(FailureKind.InvalidConfiguration, ex.Kind);
        }
    }
}
