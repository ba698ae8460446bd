using ReleaseOps.Secrets;

namespace ReleaseOps.Redis;

/// <summary>
/// Where and how to reach a Redis server. <see cref="Password"/> (and <see cref="User"/> for an
/// ACL user) are sent with AUTH right after connecting; the password is revealed only while the
/// AUTH command is being written.
/// </summary>
public sealed record RedisConnectionOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 6379;
    /// <summary>ACL user name (Redis 6+); null authenticates as the default user.</summary>
    public string? User { get; init; }
    public SecretValue? Password { get; init; }
    /// <summary>Database to SELECT after connecting; 0 needs no SELECT.</summary>
    public int Database { get; init; }
    public bool UseTls { get; init; }
    /// <summary>Name the server certificate must carry; defaults to <see cref="Host"/>.</summary>
    public string? TlsServerName { get; init; }
    /// <summary>PEM file of a CA to trust for the server certificate (a private CA), in addition to the system store.</summary>
    public string? TlsCaCertificateFile { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Limit on each command's round trip; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Sent as CLIENT SETNAME when set, so the connection is recognisable in CLIENT LIST.</summary>
    public string? ClientName { get; init; }

    /// <summary><c>host:port</c>, for messages and targets.</summary>
    public string Endpoint => $"{Host}:{Port}";

    public override string ToString() => (UseTls ? "rediss://" : "redis://") + (User is null ? "" : User + "@") + Endpoint + "/" + Database;
}
