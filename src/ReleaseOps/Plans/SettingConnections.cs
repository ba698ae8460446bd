using System.Globalization;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Monitoring;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Infrastructure.Tls;
using ReleaseOps.Secrets;

namespace ReleaseOps.Plans;

/// <summary>
/// Reads the connection settings gates and watch probes share (a <c>connection:</c> map, a Redis
/// <c>configuration:</c> string, a Prometheus or Alertmanager <c>url</c> with its credentials and
/// TLS) into the infrastructure's endpoints, so that a gate and a probe of the same kind connect
/// the same way. Secrets are expanded by the caller's <c>expand</c> (a gate also masks them in all
/// it reports); problems are reported through the caller's <see cref="Problem"/>, in its own words.
/// </summary>
public static class SettingConnections
{
    /// <summary>Makes the caller's error for a setting: the key, what is wrong, and the fix.</summary>
    public delegate ReleaseOpsException Problem(string key, string problem, string fix);

    /// <summary>The <paramref name="key"/> map (host, port, database, username, password, ssl_mode), or null when the settings have none.</summary>
    public static ConnectionDefinition? Connection(GateSettings settings, string key, Problem invalid)
    {
        if (settings[key] is not IReadOnlyDictionary<string, object?> map)
        {
            return null;
        }
        string? Text(string name) => map.TryGetValue(name, out var v) && v is not null ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
        var host = Text("host") ?? throw invalid($"{key}.host", "no host is given.", $"Add host: to {key}, for example {{ host: 127.0.0.1, port: 5432 }}.");
        int? port = null;
        if (Text("port") is { } portText)
        {
            port = int.TryParse(portText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
                ? p
                : throw invalid($"{key}.port", $"'{portText}' is not a port.", "Give a port between 1 and 65535.");
        }
        return new ConnectionDefinition
        {
            Host = host,
            Port = port,
            Database = Text("database"),
            Username = Text("username"),
            Password = Text("password"),
            SslMode = Text("ssl_mode"),
        };
    }

    /// <summary>
    /// A Redis server: the <c>configuration</c> connection string (its references expanded; a password in
    /// <c>connection</c> wins) or the <c>connection</c> map. Null when the settings give neither.
    /// </summary>
    public static RedisConnectionOptions? Redis(GateSettings settings, Func<string?, SecretValue?> expand, Problem invalid)
    {
        var connection = Connection(settings, "connection", invalid);
        if (settings.GetString("configuration") is { } configuration)
        {
            var parsed = RedisConnectionOptions.Parse(expand(configuration)!.Reveal());
            return connection?.Password is { } password ? parsed with { Password = expand(password) } : parsed;
        }
        return connection is null
            ? null
            : new RedisConnectionOptions
            {
                Host = connection.Host,
                Port = connection.Port ?? 6379,
                User = connection.Username,
                Password = expand(connection.Password),
                Database = int.TryParse(connection.Database, NumberStyles.Integer, CultureInfo.InvariantCulture, out var db) ? db : 0,
                UseTls = RedisTls(connection.SslMode),
            };
    }

    /// <summary>
    /// ssl_mode for Redis: require, verify-ca and verify-full connect over TLS (the certificate verified); disable, allow and
    /// prefer connect in plain text (Redis cannot fall back from one to the other).
    /// </summary>
    public static bool RedisTls(string? sslMode) => sslMode is "require" or "verify-ca" or "verify-full";

    /// <summary>A PostgreSQL server from a connection map: database <c>postgres</c> and user <c>postgres</c> unless given.</summary>
    public static PgEndpoint Postgres(ConnectionDefinition connection, Func<string?, SecretValue?> expand, string applicationName, TimeSpan timeout) => new()
    {
        Host = connection.Host,
        Port = connection.Port ?? 5432,
        Database = connection.Database ?? "postgres",
        Username = connection.Username ?? "postgres",
        Password = expand(connection.Password),
        SslMode = connection.SslMode,
        ApplicationName = applicationName,
        ConnectTimeout = timeout,
        CommandTimeout = timeout,
    };

    /// <summary>
    /// A Prometheus or Alertmanager API: <c>url</c> (its root; a proxy's path prefix is kept), <c>bearer_token</c>
    /// or <c>username</c> + <c>password</c>, <c>ca_file</c> (the only CA trusted; relative to the plan) and <c>insecure</c>.
    /// </summary>
    public static MonitoringEndpoint Monitoring(GateSettings settings, Func<string?, SecretValue?> expand, Func<string, string> resolvePath,
        TimeSpan timeout, SecretRedactor? redactor, Problem invalid,
        Func<string, System.Security.Cryptography.X509Certificates.X509Certificate2Collection>? loadAuthorities = null)
    {
        var text = expand(settings.GetString("url"))?.Reveal()
            ?? throw invalid("url", "no url is given.", "Add url: http://prometheus:9090 (the API's root).");
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw invalid("url", $"'{redactor?.Redact(text) ?? text}' is not an absolute http(s) URL.", "Write the API's root, for example http://prometheus:9090.");
        }
        var bearer = expand(settings.GetString("bearer_token"));
        var username = settings.GetString("username");
        if (bearer is not null && username is not null)
        {
            throw invalid("bearer_token", "both a bearer token and a username are given.", "Give bearer_token, or username and password, not both.");
        }
        if (username is null && settings.Has("password"))
        {
            throw invalid("password", "a password without a username.", "Add username: for basic auth.");
        }
        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? authorities = null;
        if (settings.GetString("ca_file") is { } caFile)
        {
            var path = resolvePath(caFile);
            try
            {
                authorities = (loadAuthorities ?? CertificateTrust.LoadAuthorities)(path);
            }
            catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
            {
                throw invalid("ca_file", $"{path} could not be read as PEM certificates ({ex.Message}).", "Point ca_file at a readable PEM file holding the CA certificate.");
            }
        }
        return new MonitoringEndpoint
        {
            BaseUrl = url,
            BearerToken = bearer,
            Username = username,
            Password = username is null ? null : expand(settings.GetString("password")),
            Authorities = authorities,
            Insecure = settings.GetBoolean("insecure") ?? false,
            Timeout = timeout,
            Redactor = redactor,
        };
    }
}
