namespace ReleaseOps.Docker;

/// <summary>
/// The stable error identifiers the Docker adapter throws (as <see cref="Errors.ReleaseOpsException.ErrorId"/>).
/// Scripts match on these; they never change once published.
/// </summary>
public static class DockerErrorIds
{
    /// <summary>The daemon could not be reached: socket missing, connection refused, TLS handshake failed.</summary>
    public const string DaemonUnreachable = "DockerDaemonUnreachable";
    /// <summary>The endpoint text (DOCKER_HOST or the plan's docker.host) or its TLS files are unusable.</summary>
    public const string EndpointInvalid = "DockerEndpointInvalid";
    /// <summary>The daemon answered 404 for a container, image, network, service, task, secret or exec.</summary>
    public const string ObjectNotFound = "DockerObjectNotFound";
    /// <summary>The daemon answered 409: a name in use, a container running, a secret in use.</summary>
    public const string Conflict = "DockerConflict";
    /// <summary>The daemon's newest API version is older than the oldest this client supports.</summary>
    public const string ApiVersionTooOld = "DockerApiVersionTooOld";
    /// <summary>The daemon's oldest API version is newer than the newest this client speaks.</summary>
    public const string ApiVersionUnsupported = "DockerApiVersionUnsupported";
    /// <summary>The daemon refused the API version the client is pinned to (too new or too old for it).</summary>
    public const string ApiVersionRefused = "DockerApiVersionRefused";
    /// <summary>Any other refusal (400, 403, 500) or an answer that is not the expected JSON; the message carries the daemon's text.</summary>
    public const string RequestFailed = "DockerRequestFailed";
    /// <summary>The engine is not a swarm manager (503), so services, tasks, nodes and secrets are unavailable.</summary>
    public const string SwarmUnavailable = "DockerSwarmUnavailable";
    /// <summary>A request or a wait did not finish within its time limit.</summary>
    public const string Timeout = "DockerTimeout";
}
