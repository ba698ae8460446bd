using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Deploy;

/// <summary>
/// Releases a Swarm service: the update itself is Swarm's (update_config: parallelism, order,
/// monitor; rollback_config for the way back), but success is decided by watching the tasks reach
/// running on the new image, not by the API's reply. Ports are published in host mode (the ingress
/// mesh needs IPVS), which forces stop-first order: two tasks cannot share a host port.
/// </summary>
internal sealed class SwarmRollout : IServiceRollout
{
    private readonly IContainerPlatform _docker;
    private readonly ProbeRunner _probes;
    private readonly ReleasePlan _plan;
    private readonly ServiceDefinition _service;
    private readonly IOperationReporter _reporter;
    /// <summary>Task failures older than this belong to earlier rollouts (Swarm keeps a few tasks of history).</summary>
    private DateTimeOffset _since = DateTimeOffset.MinValue;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(1);

    public SwarmRollout(IContainerPlatform docker, ProbeRunner probes, ReleasePlan plan, ServiceDefinition service, IOperationReporter reporter)
    {
        _docker = docker;
        _probes = probes;
        _plan = plan;
        _service = service;
        _reporter = reporter;
    }

    public static string ServiceName(ReleasePlan plan, ServiceDefinition service) =>
        ContainerRollout.Sanitize($"{plan.Application}-{plan.Environment}-{service.Name}");

    private string Name => ServiceName(_plan, _service);

