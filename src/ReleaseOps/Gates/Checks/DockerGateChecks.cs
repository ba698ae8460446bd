using System.Globalization;
using Docker.DotNet.Models;
using ReleaseOps.Conditions;
using ReleaseOps.Docker;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Gates.Checks;

/// <summary>What the Docker checks share: a client for the plan's engine with the gate's time limits, and container selection.</summary>
internal static class DockerGateAccess
{
    public static DockerEngine Client(GateCheckContext context) =>
        new(context.Environment.Docker.Resolve(), new DockerClientOptions
        {
            RequestTimeout = context.Timeout,
            ConnectTimeout = context.Timeout,
            Redactor = context.Redactor,
        });

    /// <summary>The application, environment and service of a container a ReleaseOps deployment created (its org.releaseops.* labels), or null.</summary>
    private static string? ReleaseOpsService(ContainerListResponse c) =>
        c.Labels is { } labels && labels.TryGetValue("org.releaseops.service", out var service)
            ? $"{(labels.TryGetValue("org.releaseops.application", out var a) ? a : "")}/{(labels.TryGetValue("org.releaseops.environment", out var e) ? e : "")}/{service}"
            : null;

    /// <summary>Containers chosen by the gate's <c>container</c> (exact, or a prefix ending in *) and/or <c>label</c> (key=value).</summary>
    public static async Task<IReadOnlyList<ContainerListResponse>> SelectAsync(GateCheckContext context, DockerEngine docker, GateObservation observation,
        CancellationToken cancellation)
    {
        var name = context.Settings.GetString("container");
        var label = context.Settings.GetString("label");
        if (name is null && label is null)
        {
            throw context.Missing("container", "Add container: web (a container name, or a prefix such as medianest-*) or label: com.example.app=web.");
        }
        var labels = new Dictionary<string, string?>();
        if (label is not null)
        {
            var eq = label.IndexOf('=');
            labels[eq < 0 ? label : label[..eq]] = eq < 0 ? null : label[(eq + 1)..];
        }
        var prefix = name is not null && name.EndsWith('*');
        var stem = name?.TrimEnd('*');
        var all = await docker.ListContainersAsync(labels, stem, cancellation: cancellation).ConfigureAwait(false);
        var matching = all.Where(c => stem is null || (prefix ? c.ShortName().StartsWith(stem, StringComparison.Ordinal) : c.ShortName() == stem))
            .OrderBy(c => c.ShortName(), StringComparer.Ordinal).ToArray();
        // A deployment keeps the previous color stopped for an instant switch-back: it is not a container that should run,
        // so it is not counted while another instance of the same ReleaseOps service runs.
        var live = all.Where(c => c.State == "running").Select(ReleaseOpsService).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var kept = matching.Where(c => c.State != "running" && ReleaseOpsService(c) is { } service && live.Contains(service)).ToArray();
        var chosen = matching.Except(kept).ToArray();
        observation.Target = name ?? label;
        observation.Evidence["containers"] = chosen.Select(c => c.ShortName()).ToArray();
        if (kept.Length > 0)
        {
            observation.Evidence["stopped_earlier_versions"] = kept.Select(c => c.ShortName()).ToArray();
        }
        return chosen;
    }
}

/// <summary><c>docker-container</c>: the selected containers exist (min_count), run, and are healthy where they have a healthcheck.</summary>
internal sealed class DockerContainerGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "docker-container" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        using var docker = DockerGateAccess.Client(context);
        var containers = await DockerGateAccess.SelectAsync(context, docker, observation, cancellation).ConfigureAwait(false);
        var minCount = context.Settings.GetInteger("min_count") ?? 1;
        var requireHealthy = context.Settings.GetBoolean("require_healthy") ?? true;
        var running = 0;
        var healthy = 0;
        var problems = new List<string>();
        foreach (var summary in containers)
        {
            var details = await docker.InspectContainerAsync(summary.ID, cancellation).ConfigureAwait(false);
            if (!details.IsRunning())
            {
                problems.Add($"{summary.ShortName()} is {details.State?.Status}" + (details.State?.ExitCode is { } code and not 0 ? $" (exit {code})" : ""));
                continue;
            }
            running++;
            var health = details.HealthStatus();
            if (health is ContainerHealth.Healthy or ContainerHealth.None)
            {
                healthy++;
            }
            else if (requireHealthy)
            {
                problems.Add($"{summary.ShortName()} is {health}");
            }
        }
        observation.Measure("count", containers.Count);
        observation.Measure("running", running);
        observation.Measure("healthy", healthy);
        observation.Rule("count", containers.Count >= minCount, containers.Count >= minCount
            ? $"{containers.Count} container(s)"
            : $"{containers.Count} container(s) match {observation.Target}, expected at least {minCount}");
        observation.Rule("running", problems.Count == 0, problems.Count == 0 ? $"{running} running" + (requireHealthy ? $", {healthy} healthy or without healthcheck" : "") : string.Join("; ", problems));
        observation.Fix = "Start the containers (docker compose up -d) and look at docker logs / docker inspect for failing healthchecks.";
    }
}

