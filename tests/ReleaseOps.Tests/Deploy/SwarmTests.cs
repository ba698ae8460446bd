using ReleaseOps.Deploy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>A Swarm service (host-mode port 21141) released v1 -> v2 by update_config, verified by its tasks, and rolled back by Swarm.</summary>
[Collection(SwarmCollection.Name)]
public sealed class SwarmTests(SwarmFixture fixture)
{
    [Fact]
    public async Task A_swarm_service_is_updated_watched_by_task_state_and_rolled_back()
    {
        var service = DeployFixture.Service("web-swarm", DeploymentStrategyType.Rolling, 21141) with { Target = ServiceTarget.Swarm };
        var plan = fixture.Plan(service);
        var engine = fixture.Engine();
        var name = SwarmRollout.ServiceName(plan, service);
        try
        {
            foreach (var version in new[] { "v1", "v2" })
            {
                var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                    engine.DeployAsync(plan, new DeploymentRequest { Version = version }, SilentReporter.Instance, default));
                Assert.True(result.Outcome == DeploymentOutcome.Succeeded, result.Reason);
                Assert.Contains($"releaseops-test/web:{version}", steps.Single(s => s.Name == "rollout").Detail);
                Assert.Equal(version, (await fixture.Http.GetStringAsync("http://127.0.0.1:21141/version")).Trim());
            }
            var (_, rollback) = await DeploymentStream.CollectAsync<RollbackResult>(
                new RollbackService(engine).RollbackAsync(plan, new RollbackRequest(), SilentReporter.Instance, default));
            Assert.True(rollback.Outcome == RollbackOutcome.Succeeded, rollback.Reason);
            Assert.Equal("v1", (await fixture.Http.GetStringAsync("http://127.0.0.1:21141/version")).Trim());
            var tasks = await fixture.Platform.ListTasksAsync(name, default);
            Assert.Contains(tasks, t => t.DesiredState == "running" && t.State == "running" && t.Image.StartsWith("releaseops-test/web:v1"));
            Assert.All(await engine.HistoryAsync(plan, default), r => Assert.Equal(ReleaseStatus.Succeeded, r.Status));
        }
        finally
        {
            await fixture.Platform.RemoveServiceAsync(name, default);
        }
    }
}

/// <summary>Verification accounts for every expected task of a Swarm service: one killed after the rollout fails the release.</summary>
[Collection(SwarmCollection.Name)]
public sealed class SwarmVerificationTests(SwarmFixture fixture)
{
    [Fact]
    public async Task A_swarm_service_with_a_task_killed_after_the_rollout_is_not_a_success()
    {
        const string name = "web-verify-swarm";
        var service = DeployFixture.Service(name, DeploymentStrategyType.Rolling) with
        {
            Target = ServiceTarget.Swarm, Replicas = 2, HostPorts = Array.Empty<int>(), Smoke = Array.Empty<SmokeCheckDefinition>(),
        };
        var plan = fixture.Plan(service);
        var engine = fixture.Engine();
        var swarm = SwarmRollout.ServiceName(plan, service);
        try
        {
            var (_, v1) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
            Assert.True(v1.Outcome == DeploymentOutcome.Succeeded, v1.Reason);
            Assert.Contains("2 of 2 task(s)", (await engine.HistoryAsync(plan, default))[0].Steps.Single(s => s.Name == "verify").Detail);
            var reporter = new TriggerReporter($"rollout [{name}]: Succeeded", () =>
            {
                var task = fixture.Platform.ListTasksAsync(swarm, default).GetAwaiter().GetResult()
                    .First(t => t.State == "running" && t.Image.StartsWith("releaseops-test/web:v2", StringComparison.Ordinal));
                fixture.Platform.StopAsync(task.ContainerId!, TimeSpan.Zero, default).GetAwaiter().GetResult();
            });

            var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, reporter, default));

            Assert.True(reporter.Fired);
            Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
            Assert.Contains("InstancesMissing", result.Reason);
            Assert.Contains("of 2 replica(s) running", result.Reason);
            var service2 = await fixture.Platform.InspectServiceAsync(swarm, default);
            Assert.StartsWith("releaseops-test/web:v1", service2!.Image);
        }
        finally
        {
            await fixture.Platform.RemoveServiceAsync(swarm, default);
        }
    }
}
