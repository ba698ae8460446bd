namespace ReleaseOps.Deploy;

/// <summary>A container to create for one instance of a service.</summary>
public sealed record InstanceSpec
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Variables whose values came from secret references: revealed only into the Docker request.</summary>
    public IReadOnlyDictionary<string, Secrets.SecretValue> SecretEnv { get; init; } = new Dictionary<string, Secrets.SecretValue>();
    public int? ContainerPort { get; init; }
    /// <summary>Published on 127.0.0.1 only.</summary>
    public int? HostPort { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public string? User { get; init; }
    public bool ReadOnlyRootFilesystem { get; init; }
    public long? MemoryLimit { get; init; }
    public double? CpuLimit { get; init; }
    public IReadOnlyList<string> Networks { get; init; } = Array.Empty<string>();
    /// <summary>SOURCE:TARGET[:ro]: named volumes and bind mounts (absolute host paths).</summary>
    public IReadOnlyList<string> Volumes { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> CapDrop { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> CapAdd { get; init; } = Array.Empty<string>();
    public Plans.HealthcheckDefinition? Healthcheck { get; init; }
    public string? Restart { get; init; }
    public Plans.LoggingDefinition? Logging { get; init; }
}

/// <summary>A container as the deployment sees it. <paramref name="Health"/> is healthy, unhealthy, starting, or null without a HEALTHCHECK.</summary>
public sealed record InstanceState(
    string Id,
    string Name,
    string Image,
    IReadOnlyDictionary<string, string> Labels,
    bool Running,
    string? Health,
    long? ExitCode);

/// <summary>A Swarm service to create or update.</summary>
public sealed record SwarmServiceSpec
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    public int Replicas { get; init; } = 1;
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, Secrets.SecretValue> SecretEnv { get; init; } = new Dictionary<string, Secrets.SecretValue>();
    public int? ContainerPort { get; init; }
    /// <summary>Published in host mode (no ingress mesh).</summary>
    public int? HostPort { get; init; }
    public IReadOnlyList<string>? Command { get; init; }
    public int Parallelism { get; init; } = 1;
    public bool StartFirst { get; init; }
    public TimeSpan Delay { get; init; }
    public TimeSpan Monitor { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Overlay networks the tasks join (they must exist).</summary>
    public IReadOnlyList<string> Networks { get; init; } = Array.Empty<string>();
    public string? User { get; init; }
    public bool ReadOnlyRootFilesystem { get; init; }
    public long? MemoryLimit { get; init; }
    public double? CpuLimit { get; init; }
    public long? MemoryReservation { get; init; }
    public double? CpuReservation { get; init; }
    public Plans.HealthcheckDefinition? Healthcheck { get; init; }
    /// <summary>SOURCE:/path[:ro]: a named volume, or an absolute host path (bind mount).</summary>
    public IReadOnlyList<string> Volumes { get; init; } = Array.Empty<string>();
    /// <summary>Docker secrets (they must exist) mounted as /run/secrets/FILE.</summary>
    public IReadOnlyList<SwarmSecretMount> Secrets { get; init; } = Array.Empty<SwarmSecretMount>();
}

/// <summary>A Docker secret in a service spec: its id and name, the file under /run/secrets, and the owner and mode of that file.</summary>
public sealed record SwarmSecretMount(string SecretId, string SecretName, string File, string Uid = "0", string Gid = "0", uint Mode = 0x124 /* 0444 */);

/// <summary>A Docker secret as listed: metadata only (Docker never gives the value back).</summary>
public sealed record SwarmSecretState(string Id, string Name, IReadOnlyDictionary<string, string> Labels);

/// <summary>A short-lived relay on the host's loopback to one task's address on an overlay network.</summary>
public sealed record RelaySpec
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    public required string Network { get; init; }
    public required string TargetAddress { get; init; }
    public required int TargetPort { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A service's current state; <paramref name="Secrets"/> the names of the Docker secrets its spec mounts,
/// <paramref name="Networks"/> the networks its tasks join (by id).
/// </summary>
public sealed record SwarmServiceState(string Id, string Name, string Image, long Version, string? UpdateState, string? PreviousImage)
{
    public IReadOnlyList<string> Secrets { get; init; } = Array.Empty<string>();
}

/// <summary>A Swarm task: <paramref name="ContainerId"/> once a container exists for it, <paramref name="CreatedAt"/> when Swarm created it.</summary>
public sealed record SwarmTaskState(string Id, string Image, string State, string DesiredState, string? Error, long? ExitCode,
    string? ContainerId = null, DateTimeOffset? CreatedAt = null)
{
    /// <summary>The task's address on each network it joined (by network name), without the prefix length.</summary>
    public IReadOnlyDictionary<string, string> Addresses { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// The Docker operations deployments need, over the engine's Docker adapter
/// (<see cref="DockerContainerPlatform"/>). Kept small so the strategies read as what they do.
/// </summary>
public interface IContainerPlatform
{
    string Endpoint { get; }

    /// <summary>The image's repo digest (or id when it has none). Throws <c>ImageNotFound</c>.</summary>
    Task<string> ResolveImageAsync(string image, CancellationToken cancellation);

    /// <summary>Containers (running or not) carrying all the given labels.</summary>
    Task<IReadOnlyList<InstanceState>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellation);

    Task<InstanceState> InspectAsync(string id, CancellationToken cancellation);

    /// <summary>Creates and starts; returns the container id.</summary>
    Task<string> RunAsync(InstanceSpec spec, CancellationToken cancellation);

    Task StartAsync(string id, CancellationToken cancellation);

    Task StopAsync(string id, TimeSpan grace, CancellationToken cancellation);

    Task RemoveAsync(string id, CancellationToken cancellation);

    /// <summary>Runs a one-off container to completion (migrations); returns exit code and output, then removes it.</summary>
    Task<(long ExitCode, string Output)> RunToCompletionAsync(InstanceSpec spec, TimeSpan timeout, CancellationToken cancellation);

    Task<SwarmServiceState?> InspectServiceAsync(string name, CancellationToken cancellation);

    Task CreateServiceAsync(SwarmServiceSpec spec, CancellationToken cancellation);

    /// <summary>Updates the service to <paramref name="spec"/> at the given version index.</summary>
    Task UpdateServiceAsync(SwarmServiceSpec spec, long version, CancellationToken cancellation);

    /// <summary>Swarm's own rollback to the previous spec.</summary>
    Task RollbackServiceAsync(string name, CancellationToken cancellation);

    Task<IReadOnlyList<SwarmTaskState>> ListTasksAsync(string service, CancellationToken cancellation);

    Task RemoveServiceAsync(string name, CancellationToken cancellation);

    /// <summary>Creates an attachable overlay network when none of that name exists; returns true when it created one.</summary>
    Task<bool> EnsureOverlayNetworkAsync(string name, bool @internal, IReadOnlyDictionary<string, string> labels, CancellationToken cancellation);

    /// <summary>Docker secrets carrying all the given labels.</summary>
    Task<IReadOnlyList<SwarmSecretState>> ListSecretsAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellation);

    /// <summary>Creates the secret unless one of that name exists; returns its id.</summary>
    Task<string> EnsureSecretAsync(string name, Secrets.SecretValue value, IReadOnlyDictionary<string, string> labels, CancellationToken cancellation);

    Task RemoveSecretAsync(string id, CancellationToken cancellation);

    /// <summary>The names of the secrets any Swarm service's current spec mounts (previous specs do not count).</summary>
    Task<IReadOnlySet<string>> SecretsInUseAsync(CancellationToken cancellation);

    /// <summary>Starts a relay container (on the default bridge, joined to the overlay) and returns it with its loopback port once it accepts.</summary>
    Task<(string ContainerId, int HostPort)> StartRelayAsync(RelaySpec spec, CancellationToken cancellation);
}