/// <summary><c>docker-service</c>: a Swarm service has at least min_replicas (default: its desired count) tasks running.</summary>
internal sealed class DockerServiceGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "docker-service" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var name = context.Require("service");
        observation.Target = name;
        using var docker = DockerGateAccess.Client(context);
        var service = await docker.TryInspectServiceAsync(name, cancellation).ConfigureAwait(false);
        if (service is null)
        {
            observation.Rule("exists", false, $"service {name} does not exist");
            return;
        }
        var tasks = await docker.ListTasksAsync(name, "running", cancellation).ConfigureAwait(false);
        var running = tasks.Count(t => t.Status?.State == TaskState.Running);
        var replicas = service.Replicas();
        var wanted = context.Settings.GetInteger("min_replicas") ?? replicas ?? 1;
        observation.Measure("running", running);
        observation.Measure("replicas", replicas);
        observation.Measure("image", service.Image());
        observation.Rule("replicas", running >= wanted, running >= wanted ? $"{running}/{replicas?.ToString(CultureInfo.InvariantCulture) ?? "global"} tasks running" : $"{running} task(s) running, expected {wanted}");
        observation.Fix = $"Inspect the service's tasks: docker service ps {name} --no-trunc.";
    }
}

/// <summary>
/// <c>docker-secrets</c>: expected secrets exist, by name, or by a prefix or label with a count ("docker secret ls |
/// grep medianest | wc -l  # 9"); none of them was created longer ago than <c>max_age</c> (Docker secrets cannot
/// change, so rotating one means creating it anew); each service under <c>services</c> references the secrets it
/// needs, and with <c>require_used</c> every selected secret is referenced by some service. Docker never returns a
/// secret's value, so none can be reported.
/// </summary>
internal sealed class DockerSecretsGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "docker-secrets" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var settings = context.Settings;
        var names = settings.GetStrings("names");
        var prefix = settings.GetString("prefix");
        var label = settings.GetString("label");
        var needs = settings["services"] is IReadOnlyDictionary<string, object?> map
            ? map.ToDictionary(kv => kv.Key, kv => new GateSettings(map).GetStrings(kv.Key), StringComparer.Ordinal)
            : new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (names.Count == 0 && prefix is null && label is null && needs.Count == 0)
        {
            throw context.Missing("names", "Add names: [db_password, jwt_secret], or prefix: medianest_ (or label: app=medianest) with count: 9.");
        }
        using var docker = DockerGateAccess.Client(context);
        var secrets = (await docker.ListSecretsAsync(cancellation).ConfigureAwait(false))
            .Where(s => s.Spec?.Name is not null).ToDictionary(s => s.Spec!.Name!, StringComparer.Ordinal);
        observation.Target = string.Join(", ", names.Concat(new[] { prefix is null ? null : prefix + "*", label is null ? null : "label " + label }.OfType<string>()))
            is { Length: > 0 } target ? target : "secrets used by " + string.Join(", ", needs.Keys);
        foreach (var name in names)
        {
            observation.Rule("secret:" + name, secrets.ContainsKey(name), secrets.ContainsKey(name) ? $"{name} exists" : $"secret {name} is missing");
        }
        var selected = names.Where(secrets.ContainsKey).ToList();
        if (prefix is not null || label is not null)
        {
            var matching = secrets.Where(s => (prefix is null || s.Key.StartsWith(prefix, StringComparison.Ordinal)) && HasLabel(s.Value.Spec?.Labels, label))
                .Select(s => s.Key).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            selected.AddRange(matching.Except(selected));
            observation.Measure("count", matching.Length);
            observation.Evidence["secrets"] = matching;
            var count = settings.GetInteger("count");
            var what = prefix is null ? $"carry the label {label}" : label is null ? $"start with {prefix}" : $"start with {prefix} and carry the label {label}";
            observation.Rule("count", count is null ? matching.Length > 0 : matching.Length == count,
                $"{matching.Length} secret(s) {what}" + (count is null || matching.Length == count ? "" : $", expected {count}"));
        }
        if (settings.GetDuration("max_age") is { } maxAge)
        {
            var now = context.Clock.GetUtcNow();
            var ages = selected.Select(n => (Name: n, Age: secrets[n].CreatedAt is { } created ? now - new DateTimeOffset(created.ToUniversalTime(), TimeSpan.Zero) : TimeSpan.Zero))
                .OrderByDescending(a => a.Age).ToArray();
            observation.Measure("oldest_age", ages.Length == 0 ? TimeSpan.Zero : ToMinute(ages[0].Age));
            var due = ages.Where(a => a.Age > maxAge).ToArray();
            observation.Rule("rotation", due.Length == 0, due.Length == 0
                ? $"no secret is older than {DurationText.Format(maxAge)}" + (ages.Length == 0 ? "" : $" (oldest: {ages[0].Name}, {DurationText.Format(ToMinute(ages[0].Age))})")
                : "rotation due: " + string.Join(", ", due.Select(d => $"{d.Name} is {DurationText.Format(ToMinute(d.Age))} old")) + $" (max {DurationText.Format(maxAge)})");
        }
        if (needs.Count > 0 || settings.GetBoolean("require_used") == true)
        {
            var services = (await docker.ListServicesAsync(cancellation).ConfigureAwait(false))
                .ToDictionary(s => s.Spec?.Name ?? s.ID, s => (s.Spec?.TaskTemplate?.ContainerSpec?.Secrets ?? []).Select(r => r.SecretName).ToHashSet(StringComparer.Ordinal),
                    StringComparer.Ordinal);
            foreach (var (service, needed) in needs)
            {
                if (!services.TryGetValue(service, out var mounted))
                {
                    observation.Rule("service:" + service, false, $"service {service} does not exist");
                    continue;
                }
                var missing = needed.Where(n => !mounted.Contains(n)).ToArray();
                observation.Rule("service:" + service, missing.Length == 0, missing.Length == 0
                    ? $"{service} references {string.Join(", ", needed)}" : $"{service} does not reference {string.Join(", ", missing)}");
            }
            if (settings.GetBoolean("require_used") == true)
            {
                var unused = selected.Where(n => !services.Values.Any(m => m.Contains(n))).ToArray();
                observation.Rule("used", unused.Length == 0, unused.Length == 0
                    ? $"every selected secret is used by a service" : "no service references " + string.Join(", ", unused));
            }
        }
        observation.Fix = "Create the missing secrets (printf '%s' \"$VALUE\" | docker secret create NAME -), rotate old ones " +
                          "(create NAME_v2, point the services at it, remove the old one), and add the secrets to the services that need them.";
    }

    private static bool HasLabel(IDictionary<string, string>? labels, string? label)
    {
        if (label is null)
        {
            return true;
        }
        var eq = label.IndexOf('=');
        var key = eq < 0 ? label : label[..eq];
        return labels is not null && labels.TryGetValue(key, out var value) && (eq < 0 || value == label[(eq + 1)..]);
    }

    /// <summary>Ages to the minute, for messages that read well.</summary>
    private static TimeSpan ToMinute(TimeSpan age) => TimeSpan.FromMinutes(Math.Floor(age.TotalMinutes));
}

