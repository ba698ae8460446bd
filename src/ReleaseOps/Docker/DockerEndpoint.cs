using System.Globalization;
using ReleaseOps.Errors;
using ReleaseOps.Plans;

namespace ReleaseOps.Docker;

public enum DockerTransport
{
    /// <summary>A unix domain socket (<c>unix:///var/run/docker.sock</c>).</summary>
    UnixSocket,
    /// <summary>Plain TCP (<c>tcp://host:2375</c>), no TLS.</summary>
    Tcp,
    /// <summary>TCP with TLS (<c>tcp://host:2376</c> with DOCKER_TLS_VERIFY or DOCKER_TLS).</summary>
    TcpTls,
}

/// <summary>
/// Where a Docker engine listens and how to talk to it, resolved the way the docker CLI does:
/// the plan's <c>docker:</c> section first, then DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_TLS and
/// DOCKER_CERT_PATH, then <c>unix:///var/run/docker.sock</c>.
/// </summary>
public sealed record DockerEndpoint
{
    public const string DefaultHost = "unix:///var/run/docker.sock";
    public const int DefaultTlsPort = 2376;
    public const int DefaultPlainPort = 2375;

    /// <summary>The normalised address, for example <c>unix:///tmp/docker.sock</c> or <c>tcp://10.0.0.5:2376</c>.</summary>
    public required string Address { get; init; }
    public DockerTransport Transport { get; init; }
    /// <summary>Unix sockets: the socket's path.</summary>
    public string? SocketPath { get; init; }
    /// <summary>TCP: host name or address.</summary>
    public string? TcpHost { get; init; }
    /// <summary>TCP: port.</summary>
    public int TcpPort { get; init; }
    /// <summary>TLS: verify the daemon's certificate against <c>ca.pem</c> (DOCKER_TLS_VERIFY).</summary>
    public bool TlsVerify { get; init; }
    /// <summary>TLS: the directory holding ca.pem, cert.pem and key.pem (DOCKER_CERT_PATH, default ~/.docker).</summary>
    public string? CertPath { get; init; }

    /// <summary>Where the endpoint's settings came from: <c>plan</c>, <c>DOCKER_HOST</c> or <c>default</c>.</summary>
    public string Origin { get; init; } = "default";

    public string? CaCertificateFile => CertPath is null ? null : Path.Combine(CertPath, "ca.pem");
    public string? ClientCertificateFile => CertPath is null ? null : Path.Combine(CertPath, "cert.pem");
    public string? ClientKeyFile => CertPath is null ? null : Path.Combine(CertPath, "key.pem");

    /// <summary>
    /// Resolves the endpoint from a plan's definition (its fields win) and the environment (DOCKER_HOST,
    /// DOCKER_TLS_VERIFY, DOCKER_TLS, DOCKER_CERT_PATH). <paramref name="environment"/> defaults to the
    /// process environment; tests pass their own.
    /// </summary>
    public static DockerEndpoint Resolve(DockerEndpointDefinition? definition = null,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string host;
        string origin;
        if (!string.IsNullOrWhiteSpace(definition?.Host))
        {
            host = definition.Host!;
            origin = "plan";
        }
        else if (!string.IsNullOrWhiteSpace(environment("DOCKER_HOST")))
        {
            host = environment("DOCKER_HOST")!;
            origin = "DOCKER_HOST";
        }
        else
        {
            host = DefaultHost;
            origin = "default";
        }
        // As the docker CLI: any non-empty DOCKER_TLS_VERIFY turns verification on; DOCKER_TLS turns TLS on.
        var tlsVerify = definition?.TlsVerify ?? !string.IsNullOrEmpty(environment("DOCKER_TLS_VERIFY"));
        var tls = tlsVerify || !string.IsNullOrEmpty(environment("DOCKER_TLS"));
        var certPath = definition?.CertPath;
        if (string.IsNullOrWhiteSpace(certPath))
        {
            certPath = environment("DOCKER_CERT_PATH");
        }
        if (string.IsNullOrWhiteSpace(certPath))
        {
            var home = environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            certPath = string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".docker");
        }
        return Parse(host, tls, tlsVerify, certPath) with { Origin = origin };
    }

    /// <summary>The endpoint from the environment only, as the docker CLI would see it.</summary>
    public static DockerEndpoint FromEnvironment() => Resolve();

    /// <summary>Parses <c>unix:///path</c> or <c>tcp://host[:port]</c>.</summary>
    public static DockerEndpoint Parse(string host, bool tls = false, bool tlsVerify = false, string? certPath = null)
    {
        var text = host.Trim();
        if (text.StartsWith("unix://", StringComparison.OrdinalIgnoreCase))
        {
            var path = text["unix://".Length..];
            if (!path.StartsWith('/'))
            {
                throw Invalid(host, "a unix socket address needs an absolute path, for example unix:///var/run/docker.sock");
            }
            return new DockerEndpoint
            {
                Address = "unix://" + path,
                Transport = DockerTransport.UnixSocket,
                SocketPath = path,
            };
        }
        if (text.StartsWith("tcp://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate("tcp://" + text["tcp://".Length..], UriKind.Absolute, out var uri)
                || string.IsNullOrEmpty(uri.Host)
                || (uri.AbsolutePath is not ("/" or "")))
            {
                throw Invalid(host, "a TCP address looks like tcp://HOST:PORT");
            }
            tls |= tlsVerify;
            var port = uri.IsDefaultPort || uri.Port <= 0 ? (tls ? DefaultTlsPort : DefaultPlainPort) : uri.Port;
            return new DockerEndpoint
            {
                // Uri.Host keeps the brackets of an IPv6 literal, as an address needs them.
                Address = string.Create(CultureInfo.InvariantCulture, $"tcp://{uri.Host}:{port}"),
                Transport = tls ? DockerTransport.TcpTls : DockerTransport.Tcp,
                TcpHost = uri.IdnHost.Trim('[', ']'),
                TcpPort = port,
                TlsVerify = tlsVerify,
                CertPath = tls ? certPath : null,
            };
        }
        var scheme = text.Contains("://", StringComparison.Ordinal) ? text[..text.IndexOf("://", StringComparison.Ordinal)] : "(none)";
        throw Invalid(host, $"scheme '{scheme}' is not supported; use unix:// or tcp://");
    }

    private static ReleaseOpsException Invalid(string host, string why) =>
        new(DockerErrorIds.EndpointInvalid, FailureKind.InvalidConfiguration,
            $"Docker endpoint '{host}' is not usable: {why}.",
            target: host, fix: "Set DOCKER_HOST (or the plan's docker.host) to unix:///PATH or tcp://HOST:PORT.");

    public override string ToString() => Address;
}
