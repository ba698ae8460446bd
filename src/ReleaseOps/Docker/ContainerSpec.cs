using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>What a container is created from (POST /containers/create).</summary>
public sealed record ContainerSpec
{
    /// <summary>Container name; null lets Docker pick one.</summary>
    public string? Name { get; init; }
    public required string Image { get; init; }
    /// <summary>Command (replaces the image's CMD); null keeps the image's.</summary>
    public IReadOnlyList<string>? Command { get; init; }
    /// <summary>Entrypoint (replaces the image's); null keeps the image's.</summary>
    public IReadOnlyList<string>? Entrypoint { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();
    /// <summary>Environment variables whose values are secrets: revealed only into the request body.</summary>
    public IReadOnlyDictionary<string, SecretValue> SecretEnv { get; init; } = new Dictionary<string, SecretValue>();
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public IReadOnlyList<PortBinding> Ports { get; init; } = [];
    /// <summary>Overrides the image's HEALTHCHECK; <see cref="HealthcheckSpec.Disabled"/> turns it off.</summary>
    public HealthcheckSpec? Healthcheck { get; init; }
    public string? User { get; init; }
    public string? WorkingDirectory { get; init; }
    public string? Hostname { get; init; }
    public bool ReadOnlyRootFilesystem { get; init; }
    /// <summary>Memory limit in bytes.</summary>
    public long? MemoryLimit { get; init; }
    /// <summary>CPU limit in CPUs (0.5 = half a core).</summary>
    public double? CpuLimit { get; init; }
    /// <summary>Networks to attach; the first at creation, the others right after.</summary>
    public IReadOnlyList<string> Networks { get; init; } = [];
    /// <summary>DNS aliases on every network in <see cref="Networks"/>.</summary>
    public IReadOnlyList<string> NetworkAliases { get; init; } = [];
    public RestartPolicySpec? RestartPolicy { get; init; }
    public IReadOnlyList<string> CapAdd { get; init; } = [];
    public IReadOnlyList<string> CapDrop { get; init; } = [];
    public bool Privileged { get; init; }
    /// <summary><c>bridge</c>, <c>host</c>, <c>none</c>, <c>container:NAME</c> or a network name.</summary>
    public string? NetworkMode { get; init; }
    /// <summary><c>host</c> or <c>container:NAME</c>.</summary>
    public string? PidMode { get; init; }
    /// <summary>Seconds Docker waits after the stop signal before killing, when no grace is given to stop.</summary>
    public TimeSpan? StopTimeout { get; init; }
    public string? StopSignal { get; init; }
    public bool Tty { get; init; }
    /// <summary>Remove the container when it exits.</summary>
    public bool AutoRemove { get; init; }
    /// <summary>Mounts as <c>SOURCE:TARGET[:ro]</c> (bind paths or volume names).</summary>
    public IReadOnlyList<string> Binds { get; init; } = [];
    /// <summary>Security options such as <c>no-new-privileges</c>.</summary>
    public IReadOnlyList<string> SecurityOptions { get; init; } = [];
    /// <summary>Process limit inside the container.</summary>
    public long? PidsLimit { get; init; }

    internal JsonObject ToCreateBody()
    {
        var body = new JsonObject { ["Image"] = Image, ["Tty"] = Tty, ["AttachStdout"] = false, ["AttachStderr"] = false };
        if (Command is not null)
        {
            body["Cmd"] = DockerJson.Array(Command);
        }
        if (Entrypoint is not null)
        {
            body["Entrypoint"] = DockerJson.Array(Entrypoint);
        }
        var env = DockerJson.Environment(Env, SecretEnv);
        if (env.Count > 0)
        {
            body["Env"] = DockerJson.Array(env);
        }
        if (Labels.Count > 0)
        {
            body["Labels"] = DockerJson.Map(Labels);
        }
        if (User is not null)
        {
            body["User"] = User;
        }
        if (WorkingDirectory is not null)
        {
            body["WorkingDir"] = WorkingDirectory;
        }
        if (Hostname is not null)
        {
            body["Hostname"] = Hostname;
        }
        if (StopSignal is not null)
        {
            body["StopSignal"] = StopSignal;
        }
        if (StopTimeout is { } stop)
        {
            body["StopTimeout"] = (int)Math.Ceiling(stop.TotalSeconds);
        }
        if (Healthcheck is not null)
        {
            body["Healthcheck"] = Healthcheck.ToJson();
        }
        var host = new JsonObject
        {
            ["ReadonlyRootfs"] = ReadOnlyRootFilesystem,
            ["Privileged"] = Privileged,
            ["AutoRemove"] = AutoRemove,
        };
        if (Ports.Count > 0)
        {
            var exposed = new JsonObject();
            var bindings = new JsonObject();
            foreach (var group in Ports.GroupBy(p => p.Key))
            {
                exposed[group.Key] = new JsonObject();
                bindings[group.Key] = new JsonArray(group.Select(p => (JsonNode?)new JsonObject
                {
                    ["HostIp"] = p.HostIp ?? "",
                    ["HostPort"] = p.HostPort?.ToString(CultureInfo.InvariantCulture) ?? "",
                }).ToArray());
            }
            body["ExposedPorts"] = exposed;
            host["PortBindings"] = bindings;
        }
        if (MemoryLimit is { } memory)
        {
            host["Memory"] = memory;
        }
        if (CpuLimit is { } cpus)
        {
            host["NanoCpus"] = (long)Math.Round(cpus * 1e9);
        }
        if (CapAdd.Count > 0)
        {
            host["CapAdd"] = DockerJson.Array(CapAdd);
        }
        if (CapDrop.Count > 0)
        {
            host["CapDrop"] = DockerJson.Array(CapDrop);
        }
        if (Binds.Count > 0)
        {
            host["Binds"] = DockerJson.Array(Binds);
        }
        if (SecurityOptions.Count > 0)
        {
            host["SecurityOpt"] = DockerJson.Array(SecurityOptions);
        }
        if (PidsLimit is { } pids)
        {
            host["PidsLimit"] = pids;
        }
        if (RestartPolicy is not null)
        {
            host["RestartPolicy"] = new JsonObject
            {
                ["Name"] = RestartPolicy.Name,
                ["MaximumRetryCount"] = RestartPolicy.MaximumRetryCount,
            };
        }
        if (PidMode is not null)
        {
            host["PidMode"] = PidMode;
        }
        var networkMode = NetworkMode ?? (Networks.Count > 0 ? Networks[0] : null);
        if (networkMode is not null)
        {
            host["NetworkMode"] = networkMode;
        }
        body["HostConfig"] = host;
        if (Networks.Count > 0)
        {
            var endpoint = new JsonObject();
            if (NetworkAliases.Count > 0)
            {
                endpoint["Aliases"] = DockerJson.Array(NetworkAliases);
            }
            body["NetworkingConfig"] = new JsonObject
            {
                ["EndpointsConfig"] = new JsonObject { [Networks[0]] = endpoint },
            };
        }
        return body;
    }
}

/// <summary>A published port: container port (and protocol) to a host port on a host address.</summary>
/// <param name="ContainerPort">The port inside the container.</param>
/// <param name="HostPort">The host port; null lets Docker pick a free one.</param>
/// <param name="HostIp">The host address to bind; null binds all (prefer 127.0.0.1).</param>
/// <param name="Protocol"><c>tcp</c> or <c>udp</c>.</param>
public sealed record PortBinding(int ContainerPort, int? HostPort = null, string? HostIp = null, string Protocol = "tcp")
{
    internal string Key => $"{ContainerPort.ToString(CultureInfo.InvariantCulture)}/{Protocol}";
}

/// <summary>A container healthcheck, as Docker's HEALTHCHECK (test command, interval, timeout, retries).</summary>
public sealed record HealthcheckSpec
{
    /// <summary>Disables the image's healthcheck.</summary>
    public static readonly HealthcheckSpec Disabled = new() { Test = ["NONE"] };

