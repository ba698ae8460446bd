using System.Text.Json.Serialization;

namespace ReleaseOps.Docker;

/// <summary>An object version in Swarm: updates must name the index they were based on.</summary>
public sealed record SwarmVersion
{
    public long Index { get; init; }
}

/// <summary>What every Swarm object has: an id, a version index (updates name it) and its timestamps.</summary>
public abstract record SwarmObject
{
    [JsonPropertyName("ID")]
    public string Id { get; init; } = "";
    public SwarmVersion Version { get; init => field = value ?? new(); } = new();
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The version index to pass to an update.</summary>
    [JsonIgnore]
    public long VersionIndex => Version.Index;
}

/// <summary>GET /swarm (join tokens are deliberately not kept).</summary>
public sealed record SwarmDetails : SwarmObject
{
    public SwarmSpecInfo Spec { get; init => field = value ?? new(); } = new();
}

public sealed record SwarmSpecInfo
{
    public string Name { get; init; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
}

/// <summary>One node of GET /nodes.</summary>
public sealed record NodeDetails : SwarmObject
{
    public NodeSpecInfo Spec { get; init => field = value ?? new(); } = new();
    public NodeDescription Description { get; init => field = value ?? new(); } = new();
    public NodeStatus Status { get; init => field = value ?? new(); } = new();
    /// <summary>Null for workers.</summary>
    public NodeManagerStatus? ManagerStatus { get; init; }

    [JsonIgnore]
    public string Hostname => Description.Hostname;
    /// <summary><c>worker</c> or <c>manager</c>.</summary>
    [JsonIgnore]
    public string Role => Spec.Role;
    /// <summary><c>active</c>, <c>pause</c> or <c>drain</c>.</summary>
    [JsonIgnore]
    public string Availability => Spec.Availability;
    /// <summary><c>ready</c>, <c>down</c>, <c>disconnected</c> or <c>unknown</c>.</summary>
    [JsonIgnore]
    public string State => Status.State;
    [JsonIgnore]
    public bool IsLeader => ManagerStatus?.Leader ?? false;
}

public sealed record NodeSpecInfo
{
    public string Role { get; init; } = "";
    public string Availability { get; init; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
}

public sealed record NodeDescription
{
    public string Hostname { get; init; } = "";
}

public sealed record NodeStatus
{
    public string State { get; init; } = "";
    [JsonPropertyName("Addr")]
    public string Address { get; init; } = "";
}

public sealed record NodeManagerStatus
{
    public bool Leader { get; init; }
    public string Reachability { get; init; } = "";
    [JsonPropertyName("Addr")]
    public string Address { get; init; } = "";
}

/// <summary>A Swarm service, from GET /services or /services/{id} (environment values are not kept).</summary>
public sealed record ServiceDetails : SwarmObject
{
    public ServiceSpecInfo Spec { get; init => field = value ?? new(); } = new();
    /// <summary>The spec before the last update: what a rollback returns to. Null before any update.</summary>
    public ServiceSpecInfo? PreviousSpec { get; init; }
    public ServiceEndpointInfo Endpoint { get; init => field = value ?? new(); } = new();
    /// <summary>Null before any update.</summary>
    public ServiceUpdateStatus? UpdateStatus { get; init; }

