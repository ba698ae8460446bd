using ReleaseOps.Deploy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>Each strategy releases v1 -> v2 of the test image for real, then Invoke-Rollback's engine puts v1 back.</summary>
[Collection(DeployCollection.Name)]
public sealed class StrategyTests(DeployFixture fixture)
{
    private async Task ReleaseAndRollBackAsync(ServiceDefinition service)
    {
        var plan = fixture.Plan(service);
        var engine = fixture.Engine();
        var (_, first) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
        Assert.True(first.Outcome == DeploymentOutcome.Succeeded, first.Reason);
        Assert.Equal("v1", await fixture.ServedVersionAsync(service.Name));

        var (steps, second) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, SilentReporter.Instance, default));
        Assert.True(second.Outcome == DeploymentOutcome.Succeeded, second.Reason);
        Assert.Equal("v1", second.PreviousVersion);
        Assert.Equal("v2", await fixture.ServedVersionAsync(service.Name));
        Assert.Equal(new[] { "lock", "resolve-images", "gates:pre-deploy", "backup", "rollout", "verify", "gates:post-deploy", "retire", "unlock" },
            steps.Select(s => s.Name));
        Assert.StartsWith("sha256:", second.Services.Single().Digest);

        var (_, rollback) = await DeploymentStream.CollectAsync<RollbackResult>(
            new RollbackService(engine).RollbackAsync(plan, new RollbackRequest(), SilentReporter.Instance, default));
        Assert.True(rollback.Outcome == RollbackOutcome.Succeeded, rollback.Reason);
        Assert.Equal(("v2", "v1"), (rollback.FromVersion, rollback.ToVersion));
        Assert.True(rollback.Duration > TimeSpan.Zero);
        Assert.Equal("v1", await fixture.ServedVersionAsync(service.Name));

        var history = await engine.HistoryAsync(plan, default);
        Assert.Equal(new[] { ReleaseKind.Rollback, ReleaseKind.Deployment, ReleaseKind.Deployment }, history.Select(h => h.Kind));
        Assert.All(history, h => Assert.Equal(ReleaseStatus.Succeeded, h.Status));
        Assert.All(history.SelectMany(h => h.Steps), s => Assert.NotEqual(StepStatus.Started, s.Status));
        await fixture.RemoveContainersAsync();
    }

    [Fact]
    public Task Rolling_start_first_two_replicas() => ReleaseAndRollBackAsync(
        DeployFixture.Service("web-rolling", DeploymentStrategyType.Rolling, 21101, 21102, 21103) with { Replicas = 2 });

    [Fact]
    public Task Recreate() => ReleaseAndRollBackAsync(DeployFixture.Service("web-recreate", DeploymentStrategyType.Recreate, 21111));

    [Fact]
    public Task Blue_green_switches_back_to_the_kept_color() => ReleaseAndRollBackAsync(
        DeployFixture.Service("web-bluegreen", DeploymentStrategyType.BlueGreen, 21121, 21122));

    [Fact]
    public Task Canary_steps_through_weights() => ReleaseAndRollBackAsync(
        DeployFixture.Service("web-canary", DeploymentStrategyType.Canary, 21131, 21132));
}
