using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Docker.DotNet;
using ReleaseOps.Errors;

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
/// Where a Docker engine listens and how to talk to it, resolved the way the docker CLI does: the
/// caller's settings (a plan's <c>docker:</c> section) first, then DOCKER_HOST, then the Docker
/// context (DOCKER_CONTEXT, else <c>currentContext</c> in DOCKER_CONFIG's config.json), then
/// <c>unix:///var/run/docker.sock</c>; TLS from DOCKER_TLS_VERIFY, DOCKER_TLS and DOCKER_CERT_PATH
/// (or the context's TLS material); an API version pinned by DOCKER_API_VERSION.
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
    /// <summary>An API version to talk instead of negotiating one (DOCKER_API_VERSION).</summary>
    public DockerApiVersion? PinnedApiVersion { get; init; }

    /// <summary>Where the address came from: <c>plan</c>, <c>DOCKER_HOST</c>, <c>context NAME</c> or <c>default</c>.</summary>
    public string Origin { get; init; } = "default";

    public string? CaCertificateFile => CertPath is null ? null : Path.Combine(CertPath, "ca.pem");
    public string? ClientCertificateFile => CertPath is null ? null : Path.Combine(CertPath, "cert.pem");
    public string? ClientKeyFile => CertPath is null ? null : Path.Combine(CertPath, "key.pem");

    /// <summary>
    /// Resolves the endpoint from the caller's settings (they win) and the environment.
    /// <paramref name="environment"/> defaults to the process environment; tests pass their own.
    /// </summary>
    public static DockerEndpoint Resolve(string? host = null, bool? tlsVerify = null, string? certPath = null,
        Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Env(string name) => environment(name) is { Length: > 0 } value ? value : null;
        string origin;
        var contextTls = (string?)null;
        if (!string.IsNullOrWhiteSpace(host))
        {
            origin = "plan";
        }
        else if (Env("DOCKER_HOST") is { } fromEnvironment)
        {
            (host, origin) = (fromEnvironment, "DOCKER_HOST");
        }
        else if (CurrentContext(environment) is { } context)
        {
            (host, contextTls) = ContextEndpoint(context, environment);
            origin = "context " + context;
        }
        else
        {
            (host, origin) = (DefaultHost, "default");
        }
        // As the docker CLI: any non-empty DOCKER_TLS_VERIFY turns verification on; DOCKER_TLS turns TLS on;
        // a context that carries TLS material verifies with it.
        var verify = tlsVerify ?? (Env("DOCKER_TLS_VERIFY") is not null || contextTls is not null);
        var tls = verify || Env("DOCKER_TLS") is not null;
        if (string.IsNullOrWhiteSpace(certPath))
        {
            var home = environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            certPath = contextTls ?? Env("DOCKER_CERT_PATH") ?? (string.IsNullOrEmpty(home) ? null : Path.Combine(home, ".docker"));
        }
        var endpoint = Parse(host, tls, verify, certPath) with { Origin = origin };
        if (Env("DOCKER_API_VERSION") is { } pinned)
        {
            endpoint = endpoint with
            {
                PinnedApiVersion = DockerApiVersion.TryParse(pinned, out var version) ? version
                    : throw Invalid(pinned, "DOCKER_API_VERSION is not an API version such as 1.41", "Unset DOCKER_API_VERSION or give MAJOR.MINOR."),
            };
        }
        return endpoint;
    }

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

    public override string ToString() => Address;

    /// <summary>The context the docker CLI would use: DOCKER_CONTEXT, else config.json's currentContext; null for the default.</summary>
    private static string? CurrentContext(Func<string, string?> environment)
    {
        var config = Config(environment);
        var name = environment("DOCKER_CONTEXT") is { Length: > 0 } chosen ? chosen
            : config.Exists ? ReadCurrentContext(config) : null;
        return name is null or "" or "default" ? null : name;
    }

    private static string? ReadCurrentContext(DockerConfig config)
    {
        try
        {
            using var document = config.Parse();
            return document.RootElement.TryGetProperty("currentContext", out var current)
                && current.ValueKind == System.Text.Json.JsonValueKind.String ? current.GetString() : null;
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            throw Invalid(config.FullName, $"the Docker CLI configuration cannot be read ({ex.Message})",
                "Repair the file, or set DOCKER_HOST (or the plan's docker.host) to bypass it.");
        }
    }

    /// <summary>A context's address (read by the library from its meta.json) and its TLS directory, when it has one.</summary>
    private static (string Host, string? TlsDirectory) ContextEndpoint(string context, Func<string, string?> environment)
    {
        Uri address;
        try
        {
            address = Config(environment).GetEndpoint(context);
        }
        catch (DockerConfigurationException ex)
        {
            throw Invalid("context " + context, ex.Message,
                "Choose an existing context (docker context ls), unset DOCKER_CONTEXT, or set DOCKER_HOST.");
        }
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(context))).ToLowerInvariant();
        var tls = Path.Combine(ConfigDirectory(environment), "contexts", "tls", hash, "docker");
        var host = address.Scheme == "unix" ? "unix://" + address.AbsolutePath : address.ToString().TrimEnd('/');
        return (host, File.Exists(Path.Combine(tls, "ca.pem")) ? tls : null);
    }

    private static DockerConfig Config(Func<string, string?> environment) => new(new CliSettings(environment));

    private static string ConfigDirectory(Func<string, string?> environment) =>
        environment("DOCKER_CONFIG") is { Length: > 0 } directory ? directory
            : Path.Combine(environment("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker");

    private static ReleaseOpsException Invalid(string host, string why, string? fix = null) =>
        new(DockerErrorIds.EndpointInvalid, FailureKind.InvalidConfiguration,
            $"Docker endpoint '{host}' is not usable: {why}.",
            target: host, fix: fix ?? "Set DOCKER_HOST (or the plan's docker.host) to unix:///PATH or tcp://HOST:PORT.");

    /// <summary>The library's view of the docker CLI settings, read from the given environment.</summary>
    private sealed class CliSettings(Func<string, string?> environment) : IDockerCliSettings
    {
        public string? DockerConfig => ConfigDirectory(environment);
        public string? DockerHost => environment("DOCKER_HOST");
        public string? DockerTlsVerify => environment("DOCKER_TLS_VERIFY");
        public string? DockerContext => environment("DOCKER_CONTEXT");
    }
}