/// <summary>
/// <c>docker-hardening</c>: each selected container runs as non-root (uid 0 written as "0" included),
/// is not privileged, drops capabilities to an allow-list, has a read-only root filesystem,
/// memory and CPU limits and a healthcheck, no host network/PID, and publishes no database port.
/// </summary>
internal sealed class DockerHardeningGateCheck : IGateCheck
{
    private static readonly string[] AllRules =
    {
        "non-root", "not-privileged", "capabilities", "read-only-rootfs", "memory-limit", "cpu-limit", "healthcheck",
        "no-host-network", "no-host-pid", "no-published-db-ports",
    };

    public IReadOnlyList<string> Types { get; } = new[] { "docker-hardening" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var rules = context.Settings.GetStrings("rules") is { Count: > 0 } chosen ? chosen : AllRules;
        var allowed = context.Settings.GetStrings("allowed_capabilities").Select(Capability).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var dbPorts = context.Settings.GetStrings("database_ports") is { Count: > 0 } ports
            ? ports.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToHashSet()
            : new HashSet<int> { 5432, 3306, 6379, 27017 };
        using var docker = DockerGateAccess.Client(context);
        var containers = await DockerGateAccess.SelectAsync(context, docker, observation, cancellation).ConfigureAwait(false);
        observation.Rule("containers", containers.Count > 0, containers.Count > 0 ? $"{containers.Count} container(s)" : $"no container matches {observation.Target}");
        var violations = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var summary in containers)
        {
            var c = await docker.InspectContainerAsync(summary.ID, cancellation).ConfigureAwait(false);
            var config = c.Config ?? new ContainerConfig();
            var host = c.HostConfig ?? new HostConfig();
            var found = new List<string>();
            foreach (var rule in rules)
            {
                var problem = rule switch
                {
                    "non-root" => IsRoot(config.User ?? "") ? $"runs as root (user '{config.User}')" : null,
                    "not-privileged" => host.Privileged ? "is privileged" : null,
                    "capabilities" => Capabilities(host, allowed),
                    "read-only-rootfs" => host.ReadonlyRootfs ? null : "has a writable root filesystem",
                    "memory-limit" => host.Memory > 0 ? null : "has no memory limit",
                    "cpu-limit" => host.NanoCPUs > 0 ? null : "has no CPU limit",
                    "healthcheck" => HasHealthcheck(config.Healthcheck) ? null : "has no healthcheck",
                    "no-host-network" => host.NetworkMode == "host" ? "uses the host network" : null,
                    "no-host-pid" => host.PidMode == "host" ? "shares the host PID namespace" : null,
                    "no-published-db-ports" => PublishedDatabasePorts(c, dbPorts),
                    _ => throw context.Invalid("rules", $"'{rule}' is not a hardening rule.", "Use: " + string.Join(", ", AllRules) + "."),
                };
                if (problem is not null)
                {
                    found.Add(problem);
                    observation.Rule($"{summary.ShortName()}:{rule}", false, $"{summary.ShortName()} {problem}");
                }
            }
            violations[summary.ShortName()] = found.ToArray();
        }
        observation.Evidence["violations"] = violations.ToDictionary(kv => kv.Key, kv => kv.Value.Length == 0 ? "none" : string.Join("; ", kv.Value));
        observation.Measure("violations", violations.Values.Sum(v => v.Length));
        observation.Summary = $"{containers.Count} container(s) meet {rules.Count} hardening rule(s)";
        observation.Fix = "Set user:, read_only: true, cap_drop: [ALL], deploy.resources.limits, a healthcheck, and publish database ports only on internal networks.";
    }

    /// <summary>True for an empty user (the image default, root), root, uid 0, and 0:gid forms.</summary>
    internal static bool IsRoot(string user)
    {
        var name = user.Split(':')[0].Trim();
        return name.Length == 0 || name == "root" || (int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var uid) && uid == 0);
    }

    private static string Capability(string name) => name.StartsWith("CAP_", StringComparison.OrdinalIgnoreCase) ? name[4..] : name;

    /// <summary>A healthcheck that runs something: not absent, not <c>NONE</c>.</summary>
    internal static bool HasHealthcheck(HealthcheckConfig? healthcheck) => healthcheck?.Test is { Count: > 0 } test && test[0] != "NONE";

    private static string? Capabilities(HostConfig host, HashSet<string> allowed)
    {
        var dropsAll = (host.CapDrop ?? []).Any(c => Capability(c).Equals("ALL", StringComparison.OrdinalIgnoreCase));
        var extra = (host.CapAdd ?? []).Select(Capability).Where(c => !allowed.Contains(c)).ToArray();
        if (!dropsAll)
        {
            return "does not drop all capabilities (cap_drop: [ALL])";
        }
        return extra.Length == 0 ? null : "adds capabilities outside the allow-list: " + string.Join(", ", extra);
    }

    private static string? PublishedDatabasePorts(ContainerInspectResponse c, HashSet<int> dbPorts)
    {
        var published = (c.NetworkSettings?.Ports ?? new Dictionary<string, IList<PortBinding>>())
            .Concat(c.HostConfig?.PortBindings ?? new Dictionary<string, IList<PortBinding>>())
            .Where(p => p.Value is { Count: > 0 })
            .Select(p => int.TryParse(p.Key.Split('/')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) ? port : 0)
            .Where(dbPorts.Contains).Distinct().OrderBy(p => p).ToArray();
        return published.Length == 0 ? null : "publishes database port(s) " + string.Join(", ", published);
    }
}

