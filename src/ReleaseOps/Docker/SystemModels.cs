using System.Text.Json.Serialization;

namespace ReleaseOps.Docker;

/// <summary>The daemon's answer to GET /version.</summary>
public sealed record DockerVersionInfo
{
    /// <summary>The engine release, for example <c>20.10.24+dfsg1</c>.</summary>
    public string Version { get; init; } = "";
    /// <summary>The newest API version the daemon speaks.</summary>
    public string ApiVersion { get; init; } = "";
    /// <summary>The oldest API version the daemon speaks.</summary>
    [JsonPropertyName("MinAPIVersion")]
    public string MinApiVersion { get; init; } = "";
    public string Os { get; init; } = "";
    public string Arch { get; init; } = "";
    public string KernelVersion { get; init; } = "";
    public string GitCommit { get; init; } = "";
    public string GoVersion { get; init; } = "";
}

/// <summary>The result of GET /_ping: the daemon answered, and the API version it offers.</summary>
public sealed record DockerPingResult(string Endpoint, DockerApiVersion? ApiVersion, string? OsType, bool? SwarmActive, TimeSpan RoundTrip);

/// <summary>The daemon's answer to GET /info (the parts ReleaseOps uses).</summary>
public sealed record DockerSystemInfo
{
    [JsonPropertyName("ID")]
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string ServerVersion { get; init; } = "";
    public int Containers { get; init; }
    public int ContainersRunning { get; init; }
    public int ContainersPaused { get; init; }
    public int ContainersStopped { get; init; }
    public int Images { get; init; }
    public string OperatingSystem { get; init; } = "";
    public string OSType { get; init; } = "";
    public string Architecture { get; init; } = "";
    [JsonPropertyName("NCPU")]
    public int CpuCount { get; init; }
    [JsonPropertyName("MemTotal")]
    public long MemoryTotal { get; init; }
    public string DockerRootDir { get; init; } = "";
    public string CgroupDriver { get; init; } = "";
    public string CgroupVersion { get; init; } = "";
    public string Driver { get; init; } = "";
    public DockerSwarmState Swarm { get; init => field = value ?? new(); } = new();
}

/// <summary>This engine's place in a swarm, from GET /info.</summary>
public sealed record DockerSwarmState
{
    [JsonPropertyName("NodeID")]
    public string NodeId { get; init; } = "";
    [JsonPropertyName("NodeAddr")]
    public string NodeAddress { get; init; } = "";
    /// <summary><c>inactive</c>, <c>pending</c>, <c>active</c>, <c>error</c> or <c>locked</c>.</summary>
    public string LocalNodeState { get; init; } = "";
    /// <summary>True when this engine is a manager (can create services).</summary>
    public bool ControlAvailable { get; init; }
    public int Nodes { get; init; }
    public int Managers { get; init; }

    public bool IsActive => string.Equals(LocalNodeState, "active", StringComparison.OrdinalIgnoreCase);
}
