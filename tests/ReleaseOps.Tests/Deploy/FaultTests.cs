using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ReleaseOps.Deploy;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// Faults during a release of web-fault (rolling, start-first, ports 21151-21152, nginx 21085): each
/// starts from v1 serving and shows that v1 keeps serving and the journal stays consistent.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class FaultTests(DeployFixture fixture)
{
    private const string Name = "web-fault";

    private static ServiceDefinition Service() =>
        DeployFixture.Service(Name, DeploymentStrategyType.Rolling, 21151, 21152) with
        {
            Strategy = DeployFixture.Service(Name, DeploymentStrategyType.Rolling).Strategy with { HealthTimeout = TimeSpan.FromSeconds(6) },
        };

    private async Task<(ReleasePlan Plan, DeploymentEngine Engine)> StartFromV1Async(ServiceDefinition? service = null, ReleasePlan? plan = null)
    {
        await fixture.RemoveContainersAsync();
        plan ??= fixture.Plan(service ?? Service());
        var engine = fixture.Engine();
        var (_, v1) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
        Assert.True(v1.Outcome == DeploymentOutcome.Succeeded, v1.Reason);
        return (plan, engine);
    }

    private async Task AssertV1ServingAndJournalConsistentAsync(ReleasePlan plan, DeploymentEngine engine)
    {
        Assert.Equal("v1", await fixture.ServedVersionAsync(Name));
        var history = await engine.HistoryAsync(plan, default);
        Assert.DoesNotContain(history, r => r.Status == ReleaseStatus.InProgress);
        // Only a release whose process died may keep a step that started and never ended: that is where it died.
        Assert.All(history.Where(r => r.Status != ReleaseStatus.Interrupted).SelectMany(r => r.Steps),
            s => Assert.NotEqual(StepStatus.Started, s.Status));
        Assert.Null(await engine.JournalFor(plan).GetLockAsync(plan.Application, plan.Environment, default));
        var running = await fixture.Platform.ListAsync(new Dictionary<string, string> { ["org.releaseops.service"] = Name }, default);
        Assert.All(running.Where(i => i.Running), i => Assert.Equal("v1", i.Labels["org.releaseops.version"]));
    }

    [Fact]
    public async Task A_version_whose_health_fails_is_rolled_back_and_the_result_names_the_probe_and_value()
    {
        var (plan, engine) = await StartFromV1Async();
        var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "broken" }, SilentReporter.Instance, default));

        Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
        Assert.Contains("probe 'health'", result.Reason);
        Assert.Contains("status 404", result.Reason);
        Assert.Equal(StepStatus.Failed, steps.Single(s => s.Name == "rollout").Status);
        Assert.Equal(StepStatus.Succeeded, steps.Single(s => s.Name == "rollback").Status);
        await AssertV1ServingAndJournalConsistentAsync(plan, engine);
        Assert.Equal(ReleaseStatus.RolledBack, (await engine.HistoryAsync(plan, default))[0].Status);
    }

    [Fact]
    public async Task A_container_that_exits_during_rollout_fails_the_release_and_v1_keeps_serving()
    {
        await fixture.EnsureExitingImageAsync();
        var service = Service() with { Image = DeployFixture.FaultRepository };
        var (plan, engine) = await StartFromV1Async(service);
        var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "exits" }, SilentReporter.Instance, default));

        Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
        Assert.Contains("InstanceExited", result.Reason);
        Assert.Contains("code 3", result.Reason);
        await AssertV1ServingAndJournalConsistentAsync(plan, engine);
    }

    [Fact]
    public async Task A_hanging_health_endpoint_fails_within_the_probe_timeout()
    {
        // An endpoint that accepts connections and never answers, until the rollback begins: the version the rollback
        // returns to is verified with the same probes, so from then on the endpoint answers.
        await using var endpoint = new ReleaseOps.Tests.Health.ControllableEndpoint(21159) { Mode = ReleaseOps.Tests.Health.EndpointMode.Hang };
        var (plan, engine) = await StartFromV1Async();
        var hanging = Service() with
        {
            Health = Service().Health.Append(new ProbeDefinition
            {
                Name = "hanging", Url = "/health", Port = 21159, Timeout = TimeSpan.FromMilliseconds(300),
            }).ToArray(),
            Strategy = Service().Strategy with { HealthTimeout = TimeSpan.FromSeconds(2) },
        };
        var reporter = new TriggerReporter("\u0000", () => { }) { OnProgress = ("rollback", () => endpoint.Mode = ReleaseOps.Tests.Health.EndpointMode.Healthy) };
        var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(engine.DeployAsync(
            plan with { Services = new[] { hanging } }, new DeploymentRequest { Version = "v2" }, reporter, default));

        Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
        Assert.Contains("probe 'hanging'", result.Reason);
        Assert.Contains("timed out", result.Reason);
        await AssertV1ServingAndJournalConsistentAsync(plan, engine);
    }

    [Fact]
    public async Task Dockerd_vanishing_mid_deployment_fails_cleanly_and_v1_keeps_serving()
    {
        // Simulated with a relay socket in front of the shared dockerd that disappears (the shared daemon
        // must not be restarted): the client sees the daemon go away just as the new instance is started.
        var (plan, engine) = await StartFromV1Async();
        var socket = Path.Combine(fixture.Directory, $"relay-{Guid.NewGuid():N}".Substring(0, 14) + ".sock");
        using var relay = new UnixSocketRelay(socket, new Uri(TestEnvironment.DockerHost).AbsolutePath);
        using var client = new DockerEngine(DockerEndpoint.Parse(relay.Host));
        var viaRelay = new DeploymentEngine(_ => new DockerContainerPlatform(client), journal: engine.JournalFor);
        var reporter = new TriggerReporter("Starting ", relay.Vanish);

        var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            viaRelay.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, reporter, default));

        Assert.True(reporter.Fired);
        // The rollout had begun (a container may have been created before the daemon went away) and the rollback could not
        // run: the outcome says so, never "Failed" (which means nothing changed), and says the state could not be read.
        Assert.Equal(DeploymentOutcome.RollbackFailed, result.Outcome);
        Assert.Contains("DockerDaemonUnreachable", result.Reason);
        Assert.Contains("unknown", Assert.Single(result.Left));
        Assert.Equal(StepStatus.Failed, steps.Single(s => s.Name == "rollout").Status);
        var recorded = (await engine.HistoryAsync(plan, default))[0];
        Assert.Equal(ReleaseStatus.RollbackFailed, recorded.Status);
        Assert.Equal(result.Left, recorded.Left);
        await AssertV1ServingAndJournalConsistentAsync(plan, engine);
    }

    [Fact]
    public async Task A_second_deployment_while_one_runs_is_refused_naming_the_holder()
    {
        var (plan, engine) = await StartFromV1Async();
        await using var first = engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, SilentReporter.Instance, default)
            .GetAsyncEnumerator();
        Assert.True(await first.MoveNextAsync());
        Assert.Equal("lock", Assert.IsType<DeploymentStep>(first.Current).Name);

        var refused = await Assert.ThrowsAsync<ReleaseOpsException>(async () =>
            await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default)));
        Assert.Equal("DeploymentLocked", refused.ErrorId);
        Assert.Equal(FailureKind.Conflict, refused.Kind);
        Assert.Contains($"pid {Environment.ProcessId}", refused.Message);
        Assert.Contains(Environment.UserName, refused.Message);

        DeploymentResult? result = null;
        while (await first.MoveNextAsync()) result = first.Current as DeploymentResult ?? result;
        Assert.Equal(DeploymentOutcome.Succeeded, result!.Outcome);
        Assert.Equal("v2", await fixture.ServedVersionAsync(Name));
        Assert.Single(await engine.HistoryAsync(plan, default), r => r.Version == "v2");
    }

    [Fact]
    public async Task A_missing_image_fails_before_anything_changes()
    {
        var (plan, engine) = await StartFromV1Async();
        var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "ro-depl-missing" }, SilentReporter.Instance, default));

        Assert.Equal(DeploymentOutcome.Failed, result.Outcome);
        Assert.Contains("ImageNotFound", result.Reason);
        Assert.DoesNotContain(steps, s => s.Name is "rollout" or "rollback");
        await AssertV1ServingAndJournalConsistentAsync(plan, engine);
    }

    [Fact]
    public async Task The_deploying_process_killed_mid_rollout_blocks_new_deployments_until_rolled_back()
    {
        var journalDir = fixture.NewJournalDirectory();
        var (plan, engine) = await StartFromV1Async(plan: fixture.Plan(Service(), journalDir));
        var planFile = Path.Combine(fixture.Directory, "killed-plan.yml");
        await File.WriteAllTextAsync(planFile, $"""
            api_version: releaseops/v1
            application: {plan.Application}
            environment: {plan.Environment}
            docker:
              host: {TestEnvironment.DockerHost}
            proxy:
              upstream_file: {fixture.UpstreamFile}
              config_file: {fixture.ConfigFile}
              public_url: http://127.0.0.1:{DeployFixture.ListenPorts[Name]}/
            journal:
              store: file
              path: {journalDir}
            services:
              - name: {Name}
                image: releaseops-test/web
                port: 8080
                host_ports: [21151, 21152]
                strategy:
                  type: rolling
                  health_timeout: 30s
                health:
                  - name: health
                    url: /health
                    timeout: 1s
                    expect: [status == 200]
            """);
        using var child = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { ChildProcess.CliDll(), "deploy", planFile, "--version", "v2" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        // Kill -9 once the journal shows the rollout started (write-ahead: Started is on disk before it runs).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var current = (await engine.HistoryAsync(plan, default)).FirstOrDefault(r => r.Pid == child.Id);
            if (current?.Steps.Any(s => s.Name == "rollout" && s.Status == StepStatus.Started) == true) break;
            await Task.Delay(50);
        }
        child.Kill(entireProcessTree: true);
        await child.WaitForExitAsync();

        var refused = await Assert.ThrowsAsync<ReleaseOpsException>(async () => await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, SilentReporter.Instance, default)));
        Assert.Equal("DeploymentInterrupted", refused.ErrorId);
        Assert.Contains("'rollout'", refused.Message);
        Assert.Contains("-Resume", refused.Fix);

        var (_, rollback) = await DeploymentStream.CollectAsync<RollbackResult>(
            new RollbackService(engine).RollbackAsync(plan, new RollbackRequest(), SilentReporter.Instance, default));
        Assert.True(rollback.Outcome == RollbackOutcome.Succeeded, rollback.Reason);
        Assert.Equal("v1", rollback.ToVersion);
        var history = await engine.HistoryAsync(plan, default);
        Assert.Equal(ReleaseStatus.Interrupted, history.Single(r => r.Pid == child.Id).Status);
        await AssertV1ServingAndJournalConsistentAsync(plan, engine);
    }

    [Fact]
    public async Task An_interrupted_deployment_is_finished_with_Resume()
    {
        var (plan, engine) = await StartFromV1Async();
        // What a killed run leaves: its release InProgress at rollout, and its lock, both naming a pid that is gone.
        using var gone = Process.Start(new ProcessStartInfo("true"))!;
        await gone.WaitForExitAsync();
        var journal = engine.JournalFor(plan);
        var v1 = (await engine.HistoryAsync(plan, default))[0];
        var interrupted = v1 with
        {
            Id = "20260101T000000000-killed", Version = "v2", PreviousVersion = "v1", Status = ReleaseStatus.InProgress, Pid = gone.Id,
            StartedAt = DateTimeOffset.UtcNow, FinishedAt = null,
            Steps = new[] { new JournalStep(1, "rollout", Name, StepStatus.Started, DateTimeOffset.UtcNow, null, null) },
        };
        await journal.SaveAsync(interrupted, default);
        var lockFile = Path.Combine(plan.Journal.Path, plan.Application, plan.Environment, "deploy.lock");
        await File.WriteAllTextAsync(lockFile, $$"""{"application":"{{plan.Application}}","environment":"{{plan.Environment}}","holder":"ci","host":"{{Environment.MachineName}}","pid":{{gone.Id}},"acquiredAt":"2026-01-01T00:00:00+00:00","releaseId":"{{interrupted.Id}}"}""");

        var refused = await Assert.ThrowsAsync<ReleaseOpsException>(async () => await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, SilentReporter.Instance, default)));
        Assert.Equal("DeploymentInterrupted", refused.ErrorId);

        var (_, resumed) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Resume = true }, SilentReporter.Instance, default));
        Assert.True(resumed.Outcome == DeploymentOutcome.Succeeded, resumed.Reason);
        Assert.Equal(("v2", "v1"), (resumed.Version, resumed.PreviousVersion));
        Assert.Equal("v2", await fixture.ServedVersionAsync(Name));
        var history = await engine.HistoryAsync(plan, default);
        Assert.Equal(ReleaseStatus.Interrupted, history.Single(r => r.Id == interrupted.Id).Status);
        Assert.Equal(interrupted.Id, history.Single(r => r.Id == resumed.ReleaseId).RelatedId);
        Assert.Null(await journal.GetLockAsync(plan.Application, plan.Environment, default));
    }

    [Fact]
    public async Task A_secret_in_the_service_environment_reaches_the_container_and_nothing_else()
    {
        var canary = CanarySecret.New();
        Environment.SetEnvironmentVariable("RO_DEPL_CANARY", canary);
        var service = Service() with { Env = new Dictionary<string, string> { ["API_TOKEN"] = "${secret:token}", ["MODE"] = "test" } };
        var plan = fixture.Plan(service) with
        {
            Secrets = SecretCatalog.Empty.With(new EnvironmentSecretSource("token", "RO_DEPL_CANARY")),
        };
        await fixture.RemoveContainersAsync();
        var verbose = new List<string>();
        var reporter = new TriggerReporter("\u0000", () => { }) { Messages = verbose };
        var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            fixture.Engine().DeployAsync(plan, new DeploymentRequest { Version = "v1" }, reporter, default));

        Assert.True(result.Outcome == DeploymentOutcome.Succeeded, result.Reason);
        var instance = (await fixture.Platform.ListAsync(new Dictionary<string, string> { ["org.releaseops.service"] = Name }, default)).Single();
        var details = await fixture.Docker.InspectContainerAsync(instance.Id);
        Assert.Contains("API_TOKEN", details.Config!.Env); // names only
        var journalText = Directory.EnumerateFiles(plan.Journal.Path, "*", SearchOption.AllDirectories).Select(File.ReadAllText);
        CanarySecret.AssertAbsent(canary, journalText, "the journal");
        CanarySecret.AssertAbsent(canary, steps.Select(s => s.ToString()).Append(result.ToString())
            .Append(System.Text.Json.JsonSerializer.Serialize(result)), "the step and result records");
        CanarySecret.AssertAbsent(canary, verbose, "verbose and warning text");
        Environment.SetEnvironmentVariable("RO_DEPL_CANARY", null);
    }
}
