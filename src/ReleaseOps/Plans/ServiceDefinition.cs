using ReleaseOps.Text;
namespace ReleaseOps.Plans;

public enum ServiceTarget
{
    /// <summary>Standalone containers on one engine.</summary>
    Container,
    /// <summary>A Swarm service.</summary>
    Swarm,
}

public enum DeploymentStrategyType
{
    /// <summary>Stop old, start new: the only strategy with downtime.</summary>
    Recreate,
    Rolling,
    BlueGreen,
    Canary,
}

public enum UpdateOrder
{
    StartFirst,
    StopFirst,
}

/// <summary>One service of the application: what runs, how it is released and how it is checked.</summary>
public sealed record ServiceDefinition
{
    public required string Name { get; init; }
    /// <summary>Image repository, optionally with a tag; without one the release version is the tag.</summary>
    public required string Image { get; init; }
    public ServiceTarget Target { get; init; } = ServiceTarget.Container;
    public int Replicas { get; init; } = 1;
    /// <summary>The port the application listens on inside the container.</summary>
    public int? ContainerPort { get; init; }
    /// <summary>Host ports (loopback) the replicas or colors publish on, in order.</summary>
    public IReadOnlyList<int> HostPorts { get; init; } = Array.Empty<int>();
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Docker secrets mounted into the service.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> Networks { get; init; } = Array.Empty<string>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string>? Command { get; init; }
    public string? User { get; init; }
    public bool ReadOnlyRootFilesystem { get; init; }
    /// <summary>Memory limit in bytes.</summary>
    public long? MemoryLimit { get; init; }
    public double? CpuLimit { get; init; }
    /// <summary>Memory reserved for each replica (Swarm: the scheduler places a task only where this much is free).</summary>
    public long? MemoryReservation { get; init; }
    /// <summary>CPUs reserved for each replica (Swarm).</summary>
    public double? CpuReservation { get; init; }
    /// <summary>SOURCE:TARGET[:ro]: a named volume, or a host path (made absolute against the plan's directory when bound).</summary>
    public IReadOnlyList<string> Volumes { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> CapDrop { get; init; } = Array.Empty<string>();
    public IReadOnlyList<string> CapAdd { get; init; } = Array.Empty<string>();
    /// <summary>The containers' own health check, as Docker runs it (a Swarm task counts as running only once it is healthy).</summary>
    public HealthcheckDefinition? Healthcheck { get; init; }
    /// <summary>Docker's restart policy: no, always, unless-stopped, on-failure; null: Docker's default (no).</summary>
    public string? Restart { get; init; }
    public LoggingDefinition? Logging { get; init; }
    public StrategyDefinition Strategy { get; init; } = new();
    /// <summary>Probes that say a new instance is ready (checked before traffic moves to it).</summary>
    public IReadOnlyList<ProbeDefinition> Health { get; init; } = Array.Empty<ProbeDefinition>();
    /// <summary>HTTP flows run after the rollout; any failure rolls the release back.</summary>
    public IReadOnlyList<SmokeCheckDefinition> Smoke { get; init; } = Array.Empty<SmokeCheckDefinition>();
    public MigrationDefinition? Migration { get; init; }
    public SourceLocation? Location { get; init; }

    /// <summary>The image reference for a version: the image's own tag if it has one, else the version.</summary>
    public string ImageFor(string version)
    {
        var lastSlash = Image.LastIndexOf('/');
        var hasTag = Image.IndexOf(':', lastSlash + 1) >= 0 || Image.Contains('@');
        return hasTag ? Image : $"{Image}:{version}";
    }

    public override string ToString() => $"{Name} ({Image}, {Strategy.Type}{(Replicas == 1 ? "" : $", {Replicas} replicas")})";
}

public sealed record StrategyDefinition
{
    public DeploymentStrategyType Type { get; init; } = DeploymentStrategyType.Rolling;
    /// <summary>Rolling: replicas replaced per batch.</summary>
    public int BatchSize { get; init; } = 1;
    public UpdateOrder Order { get; init; } = UpdateOrder.StartFirst;
    /// <summary>Rolling: replicas that may be unavailable at once.</summary>
    public int MaxUnavailable { get; init; }
    /// <summary>How long the replaced instances keep running after traffic leaves them (blue-green, canary, rolling behind a proxy).</summary>
    public TimeSpan Drain { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>
    /// Blue-green: how long the old color keeps running, out of the proxy, once a release is verified, so that a rollback
    /// is a proxy switch and one verification. Zero: it is stopped after the drain (kept stopped for a slower switch-back).
    /// </summary>
    public TimeSpan Standby { get; init; }
    /// <summary>Canary: traffic percentages, in order, ending at 100.</summary>
    public IReadOnlyList<int> Steps { get; init; } = new[] { 10, 50, 100 };
    /// <summary>Canary: how long each step is observed before the next.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a new instance has to become healthy.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Grace period for stopping an old instance.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Canary: PromQL figures compared between the canary and the stable version at each step.</summary>
    public CanaryAnalysisDefinition? Analysis { get; init; }

    public override string ToString() => Type switch
    {
        DeploymentStrategyType.Canary => $"Canary: steps {string.Join("/", Steps)}%, pause {DurationText.Format(Pause)}",
        DeploymentStrategyType.Rolling => $"Rolling: batches of {BatchSize}, {Order}, drain {DurationText.Format(Drain)}",
        _ => $"{Type}: drain {DurationText.Format(Drain)}, health timeout {DurationText.Format(HealthTimeout)}",
    };
}

/// <summary>
/// A canary's figures from Prometheus: each metric's query is run for the canary's series and for the stable
/// version's (their label matchers put where the query says <c>$selector</c>) over a step's pause, and the two
/// are judged as the HTTP samples are.
/// </summary>
public sealed record CanaryAnalysisDefinition
{
    /// <summary>How to reach Prometheus: url, bearer_token, username, password, ca_file, insecure.</summary>
    public GateSettings Prometheus { get; init; } = GateSettings.Empty;
    /// <summary>Label matchers of the canary's series, for example <c>track="canary"</c>.</summary>
    public required string Canary { get; init; }
    /// <summary>Label matchers of the stable version's series, for example <c>track="stable"</c>.</summary>
    public required string Stable { get; init; }
    /// <summary>The resolution of the compared series; null: a twentieth of the pause.</summary>
    public TimeSpan? Step { get; init; }
    public IReadOnlyList<CanaryMetricDefinition> Metrics { get; init; } = Array.Empty<CanaryMetricDefinition>();
    public SourceLocation? Location { get; init; }
}

/// <summary>One compared figure: its query (with <c>$selector</c>), which way is worse, the tolerance, and whether it alone fails a step.</summary>
public sealed record CanaryMetricDefinition
{
    public required string Name { get; init; }
    public required string Query { get; init; }
    /// <summary>higher-is-worse (default), lower-is-worse or either.</summary>
    public string Direction { get; init; } = "higher-is-worse";
    /// <summary>How much worse than the stable version, as a fraction of its value, a significant difference may be; null: the judge's default.</summary>
    public double? Tolerance { get; init; }
    public bool Critical { get; init; }
}

public enum ProbeType
{
    Http,
    Tcp,
    Container,
    Metrics,
    /// <summary>A PromQL query, sampled each interval (watch only).</summary>
    Prometheus,
    /// <summary>Lines of a container's or service's logs matching a pattern (watch only).</summary>
    ContainerLogs,
    /// <summary>A PostgreSQL server's connections, replication lag and a query's value (watch only).</summary>
    Postgres,
    /// <summary>A Redis server's memory, evictions and clients (watch only).</summary>
    Redis,
    /// <summary>A command's exit code and output (watch only).</summary>
    Command,
}

/// <summary>The names plans give probe types (<c>container-logs</c> for <see cref="ProbeType.ContainerLogs"/>).</summary>
public static class ProbeTypes
{
    private static readonly (string Name, ProbeType Type)[] All =
    {
        ("http", ProbeType.Http), ("tcp", ProbeType.Tcp), ("container", ProbeType.Container), ("metrics", ProbeType.Metrics),
        ("prometheus", ProbeType.Prometheus), ("container-logs", ProbeType.ContainerLogs), ("postgres", ProbeType.Postgres),
        ("redis", ProbeType.Redis), ("command", ProbeType.Command),
    };

