using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerSwarmTests(DockerFixture docker)
{
    private static readonly TimeSpan Converge = TimeSpan.FromSeconds(40);
    private DockerClient Client => docker.Client;

    [Fact]
    public async Task The_swarm_and_its_single_manager_node_are_described()
    {
        var swarm = await Client.InspectSwarmAsync();
        Assert.False(string.IsNullOrEmpty(swarm.Id));
        Assert.True(swarm.Version.Index > 0);
        Assert.True(swarm.CreatedAt > new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));

        var node = Assert.Single(await Client.ListNodesAsync());
        Assert.Equal("manager", node.Role);
        Assert.Equal("ready", node.State);
        Assert.Equal("active", node.Availability);
        Assert.True(node.IsLeader);
        Assert.False(string.IsNullOrEmpty(node.Hostname));
    }

    [Fact]
    public async Task Secrets_are_created_listed_refused_twice_and_removed_without_leaking_their_value()
    {
        var name = DockerFixture.Name("secret");
        var canary = CanarySecret.New();
        var id = await Client.CreateSecretAsync(name, new SecretValue(canary),
            new Dictionary<string, string> { ["org.releaseops.test.owner"] = "docker" });
        try
        {
            var listed = Assert.Single(await Client.ListSecretsAsync(name));
            Assert.Equal(id, listed.Id);
            Assert.Equal("docker", listed.Labels["org.releaseops.test.owner"]);
            Assert.Contains(await Client.ListSecretsAsync(labels: new Dictionary<string, string?> { ["org.releaseops.test.owner"] = "docker" }),
                s => s.Id == id);
            var inspected = await Client.InspectSecretAsync(name);
            Assert.Equal(name, inspected.Name);

            var again = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.CreateSecretAsync(name, new SecretValue(canary)));
            Assert.Equal(DockerErrorIds.Conflict, again.ErrorId);
            Assert.Contains(name, again.Message);
            CanarySecret.AssertAbsent(canary, [again.Message, again.Fix, again.ToString(), listed.ToString(), inspected.ToString(),
                System.Text.Json.JsonSerializer.Serialize(inspected)], "secret records and errors");
        }
        finally
        {
            await Client.RemoveSecretAsync(id);
        }
        Assert.Empty(await Client.ListSecretsAsync(name));
        var gone = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.InspectSecretAsync(name));
        Assert.Equal(DockerErrorIds.ObjectNotFound, gone.ErrorId);
    }

    [Fact]
    public async Task A_service_is_created_updated_to_v2_and_rolled_back_verified_by_its_tasks()
    {
        var name = DockerFixture.Name("svc");
        var secretName = DockerFixture.Name("svc-secret");
        var port = DockerFixture.Port();
        var canary = CanarySecret.New();
        var quick = new ServiceUpdatePolicy { Monitor = TimeSpan.FromMilliseconds(500), FailureAction = "pause", Order = "stop-first" };
        var spec = new ServiceSpec
        {
            Name = name,
            Image = DockerFixture.WebV1,
            Labels = new Dictionary<string, string> { ["org.releaseops.test.owner"] = "docker" },
            ContainerLabels = new Dictionary<string, string> { ["role"] = "web" },
            Ports = [ServicePortSpec.HostMode(8080, port)],
            Secrets = [new ServiceSecretReference(secretName, "token")],
            StopGracePeriod = TimeSpan.FromSeconds(1),
            MemoryLimit = 64L * 1024 * 1024,
            RestartPolicy = new ServiceRestartPolicy { Condition = "any", Delay = TimeSpan.FromMilliseconds(500) },
            UpdateConfig = quick,
            RollbackConfig = quick,
        };
        var secretId = await Client.CreateSecretAsync(secretName, new SecretValue(canary));
        string? serviceId = null;
        try
        {
            serviceId = await Client.CreateServiceAsync(spec);
            var v1 = await Client.WaitForServiceTasksAsync(name, DockerFixture.WebV1, 1, Converge);
            Assert.True(v1.Converged, Describe(v1));
            Assert.Equal("v1", await GetVersionAsync(port));
            var task = Assert.Single(v1.RunningTasks);
            Assert.Equal(serviceId, task.ServiceId);
            Assert.Equal("running", task.DesiredState);
            Assert.NotNull(task.ContainerId);
            Assert.True(task.Timestamp > DateTimeOffset.UtcNow.AddMinutes(-5));
            Assert.Equal(1, task.Slot);

            // The secret is mounted as a file: compare inside the task's container, never printing it.
            var check = await Client.RunExecAsync(task.ContainerId!, new ExecSpec
            {
                Command = ["/bin/sh", "-c", "test \"$(cat /run/secrets/token)\" = \"$EXPECTED\" && echo mounted"],
                Env = new Dictionary<string, string> { ["EXPECTED"] = canary },
            }, TimeSpan.FromSeconds(10));
            Assert.Equal("mounted", check.Stdout.Trim());

            var created = await Client.InspectServiceAsync(name);
            Assert.Equal(serviceId, created.Id);
            Assert.Equal(DockerFixture.WebV1, created.Image);
            Assert.Equal(1, created.Replicas);
            Assert.Null(created.PreviousImage);
            Assert.Equal("web", created.Spec.TaskTemplate.ContainerSpec.Labels["role"]);
            Assert.Equal(secretName, Assert.Single(created.Spec.TaskTemplate.ContainerSpec.Secrets).SecretName);
            Assert.Contains(created.Endpoint.Ports, p => p.PublishedPort == port && p.PublishMode == "host");
            Assert.Contains(await Client.ListServicesAsync(labels: new Dictionary<string, string?> { ["org.releaseops.test.owner"] = "docker" }),
                s => s.Id == serviceId);

            var stale = created.VersionIndex;
            await Client.UpdateServiceImageAsync(name, DockerFixture.WebV2);
            var v2 = await Client.WaitForServiceTasksAsync(name, DockerFixture.WebV2, 1, Converge);
            Assert.True(v2.Converged, Describe(v2));
            Assert.Equal("v2", await GetVersionAsync(port));
            var updated = await Client.InspectServiceAsync(name);
            Assert.Equal(DockerFixture.WebV2, updated.Image);
            Assert.Equal(DockerFixture.WebV1, updated.PreviousImage);
            Assert.Contains(updated.Endpoint.Ports, p => p.PublishedPort == port); // the rest of the spec was kept
            Assert.Contains(v2.Tasks, t => t.Image == DockerFixture.WebV1 && t.DesiredState == "shutdown");

            var outOfSequence = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
                Client.UpdateServiceAsync(name, stale, spec with { Image = DockerFixture.WebV2 }));
            Assert.Equal(DockerErrorIds.Conflict, outOfSequence.ErrorId);
            Assert.Equal(FailureKind.Conflict, outOfSequence.Kind);
            Assert.Contains("out of sequence", outOfSequence.Message);

            await Client.RollbackServiceAsync(name);
            var back = await Client.WaitForServiceTasksAsync(name, DockerFixture.WebV1, 1, Converge);
            Assert.True(back.Converged, Describe(back));
            Assert.Equal("v1", await GetVersionAsync(port));
            var rolledBack = await Client.InspectServiceAsync(name);
            Assert.Equal(DockerFixture.WebV1, rolledBack.Image);
            Assert.StartsWith("rollback_", rolledBack.UpdateStatus?.State);

            var inUse = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.RemoveSecretAsync(secretId));
            Assert.Contains(inUse.ErrorId, new[] { DockerErrorIds.Conflict, DockerErrorIds.RequestFailed });
            Assert.Contains("in use", inUse.Message);
        }
        finally
        {
            if (serviceId is not null)
            {
                await Client.RemoveServiceAsync(serviceId);
            }
            await RemoveSecretWhenReleasedAsync(secretId);
        }
        Assert.Null(await Client.TryInspectServiceAsync(name));
        var missing = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.RollbackServiceAsync(name));
        Assert.Equal(DockerErrorIds.ObjectNotFound, missing.ErrorId);
        Assert.Contains(name, missing.Message);
    }

    private async Task RemoveSecretWhenReleasedAsync(string secretId)
    {
        // The secret stays "in use" until the removed service's tasks are gone.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Client.RemoveSecretAsync(secretId);
                return;
            }
            catch (ReleaseOpsException ex) when (ex.Message.Contains("in use") && attempt < 50)
            {
                await Task.Delay(200);
            }
        }
    }

    private static async Task<string> GetVersionAsync(int port)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        // A task counts as running once healthy; the published port answers right after.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return (await http.GetStringAsync($"http://127.0.0.1:{port}/version")).Trim();
            }
            catch (HttpRequestException) when (attempt < 20)
            {
                await Task.Delay(100);
            }
        }
    }

    private static string Describe(ServiceTasksResult result) =>
        string.Join("; ", result.Tasks.Select(t => $"{t.Image} {t.State}/{t.DesiredState} {t.Status.Message} {t.Status.Error}"));
}