    [JsonIgnore]
    public string Name => Spec.Name;
    [JsonIgnore]
    public string Image => Spec.TaskTemplate.ContainerSpec.Image;
    [JsonIgnore]
    public string? PreviousImage => PreviousSpec?.TaskTemplate.ContainerSpec.Image;
    /// <summary>Replicated mode: the desired tasks; null in global mode.</summary>
    [JsonIgnore]
    public int? Replicas => Spec.Mode.Replicated?.Replicas;
}

public sealed record ServiceSpecInfo
{
    public string Name { get; init; } = "";
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
    public ServiceTaskTemplateInfo TaskTemplate { get; init => field = value ?? new(); } = new();
    public ServiceModeInfo Mode { get; init => field = value ?? new(); } = new();
    public ServiceUpdateConfigInfo? UpdateConfig { get; init; }
    public ServiceUpdateConfigInfo? RollbackConfig { get; init; }
    public ServiceEndpointSpecInfo? EndpointSpec { get; init; }
}

public sealed record ServiceTaskTemplateInfo
{
    public ServiceContainerSpecInfo ContainerSpec { get; init => field = value ?? new(); } = new();
    public long ForceUpdate { get; init; }
}

public sealed record ServiceContainerSpecInfo
{
    public string Image { get; init; } = "";
    public IReadOnlyList<string> Command { get; init => field = value ?? []; } = [];
    public IReadOnlyList<string> Args { get; init => field = value ?? []; } = [];
    public string User { get; init; } = "";
    public bool ReadOnly { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init => field = value ?? DockerJson.EmptyLabels; } = DockerJson.EmptyLabels;
    public IReadOnlyList<ServiceSecretInfo> Secrets { get; init => field = value ?? []; } = [];
    public HealthcheckSpec? Healthcheck { get; init; }
}

public sealed record ServiceSecretInfo
{
    [JsonPropertyName("SecretID")]
    public string SecretId { get; init; } = "";
    public string SecretName { get; init; } = "";
}

public sealed record ServiceModeInfo
{
    public ServiceReplicatedInfo? Replicated { get; init; }
}

public sealed record ServiceReplicatedInfo
{
    public int Replicas { get; init; }
}

public sealed record ServiceUpdateConfigInfo
{
    public int Parallelism { get; init; }
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan Delay { get; init; }
    public string FailureAction { get; init; } = "";
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan Monitor { get; init; }
    public double MaxFailureRatio { get; init; }
    public string Order { get; init; } = "";
}

public sealed record ServiceEndpointSpecInfo
{
    public string Mode { get; init; } = "";
    public IReadOnlyList<ServicePortInfo> Ports { get; init => field = value ?? []; } = [];
}

public sealed record ServiceEndpointInfo
{
    public IReadOnlyList<ServicePortInfo> Ports { get; init => field = value ?? []; } = [];
}

public sealed record ServicePortInfo
{
    public string Protocol { get; init; } = "";
    public int TargetPort { get; init; }
    public int PublishedPort { get; init; }
    public string PublishMode { get; init; } = "";
}

/// <summary>
/// The state of the last update or rollback: <c>updating</c>, <c>paused</c>, <c>completed</c>,
/// <c>rollback_started</c>, <c>rollback_paused</c> or <c>rollback_completed</c>.
/// </summary>
public sealed record ServiceUpdateStatus
{
    public string State { get; init; } = "";
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset CompletedAt { get; init; }
    public string Message { get; init; } = "";
}

/// <summary>The daemon's answer to a service update (warnings such as an image that could not be pinned).</summary>
public sealed record ServiceUpdateResult(string Service, IReadOnlyList<string> Warnings);

/// <summary>One task of a service, from GET /tasks.</summary>
public sealed record TaskDetails : SwarmObject
{
    [JsonPropertyName("ServiceID")]
    public string ServiceId { get; init; } = "";
    [JsonPropertyName("NodeID")]
    public string NodeId { get; init; } = "";
    /// <summary>Replicated mode: the replica number the task fills.</summary>
    public int Slot { get; init; }
    /// <summary><c>running</c>, <c>shutdown</c>, <c>accepted</c>...: what the orchestrator wants.</summary>
    public string DesiredState { get; init; } = "";
    public TaskStatusInfo Status { get; init => field = value ?? new(); } = new();
    public TaskSpecInfo Spec { get; init => field = value ?? new(); } = new();

    /// <summary><c>new</c>, <c>pending</c>, <c>assigned</c>, <c>preparing</c>, <c>starting</c>, <c>running</c>, <c>complete</c>, <c>shutdown</c>, <c>failed</c>, <c>rejected</c>...</summary>
    [JsonIgnore]
    public string State => Status.State;
    [JsonIgnore]
    public string? ContainerId => Status.ContainerStatus?.ContainerId is { Length: > 0 } id ? id : null;
    [JsonIgnore]
    public string Image => Spec.ContainerSpec.Image;
    /// <summary>When the task reached its current state.</summary>
    [JsonIgnore]
    public DateTimeOffset Timestamp => Status.Timestamp;
    [JsonIgnore]
    public bool IsRunning => State == "running";
}

public sealed record TaskStatusInfo
{
    public DateTimeOffset Timestamp { get; init; }
    public string State { get; init; } = "";
    public string Message { get; init; } = "";
    [JsonPropertyName("Err")]
    public string Error { get; init; } = "";
    public TaskContainerStatus? ContainerStatus { get; init; }
}

public sealed record TaskContainerStatus
{
    [JsonPropertyName("ContainerID")]
    public string ContainerId { get; init; } = "";
    [JsonPropertyName("PID")]
    public int Pid { get; init; }
    public int ExitCode { get; init; }
}

public sealed record TaskSpecInfo
{
    public ServiceContainerSpecInfo ContainerSpec { get; init => field = value ?? new(); } = new();
}

/// <summary>A Docker secret's metadata (the value can never be read back from Docker).</summary>
public sealed record SecretDetails : SwarmObject
{
    public SwarmSpecInfo Spec { get; init => field = value ?? new(); } = new();

    [JsonIgnore]
    public string Name => Spec.Name;
    [JsonIgnore]
    public IReadOnlyDictionary<string, string> Labels => Spec.Labels;
}

/// <summary>The outcome of <see cref="DockerClient.WaitForServiceTasksAsync"/>.</summary>
/// <param name="Service">The service waited on.</param>
/// <param name="Converged">True when the wanted number of tasks ran the wanted image and no other task was running.</param>
/// <param name="RunningTasks">Tasks running at the end.</param>
/// <param name="Tasks">All tasks seen at the end (with their states, for messages).</param>
/// <param name="Elapsed">How long the wait took.</param>
public sealed record ServiceTasksResult(string Service, bool Converged, IReadOnlyList<TaskDetails> RunningTasks,
    IReadOnlyList<TaskDetails> Tasks, TimeSpan Elapsed);
