using System.Globalization;
using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Deploy;

/// <summary>
/// Releases a service made of standalone containers on one engine. Each instance is a container
/// published on one of the service's host ports (127.0.0.1) and labelled with application,
/// environment, service, version and port; the containers themselves are the state, so a resumed or
/// repeated deployment continues from what runs. When the plan has a proxy, traffic reaches the
/// instances only through the service's nginx upstream, which is switched before anything old stops.
/// </summary>
internal sealed class ContainerRollout : IServiceRollout
{
    public const string LabelPrefix = "org.releaseops.";
    private readonly IContainerPlatform _docker;
    private readonly NginxProxyController? _proxy;
    private readonly ProbeRunner _probes;
    private readonly ICanaryAnalysis _canary;
    private readonly ReleasePlan _plan;
    private readonly ServiceDefinition _service;
    private readonly IOperationReporter _reporter;
    private bool _keepAliveChecked;
    private IReadOnlyList<string> _keptWarm = Array.Empty<string>();

    public ContainerRollout(IContainerPlatform docker, NginxProxyController? proxy, ProbeRunner probes, ICanaryAnalysis canary,
        ReleasePlan plan, ServiceDefinition service, IOperationReporter reporter)
    {
        _docker = docker;
        _proxy = proxy;
        _probes = probes;
        _canary = canary;
        _plan = plan;
        _service = service;
        _reporter = reporter;
    }

    private StrategyDefinition Strategy => _service.Strategy;

    /// <summary>Host ports a strategy needs for a service.</summary>
    public static int PortsNeeded(ServiceDefinition s) => s.Strategy.Type switch
    {
        DeploymentStrategyType.Recreate => s.Replicas,
        DeploymentStrategyType.Rolling when s.Strategy.Order == UpdateOrder.StopFirst => s.Replicas,
        DeploymentStrategyType.Rolling => s.Replicas + Math.Max(1, s.Strategy.BatchSize),
        _ => 2 * s.Replicas,
    };

    public IReadOnlyDictionary<string, string> Selector => new Dictionary<string, string>
    {
        [LabelPrefix + "application"] = _plan.Application,
        [LabelPrefix + "environment"] = _plan.Environment,
        [LabelPrefix + "service"] = _service.Name,
    };

    public static string VersionOf(InstanceState i) => i.Labels.TryGetValue(LabelPrefix + "version", out var v) ? v : "?";

