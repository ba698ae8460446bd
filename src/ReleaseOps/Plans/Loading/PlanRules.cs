namespace ReleaseOps.Plans.Loading;

/// <summary>Rules that span several keys, checked after the schema walk.</summary>
internal static class PlanRules
{
    public static void Check(PlanObject root, string file, List<PlanDiagnostic> diagnostics)
    {
        void Error(SourceLocation at, string path, string code, string message) =>
            diagnostics.Add(new PlanDiagnostic(file, at.Line, at.Column, DiagnosticSeverity.Error, code, message) { Path = path });

        if (root["secrets"] is IReadOnlyDictionary<string, object?> secrets)
        {
            foreach (var (name, value) in secrets)
            {
                if (value is PlanObject source)
                {
                    var given = new[] { "env", "file", "docker" }.Count(source.ContainsKey);
                    if (given != 1)
                    {
                        Error(source.Location, $"secrets.{name}", "SecretSource",
                            $"secret '{name}' needs exactly one source: env, file or docker");
                    }
                }
            }
        }

        CheckChecklist(root, Error);
        CheckBaselines(root, Error);
        CheckWatchProbes(root, Error);

        var services = root.Objects("services");
        if (root["networks"] is IReadOnlyDictionary<string, object?> networks)
        {
            var joined = services.Where(s => s.String("target") == "swarm").SelectMany(s => s.Strings("networks")).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, value) in networks.Where(n => !joined.Contains(n.Key)))
            {
                Error((value as PlanObject)?.Location ?? root.Location, $"networks.{name}", "NetworkUnused",
                    $"network '{name}' is joined by no target: swarm service; the networks: section creates Swarm overlay networks only " +
                    "(standalone containers join existing networks named in their own networks:): remove it or add it to a Swarm service's networks");
            }
        }
        for (var i = 0; i < services.Count; i++)
        {
            var service = services[i];
            if (service.ContainsKey("secrets") && service.String("target") != "swarm")
            {
                Error(service.Location, $"services[{i}].secrets", "ContainerSecrets",
                    "Docker secrets are mounted by Swarm only; a service with target: container (the default) cannot receive them. " +
                    "Give the container the secret in its environment instead: env: { DB_PASSWORD: ${secret:db_password} } " +
                    "(declared under secrets:, read when the container is created, never written to the plan, the journal or output), or use target: swarm");
            }
            if (service.String("target") == "swarm")
            {
                foreach (var key in ContainerOnlyKeys.Where(service.ContainsKey))
                {
                    Error(service.Location, $"services[{i}].{key}", "ContainerOnlyKey",
                        $"'{key}' is applied to the containers ReleaseOps creates (target: container); the Swarm rollout does not set it on a service, " +
                        "so with target: swarm it would do nothing. Set it in the image or on the service outside ReleaseOps, or deploy with target: container");
                }
            }
            var strategy = service.Object("strategy");
            var type = strategy?.String("type");
            var path = $"services[{i}].strategy";
            if (type is "blue-green" or "canary" && root.Object("proxy") is null
                && service.String("target") != "swarm")
            {
                Error(strategy!.Location, path, "ProxyRequired",
                    $"the {type} strategy switches traffic at a reverse proxy; add a 'proxy:' section (nginx upstream_file)");
            }
            CheckSwarm(root, service, i, Error);
            if (strategy?.ContainsKey("standby") == true && type != "blue-green")
            {
                Error(strategy.Location, path + ".standby", "StandbyWithoutBlueGreen",
                    $"standby keeps the old color of a blue-green release running for an instant switch-back; the strategy is {type}, which has no old color to keep");
            }
            if (strategy?.Object("analysis") is { } analysis)
            {
                if (type != "canary")
                {
                    Error(analysis.Location, path + ".analysis", "AnalysisWithoutCanary",
                        $"analysis compares a canary with the stable version between canary steps; the strategy is {type}");
                }
                var metrics = analysis.Objects("metrics");
                for (var m = 0; m < metrics.Count; m++)
                {
                    if (metrics[m].String("query") is { } query && !query.Contains("$selector", StringComparison.Ordinal))
                    {
                        Error(metrics[m].Location, $"{path}.analysis.metrics[{m}].query", "CanaryQuerySelector",
                            "the query must say $selector where the canary's and the stable version's label matchers go, " +
                            "for example sum(rate(http_requests_total{code=~\"5..\",$selector}[1m])); without it both sides would be the same series");
                    }
                    if (metrics[m].String("name") is "latency_ms" or "error")
                    {
                        Error(metrics[m].Location, $"{path}.analysis.metrics[{m}].name", "CanaryMetricName",
                            "latency_ms and error are the names of the figures the canary's HTTP samples give; name the query otherwise");
                    }
                }
            }
            if (type == "canary" && strategy!.ContainsKey("steps"))
            {
                var steps = strategy.Ints("steps");
                if (steps.Count == 0 || steps[^1] != 100 || steps.Zip(steps.Skip(1)).Any(p => p.Second <= p.First))
                {
                    Error(strategy.Location, path + ".steps", "CanarySteps",
                        "canary steps must rise and end at 100, for example [10, 50, 100]");
                }
            }
        }
    }

    /// <summary>Keys that mean something to one target only, and what a Swarm service cannot do (yet).</summary>
    private static void CheckSwarm(PlanObject root, PlanObject service, int i, Action<SourceLocation, string, string, string> error)
    {
        var path = $"services[{i}]";
        var strategy = service.Object("strategy");
        var type = strategy?.String("type");
        if (service.String("target") != "swarm")
        {
            foreach (var key in new[] { "memory_reservation", "cpus_reservation" }.Where(service.ContainsKey))
            {
                error(service.Location, $"{path}.{key}", "SwarmOnlyKey",
                    $"'{key}' is applied to Swarm services only (target: swarm): the Docker engine reserves nothing for a standalone container; remove it, or use target: swarm");
            }
            return;
        }
        if (type is "blue-green" or "canary")
        {
            error(strategy!.Location, path + ".strategy.type", "SwarmStrategy",
                $"the {type} strategy is not available for target: swarm: Swarm replaces a service's tasks in place and ReleaseOps cannot " +
                "split traffic between two versions of one Swarm service; use type: rolling with order: start-first (Swarm's update_config: " +
                $"new tasks start and turn healthy before old ones stop), or target: container with a proxy: section for {type}");
        }
        foreach (var key in new[] { "drain", "steps", "pause", "analysis", "max_unavailable" }.Where(k => strategy?.ContainsKey(k) == true))
        {
            error(strategy!.Location, $"{path}.strategy.{key}", "SwarmStrategyKey",
                $"'{key}' has no effect on a Swarm service (no proxy, no canary; Swarm's update_config takes batch_size as parallelism, order, " +
                "health_timeout and stop_grace_period): remove it");
        }
        if (!service.ContainsKey("port") && !service.ContainsKey("host_ports")
            && (service.Objects("health").Any(p => p.String("type") is null or "http" or "tcp") || service.Objects("smoke").Count > 0))
        {
            error(service.Location, $"{path}.port", "SwarmProbePort",
                "the health probes and smoke checks of a Swarm service reach its tasks on port: (the port the application listens on inside the container); set it");
        }
        foreach (var volume in service.Strings("volumes"))
        {
            var parts = volume.Split(':');
            if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') || parts.Length == 3 && parts[2] is not ("ro" or "rw"))
            {
                error(service.Location, $"{path}.volumes", "VolumeSyntax",
                    $"volume '{volume}' is not SOURCE:/path[:ro]: a volume name or an absolute host path, then where it is mounted, for example data:/var/lib/app");
            }
        }
    }

    /// <summary>Service keys only the container rollout applies (remove one here when the Swarm rollout sets it on the service spec).</summary>
    internal static readonly string[] ContainerOnlyKeys = { "cap_drop", "cap_add", "restart", "logging" };

    /// <summary>
    /// Criteria that compare with the previous watch (p95_baseline, p95_increase...) need the previous watch's summary, which
    /// is saved beside a file journal only: with a PostgreSQL journal they could never be judged.
    /// </summary>
    private static void CheckBaselines(PlanObject root, Action<SourceLocation, string, string, string> error)
    {
        if (root.Object("journal")?.String("store") != "postgres") return;
        var criteria = root.Object("watch")?.Objects("criteria") ?? Array.Empty<PlanObject>();
        for (var i = 0; i < criteria.Count; i++)
        {
            if (criteria[i].String("expect") is { } expect
                && System.Text.RegularExpressions.Regex.IsMatch(expect, @"\b\w+_(baseline|increase)\b"))
            {
                error(criteria[i].Location, $"watch.criteria[{i}].expect", "BaselineNeedsFileJournal",
                    "this criterion compares with the previous watch's figures (_baseline, _increase), which are kept beside a file journal only; " +
                    "with journal.store: postgres it would stay pending forever. Compare with a fixed limit instead (p95 < 800ms), " +
                    "or compare versions during a canary with strategy.analysis");
            }
        }
    }

    /// <summary>What a watch probe's type needs beyond single keys; and a command probe never carries a secret in its arguments.</summary>
    private static void CheckWatchProbes(PlanObject root, Action<SourceLocation, string, string, string> error)
    {
        var probes = root.Object("watch")?.Objects("probes") ?? Array.Empty<PlanObject>();
        for (var i = 0; i < probes.Count; i++)
        {
            var probe = probes[i];
            var path = $"watch.probes[{i}]";
            switch (probe.String("type"))
            {
                case "command" when probe.Strings("run").Any(SecretCatalog.HasReference):
                    error(probe.Location, path + ".run", "SecretInArguments",
                        "a command's arguments are visible to every user of the machine (ps, /proc); give the secret to the command in env: " +
                        "instead, for example env: { DB_PASSWORD: ${secret:db_password} }");
                    break;
                case "container-logs" when probe.ContainsKey("container") == probe.ContainsKey("service"):
                    error(probe.Location, path, "ProbeLogSource", "a container-logs probe reads one container or one service: give container or service");
                    break;
                case "redis" when !probe.ContainsKey("connection") && !probe.ContainsKey("configuration"):
                    error(probe.Location, path, "ProbeRedisServer", "a redis probe needs connection: (host, port, password) or configuration: (a connection string)");
                    break;
            }
        }
    }

    private static void CheckChecklist(PlanObject root, Action<SourceLocation, string, string, string> error)
    {
        var checklist = root.Object("checklist");
        var roles = checklist?["roles"] as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>();
        var gates = root.Objects("gates");
        for (var i = 0; i < gates.Count; i++)
        {
            if (gates[i].String("type") != "sign-off") continue;
            if (checklist is null)
            {
                error(gates[i].Location, $"gates[{i}]", "SignOffWithoutChecklist",
                    "a sign-off gate checks the attestations a checklist requires; add a 'checklist:' section that binds items with 'attest: ROLE'");
            }
            foreach (var role in gates[i].Strings("roles").Where(r => !roles.Keys.Contains(r, StringComparer.OrdinalIgnoreCase)))
            {
                error(gates[i].Location, $"gates[{i}].roles", "UnknownRole",
                    $"role '{role}' is not declared under checklist.roles{NameSuggestion.Hint(role, roles.Keys)}");
            }
        }
        if (checklist is null) return;

        foreach (var (role, members) in roles)
        {
            if (members is not IReadOnlyList<object?> { Count: > 0 })
            {
                error(checklist.Location, $"checklist.roles.{role}", "RoleWithoutMembers",
                    $"role '{role}' lists nobody; give the e-mail address (or common name) of each person's certificate");
            }
        }
        if (checklist.Objects("items").Any(i => i.ContainsKey("attest")) && checklist.Strings("trust").Count == 0)
        {
            error(checklist.Location, "checklist.trust", "AttestationTrustMissing",
                "items bound with 'attest' need 'trust': the PEM certificates (a team CA, or each signer's certificate) that signers' certificates " +
                "must chain to; without it anyone could make a certificate with a listed name");
        }
        var gateNames = gates.Select(g => g.String("name")).OfType<string>().ToArray();
        var backupNames = root.Objects("backups").Select(b => b.String("name")).OfType<string>().ToArray();
        var criteria = root.Object("watch")?.Objects("criteria").Select(c => c.String("name")).OfType<string>().ToArray() ?? Array.Empty<string>();
        var serviceNames = root.Objects("services").Select(s => s.String("name")).OfType<string>().ToArray();
        var items = checklist.Objects("items");
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var path = $"checklist.items[{i}]";
            if (item.ContainsKey("id") == item.ContainsKey("match"))
            {
                error(item.Location, path, "ChecklistSelector", "a checklist binding names its item(s) with either 'id' or 'match' (one of them)");
            }
            var targets = PlanBinder.ChecklistTargets.Where(t => item.ContainsKey(t.Key)).Select(t => t.Key).ToArray();
            if (targets.Length != 1)
            {
                error(item.Location, path, "ChecklistTarget", targets.Length == 0
                    ? "a checklist binding says what covers the item: one of gate, step, backup, watch, attest or not_applicable"
                    : $"a checklist binding has one target, not {string.Join(" and ", targets)}");
                continue;
            }
            void Unknown(string key, string what, IReadOnlyCollection<string> known) =>
                error(item.Location, $"{path}.{key}", "UnknownReference", known.Count == 0
                    ? $"{key} '{item.String(key)}' does not exist: the plan declares no {what}"
                    : $"{key} '{item.String(key)}' is not one of the plan's {what}{NameSuggestion.Hint(item.String(key)!, known)}");
            switch (targets[0])
            {
                case "gate" when !gateNames.Contains(item.String("gate"), StringComparer.Ordinal):
                    Unknown("gate", "gates", gateNames);
                    break;
                case "backup" when !backupNames.Contains(item.String("backup"), StringComparer.Ordinal):
                    Unknown("backup", "backups", backupNames);
                    break;
                case "watch" when !criteria.Contains(item.String("watch"), StringComparer.Ordinal):
                    Unknown("watch", "watch criteria", criteria);
                    break;
                case "attest" when !roles.Keys.Contains(item.String("attest"), StringComparer.OrdinalIgnoreCase):
                    Unknown("attest", "checklist roles", roles.Keys.ToArray());
                    break;
            }
            if (item.ContainsKey("service") && targets[0] != "step")
            {
                error(item.Location, $"{path}.service", "ChecklistService", "'service' narrows a step binding; it means nothing with " + targets[0]);
            }
            else if (item.String("service") is { } service && !serviceNames.Contains(service, StringComparer.OrdinalIgnoreCase))
            {
                Unknown("service", "services", serviceNames);
            }
            if (item.ContainsKey("stage") && targets[0] != "attest")
            {
                error(item.Location, $"{path}.stage", "ChecklistStage",
                    "'stage' says when an attestation is required; the stage of a " + targets[0] + " is the " + targets[0] + "'s own");
            }
        }
    }
}
