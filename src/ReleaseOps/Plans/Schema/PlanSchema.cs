using static ReleaseOps.Plans.Schema.Shapes;

namespace ReleaseOps.Plans.Schema;

/// <summary>The release plan's schema: the one description the loader, the binder and the JSON Schema share.</summary>
public static class PlanSchema
{
    public const string ApiVersion = "releaseops/v1";

    /// <summary>
    /// A service's readiness probe: run against each new instance until it passes (or the strategy's health_timeout ends)
    /// and once more at verification. Only http and tcp: the others would validate and then do nothing.
    /// </summary>
    public static ObjectShape Probe { get; } = Object(
        Required("name", String()),
        Prop("type", Enum("http", "tcp") with
        {
            Retired = new Dictionary<string, string>
            {
                ["container"] = "a service's instances are its containers, and the rollout already waits for their Docker HEALTHCHECK to say healthy " +
                    "before any traffic reaches them (and fails on unhealthy); define the HEALTHCHECK in the image, or watch a container's state with a " +
                    "watch probe of type container (watch.probes)",
                ["metrics"] = "a readiness probe answers pass or fail at rollout; figures from a /metrics endpoint are judged over time by the watch: " +
                    "use a watch probe of type metrics with criteria (watch.probes, watch.criteria)",
            },
        }),
        Prop("url", String(), "Absolute URL, or a path (/health) resolved against each instance."),
        Prop("host", String()),
        Prop("port", Port()),
        Refused("container", String(), "service probes of type container are refused (see type); a watch probe of type container names the container to watch"),
        Prop("interval", Duration(), "How long a new instance's readiness attempts are apart (the smallest interval of the service's probes; default 200ms)."),
        Prop("timeout", Duration()),
        Prop("expect", List(Condition(), acceptsSingle: true), "Conditions: status == 200, response_time < 500ms."),
        Prop("headers", Map(String())));

    /// <summary>
    /// A probe of the watch: the service probes' http, tcp, container and metrics, and probes that sample the
    /// team's own figures (a PromQL query, matching log lines, a database's or Redis's statistics, a command).
    /// Without a type it is http.
    /// </summary>
    public static TaggedShape WatchProbe { get; } = new(
        "type",
        new[]
        {
            Required("name", String()),
            Prop("type", Enum(ProbeTypes.Names.ToArray())),
            Prop("interval", Duration()),
            Prop("timeout", Duration()),
            Prop("expect", List(Condition(), acceptsSingle: true), "Conditions each sample must meet, over the probe's values (status == 200, value < 0.8, exit_code == 0)."),
        },
        new Dictionary<string, IReadOnlyList<Property>>
        {
            ["http"] = new[] { Required("url", String(), "An absolute URL."), Prop("headers", Map(String())) },
            ["tcp"] = new[] { Prop("host", String()), Prop("port", Port()), Prop("url", String(), "Instead of host and port.") },
            ["container"] = new[] { Required("container", String(), "The container's name.") },
            ["metrics"] = new[] { Required("url", String(), "A Prometheus text endpoint (/metrics)."), Prop("headers", Map(String())) },
            ["prometheus"] = GateTypeCatalog.MonitoringApi.Append(Required("query", String(),
                "PromQL, evaluated each interval; a series per version label makes a canary comparable.")).ToArray(),
            ["container-logs"] = new[]
            {
                Prop("container", String(), "A container name or id, or a name prefix ending in * (every running container it names, summed)."),
                Prop("service", String(), "A Swarm service: the logs of all its tasks."),
                Required("pattern", String(), "A .NET regular expression, matched anywhere in a line."),
                Prop("ignore_case", Boolean()),
                Prop("window", Duration(), "Count the lines of this last stretch of time at each sample (default: the interval)."),
            },
            ["postgres"] = new[]
            {
                Required("connection", Connection()),
                Prop("query", String(), "A query whose first column of the first row is the sample's value."),
            },
            ["redis"] = new[]
            {
                Prop("connection", Connection(), "The server (or give configuration:)."),
                Prop("configuration", String(), "A StackExchange.Redis connection string instead of connection:."),
            },
            ["command"] = new[]
            {
                Required("run", List(String(), acceptsSingle: true),
                    "The program and its arguments, run without a shell; a single string is the program alone. Never a secret: give those in env."),
                Prop("env", Map(String()), "Environment variables of the command (values may be ${secret:NAME}); it gets these, PATH, HOME and LANG only."),
                Prop("working_directory", String(), "Relative to the plan."),
            },
        })
    {
        DefaultTag = "http",
    };

