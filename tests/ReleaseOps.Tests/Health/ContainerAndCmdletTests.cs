using System.Collections;
using System.Xml.Linq;
using ReleaseOps.Cmdlets.Health;
using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Cli;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Health;

[CollectionDefinition("health-docker")]
public sealed class HealthDockerCollection : ICollectionFixture<HealthDockerFixture>
{
}

/// <summary>Sampling real containers, the cmdlet through the bridge, rollback on breach, the CLI.</summary>
[Collection("health-docker")]
public sealed class ContainerAndCmdletTests : IDisposable
{
    private readonly HealthDockerFixture _docker;
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-hlth-").FullName;

    public ContainerAndCmdletTests(HealthDockerFixture docker) => _docker = docker;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Runs a blocking call (the cmdlet harness, the CLI) on a thread of its own: neither on xunit's
    /// two-thread synchronization context nor on a thread-pool thread, whose loss would slow the
    /// pool that the watch and the test endpoints run on.
    /// </summary>
    private static Task<T> OnOwnThread<T>(Func<T> call) =>
        Task.Factory.StartNew(call, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [Fact]
    public async Task Samples_a_web_v1_container_and_the_shared_nginx()
    {
        TestEnvironment.Require(TestService.Nginx);
        var definition = new WatchDefinition
        {
            Duration = TimeSpan.FromSeconds(3.5),
            Probes = new[]
            {
                // A stats read takes the daemon about a second (it measures the CPU delta).
                new ProbeDefinition { Name = "web-container", Type = ProbeType.Container, Container = HealthDockerFixture.WebContainer, Interval = TimeSpan.FromMilliseconds(500) },
                new ProbeDefinition { Name = "web-health", Url = $"http://127.0.0.1:{HealthDockerFixture.WebPort}/health", Interval = TimeSpan.FromMilliseconds(200), Expect = new[] { "status == 200", "response_time < 2s" } },
                new ProbeDefinition { Name = "nginx", Url = TestEnvironment.NginxHttp.ToString(), Interval = TimeSpan.FromMilliseconds(200) },
            },
            Criteria = new[]
            {
                new CriterionDefinition { Name = "memory", Probe = "web-container", Expect = "memory_percent < 80", Window = TimeSpan.FromSeconds(1) },
                new CriterionDefinition { Name = "no-restarts", Probe = "web-container", Expect = "restarts == 0", Window = TimeSpan.FromSeconds(1) },
                // Always false for a running container: breaches only once sustained for its For.
                new CriterionDefinition { Name = "memory-sustained", Probe = "web-container", Expect = "memory_percent < 0.0001", Window = TimeSpan.FromSeconds(1), For = TimeSpan.FromSeconds(1) },
            },
        };
        var watch = new HealthWatch(new WatchRequest { Definition = definition }, new HealthWatchServices
        {
            Containers = new DockerContainerObserver(_docker.Client),
        });
        var samples = new List<HealthSample>();
        await foreach (var s in watch.RunAsync(SilentReporter.Instance)) samples.Add(s);

        var container = samples.Where(s => s.Probe == "web-container").ToList();
        Assert.True(container.Count >= 2, $"{container.Count} container samples");
        Assert.All(container, s => Assert.True(s.Success, s.Error));
        var last = container[^1];
        Assert.Equal(1, last.Values["running"]);
        Assert.Equal(0, last.Values["restarts"]);
        Assert.InRange(last.Values["memory_percent"], 0.0001, 80); // of the 64 MB limit
        Assert.InRange(last.Values["cpu_percent"], 0, 200);
        Assert.All(samples.Where(s => s.Probe is "web-health" or "nginx"), s => Assert.True(s.Success, s.Error));

        var criteria = watch.Verdict!.Criteria.ToDictionary(c => c.Name);
        Assert.Equal(CriterionState.Holding, criteria["memory"].State);
        Assert.Equal(CriterionState.Holding, criteria["no-restarts"].State);
        var sustained = criteria["memory-sustained"];
        Assert.Equal(CriterionState.Breached, sustained.State);
        Assert.True(sustained.FailingFor >= TimeSpan.FromSeconds(1), $"breached after failing {sustained.FailingFor}");
        Assert.True(sustained.BreachedAt >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_missing_container_is_a_failed_sample_not_an_error()
    {
        var watch = new HealthWatch(new WatchRequest
        {
            Definition = new WatchDefinition
            {
                Duration = TimeSpan.FromSeconds(0.6),
                Probes = new[] { new ProbeDefinition { Name = "ghost", Type = ProbeType.Container, Container = "ro-hlth-does-not-exist", Interval = TimeSpan.FromMilliseconds(200) } },
            },
        }, new HealthWatchServices { Containers = new DockerContainerObserver(_docker.Client) });
        var samples = new List<HealthSample>();
        await foreach (var s in watch.RunAsync(SilentReporter.Instance)) samples.Add(s);

        Assert.NotEmpty(samples);
        Assert.All(samples, s => Assert.Contains("does not exist", s.Error));
    }

    [Fact]
    public async Task Rollback_on_breach_replaces_the_broken_release_with_the_previous_one()
    {
        const string app = "ro-hlth-roll";
        const int port = 24051;
        await _docker.RunWebAsync(app, "releaseops-test/web:broken", port);
        try
        {
            var rollback = new ContainerImageRollback(_docker, app, "releaseops-test/web:v1", port);
            var cmdlet = new WatchReleaseHealthCommand
            {
                Probe = new[] { new Hashtable { ["Name"] = "health", ["Url"] = $"http://127.0.0.1:{port}/health", ["Interval"] = "100ms", ["Expect"] = "status == 200" } },
                Criterion = new[] { new Hashtable { ["Name"] = "down", ["Expect"] = "consecutive_failures < 3" } },
                Duration = TimeSpan.FromSeconds(30),
                RollbackOnBreachRequested = true,
                RollbackTrigger = rollback,
                NoSaveRequested = true,
            };
            var runtime = await OnOwnThread(() => CmdletHarness.Invoke(cmdlet));

            Assert.Empty(runtime.Errors);
            var verdict = Assert.IsType<HealthVerdict>(runtime.Output[^1]);
            Assert.Equal(HealthStatus.Breached, verdict.Status);
            Assert.Equal("down", verdict.Criterion);
            Assert.True(verdict.RolledBack, verdict.RollbackError);
            Assert.True(verdict.StoppedEarly);
            Assert.Contains("releaseops-test/web:v1", verdict.RollbackResult!.ToString());
            Assert.Single(rollback.Reasons);
            Assert.Contains("down", rollback.Reasons[0]);
            Assert.Contains(runtime.ShouldProcessCalls, c => c.Target.Contains("web:v1"));

            // Observable: the previous release now runs and answers /health.
            var details = await _docker.Client.InspectContainerAsync(app);
            Assert.Equal("releaseops-test/web:v1", details.Config.Image);
            using var http = new HttpClient();
            var answered = false;
            for (var i = 0; i < 50 && !answered; i++)
            {
                try
                {
                    answered = (await http.GetAsync($"http://127.0.0.1:{port}/health")).IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                }
                if (!answered) await Task.Delay(100);
            }
            Assert.True(answered, "the rolled-back release does not answer /health");
        }
        finally
        {
            await _docker.RemoveQuietlyAsync(app);
        }
    }

    [Fact]
    public async Task WhatIf_watches_but_never_rolls_back()
    {
        var rollback = new ContainerImageRollback(_docker, "ro-hlth-never", "releaseops-test/web:v1", 24052);
        var cmdlet = new WatchReleaseHealthCommand
        {
            Probe = new[] { new Hashtable { ["Name"] = "closed", ["Type"] = "tcp", ["Host"] = "127.0.0.1", ["Port"] = 24098, ["Interval"] = "100ms" } },
            Criterion = new[] { new Hashtable { ["Name"] = "down", ["Expect"] = "consecutive_failures < 2" } },
            Duration = TimeSpan.FromSeconds(1),
            RollbackOnBreachRequested = true,
            RollbackTrigger = rollback,
            NoSaveRequested = true,
            VerdictOnlyRequested = true,
        };
        var runtime = await OnOwnThread(() => CmdletHarness.Invoke(cmdlet, whatIf: true));

        var verdict = Assert.Single(runtime.OutputOf<HealthVerdict>());
        Assert.Equal(HealthStatus.Breached, verdict.Status);
        Assert.False(verdict.RolledBack);
        Assert.Empty(rollback.Reasons);
        Assert.Single(runtime.Output); // -VerdictOnly: no samples
        Assert.Contains(runtime.Warnings, w => w.Contains("without automatic rollback"));
    }

    [Fact]
    public async Task The_cmdlet_watches_a_plan_file_streams_samples_reports_progress_and_exports_reports_without_leaking_secrets()
    {
        await using var endpoint = new ControllableEndpoint(24014);
        var canary = CanarySecret.New();
        Environment.SetEnvironmentVariable("RO_HLTH_TOKEN", canary);
        var journal = Path.Combine(_dir, "journal");
        var plan = Path.Combine(_dir, "releaseplan.yml");
        File.WriteAllText(plan, $$"""
            api_version: releaseops/v1
            application: ro-hlth-shop
            environment: test
            version: 2.0.0
            secrets:
              token: { env: RO_HLTH_TOKEN }
            journal:
              path: {{journal}}
            services:
              - name: web
                image: releaseops-test/web:v1
            watch:
              duration: 2s
              probes:
                - name: web
                  url: {{endpoint.Url()}}
                  interval: 100ms
                  timeout: 1s
                  headers:
                    Authorization: Bearer ${secret:token}
                  expect:
                    - status == 200
              criteria:
                - name: errors
                  expect: error_rate < 5%
                  window: 1s
            """);
        var json = Path.Combine(_dir, "health.json");
        var junit = Path.Combine(_dir, "health.xml");
        var cmdlet = new WatchReleaseHealthCommand { Plan = plan, JsonPath = json, JUnitPath = junit, MarkdownPath = Path.Combine(_dir, "health.md") };
        var runtime = await OnOwnThread(() => CmdletHarness.Invoke(cmdlet));

        Assert.Empty(runtime.Errors);
        var samples = runtime.OutputOf<HealthSample>().ToList();
        Assert.True(samples.Count >= 3, $"only {samples.Count} samples");
        Assert.All(samples, s => Assert.True(s.Success, s.Error));
        var verdict = Assert.IsType<HealthVerdict>(runtime.Output[^1]);
        Assert.Equal(HealthStatus.Healthy, verdict.Status);
        Assert.Contains(runtime.Progress, p => p.Status.Contains("left") && p.Remaining is not null);
        Assert.Contains(runtime.Progress, p => p.Completed);

        // The secret reached the endpoint, and nowhere else.
        Assert.Contains(endpoint.AuthorizationHeaders, h => h.Contains(canary));
        var saved = Assert.Single(Directory.GetFiles(Path.Combine(journal, "watches")));
        CanarySecret.AssertAbsent(canary, runtime.AllText(), "the cmdlet's output");
        CanarySecret.AssertAbsent(canary, new[] { File.ReadAllText(saved), File.ReadAllText(json), File.ReadAllText(junit), File.ReadAllText(Path.Combine(_dir, "health.md")) }, "the journal and reports");

        var suite = XDocument.Load(junit).Descendants("testsuite").Single();
        Assert.Equal("1", suite.Attribute("tests")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Contains("\"status\": \"Healthy\"", File.ReadAllText(json));
        Assert.Contains("errors", File.ReadAllText(Path.Combine(_dir, "health.md")));
        Environment.SetEnvironmentVariable("RO_HLTH_TOKEN", null);
    }

    [Fact]
    public void Inline_definitions_with_bad_values_end_the_command_with_a_typed_error()
    {
        var cmdlet = new WatchReleaseHealthCommand
        {
            Probe = new[] { new Hashtable { ["Name"] = "web", ["Url"] = "http://127.0.0.1:24015/", ["Interval"] = "often" } },
            Duration = TimeSpan.FromSeconds(1),
        };
        var ex = Assert.Throws<TerminatingErrorException>(() => CmdletHarness.Invoke(cmdlet));
        Assert.Equal("HealthDefinitionInvalid", ex.Error.ErrorId);
        Assert.Contains("interval", ex.Error.Message);

        var unknown = Assert.Throws<TerminatingErrorException>(() => CmdletHarness.Invoke(new WatchReleaseHealthCommand
        {
            Criterion = new[] { new Hashtable { ["Name"] = "x", ["Expect"] = "p95 < 1s", ["Windw"] = "1m" } },
            Probe = new[] { new Hashtable { ["Name"] = "web", ["Url"] = "http://127.0.0.1:24015/" } },
        }));
        Assert.Equal("HealthDefinitionInvalid", unknown.Error.ErrorId);
        Assert.Contains("Windw", unknown.Error.Message);
    }

    [Fact]
    public async Task The_cli_watches_a_plan_and_exits_1_on_breach_with_json_output()
    {
        await using var endpoint = new ControllableEndpoint(24016);
        endpoint.Mode = EndpointMode.TenPercentErrors;
        var plan = Path.Combine(_dir, "cli-plan.yml");
        File.WriteAllText(plan, $"""
            api_version: releaseops/v1
            application: ro-hlth-cli
            environment: test
            services:
              - name: web
                image: releaseops-test/web:v1
            watch:
              interval: 50ms
              probes:
                - name: web
                  url: {endpoint.Url()}
              criteria:
                - name: errors
                  expect: error_rate < 5%
                  window: 1s
            """);
        var result = await OnOwnThread(() => CliRunner.Run("watch", plan, "--duration", "2s", "--output", "json", "--no-save", "--stop-on-breach"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("\"status\": \"Breached\"", result.Out);
        Assert.Contains("\"criterion\": \"errors\"", result.Out);
        Assert.Contains("breached", result.Error);

        var usage = CliRunner.Run("watch", plan, "--duration", "soon");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--duration", usage.Error);
    }
}
