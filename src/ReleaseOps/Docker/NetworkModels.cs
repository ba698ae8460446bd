using System.Text.Json.Serialization;

namespace ReleaseOps.Docker;

/// <summary>A network, from GET /networks or GET /networks/{id}.</summary>
public sealed record NetworkDetails
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    /// <summary><c>local</c> or <c>swarm</c>.</summary>
    public string Scope { get; init; } = "";
    /// <summary><c>bridge</c>, <c>overlay</c>, <c>host</c>, <c>null</c>...</summary>
    public string Driver { get; init; } = "";
    public bool Internal { get; init; }
    public bool Attachable { get; init; }
    public bool Ingress { get; init; }
    [JsonPropertyName("EnableIPv6")]
    public bool EnableIPv6 { get; init; }
    public NetworkIpam? IPAM { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
    /// <summary>Attached containers by id (filled by inspect on the local engine).</summary>
    public IReadOnlyDictionary<string, NetworkContainer> Containers { get; init => field = value ?? new Dictionary<string, NetworkContainer>(); } = new Dictionary<string, NetworkContainer>();

    /// <summary>The subnets the network hands out addresses from.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Subnets => IPAM?.Config.Select(c => c.Subnet).Where(s => !string.IsNullOrEmpty(s)).ToArray() ?? [];
}

public sealed record NetworkIpam
{
    public string Driver { get; init; } = "";
    public IReadOnlyList<NetworkIpamConfig> Config { get; init => field = value ?? []; } = [];
}

public sealed record NetworkIpamConfig
{
    public string Subnet { get; init; } = "";
    public string Gateway { get; init; } = "";
}

public sealed record NetworkContainer
{
    public string Name { get; init; } = "";
    [JsonPropertyName("EndpointID")]
    public string EndpointId { get; init; } = "";
    public string IPv4Address { get; init; } = "";
    public string MacAddress { get; init; } = "";
}

/// <summary>What a network is created from (POST /networks/create).</summary>
public sealed record NetworkSpec
{
    public required string Name { get; init; }
    /// <summary><c>bridge</c> (default) or <c>overlay</c> (swarm).</summary>
    public string Driver { get; init; } = "bridge";
    /// <summary>No route out of the network.</summary>
    public bool Internal { get; init; }
    /// <summary>Overlay: standalone containers may attach.</summary>
    public bool Attachable { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>A subnet in CIDR form; null lets Docker choose.</summary>
    public string? Subnet { get; init; }
    public string? Gateway { get; init; }
}