    public static ObjectShape Strategy { get; } = Object(
        Required("type", Enum("recreate", "rolling", "blue-green", "canary")),
        Prop("batch_size", Integer(1)),
        Prop("order", Enum("start-first", "stop-first")),
        Prop("max_unavailable", Integer(0)),
        Prop("drain", Duration(), "Blue-green: how long the old color keeps running after the switch."),
        Prop("standby", Duration(), "Blue-green: how long the old color stays running out of the proxy after a verified release, " +
            "for a rollback that is a proxy switch (default 0: stopped after the drain). Retired when it ends by Stop-DeploymentStandby " +
            "(releaseops standby stop), or by the next deployment or rollback."),
        Prop("steps", List(Integer(1, 100)), "Canary: traffic percentages in order, ending at 100."),
        Prop("pause", Duration(), "Canary: observation time per step."),
        Prop("health_timeout", Duration()),
        Prop("stop_grace_period", Duration()),
        Prop("analysis", Object(GateTypeCatalog.MonitoringApi.Concat(new[]
        {
            Required("canary", String(), "Label matchers of the canary's series, put where a query says $selector: track=\"canary\"."),
            Required("stable", String(), "Label matchers of the stable version's series: track=\"stable\"."),
            Prop("step", Duration(), "Resolution of the compared series (default: a twentieth of the pause)."),
            Required("metrics", List(Object(
                Required("name", String()),
                Required("query", String(), "PromQL with $selector where the version's matchers go: sum(rate(http_requests_total{code=~\"5..\",$selector}[1m]))."),
                Prop("direction", Enum("higher-is-worse", "lower-is-worse", "either")),
                Prop("tolerance", Number(), "How much worse than the stable version, as a fraction of its value, before a significant difference counts (default 0.1)."),
                Prop("critical", Boolean(), "When it fails, the step fails whatever the score.")), uniqueKey: "name")),
        }).ToArray()), "Canary: PromQL figures of the canary judged against the stable version's at each step."));

    public static ObjectShape Service { get; } = Object(
        Required("name", String()),
        Required("image", String(), "Repository, optionally with a tag; without one the release version is the tag."),
        Prop("target", Enum("container", "swarm")),
        Prop("replicas", Integer(1)),
        Prop("port", Port(), "The port the application listens on inside the container."),
        Prop("host_ports", List(Port()), "Loopback host ports for replicas or blue/green colors."),
        Prop("env", Map(String())),
        Prop("secrets", List(String()), "Docker secrets mounted as /run/secrets/NAME. Swarm: a name declared under secrets: is created and rotated by content; any other is an existing Docker secret."),
        Prop("networks", List(String()), "Networks joined (Swarm: overlay networks, created when missing; declare internal ones under the top-level networks:)."),
        Prop("labels", Map(String())),
        Prop("command", List(String(), acceptsSingle: true)),
        Prop("user", String()),
        Prop("read_only", Boolean()),
        Prop("memory", Size()),
        Prop("cpus", Number()),
        Prop("memory_reservation", Size(), "Swarm: memory reserved for each replica."),
        Prop("cpus_reservation", Number(), "Swarm: CPUs reserved for each replica."),
        Prop("volumes", List(String()),
            "SOURCE:TARGET[:ro], a named volume (data:/var/lib/app) or a bind mount of a host path (./conf:/etc/app:ro, relative to the plan)."),
        Prop("cap_drop", List(String()), "Containers: Linux capabilities to drop, for example [ALL]."),
        Prop("cap_add", List(String()), "Containers: Linux capabilities to add back, for example [NET_BIND_SERVICE]."),
        Prop("healthcheck", Object(
            Required("test", List(String(), acceptsSingle: true),
                "The check, as Docker takes it: [CMD, wget, -q, -O-, http://127.0.0.1:8080/health], [CMD-SHELL, \"...\"], or [NONE] to turn the image's off; a single string runs through the shell."),
            Prop("interval", Duration()),
            Prop("timeout", Duration()),
            Prop("retries", Integer(0)),
            Prop("start_period", Duration())),
            "The HEALTHCHECK of the containers or Swarm tasks created (the rollout waits for it to say healthy)."),
        Prop("restart", Enum("no", "always", "unless-stopped", "on-failure"), "Containers: Docker's restart policy (default no)."),
        Prop("logging", Object(
            Required("driver", String(), "json-file, local, syslog, journald..."),
            Prop("options", Map(String()), "The driver's options, for example max-size: 10m, max-file: \"3\".")),
            "Containers: the log driver and its options."),
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
            Required("type", Enum(GateTypeCatalog.All.Select(t => t.Name).ToArray()) with { Retired = GateTypeCatalog.Retired }),
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
        Prop("probes", List(WatchProbe, uniqueKey: "name")),
        Prop("criteria", List(Object(
            Required("name", String()),
            Required("expect", Condition()),
            Prop("probe", String()),
            Prop("window", Duration()),
            Prop("for", Duration(), "How long the condition must fail before it is a breach."),
            Prop("severity", Enum("critical", "high", "medium", "low"))), uniqueKey: "name")),
        Prop("rollback_on_breach", Boolean(), "A watch run on its own (Watch-ReleaseHealth, releaseops watch) rolls the release back at a breach."),
        Prop("after_deploy", Boolean(),
            "Deployments run this watch after the release goes live, inside their lock: Succeeded only when it ends Healthy or Degraded; " +
            "Breached or Inconclusive rolls the release back (default false; -Watch:$false / --no-watch skip it)."));

