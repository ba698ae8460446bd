using System.Management.Automation;
using ReleaseOps.Deploy;
using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Cli;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>The nginx controller against the fixture's nginx, and the cmdlets in a real runspace and the CLI commands.</summary>
[Collection(DeployCollection.Name)]
public sealed class ProxyAndCmdletTests(DeployFixture fixture)
{
    [Fact]
    public async Task A_configuration_nginx_rejects_is_rolled_back_to_the_previous_upstreams()
    {
        var proxy = new NginxProxyController(fixture.Plan(DeployFixture.Service("web-cli", DeploymentStrategyType.Rolling)).Proxy!);
        var before = await File.ReadAllTextAsync(fixture.UpstreamFile);

        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
            proxy.SwitchAsync("web-cli", new[] { new UpstreamServer("127.0.0.1:notaport") }, default));

        Assert.Equal("ProxyConfigInvalid", error.ErrorId);
        Assert.Equal(before, await File.ReadAllTextAsync(fixture.UpstreamFile));
        Assert.Empty(Directory.GetFiles(fixture.Directory, "*.tmp"));
    }

    [Fact]
    public async Task Canary_weights_are_written_as_nginx_weights_and_read_back()
    {
        var proxy = new NginxProxyController(fixture.Plan(DeployFixture.Service("web-cli", DeploymentStrategyType.Canary)).Proxy!);
        await proxy.SwitchAsync("web-cli", new[] { new UpstreamServer("127.0.0.1:21161", 90), new UpstreamServer("127.0.0.1:21162", 10) }, default);

        var block = await proxy.ReadAsync("web-cli", default);
        Assert.Equal(new[] { ("127.0.0.1:21161", 90), ("127.0.0.1:21162", 10) }, block!.Servers.Select(s => (s.Address, s.Weight)));
        Assert.Contains("server 127.0.0.1:21162 weight=10", await File.ReadAllTextAsync(fixture.UpstreamFile));
        // The other services' upstreams are untouched.
        Assert.Contains("upstream web-rolling", await File.ReadAllTextAsync(fixture.UpstreamFile));
        await Assert.ThrowsAsync<ReleaseOpsException>(() => proxy.SwitchAsync("web-cli", new[] { new UpstreamServer("127.0.0.1:21161", 0) }, default));
    }

    private static Dictionary<string, object?> With(ReleasePlan plan) => new() { ["plan"] = plan };

    [Fact]
    public void Invoke_Deployment_WhatIf_shows_the_exact_steps_and_touches_nothing()
    {
        var plan = fixture.Plan(DeployFixture.Service("web-cli", DeploymentStrategyType.BlueGreen, 21171, 21172));
        using var session = PowerShellSession.Start();

        var result = session.Run("param($plan) $plan | Invoke-Deployment -Version v2 -WhatIf", With(plan)).ThrowIfFailed();

        Assert.Empty(result.Output);
        var whatIf = Assert.Single(result.WhatIf);
        Assert.Contains("on target \"ro-depl-app/test\"", whatIf);
        Assert.Contains("rollout [web-cli]: Planned - start 1 x releaseops-test/web:v2 beside the live color", whatIf);
        Assert.Contains("drain 300ms", whatIf);
        Assert.False(Directory.Exists(plan.Journal.Path), "-WhatIf must not create the journal");
    }

    [Fact]
    public async Task Invoke_Deployment_streams_steps_then_the_result_and_Get_Deployment_filters_the_journal()
    {
        await fixture.RemoveContainersAsync();
        var plan = fixture.Plan(DeployFixture.Service("web-cli", DeploymentStrategyType.Recreate, 21171));
        using var session = PowerShellSession.Start();

        var deployed = session.Run("param($plan) $plan | Invoke-Deployment -Version v1 -Confirm:$false", With(plan)).ThrowIfFailed();

        Assert.IsType<DeploymentResult>(deployed.Output[^1].BaseObject);
        Assert.All(deployed.Output.Take(deployed.Output.Count - 1), o => Assert.IsType<DeploymentStep>(o.BaseObject));
        Assert.Contains(deployed.Progress, p => p.StatusDescription.StartsWith("rollout", StringComparison.Ordinal));

        var history = session.Run("param($plan) $plan | Get-Deployment -Status Succeeded -Last 1", With(plan)).ThrowIfFailed();
        Assert.Equal("v1", Assert.Single(history.Objects<ReleaseRecord>()).Version);
        Assert.Empty(session.Run("param($plan) $plan | Get-Deployment -Version v9", With(plan)).ThrowIfFailed().Output);
        await fixture.RemoveContainersAsync();
    }

    [Fact]
    public async Task Unlock_Deployment_removes_a_dead_holders_lock_and_refuses_a_live_one_without_Force()
    {
        var plan = fixture.Plan(DeployFixture.Service("web-cli", DeploymentStrategyType.Recreate, 21171));
        var journal = new FileReleaseJournal(plan.Journal.Path);
        await journal.AcquireLockAsync(plan.Application, plan.Environment, "live", false, default);
        using var session = PowerShellSession.Start();

        var refused = session.Run("param($plan) $plan | Unlock-Deployment -Confirm:$false", With(plan));
        Assert.Equal("DeploymentLockHeld", Assert.Single(refused.ErrorIds));
        Assert.Equal(ErrorCategory.ResourceBusy, refused.Errors[0].CategoryInfo.Category);

        var forced = session.Run("param($plan) $plan | Unlock-Deployment -Force -Confirm:$false", With(plan)).ThrowIfFailed();
        Assert.Equal("live", Assert.Single(forced.Objects<DeployLock>()).ReleaseId);
        Assert.Null(await journal.GetLockAsync(plan.Application, plan.Environment, default));
    }

    [Fact]
    public void Invoke_Rollback_without_history_is_a_typed_not_found_error()
    {
        var plan = fixture.Plan(DeployFixture.Service("web-cli", DeploymentStrategyType.Recreate, 21171));
        using var session = PowerShellSession.Start();

        var whatIf = session.Run("param($plan) $plan | Invoke-Rollback -WhatIf", With(plan)).ThrowIfFailed();
        Assert.Equal("What if: Performing the operation \"Roll back to the previous release\" on target \"ro-depl-app/test\".", Assert.Single(whatIf.WhatIf));

        var result = session.Run("param($plan) $plan | Invoke-Rollback -Confirm:$false", With(plan));
        Assert.Equal("NothingToRollBack", Assert.Single(result.ErrorIds));
        Assert.Equal(ErrorCategory.ObjectNotFound, result.Errors[0].CategoryInfo.Category);
    }

    [Fact]
    public void The_CLI_prints_the_what_if_plan_and_an_empty_history_as_json()
    {
        var planFile = Path.Combine(fixture.Directory, "cli-plan.yml");
        var journal = fixture.NewJournalDirectory();
        File.WriteAllText(planFile, $"""
            api_version: releaseops/v1
            application: ro-depl-app
            environment: cli
            journal:
              path: {journal}
            services:
              - name: web-cli
                image: releaseops-test/web
                port: 8080
                host_ports: [21171, 21172]
            """);
        var whatIf = CliRunner.Run("deploy", planFile, "--version", "v2", "--what-if");
        Assert.Equal(0, whatIf.ExitCode);
        Assert.Contains("rollout [web-cli]: Planned", whatIf.Out);
        Assert.False(Directory.Exists(journal));

        var history = CliRunner.Run("history", planFile, "--output", "json");
        Assert.Equal(0, history.ExitCode);
        Assert.Equal("[]", history.Out.Trim());

        var locked = new FileReleaseJournal(journal);
        locked.AcquireLockAsync("ro-depl-app", "cli", "live", false, default).GetAwaiter().GetResult();
        var unlock = CliRunner.Run("unlock", planFile);
        Assert.Equal(3, unlock.ExitCode);
        Assert.Contains("DeploymentLockHeld", unlock.Error, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("unlock", planFile, "--force").ExitCode);
        Assert.Null(locked.GetLockAsync("ro-depl-app", "cli", default).GetAwaiter().GetResult());

        var bad = CliRunner.Run("deploy", planFile);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("No version to deploy", bad.Error, StringComparison.Ordinal);
    }
}
