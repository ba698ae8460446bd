using System.Text.RegularExpressions;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Health;

/// <summary>
/// Builds the watch's probes of the team's own figures from their definitions: prometheus, container-logs,
/// postgres, redis and command. Their settings are read as the gates of the same kind read theirs
/// (<see cref="SettingConnections"/>); secrets are expanded here, once, and masked in all the probe reports.
/// A definition that cannot work is an InvalidConfiguration error naming the probe and where it is written.
/// </summary>
internal static class WatchProbes
{
    public static MeasuringProbe Create(ProbeDefinition probe, TimeSpan interval, WatchRequest request, HealthWatchServices services)
    {
        var where = probe.Location?.ToString() ?? probe.Name;
        var settings = probe.Settings;
        var secrets = request.SecretsCatalog ?? SecretCatalog.Empty;
        var redactor = new SecretRedactor();
        SecretValue? Expand(string? text) => secrets.Expand(text, redactor);
        ReleaseOpsException Invalid(string key, string problem, string fix) =>
            new("ProbeSettingInvalid", FailureKind.InvalidConfiguration, $"Probe '{probe.Name}' has an invalid '{key}': {problem}", where, fix);
        ReleaseOpsException Missing(string key, string fix) =>
            new("ProbeSettingMissing", FailureKind.InvalidConfiguration, $"Probe '{probe.Name}' ({ProbeTypes.Name(probe.Type)}) needs '{key}'.", where, fix);
        string Resolve(string path) => Path.GetFullPath(path, request.BaseDirectory ?? Directory.GetCurrentDirectory());

        switch (probe.Type)
        {
            case ProbeType.Prometheus:
                var query = settings.GetString("query") ?? throw Missing("query", "Add query: a PromQL expression, for example sum(rate(jobs_failed_total[5m])).");
                var endpoint = SettingConnections.Monitoring(settings, Expand, Resolve, probe.Timeout, redactor, Invalid);
                return new PrometheusProbe(probe, interval, endpoint, query, redactor);

            case ProbeType.ContainerLogs:
                var (kind, source) = (settings.GetString("container"), settings.GetString("service")) switch
                {
                    ({ } container, null) => (LogSourceKind.Container, container),
                    (null, { } service) => (LogSourceKind.Service, service),
                    _ => throw Invalid("container", "a container-logs probe reads one container or one service.", "Give container: or service:, not both."),
                };
                var docker = services.Docker ?? throw new ReleaseOpsException("ProbeDockerUnavailable", FailureKind.InvalidConfiguration,
                    $"Probe '{probe.Name}' reads logs through the Docker engine, and none is configured.", where, "Set docker.host in the plan or DOCKER_HOST.");
                return new ContainerLogsProbe(probe, interval, docker, kind, source, Pattern(settings, Missing, Invalid), settings.GetDuration("window"), redactor, services.Time);

            case ProbeType.Postgres:
                var connection = SettingConnections.Connection(settings, "connection", Invalid)
                    ?? throw Missing("connection", "Add connection: { host: db, port: 5432, database: app, username: app, password: ${secret:db_password} }.");
                return new PostgresProbe(probe, interval, SettingConnections.Postgres(connection, Expand, "releaseops-watch", probe.Timeout),
                    settings.GetString("query"), redactor);

            case ProbeType.Redis:
                var redis = SettingConnections.Redis(settings, Expand, Invalid)
                    ?? throw Missing("connection", "Add connection: { host: redis, port: 6379, password: ${secret:redis} }, or configuration: \"redis:6379,ssl=true\".");
                return new RedisProbe(probe, interval, redis, redactor);

            case ProbeType.Command:
                var run = settings.GetStrings("run");
                if (run.Count == 0 || string.IsNullOrWhiteSpace(run[0]))
                {
                    throw Missing("run", "Add run: [/usr/local/bin/check-jobs, --queue, orders]: the program and its arguments.");
                }
                if (run.Any(SecretCatalog.HasReference))
                {
                    throw new ReleaseOpsException("ProbeSecretInArguments", FailureKind.InvalidConfiguration,
                        $"Probe '{probe.Name}' puts a secret in the command's arguments, where every user of the machine can read it (ps, /proc).", where,
                        "Give the secret to the command in env: instead, for example env: { API_TOKEN: ${secret:api_token} }, and read it there.");
                }
                var environment = settings.GetMap("env").ToDictionary(e => e.Key, e => Expand(e.Value)!, StringComparer.Ordinal);
                var directory = settings.GetString("working_directory") is { } dir ? Resolve(dir) : request.BaseDirectory;
                // A program given as a relative path (./check.sh) is the plan's, as every path in a plan is; a bare name is looked up on PATH.
                var program = run[0].Contains('/') && !Path.IsPathRooted(run[0])
                    ? Path.GetFullPath(run[0], directory ?? Directory.GetCurrentDirectory())
                    : run[0];
                return new CommandProbe(probe, interval, run.Skip(1).Prepend(program).ToArray(), environment, directory, redactor);

            default:
                throw new ReleaseOpsException("ProbeTypeUnknown", FailureKind.InvalidConfiguration,
                    $"Probe '{probe.Name}' has type {probe.Type}, which the watch cannot sample.", where, "Use " + string.Join(", ", ProbeTypes.Names) + ".");
        }
    }

    private static Regex Pattern(GateSettings settings, Func<string, string, ReleaseOpsException> missing, SettingConnections.Problem invalid)
    {
        var text = settings.GetString("pattern") ?? throw missing("pattern", "Add pattern: a regular expression, for example (?i)authentication failed.");
        try
        {
            return DockerEngine.LogPattern(text, settings.GetBoolean("ignore_case") == true);
        }
        catch (ArgumentException ex)
        {
            throw invalid("pattern", $"'{text}' is not a regular expression ({ex.Message}).", "Write a .NET regular expression.");
        }
    }
}