    public static IEnumerable<string> Names => All.Select(t => t.Name);

    public static string Name(ProbeType type) => All.First(t => t.Type == type).Name;

    public static bool TryParse(string? name, out ProbeType type)
    {
        var found = All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
        type = found.Type;
        return found.Name is not null;
    }
}

/// <summary>A health probe: sampled during readiness checks, verification and health watches.</summary>
public sealed record ProbeDefinition
{
    public required string Name { get; init; }
    public ProbeType Type { get; init; } = ProbeType.Http;
    /// <summary>HTTP/metrics: absolute URL, or a path resolved against the instance's address.</summary>
    public string? Url { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    /// <summary>Container probes: the container or service name.</summary>
    public string? Container { get; init; }
    /// <summary>How often a watch samples it; null: the watch's interval.</summary>
    public TimeSpan? Interval { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Conditions in the shared condition language, for example <c>status == 200</c>.</summary>
    public IReadOnlyList<string> Expect { get; init; } = Array.Empty<string>();
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// The keys of the watch's probe types beyond the fields above (query, pattern, connection, run, env...), typed
    /// as gate settings are; they also hold url, container and the rest as written.
    /// </summary>
    public GateSettings Settings { get; init; } = GateSettings.Empty;
    public SourceLocation? Location { get; init; }

    private string? Run => Settings.Has("run") ? string.Join(' ', Settings.GetStrings("run")) : null;

    public override string ToString() =>
        $"{Name} ({Type} {Url ?? Container ?? Settings.GetString("query") ?? Settings.GetString("service") ?? Run ?? $"{Host}:{Port}"}{(Expect.Count == 0 ? "" : $", expect {string.Join(" and ", Expect)}")})";
}

/// <summary>One HTTP request of a smoke test and what its response must satisfy.</summary>
public sealed record SmokeCheckDefinition
{
    public required string Name { get; init; }
    public string Method { get; init; } = "GET";
    public required string Url { get; init; }
    public string? Body { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<string> Expect { get; init; } = new[] { "status == 200" };
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public override string ToString() => $"{Name} ({Method} {Url}, expect {string.Join(" and ", Expect)})";
}

/// <summary>A network the plan's services join, created when missing (Swarm: an attachable overlay).</summary>
public sealed record NetworkDefinition
{
    public required string Name { get; init; }
    /// <summary>No route out of the network: only its members reach each other.</summary>
    public bool Internal { get; init; }
}

/// <summary>A one-off migration run before the rollout: a command in a container of the new image.</summary>
public sealed record MigrationDefinition
{
    public required IReadOnlyList<string> Command { get; init; }
    /// <summary>Image to run it in; default the service's new image.</summary>
    public string? Image { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{string.Join(' ', Command)}{(Image is null ? "" : $" in {Image}")} (timeout {DurationText.Format(Timeout)})";
}

/// <summary>A HEALTHCHECK set by the plan on containers and Swarm tasks; a timing not given is Docker's default.</summary>
public sealed record HealthcheckDefinition
{
    /// <summary>The check: Docker's form (CMD, CMD-SHELL or NONE first), or an exec form that <see cref="DockerTest"/> completes.</summary>
    public required IReadOnlyList<string> Test { get; init; }
    public TimeSpan? Interval { get; init; }
    public TimeSpan? Timeout { get; init; }
    public int? Retries { get; init; }
    public TimeSpan? StartPeriod { get; init; }

    /// <summary>The test as Docker takes it: an exec form gets <c>CMD</c> in front.</summary>
    public IReadOnlyList<string> DockerTest => Test.Count > 0 && Test[0] is "CMD" or "CMD-SHELL" or "NONE" ? Test : new[] { "CMD" }.Concat(Test).ToArray();

    public override string ToString() => string.Join(' ', DockerTest) + (Interval is { } every ? $" every {DurationText.Format(every)}" : "");
}

/// <summary>A container's log driver and its options.</summary>
public sealed record LoggingDefinition
{
    public required string Driver { get; init; }
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
}
