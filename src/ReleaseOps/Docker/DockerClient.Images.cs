using ReleaseOps.Errors;

namespace ReleaseOps.Docker;

public sealed partial class DockerClient
{
    /// <summary>GET /images/{name}/json: id, tags, digests, size, config.</summary>
    public Task<ImageDetails> InspectImageAsync(string image, CancellationToken cancellation = default) =>
        GetJsonAsync<ImageDetails>($"images/{ImagePath(image)}/json", null, ImageTarget(image), cancellation);

    /// <summary>Like <see cref="InspectImageAsync"/>, but null when the image is not on the engine.</summary>
    public Task<ImageDetails?> TryInspectImageAsync(string image, CancellationToken cancellation = default) =>
        OrNullWhenMissingAsync(InspectImageAsync(image, cancellation));

    /// <summary>GET /images/json.</summary>
    public Task<IReadOnlyList<ImageSummary>> ListImagesAsync(ImageListFilter? filter = null, CancellationToken cancellation = default)
    {
        filter ??= new ImageListFilter();
        var filters = new List<KeyValuePair<string, string>>();
        AddLabelFilters(filters, filter.Labels);
        AddFilter(filters, "reference", filter.Reference);
        if (filter.Dangling is { } dangling)
        {
            filters.Add(new("dangling", dangling ? "true" : "false"));
        }
        var query = new DockerQuery().Add("all", filter.All).Add("filters", DockerJson.Filters(filters));
        return GetJsonAsync<IReadOnlyList<ImageSummary>>("images/json", query, "images", cancellation);
    }

    /// <summary>POST /images/{name}/tag: gives <paramref name="image"/> the name <paramref name="repository"/>:<paramref name="tag"/>.</summary>
    public Task TagImageAsync(string image, string repository, string tag, CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Post, $"images/{ImagePath(image)}/tag",
            new DockerQuery().Add("repo", repository).Add("tag", tag), null, ImageTarget(image), cancellation);

    /// <summary>DELETE /images/{name}: untags, and deletes the image when no tag is left. 409 while a container uses it.</summary>
    public Task<IReadOnlyList<ImageDeleteItem>> RemoveImageAsync(string image, bool force = false, bool noPrune = false,
        CancellationToken cancellation = default) =>
        DeleteJsonAsync<IReadOnlyList<ImageDeleteItem>>($"images/{ImagePath(image)}",
            new DockerQuery().Add("force", force).Add("noprune", noPrune), ImageTarget(image), cancellation);

    internal async Task<T> DeleteJsonAsync<T>(string path, DockerQuery? query, string target, CancellationToken cancellation)
    {
        using var response = await SendAsync(HttpMethod.Delete, path, query, null, target, cancellation).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, target, cancellation).ConfigureAwait(false);
    }

    internal static string ImageTarget(string image) => $"image '{image}'";

    /// <summary>Image references keep their slashes (the daemon routes on them); other characters are escaped.</summary>
    private static string ImagePath(string image)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        return string.Join('/', image.Split('/').Select(Uri.EscapeDataString));
    }
}
