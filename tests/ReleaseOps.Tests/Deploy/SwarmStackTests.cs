using System.Diagnostics;
using Docker.DotNet.Models;
using ReleaseOps.Deploy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Plans;
using Xunit;
using Xunit.Abstractions;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// The hardened Swarm stack of examples/swarm (three services, overlay networks public and internal, secrets, limits
/// and reservations, non-root, read-only, health checks, a volume) released v1 -> v2 and rolled back on the test
/// dockerd's swarm, the spec read back from dockerd; a secret rotated by content; a release whose tasks never turn
/// healthy rolled back by Swarm to the old spec and the old secret. No host ports: verification goes through relays.
/// </summary>
[Collection(SwarmCollection.Name)]
public sealed class SwarmStackTests(SwarmFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private SwarmDemoLock? _lock;

    // The stack's networks and volume are shared with tests/pester/Swarm.Tests.ps1 (see SwarmDemoLock).
    public async Task InitializeAsync() => _lock = await SwarmDemoLock.TakeAsync(TimeSpan.FromMinutes(5));

    public Task DisposeAsync()
    {
        _lock?.Dispose();
        return Task.CompletedTask;
    }

    private static string ExamplePlan => Path.Combine(ExamplePlanTests.RepositoryRoot, "examples", "swarm", "releaseplan.yml");

    /// <summary>The example for environment <paramref name="environment"/>, relayed by the test image, secrets from fresh variables.</summary>
    private async Task<(ReleasePlan Plan, string DbVariable, string TokenVariable)> ExampleAsync(string environment)
    {
        var plan = await ReleasePlanLoader.LoadAsync(ExamplePlan, new Dictionary<string, string>
        {
            ["environment"] = environment,
            ["relay_image"] = "releaseops-test/web:v1",
        });
        var suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var db = "RO_SWARM_DB_" + suffix;
        var token = "RO_SWARM_TOKEN_" + suffix;
        Environment.SetEnvironmentVariable(db, "db-" + Guid.NewGuid().ToString("N"));
        Environment.SetEnvironmentVariable(token, "token-" + Guid.NewGuid().ToString("N"));
        plan = plan with
        {
            Journal = new JournalDefinition { Path = fixture.NewJournalDirectory() },
            Secrets = new SecretCatalog(new Dictionary<string, SecretSource>
            {
                ["db_password"] = new EnvironmentSecretSource("db_password", db),
                ["api_token"] = new EnvironmentSecretSource("api_token", token),
            }),
        };
        await RemoveStackAsync(plan);
        return (plan, db, token);
    }

    [Fact]
    public async Task The_hardened_stack_deploys_v1_and_v2_with_its_spec_in_dockerd_rotates_a_secret_and_rolls_back()
    {
        var (plan, _, token) = await ExampleAsync("xunit");
        var engine = fixture.Engine();
        try
        {
            var (steps, v1) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
            Assert.True(v1.Outcome == DeploymentOutcome.Succeeded, v1.Reason);
            // Every service's probes and smoke checks ran against each task: web 2 tasks x 1 probe + 2 smoke, plus 2 tasks.
            var verifyWeb = steps.Single(s => s.Name == "verify" && s.Service == "web").Detail;
            Assert.StartsWith("6 check(s) passed on 2 of 2 task(s) (through a relay on swarmdemo-public)", verifyWeb);
            Assert.StartsWith("5 check(s) passed on 2 of 2 task(s)", steps.Single(s => s.Name == "verify" && s.Service == "api").Detail);
            Assert.StartsWith("2 check(s) passed on 1 of 1 task(s)", steps.Single(s => s.Name == "verify" && s.Service == "store").Detail);

            // The spec as dockerd holds it.
            var web = await fixture.Docker.InspectServiceAsync("swarmdemo-xunit-web");
            var container = web.Spec!.TaskTemplate!.ContainerSpec!;
            Assert.Equal("10001:10001", container.User);
            Assert.True(container.ReadOnly);
            Assert.Equal(["CMD", "/bin/wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"], container.Healthcheck!.Test);
            Assert.Equal(3, container.Healthcheck.Retries);
            Assert.Equal(64L * 1000 * 1000, web.Spec.TaskTemplate.Resources!.Limits!.MemoryBytes);
            Assert.Equal(500_000_000L, web.Spec.TaskTemplate.Resources.Limits.NanoCPUs);
            Assert.Equal(16L * 1000 * 1000, web.Spec.TaskTemplate.Resources.Reservations!.MemoryBytes);
            Assert.Equal(100_000_000L, web.Spec.TaskTemplate.Resources.Reservations.NanoCPUs);
            Assert.Equal("start-first", web.Spec.UpdateConfig!.Order);
            Assert.Equal(2UL, web.Spec.Mode!.Replicated!.Replicas);
            var tokenRef = Assert.Single(container.Secrets!);
            Assert.Equal("api_token", tokenRef.File!.Name);
            Assert.Equal("10001", tokenRef.File.UID);
            Assert.Equal(0x100u, tokenRef.File.Mode);
            Assert.StartsWith("swarmdemo-xunit-api_token-", tokenRef.SecretName);
            var networks = new List<NetworkResponse>();
            foreach (var attachment in web.Spec.TaskTemplate.Networks!) networks.Add((await fixture.Docker.TryInspectNetworkAsync(attachment.Target!))!);
            Assert.Equal(["swarmdemo-public", "swarmdemo-backend"], networks.Select(n => n.Name));
            Assert.All(networks, n => Assert.Equal("overlay", n.Driver));
            Assert.All(networks, n => Assert.True(n.Attachable));
            Assert.False(networks[0].Internal);
            Assert.True(networks[1].Internal);
            var store = await fixture.Docker.InspectServiceAsync("swarmdemo-xunit-store");
            var mount = Assert.Single(store.Spec!.TaskTemplate!.ContainerSpec!.Mounts!);
            Assert.Equal(("volume", "swarmdemo-store-data", "/data", false), (mount.Type, mount.Source, mount.Target, mount.ReadOnly == true));
            Assert.Equal("stop-first", store.Spec.UpdateConfig!.Order);
            var api = await fixture.Docker.InspectServiceAsync("swarmdemo-xunit-api");
            Assert.Equal(["api_token", "db_password"], api.Spec!.TaskTemplate!.ContainerSpec!.Secrets!.Select(s => s.File!.Name).Order());
            // The task really runs as 10001 on a read-only root and reads its secret.
            var task = (await fixture.Platform.ListTasksAsync("swarmdemo-xunit-api", default)).First(t => t.State == "running");
            var (id, secretText) = await ExecAsync(task.ContainerId!, "cat", "/run/secrets/db_password");
            Assert.Equal(0, id);
            Assert.Equal(Environment.GetEnvironmentVariable(plan.Secrets.Sources.OfType<EnvironmentSecretSource>().First(s => s.Name == "db_password").Variable), secretText.Trim());
            var running = await fixture.Docker.InspectContainerAsync(task.ContainerId!);
            Assert.True(running.HostConfig!.ReadonlyRootfs);
            Assert.Equal(64L * 1000 * 1000, running.HostConfig.Memory);
            Assert.Equal("10001", (await ExecAsync(task.ContainerId!, "id", "-u")).Output.Trim());

            // v2 with the token rotated: a new secret, web and api moved to it, the old one gone once v2 succeeded.
            var oldToken = tokenRef.SecretName!;
            Environment.SetEnvironmentVariable(token, "token-rotated-" + Guid.NewGuid().ToString("N"));
            var clock = Stopwatch.StartNew();
            var (_, v2) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, SilentReporter.Instance, default));
            var deployTime = clock.Elapsed;
            Assert.True(v2.Outcome == DeploymentOutcome.Succeeded, v2.Reason);
            var newToken = (await fixture.Docker.InspectServiceAsync("swarmdemo-xunit-web")).Spec!.TaskTemplate!.ContainerSpec!.Secrets!.Single().SecretName!;
            Assert.NotEqual(oldToken, newToken);
            var secrets = (await fixture.Docker.ListSecretsAsync()).Select(s => s.Spec!.Name).ToArray();
            Assert.Contains(newToken, secrets);
            Assert.DoesNotContain(oldToken, secrets);
            Assert.All(await RunningImagesAsync(plan), i => Assert.Equal("releaseops-test/web:v2", i));

            clock.Restart();
            var (_, rollback) = await DeploymentStream.CollectAsync<RollbackResult>(
                new RollbackService(engine).RollbackAsync(plan, new RollbackRequest(), SilentReporter.Instance, default));
            Assert.True(rollback.Outcome == RollbackOutcome.Succeeded, rollback.Reason);
            output.WriteLine($"swarm stack (3 services, 5 tasks): v1 -> v2 {deployTime.TotalSeconds:F1} s, rollback to v1 {clock.Elapsed.TotalSeconds:F1} s " +
                             $"(RollbackResult.Duration {rollback.Duration.TotalSeconds:F1} s)");
            Assert.All(await RunningImagesAsync(plan), i => Assert.Equal("releaseops-test/web:v1", i));
            // The rollback keeps the current token (a version's rollback does not un-rotate a secret).
            Assert.Equal(newToken, (await fixture.Docker.InspectServiceAsync("swarmdemo-xunit-web")).Spec!.TaskTemplate!.ContainerSpec!.Secrets!.Single().SecretName);
        }
        finally
        {
            await RemoveStackAsync(plan);
        }
    }

    [Fact]
    public async Task A_release_whose_tasks_never_turn_healthy_is_rolled_back_to_the_old_spec_and_keeps_the_old_secret()
    {
        var (plan, db, _) = await ExampleAsync("xunit-fail");
        plan = plan with { Services = plan.Services.Where(s => s.Name == "api").ToArray() };
        var engine = fixture.Engine();
        try
        {
            var (_, v1) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
            Assert.True(v1.Outcome == DeploymentOutcome.Succeeded, v1.Reason);
            var before = (await fixture.Docker.InspectServiceAsync("swarmdemo-xunit-fail-api")).Spec!.TaskTemplate!.ContainerSpec!.Secrets!
                .Select(s => s.SecretName!).Order().ToArray();

            // broken has no /health: its health check never passes, so its tasks fail.
            Environment.SetEnvironmentVariable(db, "db-rotated-" + Guid.NewGuid().ToString("N"));
            var (steps, broken) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "broken" }, SilentReporter.Instance, default));
            Assert.Equal(DeploymentOutcome.RolledBack, broken.Outcome);
            Assert.Contains("v1 serving again", steps.Single(s => s.Name == "rollback").Detail);
            var after = await fixture.Docker.InspectServiceAsync("swarmdemo-xunit-fail-api");
            Assert.Equal("releaseops-test/web:v1", after.Spec!.TaskTemplate!.ContainerSpec!.Image!.Split('@')[0]);
            Assert.Equal(before, after.Spec.TaskTemplate.ContainerSpec.Secrets!.Select(s => s.SecretName!).Order());
            var secrets = (await fixture.Docker.ListSecretsAsync()).Select(s => s.Spec!.Name).ToArray();
            Assert.All(before, s => Assert.Contains(s, secrets));
            // The secret made for the failed release is gone with it.
            Assert.Equal(2, secrets.Count(s => s.StartsWith("swarmdemo-xunit-fail-", StringComparison.Ordinal)));
            Assert.All(await RunningImagesAsync(plan), i => Assert.Equal("releaseops-test/web:v1", i));
        }
        finally
        {
            await RemoveStackAsync(plan);
        }
    }

    [Fact]
    public async Task A_smoke_check_failing_on_the_tasks_rolls_back_and_the_secret_value_never_shows()
    {
        var (plan, db, _) = await ExampleAsync("xunit-smoke");
        var canary = Support.CanarySecret.New();
        Environment.SetEnvironmentVariable(db, canary);
        var api = plan.Services.Single(s => s.Name == "api");
        // Only v1 answers "v1" at /version: v2's tasks come up healthy, and the smoke check through the relay fails them.
        api = api with { Smoke = new[] { new SmokeCheckDefinition { Name = "is-v1", Url = "/version", Expect = new[] { "status == 200", "body contains \"v1\"" } } } };
        plan = plan with { Services = new[] { api } };
        var engine = fixture.Engine();
        try
        {
            var (firstSteps, v1) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
            Assert.True(v1.Outcome == DeploymentOutcome.Succeeded, v1.Reason);
            var (steps, v2) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, SilentReporter.Instance, default));
            Assert.Equal(DeploymentOutcome.RolledBack, v2.Outcome);
            Assert.Contains("SmokeCheckFailed", v2.Reason);
            Assert.Contains("is-v1", v2.Reason);
            Assert.Contains("5 check(s) passed on 2 of 2 task(s)", steps.Single(s => s.Name == "rollback").Detail);
            Assert.All(await RunningImagesAsync(plan), i => Assert.Equal("releaseops-test/web:v1", i));
            var journal = Directory.EnumerateFiles(plan.Journal.Path, "*", SearchOption.AllDirectories).Select(File.ReadAllText);
            Support.CanarySecret.AssertAbsent(canary, firstSteps.Concat(steps).Select(s => s.ToString()).Append(v2.Reason).Concat(journal), "steps, result and journal");
        }
        finally
        {
            await RemoveStackAsync(plan);
        }
    }

    [Fact]
    public async Task A_first_release_that_fails_is_withdrawn_with_the_secrets_it_created()
    {
        var (plan, _, _) = await ExampleAsync("xunit-first");
        plan = plan with { Services = plan.Services.Where(s => s.Name == "store").ToArray() };
        try
        {
            var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                fixture.Engine().DeployAsync(plan, new DeploymentRequest { Version = "broken" }, SilentReporter.Instance, default));
            Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
            Assert.Contains("SwarmTaskFailed", result.Reason);
            Assert.Contains("no previous release: the new version was removed", steps.Single(s => s.Name == "rollback").Detail);
            Assert.Null(await fixture.Platform.InspectServiceAsync("swarmdemo-xunit-first-store", default));
            Assert.DoesNotContain(await fixture.Docker.ListSecretsAsync(), s => s.Spec!.Name!.StartsWith("swarmdemo-xunit-first-", StringComparison.Ordinal));
        }
        finally
        {
            await RemoveStackAsync(plan);
        }
    }

    private async Task<IReadOnlyList<string>> RunningImagesAsync(ReleasePlan plan)
    {
        var images = new List<string>();
        foreach (var service in plan.Services)
        {
            var tasks = await fixture.Platform.ListTasksAsync(SwarmRollout.ServiceName(plan, service), default);
            var running = tasks.Where(t => t.DesiredState == "running").ToArray();
            Assert.Equal(service.Replicas, running.Length);
            images.AddRange(running.Select(t => t.Image.Split('@')[0]));
        }
        return images;
    }

    private async Task<(long ExitCode, string Output)> ExecAsync(string container, params string[] command)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-H", Support.TestEnvironment.DockerHost, "exec", container }.Concat(command)) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, text);
    }

    /// <summary>The plan's services, its secrets (by label) and the volume; the networks once nothing uses them.</summary>
    private async Task RemoveStackAsync(ReleasePlan plan)
    {
        foreach (var service in plan.Services) await fixture.Platform.RemoveServiceAsync(SwarmRollout.ServiceName(plan, service), default);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        foreach (var secret in await fixture.Platform.ListSecretsAsync(new Dictionary<string, string>
                 {
                     ["org.releaseops.application"] = plan.Application, ["org.releaseops.environment"] = plan.Environment,
                 }, default))
        {
            await fixture.Platform.RemoveSecretAsync(secret.Id, default);
        }
        // Task containers go a moment after their service; the volume and the networks only then.
        while (DateTime.UtcNow < deadline)
        {
            var left = await fixture.Docker.ListContainersAsync(new Dictionary<string, string?> { ["com.docker.swarm.service.name"] = null });
            if (!left.Any(c => c.Labels.TryGetValue("com.docker.swarm.service.name", out var n) && n.StartsWith($"swarmdemo-{plan.Environment}-", StringComparison.Ordinal))) break;
            await Task.Delay(250);
        }
        await fixture.Docker.CallAsync("volume", async (api, token) =>
        {
            try { await api.Volumes.RemoveAsync("swarmdemo-store-data", true, token); }
            catch (global::Docker.DotNet.DockerApiException) { }
        }, default);
        foreach (var network in new[] { "swarmdemo-public", "swarmdemo-backend" })
        {
            await fixture.Docker.CallAsync("network", async (api, token) =>
            {
                try { await api.Networks.DeleteNetworkAsync(network, token); }
                catch (global::Docker.DotNet.DockerApiException) { }
            }, default);
        }
    }
}
