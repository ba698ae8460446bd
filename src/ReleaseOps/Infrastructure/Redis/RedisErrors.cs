using ReleaseOps.Errors;

namespace ReleaseOps.Infrastructure.Redis;

/// <summary>
/// The typed errors of every Redis connection, through the library or the snapshot reader alike:
/// <c>RedisUnreachable</c>, <c>RedisTlsFailed</c>, <c>RedisAuthenticationFailed</c>,
/// <c>RedisTimeout</c>, <c>RedisConnectionLost</c>, <c>RedisProtocolError</c>, and
/// <see cref="RedisCommandFailedException"/> (<c>RedisCommandFailed</c>). Callers pass text that has
/// been redacted; these never add a secret.
/// </summary>
internal static class RedisErrors
{
    public static ReleaseOpsException Unreachable(RedisConnectionOptions options, string what, Exception? inner) =>
        new("RedisUnreachable", FailureKind.ConnectionFailed, $"Redis at {options.Endpoint} {what}.",
            target: options.Endpoint,
            fix: options.ServiceName is null
                ? $"Check that redis-server runs and listens on {options.Endpoint} (bind, port, firewall){(options.UseTls ? " and speaks TLS" : "")}."
                : $"Check that the Sentinels run and monitor '{options.ServiceName}', and that its primary is reachable from here.",
            innerException: inner);

    public static ReleaseOpsException TlsFailed(RedisConnectionOptions options, string why, Exception? inner) =>
        new("RedisTlsFailed", FailureKind.ConnectionFailed, $"The TLS handshake with Redis at {options.Endpoint} failed: {why}",
            target: options.Endpoint, fix: "Check the server certificate's name and issuer, or give the CA file that signed it.", innerException: inner);

    public static ReleaseOpsException AuthenticationFailed(RedisConnectionOptions options, string serverMessage) =>
        new("RedisAuthenticationFailed", FailureKind.AuthenticationFailed,
            $"Redis at {options.Endpoint} refused the credentials{(options.User is null ? "" : $" of ACL user '{options.User}'")}: {serverMessage}",
            target: options.Endpoint,
            fix: options.Password is null
                ? "The server requires a password: give one (and the ACL user if one is used)."
                : options.User is null
                    ? "Check the Redis password (requirepass) given for this server."
                    : $"Check the password of ACL user '{options.User}' and that the user is enabled (ACL GETUSER {options.User}).");

    public static ReleaseOpsException TimedOut(RedisConnectionOptions options, string what, TimeSpan limit, Exception? inner) =>
        new("RedisTimeout", FailureKind.Timeout, $"Redis at {options.Endpoint} did not answer {what} within {limit.TotalSeconds:0.###} s.",
            target: options.Endpoint, fix: "Check the server's load (SLOWLOG, INFO) or allow a longer command timeout.", innerException: inner);

    public static ReleaseOpsException ConnectionLost(RedisConnectionOptions options, string what, string why, Exception? inner) =>
        new("RedisConnectionLost", FailureKind.ConnectionFailed, $"The connection to Redis at {options.Endpoint} was lost during {what}: {why}",
            target: options.Endpoint, fix: "Check that the server is running and not restarting, and the network between.", innerException: inner);

    public static ReleaseOpsException Protocol(RedisConnectionOptions options, string what) =>
        new("RedisProtocolError", FailureKind.VersionMismatch, $"Redis at {options.Endpoint}: {what}.",
            target: options.Endpoint, fix: "Check that the endpoint is a Redis server (and whether it expects TLS).");
}