    public async Task<IReadOnlyList<string>> DeployAsync(string version, string releaseId, CancellationToken cancellation)
    {
        var spec = Spec(version);
        _since = DateTimeOffset.UtcNow - ClockSkew;
        var current = await _docker.InspectServiceAsync(Name, cancellation).ConfigureAwait(false);
        if (current is null)
        {
            await _docker.CreateServiceAsync(spec, cancellation).ConfigureAwait(false);
        }
        else
        {
            await _docker.UpdateServiceAsync(spec, current.Version, cancellation).ConfigureAwait(false);
        }
        return await WatchAsync(spec.Image, cancellation).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> RestoreAsync(string version, string releaseId, CancellationToken cancellation)
    {
        var image = _service.ImageFor(version);
        _since = DateTimeOffset.UtcNow - ClockSkew;
        var current = await _docker.InspectServiceAsync(Name, cancellation).ConfigureAwait(false);
        if (current is null)
        {
            await _docker.CreateServiceAsync(Spec(version), cancellation).ConfigureAwait(false);
        }
        else if (current.PreviousImage is not null && SameImage(current.PreviousImage, image) && !SameImage(current.Image, image))
        {
            _reporter.Verbose($"Swarm rollback of {Name} to its previous spec ({image}).");
            await _docker.RollbackServiceAsync(Name, cancellation).ConfigureAwait(false);
        }
        else if (!SameImage(current.Image, image))
        {
            await _docker.UpdateServiceAsync(Spec(version), current.Version, cancellation).ConfigureAwait(false);
        }
        return await WatchAsync(image, cancellation).ConfigureAwait(false);
    }

    /// <summary>Swarm replaced the tasks itself; nothing is left to stop.</summary>
    public Task<string> RetireAsync(string version, CancellationToken cancellation) => Task.FromResult("Swarm replaced the tasks");

    public Task<string> CompleteAsync(string version, CancellationToken cancellation) => RetireAsync(version, cancellation);

    public async Task WithdrawAsync(CancellationToken cancellation) =>
        await _docker.RemoveServiceAsync(Name, cancellation).ConfigureAwait(false);

    /// <summary>
    /// Every replica accounted for: as many tasks of the version's image running as the plan's replicas, none of them
    /// failed since this rollout began, each one's container running and not unhealthy; then the probes and smoke checks
    /// through the published host port, when there is one.
    /// </summary>
    public async Task<string> VerifyAsync(string version, CancellationToken cancellation)
    {
        var image = _service.ImageFor(version);
        var tasks = await _docker.ListTasksAsync(Name, cancellation).ConfigureAwait(false);
        var failed = tasks.Where(t => SameImage(t.Image, image) && t.State is "failed" or "rejected" && (t.CreatedAt is null || t.CreatedAt >= _since))
            .Select(t => $"task {Short(t.Id)} {t.State} ({t.Error ?? $"exit {t.ExitCode}"})").ToArray();
        var running = tasks.Where(t => t.DesiredState == "running" && t.State == "running" && SameImage(t.Image, image)).ToArray();
        var down = new List<string>(failed);
        var alive = new List<SwarmTaskState>();
        foreach (var task in running)
        {
            var container = task.ContainerId is null ? null : await InspectOrNullAsync(task.ContainerId, cancellation).ConfigureAwait(false);
            if (container is { Running: true } && container.Health is not ("unhealthy" or "starting")) alive.Add(task);
            else down.Add($"task {Short(task.Id)}: container {(container is null ? "missing" : container.Running ? $"health {container.Health}" : $"exited (code {container.ExitCode})")}");
        }
        if (alive.Count < _service.Replicas || failed.Length > 0)
        {
            throw new ReleaseOpsException("InstancesMissing", FailureKind.OperationFailed,
                $"{Name} {version}: {alive.Count} of {_service.Replicas} replica(s) running{(down.Count == 0 ? "" : "; " + string.Join(", ", down))}.",
                Name, "Read the tasks' logs (docker service ps --no-trunc, docker service logs) and fix the release.");
        }
        var checks = alive.Count;
        var where = $"{alive.Count} of {_service.Replicas} task(s)";
        if (_service.HostPorts.Count > 0)
        {
            var address = new Uri($"http://127.0.0.1:{_service.HostPorts[0]}/");
            foreach (var probe in _service.Health.Where(p => p.Type is ProbeType.Http or ProbeType.Tcp))
            {
                var outcome = await _probes.ProbeAsync(probe, address, cancellation).ConfigureAwait(false);
                checks++;
                if (!outcome.Passed) throw ContainerRollout.ProbeFailed(outcome);
            }
            var baseAddress = _plan.Proxy?.PublicUrl is { } url ? new Uri(url) : address;
            foreach (var smoke in _service.Smoke)
            {
                var outcome = await _probes.SmokeAsync(smoke, baseAddress, cancellation).ConfigureAwait(false);
                checks++;
                if (!outcome.Passed) throw ContainerRollout.ProbeFailed(outcome, "SmokeCheckFailed");
            }
        }
        else
        {
            where += " (no host port: probes cannot reach the tasks; their containers' HEALTHCHECK counts)";
        }
        return $"{checks} check(s) passed on {where} of {Name}";
    }

    public async Task<string> DescribeAsync(CancellationToken cancellation)
    {
        var service = await _docker.InspectServiceAsync(Name, cancellation).ConfigureAwait(false);
        if (service is null) return $"{_service.Name}: Swarm service {Name} does not exist";
        var tasks = (await _docker.ListTasksAsync(Name, cancellation).ConfigureAwait(false)).Where(t => t.DesiredState == "running");
        return $"{_service.Name}: Swarm service {Name} at {service.Image}{(service.UpdateState is null ? "" : $" (update {service.UpdateState})")}; " +
               $"tasks: {string.Join(", ", tasks.Select(t => $"{Strip(t.Image)} {t.State}").DefaultIfEmpty("none"))}";
    }

    private static string Short(string id) => id[..Math.Min(12, id.Length)];

    private async Task<InstanceState?> InspectOrNullAsync(string containerId, CancellationToken cancellation)
    {
        try
        {
            return await _docker.InspectAsync(containerId, cancellation).ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex) when (ex.Kind == FailureKind.NotFound)
        {
            return null; // removed between the task list and now
        }
    }

    private SwarmServiceSpec Spec(string version)
    {
        var labels = new Dictionary<string, string>(_service.Labels)
        {
            [ContainerRollout.LabelPrefix + "application"] = _plan.Application,
            [ContainerRollout.LabelPrefix + "environment"] = _plan.Environment,
            [ContainerRollout.LabelPrefix + "service"] = _service.Name,
            [ContainerRollout.LabelPrefix + "version"] = version,
        };
        var hostPort = _service.HostPorts.Count > 0 ? _service.HostPorts[0] : (int?)null;
        return new SwarmServiceSpec
        {
            Name = Name,
            Image = _service.ImageFor(version),
            Replicas = _service.Replicas,
            Labels = labels,
            Env = ContainerRollout.PlainEnv(_service.Env),
            SecretEnv = ContainerRollout.SecretEnv(_plan, _service.Env),
            ContainerPort = _service.ContainerPort,
            HostPort = hostPort,
            Command = _service.Command,
            Parallelism = Math.Max(1, _service.Strategy.BatchSize),
            StartFirst = hostPort is null && _service.Strategy.Order == UpdateOrder.StartFirst,
            Monitor = TimeSpan.FromSeconds(2),
            StopGracePeriod = _service.Strategy.StopGracePeriod,
        };
    }

    /// <summary>Waits until every task Swarm wants running runs <paramref name="image"/>; a failed task of it fails the release.</summary>
    private async Task<IReadOnlyList<string>> WatchAsync(string image, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + _service.Strategy.HealthTimeout * Math.Max(1, _service.Replicas);
        var last = "no tasks yet";
        var since = DateTime.UtcNow;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var tasks = await _docker.ListTasksAsync(Name, cancellation).ConfigureAwait(false);
            var failed = tasks.FirstOrDefault(t => SameImage(t.Image, image) && t.State is "failed" or "rejected" && (t.CreatedAt is null || t.CreatedAt >= _since));
            if (failed is not null)
            {
                throw new ReleaseOpsException("SwarmTaskFailed", FailureKind.OperationFailed,
                    $"Task {failed.Id[..Math.Min(12, failed.Id.Length)]} of {Name} ({image}) {failed.State}: {failed.Error ?? $"exit {failed.ExitCode}"}.",
                    Name, "Read the task's logs (docker service ps --no-trunc); the previous release is restored.");
            }
            var wanted = tasks.Where(t => t.DesiredState == "running").ToArray();
            var ready = wanted.Where(t => SameImage(t.Image, image) && t.State == "running").ToArray();
            last = $"{ready.Length}/{_service.Replicas} running {image}; states: {string.Join(", ", wanted.Select(t => t.State).Distinct())}";
            if (ready.Length >= _service.Replicas && wanted.All(t => SameImage(t.Image, image)))
            {
                return ready.Select(t => $"{Name}.{t.Id[..Math.Min(12, t.Id.Length)]}").ToArray();
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new ReleaseOpsException("SwarmUpdateTimeout", FailureKind.Timeout,
                    $"{Name} did not reach {_service.Replicas} running task(s) of {image} in time ({last}).", Name,
                    "Raise strategy.healthTimeout or fix the release.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellation).ConfigureAwait(false);
        }
    }

    private static bool SameImage(string a, string b) => Strip(a) == Strip(b);

    private static string Strip(string image)
    {
        var at = image.IndexOf('@');
        return at < 0 ? image : image[..at];
    }
}