    /// <summary><c>["CMD", "prog", "arg"]</c>, <c>["CMD-SHELL", "command"]</c> or <c>["NONE"]</c>.</summary>
    public IReadOnlyList<string> Test { get; init => field = value ?? []; } = [];
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan Interval { get; init; }
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan Timeout { get; init; }
    [JsonConverter(typeof(NanosecondsConverter))]
    public TimeSpan StartPeriod { get; init; }
    public int Retries { get; init; }

    /// <summary>A healthcheck that runs a command directly (exit 0 = healthy).</summary>
    public static HealthcheckSpec Command(IEnumerable<string> command, TimeSpan interval, TimeSpan timeout, int retries = 3,
        TimeSpan startPeriod = default) =>
        new() { Test = ["CMD", .. command], Interval = interval, Timeout = timeout, Retries = retries, StartPeriod = startPeriod };

    internal JsonObject ToJson()
    {
        var json = new JsonObject { ["Test"] = DockerJson.Array(Test) };
        if (Interval > TimeSpan.Zero)
        {
            json["Interval"] = DockerJson.Nanoseconds(Interval);
        }
        if (Timeout > TimeSpan.Zero)
        {
            json["Timeout"] = DockerJson.Nanoseconds(Timeout);
        }
        if (StartPeriod > TimeSpan.Zero)
        {
            json["StartPeriod"] = DockerJson.Nanoseconds(StartPeriod);
        }
        if (Retries > 0)
        {
            json["Retries"] = Retries;
        }
        return json;
    }
}

/// <summary>A container restart policy: <c>no</c>, <c>always</c>, <c>unless-stopped</c> or <c>on-failure</c>.</summary>
public sealed record RestartPolicySpec
{
    public static readonly RestartPolicySpec No = new() { Name = "no" };
    public static readonly RestartPolicySpec Always = new() { Name = "always" };
    public static readonly RestartPolicySpec UnlessStopped = new() { Name = "unless-stopped" };

    public static RestartPolicySpec OnFailure(int maximumRetries) => new() { Name = "on-failure", MaximumRetryCount = maximumRetries };

    public string Name { get; init; } = "no";
    public int MaximumRetryCount { get; init; }
}