/// <summary><c>docker-image</c>: an image exists locally and is smaller than max_size (the seeds: &lt; 300 MB backend).</summary>
internal sealed class DockerImageGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "docker-image" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var image = context.Require("image");
        observation.Target = image;
        using var docker = DockerGateAccess.Client(context);
        var details = await docker.TryInspectImageAsync(image, cancellation).ConfigureAwait(false);
        if (details is null)
        {
            observation.Rule("exists", false, $"image {image} is not present on the engine");
            observation.Fix = "Build or pull the image first.";
            return;
        }
        observation.Measure("size", ConditionValue.Size(details.Size));
        observation.Measure("user", details.Config?.User ?? "");
        observation.Measure("has_healthcheck", DockerHardeningGateCheck.HasHealthcheck(details.Config?.Healthcheck));
        observation.Evidence["id"] = details.ID;
        if (context.Settings.GetString("max_size") is { } max)
        {
            observation.Condition($"size <= {max.Replace(" ", "")}");
        }
        observation.Summary = $"{image} is {ConditionValue.FormatSize(details.Size)}";
        observation.Fix = "Shrink the image: multi-stage build, a slim base, no build tools or caches in the final stage.";
    }
}

/// <summary><c>docker-swarm</c>: the engine is an active swarm member.</summary>
internal sealed class DockerSwarmGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "docker-swarm" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        using var docker = DockerGateAccess.Client(context);
        var info = await docker.GetSystemInfoAsync(cancellation).ConfigureAwait(false);
        var swarm = info.Swarm ?? new Info();
        var active = swarm.LocalNodeState == "active";
        observation.Target = info.Name;
        observation.Measure("swarm_state", swarm.LocalNodeState);
        observation.Measure("managers", swarm.Managers ?? 0);
        observation.Measure("nodes", swarm.Nodes ?? 0);
        observation.Rule("swarm", active, active
            ? $"swarm active ({swarm.Nodes ?? 0} node(s), {swarm.Managers ?? 0} manager(s))"
            : $"swarm is {swarm.LocalNodeState}");
        observation.Fix = "Initialise the swarm: docker swarm init --advertise-addr ADDRESS.";
    }
}

/// <summary><c>docker-network</c>: a network exists and is (or is not) internal.</summary>
internal sealed class DockerNetworkGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "docker-network" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var name = context.Require("network");
        observation.Target = name;
        using var docker = DockerGateAccess.Client(context);
        var network = await docker.TryInspectNetworkAsync(name, cancellation).ConfigureAwait(false);
        if (network is null)
        {
            observation.Rule("exists", false, $"network {name} does not exist");
            return;
        }
        observation.Measure("internal", network.Internal);
        observation.Measure("driver", network.Driver);
        observation.Measure("containers", network.Containers?.Count ?? 0);
        if (context.Settings.GetBoolean("internal") is { } wantInternal)
        {
            observation.Rule("internal", network.Internal == wantInternal,
                network.Internal == wantInternal ? $"{name} is {(network.Internal ? "internal" : "not internal")}"
                    : $"{name} is {(network.Internal ? "internal" : "not internal")}, expected {(wantInternal ? "internal" : "not internal")}");
            observation.Fix = $"Recreate the network with internal: {wantInternal.ToString().ToLowerInvariant()} (docker network create --internal ...).";
        }
        observation.Summary ??= $"{name} ({network.Driver}{(network.Internal ? ", internal" : "")})";
    }
}
