using System.Net.Http;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerContainerTests(DockerFixture docker)
{
    private DockerClient Client => docker.Client;

    [Fact]
    public async Task A_web_container_is_created_published_turns_healthy_serves_and_is_stopped_and_removed()
    {
        var name = DockerFixture.Name("web");
        var port = DockerFixture.Port();
        try
        {
            var id = await Client.CreateContainerAsync(new ContainerSpec
            {
                Name = name,
                Image = DockerFixture.WebV1,
                Env = new Dictionary<string, string> { ["RO_MODE"] = "test" },
                Labels = new Dictionary<string, string> { ["org.releaseops.test.owner"] = "docker", ["color"] = "blue" },
                Ports = [new PortBinding(8080, port, "127.0.0.1")],
                MemoryLimit = 64L * 1024 * 1024,
                CpuLimit = 0.5,
                CapDrop = ["NET_RAW"],
                RestartPolicy = RestartPolicySpec.OnFailure(2),
                StopTimeout = TimeSpan.FromSeconds(2),
            });
            Assert.True(await Client.StartContainerAsync(id));
            Assert.False(await Client.StartContainerAsync(name)); // already running: 304, not an error

            var health = await Client.WaitForContainerHealthAsync(name, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
            Assert.True(health.IsHealthy, $"status {health.Status}, last probe: {health.LastProbeOutput}");
            Assert.Equal(ContainerHealth.Healthy, health.Details.HealthStatus);

            var details = await Client.InspectContainerAsync(name);
            Assert.Equal(id, details.Id);
            Assert.Equal(name, details.ShortName);
            Assert.True(details.IsRunning);
            Assert.Equal("blue", details.Config.Labels["color"]);
            Assert.Contains("RO_MODE", details.Config.EnvironmentNames);
            Assert.Equal(port, details.HostPortFor(8080));
            Assert.Equal(64L * 1024 * 1024, details.HostConfig.Memory);
            Assert.Equal(500_000_000L, details.HostConfig.NanoCpus);
            Assert.Contains("NET_RAW", details.HostConfig.CapDrop);
            Assert.Equal("on-failure", details.HostConfig.RestartPolicy?.Name);
            Assert.NotNull(details.Config.Healthcheck);
            Assert.True(details.State.StartedAt > DateTimeOffset.UtcNow.AddMinutes(-5));

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var version = await http.GetStringAsync($"http://127.0.0.1:{port}/version");
            Assert.Equal("v1", version.Trim());

            var listed = await Client.ListContainersAsync(new ContainerListFilter
            {
                All = false,
                Labels = new Dictionary<string, string?> { ["color"] = "blue", ["org.releaseops.test.owner"] = null },
            });
            var summary = Assert.Single(listed, c => c.Id == id);
            Assert.Equal(name, summary.Name);
            Assert.True(summary.IsRunning);
            Assert.Contains(summary.Ports, p => p.PrivatePort == 8080 && p.PublicPort == port);

            Assert.True(await Client.StopContainerAsync(name, TimeSpan.FromSeconds(1)));
            Assert.False(await Client.StopContainerAsync(name, TimeSpan.FromSeconds(1)));
            var stopped = await Client.InspectContainerAsync(name);
            Assert.False(stopped.IsRunning);
            Assert.Equal("exited", stopped.State.Status);

            await Client.RemoveContainerAsync(name);
            Assert.Null(await Client.TryInspectContainerAsync(name));
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
        }
    }

    [Fact]
    public async Task A_taken_name_is_a_conflict_carrying_dockers_message()
    {
        var name = DockerFixture.Name("taken");
        try
        {
            await Client.CreateContainerAsync(new ContainerSpec { Name = name, Image = DockerFixture.Plain });
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
                Client.CreateContainerAsync(new ContainerSpec { Name = name, Image = DockerFixture.Plain }));
            Assert.Equal(DockerErrorIds.Conflict, error.ErrorId);
            Assert.Equal(FailureKind.Conflict, error.Kind);
            Assert.Contains(name, error.Message);
            Assert.Contains("already in use", error.Message);
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
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
            Client.CreateContainerAsync(new ContainerSpec { Name = name, Image = "releaseops-test/web:no-such-tag" }));
        Assert.Equal(DockerErrorIds.ObjectNotFound, create.ErrorId);
        Assert.Contains("no-such-tag", create.Message);
    }

    [Fact]
    public async Task Rename_wait_and_exit_codes()
    {
        var name = DockerFixture.Name("exit");
        var renamed = name + "-renamed";
        var mountSource = Directory.CreateTempSubdirectory(DockerFixture.Prefix);
        try
        {
            await Client.CreateContainerAsync(new ContainerSpec
            {
                Name = name,
                Image = DockerFixture.Plain,
                Command = ["/bin/sh", "-c", "exit 3"],
                User = "10001",
                ReadOnlyRootFilesystem = true,
                Binds = [$"{mountSource.FullName}:/data:ro"],
                SecurityOptions = ["no-new-privileges"],
                PidsLimit = 50,
            });
            await Client.RenameContainerAsync(name, renamed);
            Assert.Null(await Client.TryInspectContainerAsync(name));
            await Client.StartContainerAsync(renamed);
            var result = await Client.WaitContainerAsync(renamed, timeout: TimeSpan.FromSeconds(20));
            Assert.Equal(3, result.StatusCode);
            var details = await Client.InspectContainerAsync(renamed);
            Assert.Equal(3, details.State.ExitCode);
            Assert.True(details.HostConfig.ReadonlyRootfs);
            Assert.Equal("10001", details.Config.User);
            var mount = Assert.Single(details.Mounts);
            Assert.Equal("bind", mount.Type);
            Assert.Equal(mountSource.FullName, mount.Source);
            Assert.Equal("/data", mount.Destination);
            Assert.False(mount.ReadWrite);
            Assert.Contains("no-new-privileges", details.HostConfig.SecurityOpt);
            Assert.Equal(50, details.HostConfig.PidsLimit);

            var health = await Client.WaitForContainerHealthAsync(renamed, TimeSpan.FromSeconds(2));
            Assert.False(health.IsHealthy);
            Assert.Equal(ContainerHealthResult.ExitedStatus, health.Status);
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
            await docker.RemoveContainerQuietlyAsync(renamed);
            mountSource.Delete();
        }
    }

    [Fact]
    public async Task A_wait_that_outlasts_its_timeout_is_a_typed_timeout_and_kill_restart_work()
    {
        var name = DockerFixture.Name("sleeper");
        try
        {
            await docker.RunAsync(new ContainerSpec { Name = name, Image = DockerFixture.Plain });
            var error = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
                Client.WaitContainerAsync(name, timeout: TimeSpan.FromMilliseconds(300)));
            Assert.Equal(DockerErrorIds.Timeout, error.ErrorId);
            Assert.Equal(FailureKind.Timeout, error.Kind);

            await Client.RestartContainerAsync(name, TimeSpan.FromSeconds(0));
            Assert.True((await Client.InspectContainerAsync(name)).IsRunning);
            await Client.KillContainerAsync(name);
            var waited = await Client.WaitContainerAsync(name, timeout: TimeSpan.FromSeconds(10));
            Assert.Equal(137, waited.StatusCode);
            var notRunning = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.KillContainerAsync(name));
            Assert.Equal(DockerErrorIds.Conflict, notRunning.ErrorId);
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(name);
        }
    }
}
