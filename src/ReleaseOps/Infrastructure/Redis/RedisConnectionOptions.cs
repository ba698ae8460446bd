using System.Globalization;
using System.Net;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;
using StackExchange.Redis;

namespace ReleaseOps.Infrastructure.Redis;

/// <summary>
/// Where and how to reach a Redis server: one server by <see cref="Host"/> and <see cref="Port"/>,
/// or, with <see cref="ServiceName"/>, the primary a set of Sentinels names (the Sentinels are
/// <see cref="Host"/>:<see cref="Port"/> and <see cref="MoreEndpoints"/>). <see cref="Parse"/>
/// reads the connection string .NET users know from StackExchange.Redis
/// (<c>host:port,password=...,ssl=true,serviceName=...</c>). The password is a secret: revealed
/// only into the client's configuration at the moment of connecting.
/// </summary>
public sealed record RedisConnectionOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 6379;
    /// <summary>Further <c>host:port</c> endpoints: more Sentinels of the same set.</summary>
    public IReadOnlyList<string> MoreEndpoints { get; init; } = [];
    /// <summary>The Sentinel service name of the primary; null for a plain server.</summary>
    public string? ServiceName { get; init; }
    /// <summary>ACL user name (Redis 6+); null authenticates as the default user.</summary>
    public string? User { get; init; }
    public SecretValue? Password { get; init; }
    /// <summary>The database commands run against.</summary>
    public int Database { get; init; }
    public bool UseTls { get; init; }
    /// <summary>Name the server certificate must carry; defaults to <see cref="Host"/>.</summary>
    public string? TlsServerName { get; init; }
    /// <summary>PEM file of a CA to trust for the server certificate (a private CA), in addition to the system store.</summary>
    public string? TlsCaCertificateFile { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Limit on each command; for a snapshot transfer, on each read of it.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>The name the connection shows in CLIENT LIST.</summary>
    public string? ClientName { get; init; }

    /// <summary><c>host:port</c> (with a Sentinel service: <c>service@host:port</c>), for messages and targets.</summary>
    public string Endpoint => (ServiceName is null ? "" : ServiceName + "@") + Format(Host, Port);

    /// <summary>
    /// Reads a StackExchange.Redis connection string (<c>host:port[,host:port...],password=...,user=...,ssl=true,
    /// sslHost=...,serviceName=...,defaultDatabase=N,connectTimeout=MS,syncTimeout=MS</c>) with the library's own parser.
    /// </summary>
    public static RedisConnectionOptions Parse(string configuration)
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException ex)
        {
            // The library's message may quote the text, which may hold the password: it is not repeated.
            throw Invalid($"it is not a StackExchange.Redis connection string ({ex.GetType().Name}: an unknown keyword or a value of the wrong kind)");
        }
        var endpoints = parsed.EndPoints.Select(Describe).ToArray();
        if (endpoints.Length == 0)
        {
            throw Invalid("it names no host:port");
        }
        var first = parsed.EndPoints[0];
        var (host, port) = first switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => throw Invalid("its first endpoint is not host:port"),
        };
        return new RedisConnectionOptions
        {
            Host = host,
            Port = port == 0 ? (parsed.ServiceName is null ? 6379 : 26379) : port,
            MoreEndpoints = endpoints[1..],
            ServiceName = parsed.ServiceName,
            User = parsed.User,
            Password = parsed.Password is { Length: > 0 } password ? new SecretValue(password) : null,
            Database = parsed.DefaultDatabase ?? 0,
            UseTls = parsed.Ssl,
            TlsServerName = parsed.SslHost,
            ConnectTimeout = TimeSpan.FromMilliseconds(parsed.ConnectTimeout),
            CommandTimeout = TimeSpan.FromMilliseconds(parsed.SyncTimeout),
            ClientName = parsed.ClientName,
        };
    }

    public override string ToString() => (UseTls ? "rediss://" : "redis://") + (User is null ? "" : User + "@") + Endpoint + "/" + Database;

    internal static string Format(string host, int port) =>
        (host.Contains(':') ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => Format(dns.Host, dns.Port),
        IPEndPoint ip => Format(ip.Address.ToString(), ip.Port),
        _ => endpoint.ToString() ?? "",
    };

    // The connection string may hold a password: the message names the problem, never the text.
    private static ReleaseOpsException Invalid(string why) =>
        new("RedisEndpointInvalid", FailureKind.InvalidConfiguration, $"The Redis connection string is not usable: {why}.",
            target: "redis", fix: "Write it as host:port[,host:port],password=...,ssl=true (and serviceName=NAME for Sentinels).");
}
