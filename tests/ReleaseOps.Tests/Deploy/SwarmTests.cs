using ReleaseOps.Deploy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>A Swarm service (host-mode port 21141) released v1 -> v2 by update_config, verified by its tasks, and rolled back by Swarm.</summary>
[Collection(DeployCollection.Name)]
public sealed class SwarmTests(DeployFixture fixture)
{
    [Fact]
    public async Task A_swarm_service_is_updated_watched_by_task_state_and_rolled_back()
    {
        var service = DeployFixture.Service("web-swarm", DeploymentStrategyType.Rolling, 21141) with { Target = ServiceTarget.Swarm };
        var plan = fixture.Plan(service) with { Proxy = null };
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
