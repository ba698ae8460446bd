using ReleaseOps.Plans.Schema;
using ReleaseOps.Secrets;

namespace ReleaseOps.Plans.Loading;

/// <summary>
/// Turns the validated, typed plan tree into <see cref="ReleasePlan"/> records. File-system paths
/// in the plan are resolved against <c>baseDirectory</c> (the plan file's directory), so a plan
/// means the same files whatever the current directory of the process that reads it.
/// </summary>
internal static class PlanBinder
{
    public static ReleasePlan Bind(PlanObject root, string? sourcePath, IReadOnlyDictionary<string, string> variables, string? baseDirectory)
    {
        string? Rooted(string? path) => path is null || baseDirectory is null ? path : Path.GetFullPath(path, baseDirectory);
        var docker = root.Object("docker");
        var proxy = root.Object("proxy");
        var journal = root.Object("journal");
        var watch = root.Object("watch");
        return new ReleasePlan
        {
            Application = root.String("application")!,
            Environment = root.String("environment")!,
            Version = root.String("version"),
            Description = root.String("description"),
            SourcePath = sourcePath,
            Variables = variables,
            Secrets = new SecretCatalog(root["secrets"] is IReadOnlyDictionary<string, object?> secrets
                ? secrets.Where(kv => kv.Value is PlanObject).ToDictionary(kv => kv.Key, kv => BindSecret(kv.Key, (PlanObject)kv.Value!, Rooted))
                : new Dictionary<string, SecretSource>()),
            Docker = new DockerEndpointDefinition
            {
                Host = docker?.String("host"),
                TlsVerify = docker?.Bool("tls_verify"),
                CertPath = Rooted(docker?.String("cert_path")),
                RelayImage = docker?.String("relay_image"),
            },
            Proxy = proxy is null
                ? null
                : new ProxyDefinition
                {
                    Type = proxy.StringOr("type", "nginx"),
                    UpstreamFile = Rooted(proxy.String("upstream_file"))!,
                    ConfigFile = Rooted(proxy.String("config_file")),
                    Binary = proxy.StringOr("binary", "nginx"),
                    PublicUrl = proxy.String("public_url"),
                },
            Journal = new JournalDefinition
            {
                Store = journal?.String("store") == "postgres" ? JournalStore.Postgres : JournalStore.File,
                Path = Rooted(journal?.String("path") ?? new JournalDefinition().Path)!,
                Connection = BindConnection(journal?.Object("connection")),
            },
            Services = root.Objects("services").Select(s => BindService(s) with { Volumes = s.Strings("volumes").Select(v => RootedVolume(v, baseDirectory)).ToArray() }).ToArray(),
            Networks = root["networks"] is IReadOnlyDictionary<string, object?> networks
                ? networks.Select(kv => new NetworkDefinition { Name = kv.Key, Internal = (kv.Value as PlanObject)?.Bool("internal") ?? false }).ToArray()
                : Array.Empty<NetworkDefinition>(),
            Gates = root.Objects("gates").Select(BindGate).ToArray(),
            Backups = root.Objects("backups").Select(b => BindBackup(b) with { Destination = Rooted(b.String("destination"))! }).ToArray(),
            Watch = watch is null ? null : BindWatch(watch),
            Checklist = root.Object("checklist") is { } checklist ? BindChecklist(checklist) : null,
            Notifications = root.Objects("notifications").Select(BindNotification).ToArray(),
        };
    }

    private static NotificationDefinition BindNotification(PlanObject n)
    {
        var defaults = new NotificationDefinition { Name = "", Url = "" };
        return new NotificationDefinition
        {
            Name = n.String("name")!,
            Type = n.StringOr("type", "webhook"),
            Url = n.String("url")!,
            Format = n.String("format") switch
            {
                "slack" => NotificationFormat.Slack,
                "teams" => NotificationFormat.Teams,
                _ => NotificationFormat.Json,
            },
            On = n.ContainsKey("on") ? n.Strings("on") : defaults.On,
            Headers = n.StringMap("headers"),
            Timeout = n.Duration("timeout") ?? defaults.Timeout,
            Retries = n.Int("retries") ?? defaults.Retries,
            Location = n.Location,
        };
    }

