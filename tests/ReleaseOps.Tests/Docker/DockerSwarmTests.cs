using System.Text;
using Docker.DotNet.Models;
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
    private DockerEngine Client => docker.Client;

    [Fact]
    public async Task A_secret_created_twice_is_a_conflict_that_never_repeats_its_value()
    {
        var name = DockerFixture.Name("secret");
        var canary = CanarySecret.New();
        var id = await CreateSecretAsync(name, canary);
        try
        {
            var listed = Assert.Single(await Client.ListSecretsAsync(), s => s.Spec.Name == name);
            Assert.Equal(id, listed.ID);
            var again = await Assert.ThrowsAsync<ReleaseOpsException>(() => CreateSecretAsync(name, canary));
            Assert.Equal(DockerErrorIds.Conflict, again.ErrorId);
            Assert.Contains(name, again.Message);
            CanarySecret.AssertAbsent(canary, [again.Message, again.Fix, again.ToString(), System.Text.Json.JsonSerializer.Serialize(listed)],
                "secret records and errors");
        }
        finally
        {
            await Client.CallAsync("secret", (api, token) => api.Secrets.DeleteAsync(id, token), default);
        }
        Assert.DoesNotContain(await Client.ListSecretsAsync(), s => s.Spec.Name == name);
    }

    [Fact]
    public async Task A_service_is_created_updated_to_v2_and_rolled_back_verified_by_its_tasks()
    {
        var name = DockerFixture.Name("svc");
        var port = DockerFixture.Port();
        var canary = CanarySecret.New();
        SwarmUpdateConfig Quick() => new() { Monitor = TimeSpan.FromMilliseconds(500), FailureAction = "pause", Order = "stop-first", Parallelism = 1 };
        ServiceSpec Spec(string image) => new()
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["org.releaseops.test.owner"] = "docker" },
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = image,
                    Labels = new Dictionary<string, string> { ["role"] = "web" },
                    Env = ["API_TOKEN=" + canary],
                    StopGracePeriod = TimeSpan.FromSeconds(1),
                },
                RestartPolicy = new SwarmRestartPolicy { Condition = "any", Delay = TimeSpan.FromMilliseconds(500) },
            },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            UpdateConfig = Quick(),
            RollbackConfig = Quick(),
            EndpointSpec = new EndpointSpec { Ports = [new PortConfig { Protocol = "tcp", TargetPort = 8080, PublishedPort = (uint)port, PublishMode = "host" }] },
        };
        string? serviceId = null;
        try
        {
            serviceId = await Client.CreateServiceAsync(Spec(DockerFixture.WebV1), [new SecretValue(canary)]);
            var v1 = await Client.WaitForServiceTasksAsync(name, DockerFixture.WebV1, 1, Converge);
            Assert.True(v1.Converged, Describe(v1));
            Assert.Equal("v1", await GetVersionAsync(port));
            var task = Assert.Single(v1.RunningTasks);
            Assert.Equal(serviceId, task.ServiceID);
            Assert.Equal(TaskState.Running, task.DesiredState);

            var created = await Client.InspectServiceAsync(name);
            Assert.Equal(serviceId, created.ID);
            Assert.Equal(DockerFixture.WebV1, created.Image());
            Assert.Equal(1, created.Replicas());
            Assert.Null(created.PreviousImage());
            var stale = (long)created.Version!.Index!.Value;

            await Client.UpdateServiceAsync(name, stale, Spec(DockerFixture.WebV2), [new SecretValue(canary)]);
            var v2 = await Client.WaitForServiceTasksAsync(name, DockerFixture.WebV2, 1, Converge);
            Assert.True(v2.Converged, Describe(v2));
            Assert.Equal("v2", await GetVersionAsync(port));
            var updated = await Client.InspectServiceAsync(name);
            Assert.Equal(DockerFixture.WebV2, updated.Image());
            Assert.Equal(DockerFixture.WebV1, updated.PreviousImage());
            Assert.Contains(v2.Tasks, t => DockerEngine.ImageMatches(t.Spec?.ContainerSpec?.Image, DockerFixture.WebV1) && t.DesiredState == TaskState.Shutdown);

            // Based on the version index read before the update: someone changed the service in between.
            var outOfSequence = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
                Client.UpdateServiceAsync(name, stale, Spec(DockerFixture.WebV1), [new SecretValue(canary)]));
            Assert.Equal(DockerErrorIds.Conflict, outOfSequence.ErrorId);
            Assert.Equal(FailureKind.Conflict, outOfSequence.Kind);
            Assert.Contains("out of sequence", outOfSequence.Message);
            CanarySecret.AssertAbsent(canary, [outOfSequence.ToString()], "the out-of-sequence error");

            await Client.RollbackServiceAsync(name);
            var back = await Client.WaitForServiceTasksAsync(name, DockerFixture.WebV1, 1, Converge);
            Assert.True(back.Converged, Describe(back));
            Assert.Equal("v1", await GetVersionAsync(port));
            var rolledBack = await Client.InspectServiceAsync(name);
            Assert.Equal(DockerFixture.WebV1, rolledBack.Image());
            Assert.StartsWith("rollback_", rolledBack.UpdateStatus?.State);

            var runningOnly = await Client.ListTasksAsync(name, "running");
            Assert.All(runningOnly, t => Assert.Equal(TaskState.Running, t.DesiredState));
            Assert.True(runningOnly.Count < back.Tasks.Count);
        }
        finally
        {
            if (serviceId is not null)
            {
                await Client.RemoveServiceAsync(serviceId);
            }
        }
        Assert.Null(await Client.TryInspectServiceAsync(name));
        var missing = await Assert.ThrowsAsync<ReleaseOpsException>(() => Client.RollbackServiceAsync(name));
        Assert.Equal(DockerErrorIds.ObjectNotFound, missing.ErrorId);
        Assert.Contains(name, missing.Message);
    }

    [Fact]
    public async Task Waiting_for_tasks_that_never_converge_ends_at_the_timeout_without_throwing()
    {
        var name = DockerFixture.Name("never");
        try
        {
            await Client.CreateServiceAsync(new ServiceSpec
            {
                Name = name,
                TaskTemplate = new TaskSpec { ContainerSpec = new ContainerSpec { Image = DockerFixture.Plain } },
                Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
            });
            var result = await Client.WaitForServiceTasksAsync(name, DockerFixture.WebV2, 1, TimeSpan.FromMilliseconds(700), TimeSpan.FromMilliseconds(100));
            Assert.False(result.Converged);
            Assert.InRange(result.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(30));
        }
        finally
        {
            await TestContainers.QuietlyAsync(() => Client.RemoveServiceAsync(name));
        }
    }

    private Task<string> CreateSecretAsync(string name, string value) =>
        Client.CallAsync($"secret '{name}'", async (api, token) => (await api.Secrets.CreateAsync(new SwarmSecretSpec
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["org.releaseops.test.owner"] = "docker" },
            Data = Encoding.UTF8.GetBytes(value),
        }, token)).ID, default, secrets: [new SecretValue(value)]);

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
        string.Join("; ", result.Tasks.Select(t => $"{t.Spec?.ContainerSpec?.Image} {t.Status?.State}/{t.DesiredState} {t.Status?.Message} {t.Status?.Err}"));
}
