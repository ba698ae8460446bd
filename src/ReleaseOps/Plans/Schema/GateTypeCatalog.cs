using static ReleaseOps.Plans.Schema.Shapes;

namespace ReleaseOps.Plans.Schema;

/// <summary>A kind of gate check: its name in plans, its default category, and its settings.</summary>
public sealed record GateType(string Name, string DefaultCategory, string Description, IReadOnlyList<Property> Settings);

/// <summary>
/// Every gate type a plan may name, with the settings each takes. The plan validator checks gate
/// settings against this list (unknown keys, types, required settings); the gate runner maps each
/// type to its check. Adding a gate type means adding it here and giving it a check.
/// </summary>
public static class GateTypeCatalog
{
    private static readonly Property[] HttpRequest =
    {
        Required("url", Url(), "The URL to request."),
        Prop("method", Enum("GET", "HEAD", "POST", "PUT", "OPTIONS", "DELETE", "PATCH")),
        Prop("headers", Map(String()), "Request headers; values may hold ${secret:NAME}."),
        Prop("body", String()),
        Prop("follow_redirects", Boolean(), "Follow 3xx responses (default false)."),
        Prop("insecure", Boolean(), "Skip TLS certificate validation (default false)."),
        Prop("ca_file", String(), "PEM file of the CA to trust for this request."),
    };

    /// <summary>How a gate (or watch probe) reaches a Prometheus or Alertmanager API.</summary>
    internal static readonly Property[] MonitoringApi =
    {
        Required("url", Url(), "The API's root, for example http://prometheus:9090 (a proxy's path prefix is kept)."),
        Prop("bearer_token", String(), "A bearer token: ${secret:NAME}."),
        Prop("username", String(), "Basic auth user (with password)."),
        Prop("password", String(), "Basic auth password: ${secret:NAME}."),
        Prop("ca_file", String(), "PEM file of the CA to trust (the only one); default the system store."),
        Prop("insecure", Boolean(), "Skip TLS certificate validation (default false)."),
    };