    private static ChecklistDefinition BindChecklist(PlanObject c) => new()
    {
        Files = c.Strings("files"),
        Roles = c["roles"] is IReadOnlyDictionary<string, object?> roles
            ? roles.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)(kv.Value is IReadOnlyList<object?> list
                ? list.Select(v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? "").ToArray()
                : Array.Empty<string>()), StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, IReadOnlyList<string>>(),
        Trust = c.Strings("trust"),
        Items = c.Objects("items").Select(BindChecklistItem).ToArray(),
        Location = c.Location,
    };

    internal static readonly (string Key, ChecklistBindingKind Kind)[] ChecklistTargets =
    {
        ("gate", ChecklistBindingKind.Gate), ("step", ChecklistBindingKind.Step), ("backup", ChecklistBindingKind.Backup),
        ("watch", ChecklistBindingKind.Watch), ("attest", ChecklistBindingKind.Attest), ("not_applicable", ChecklistBindingKind.NotApplicable),
    };

    private static ChecklistBindingDefinition BindChecklistItem(PlanObject b)
    {
        // PlanRules has made sure exactly one target key is given.
        var (key, kind) = ChecklistTargets.First(t => b.ContainsKey(t.Key));
        return new ChecklistBindingDefinition
        {
            Id = b.String("id"),
            Match = b.String("match"),
            Kind = kind,
            Target = b.String(key)!,
            Service = b.String("service"),
            Stage = b.String("stage") == "post-deploy" ? GateStage.PostDeploy : GateStage.PreDeploy,
            Location = b.Location,
        };
    }

    internal static SecretSource BindSecret(string name, PlanObject source, Func<string?, string?> rooted) =>
        source.String("env") is { } env ? new EnvironmentSecretSource(name, env)
        : source.String("file") is { } file ? new FileSecretSource(name, rooted(file)!)
        : new DockerSecretSource(name, source.String("docker")!);

    private static ConnectionDefinition? BindConnection(PlanObject? c) => c is null
        ? null
        : new ConnectionDefinition
        {
            Host = c.String("host")!,
            Port = c.Int("port"),
            Database = c.String("database"),
            Username = c.String("username"),
            Password = c.String("password"),
            SslMode = c.String("ssl_mode"),
        };

    private static ServiceDefinition BindService(PlanObject s)
    {
        var strategy = s.Object("strategy");
        var defaults = new StrategyDefinition();
        var migration = s.Object("migration");
        return new ServiceDefinition
        {
            Name = s.String("name")!,
            Image = s.String("image")!,
            Target = s.String("target") == "swarm" ? ServiceTarget.Swarm : ServiceTarget.Container,
            Replicas = s.Int("replicas") ?? 1,
            ContainerPort = s.Int("port"),
            HostPorts = s.Ints("host_ports"),
            Env = s.StringMap("env"),
            Secrets = s.Strings("secrets"),
            Networks = s.Strings("networks"),
            Labels = s.StringMap("labels"),
            Command = s.ContainsKey("command") ? s.Strings("command") : null,
            User = s.String("user"),
            ReadOnlyRootFilesystem = s.Bool("read_only") ?? false,
            MemoryLimit = s.Long("memory"),
            CpuLimit = s.Number("cpus"),
            MemoryReservation = s.Long("memory_reservation"),
            CpuReservation = s.Number("cpus_reservation"),
            CapDrop = s.Strings("cap_drop"),
            CapAdd = s.Strings("cap_add"),
            Healthcheck = s.Object("healthcheck") is { } hc
                ? new HealthcheckDefinition
                {
                    // A single string is a shell command, as in a compose file.
                    Test = hc.Strings("test") is [var only] && only != "NONE" ? new[] { "CMD-SHELL", only } : hc.Strings("test"),
                    Interval = hc.Duration("interval"),
                    Timeout = hc.Duration("timeout"),
                    Retries = hc.Int("retries"),
                    StartPeriod = hc.Duration("start_period"),
                }
                : null,
            Restart = s.String("restart"),
            Logging = s.Object("logging") is { } logging
                ? new LoggingDefinition { Driver = logging.String("driver")!, Options = logging.StringMap("options") }
                : null,
            Strategy = strategy is null
                ? defaults
                : new StrategyDefinition
                {
                    Type = strategy.String("type") switch
                    {
                        "recreate" => DeploymentStrategyType.Recreate,
                        "blue-green" => DeploymentStrategyType.BlueGreen,
                        "canary" => DeploymentStrategyType.Canary,
                        _ => DeploymentStrategyType.Rolling,
                    },
                    BatchSize = strategy.Int("batch_size") ?? defaults.BatchSize,
                    Order = strategy.String("order") == "stop-first" ? UpdateOrder.StopFirst : UpdateOrder.StartFirst,
                    MaxUnavailable = strategy.Int("max_unavailable") ?? defaults.MaxUnavailable,
                    Drain = strategy.Duration("drain") ?? defaults.Drain,
                    Standby = strategy.Duration("standby") ?? defaults.Standby,
                    Steps = strategy.ContainsKey("steps") ? strategy.Ints("steps") : defaults.Steps,
                    Pause = strategy.Duration("pause") ?? defaults.Pause,
                    HealthTimeout = strategy.Duration("health_timeout") ?? defaults.HealthTimeout,
                    StopGracePeriod = strategy.Duration("stop_grace_period") ?? defaults.StopGracePeriod,
                    Analysis = strategy.Object("analysis") is { } analysis ? BindAnalysis(analysis) : null,
                },
            Health = s.Objects("health").Select(BindProbe).ToArray(),
            Smoke = s.Objects("smoke").Select(BindSmoke).ToArray(),
            Migration = migration is null
                ? null
                : new MigrationDefinition
                {
                    Command = migration.Strings("command"),
                    Image = migration.String("image"),
                    Timeout = migration.Duration("timeout") ?? new MigrationDefinition { Command = Array.Empty<string>() }.Timeout,
                    Env = migration.StringMap("env"),
                },
            Location = s.Location,
        };
    }

    /// <summary>A bind mount's relative host path means a path beside the plan (a named volume has no slash and no leading dot).</summary>
    internal static string RootedVolume(string volume, string? baseDirectory)
    {
        var colon = volume.IndexOf(':');
        if (colon <= 0 || baseDirectory is null) return volume;
        var source = volume[..colon];
        return source.StartsWith('.') ? Path.GetFullPath(source, baseDirectory) + volume[colon..] : volume;
    }

    private static readonly string[] AnalysisKeys = { "canary", "stable", "step", "metrics" };

    private static CanaryAnalysisDefinition BindAnalysis(PlanObject a) => new()
    {
        Prometheus = new GateSettings(a.Where(kv => !AnalysisKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value)),
        Canary = a.String("canary")!,
        Stable = a.String("stable")!,
        Step = a.Duration("step"),
        Metrics = a.Objects("metrics").Select(m => new CanaryMetricDefinition
        {
            Name = m.String("name")!,
            Query = m.String("query")!,
            Direction = m.StringOr("direction", "higher-is-worse"),
            Tolerance = m.Number("tolerance"),
            Critical = m.Bool("critical") ?? false,
        }).ToArray(),
        Location = a.Location,
    };

    internal static ProbeDefinition BindProbe(PlanObject p)
    {
        var defaults = new ProbeDefinition { Name = "" };
        return new ProbeDefinition
        {
            Name = p.String("name")!,
            Type = ProbeTypes.TryParse(p.String("type"), out var type) ? type : ProbeType.Http,
            Url = p.String("url"),
            Host = p.String("host"),
            Port = p.Int("port"),
            Container = p.String("container"),
            Interval = p.Duration("interval"),
            Timeout = p.Duration("timeout") ?? defaults.Timeout,
            Expect = p.Strings("expect"),
            Headers = p.StringMap("headers"),
            Settings = new GateSettings(p.Where(kv => !CommonProbeKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value)),
            Location = p.Location,
        };
    }

    /// <summary>The keys every probe has; the rest are its type's settings.</summary>
    private static readonly HashSet<string> CommonProbeKeys = PlanSchema.WatchProbe.Common.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

    private static SmokeCheckDefinition BindSmoke(PlanObject s)
    {
        var defaults = new SmokeCheckDefinition { Name = "", Url = "" };
        return new SmokeCheckDefinition
        {
            Name = s.String("name")!,
            Method = s.StringOr("method", defaults.Method),
            Url = s.String("url")!,
            Body = s.String("body"),
            Headers = s.StringMap("headers"),
            Expect = s.ContainsKey("expect") ? s.Strings("expect") : defaults.Expect,
            Timeout = s.Duration("timeout") ?? defaults.Timeout,
        };
    }

    private static readonly HashSet<string> CommonGateKeys = new(StringComparer.Ordinal)
    {
        "name", "type", "category", "severity", "stage", "timeout", "within", "tags", "expect",
    };

    private static GateDefinition BindGate(PlanObject g) => new()
    {
        Name = g.String("name")!,
        Type = g.String("type")!,
        Category = g.String("category") ?? GateTypeCatalog.Find(g.String("type")!)?.DefaultCategory,
        Severity = ParseSeverity(g.String("severity")) ?? GateSeverity.High,
        Stage = g.String("stage") switch
        {
            "post-deploy" => GateStage.PostDeploy,
            "manual" => GateStage.Manual,
            _ => GateStage.PreDeploy,
        },
        Timeout = g.Duration("timeout"),
        Within = g.Duration("within"),
        Tags = g.Strings("tags"),
        Expect = g.Strings("expect"),
        Settings = new GateSettings(g.Where(kv => !CommonGateKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value)),
        Location = g.Location,
    };

    private static BackupDefinition BindBackup(PlanObject b)
    {
        var retention = b.Object("retention");
        return new BackupDefinition
        {
            Name = b.String("name")!,
            Type = b.String("type") == "redis" ? BackupSourceType.Redis : BackupSourceType.Postgres,
            Connection = BindConnection(b.Object("connection"))!,
            Destination = b.String("destination")!,
            Format = b.StringOr("format", "custom"),
            Jobs = b.Int("jobs") ?? 1,
            BeforeDeploy = b.Bool("before_deploy") ?? true,
            Verify = b.Bool("verify") ?? false,
            EncryptionKey = b.String("encryption_key"),
            Retention = new RetentionDefinition { Count = retention?.Int("count"), MaxAge = retention?.Duration("max_age") },
            Location = b.Location,
        };
    }

    private static WatchDefinition BindWatch(PlanObject w)
    {
        var defaults = new WatchDefinition();
        return new WatchDefinition
        {
            Duration = w.Duration("duration") ?? defaults.Duration,
            Interval = w.Duration("interval") ?? defaults.Interval,
            Probes = w.Objects("probes").Select(BindProbe).ToArray(),
            Criteria = w.Objects("criteria").Select(c => new CriterionDefinition
            {
                Name = c.String("name")!,
                Expect = c.String("expect")!,
                Probe = c.String("probe"),
                Window = c.Duration("window") ?? TimeSpan.FromMinutes(5),
                For = c.Duration("for"),
                Severity = ParseSeverity(c.String("severity")) ?? GateSeverity.Critical,
                Location = c.Location,
            }).ToArray(),
            RollbackOnBreach = w.Bool("rollback_on_breach") ?? false,
            AfterDeploy = w.Bool("after_deploy") ?? false,
        };
    }

    private static GateSeverity? ParseSeverity(string? text) =>
        text is null ? null : Enum.Parse<GateSeverity>(text, ignoreCase: true);
}
