using System.Text.Json.Serialization;

namespace ReleaseOps.Docker;

/// <summary>One event of GET /events: something happened to a container, image, network, service...</summary>
public sealed record DockerEvent
{
    /// <summary><c>container</c>, <c>image</c>, <c>network</c>, <c>volume</c>, <c>service</c>, <c>node</c>, <c>secret</c>, <c>daemon</c>...</summary>
    public string Type { get; init; } = "";
    /// <summary><c>create</c>, <c>start</c>, <c>die</c>, <c>health_status: healthy</c>, <c>update</c>...</summary>
    public string Action { get; init; } = "";
    public DockerEventActor Actor { get; init => field = value ?? new(); } = new();
    /// <summary><c>local</c> or <c>swarm</c>.</summary>
    [JsonPropertyName("scope")]
    public string Scope { get; init; } = "";
    [JsonPropertyName("timeNano")]
    public long TimeNano { get; init; }

    /// <summary>When it happened.</summary>
    [JsonIgnore]
    public DateTimeOffset Time => DateTimeOffset.UnixEpoch.AddTicks(TimeNano / 100);
    /// <summary>The object's name (containers, images, services), from the actor's attributes.</summary>
    [JsonIgnore]
    public string? ActorName => Actor.Attributes.TryGetValue("name", out var name) ? name : null;
}

public sealed record DockerEventActor
{
    [JsonPropertyName("ID")]
    public string Id { get; init; } = "";
    /// <summary>Attributes such as <c>name</c>, <c>image</c>, <c>exitCode</c> and the object's labels.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
}

/// <summary>Which events to stream with <see cref="DockerClient.GetEventsAsync"/>.</summary>
public sealed record DockerEventFilter
{
    /// <summary>Replay events from this moment on (then keep streaming new ones, unless <see cref="Until"/> is set).</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Stop at this moment; without it the stream lasts until the caller cancels.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Object types: <c>container</c>, <c>image</c>, <c>service</c>...</summary>
    public IReadOnlyList<string> Types { get; init; } = [];
    /// <summary>Actions: <c>start</c>, <c>die</c>, <c>health_status</c>...</summary>
    public IReadOnlyList<string> Actions { get; init; } = [];
    /// <summary>Container names or ids.</summary>
    public IReadOnlyList<string> Containers { get; init; } = [];
    /// <summary>Service names or ids.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];
    /// <summary>Labels that must be present; a null value means "any value".</summary>
    public IReadOnlyDictionary<string, string?> Labels { get; init; } = new Dictionary<string, string?>();
}
