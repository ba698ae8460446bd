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
    /// <summary>Canary: traffic percentages, in order, ending at 100.</summary>
    public IReadOnlyList<int> Steps { get; init; } = new[] { 10, 50, 100 };
    /// <summary>Canary: how long each step is observed before the next.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long a new instance has to become healthy.</summary>
    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Grace period for stopping an old instance.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    public override string ToString() => Type switch
    {
        DeploymentStrategyType.Canary => $"Canary: steps {string.Join("/", Steps)}%, pause {DurationText.Format(Pause)}",
        DeploymentStrategyType.Rolling => $"Rolling: batches of {BatchSize}, {Order}, drain {DurationText.Format(Drain)}",
        _ => $"{Type}: drain {DurationText.Format(Drain)}, health timeout {DurationText.Format(HealthTimeout)}",
    };
}

public enum ProbeType
{
    Http,
    Tcp,
    Container,
    Metrics,
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
    public SourceLocation? Location { get; init; }

    public override string ToString() =>
        $"{Name} ({Type} {Url ?? Container ?? $"{Host}:{Port}"}{(Expect.Count == 0 ? "" : $", expect {string.Join(" and ", Expect)}")})";
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
