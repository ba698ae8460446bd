using ReleaseOps.Docker;
using ReleaseOps.Errors;
using Xunit;

namespace ReleaseOps.Tests.Docker;

[Collection(DockerCollection.Name)]
public sealed class DockerImageTests(DockerFixture docker)
{
    [Fact]
    public async Task Inspect_gives_id_size_labels_and_healthcheck()
    {
        var image = await docker.Client.InspectImageAsync(DockerFixture.WebV1);
        Assert.StartsWith("sha256:", image.Id);
        Assert.Contains(DockerFixture.WebV1, image.RepoTags);
        Assert.True(image.Size > 100_000);
        Assert.Equal("v1", image.Config.Labels["org.opencontainers.image.version"]);
        Assert.Contains("8080/tcp", image.Config.ExposedPorts);
        Assert.NotNull(image.Config.Healthcheck);
        Assert.Equal(TimeSpan.FromSeconds(1), image.Config.Healthcheck!.Interval);
        Assert.Equal(image.Id, image.PinnedReference); // built locally: no registry digest
        Assert.True(image.Created > new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task List_tag_and_remove_a_tag()
    {
        var listed = await docker.Client.ListImagesAsync(new ImageListFilter { Reference = "releaseops-test/web" });
        Assert.Contains(listed, i => i.RepoTags.Contains(DockerFixture.WebV1));
        Assert.Contains(listed, i => i.RepoTags.Contains(DockerFixture.WebV2));
        Assert.All(listed, i => Assert.True(i.Size > 0));

        var tag = DockerFixture.Name("tag");
        await docker.Client.TagImageAsync(DockerFixture.WebV1, "releaseops-test/web", tag);
        try
        {
            var tagged = await docker.Client.InspectImageAsync($"releaseops-test/web:{tag}");
            var original = await docker.Client.InspectImageAsync(DockerFixture.WebV1);
            Assert.Equal(original.Id, tagged.Id);
        }
        finally
        {
            var removed = await docker.Client.RemoveImageAsync($"releaseops-test/web:{tag}");
            Assert.Contains(removed, r => r.Untagged == $"releaseops-test/web:{tag}");
        }
        Assert.Null(await docker.Client.TryInspectImageAsync($"releaseops-test/web:{tag}"));
        Assert.NotNull(await docker.Client.TryInspectImageAsync(DockerFixture.WebV1));
    }

    [Fact]
    public async Task A_missing_image_is_not_found()
    {
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
            docker.Client.InspectImageAsync("releaseops-test/web:ro-dock-none"));
        Assert.Equal(DockerErrorIds.ObjectNotFound, error.ErrorId);
        Assert.Contains("releaseops-test/web:ro-dock-none", error.Message);
    }
}
