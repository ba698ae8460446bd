using System.Text.Json.Serialization;

namespace ReleaseOps.Docker;

/// <summary>GET /images/{name}/json (the parts ReleaseOps uses).</summary>
public sealed record ImageDetails
{
    /// <summary>The image id, <c>sha256:...</c>.</summary>
    public string Id { get; init; } = "";
    public IReadOnlyList<string> RepoTags { get; init => field = value ?? []; } = [];
    /// <summary><c>repo@sha256:...</c> for images pulled from or pushed to a registry; empty for local builds.</summary>
    public IReadOnlyList<string> RepoDigests { get; init => field = value ?? []; } = [];
    public DateTimeOffset Created { get; init; }
    /// <summary>Size in bytes.</summary>
    public long Size { get; init; }
    public string Architecture { get; init; } = "";
    public string Os { get; init; } = "";
    public string Author { get; init; } = "";
    public ImageConfigInfo Config { get; init => field = value ?? new(); } = new();

    /// <summary>The most precise reference for a journal: the first repo digest, else the image id.</summary>
    public string PinnedReference => RepoDigests.Count > 0 ? RepoDigests[0] : Id;
}

/// <summary>An image's run configuration (environment values are not kept).</summary>
public sealed record ImageConfigInfo
{
    public string User { get; init; } = "";
    public IReadOnlyList<string> Cmd { get; init => field = value ?? []; } = [];
    public IReadOnlyList<string> Entrypoint { get; init => field = value ?? []; } = [];
    public string WorkingDir { get; init; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
    public HealthcheckSpec? Healthcheck { get; init; }
    [JsonPropertyName("ExposedPorts")]
    public IReadOnlyDictionary<string, object?>? ExposedPortMap { get; init; }

    /// <summary>Exposed ports such as <c>8080/tcp</c>.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ExposedPorts => ExposedPortMap?.Keys.ToArray() ?? [];
}

/// <summary>One image of GET /images/json.</summary>
public sealed record ImageSummary
{
    public string Id { get; init; } = "";
    [JsonPropertyName("ParentId")]
    public string ParentId { get; init; } = "";
    public IReadOnlyList<string> RepoTags { get; init => field = value ?? []; } = [];
    public IReadOnlyList<string> RepoDigests { get; init => field = value ?? []; } = [];
    [JsonPropertyName("Created")]
    public long CreatedUnixSeconds { get; init; }
    public long Size { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
    /// <summary>Containers using the image (-1 when the daemon did not count).</summary>
    public int Containers { get; init; }

    [JsonIgnore]
    public DateTimeOffset Created => DateTimeOffset.FromUnixTimeSeconds(CreatedUnixSeconds);
}

/// <summary>What to list with <see cref="DockerClient.ListImagesAsync"/>.</summary>
public sealed record ImageListFilter
{
    /// <summary>Include intermediate images.</summary>
    public bool All { get; init; }
    /// <summary>A reference pattern such as <c>releaseops-test/web</c> or <c>releaseops-test/web:v*</c>.</summary>
    public string? Reference { get; init; }
    /// <summary>Labels that must be present; a null value means "any value".</summary>
    public IReadOnlyDictionary<string, string?> Labels { get; init; } = new Dictionary<string, string?>();
    public bool? Dangling { get; init; }
}

/// <summary>One line of the answer to DELETE /images/{name}: a tag removed or a layer deleted.</summary>
public sealed record ImageDeleteItem
{
    public string? Untagged { get; init; }
    public string? Deleted { get; init; }
}