    public static int PortOf(InstanceState i) =>
        i.Labels.TryGetValue(LabelPrefix + "port", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : 0;

    public async Task<IReadOnlyList<InstanceState>> InstancesAsync(CancellationToken cancellation) =>
        (await _docker.ListAsync(Selector, cancellation).ConfigureAwait(false)).OrderBy(PortOf).ToArray();

    /// <summary>Rolls the service out to <paramref name="version"/> with its strategy. Returns the instances' names.</summary>
    public Task<IReadOnlyList<string>> DeployAsync(string version, string releaseId, CancellationToken cancellation) =>
        Strategy.Type switch
        {
            DeploymentStrategyType.Recreate => RecreateAsync(version, releaseId, cancellation),
            DeploymentStrategyType.Rolling => RollingAsync(version, releaseId, Math.Max(1, Strategy.BatchSize),
                Strategy.Order == UpdateOrder.StartFirst, Strategy.MaxUnavailable, cancellation),
            DeploymentStrategyType.BlueGreen => BlueGreenAsync(version, releaseId, cancellation),
            _ => CanaryAsync(version, releaseId, cancellation),
        };

    /// <summary>
    /// Puts <paramref name="version"/> back: first the instances a blue-green release kept stopped
    /// (an instant switch-back), then new containers start-first where ports are free. Nothing of the
    /// current version stops before the restored instances are ready and receive the traffic.
    /// </summary>
    public async Task<IReadOnlyList<string>> RestoreAsync(string version, string releaseId, CancellationToken cancellation)
    {
        var all = await InstancesAsync(cancellation).ConfigureAwait(false);
        var running = all.Count(i => i.Running && VersionOf(i) == version);
        var revived = all.Where(i => !i.Running && VersionOf(i) == version).Take(Math.Max(0, _service.Replicas - running)).ToArray();
        foreach (var kept in revived)
        {
            _reporter.Verbose($"Starting kept instance {kept.Name} ({version}).");
            await _docker.StartAsync(kept.Id, cancellation).ConfigureAwait(false);
        }
        // Kept and still-running instances alike are checked before the traffic goes back to them.
        var restored = await AdoptAsync(await InstancesAsync(cancellation).ConfigureAwait(false), version, cancellation).ConfigureAwait(false);
        var used = (await InstancesAsync(cancellation).ConfigureAwait(false)).Where(i => i.Running).Select(PortOf).ToHashSet();
        var free = _service.HostPorts.Where(p => !used.Contains(p)).ToList();
        var missing = _service.Replicas - restored.Count;
        if (free.Count < missing)
        {
            // Not enough ports to start beside the current version: replace it batch by batch instead.
            return await RollingAsync(version, releaseId, _service.Replicas, startFirst: true, maxUnavailable: _service.Replicas, cancellation)
                .ConfigureAwait(false);
        }
        var started = await StartReadyAsync(version, releaseId, free.Take(Math.Max(0, missing)), cancellation).ConfigureAwait(false);
        restored.AddRange(started);
        // Traffic moves back now; the replaced version is stopped by RetireAsync after the drain.
        await SwitchAsync(restored.Select(r => new UpstreamServer(Address(r.Port))).ToArray(), cancellation).ConfigureAwait(false);
        return restored.Select(r => r.Name).ToArray();
    }

    /// <summary>
    /// Verification: every expected instance of the version (the plan's replicas) runs, passes every health probe, and is
    /// what the service's nginx upstream sends traffic to; then the smoke checks (through the proxy when it has a public URL).
    /// </summary>
    public async Task<string> VerifyAsync(string version, CancellationToken cancellation)
    {
        var running = new List<InstanceState>();
        var down = new List<string>();
        foreach (var instance in (await InstancesAsync(cancellation).ConfigureAwait(false)).Where(i => VersionOf(i) == version))
        {
            var state = await _docker.InspectAsync(instance.Id, cancellation).ConfigureAwait(false);
            if (state.Running) running.Add(instance);
            else down.Add($"{state.Name.TrimStart('/')} exited (code {state.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"})");
        }
        if (running.Count < _service.Replicas)
        {
            throw new ReleaseOpsException("InstancesMissing", FailureKind.OperationFailed,
                $"{_service.Name} {version}: {running.Count} of {_service.Replicas} replica(s) running" +
                (down.Count == 0 ? "." : $"; {string.Join(", ", down)}."), _service.Name,
                "Read the logs of the instances that exited (docker logs) and fix the release.");
        }
        var checks = running.Count; // each instance found running is a check of its own
        foreach (var instance in running)
        {
            foreach (var probe in _service.Health.Where(p => p.Type is ProbeType.Http or ProbeType.Tcp))
            {
                var outcome = await _probes.ProbeAsync(probe, AddressOf(PortOf(instance)), cancellation).ConfigureAwait(false);
                checks++;
                if (!outcome.Passed) throw ProbeFailed(outcome);
            }
        }
        var routed = "";
        if (_proxy is not null)
        {
            var serving = running.Select(i => Address(PortOf(i))).ToHashSet(StringComparer.Ordinal);
            var upstream = await RoutedAsync(cancellation).ConfigureAwait(false);
            if (!upstream.SetEquals(serving))
            {
                throw new ReleaseOpsException("UpstreamMismatch", FailureKind.OperationFailed,
                    $"nginx upstream '{NginxProxyController.UpstreamName(_service.Name)}' in {_proxy.Definition.UpstreamFile} sends traffic to " +
                    $"[{string.Join(", ", upstream.Order())}], but {_service.Name} {version} runs on [{string.Join(", ", serving.Order())}].",
                    _proxy.Definition.UpstreamFile, "Do not edit the upstream file during a release; deploy again.");
            }
            checks++;
            routed = $"; upstream '{NginxProxyController.UpstreamName(_service.Name)}' sends traffic to them";
        }
        var baseAddress = _plan.Proxy?.PublicUrl is { } url ? new Uri(url) : AddressOf(PortOf(running.First()));
        foreach (var smoke in _service.Smoke)
        {
            var outcome = await _probes.SmokeAsync(smoke, baseAddress, cancellation).ConfigureAwait(false);
            checks++;
            if (!outcome.Passed) throw ProbeFailed(outcome, "SmokeCheckFailed");
        }
        return $"{checks} check(s) passed on {running.Count} of {_service.Replicas} instance(s){routed}";
    }

