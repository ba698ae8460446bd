using ReleaseOps.Deploy;
using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// strategy.standby: a blue-green release keeps the old color running out of the proxy, a rollback inside the window switches
/// back to it without starting anything, and the window ends with Stop-DeploymentStandby's engine call or the next release.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class StandbyTests(DeployFixture fixture)
{
    private static ServiceDefinition Service(TimeSpan standby)
    {
        var service = DeployFixture.Service("web-standby", DeploymentStrategyType.BlueGreen, 21471, 21472);
        return service with { Strategy = service.Strategy with { Standby = standby } };
    }

    private async Task<DeploymentResult> DeployAsync(DeploymentEngine engine, ReleasePlan plan, string version)
    {
        var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = version }, SilentReporter.Instance, default));
        Assert.True(result.Outcome == DeploymentOutcome.Succeeded, result.Reason);
        Assert.Equal(version, await fixture.ServedVersionAsync("web-standby"));
        return result;
    }

    private async Task<IReadOnlySet<string>> RoutedAsync(ReleasePlan plan) =>
        (await new NginxProxyController(plan.Proxy!).ReadAsync("web-standby", default))!.Servers.Select(s => s.Address).ToHashSet();

    private async Task<string> StartedAtAsync(string id) =>
        (await fixture.Docker.InspectContainerAsync(id)).State.StartedAt;

    private static readonly Confirmation Yes = (_, _) => Task.FromResult(true);

    [Fact]
    public async Task The_old_color_stays_warm_out_of_the_proxy_and_a_rollback_switches_back_to_it_without_starting_anything()
    {
        var plan = fixture.Plan(Service(TimeSpan.FromHours(1)));
        var engine = await fixture.StartFromV1Async(plan);
        await DeployAsync(engine, plan, "v2");

        var v1 = Assert.Single(await fixture.InstancesAsync("web-standby", "v1"));
        Assert.True(v1.Running, "the old color is kept running");
        Assert.DoesNotContain($"127.0.0.1:{ContainerRollout.PortOf(v1)}", await RoutedAsync(plan));
        var release = (await engine.HistoryAsync(plan, default))[0];
        var standby = Assert.Single(release.Standby!);
        Assert.Equal(("web-standby", "v1"), (standby.Service, standby.Version));
        Assert.Equal(new[] { v1.Name.TrimStart('/') }, standby.Instances);
        Assert.InRange(standby.Until, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddHours(1));
        Assert.Contains("running out of the proxy for 1h (standby)", release.Steps.Single(s => s.Name == "retire").Detail);
        var warmSince = await StartedAtAsync(v1.Id);

        var rollback = await new RollbackService(engine).RunAsync(plan, new RollbackRequest(), SilentReporter.Instance, default);

        Assert.True(rollback.Outcome == RollbackOutcome.Succeeded, rollback.Reason);
        Assert.Equal("v1", await fixture.ServedVersionAsync("web-standby"));
        // The very container that stood by serves: never stopped, never started again.
        Assert.Equal(v1.Id, Assert.Single(await fixture.InstancesAsync("web-standby", "v1")).Id);
        Assert.Equal(warmSince, await StartedAtAsync(v1.Id));
        Assert.Empty(await fixture.InstancesAsync("web-standby", "v2"));
        await fixture.RemoveContainersAsync();
    }

    [Fact]
    public async Task The_window_ends_with_StopStandby_or_the_next_release_and_the_journal_says_so()
    {
        var plan = fixture.Plan(Service(TimeSpan.FromHours(1)));
        var engine = await fixture.StartFromV1Async(plan);
        await DeployAsync(engine, plan, "v2");

        // Inside the window: nothing happens without force.
        Assert.Null(await engine.StopStandbyAsync(plan, force: false, Yes, SilentReporter.Instance, default));
        Assert.True(Assert.Single(await fixture.InstancesAsync("web-standby", "v1")).Running);
        // Not confirmed (-WhatIf): nothing happens either.
        Assert.Null(await engine.StopStandbyAsync(plan, force: true, (_, _) => Task.FromResult(false), SilentReporter.Instance, default));
        Assert.True(Assert.Single(await fixture.InstancesAsync("web-standby", "v1")).Running);

        var retired = await engine.StopStandbyAsync(plan, force: true, Yes, SilentReporter.Instance, default);

        Assert.NotNull(retired);
        Assert.Null(retired!.Standby);
        Assert.Contains("stopped the standby", retired.Steps.Single(s => s.Name == "retire-standby").Detail);
        Assert.False(Assert.Single(await fixture.InstancesAsync("web-standby", "v1")).Running, "kept, stopped");
        Assert.Equal("v2", await fixture.ServedVersionAsync("web-standby"));
        Assert.Null((await engine.HistoryAsync(plan, default))[0].Standby);
        Assert.Null(await fixture.Engine().JournalFor(plan).GetLockAsync(plan.Application, plan.Environment, default));
        // Nothing left to retire.
        Assert.Null(await engine.StopStandbyAsync(plan, force: true, Yes, SilentReporter.Instance, default));

        // A standby a crash left running is retired by the next release before it starts anything.
        await fixture.Platform.StartAsync(Assert.Single(await fixture.InstancesAsync("web-standby", "v1")).Id, default);
        await DeployAsync(engine, plan, "v2");
        Assert.False(Assert.Single(await fixture.InstancesAsync("web-standby", "v1")).Running);

        // A window that has ended needs no force: releaseops retire, as a schedule would run it, on the same journal.
        var ended = fixture.Plan(Service(TimeSpan.FromMilliseconds(1)), plan.Journal!.Path);
        await DeployAsync(engine, ended, "v1");
        Assert.True(Assert.Single(await fixture.InstancesAsync("web-standby", "v2")).Running, "v2 stands by");
        var planFile = Path.Combine(plan.Journal!.Path, "releaseplan.yml");
        await File.WriteAllTextAsync(planFile, $$"""
            api_version: releaseops/v1
            application: {{plan.Application}}
            environment: {{plan.Environment}}
            docker: { host: {{TestEnvironment.DockerHost}} }
            journal: { path: {{plan.Journal!.Path}} }
            proxy: { upstream_file: {{fixture.UpstreamFile}}, config_file: {{fixture.ConfigFile}} }
            services:
              - name: web-standby
                image: releaseops-test/web
                port: 8080
                host_ports: [21471, 21472]
                strategy: { type: blue-green, standby: 1ms, stop_grace_period: 0s }
            """);
        var retire = ReleaseOps.Tests.Cli.CliRunner.Run("retire", planFile);
        Assert.True(retire.ExitCode == 0, retire.Error);
        Assert.Matches(@"web-standby: stopped the standby ro-depl-app-test-web-standby-2147[12] \(v2\)", retire.Out);
        Assert.False(Assert.Single(await fixture.InstancesAsync("web-standby", "v2")).Running);
        Assert.Contains("no standby to retire", ReleaseOps.Tests.Cli.CliRunner.Run("retire", planFile, "--force").Out);
        Assert.Equal("v1", await fixture.ServedVersionAsync("web-standby"));
        await fixture.RemoveContainersAsync();
    }
}
