using System.Collections;
using System.Xml.Linq;
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

/// <summary>Sampling real containers, the cmdlet in a real runspace, rollback on breach, the CLI.</summary>
[Collection("health-docker")]
public sealed class ContainerAndCmdletTests : IDisposable
{
    private readonly HealthDockerFixture _docker;
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-hlth-").FullName;

    public ContainerAndCmdletTests(HealthDockerFixture docker) => _docker = docker;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>
    /// Runs a blocking call (a PowerShell script, the CLI) on a thread of its own: neither on xunit's
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
            using var session = WatchSession.Create(new WatchOptions
            {
                Probes = new[] { WatchDefinitionReader.Probe(new Hashtable { ["Name"] = "health", ["Url"] = $"http://127.0.0.1:{port}/health", ["Interval"] = "100ms", ["Expect"] = "status == 200" }) },
                Criteria = new[] { WatchDefinitionReader.Criterion(new Hashtable { ["Name"] = "down", ["Expect"] = "consecutive_failures < 3" }) },
                Duration = TimeSpan.FromSeconds(30),
                RollbackOnBreach = true,
                Rollback = rollback,
                SaveSummary = false,
            });
            await foreach (var _ in session.RunAsync(SilentReporter.Instance, default))
            {
            }

            var verdict = session.Verdict!;
            Assert.Equal(HealthStatus.Breached, verdict.Status);
            Assert.Equal("down", verdict.Criterion);
            Assert.True(verdict.RolledBack, verdict.RollbackError);
            Assert.True(verdict.StoppedEarly);
            Assert.Contains("releaseops-test/web:v1", verdict.RollbackResult!.ToString());
            Assert.Single(rollback.Reasons);
            Assert.Contains("down", rollback.Reasons[0]);

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

    /// <summary>A plan with a service, so that a watch of it can roll back through the deployment engine.</summary>
    private ReleasePlan PlanWithService() => new()
    {
        Application = "ro-hlth-never",
        Environment = "test",
        Docker = new DockerEndpointDefinition { Host = TestEnvironment.DockerHost },
        Journal = new JournalDefinition { Path = Path.Combine(_dir, "journal") },
        Services = new[] { new ServiceDefinition { Name = "web", Image = "releaseops-test/web" } },
    };

    [Fact]
    public async Task WhatIf_watches_but_never_rolls_back()
    {
        using var shell = PowerShellSession.Start(_dir);
        var result = await OnOwnThread(() => shell.Run("""
            param($plan)
            $plan | Watch-ReleaseHealth -Probe @{ Name = 'closed'; Type = 'tcp'; Host = '127.0.0.1'; Port = 24098; Interval = '100ms' } `
                -Criterion @{ Name = 'down'; Expect = 'consecutive_failures < 2' } -Duration 1s -RollbackOnBreach -NoSave -VerdictOnly -WhatIf
            """, new Dictionary<string, object?> { ["plan"] = PlanWithService() }));

        var verdict = Assert.IsType<HealthVerdict>(Assert.Single(result.Output).BaseObject); // -VerdictOnly: no samples
        Assert.Equal(HealthStatus.Breached, verdict.Status);
        Assert.False(verdict.RolledBack);
        Assert.Contains(result.WhatIf, w => w.Contains("Roll back automatically"));
        Assert.Contains(result.Warnings, w => w.Contains("without automatic rollback"));
    }

    [Fact]
    public async Task The_cmdlet_watches_a_plan_file_streams_samples_reports_progress_and_exports_reports_without_leaking_secrets()
    {
        await using var endpoint = new ControllableEndpoint(24014);
        var canary = CanarySecret.New();
        Environment.SetEnvironmentVariable("RO_HLTH_TOKEN", canary);
        var journal = Path.Combine(_dir, "journal");
        File.WriteAllText(Path.Combine(_dir, "releaseplan.yml"), $$"""
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
        using var shell = PowerShellSession.Start(_dir);
        var result = await OnOwnThread(() => shell.Run(
            "Watch-ReleaseHealth releaseplan.yml -JsonPath health.json -JUnitPath health.xml -MarkdownPath health.md -Confirm:$false"));

        result.ThrowIfFailed();
        var samples = result.Objects<HealthSample>();
        Assert.True(samples.Count >= 3, $"only {samples.Count} samples");
        Assert.All(samples, s => Assert.True(s.Success, s.Error));
        var verdict = Assert.IsType<HealthVerdict>(result.Output[^1].BaseObject);
        Assert.Equal(HealthStatus.Healthy, verdict.Status);
        Assert.Contains(result.Progress, p => p.StatusDescription.Contains("left") && p.SecondsRemaining >= 0);
        Assert.Equal("Watching release health", Assert.Single(Deploy.ProgressTests.AssertWellFormed(result.Progress)).Name);

        // The secret reached the endpoint, and nowhere else.
        Assert.Contains(endpoint.AuthorizationHeaders, h => h.Contains(canary));
        var saved = Assert.Single(Directory.GetFiles(Path.Combine(journal, "watches")));
        var reports = new[] { "health.json", "health.xml", "health.md" }.Select(f => File.ReadAllText(Path.Combine(_dir, f)));
        CanarySecret.AssertAbsent(canary, result.AllText(), "the cmdlet's output");
        CanarySecret.AssertAbsent(canary, reports.Append(File.ReadAllText(saved)), "the journal and reports");

        var suite = XDocument.Load(Path.Combine(_dir, "health.xml")).Descendants("testsuite").Single();
        Assert.Equal("1", suite.Attribute("tests")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Contains("\"status\": \"Healthy\"", File.ReadAllText(Path.Combine(_dir, "health.json")));
        Assert.Contains("errors", File.ReadAllText(Path.Combine(_dir, "health.md")));
        Environment.SetEnvironmentVariable("RO_HLTH_TOKEN", null);
    }

    [Fact]
    public void Inline_definitions_with_bad_values_end_the_command_with_a_typed_error()
    {
        using var shell = PowerShellSession.Start(_dir);
        var bad = shell.Run("Watch-ReleaseHealth -Probe @{ Name = 'web'; Url = 'http://127.0.0.1:24015/'; Interval = 'often' } -Duration 1s");
        Assert.StartsWith("HealthDefinitionInvalid,", bad.Terminating?.FullyQualifiedErrorId);
        Assert.Contains("interval", bad.Terminating!.Exception.Message);

        var unknown = shell.Run("Watch-ReleaseHealth -Probe @{ Name = 'web'; Url = 'http://127.0.0.1:24015/' } -Criterion @{ Name = 'x'; Expect = 'p95 < 1s'; Windw = '1m' }");
        Assert.StartsWith("HealthDefinitionInvalid,", unknown.Terminating?.FullyQualifiedErrorId);
        Assert.Contains("Windw", unknown.Terminating!.Exception.Message);
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
