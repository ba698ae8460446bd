using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Journal;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Deploy;

/// <summary>The -WhatIf description of a deployment: the same steps in the same order, each saying what it would do.</summary>
internal static class DeploymentStepPlan
{
    public static IReadOnlyList<DeploymentStep> Describe(ReleasePlan plan, string version, IReadOnlyList<ServiceDefinition> services,
        DeploymentHooks hooks, string journal, bool? watch = null)
    {
        var steps = new List<(string Name, string? Service, string Detail)>
        {
            ("lock", null, $"take the deploy lock of {plan.Application}/{plan.Environment} in {journal}; refuse if held or if a release was interrupted"),
            ("resolve-images", null, "resolve " + string.Join(", ", services.Select(s => s.ImageFor(version))) + " to digests; stop if one is missing"),
            ("gates:pre-deploy", null, Gates(plan, GateStage.PreDeploy, hooks)),
            ("backup", null, hooks.Backup is null ? "skip: no pre-deploy backup hook configured"
                : $"back up {string.Join(", ", plan.Backups.Where(b => b.BeforeDeploy).Select(b => b.Name).DefaultIfEmpty("nothing"))}"),
        };
        foreach (var s in services.Where(s => s.Migration is not null))
        {
            steps.Add(("migration", s.Name, $"run [{string.Join(' ', s.Migration!.Command)}] in {s.Migration.Image ?? s.ImageFor(version)} " +
                $"within {DurationText.Format(s.Migration.Timeout)}; stop if it fails"));
        }
        foreach (var s in services)
        {
            steps.Add(("rollout", s.Name, Rollout(plan, s, version)));
            steps.Add(("verify", s.Name, $"account for all {s.Replicas} instance(s) of {version}, probe {string.Join(", ", s.Health.Select(p => p.Name).DefaultIfEmpty("(no probes)"))} " +
                $"on each{(s.Target == ServiceTarget.Swarm ? SwarmPath(plan, s) : plan.Proxy is null ? "" : ", check the upstream sends traffic to them")}, " +
                $"smoke {string.Join(", ", s.Smoke.Select(c => c.Name).DefaultIfEmpty("(none)"))}; on failure roll back to the previous release"));
        }
        steps.Add(("gates:post-deploy", null, Gates(plan, GateStage.PostDeploy, hooks)));
        if ((watch ?? plan.Watch?.AfterDeploy ?? false) && plan.Watch is { } w)
        {
            steps.Add(("watch", null, hooks.Watch is null ? "skip: no watch hook configured"
                : $"watch the release for {DurationText.Format(w.Duration)} ({w.Probes.Count} probe(s), {w.Criteria.Count} criteria); " +
                  "roll back if it breaches or cannot judge"));
        }
        else if (watch == false && plan.Watch?.AfterDeploy == true)
        {
            steps.Add(("watch", null, "skip: -Watch:$false / --no-watch"));
        }
        foreach (var s in services)
        {
            steps.Add(("retire", s.Name, Retire(s)));
        }
        steps.Add(("unlock", null, "record the outcome, release the deploy lock"));
        var now = DateTimeOffset.UtcNow;
        return steps.Select((s, i) => new DeploymentStep("whatif", i + 1, s.Name, s.Service, StepStatus.Planned, now, TimeSpan.Zero, s.Detail))
            .ToArray();
    }

    private static string Gates(ReleasePlan plan, GateStage stage, DeploymentHooks hooks)
    {
        var gates = plan.Gates.Where(g => g.Stage == stage).Select(g => g.Name).ToArray();
        if (gates.Length == 0) return "skip: no gates configured";
        return hooks.Gates is null ? $"skip: {gates.Length} gate(s) declared, no gate runner configured" : $"run {string.Join(", ", gates)}; stop if one fails";
    }

    private static string Rollout(ReleasePlan plan, ServiceDefinition s, string version)
    {
        var image = s.ImageFor(version);
        var st = s.Strategy;
        var upstream = plan.Proxy is null ? "" : $" (nginx upstream '{NginxProxyController.UpstreamName(s.Name)}' in {plan.Proxy.UpstreamFile})";
        var ports = string.Join(",", s.HostPorts);
        if (s.Target == ServiceTarget.Swarm)
        {
            return $"update Swarm service {SwarmRollout.ServiceName(plan, s)} to {image}: {s.Replicas} replica(s), parallelism {Math.Max(1, st.BatchSize)}, " +
                   $"{(s.HostPorts.Count > 0 ? "stop-first (host-mode port)" : st.Order == UpdateOrder.StartFirst ? "start-first" : "stop-first")}; " +
                   $"networks {string.Join(", ", SwarmRollout.NetworksOf(plan, s))} (created when missing)" +
                   (s.Secrets.Count == 0 ? "" : $", secrets {string.Join(", ", s.Secrets)} as Docker secrets named by content") + "; " +
                   $"watch tasks until all run {image} within {DurationText.Format(st.HealthTimeout)}; on failure Swarm rollback";
        }
        return st.Type switch
        {
            DeploymentStrategyType.Recreate =>
                $"stop and remove the running instances (downtime), start {s.Replicas} x {image} on ports {ports}, wait healthy, point the proxy at them{upstream}",
            DeploymentStrategyType.Rolling =>
                $"in batches of {Math.Max(1, st.BatchSize)} ({(st.Order == UpdateOrder.StartFirst ? "start-first" : $"stop-first, max unavailable {st.MaxUnavailable}")}): " +
                $"start {image} on a free port of {ports}, wait for HEALTHCHECK and probes within {DurationText.Format(st.HealthTimeout)}, switch the proxy{upstream}, stop the old batch",
            DeploymentStrategyType.BlueGreen =>
                $"start {s.Replicas} x {image} beside the live color on free ports of {ports}, wait healthy, switch{upstream}; " +
                "the old color keeps running until the release is verified",
            _ =>
                $"start 1 canary {image} on a free port of {ports}, weights {string.Join(" -> ", st.Steps.Select(p => p + "%"))}{upstream}, " +
                $"pause {DurationText.Format(st.Pause)} and analyse at each step; abort sets the canary's weight to 0; " +
                "the stable instances keep running until the release is verified",
        };
    }

    private static string SwarmPath(ReleasePlan plan, ServiceDefinition s) => s.HostPorts.Count > 0
        ? $" task through host port {s.HostPorts[0]}"
        : $" task through a relay container on {SwarmRollout.NetworksOf(plan, s)[0]}";

    private static string Retire(ServiceDefinition s) => s.Target == ServiceTarget.Swarm
        ? "once verified: remove the plan's Docker secrets no service mounts any more (Swarm replaced the tasks)"
        : s.Strategy.Type switch
        {
            DeploymentStrategyType.BlueGreen => $"once verified: drain {DurationText.Format(s.Strategy.Drain)}, stop the old color (kept for an instant switch-back)",
            DeploymentStrategyType.Canary => $"once verified: drain {DurationText.Format(s.Strategy.Drain)}, stop and remove the stable instances",
            _ => "once verified: remove what is left of other versions",
        };
}