    /// <summary>
    /// After a verified deployment: blue-green drains and stops the old color, kept for an instant switch-back until the next
    /// release; the other strategies drain and remove whatever of another version is left (canary's stable instances).
    /// </summary>
    public async Task<string> CompleteAsync(string version, CancellationToken cancellation)
    {
        if (Strategy.Type != DeploymentStrategyType.BlueGreen)
        {
            return await RetireAsync(version, cancellation).ConfigureAwait(false);
        }
        var live = (await InstancesAsync(cancellation).ConfigureAwait(false)).Where(i => i.Running && VersionOf(i) != version).ToArray();
        if (live.Length == 0)
        {
            return "no old color running";
        }
        if (Strategy.Standby > TimeSpan.Zero)
        {
            // Out of the proxy since the switch; running, a rollback to it is a switch and one verification.
            _keptWarm = live.Select(o => o.Name.TrimStart('/')).ToArray();
            return $"kept the old color {string.Join(", ", live.Select(o => $"{o.Name.TrimStart('/')} ({VersionOf(o)})"))} running out of the proxy " +
                   $"for {DurationText.Format(Strategy.Standby)} (standby)";
        }
        _reporter.Verbose($"Draining the old color for {DurationText.Format(Strategy.Drain)}.");
        await Task.Delay(Strategy.Drain, cancellation).ConfigureAwait(false);
        foreach (var old in live)
        {
            await _docker.StopAsync(old.Id, Strategy.StopGracePeriod, cancellation).ConfigureAwait(false);
        }
        return $"drained {DurationText.Format(Strategy.Drain)}, stopped the old color {string.Join(", ", live.Select(o => $"{o.Name.TrimStart('/')} ({VersionOf(o)})"))}" +
               " (kept for an instant switch-back)";
    }

    public IReadOnlyList<string> KeptWarm => _keptWarm;

    public async Task<string> StopStandbyAsync(string liveVersion, CancellationToken cancellation)
    {
        var routed = await RoutedAsync(cancellation).ConfigureAwait(false);
        var standby = (await InstancesAsync(cancellation).ConfigureAwait(false))
            .Where(i => i.Running && VersionOf(i) != liveVersion && !routed.Contains(Address(PortOf(i)))).ToArray();
        foreach (var warm in standby)
        {
            await _docker.StopAsync(warm.Id, Strategy.StopGracePeriod, cancellation).ConfigureAwait(false);
        }
        return standby.Length == 0 ? "no standby running"
            : $"stopped the standby {string.Join(", ", standby.Select(o => $"{o.Name.TrimStart('/')} ({VersionOf(o)})"))} (kept stopped)";
    }

