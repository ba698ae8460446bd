using Docker.DotNet.Models;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerContainerTests(DockerFixture docker)
{
    private DockerEngine Client => docker.Client;

    [Fact]
    public async Task A_web_container_is_created_published_turns_healthy_serves_and_is_stopped_and_removed()
    {
        var name = DockerFixture.Name("web");
        var port = DockerFixture.Port();
        try
        {
            var spec = TestContainers.Spec(name, DockerFixture.WebV1, port, memory: 64L * 1024 * 1024,
                labels: new Dictionary<string, string> { ["org.releaseops.test.owner"] = "docker", ["color"] = "blue" },
                env: ["RO_MODE=test"]);
            spec.HostConfig!.NanoCPUs = 500_000_000;
            var id = await Client.CreateContainerAsync(spec);
            Assert.True(await Client.StartContainerAsync(id));
            Assert.False(await Client.StartContainerAsync(name)); // already running: 304, not an error

            var health = await Client.WaitForContainerHealthAsync(name, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
            Assert.True(health.IsHealthy, $"status {health.Status}, last probe: {health.LastProbeOutput}");
            Assert.Equal(ContainerHealth.Healthy, health.Details.HealthStatus());

            var details = await Client.InspectContainerAsync(name);
            Assert.Equal(id, details.ID);
            Assert.Equal(name, details.ShortName());
            Assert.True(details.IsRunning());
            Assert.Equal("blue", details.Config!.Labels["color"]);
            Assert.Contains("RO_MODE", details.Config.Env); // names only: values never come back
            Assert.DoesNotContain(details.Config.Env, e => e.Contains('='));
            Assert.Equal(64L * 1024 * 1024, details.HostConfig!.Memory);
            Assert.Equal(500_000_000L, details.HostConfig.NanoCPUs);

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            Assert.Equal("v1", (await http.GetStringAsync($"http://127.0.0.1:{port}/version")).Trim());

            var listed = await Client.ListContainersAsync(new Dictionary<string, string?> { ["color"] = "blue", ["org.releaseops.test.owner"] = null },
                all: false);
            var summary = Assert.Single(listed, c => c.ID == id);
            Assert.Equal(name, summary.ShortName());
            Assert.True(summary.IsRunning());
            Assert.Contains(summary.Ports, p => p.PrivatePort == 8080 && p.PublicPort == port);

            Assert.True(await Client.StopContainerAsync(name, TimeSpan.FromSeconds(1)));
            Assert.False(await Client.StopContainerAsync(name, TimeSpan.FromSeconds(1)));
            var stopped = await Client.InspectContainerAsync(name);
            Assert.False(stopped.IsRunning());
            Assert.Equal("exited", stopped.State!.Status);

            await Client.RemoveContainerAsync(name);
            Assert.Null(await Client.TryInspectContainerAsync(name));
        }
        finally
        {
            await Client.RemoveQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task A_taken_name_is_a_conflict_carrying_dockers_message()
    {
        var name = DockerFixture.Name("taken");
        try
        {
            await Client.CreateContainerAsync(TestContainers.Spec(name, DockerFixture.Plain));
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.CreateContainerAsync(TestContainers.Spec(name, DockerFixture.Plain)));
            Assert.Equal(DockerErrorIds.Conflict, error.ErrorId);
            Assert.Equal(FailureKind.Conflict, error.Kind);
            Assert.Contains(name, error.Message);
            Assert.Contains("already in use", error.Message);
        }
        finally
        {
            await Client.RemoveQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task A_missing_container_or_image_is_not_found_naming_it()
    {
        var name = DockerFixture.Name("absent");
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.InspectContainerAsync(name));
        Assert.Equal(DockerErrorIds.ObjectNotFound, error.ErrorId);
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Contains(name, error.Message);
        Assert.Equal($"container '{name}'", error.Target);

        var stop = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.StopContainerAsync(name));
        Assert.Equal(DockerErrorIds.ObjectNotFound, stop.ErrorId);

        var create = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
            Client.CreateContainerAsync(TestContainers.Spec(name, "releaseops-test/web:no-such-tag")));
        Assert.Equal(DockerErrorIds.ObjectNotFound, create.ErrorId);
        Assert.Contains("no-such-tag", create.Message);

        Assert.Null(await Client.TryInspectImageAsync("releaseops-test/web:ro-dock-none"));
        var image = await Client.TryInspectImageAsync(DockerFixture.WebV1);
        Assert.NotNull(image);
        Assert.StartsWith("sha256:", image.ID);
        Assert.Contains(DockerFixture.WebV1, image.RepoTags);
        Assert.True(image.Size > 100_000);
        Assert.NotNull(image.Config?.Healthcheck);
    }

    [Fact]
    public async Task Wait_gives_the_exit_code_a_stopped_container_is_not_healthy_and_a_long_wait_is_a_typed_timeout()
    {
        var name = DockerFixture.Name("exit");
        var sleeper = DockerFixture.Name("sleeper");
        try
        {
            await Client.RunAsync(TestContainers.Spec(name, DockerFixture.Plain, command: ["/bin/sh", "-c", "exit 3"]));
            Assert.Equal(3, await Client.WaitContainerAsync(name, TimeSpan.FromSeconds(20)));
            Assert.Equal(3, (await Client.InspectContainerAsync(name)).State!.ExitCode);
            var health = await Client.WaitForContainerHealthAsync(name, TimeSpan.FromSeconds(2));
            Assert.False(health.IsHealthy);
            Assert.Equal(ContainerHealthResult.ExitedStatus, health.Status);

            await Client.RunAsync(TestContainers.Spec(sleeper, DockerFixture.Plain));
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.WaitContainerAsync(sleeper, TimeSpan.FromMilliseconds(300)));
            Assert.Equal(DockerErrorIds.Timeout, error.ErrorId);
            Assert.Equal(FailureKind.Timeout, error.Kind);
            Assert.Contains(sleeper, error.Message);
            var notYet = await Client.WaitForContainerHealthAsync(sleeper, TimeSpan.FromMilliseconds(200));
            Assert.True(notYet.IsHealthy, notYet.Status); // no healthcheck: running counts as healthy
            Assert.Equal(ContainerHealthResult.RunningStatus, notYet.Status);
        }
        finally
        {
            await Client.RemoveQuietlyAsync(name);
            await Client.RemoveQuietlyAsync(sleeper);
        }
    }

    [Fact]
    public async Task A_zero_grace_stop_kills_at_once_even_when_the_container_ignores_the_stop_signal()
    {
        var name = DockerFixture.Name("stubborn");
        try
        {
            var spec = TestContainers.Spec(name, DockerFixture.Plain, command: ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 1; done"]);
            spec.StopTimeout = TimeSpan.FromSeconds(60); // what the daemon would wait were the zero grace lost
            await Client.RunAsync(spec);
            using var quick = new DockerEngine(docker.Endpoint, new DockerClientOptions { RequestTimeout = TimeSpan.FromSeconds(15) });
            Assert.True(await quick.StopContainerAsync(name, TimeSpan.Zero));
            var stopped = await Client.InspectContainerAsync(name);
            Assert.False(stopped.IsRunning());
            Assert.Equal(137, stopped.State!.ExitCode); // SIGKILL
            Assert.False(await quick.StopContainerAsync(name, TimeSpan.Zero));
        }
        finally
        {
            await Client.RemoveQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task Secret_environment_reaches_the_process_but_no_record_or_error()
    {
        var canary = CanarySecret.New();
        var name = DockerFixture.Name("secretenv");
        var taken = DockerFixture.Name("secretenv-taken");
        try
        {
            // The container compares its secret variable with the expected value and says so through its exit code.
            var spec = TestContainers.Spec(name, DockerFixture.Plain, command: ["/bin/sh", "-c", "test \"$DB_PASSWORD\" = \"$EXPECTED\""],
                env: ["EXPECTED=" + canary, "DB_PASSWORD=" + canary]);
            await Client.RunAsync(spec);
            Assert.Equal(0, await Client.WaitContainerAsync(name, TimeSpan.FromSeconds(20)));
            var details = await Client.InspectContainerAsync(name);
            Assert.Contains("DB_PASSWORD", details.Config!.Env);
            CanarySecret.AssertAbsent(canary, [System.Text.Json.JsonSerializer.Serialize(details)], "the inspected container");

            // A refusal of a request that carried the secret never repeats it, even when the daemon would.
            await Client.CreateContainerAsync(TestContainers.Spec(taken, DockerFixture.Plain));
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.CreateContainerAsync(
                TestContainers.Spec(taken, DockerFixture.Plain, env: ["DB_PASSWORD=" + canary]), secrets: [new SecretValue(canary)]));
            Assert.Equal(DockerErrorIds.Conflict, error.ErrorId);
            CanarySecret.AssertAbsent(canary, [error.Message, error.Fix, error.ToString()], "the conflict error");
        }
        finally
        {
            await Client.RemoveQuietlyAsync(name);
            await Client.RemoveQuietlyAsync(taken);
        }
    }

    [Fact]
    public async Task A_container_on_two_networks_gets_both_and_one_that_cannot_be_connected_is_removed_again()
    {
        var first = DockerFixture.Name("net1");
        var second = DockerFixture.Name("net2");
        var name = DockerFixture.Name("netc");
        var orphan = DockerFixture.Name("netc-orphan");
        try
        {
            foreach (var network in new[] { first, second })
            {
                await Client.CallAsync("network", (api, token) => api.Networks.CreateNetworkAsync(
                    new NetworksCreateParameters { Name = network, Internal = network == second }, token), default);
            }
            var spec = TestContainers.Spec(name, DockerFixture.Plain);
            spec.HostConfig!.NetworkMode = first;
            await Client.CreateContainerAsync(spec, moreNetworks: [second]);
            var attached = (await Client.InspectContainerAsync(name)).NetworkSettings!.Networks.Keys;
            Assert.Contains(first, attached);
            Assert.Contains(second, attached);
            var inspected = await Client.TryInspectNetworkAsync(second);
            Assert.NotNull(inspected);
            Assert.True(inspected.Internal);
            Assert.Null(await Client.TryInspectNetworkAsync(DockerFixture.Name("no-net")));

            // The daemon refuses to add the host network to a bridged container: nothing is left half made.
            var broken = TestContainers.Spec(orphan, DockerFixture.Plain);
            broken.HostConfig!.NetworkMode = first;
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.CreateContainerAsync(broken, moreNetworks: ["host"]));
            Assert.Contains("host network", error.Message);
            Assert.Contains("network 'host'", error.Message);
            Assert.Null(await Client.TryInspectContainerAsync(orphan));
        }
        finally
        {
            await Client.RemoveQuietlyAsync(name);
            await Client.RemoveQuietlyAsync(orphan);
            foreach (var network in new[] { first, second })
            {
                await TestContainers.QuietlyAsync(() => Client.CallAsync("network", (api, token) => api.Networks.DeleteNetworkAsync(network, token), default));
            }
        }
    }
}
