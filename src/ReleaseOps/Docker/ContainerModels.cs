using System.Text.Json.Serialization;

namespace ReleaseOps.Docker;

/// <summary>One container of GET /containers/json.</summary>
public sealed record ContainerSummary
{
    public string Id { get; init; } = "";
    public IReadOnlyList<string> Names { get; init => field = value ?? []; } = [];
    public string Image { get; init; } = "";
    [JsonPropertyName("ImageID")]
    public string ImageId { get; init; } = "";
    public string Command { get; init; } = "";
    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("Created")]
    public long CreatedUnixSeconds { get; init; }
    /// <summary><c>created</c>, <c>running</c>, <c>paused</c>, <c>restarting</c>, <c>exited</c>, <c>dead</c>.</summary>
    public string State { get; init; } = "";
    /// <summary>Human text such as <c>Up 3 minutes (healthy)</c>.</summary>
    public string Status { get; init; } = "";
    public IReadOnlyList<ContainerPortSummary> Ports { get; init => field = value ?? []; } = [];
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;

    /// <summary>The primary name without Docker's leading slash.</summary>
    public string Name => Names.Count == 0 ? "" : Names[0].TrimStart('/');
    [JsonIgnore]
    public DateTimeOffset Created => DateTimeOffset.FromUnixTimeSeconds(CreatedUnixSeconds);
    public bool IsRunning => string.Equals(State, "running", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A port as the container list shows it.</summary>
public sealed record ContainerPortSummary
{
    [JsonPropertyName("IP")]
    public string? Ip { get; init; }
    public int PrivatePort { get; init; }
    public int? PublicPort { get; init; }
    public string Type { get; init; } = "tcp";
}

/// <summary>What to list: all containers or running only, narrowed by labels, name, status or image.</summary>
public sealed record ContainerListFilter
{
    /// <summary>Include stopped containers (docker ps -a).</summary>
    public bool All { get; init; } = true;
    /// <summary>Labels that must be present; a null value means "any value".</summary>
    public IReadOnlyDictionary<string, string?> Labels { get; init; } = new Dictionary<string, string?>();
    /// <summary>Name filter (Docker matches it as a substring / regular expression).</summary>
    public string? Name { get; init; }
    /// <summary><c>created</c>, <c>running</c>, <c>exited</c>, ...</summary>
    public string? Status { get; init; }
    /// <summary>Containers created from this image (or a descendant).</summary>
    public string? Ancestor { get; init; }
    /// <summary><c>healthy</c>, <c>unhealthy</c>, <c>starting</c> or <c>none</c>.</summary>
    public string? Health { get; init; }
    public string? Network { get; init; }
}

/// <summary>The answer to GET /containers/{id}/json (the parts ReleaseOps uses).</summary>
public sealed record ContainerDetails
{
    public string Id { get; init; } = "";
    /// <summary>Docker's name, which starts with a slash; see <see cref="ShortName"/>.</summary>
    public string Name { get; init; } = "";
    public DateTimeOffset Created { get; init; }
    /// <summary>The image id (sha256:...).</summary>
    public string Image { get; init; } = "";
    public int RestartCount { get; init; }
    public ContainerState State { get; init => field = value ?? new(); } = new();
    public ContainerConfigInfo Config { get; init => field = value ?? new(); } = new();
    public ContainerHostConfigInfo HostConfig { get; init => field = value ?? new(); } = new();
    public ContainerNetworkSettings NetworkSettings { get; init => field = value ?? new(); } = new();
    /// <summary>Bind mounts, volumes and tmpfs mounts.</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init => field = value ?? []; } = [];

    public string ShortName => Name.TrimStart('/');
    /// <summary>The health status (<c>starting</c>, <c>healthy</c>, <c>unhealthy</c>), or <c>none</c> without a healthcheck.</summary>
    public string HealthStatus => State.Health?.Status is { Length: > 0 } status ? status : ContainerHealth.None;
    public bool IsRunning => State.Running;

    /// <summary>The host port bound to a container port, or null. Picks the first binding.</summary>
    public int? HostPortFor(int containerPort, string protocol = "tcp")
    {
        if (NetworkSettings.Ports.TryGetValue($"{containerPort}/{protocol}", out var bindings) && bindings is { Count: > 0 })
        {
            foreach (var binding in bindings)
            {
                if (int.TryParse(binding.HostPort, out var port))
                {
                    return port;
                }
            }
        }
        return null;
    }
}

/// <summary>Constants for <see cref="ContainerHealthInfo.Status"/>.</summary>
public static class ContainerHealth
{
    public const string None = "none";
    public const string Starting = "starting";
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
}

public sealed record ContainerState
{
    /// <summary><c>created</c>, <c>running</c>, <c>paused</c>, <c>restarting</c>, <c>removing</c>, <c>exited</c>, <c>dead</c>.</summary>
    public string Status { get; init; } = "";
    public bool Running { get; init; }
    public bool Paused { get; init; }
    public bool Restarting { get; init; }
    [JsonPropertyName("OOMKilled")]
    public bool OomKilled { get; init; }
    public bool Dead { get; init; }
    public int Pid { get; init; }
    public int ExitCode { get; init; }
    public string Error { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset FinishedAt { get; init; }
    /// <summary>Null when the container has no healthcheck.</summary>
    public ContainerHealthInfo? Health { get; init; }
}

public sealed record ContainerHealthInfo
{
    public string Status { get; init; } = "";
    public int FailingStreak { get; init; }
    public IReadOnlyList<ContainerHealthProbe> Log { get; init => field = value ?? []; } = [];
}

/// <summary>One run of the container's healthcheck.</summary>
public sealed record ContainerHealthProbe
{
    public DateTimeOffset Start { get; init; }
    public DateTimeOffset End { get; init; }
    public int ExitCode { get; init; }
    public string Output { get; init; } = "";
}

/// <summary>
/// The container's configuration. Environment values are deliberately not kept (they may hold
/// passwords); <see cref="EnvironmentNames"/> says which variables are set.
/// </summary>
public sealed record ContainerConfigInfo
{
    public string Hostname { get; init; } = "";
    public string User { get; init; } = "";
    public string Image { get; init; } = "";
    public bool Tty { get; init; }
    public IReadOnlyList<string> Cmd { get; init => field = value ?? []; } = [];
    public IReadOnlyList<string> Entrypoint { get; init => field = value ?? []; } = [];
    public string WorkingDir { get; init; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
    public HealthcheckSpec? Healthcheck { get; init; }

    [JsonPropertyName("Env")]
    [JsonInclude]
    internal IReadOnlyList<string>? RawEnv
    {
        get => null;
        init => EnvironmentNames = value is null ? [] : value.Select(e => e.Split('=', 2)[0]).ToArray();
    }

    /// <summary>Names of the environment variables set in the container (values are not kept).</summary>
    [JsonIgnore]
    public IReadOnlyList<string> EnvironmentNames { get; init; } = [];
}

public sealed record ContainerHostConfigInfo
{
    public string NetworkMode { get; init; } = "";
    public string PidMode { get; init; } = "";
    public bool Privileged { get; init; }
    public bool ReadonlyRootfs { get; init; }
    /// <summary>Memory limit in bytes (0 = none).</summary>
    public long Memory { get; init; }
    /// <summary>CPU limit in units of 1e-9 CPUs (0 = none).</summary>
    public long NanoCpus { get; init; }
    public IReadOnlyList<string> CapAdd { get; init => field = value ?? []; } = [];
    public IReadOnlyList<string> CapDrop { get; init => field = value ?? []; } = [];
    public RestartPolicySpec? RestartPolicy { get; init; }
    public IReadOnlyDictionary<string, IReadOnlyList<PortBindingInfo>?> PortBindings { get; init => field = value ?? DockerJson.EmptyPorts; } = DockerJson.EmptyPorts;
    /// <summary>Publish every exposed port on a random host port (docker run -P).</summary>
    public bool PublishAllPorts { get; init; }
    /// <summary>Security options such as <c>no-new-privileges</c>, <c>seccomp=unconfined</c>, <c>apparmor=...</c>.</summary>
    public IReadOnlyList<string> SecurityOpt { get; init => field = value ?? []; } = [];
    /// <summary><c>host</c> shares the host's IPC namespace.</summary>
    public string IpcMode { get; init; } = "";
    /// <summary><c>host</c> disables user-namespace remapping for the container.</summary>
    public string UsernsMode { get; init; } = "";
    /// <summary>Process limit (null or 0/-1 = none).</summary>
    public long? PidsLimit { get; init; }
    public bool AutoRemove { get; init; }
}

/// <summary>A mount of a container (GET /containers/{id}/json, Mounts).</summary>
public sealed record ContainerMount
{
    /// <summary><c>bind</c>, <c>volume</c>, <c>tmpfs</c> or <c>npipe</c>.</summary>
    public string Type { get; init; } = "";
    /// <summary>Volume name (volumes only).</summary>
    public string Name { get; init; } = "";
    /// <summary>The host path (binds) or the volume's data directory.</summary>
    public string Source { get; init; } = "";
    public string Destination { get; init; } = "";
    /// <summary>True when the mount is writable.</summary>
    [JsonPropertyName("RW")]
    public bool ReadWrite { get; init; }
}

public sealed record ContainerNetworkSettings
{
    /// <summary>Published ports, keyed <c>8080/tcp</c>; a null list means exposed but not published.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PortBindingInfo>?> Ports { get; init => field = value ?? DockerJson.EmptyPorts; } = DockerJson.EmptyPorts;
    public IReadOnlyDictionary<string, ContainerNetworkAttachment> Networks { get; init => field = value ?? new Dictionary<string, ContainerNetworkAttachment>(); } = new Dictionary<string, ContainerNetworkAttachment>();
}

public sealed record PortBindingInfo
{
    public string HostIp { get; init; } = "";
    public string HostPort { get; init; } = "";
}

public sealed record ContainerNetworkAttachment
{
    [JsonPropertyName("NetworkID")]
    public string NetworkId { get; init; } = "";
    [JsonPropertyName("EndpointID")]
    public string EndpointId { get; init; } = "";
    public string IPAddress { get; init; } = "";
    public string Gateway { get; init; } = "";
    public string MacAddress { get; init; } = "";
    public IReadOnlyList<string> Aliases { get; init => field = value ?? []; } = [];
}

/// <summary>The result of POST /containers/{id}/wait.</summary>
public sealed record ContainerWaitResult(string Container, long StatusCode, string? Error);

/// <summary>What to wait for with <see cref="DockerClient.WaitContainerAsync"/>.</summary>
public enum ContainerWaitCondition
{
    /// <summary>Until the container is not running (returns at once when it already stopped).</summary>
    NotRunning,
    /// <summary>Until the container's next exit.</summary>
    NextExit,
    /// <summary>Until the container is removed.</summary>
    Removed,
}
