using ReleaseOps.Docker;
using ReleaseOps.Errors;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerNetworkTests(DockerFixture docker)
{
    [Fact]
    public async Task Networks_are_created_connected_disconnected_and_removed()
    {
        var network = DockerFixture.Name("net");
        var second = DockerFixture.Name("net2");
        var container = DockerFixture.Name("netc");
        try
        {
            var id = await docker.Client.CreateNetworkAsync(new NetworkSpec
            {
                Name = network,
                Labels = new Dictionary<string, string> { ["org.releaseops.test.owner"] = "docker" },
            });
            await docker.Client.CreateNetworkAsync(new NetworkSpec { Name = second, Internal = true });
            var duplicate = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
                docker.Client.CreateNetworkAsync(new NetworkSpec { Name = network }));
            Assert.Equal(DockerErrorIds.Conflict, duplicate.ErrorId);

            var containerId = await docker.RunAsync(new ContainerSpec
            {
                Name = container,
                Image = DockerFixture.Plain,
                Networks = [network, second],
                NetworkAliases = ["app"],
            });
            var details = await docker.Client.InspectContainerAsync(container);
            Assert.Contains(network, details.NetworkSettings.Networks.Keys);
            Assert.Contains(second, details.NetworkSettings.Networks.Keys);
            Assert.Contains("app", details.NetworkSettings.Networks[network].Aliases);

            var inspected = await docker.Client.InspectNetworkAsync(network);
            Assert.Equal(id, inspected.Id);
            Assert.Equal("bridge", inspected.Driver);
            Assert.Equal("docker", inspected.Labels["org.releaseops.test.owner"]);
            Assert.Contains(containerId, inspected.Containers.Keys);
            Assert.NotEmpty(inspected.Subnets);
            Assert.True((await docker.Client.InspectNetworkAsync(second)).Internal);

            var listed = await docker.Client.ListNetworksAsync(network);
            Assert.Contains(listed, n => n.Id == id);

            var inUse = await Assert.ThrowsAsync<ReleaseOpsException>(() => docker.Client.RemoveNetworkAsync(network));
            Assert.Contains(inUse.ErrorId, new[] { DockerErrorIds.Conflict, DockerErrorIds.RequestFailed });

            await docker.Client.DisconnectNetworkAsync(second, container);
            Assert.DoesNotContain(second, (await docker.Client.InspectContainerAsync(container)).NetworkSettings.Networks.Keys);
            await docker.Client.ConnectNetworkAsync(second, container);
            Assert.Contains(second, (await docker.Client.InspectContainerAsync(container)).NetworkSettings.Networks.Keys);
        }
        finally
        {
            await docker.RemoveContainerQuietlyAsync(container);
            foreach (var name in new[] { network, second })
            {
                if (await docker.Client.TryInspectNetworkAsync(name) is not null)
                {
                    await docker.Client.RemoveNetworkAsync(name);
                }
            }
        }
        Assert.Null(await docker.Client.TryInspectNetworkAsync(network));
    }
}
