using System.Text.Json.Nodes;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>What a Swarm service is created or updated from (POST /services/create, /services/{id}/update).</summary>
public sealed record ServiceSpec
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>The entrypoint (Swarm's ContainerSpec.Command); null keeps the image's.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Arguments (the image's CMD is replaced); null keeps the image's.</summary>
    public IReadOnlyList<string>? Args { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Prefer <see cref="Secrets"/>; values here are revealed only into the request body.</summary>
    public IReadOnlyDictionary<string, SecretValue> SecretEnv { get; init; } = new Dictionary<string, SecretValue>();
    /// <summary>Labels on the service.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    /// <summary>Labels on the service's containers.</summary>
    public IReadOnlyDictionary<string, string> ContainerLabels { get; init; } = new Dictionary<string, string>();
    /// <summary>Replicated mode: the number of tasks.</summary>
    public int Replicas { get; init; } = 1;
    /// <summary>Global mode: one task per node (<see cref="Replicas"/> is ignored).</summary>
    public bool Global { get; init; }
    public IReadOnlyList<ServicePortSpec> Ports { get; init; } = [];
    /// <summary>Swarm-scoped (overlay) networks to attach.</summary>
    public IReadOnlyList<string> Networks { get; init; } = [];
    /// <summary>Docker secrets mounted under /run/secrets.</summary>
    public IReadOnlyList<ServiceSecretReference> Secrets { get; init; } = [];
    public HealthcheckSpec? Healthcheck { get; init; }
    public string? User { get; init; }
    public bool ReadOnlyRootFilesystem { get; init; }
    /// <summary>Memory limit in bytes.</summary>
    public long? MemoryLimit { get; init; }
    /// <summary>CPU limit in CPUs.</summary>
    public double? CpuLimit { get; init; }
    public TimeSpan? StopGracePeriod { get; init; }
    public string? StopSignal { get; init; }
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    /// <summary>Placement constraints such as <c>node.role==manager</c>.</summary>
    public IReadOnlyList<string> Constraints { get; init; } = [];
    public ServiceRestartPolicy? RestartPolicy { get; init; }
    public ServiceUpdatePolicy? UpdateConfig { get; init; }
    public ServiceUpdatePolicy? RollbackConfig { get; init; }
    /// <summary>Changing this number forces a redeploy of the tasks even when nothing else changed.</summary>
    public long ForceUpdate { get; init; }

    internal JsonObject ToJson(IReadOnlyDictionary<string, string> secretIds)
    {
        var container = new JsonObject { ["Image"] = Image, ["ReadOnly"] = ReadOnlyRootFilesystem };
        if (Command is not null)
        {
            container["Command"] = DockerJson.Array(Command);
        }
        if (Args is not null)
        {
            container["Args"] = DockerJson.Array(Args);
        }
        var env = DockerJson.Environment(Env, SecretEnv);
        if (env.Count > 0)
        {
            container["Env"] = DockerJson.Array(env);
        }
        if (ContainerLabels.Count > 0)
        {
            container["Labels"] = DockerJson.Map(ContainerLabels);
        }
        if (User is not null)
        {
            container["User"] = User;
        }
        if (Healthcheck is not null)
        {
            container["Healthcheck"] = Healthcheck.ToJson();
        }
        if (StopGracePeriod is { } grace)
        {
            container["StopGracePeriod"] = DockerJson.Nanoseconds(grace);
        }
        if (StopSignal is not null)
        {
            container["StopSignal"] = StopSignal;
        }
        if (CapAdd.Count > 0)
        {
            container["CapabilityAdd"] = DockerJson.Array(CapAdd);
        }
        if (CapDrop.Count > 0)
        {
            container["CapabilityDrop"] = DockerJson.Array(CapDrop);
        }
        if (Secrets.Count > 0)
        {
            container["Secrets"] = new JsonArray(Secrets.Select(s => (JsonNode?)s.ToJson(secretIds[s.SecretName])).ToArray());
        }
        var task = new JsonObject { ["ContainerSpec"] = container, ["ForceUpdate"] = ForceUpdate };
        var limits = new JsonObject();
        if (MemoryLimit is { } memory)
        {
            limits["MemoryBytes"] = memory;
        }
        if (CpuLimit is { } cpus)
        {
            limits["NanoCPUs"] = (long)Math.Round(cpus * 1e9);
        }
        if (limits.Count > 0)
        {
            task["Resources"] = new JsonObject { ["Limits"] = limits };
        }
        if (RestartPolicy is not null)
        {
            task["RestartPolicy"] = RestartPolicy.ToJson();
        }
        if (Constraints.Count > 0)
        {
            task["Placement"] = new JsonObject { ["Constraints"] = DockerJson.Array(Constraints) };
        }
        if (Networks.Count > 0)
        {
            task["Networks"] = new JsonArray(Networks.Select(n => (JsonNode?)new JsonObject { ["Target"] = n }).ToArray());
        }
        var body = new JsonObject
        {
            ["Name"] = Name,
            ["Labels"] = DockerJson.Map(Labels),
            ["TaskTemplate"] = task,
            ["Mode"] = Global
                ? new JsonObject { ["Global"] = new JsonObject() }
                : new JsonObject { ["Replicated"] = new JsonObject { ["Replicas"] = Replicas } },
        };
        if (UpdateConfig is not null)
        {
            body["UpdateConfig"] = UpdateConfig.ToJson();
        }
        if (RollbackConfig is not null)
        {
            body["RollbackConfig"] = RollbackConfig.ToJson();
        }
        if (Ports.Count > 0)
        {
            body["EndpointSpec"] = new JsonObject
            {
                ["Mode"] = "vip",
                ["Ports"] = new JsonArray(Ports.Select(p => (JsonNode?)p.ToJson()).ToArray()),
            };
        }
        return body;
    }
}

/// <summary>A published service port. Use <see cref="ServicePortSpec.HostMode"/> where the ingress mesh is unavailable.</summary>
/// <param name="TargetPort">The port inside the containers.</param>
/// <param name="PublishedPort">The port on the node(s).</param>
/// <param name="PublishMode"><c>ingress</c> (routing mesh) or <c>host</c> (bound on the node running the task).</param>
/// <param name="Protocol"><c>tcp</c>, <c>udp</c> or <c>sctp</c>.</param>
public sealed record ServicePortSpec(int TargetPort, int? PublishedPort = null, string PublishMode = "ingress", string Protocol = "tcp")
{
    public static ServicePortSpec HostMode(int targetPort, int publishedPort) => new(targetPort, publishedPort, "host");

    internal JsonObject ToJson()
    {
        var json = new JsonObject { ["Protocol"] = Protocol, ["TargetPort"] = TargetPort, ["PublishMode"] = PublishMode };
        if (PublishedPort is { } published)
        {
            json["PublishedPort"] = published;
        }
        return json;
    }
}

/// <summary>A Docker secret given to a service's tasks as a file under /run/secrets.</summary>
/// <param name="SecretName">The secret's name.</param>
/// <param name="FileName">The file name under /run/secrets (default: the secret's name).</param>
/// <param name="SecretId">The secret's id; when null the client looks it up by name.</param>
public sealed record ServiceSecretReference(string SecretName, string? FileName = null, string? SecretId = null)
{
    public string Uid { get; init; } = "0";
    public string Gid { get; init; } = "0";
    /// <summary>File mode (default 0444).</summary>
    public int Mode { get; init; } = Convert.ToInt32("444", 8);

    internal JsonObject ToJson(string secretId) => new()
    {
        ["SecretID"] = secretId,
        ["SecretName"] = SecretName,
        ["File"] = new JsonObject
        {
            ["Name"] = FileName ?? SecretName,
            ["UID"] = Uid,
            ["GID"] = Gid,
            ["Mode"] = Mode,
        },
    };
}

/// <summary>How Swarm replaces (or rolls back) a service's tasks.</summary>
public sealed record ServiceUpdatePolicy
{
    /// <summary>Tasks replaced at once (0 = all).</summary>
    public int Parallelism { get; init; } = 1;
    /// <summary>Pause between batches.</summary>
    public TimeSpan Delay { get; init; }
    /// <summary><c>pause</c>, <c>continue</c> or <c>rollback</c> (rollback policies: <c>pause</c> or <c>continue</c>).</summary>
    public string FailureAction { get; init; } = "pause";
    /// <summary>How long each new task is watched for failure after it starts.</summary>
    public TimeSpan Monitor { get; init; } = TimeSpan.FromSeconds(5);
    public double MaxFailureRatio { get; init; }
    /// <summary><c>stop-first</c> or <c>start-first</c> (start-first cannot share a host-mode port).</summary>
    public string Order { get; init; } = "stop-first";

    internal JsonObject ToJson() => new()
    {
        ["Parallelism"] = Parallelism,
        ["Delay"] = DockerJson.Nanoseconds(Delay),
        ["FailureAction"] = FailureAction,
        ["Monitor"] = DockerJson.Nanoseconds(Monitor),
        ["MaxFailureRatio"] = MaxFailureRatio,
        ["Order"] = Order,
    };
}

/// <summary>When Swarm restarts a service's tasks.</summary>
public sealed record ServiceRestartPolicy
{
    /// <summary><c>none</c>, <c>on-failure</c> or <c>any</c>.</summary>
    public string Condition { get; init; } = "any";
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>0 = unlimited.</summary>
    public long MaxAttempts { get; init; }
    public TimeSpan Window { get; init; }

    internal JsonObject ToJson() => new()
    {
        ["Condition"] = Condition,
        ["Delay"] = DockerJson.Nanoseconds(Delay),
        ["MaxAttempts"] = MaxAttempts,
        ["Window"] = DockerJson.Nanoseconds(Window),
    };
}