    public static IReadOnlyList<GateType> All { get; } = new[]
    {
        new GateType("http", "infrastructure", "An HTTP request whose response must meet the gate's expect conditions.",
            HttpRequest.Concat(new[]
            {
                Prop("status", List(Integer(100, 599), acceptsSingle: true), "Accepted status code(s)."),
                Prop("max_latency", Duration()),
                Prop("contains", String(), "Text the body must contain."),
                Prop("matches", String(), "A regular expression the body must match."),
                Prop("json", Map(String()), "JSON path -> expected value, for example status: UP."),
                Prop("header_present", List(String(), acceptsSingle: true)),
                Prop("header_equals", Map(String())),
            }).ToArray()),
        new GateType("redirect-https", "security", "A plain-HTTP URL answers with a redirect to HTTPS.",
            new[] { Required("url", Url()) }),
        new GateType("tls", "security", "The server's certificate: host name, chain, days to expiry, protocol.",
            new[]
            {
                Required("host", String()),
                Prop("port", Port()),
                Prop("server_name", String(), "SNI and the name the certificate must be valid for (default host)."),
                Prop("min_days", Integer(0), "Fail when the certificate expires within this many days (default 30)."),
                Prop("min_protocol", Enum("tls1.2", "tls1.3")),
                Prop("ca_file", String(), "PEM file of a CA to trust (pinning); default the system store."),
            }),
        new GateType("security-headers", "security", "HSTS, CSP, X-Frame-Options, X-Content-Type-Options, Referrer-Policy, scored.",
            HttpRequest.Concat(new[]
            {
                Prop("min_hsts_max_age", Duration(), "Lowest acceptable HSTS max-age (default 180d)."),
                Prop("min_score", Integer(0, 100), "Lowest acceptable score (default 70)."),
                Prop("required", List(String()), "Headers that must be present regardless of score."),
            }).ToArray()),
        new GateType("cors", "security", "Cross-origin policy: foreign origins refused, no wildcard with credentials.",
            HttpRequest.Concat(new[]
            {
                Prop("origin", String(), "The foreign origin to test with (default https://evil.example)."),
                Prop("allowed_origins", List(String()), "Origins that may be allowed."),
            }).ToArray()),
        new GateType("tcp", "infrastructure", "A TCP port is open (or, with state: closed, refuses connections).",
            new[] { Required("host", String()), Required("port", Port()), Prop("state", Enum("open", "closed")) }),
        new GateType("docker-container", "infrastructure", "Containers are running (and healthy, where they have a HEALTHCHECK).",
            new[]
            {
                Prop("container", String(), "A container name, or a prefix ending in *."),
                Prop("label", String(), "A label filter, key=value."),
                Prop("min_count", Integer(0)),
                Prop("require_healthy", Boolean()),
            }),
        new GateType("docker-service", "infrastructure", "Swarm services have their replicas running.",
            new[] { Required("service", String(), "The service name."), Prop("min_replicas", Integer(0)) }),
        new GateType("docker-secrets", "security",
            "Expected Docker secrets exist (by name, prefix or label, with a count), none is due for rotation, and the services reference those they need.",
            new[]
            {
                Prop("names", List(String()), "Secrets that must exist."),
                Prop("prefix", String(), "Select the secrets whose name starts with this."),
                Prop("label", String(), "Select the secrets carrying this label: key=value, or key."),
                Prop("count", Integer(0), "How many secrets the prefix or label must select."),
                Prop("max_age", Duration(), "Fail when a selected secret was created longer ago than this: its rotation is due."),
                Prop("services", Map(List(String(), acceptsSingle: true)), "Service -> the secrets it must reference, for example api: [db_password, jwt_secret]."),
                Prop("require_used", Boolean(), "Every selected secret is referenced by at least one service (default false)."),
            }),
        new GateType("docker-hardening", "security", "Container hardening: non-root, no privileged, capabilities, read-only root, limits, healthcheck.",
            new[]
            {
                Prop("container", String(), "A container name, or a prefix ending in *."),
                Prop("label", String(), "A label filter, key=value."),
                Prop("rules", List(Enum("non-root", "not-privileged", "capabilities", "read-only-rootfs", "memory-limit",
                    "cpu-limit", "healthcheck", "no-host-network", "no-host-pid", "no-published-db-ports"))),
                Prop("allowed_capabilities", List(String())),
                Prop("database_ports", List(Port()), "Ports that must not be published (default 5432, 3306, 6379, 27017)."),
            }),
        new GateType("docker-image", "build", "An image exists locally and is smaller than a limit.",
            new[] { Required("image", String()), Prop("max_size", Size()) }),
        new GateType("docker-swarm", "infrastructure", "The engine is in an active swarm.", Array.Empty<Property>()),
        new GateType("docker-network", "security", "A network exists and is (or is not) internal.",
            new[] { Required("network", String(), "The network name."), Prop("internal", Boolean()) }),
        new GateType("compose", "build", "A compose file parses, declares what it references, sets limits and healthchecks.",
            new[]
            {
                Required("file", String()),
                Prop("require_limits", Boolean()),
                Prop("require_healthcheck", Boolean()),
            }),
        new GateType("env-policy", "security", "Environment variables: required present, forbidden values absent, no plain secrets.",
            new[]
            {
                Prop("file", String(), "A .env file; default the environment of this process."),
                Prop("required", List(String())),
                Prop("forbidden", Map(List(String(), acceptsSingle: true)), "Name -> forbidden values, for example DEBUG: true."),
                Prop("flag_secrets", Boolean(), "Flag values that look like secrets (default true for files)."),
            }),
        new GateType("postgres", "database", "PostgreSQL: connect, version, settings, a query's value, migrations applied, backup age.",
            new[]
            {
                Required("connection", Connection()),
                Prop("min_version", Integer(), "Lowest acceptable server major version."),
                Prop("settings", Map(String()), "Setting -> expected value; prefix with >= for a floor, e.g. max_connections: '>=100'."),
                Prop("query", String(), "A query whose first column of the first row is checked with expect (value)."),
                Prop("migrations_table", Enum("alembic_version", "__EFMigrationsHistory", "schema_migrations", "flyway_schema_history")),
                Prop("migrations_head", String(), "The migration that must be the latest applied."),
                Prop("max_backup_age", Duration(), "The newest verified backup of this database must be younger."),
                Prop("backup_directory", String(), "Where the backups' ID.manifest.json files are (the plan's backup destination)."),
                Prop("require_verified", Boolean(), "Count only backups whose last test-restore passed (default true)."),
            }),
        new GateType("redis", "database", "Redis: connect with AUTH, requirepass set, persistence on, maxmemory-policy, last save.",
            new[]
            {
                Prop("connection", RedisGateConnection(), "The server (or give configuration:)."),
                Prop("configuration", String(),
                    "A StackExchange.Redis connection string instead of connection: host:port[,host:port],password=${secret:NAME},ssl=true; serviceName=NAME with Sentinel endpoints."),
                Prop("require_password", Boolean()),
                Prop("persistence", Enum("aof", "rdb", "any")),
                Prop("maxmemory_policy", String()),
                Prop("max_last_save_age", Duration()),
            }),
        new GateType("disk", "infrastructure", "Free disk space at a path is above a floor.",
            new[] { Required("path", String()), Prop("min_free", Size()), Prop("min_free_percent", Number()) }),
        new GateType("memory", "infrastructure", "Available memory is above a floor.",
            new[] { Prop("min_available", Size()), Prop("min_available_percent", Number()) }),
        new GateType("file-size", "build", "A file or directory is smaller than a limit (du -sh).",
            new[] { Required("path", String()), Required("max_size", Size()) }),
        new GateType("command", "build", "A command's exit code and output (escape hatch for test suites and scanners).",
            new[]
            {
                Required("run", List(String(), acceptsSingle: true), "Program and arguments; a single string runs through /bin/sh -c."),
                Prop("exit_code", Integer()),
                Prop("output_contains", String()),
                Prop("working_directory", String()),
                Prop("env", Map(String())),
            }),
        new GateType("window", "process", "Now is inside a deployment window and outside change freezes.",
            new[]
            {
                Required("timezone", String(), "IANA time zone, for example Europe/Berlin."),
                Prop("days", List(Enum("mon", "tue", "wed", "thu", "fri", "sat", "sun"))),
                Prop("start", String(), "HH:mm"),
                Prop("end", String(), "HH:mm"),
                Prop("freezes", List(Object(Required("from", String()), Required("to", String()), Prop("reason", String())))),
            }),
        new GateType("prometheus", "monitoring",
            "A PromQL instant query whose series meet a condition: an error ratio below a limit, no target down, a recording rule present.",
            MonitoringApi.Concat(new[]
            {
                Required("query", String(), "PromQL, evaluated now: an instant vector or a scalar."),
                Prop("condition", Condition(), "What a series' value must meet, for example value < 0.001; labels.NAME can be read too."),
                Prop("series", Enum("every", "any", "none"),
                    "every (default): there are series and each meets the condition; any: at least one does; none: none does (without a condition: the query returns no series)."),
            }).ToArray()),
        new GateType("alertmanager", "monitoring",
            "No firing alert matches the matchers (no ongoing incident); with pipeline, a test alert is routed and delivered to its receiver.",
            MonitoringApi.Concat(new[]
            {
                Prop("matchers", List(String(), acceptsSingle: true),
                    "Alertmanager matchers an alert must meet to count, for example severity=~\"critical|page\" (default: every alert)."),
                Prop("max_firing", Integer(0), "How many matching firing alerts are allowed (default 0)."),
                Prop("include_silenced", Boolean(), "Count silenced and inhibited alerts too (default false)."),
                Prop("pipeline", Object(
                    Prop("labels", Map(String()), "Labels of the test alert, so that it is routed as the team's alerts are (alertname default ReleaseOpsPipelineTest)."),
                    Prop("receiver", String(), "The receiver Alertmanager must route the test alert to."),
                    Required("confirm_url", Url(), "Where delivery shows: an endpoint of the receiver whose answer comes to hold the test alert's id."),
                    Prop("confirm_headers", Map(String()), "Headers for confirm_url; values may hold ${secret:NAME}."),
                    Prop("within", Duration(), "How long delivery may take (default: most of the gate's timeout).")),
                    "Post a test alert and confirm its delivery; it is resolved again afterwards."),
            }).ToArray()),
        new GateType("container-logs", "monitoring",
            "Counts the lines of a container's or a Swarm service's logs that match a pattern, over a window or since a time; the first ones (redacted) are evidence.",
            new[]
            {
                Prop("container", String(), "A container name or id."),
                Prop("service", String(), "A Swarm service: the logs of all its tasks."),
                Required("pattern", String(), "A .NET regular expression, matched anywhere in a line."),
                Prop("ignore_case", Boolean()),
                Prop("window", Duration(), "Read the lines written in this last stretch of time (default 1h)."),
                Prop("since", String(), "Read the lines written since this time instead (ISO 8601: 2026-11-30T08:00:00Z)."),
                Prop("max_matches", Integer(0), "How many matching lines are allowed (default 0)."),
            }),
        new GateType("scan-report", "security",
            "A Trivy JSON, Grype JSON or SARIF scan report of exactly the image being deployed, without findings at or above a severity except allow-listed ones not yet expired.",
            new[]
            {
                Required("file", String(), "The report, relative to the plan."),
                Prop("format", Enum("auto", "trivy", "grype", "sarif"), "Default auto: told from the report's shape."),
                Prop("image", String(), "The image being deployed; its digests are resolved through the Docker engine."),
                Prop("digest", String(), "The image's digest (sha256:...: its id or a manifest digest), instead of asking the engine."),
                Prop("fail_on", Enum("critical", "high", "medium", "low"), "Findings at or above this severity fail the gate (default high)."),
                Prop("allow", List(Object(
                    Required("id", String(), "A finding id: CVE-2024-1234, GHSA-..., a rule id."),
                    Required("expires", String(), "yyyy-MM-dd: the last day the exception holds."),
                    Prop("reason", String()))), "Accepted findings, each until its expiry."),
                Prop("max_age", Duration(), "Fail when the report is older than this (its own creation time, else the file's)."),
            }),
        new GateType("secret-strength", "security",
            "Secrets the plan supplies are long enough and mix character classes; lengths and classes are reported, never a value.",
            new[]
            {
                Required("secrets", List(String(), acceptsSingle: true), "Names under the plan's secrets: (* for all of them)."),
                Prop("min_length", Integer(1), "Default 16."),
                Prop("min_classes", Integer(1, 4), "How many of lower, upper, digit and symbol each must use (default 3)."),
                Prop("require", List(Enum("lower", "upper", "digit", "symbol")), "Classes each must contain."),
            }),
        new GateType("sign-off", "process",
            "Every attestation the plan's checklist requires before deploying (attest: ROLE) is recorded, signed and valid for this version.",
            new[] { Prop("roles", List(String(), acceptsSingle: true), "Only these roles (default: every pre-deploy attestation of the checklist).") }),
    };

    /// <summary>Gate types that no longer exist, with what replaced them (the plan validator says so).</summary>
    public static IReadOnlyDictionary<string, string> Retired { get; } = new Dictionary<string, string>
    {
        ["approval"] = "the approval gate was folded into checklist sign-offs: bind the checklist's sign-off lines with " +
            "'attest: ROLE' under checklist.items (docs/checklists.md); a deployment waits for them, and a gate of type sign-off reports them",
    };

    public static GateType? Find(string name) =>
        All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase));
}
