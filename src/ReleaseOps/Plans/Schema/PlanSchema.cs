using static ReleaseOps.Plans.Schema.Shapes;

namespace ReleaseOps.Plans.Schema;

/// <summary>The release plan's schema: the one description the loader, the binder and the JSON Schema share.</summary>
public static class PlanSchema
{
    public const string ApiVersion = "releaseops/v1";

    public static ObjectShape Probe { get; } = Object(
        Required("name", String()),
        Prop("type", Enum("http", "tcp", "container", "metrics")),
        Prop("url", String(), "Absolute URL, or a path (/health) resolved against each instance."),
        Prop("host", String()),
        Prop("port", Port()),
        Prop("container", String(), "Container or service name, for container probes."),
        Prop("interval", Duration()),
        Prop("timeout", Duration()),
        Prop("expect", List(Condition(), acceptsSingle: true), "Conditions: status == 200, response_time < 500ms."),
        Prop("headers", Map(String())));

    public static ObjectShape Strategy { get; } = Object(
        Required("type", Enum("recreate", "rolling", "blue-green", "canary")),
        Prop("batch_size", Integer(1)),
        Prop("order", Enum("start-first", "stop-first")),
        Prop("max_unavailable", Integer(0)),
        Prop("drain", Duration(), "Blue-green: how long the old color keeps running after the switch."),
        Prop("steps", List(Integer(1, 100)), "Canary: traffic percentages in order, ending at 100."),
        Prop("pause", Duration(), "Canary: observation time per step."),
        Prop("health_timeout", Duration()),
        Prop("stop_grace_period", Duration()));

    public static ObjectShape Service { get; } = Object(
        Required("name", String()),
        Required("image", String(), "Repository, optionally with a tag; without one the release version is the tag."),
        Prop("target", Enum("container", "swarm")),
        Prop("replicas", Integer(1)),
        Prop("port", Port(), "The port the application listens on inside the container."),
        Prop("host_ports", List(Port()), "Loopback host ports for replicas or blue/green colors."),
        Prop("env", Map(String())),
        Prop("secrets", List(String()), "Docker secrets mounted into the service."),
        Prop("networks", List(String())),
        Prop("labels", Map(String())),
        Prop("command", List(String(), acceptsSingle: true)),
        Prop("user", String()),
        Prop("read_only", Boolean()),
        Prop("memory", Size()),
        Prop("cpus", Number()),
        Prop("strategy", Strategy),
        Prop("health", List(Probe, uniqueKey: "name")),
        Prop("smoke", List(Object(
            Required("name", String()),
            Prop("method", Enum("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")),
            Required("url", String()),
            Prop("body", String()),
            Prop("headers", Map(String())),
            Prop("expect", List(Condition(), acceptsSingle: true)),
            Prop("timeout", Duration())), uniqueKey: "name")),
        Prop("migration", Object(
            Required("command", List(String(), acceptsSingle: true)),
            Prop("image", String()),
            Prop("timeout", Duration()),
            Prop("env", Map(String())))));

    public static TaggedShape Gate { get; } = new(
        "type",
        new[]
        {
            Required("name", String()),
            Required("type", Enum(GateTypeCatalog.All.Select(t => t.Name).ToArray())),
            Prop("category", String(), "security, build, performance, infrastructure, database, process..."),
            Prop("severity", Enum("critical", "high", "medium", "low")),
            Prop("stage", Enum("pre-deploy", "post-deploy", "manual")),
            Prop("timeout", Duration()),
            Prop("within", Duration(), "Retry until it passes or this much time has passed."),
            Prop("tags", List(String())),
            Prop("expect", List(Condition(), acceptsSingle: true)),
        },
        GateTypeCatalog.All.ToDictionary(t => t.Name, t => t.Settings));

    public static ObjectShape Backup { get; } = Object(
        Required("name", String()),
        Required("type", Enum("postgres", "redis")),
        Required("connection", Connection()),
        Required("destination", String()),
        Prop("format", Enum("custom", "directory")),
        Prop("jobs", Integer(1, 64)),
        Prop("before_deploy", Boolean()),
        Prop("verify", Boolean()),
        Prop("encryption_key", String(), "A secret reference: ${secret:NAME}."),
        Prop("retention", Object(Prop("count", Integer(1)), Prop("max_age", Duration()))));

    public static ObjectShape Watch { get; } = Object(
        Prop("duration", Duration()),
        Prop("interval", Duration()),
        Prop("probes", List(Probe, uniqueKey: "name")),
        Prop("criteria", List(Object(
            Required("name", String()),
            Required("expect", Condition()),
            Prop("probe", String()),
            Prop("window", Duration()),
            Prop("for", Duration(), "How long the condition must fail before it is a breach."),
            Prop("severity", Enum("critical", "high", "medium", "low"))), uniqueKey: "name")),
        Prop("rollback_on_breach", Boolean()));

    public static ObjectShape SecretSource { get; } = Object(
        Prop("env", String(), "Environment variable holding the secret."),
        Prop("file", String(), "File holding the secret."),
        Prop("docker", String(), "Docker secret name (read from /run/secrets/NAME)."));

    public static ObjectShape Root { get; } = Object(
        Required("api_version", Enum(ApiVersion), "Always " + ApiVersion + "."),
        Required("application", String()),
        Required("environment", String()),
        Prop("version", String(), "The version to release when none is given."),
        Prop("description", String()),
        Prop("variables", Map(String()), "Values for ${var:NAME}."),
        Prop("secrets", Map(SecretSource), "Where each ${secret:NAME} comes from."),
        Prop("docker", Object(Prop("host", String()), Prop("tls_verify", Boolean()), Prop("cert_path", String()))),
        Prop("proxy", Object(
            Prop("type", Enum("nginx")),
            Required("upstream_file", String()),
            Prop("config_file", String()),
            Prop("binary", String()),
            Prop("public_url", Url()))),
        Prop("journal", Object(
            Prop("store", Enum("file", "postgres")),
            Prop("path", String()),
            Prop("connection", Connection()))),
        Prop("services", List(Service, uniqueKey: "name")),
        Prop("gates", List(Gate, uniqueKey: "name")),
        Prop("backups", List(Backup, uniqueKey: "name")),
        Prop("watch", Watch),
        Prop("notifications", List(Object(
            Required("name", String()),
            Prop("type", Enum("webhook")),
            Required("url", Url()),
            Prop("on", List(Enum("started", "succeeded", "failed", "rolled-back", "breached")))), uniqueKey: "name")));
}
