using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>How a <see cref="DockerEngine"/> behaves: time limits, API version bounds, redaction.</summary>
public sealed record DockerClientOptions
{
    public static readonly DockerClientOptions Default = new();

    /// <summary>Time limit for an ordinary request, connecting included (stops add their grace period; waits have their own).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Time limit for opening a connection to the daemon.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The oldest daemon API accepted (default <see cref="DockerApiVersion.Minimum"/>).</summary>
    public DockerApiVersion MinimumApiVersion { get; init; } = DockerApiVersion.Minimum;

    /// <summary>The newest API the client asks for (default <see cref="DockerApiVersion.Maximum"/>, the library's newest).</summary>
    public DockerApiVersion MaximumApiVersion { get; init; } = DockerApiVersion.Maximum;

    /// <summary>Skip negotiation and talk this version; wins over DOCKER_API_VERSION.</summary>
    public DockerApiVersion? PinnedApiVersion { get; init; }

    /// <summary>Applied to every daemon message before it reaches an exception or a record.</summary>
    public SecretRedactor? Redactor { get; init; }
}