    public static ObjectShape SecretSource { get; } = Object(
        Prop("env", String(), "Environment variable holding the secret."),
        Prop("file", String(), "File holding the secret."),
        Prop("docker", String(), "Docker secret name (read from /run/secrets/NAME)."));

    /// <summary>Deployment and rollback steps a checklist item can be bound to (as the journal names them).</summary>
    public static IReadOnlyList<string> ReleaseSteps { get; } = new[]
    {
        "lock", "resolve-images", "gates:pre-deploy", "backup", "migration", "rollout", "verify", "gates:post-deploy", "unlock",
        "rollback", "restore", "retire", "restore-database",
    };

    /// <summary>The release events a notification can be sent on.</summary>
    public static IReadOnlyList<string> NotificationEvents { get; } = new[]
    {
        "started", "succeeded", "failed", "rolled-back", "watch-breached", "sign-off-needed",
    };

    public static ObjectShape Checklist { get; } = Object(
        Required("files", List(String(), acceptsSingle: true), "Markdown checklists, relative to the plan's directory."),
        Prop("roles", Map(List(String(), acceptsSingle: true)),
            "Role -> who may attest for it: the e-mail address (or common name) in each person's certificate."),
        Prop("trust", List(String(), acceptsSingle: true),
            "PEM certificates (a team CA, or the signers' own certificates) that attestation certificates must chain to."),
        Prop("items", List(Object(
            Prop("id", String(), "An item id as Import-ReleaseChecklist shows it."),
            Prop("match", String(), "Words of the item text (or sign-off role); case and punctuation are ignored."),
            Prop("gate", String(), "A gate of this plan that checks the item."),
            Prop("step", Enum(ReleaseSteps.ToArray()), "A deployment or rollback step that carries the item out."),
            Prop("service", String(), "With step: only this service's step."),
            Prop("backup", String(), "A backup of this plan that covers the item."),
            Prop("watch", String(), "A criterion of this plan's watch that judges the item."),
            Prop("attest", String(), "A role under roles: whose signed attestation covers the item."),
            Prop("stage", Enum("pre-deploy", "post-deploy"),
                "With attest: pre-deploy (default) attestations must exist before a deployment starts; post-deploy ones follow it."),
            Prop("not_applicable", String(), "Why the item does not apply.")))));

    public static ObjectShape Notification { get; } = Object(
        Required("name", String()),
        Prop("type", Enum("webhook")),
        Required("url", Url(), "The webhook; write it as ${secret:NAME} when it carries a token (Slack, Teams)."),
        Prop("format", Enum("json", "slack", "teams"), "json (default): ReleaseOps' own payload; slack or teams: their message formats."),
        Prop("on", List(Enum(NotificationEvents.ToArray()) with
        {
            Retired = new Dictionary<string, string> { ["breached"] = "the event is now called watch-breached" },
        }), "Default: failed, rolled-back, watch-breached, sign-off-needed."),
        Prop("headers", Map(String()), "Request headers; values may hold ${secret:NAME}."),
        Prop("timeout", Duration(), "Limit for one attempt (default 10s)."),
        Prop("retries", Integer(0, 10), "Further attempts after a failed one, with exponential backoff from 1s (default 3)."));

    // Declared after every shape it uses: static properties are initialised in textual order.
    public static ObjectShape Root { get; } = Object(
        Required("api_version", Enum(ApiVersion), "Always " + ApiVersion + "."),
        Required("application", String()),
        Required("environment", String()),
        Prop("version", String(), "The version to release when none is given."),
        Prop("description", String()),
        Prop("variables", Map(String()), "Values for ${var:NAME}."),
        Prop("secrets", Map(SecretSource), "Where each ${secret:NAME} comes from."),
        Prop("docker", Object(Prop("host", String()), Prop("tls_verify", Boolean()), Prop("cert_path", String()),
            Prop("relay_image", String(), "Swarm verification: an image with busybox (nc) for the relay that reaches tasks on their overlay network (default busybox:1.36)."))),
        Prop("networks", Map(Object(Prop("internal", Boolean(), "No route out: only the network's members reach each other."))),
            "Networks Swarm services join, with their settings; created as attachable overlays when missing."),
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
        Prop("checklist", Checklist),
        Prop("notifications", List(Notification, uniqueKey: "name")));
}