    public async Task<string> DescribeAsync(CancellationToken cancellation)
    {
        var all = await InstancesAsync(cancellation).ConfigureAwait(false);
        var instances = all.Count == 0
            ? "no instances"
            : string.Join(", ", all.Select(i => $"{VersionOf(i)} on {Address(PortOf(i))} {(i.Running ? "running" : "stopped")}"));
        var upstream = _proxy is null ? ""
            : await _proxy.ReadAsync(_service.Name, cancellation).ConfigureAwait(false) is { } block
                ? $"; upstream '{block.Name}' -> {string.Join(", ", block.Servers)}"
                : "; no upstream";
        return $"{_service.Name}: {instances}{upstream}";
    }

    public static ReleaseOpsException ProbeFailed(ProbeOutcome outcome, string id = "HealthProbeFailed") =>
        new(id, FailureKind.OperationFailed, outcome.Describe(), outcome.Target,
            "The new version is not healthy; fix it and deploy again (the previous release keeps serving).");

    /// <summary>
    /// After a restore: waits the drain period, then stops and removes every instance that does not run
    /// <paramref name="version"/> (the proxy no longer sends them anything).
    /// </summary>
    public async Task<string> RetireAsync(string version, CancellationToken cancellation)
    {
        var others = (await InstancesAsync(cancellation).ConfigureAwait(false)).Where(i => VersionOf(i) != version).ToArray();
        if (others.Any(i => i.Running))
        {
            await Task.Delay(Strategy.Drain, cancellation).ConfigureAwait(false);
        }
        await Task.WhenAll(others.Select(o => StopAndRemoveAsync(o, cancellation))).ConfigureAwait(false);
        return others.Length == 0 ? "nothing to retire" : $"stopped {string.Join(", ", others.Select(o => $"{o.Name} ({VersionOf(o)})"))}";
    }

