using System.Net.Sockets;

namespace ReleaseOps.Tests.Support;

/// <summary>
/// The endpoints of the real services started by <c>scripts/test-env.sh up</c>, read from its env
/// file. Integration tests ask for a service through <see cref="Require"/>: when the service is
/// absent the test fails with a message that says what to run, it is never silently skipped.
/// </summary>
public static class TestEnvironment
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Values = new(Load);

    public static string StateDirectory =>
        Environment.GetEnvironmentVariable("RELEASEOPS_TEST_STATE") ?? "/tmp/releaseops-test";

    public static string EnvFile => Path.Combine(StateDirectory, "env");

    public static string Get(string key) =>
        Values.Value.TryGetValue(key, out var value)
            ? value
            : throw new InvalidOperationException(
                $"The test environment does not define {key} (read from {EnvFile}). Run 'scripts/test-env.sh up' as root first.");

    public static string DockerHost => Get("RELEASEOPS_TEST_DOCKER_HOST");
    public static string PgHost => Get("RELEASEOPS_TEST_PG_HOST");
    public static int PgPort => int.Parse(Get("RELEASEOPS_TEST_PG_PORT"));
    public static string PgDatabase => Get("RELEASEOPS_TEST_PG_DATABASE");
    public static string PgUser => Get("RELEASEOPS_TEST_PG_USER");
    public static string PgPassword => Get("RELEASEOPS_TEST_PG_PASSWORD");
    public static string RedisHost => Get("RELEASEOPS_TEST_REDIS_HOST");
    public static int RedisPort => int.Parse(Get("RELEASEOPS_TEST_REDIS_PORT"));
    public static string RedisPassword => Get("RELEASEOPS_TEST_REDIS_PASSWORD");
    public static Uri NginxHttp => new(Get("RELEASEOPS_TEST_NGINX_HTTP"));
    public static Uri NginxHttps => new(Get("RELEASEOPS_TEST_NGINX_HTTPS"));
    public static string NginxCertificate => Get("RELEASEOPS_TEST_NGINX_CERT");
    public static Uri PrometheusUrl => new(Get("RELEASEOPS_TEST_PROMETHEUS_URL"));
    /// <summary>nginx with TLS (the nginx certificate) in front of Prometheus: /basic/ (basic auth), /bearer/ and /alertmanager/ (bearer token).</summary>
    public static Uri MonitoringProxy => new(Get("RELEASEOPS_TEST_MONITORING_PROXY"));
    public static string PrometheusUser => Get("RELEASEOPS_TEST_PROMETHEUS_USER");
    public static string PrometheusPassword => Get("RELEASEOPS_TEST_PROMETHEUS_PASSWORD");
    public static string PrometheusToken => Get("RELEASEOPS_TEST_PROMETHEUS_TOKEN");
    /// <summary>Where a fixture's metrics file goes (served to Prometheus as /NAME.prom).</summary>
    public static string PrometheusFixtures => Get("RELEASEOPS_TEST_PROMETHEUS_FIXTURES");
    /// <summary>Where a fixture's file_sd target file goes (Prometheus picks new files up by itself).</summary>
    public static string PrometheusTargets => Get("RELEASEOPS_TEST_PROMETHEUS_TARGETS");
    public static string PrometheusFixtureAddress => Get("RELEASEOPS_TEST_PROMETHEUS_FIXTURE_ADDRESS");
    public static Uri AlertmanagerUrl => new(Get("RELEASEOPS_TEST_ALERTMANAGER_URL"));
    /// <summary>The webhook receiver Alertmanager delivers to: GET lists every notification it stored.</summary>
    public static Uri AlertReceiverUrl => new(Get("RELEASEOPS_TEST_ALERT_RECEIVER_URL"));

    /// <summary>Fails the calling test with a clear message when the named service does not answer.</summary>
    public static void Require(TestService service)
    {
        var (ok, detail) = service switch
        {
            TestService.Docker => Probe(() => ProbeUnixSocket(new Uri(DockerHost).AbsolutePath), DockerHost),
            TestService.Postgres => Probe(() => ProbeTcp(PgHost, PgPort), $"{PgHost}:{PgPort}"),
            TestService.Redis => Probe(() => ProbeTcp(RedisHost, RedisPort), $"{RedisHost}:{RedisPort}"),
            TestService.Nginx => Probe(() => ProbeTcp(NginxHttp.Host, NginxHttp.Port), NginxHttp.ToString()),
            TestService.Prometheus => Probe(() => ProbeTcp(PrometheusUrl.Host, PrometheusUrl.Port), PrometheusUrl.ToString()),
            TestService.Alertmanager => Probe(() => ProbeTcp(AlertmanagerUrl.Host, AlertmanagerUrl.Port), AlertmanagerUrl.ToString()),
            _ => (false, service.ToString()),
        };
        if (!ok)
        {
            throw new InvalidOperationException(
                $"This test needs {service} from the test environment, and it does not answer at {detail}. " +
                "Run 'scripts/test-env.sh up' as root (it installs and starts dockerd, PostgreSQL, Redis, nginx, Prometheus and Alertmanager on loopback).");
        }
    }

    private static (bool, string) Probe(Action probe, string where)
    {
        try
        {
            probe();
            return (true, where);
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidOperationException)
        {
            return (false, where + " (" + ex.Message + ")");
        }
    }

    private static void ProbeTcp(string host, int port)
    {
        using var client = new TcpClient();
        if (!client.ConnectAsync(host, port).Wait(TimeSpan.FromSeconds(3)))
        {
            throw new IOException("connection timed out");
        }
    }

    private static void ProbeUnixSocket(string path)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(path));
    }

    private static IReadOnlyDictionary<string, string> Load()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(EnvFile))
        {
            return values;
        }
        foreach (var line in File.ReadAllLines(EnvFile))
        {
            var eq = line.IndexOf('=');
            if (eq > 0 && !line.StartsWith('#'))
            {
                values[line[..eq].Trim()] = line[(eq + 1)..].Trim();
            }
        }
        return values;
    }
}

public enum TestService
{
    Docker,
    Postgres,
    Redis,
    Nginx,
    Prometheus,
    Alertmanager,
}
