using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>What to read with <see cref="DockerClient.GetContainerLogsAsync"/>.</summary>
public sealed record ContainerLogOptions
{
    /// <summary>Only the last N lines; null for all.</summary>
    public int? Tail { get; init; }
    /// <summary>Only lines written after this moment.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Keep reading new lines until the container stops or the caller cancels.</summary>
    public bool Follow { get; init; }
    /// <summary>Ask Docker for the time each line was written (filled into <see cref="ContainerLogLine.Timestamp"/>).</summary>
    public bool Timestamps { get; init; }
    public bool Stdout { get; init; } = true;
    public bool Stderr { get; init; } = true;
}

/// <summary>One line a container wrote.</summary>
public sealed record ContainerLogLine(DockerOutputStream Stream, string Text, DateTimeOffset? Timestamp = null);

/// <summary>
/// One sample of GET /containers/{id}/stats, with CPU and memory computed as <c>docker stats</c> does:
/// CPU % = container CPU time delta / system CPU time delta x online CPUs x 100; memory = usage minus
/// inactive page cache, as % of the limit.
/// </summary>
public sealed record ContainerStatsSample
{
    public required string Container { get; init; }
    public string Name { get; init; } = "";
    public DateTimeOffset Read { get; init; }
    public double CpuPercent { get; init; }
    public int OnlineCpus { get; init; }
    /// <summary>Bytes in use, not counting reclaimable page cache.</summary>
    public long MemoryUsage { get; init; }
    /// <summary>The memory limit in bytes (the host's memory when the container has none).</summary>
    public long MemoryLimit { get; init; }
    public double MemoryPercent { get; init; }
    public long NetworkReceivedBytes { get; init; }
    public long NetworkSentBytes { get; init; }
    public long BlockReadBytes { get; init; }
    public long BlockWrittenBytes { get; init; }
    public long Pids { get; init; }
}

/// <summary>A command to run inside a running container (POST /containers/{id}/exec).</summary>
public sealed record ExecSpec
{
    public required IReadOnlyList<string> Command { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Environment values that are secrets: revealed only into the request body.</summary>
    public IReadOnlyDictionary<string, SecretValue> SecretEnv { get; init; } = new Dictionary<string, SecretValue>();
    public string? User { get; init; }
    public string? WorkingDirectory { get; init; }
    public bool Privileged { get; init; }
}

/// <summary>The outcome of <see cref="DockerClient.RunExecAsync"/>.</summary>
public sealed record ExecResult
{
    public required string Container { get; init; }
    public required string ExecId { get; init; }
    public int ExitCode { get; init; }
    public string Stdout { get; init; } = "";
    public string Stderr { get; init; } = "";
    /// <summary>True when more output came than <c>maxOutputBytes</c>; the first bytes are kept.</summary>
    public bool OutputTruncated { get; init; }
    public TimeSpan Duration { get; init; }

    public bool Succeeded => ExitCode == 0;
}

/// <summary>GET /exec/{id}/json.</summary>
public sealed record ExecDetails
{
    [System.Text.Json.Serialization.JsonPropertyName("ID")]
    public string Id { get; init; } = "";
    [System.Text.Json.Serialization.JsonPropertyName("ContainerID")]
    public string ContainerId { get; init; } = "";
    public bool Running { get; init; }
    /// <summary>Null while running.</summary>
    public int? ExitCode { get; init; }
    public int Pid { get; init; }
}
