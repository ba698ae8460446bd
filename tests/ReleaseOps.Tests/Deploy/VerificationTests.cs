using ReleaseOps.Deploy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// Verification accounts for every expected instance, for each strategy (Swarm services: SwarmVerificationTests); blue-green keeps
/// the old color running until the new one is verified behind the proxy; a resumed deployment checks the instances it
/// adopts before they get traffic. Each test breaks the new version at the moment that matters (a container killed once
/// the rollout has switched, a smoke check that only fails through the proxy, a broken instance left by a killed run).
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class VerificationTests(DeployFixture fixture)
{
    private async Task<(ReleasePlan Plan, DeploymentEngine Engine)> StartFromV1Async(ServiceDefinition service)
    {
        var plan = fixture.Plan(service);
        return (plan, await fixture.StartFromV1Async(plan));
    }

    private Task<IReadOnlyList<InstanceState>> InstancesAsync(string service, string? version = null) => fixture.InstancesAsync(service, version);

    /// <summary>Kills (SIGKILL, exit 137) one running instance of a version, synchronously: called from the engine's thread on cue.</summary>
    private void KillOne(string service, string version)
    {
        var victim = InstancesAsync(service, version).GetAwaiter().GetResult().First(i => i.Running);
        fixture.Platform.StopAsync(victim.Id, TimeSpan.Zero, default).GetAwaiter().GetResult();
    }

    private async Task<DateTime?> StartedAtAsync(string id) => (await fixture.Docker.InspectContainerAsync(id)).State?.StartedAt is { } s
        ? DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime()
        : null;

    [Fact]
    public async Task Blue_green_whose_new_color_dies_after_the_switch_is_rolled_back_to_the_old_color_that_never_stopped()
    {
        const string name = "web-verify-bg";
        var (plan, engine) = await StartFromV1Async(DeployFixture.Service(name, DeploymentStrategyType.BlueGreen, 21411, 21412));
        var blue = Assert.Single(await InstancesAsync(name, "v1"));
        var blueStarted = await StartedAtAsync(blue.Id);
        // The rollout step has switched nginx to the new color when it ends: kill that color before verification.
        var reporter = new TriggerReporter($"rollout [{name}]: Succeeded", () => KillOne(name, "v2"));

        var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, reporter, default));

        Assert.True(reporter.Fired);
        Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
        Assert.Contains("InstancesMissing", result.Reason);
        Assert.Contains("0 of 1 replica(s) running", result.Reason);
        Assert.Contains("exited (code 137)", result.Reason);
        Assert.Equal(StepStatus.Failed, steps.Single(s => s.Name == "verify").Status);
        Assert.DoesNotContain(steps, s => s.Name == "retire");
        Assert.Equal("v1", await fixture.ServedVersionAsync(name));
        // The same blue container serves, never stopped in between.
        var after = Assert.Single(await InstancesAsync(name), i => i.Running);
        Assert.Equal(blue.Id, after.Id);
        Assert.Equal(blueStarted, await StartedAtAsync(after.Id));
        Assert.Equal(ReleaseStatus.RolledBack, (await engine.HistoryAsync(plan, default))[0].Status);
    }

    [Fact]
    public async Task Blue_green_failing_verification_behind_the_proxy_rolls_back_without_a_failed_request()
    {
        const string name = "web-verify-bg";
        // The smoke check goes through nginx and accepts only v1: v2 passes its own health probes, is switched in,
        // and fails verification only behind the proxy.
        var service = DeployFixture.Service(name, DeploymentStrategyType.BlueGreen, 21411, 21412) with
        {
            Smoke = new[] { new SmokeCheckDefinition { Name = "is-v1", Url = "/version", Expect = new[] { "body contains \"v1\"" }, Timeout = TimeSpan.FromSeconds(2) } },
        };
        var (plan, engine) = await StartFromV1Async(service);
        var blue = Assert.Single(await InstancesAsync(name, "v1"));
        var blueStarted = await StartedAtAsync(blue.Id);

        await using var traffic = new TrafficLoop($"http://127.0.0.1:{DeployFixture.ListenPorts[name]}/health");
        await traffic.WaitForRequestsAsync(50);
        var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, SilentReporter.Instance, default));
        await traffic.WaitForRequestsAsync(50);
        await traffic.StopAsync();

        Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
        Assert.Contains("smoke", result.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("expected body contains \"v1\"", result.Reason);
        Assert.True(traffic.Requests > 100, $"only {traffic.Requests} requests");
        Assert.True(traffic.Failures.Count == 0, $"{traffic.Failures.Count} of {traffic.Requests} failed: {string.Join(" | ", traffic.Failures.Take(5))}");
        Assert.Equal("v1", await fixture.ServedVersionAsync(name));
        var after = Assert.Single(await InstancesAsync(name), i => i.Running);
        Assert.Equal((blue.Id, blueStarted), (after.Id, await StartedAtAsync(after.Id)));
        Assert.Empty(await InstancesAsync(name, "v2"));
    }

    [Fact]
    public async Task Rolling_with_one_of_three_new_replicas_dead_is_not_a_success()
    {
        const string name = "web-verify-roll";
        var service = DeployFixture.Service(name, DeploymentStrategyType.Rolling, 21421, 21422, 21423, 21424) with { Replicas = 3 };
        var (plan, engine) = await StartFromV1Async(service);
        var reporter = new TriggerReporter($"rollout [{name}]: Succeeded", () => KillOne(name, "v2"));

        var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, reporter, default));

        Assert.True(reporter.Fired);
        Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
        Assert.Contains("2 of 3 replica(s) running", result.Reason);
        Assert.Equal("v1", await fixture.ServedVersionAsync(name));
        Assert.Equal(3, (await InstancesAsync(name, "v1")).Count(i => i.Running));
        Assert.DoesNotContain(await InstancesAsync(name), i => i.Running && i.Labels["org.releaseops.version"] != "v1");
    }

    [Fact]
    public async Task Resume_checks_an_adopted_instance_before_it_gets_traffic()
    {
        const string name = "web-resume";
        var service = DeployFixture.Service(name, DeploymentStrategyType.Rolling, 21431, 21432);
        var (plan, engine) = await StartFromV1Async(service);
        // What a run killed mid-rollout of the broken version leaves: its instance started (never checked, not yet in
        // the upstream), its release InProgress at rollout, and its lock, both naming a process that is gone.
        using var gone = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true"))!;
        await gone.WaitForExitAsync();
        var killedId = "20260101T000000000-killed";
        await fixture.Platform.RunAsync(new InstanceSpec
        {
            Name = $"{plan.Application}-{plan.Environment}-{name}-21432",
            Image = "releaseops-test/web:broken",
            ContainerPort = 8080,
            HostPort = 21432,
            Labels = new Dictionary<string, string>
            {
                ["org.releaseops.application"] = plan.Application, ["org.releaseops.environment"] = plan.Environment,
                ["org.releaseops.service"] = name, ["org.releaseops.version"] = "broken", ["org.releaseops.port"] = "21432",
                ["org.releaseops.release"] = killedId,
            },
        }, default);
        var journal = engine.JournalFor(plan);
        var v1 = (await engine.HistoryAsync(plan, default))[0];
        await journal.SaveAsync(v1 with
        {
            Id = killedId, Version = "broken", PreviousVersion = "v1", Status = ReleaseStatus.InProgress, Pid = gone.Id,
            StartedAt = DateTimeOffset.UtcNow, FinishedAt = null,
            Steps = new[] { new JournalStep(1, "rollout", name, StepStatus.Started, DateTimeOffset.UtcNow, null, null) },
        }, default);
        await File.WriteAllTextAsync(Path.Combine(plan.Journal.Path, plan.Application, plan.Environment, "deploy.lock"),
            $$"""{"application":"{{plan.Application}}","environment":"{{plan.Environment}}","holder":"ci","host":"{{Environment.MachineName}}","pid":{{gone.Id}},"acquiredAt":"2026-01-01T00:00:00+00:00","releaseId":"{{killedId}}"}""");

        await using var traffic = new TrafficLoop($"http://127.0.0.1:{DeployFixture.ListenPorts[name]}/health");
        await traffic.WaitForRequestsAsync(50);
        var (_, resumed) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Resume = true }, SilentReporter.Instance, default));
        await traffic.StopAsync();

        Assert.Equal("broken", resumed.Version);
        Assert.Equal(DeploymentOutcome.RolledBack, resumed.Outcome);
        Assert.Contains("probe 'health'", resumed.Reason);
        Assert.True(traffic.Failures.Count == 0, $"{traffic.Failures.Count} of {traffic.Requests} failed: {string.Join(" | ", traffic.Failures.Take(5))}");
        Assert.Equal("v1", await fixture.ServedVersionAsync(name));
        Assert.Empty(await InstancesAsync(name, "broken"));
    }
}