    public async Task WithdrawAsync(CancellationToken cancellation)
    {
        foreach (var instance in await InstancesAsync(cancellation).ConfigureAwait(false))
        {
            await StopAndRemoveAsync(instance, cancellation).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<string>> RecreateAsync(string version, string releaseId, CancellationToken cancellation)
    {
        var all = await InstancesAsync(cancellation).ConfigureAwait(false);
        foreach (var old in all)
        {
            await StopAndRemoveAsync(old, cancellation).ConfigureAwait(false);
        }
        var started = await StartReadyAsync(version, releaseId, _service.HostPorts.Take(_service.Replicas), cancellation).ConfigureAwait(false);
        await SwitchAsync(started.Select(s => new UpstreamServer(Address(s.Port))).ToArray(), cancellation).ConfigureAwait(false);
        return started.Select(s => s.Name).ToArray();
    }

    private async Task<IReadOnlyList<string>> RollingAsync(string version, string releaseId, int batch, bool startFirst, int maxUnavailable,
        CancellationToken cancellation)
    {
        var all = await InstancesAsync(cancellation).ConfigureAwait(false);
        var current = await AdoptAsync(all, version, cancellation).ConfigureAwait(false);
        var old = new Queue<InstanceState>(all.Where(i => i.Running && VersionOf(i) != version));
        if (!startFirst) batch = Math.Min(batch, Math.Max(1, maxUnavailable));
        while (current.Count < _service.Replicas || old.Count > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            var retiring = new List<InstanceState>();
            while (retiring.Count < batch && old.Count > 0) retiring.Add(old.Dequeue());
            var wanted = Math.Min(_service.Replicas - current.Count, Math.Max(batch, retiring.Count));
            var used = (await InstancesAsync(cancellation).ConfigureAwait(false)).Where(i => i.Running).Select(PortOf).ToHashSet();
            var free = _service.HostPorts.Where(p => !used.Contains(p)).ToList();
            var firstStart = startFirst && free.Count >= wanted;
            if (!firstStart && retiring.Count > 0)
            {
                // Stop-first (or no free port): take the batch out of the proxy, stop it, reuse its ports.
                var remaining = current.Select(c => c.Port).Concat(old.Select(PortOf)).ToArray();
                if (remaining.Length > 0) await SwitchAsync(remaining.Select(p => new UpstreamServer(Address(p))).ToArray(), cancellation).ConfigureAwait(false);
                foreach (var r in retiring)
                {
                    await StopAndRemoveAsync(r, cancellation).ConfigureAwait(false);
                    free.Insert(0, PortOf(r));
                }
                retiring.Clear();
            }
            var started = await StartReadyAsync(version, releaseId, free.Take(Math.Max(0, wanted)), cancellation).ConfigureAwait(false);
            current.AddRange(started);
            var serving = current.Select(c => c.Port).Concat(old.Select(PortOf)).ToArray();
            await SwitchAsync(serving.Select(p => new UpstreamServer(Address(p))).ToArray(), cancellation).ConfigureAwait(false);
            if (retiring.Count > 0)
            {
                // Requests already on their way to the old batch finish before it stops.
                await Task.Delay(Strategy.Drain, cancellation).ConfigureAwait(false);
            }
            foreach (var r in retiring)
            {
                await StopAndRemoveAsync(r, cancellation).ConfigureAwait(false);
            }
            if (started.Count == 0 && retiring.Count == 0 && old.Count == 0) break;
        }
        // Stopped leftovers of other versions (an earlier blue-green's kept color) are not part of a rolling service.
        foreach (var stale in (await InstancesAsync(cancellation).ConfigureAwait(false)).Where(i => !i.Running && VersionOf(i) != version))
        {
            await RemoveQuietlyAsync(stale.Id).ConfigureAwait(false);
        }
        return current.Select(c => c.Name).ToArray();
    }

    private async Task<IReadOnlyList<string>> BlueGreenAsync(string version, string releaseId, CancellationToken cancellation)
    {
        // The previous release's warm standby (or one a crash left) holds the ports the new color needs: it is retired first.
        // A standby of the version being deployed is not: it is adopted, checked like a new instance.
        if (await StopStandbyAsync(version, cancellation).ConfigureAwait(false) is var stopped && stopped != "no standby running")
        {
            _reporter.Verbose(stopped);
        }
        var all = await InstancesAsync(cancellation).ConfigureAwait(false);
        var already = await AdoptAsync(all, version, cancellation).ConfigureAwait(false);
        var used = all.Where(i => i.Running).Select(PortOf).ToHashSet();
        var free = _service.HostPorts.Where(p => !used.Contains(p)).ToList();
        var started = await StartReadyAsync(version, releaseId, free.Take(_service.Replicas - already.Count), cancellation).ConfigureAwait(false);
        var color = already.Concat(started).ToArray();
        await SwitchAsync(color.Select(s => new UpstreamServer(Address(s.Port))).ToArray(), cancellation).ConfigureAwait(false);
        // The old color keeps running: CompleteAsync stops it once the new one is verified behind the proxy.
        return color.Select(s => s.Name).ToArray();
    }

    private async Task<IReadOnlyList<string>> CanaryAsync(string version, string releaseId, CancellationToken cancellation)
    {
        var all = await InstancesAsync(cancellation).ConfigureAwait(false);
        var stable = all.Where(i => i.Running && VersionOf(i) != version).ToArray();
        if (stable.Length == 0)
        {
            return await RollingAsync(version, releaseId, _service.Replicas, true, 0, cancellation).ConfigureAwait(false);
        }
        var canaries = await AdoptAsync(all, version, cancellation).ConfigureAwait(false);
        var used = all.Where(i => i.Running).Select(PortOf).ToHashSet();
        var free = new Queue<int>(_service.HostPorts.Where(p => !used.Contains(p)));
        try
        {
            if (canaries.Count == 0)
            {
                canaries.Add(await StartAsync(version, releaseId, free.Dequeue(), cancellation).ConfigureAwait(false));
                await WaitReadyAsync(canaries[0].Id, canaries[0].Name, canaries[0].Port, cancellation).ConfigureAwait(false);
            }
            foreach (var percent in Strategy.Steps.Where(p => p is > 0 and < 100))
            {
                var servers = stable.Select(s => new UpstreamServer(Address(PortOf(s)), 100 - percent))
                    .Concat(canaries.Select(c => new UpstreamServer(Address(c.Port), Math.Max(1, percent * stable.Length / canaries.Count)))).ToArray();
                await SwitchAsync(servers, cancellation).ConfigureAwait(false);
                _reporter.Verbose($"Canary at {percent}%: observing for {DurationText.Format(Strategy.Pause)}.");
                await Task.Delay(Strategy.Pause, cancellation).ConfigureAwait(false);
                var verdict = await _canary.AnalyseAsync(new CanaryContext(_plan, _service, percent,
                    stable.Select(s => AddressOf(PortOf(s))).ToArray(), canaries.Select(c => AddressOf(c.Port)).ToArray(), Strategy.Pause),
                    _reporter, cancellation).ConfigureAwait(false);
                if (!verdict.Passed)
                {
                    throw new ReleaseOpsException("CanaryFailed", FailureKind.OperationFailed,
                        $"Canary of {_service.Name} {version} failed at {percent}%: {string.Join("; ", verdict.Reasons)}", _service.Name,
                        "The canary's weight was set back to 0; fix the release and deploy again.");
                }
                _reporter.Verbose($"Canary at {percent}%: {string.Join("; ", verdict.Reasons)}");
            }
            var more = new List<(string Id, string Name, int Port)>();
            while (canaries.Count + more.Count < _service.Replicas)
            {
                more.Add(await StartAsync(version, releaseId, free.Dequeue(), cancellation).ConfigureAwait(false));
            }
            canaries.AddRange(more);
            foreach (var c in more)
            {
                await WaitReadyAsync(c.Id, c.Name, c.Port, cancellation).ConfigureAwait(false);
            }
        }
        catch
        {
            // Abort: weight 0 for the canary (only the stable instances stay in the upstream), then remove it.
            await SwitchAsync(stable.Select(s => new UpstreamServer(Address(PortOf(s)))).ToArray(), CancellationToken.None).ConfigureAwait(false);
            foreach (var c in canaries) await RemoveQuietlyAsync(c.Id).ConfigureAwait(false);
            throw;
        }
        await SwitchAsync(canaries.Select(c => new UpstreamServer(Address(c.Port))).ToArray(), cancellation).ConfigureAwait(false);
        // The stable instances keep running: CompleteAsync drains and removes them once the release is verified.
        return canaries.Select(c => c.Name).ToArray();
    }

    /// <summary>
    /// Instances of <paramref name="version"/> already running (left by an interrupted or a repeated deployment, or the
    /// version a rollback returns to) are checked exactly like new ones before they get any traffic.
    /// </summary>
    private async Task<List<(string Id, string Name, int Port)>> AdoptAsync(IReadOnlyList<InstanceState> all, string version,
        CancellationToken cancellation)
    {
        var adopted = all.Where(i => i.Running && VersionOf(i) == version).Select(i => (i.Id, Name: i.Name.TrimStart('/'), Port: PortOf(i))).ToList();
        foreach (var (id, name, port) in adopted)
        {
            _reporter.Verbose($"Checking running instance {name} ({version}) like a new one before it gets traffic.");
            await WaitReadyAsync(id, name, port, cancellation).ConfigureAwait(false);
        }
        return adopted;
    }

    /// <summary>
    /// Starts instances of <paramref name="version"/> on the given ports and waits until all are ready. A batch that
    /// never becomes ready takes no traffic: it is removed, and what serves keeps serving.
    /// </summary>
    private async Task<List<(string Id, string Name, int Port)>> StartReadyAsync(string version, string releaseId, IEnumerable<int> ports,
        CancellationToken cancellation)
    {
        var started = new List<(string Id, string Name, int Port)>();
        try
        {
            foreach (var port in ports.ToArray())
            {
                started.Add(await StartAsync(version, releaseId, port, cancellation).ConfigureAwait(false));
            }
            foreach (var s in started)
            {
                await WaitReadyAsync(s.Id, s.Name, s.Port, cancellation).ConfigureAwait(false);
            }
            return started;
        }
        catch
        {
            foreach (var s in started) await RemoveQuietlyAsync(s.Id).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<(string Id, string Name, int Port)> StartAsync(string version, string releaseId, int port, CancellationToken cancellation)
    {
        var name = InstanceName(port);
        // A stopped container on this port is an older kept color or the leftover of an interrupted run.
        foreach (var leftover in (await InstancesAsync(cancellation).ConfigureAwait(false)).Where(i => PortOf(i) == port || i.Name.TrimStart('/') == name))
        {
            await RemoveQuietlyAsync(leftover.Id).ConfigureAwait(false);
        }
        var labels = new Dictionary<string, string>(_service.Labels);
        foreach (var (k, v) in Selector) labels[k] = v;
        labels[LabelPrefix + "version"] = version;
        labels[LabelPrefix + "port"] = port.ToString(CultureInfo.InvariantCulture);
        labels[LabelPrefix + "release"] = releaseId;
        var spec = new InstanceSpec
        {
            Name = name,
            Image = _service.ImageFor(version),
            Labels = labels,
            Env = PlainEnv(_service.Env),
            SecretEnv = SecretEnv(_plan, _service.Env),
            ContainerPort = _service.ContainerPort,
            HostPort = port,
            Command = _service.Command,
            User = _service.User,
            ReadOnlyRootFilesystem = _service.ReadOnlyRootFilesystem,
            MemoryLimit = _service.MemoryLimit,
            CpuLimit = _service.CpuLimit,
            Networks = _service.Networks,
            Volumes = _service.Volumes,
            CapDrop = _service.CapDrop,
            CapAdd = _service.CapAdd,
            Healthcheck = _service.Healthcheck,
            Restart = _service.Restart,
            Logging = _service.Logging,
        };
        _reporter.Verbose($"Starting {spec.Image} as {name} on 127.0.0.1:{port}.");
        var id = await _docker.RunAsync(spec, cancellation).ConfigureAwait(false);
        return (id, name, port);
    }

    /// <summary>Waits until the instance runs, its HEALTHCHECK (if any) says healthy, and the plan's probes pass.</summary>
    private async Task WaitReadyAsync(string id, string name, int port, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + Strategy.HealthTimeout;
        var probes = _service.Health.Where(p => p.Type is ProbeType.Http or ProbeType.Tcp).ToArray();
        // The probes' interval spaces the attempts (the smallest one given), so a slow-starting instance is not polled harder than the plan says.
        var pause = ReadinessInterval(_service);
        string last = "not checked yet";
        ProbeOutcome? lastFailure = null;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var state = await _docker.InspectAsync(id, cancellation).ConfigureAwait(false);
            if (!state.Running)
            {
                throw new ReleaseOpsException("InstanceExited", FailureKind.OperationFailed,
                    $"Instance {name} ({state.Image}) exited with code {state.ExitCode} before it became ready.", name,
                    "Read its logs (docker logs) and fix the release; the previous release keeps serving.");
            }
            // The plan's probes run from the start, so a failure names the probe and the value it saw.
            lastFailure = null;
            foreach (var probe in probes)
            {
                var outcome = await _probes.ProbeAsync(probe, AddressOf(port), cancellation).ConfigureAwait(false);
                if (!outcome.Passed)
                {
                    lastFailure = outcome;
                    break;
                }
            }
            if (state.Health == "unhealthy")
            {
                throw lastFailure is not null
                    ? new ReleaseOpsException("HealthProbeFailed", FailureKind.OperationFailed,
                        $"{lastFailure.Describe()}; the container HEALTHCHECK of {name} also reports unhealthy.", lastFailure.Target,
                        "Fix the release's health endpoint; the previous release keeps serving.")
                    : new ReleaseOpsException("InstanceUnhealthy", FailureKind.OperationFailed,
                        $"Instance {name} ({state.Image}): container HEALTHCHECK reports unhealthy.", name,
                        "Fix the release's health endpoint; the previous release keeps serving.");
            }
            last = state.Health is null ? "running" : $"container health {state.Health}";
            if ((state.Health is null or "healthy") && lastFailure is null)
            {
                return;
            }
            if (DateTime.UtcNow >= deadline)
            {
                if (lastFailure is not null) throw ProbeFailed(lastFailure);
                throw new ReleaseOpsException("InstanceNotReady", FailureKind.Timeout,
                    $"Instance {name} did not become ready within {DurationText.Format(Strategy.HealthTimeout)} ({last}).", name,
                    "Raise strategy.healthTimeout or fix the release.");
            }
            await Task.Delay(pause, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>How long readiness attempts on a new instance are apart: the smallest interval of the service's probes, else 200ms.</summary>
    internal static TimeSpan ReadinessInterval(ServiceDefinition service) =>
        service.Health.Select(p => p.Interval).OfType<TimeSpan>().DefaultIfEmpty(TimeSpan.FromMilliseconds(200)).Min();

    /// <summary>The addresses the service's nginx upstream sends traffic to (none without a proxy or an upstream).</summary>
    private async Task<HashSet<string>> RoutedAsync(CancellationToken cancellation) =>
        (_proxy is null ? null : await _proxy.ReadAsync(_service.Name, cancellation).ConfigureAwait(false))?.Servers
            .Select(s => s.Address).ToHashSet(StringComparer.Ordinal) ?? new HashSet<string>(StringComparer.Ordinal);

    private async Task SwitchAsync(IReadOnlyList<UpstreamServer> servers, CancellationToken cancellation)
    {
        if (_proxy is not null && servers.Count > 0)
        {
            if (!_keepAliveChecked)
            {
                _keepAliveChecked = true;
                if (await _proxy.KeepAliveWarningAsync(_service.Name, cancellation).ConfigureAwait(false) is { } warning) _reporter.Warning(warning);
            }
            await _proxy.SwitchAsync(_service.Name, servers, cancellation).ConfigureAwait(false);
        }
    }

    private async Task StopAndRemoveAsync(InstanceState instance, CancellationToken cancellation)
    {
        if (instance.Running) await _docker.StopAsync(instance.Id, Strategy.StopGracePeriod, cancellation).ConfigureAwait(false);
        await _docker.RemoveAsync(instance.Id, cancellation).ConfigureAwait(false);
    }

    private async Task RemoveQuietlyAsync(string id)
    {
        try
        {
            await _docker.StopAsync(id, TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ReleaseOpsException)
        {
        }
        try
        {
            await _docker.RemoveAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex)
        {
            _reporter.Warning($"Could not remove container {id[..Math.Min(12, id.Length)]}: {ex.Message}");
        }
    }

    /// <summary>Variables without secret references, as written.</summary>
    internal static IReadOnlyDictionary<string, string> PlainEnv(IReadOnlyDictionary<string, string> env) =>
        env.Where(kv => !SecretCatalog.HasReference(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value);

    /// <summary>Variables with secret references, expanded at the moment of use.</summary>
    internal static IReadOnlyDictionary<string, SecretValue> SecretEnv(ReleasePlan plan, IReadOnlyDictionary<string, string> env) =>
        env.Where(kv => SecretCatalog.HasReference(kv.Value)).ToDictionary(kv => kv.Key, kv => plan.Secrets.Expand(kv.Value)!);

    private string InstanceName(int port) =>
        Sanitize($"{_plan.Application}-{_plan.Environment}-{_service.Name}-{port}");

    internal static string Sanitize(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray());

    private static string Address(int port) => $"127.0.0.1:{port}";

    private static Uri AddressOf(int port) => new($"http://127.0.0.1:{port}/");
}
