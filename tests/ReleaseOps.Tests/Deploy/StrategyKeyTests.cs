using ReleaseOps.Deploy;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>Strategy and migration keys, shown by what a real deployment does with them (web-fault's ports and upstream).</summary>
[Collection(DeployCollection.Name)]
public sealed class StrategyKeyTests(DeployFixture fixture)
{
    private const string Name = "web-fault";

    private static ServiceDefinition TwoReplicas(int maxUnavailable) =>
        DeployFixture.Service(Name, DeploymentStrategyType.Rolling, 21151, 21152) with
        {
            Replicas = 2,
            Strategy = DeployFixture.Service(Name, DeploymentStrategyType.Rolling).Strategy with
            {
                Order = UpdateOrder.StopFirst, BatchSize = 2, MaxUnavailable = maxUnavailable, Drain = TimeSpan.Zero,
            },
        };

    /// <summary>Deploys v1 then v2; returns how many v1 instances still ran when the first v2 instance was started.</summary>
    private async Task<int> OldRunningAtFirstStartAsync(ServiceDefinition service)
    {
        var plan = fixture.Plan(service);
        var engine = await fixture.StartFromV1Async(plan);
        var oldRunning = -1;
        var reporter = new TriggerReporter("Starting releaseops-test/web:v2", () =>
            oldRunning = fixture.InstancesAsync(Name, "v1").GetAwaiter().GetResult().Count(i => i.Running));
        var (_, v2) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, reporter, default));
        Assert.True(v2.Outcome == DeploymentOutcome.Succeeded, v2.Reason);
        Assert.True(reporter.Fired);
        return oldRunning;
    }

    [Fact]
    public async Task Stop_first_replaces_a_batch_of_at_most_max_unavailable()
    {
        // batch_size 2, stop-first: max_unavailable 1 takes one old instance out at a time, 2 takes both.
        Assert.Equal(1, await OldRunningAtFirstStartAsync(TwoReplicas(maxUnavailable: 1)));
        Assert.Equal(0, await OldRunningAtFirstStartAsync(TwoReplicas(maxUnavailable: 2)));
    }

    [Fact]
    public async Task A_migration_runs_its_command_with_its_env_in_its_image_and_a_failing_or_slow_one_stops_the_release()
    {
        MigrationDefinition Migration(string script, TimeSpan? timeout = null) => new()
        {
            Command = new[] { "/bin/sh", "-c", script },
            Image = "releaseops-test/web:v1",
            Env = new Dictionary<string, string> { ["MIGRATION_MODE"] = "online" },
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        var service = DeployFixture.Service(Name, DeploymentStrategyType.Rolling, 21151, 21152);
        var plan = fixture.Plan(service with { Migration = Migration("echo migrated $MIGRATION_MODE") });
        var engine = await fixture.StartFromV1Async(fixture.Plan(service));

        var verbose = new List<string>();
        var (steps, ok) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, new TriggerReporter("\u0000", () => { }) { Messages = verbose }, default));
        Assert.True(ok.Outcome == DeploymentOutcome.Succeeded, ok.Reason);
        var migration = steps.Last(s => s.Name == "migration");
        Assert.Equal("exit 0: migrated online", migration.Detail);
        Assert.Contains(verbose, m => m.Contains("migration of web-fault in releaseops-test/web:v1", StringComparison.Ordinal)); // its image, not v2's

        var (_, failed) = await DeploymentStream.CollectAsync<DeploymentResult>(engine.DeployAsync(
            fixture.Plan(service with { Migration = Migration("echo broken; exit 3") }), new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
        Assert.NotEqual(DeploymentOutcome.Succeeded, failed.Outcome);
        Assert.Contains("exited with code 3", failed.Reason);

        var (_, slow) = await DeploymentStream.CollectAsync<DeploymentResult>(engine.DeployAsync(
            fixture.Plan(service with { Migration = Migration("sleep 30", TimeSpan.FromSeconds(1)) }), new DeploymentRequest { Version = "v1" },
            SilentReporter.Instance, default));
        Assert.NotEqual(DeploymentOutcome.Succeeded, slow.Outcome);
        Assert.Contains("did not finish within 1s", slow.Reason);
        Assert.Equal("v2", await fixture.ServedVersionAsync(Name)); // neither release got as far as the rollout
    }
}
