using ReleaseOps.Secrets;

namespace ReleaseOps.Plans;

/// <summary>
/// One application's release to one environment, as described by a release plan file. Built by
/// <see cref="ReleasePlanLoader"/> only from a plan that validated cleanly. Variables are already
/// substituted; secrets are not: strings may hold <c>${secret:NAME}</c> references that
/// <see cref="Secrets"/> expands at the moment of use.
/// </summary>
public sealed record ReleasePlan
{
    public required string Application { get; init; }
    public required string Environment { get; init; }
    /// <summary>The version to release when the caller gives none.</summary>
    public string? Version { get; init; }
    public string? Description { get; init; }
    /// <summary>The file the plan was read from, if any.</summary>
    public string? SourcePath { get; init; }
    /// <summary>The directory of <see cref="SourcePath"/>, where the plan's relative paths are resolved; null for a plan not read from a file.</summary>
    public string? Directory => SourcePath is null ? null : Path.GetDirectoryName(Path.GetFullPath(SourcePath));
    /// <summary>SHA-256 of the plan's text as it was read (hex); every release records it.</summary>
    public string? Sha256 { get; init; }
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
    public SecretCatalog Secrets { get; init; } = SecretCatalog.Empty;
    public DockerEndpointDefinition Docker { get; init; } = new();
    public ProxyDefinition? Proxy { get; init; }
    public JournalDefinition Journal { get; init; } = new();
    public IReadOnlyList<ServiceDefinition> Services { get; init; } = Array.Empty<ServiceDefinition>();
    /// <summary>Networks the services join, declared with their settings (internal); services may also name networks not declared here.</summary>
    public IReadOnlyList<NetworkDefinition> Networks { get; init; } = Array.Empty<NetworkDefinition>();
    public IReadOnlyList<GateDefinition> Gates { get; init; } = Array.Empty<GateDefinition>();
    public IReadOnlyList<BackupDefinition> Backups { get; init; } = Array.Empty<BackupDefinition>();
    public WatchDefinition? Watch { get; init; }
    /// <summary>The team's Markdown checklist(s) and how their items are covered.</summary>
    public ChecklistDefinition? Checklist { get; init; }
    public IReadOnlyList<NotificationDefinition> Notifications { get; init; } = Array.Empty<NotificationDefinition>();

    public override string ToString() => $"{Application}/{Environment}";
}

/// <summary>Where a line of the plan came from, for messages: <c>plan.yml:12:5</c>.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>The Docker engine to talk to. Null fields fall back to DOCKER_HOST and friends.</summary>
public sealed record DockerEndpointDefinition
{
    /// <summary><c>unix:///var/run/docker.sock</c> or <c>tcp://host:2376</c>.</summary>
    public string? Host { get; init; }
    public bool? TlsVerify { get; init; }
    /// <summary>Directory holding ca.pem, cert.pem and key.pem, as DOCKER_CERT_PATH.</summary>
    public string? CertPath { get; init; }
    /// <summary>
    /// The image of the short-lived relay containers that let verification reach Swarm tasks on their overlay networks
    /// (it must hold busybox with nc); null: <see cref="DefaultRelayImage"/>.
    /// </summary>
    public string? RelayImage { get; init; }
    public const string DefaultRelayImage = "busybox:1.36";

    public override string ToString() =>
        (Host ?? "DOCKER_HOST, else the default socket") + (TlsVerify == true ? " (TLS verified)" : "") + (CertPath is null ? "" : $" (certificates in {CertPath})");

    /// <summary>The engine these settings name, the environment filling what they leave out (DOCKER_HOST, DOCKER_CONTEXT...).</summary>
    public Docker.DockerEndpoint Resolve() => Docker.DockerEndpoint.Resolve(Host, TlsVerify, CertPath);
}

/// <summary>The reverse proxy that blue-green and canary releases switch traffic at.</summary>
public sealed record ProxyDefinition
{
    public string Type { get; init; } = "nginx";
    /// <summary>The file ReleaseOps owns and rewrites: it holds the upstream block(s).</summary>
    public required string UpstreamFile { get; init; }
    /// <summary>The main nginx configuration, passed as <c>-c</c> when testing and reloading.</summary>
    public string? ConfigFile { get; init; }
    /// <summary>The nginx binary; default <c>nginx</c> from PATH.</summary>
    public string Binary { get; init; } = "nginx";
    /// <summary>The address the service is reached at through the proxy, for verification.</summary>
    public string? PublicUrl { get; init; }

    public override string ToString() => $"{Type}: {UpstreamFile}" + (PublicUrl is null ? "" : $" ({PublicUrl})");
}

public enum JournalStore
{
    File,
    Postgres,
}

/// <summary>Where releases and their steps are recorded.</summary>
public sealed record JournalDefinition
{
    public JournalStore Store { get; init; } = JournalStore.File;
    /// <summary>For the file store: the directory (default <c>.releaseops/journal</c> beside the plan file; relative paths are resolved against the plan's directory).</summary>
    public string Path { get; init; } = System.IO.Path.Combine(".releaseops", "journal");
    /// <summary>For the PostgreSQL store.</summary>
    public ConnectionDefinition? Connection { get; init; }

    public override string ToString() => Store == JournalStore.File ? $"file: {Path}" : $"postgres: {Connection}/{Connection?.Database}";
}

/// <summary>How to reach a PostgreSQL or Redis server. <see cref="Password"/> may be a secret reference.</summary>
public sealed record ConnectionDefinition
{
    public required string Host { get; init; }
    public int? Port { get; init; }
    public string? Database { get; init; }
    public string? Username { get; init; }
    /// <summary>Usually <c>${secret:NAME}</c>; expanded through <see cref="SecretCatalog"/> at use.</summary>
    public string? Password { get; init; }
    /// <summary>PostgreSQL ssl mode (disable, prefer, require, verify-full).</summary>
    public string? SslMode { get; init; }

    public override string ToString() => Port is null ? Host : $"{Host}:{Port}";
}

/// <summary>The payload a webhook receives.</summary>
public enum NotificationFormat
{
    /// <summary>ReleaseOps' own JSON document (event, application, environment, version, summary, details).</summary>
    Json,
    /// <summary>A Slack incoming-webhook message (text and blocks).</summary>
    Slack,
    /// <summary>A Microsoft Teams message carrying an Adaptive Card (Teams workflows and incoming webhooks).</summary>
    Teams,
}

/// <summary>A webhook told about release events (<c>notifications:</c>).</summary>
public sealed record NotificationDefinition
{
    public required string Name { get; init; }
    public string Type { get; init; } = "webhook";
    /// <summary>The URL, usually a <c>${secret:NAME}</c> reference: webhook URLs carry their token.</summary>
    public required string Url { get; init; }
    public NotificationFormat Format { get; init; } = NotificationFormat.Json;
    /// <summary>Events that trigger it: started, succeeded, failed, rolled-back, watch-breached, sign-off-needed.</summary>
    public IReadOnlyList<string> On { get; init; } = new[] { "failed", "rolled-back", "watch-breached", "sign-off-needed" };
    /// <summary>Request headers; values may hold secret references.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>Limit for one attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Further attempts after a failed one, with exponential backoff.</summary>
    public int Retries { get; init; } = 3;
    public SourceLocation? Location { get; init; }

    public override string ToString() => $"{Name} ({Type} on {string.Join(", ", On)})";
}
