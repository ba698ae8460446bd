using ReleaseOps.Deploy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Releases;
using ReleaseOps.Tests.Deploy;
using Xunit;

namespace ReleaseOps.Tests.Releases;

/// <summary>
/// watch.after_deploy: the deployment watches the release it put live, inside its lock; Succeeded only when the watch ends
/// healthy, rolled back when it breaches or cannot judge, skipped when asked. Real dockerd and nginx, short windows (web-release).
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class DeploymentWatchTests(DeployFixture fixture) : IAsyncLifetime
{
    private const string Name = "web-release";

    public Task InitializeAsync() => fixture.RemoveContainersAsync();

    public Task DisposeAsync() => fixture.RemoveContainersAsync();

    /// <summary>"Healthy" means serving v1 here, so a v2 breaches at once: a stand-in for a release that misbehaves once live.</summary>
    private ReleasePlan Plan(string probeUrl, TimeSpan window) =>
        fixture.Plan(DeployFixture.Service(Name, DeploymentStrategyType.BlueGreen, 21181, 21182)) with
        {
            Watch = new WatchDefinition
            {
                AfterDeploy = true,
                Duration = TimeSpan.FromSeconds(2),
                Probes = new[]
                {
                    new ProbeDefinition
                    {
                        Name = "version", Url = probeUrl, Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(1),
                        Expect = new[] { "body contains \"v1\"" },
                    },
                },
                Criteria = new[] { new CriterionDefinition { Name = "serves-v1", Expect = "consecutive_failures < 3", Window = window } },
            },
        };

    private static async Task<(List<DeploymentStep> Steps, DeploymentResult Result)> DeployAsync(DeploymentEngine engine, ReleasePlan plan,
        string version, bool? watch = null) =>
        await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = version, Watch = watch }, SilentReporter.Instance, default));

    private static async Task<ReleaseRecord> JournaledAsync(ReleasePlan plan, string id) =>
        (await ReleaseJournalFactory.Open(plan).ListAsync(plan.Application, plan.Environment, default)).Single(r => r.Id == id);

    [Fact]
    public async Task A_healthy_watch_makes_the_release_a_success_a_breach_rolls_it_back_in_the_same_operation_and_no_watch_skips_it()
    {
        var plan = Plan($"http://127.0.0.1:{DeployFixture.ListenPorts[Name]}/version", TimeSpan.FromSeconds(1));
        var engine = new DeploymentEngine(_ => fixture.Platform, StandardRelease.Hooks());

        var (steps, v1) = await DeployAsync(engine, plan, "v1");
        Assert.True(v1.Outcome == DeploymentOutcome.Succeeded, v1.Reason);
        var watched = Assert.Single(steps, s => s.Name == "watch");
        Assert.Equal(StepStatus.Succeeded, watched.Status);
        Assert.StartsWith("Healthy after ", watched.Detail);
        // The watch ran before the old color was retired, and the journal holds its verdict.
        Assert.True(steps.FindIndex(s => s.Name == "watch") < steps.FindIndex(s => s.Name == "retire"));
        Assert.Contains((await JournaledAsync(plan, v1.ReleaseId)).Steps, s => s.Name == "watch" && s.Detail!.StartsWith("Healthy", StringComparison.Ordinal));

        var (breachSteps, v2) = await DeployAsync(engine, plan, "v2");
        Assert.Equal(DeploymentOutcome.RolledBack, v2.Outcome);
        Assert.Contains("The watch after the deployment breached", v2.Reason);
        Assert.Equal(StepStatus.Failed, breachSteps.Single(s => s.Name == "watch").Status);
        // Rolled back by the deployment itself, holding its own lock: no second release, and v1 serves again.
        Assert.Contains(breachSteps, s => s.Name == "rollback" && s.Status == StepStatus.Succeeded);
        Assert.Equal("v1", await fixture.ServedVersionAsync(Name));
        var journaled = await JournaledAsync(plan, v2.ReleaseId);
        Assert.Equal(ReleaseStatus.RolledBack, journaled.Status);
        Assert.Contains(journaled.Steps, s => s.Name == "watch" && s.Status == StepStatus.Failed);

        var (skippedSteps, unwatched) = await DeployAsync(engine, plan, "v2", watch: false);
        Assert.True(unwatched.Outcome == DeploymentOutcome.Succeeded, unwatched.Reason);
        var skipped = Assert.Single(skippedSteps, s => s.Name == "watch");
        Assert.Equal(StepStatus.Skipped, skipped.Status);
        Assert.Contains("-Watch:$false", skipped.Detail);
        Assert.Equal("v2", await fixture.ServedVersionAsync(Name));
    }

    [Fact]
    public async Task An_inconclusive_watch_is_no_evidence_and_the_release_is_rolled_back()
    {
        // The probe's endpoint never answers and the criterion's window is longer than the watch: nothing can be judged.
        var plan = Plan($"http://127.0.0.1:{DeployFixture.ListenPorts[Name]}/version", TimeSpan.FromSeconds(1));
        var engine = new DeploymentEngine(_ => fixture.Platform, StandardRelease.Hooks());
        var (_, v1) = await DeployAsync(engine, plan, "v1", watch: false);
        Assert.True(v1.Outcome == DeploymentOutcome.Succeeded, v1.Reason);

        var blind = plan with // the same journal: v1 is the release to go back to
        {
            Watch = plan.Watch! with
            {
                Criteria = new[] { new CriterionDefinition { Name = "errors", Expect = "error_rate < 5%", Window = TimeSpan.FromMinutes(10) } },
                Probes = new[] { plan.Watch!.Probes[0] with { Url = "http://127.0.0.1:9/version" } },
            },
        };
        var (steps, v2) = await DeployAsync(engine, blind, "v2");
        Assert.Equal(DeploymentOutcome.RolledBack, v2.Outcome);
        Assert.Contains("could not judge the release", v2.Reason);
        Assert.Equal("v1", await fixture.ServedVersionAsync(Name));
    }

    [Fact]
    public void What_if_shows_the_watch_step_or_its_skipping()
    {
        var plan = Plan($"http://127.0.0.1:{DeployFixture.ListenPorts[Name]}/version", TimeSpan.FromSeconds(1));
        var engine = new DeploymentEngine(_ => fixture.Platform, StandardRelease.Hooks());
        Assert.Contains(engine.Plan(plan, new DeploymentRequest { Version = "v1" }), s => s.Name == "watch" && s.Detail!.StartsWith("watch the release for 2s"));
        Assert.Contains(engine.Plan(plan, new DeploymentRequest { Version = "v1", Watch = false }), s => s.Name == "watch" && s.Detail!.Contains("skip"));
    }
}
