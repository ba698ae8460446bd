using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Deploy;

/// <summary>
/// Releases a Swarm service: the update itself is Swarm's (update_config: parallelism, order,
/// monitor; rollback_config for the way back), but success is decided by watching the tasks reach
/// running on the new image, not by the API's reply. The spec carries the plan's hardening (user,
/// read-only root, limits and reservations, healthcheck, volumes), its overlay networks (created when
/// missing, attachable) and its secrets as Docker secrets named by their content, so that a changed
/// value is a new secret the update moves the service to, and the old one is removed only once the
/// release succeeded. Verification reaches each task through a relay container on the service's
/// network, or through a host port when the plan publishes one (host mode: the ingress mesh needs
/// IPVS), which forces stop-first order: two tasks cannot share a host port.
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
    /// <summary>This rollout updated the service: Swarm's previous spec is exactly what it replaced (image, secrets and all).</summary>
    private bool _updated;
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(1);
    internal const string SecretLabel = ContainerRollout.LabelPrefix + "secret";

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
        var spec = await SpecAsync(version, cancellation).ConfigureAwait(false);
        _since = DateTimeOffset.UtcNow - ClockSkew;
        var current = await _docker.InspectServiceAsync(Name, cancellation).ConfigureAwait(false);
        if (current is null)
        {
            await _docker.CreateServiceAsync(spec, cancellation).ConfigureAwait(false);
        }
        else
        {
            await _docker.UpdateServiceAsync(spec, current.Version, cancellation).ConfigureAwait(false);
            _updated = true;
        }
        return await WatchAsync(spec.Image, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// After this rollout's own update failed: Swarm's rollback to the spec it replaced (its secrets included, which are
    /// still there: old secrets go only after a success). Otherwise (a rollback later, by <c>Invoke-Rollback</c>): an
    /// update to the version's spec as the plan says now, its secrets and networks ensured.
    /// </summary>
    public async Task<IReadOnlyList<string>> RestoreAsync(string version, string releaseId, CancellationToken cancellation)
    {
        var image = _service.ImageFor(version);
        _since = DateTimeOffset.UtcNow - ClockSkew;
        var current = await _docker.InspectServiceAsync(Name, cancellation).ConfigureAwait(false);
        if (current is null)
        {
            await _docker.CreateServiceAsync(await SpecAsync(version, cancellation).ConfigureAwait(false), cancellation).ConfigureAwait(false);
        }
        else if (_updated)
        {
            _reporter.Verbose($"Swarm rollback of {Name} to its previous spec ({image}).");
            await _docker.RollbackServiceAsync(Name, cancellation).ConfigureAwait(false);
            _updated = false;
        }
        else
        {
            var spec = await SpecAsync(version, cancellation).ConfigureAwait(false);
            if (!SameImage(current.Image, image) || !current.Secrets.ToHashSet().SetEquals(spec.Secrets.Select(s => s.SecretName)))
            {
                await _docker.UpdateServiceAsync(spec, current.Version, cancellation).ConfigureAwait(false);
            }
        }
        return await WatchAsync(image, cancellation).ConfigureAwait(false);
    }

    /// <summary>Swarm replaced the tasks itself; what is left are the secrets no service mounts any more.</summary>
    public async Task<string> RetireAsync(string version, CancellationToken cancellation)
    {
        var removed = await PruneSecretsAsync(cancellation).ConfigureAwait(false);
        return "Swarm replaced the tasks" + (removed.Count == 0 ? "" : $"; secrets no longer used removed: {string.Join(", ", removed)}");
    }

    public Task<string> CompleteAsync(string version, CancellationToken cancellation) => RetireAsync(version, cancellation);

    public async Task WithdrawAsync(CancellationToken cancellation)
    {
        await _docker.RemoveServiceAsync(Name, cancellation).ConfigureAwait(false);
        await PruneSecretsAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes this plan's Docker secrets (by their labels) that no service's current spec mounts: the versions a
    /// rotation replaced, once the release that replaced them succeeded or was rolled back. A removal that fails is
    /// a warning: the secret is tried again after the next release.
    /// </summary>
    private async Task<IReadOnlyList<string>> PruneSecretsAsync(CancellationToken cancellation)
    {
        var ours = await _docker.ListSecretsAsync(OwnerLabels(), cancellation).ConfigureAwait(false);
        if (ours.Count == 0) return Array.Empty<string>();
        var inUse = await _docker.SecretsInUseAsync(cancellation).ConfigureAwait(false);
        var removed = new List<string>();
        foreach (var secret in ours.Where(s => !inUse.Contains(s.Name)))
        {
            try
            {
                await _docker.RemoveSecretAsync(secret.Id, cancellation).ConfigureAwait(false);
                removed.Add(secret.Name);
            }
            catch (ReleaseOpsException ex)
            {
                _reporter.Warning($"Docker secret {secret.Name} (no longer used) was not removed: {ex.Message}");
            }
        }
        return removed;
    }

    private Dictionary<string, string> OwnerLabels() => new()
    {
        [ContainerRollout.LabelPrefix + "application"] = _plan.Application,
        [ContainerRollout.LabelPrefix + "environment"] = _plan.Environment,
    };

    /// <summary>
    /// The Docker secret name of a plan secret's current value: APP-ENV-NAME- and 12 hex digits of SHA-256 over the
    /// application, environment, name and value. The same value keeps its name (nothing to update); a new one gets a
    /// new name. The digits tell whether a value changed; they cannot give back a value of a strength the
    /// secret-strength gate accepts.
    /// </summary>
    public static string SecretName(ReleasePlan plan, string secret, Secrets.SecretValue value)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{plan.Application}\n{plan.Environment}\n{secret}\n{value.Reveal()}"));
        var hash = Convert.ToHexString(digest)[..12].ToLowerInvariant();
        var stem = ContainerRollout.Sanitize($"{plan.Application}-{plan.Environment}-{secret}");
        return $"{stem[..Math.Min(stem.Length, 64 - 13)]}-{hash}";
    }

    /// <summary>The networks the service's tasks join: the plan's, or one of the application's own when it names none.</summary>
    public static IReadOnlyList<string> NetworksOf(ReleasePlan plan, ServiceDefinition service) =>
        service.Networks.Count > 0 ? service.Networks : new[] { ContainerRollout.Sanitize($"{plan.Application}-{plan.Environment}-default") };

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
        if (_service.HostPorts.Count == 0 && (_service.Health.Any(p => p.Type is ProbeType.Http or ProbeType.Tcp) || _service.Smoke.Count > 0))
        {
            checks += await VerifyThroughRelaysAsync(alive, cancellation).ConfigureAwait(false);
            where += $" (through a relay on {NetworksOf(_plan, _service)[0]})";
        }
        else if (_service.HostPorts.Count > 0)
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
            where += " (no probes or smoke checks: the tasks' states and health checks count)";
        }
        return $"{checks} check(s) passed on {where} of {Name}";
    }

    /// <summary>
    /// Each task's probes through a relay container of its own (on the service's first network, published on
    /// loopback only), then the smoke checks against <c>proxy.public_url</c> or through the first task's relay.
    /// Returns the checks run; throws on the first that fails.
    /// </summary>
    private async Task<int> VerifyThroughRelaysAsync(IReadOnlyList<SwarmTaskState> tasks, CancellationToken cancellation)
    {
        if (_service.ContainerPort is not { } port)
        {
            throw new ReleaseOpsException("SwarmProbePort", FailureKind.InvalidConfiguration,
                $"{Name}: probes and smoke checks reach the tasks on the service's port, and the plan gives none.", _service.Name,
                "Set port: (the port the application listens on inside the container).");
        }
        var network = NetworksOf(_plan, _service)[0];
        var image = _plan.Docker.RelayImage ?? DockerEndpointDefinition.DefaultRelayImage;
        try
        {
            await _docker.ResolveImageAsync(image, cancellation).ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == "ImageNotFound")
        {
            throw new ReleaseOpsException("RelayImageMissing", FailureKind.NotFound,
                $"Verification of {Name} reaches its tasks through a relay container of image {image}, which is not on the engine.", image,
                "Pull or load it (docker pull " + image + "), or name an image holding busybox (nc) in docker.relay_image.", ex);
        }
        var checks = 0;
        var first = true;
        foreach (var task in tasks)
        {
            if (!task.Addresses.TryGetValue(network, out var address))
            {
                throw new ReleaseOpsException("SwarmTaskUnreachable", FailureKind.OperationFailed,
                    $"Task {Short(task.Id)} of {Name} has no address on network {network}.", Name, "Check the service's networks (docker service inspect).");
            }
            var labels = new Dictionary<string, string>(OwnerLabels())
            {
                [ContainerRollout.LabelPrefix + "service"] = _service.Name,
                [ContainerRollout.LabelPrefix + "role"] = "relay",
            };
            var relayName = ContainerRollout.Sanitize($"{Name}-relay-{Short(task.Id)}-{Guid.NewGuid().ToString("N")[..6]}");
            var (relay, hostPort) = await _docker.StartRelayAsync(new RelaySpec
            {
                Name = relayName, Image = image, Network = network, TargetAddress = address, TargetPort = port, Labels = labels,
            }, cancellation).ConfigureAwait(false);
            try
            {
                var instance = new Uri($"http://127.0.0.1:{hostPort.ToString(CultureInfo.InvariantCulture)}/");
                foreach (var probe in _service.Health.Where(p => p.Type is ProbeType.Http or ProbeType.Tcp))
                {
                    var outcome = await _probes.ProbeAsync(probe, instance, cancellation).ConfigureAwait(false);
                    checks++;
                    if (!outcome.Passed) throw ContainerRollout.ProbeFailed(outcome);
                }
                if (first)
                {
                    first = false;
                    var baseAddress = _plan.Proxy?.PublicUrl is { } url ? new Uri(url) : instance;
                    foreach (var smoke in _service.Smoke)
                    {
                        var outcome = await _probes.SmokeAsync(smoke, baseAddress, cancellation).ConfigureAwait(false);
                        checks++;
                        if (!outcome.Passed) throw ContainerRollout.ProbeFailed(outcome, "SmokeCheckFailed");
                    }
                }
            }
            finally
            {
                await _docker.RemoveAsync(relay, CancellationToken.None).ConfigureAwait(false);
            }
        }
        return checks;
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

    /// <summary>The service's spec for a version, its networks created when missing and its secrets' current values as Docker secrets.</summary>
    private async Task<SwarmServiceSpec> SpecAsync(string version, CancellationToken cancellation)
    {
        var networks = NetworksOf(_plan, _service);
        foreach (var network in networks)
        {
            var declared = _plan.Networks.FirstOrDefault(n => n.Name == network);
            if (await _docker.EnsureOverlayNetworkAsync(network, declared?.Internal ?? false, OwnerLabels(), cancellation).ConfigureAwait(false))
            {
                _reporter.Verbose($"Created overlay network {network}{(declared?.Internal == true ? " (internal)" : "")}.");
            }
        }
        var (uid, gid) = NumericUser(_service.User);
        var secrets = new List<SwarmSecretMount>();
        foreach (var secret in _service.Secrets)
        {
            if (!_plan.Secrets.Contains(secret))
            {
                // Not one of the plan's: an external Docker secret, mounted as it is.
                var external = (await _docker.ListSecretsAsync(new Dictionary<string, string>(), cancellation).ConfigureAwait(false))
                    .FirstOrDefault(s => s.Name == secret)
                    ?? throw new ReleaseOpsException("SwarmSecretMissing", FailureKind.NotFound,
                        $"{Name} mounts the Docker secret {secret}, which neither exists nor is declared under the plan's secrets:.", secret,
                        $"Create it (docker secret create {secret} FILE), or declare it under secrets: (env, file or docker) for ReleaseOps to create and rotate.");
                secrets.Add(uid is null ? new SwarmSecretMount(external.Id, secret, secret) : new SwarmSecretMount(external.Id, secret, secret, uid, gid ?? uid, 0x100));
                continue;
            }
            var value = _plan.Secrets.Resolve(secret);
            var name = SecretName(_plan, secret, value);
            var labels = new Dictionary<string, string>(OwnerLabels()) { [SecretLabel] = secret };
            var id = await _docker.EnsureSecretAsync(name, value, labels, cancellation).ConfigureAwait(false);
            // A numeric user owns its secret files, readable by it alone; otherwise readable by all (the default).
            secrets.Add(uid is null
                ? new SwarmSecretMount(id, name, secret)
                : new SwarmSecretMount(id, name, secret, uid, gid ?? uid, 0x100 /* 0400 */));
        }
        return Spec(version) with { Networks = networks, Secrets = secrets };
    }

    /// <summary>UID and GID of a user given as numbers (10001 or 10001:10001); null for a name.</summary>
    private static (string? Uid, string? Gid) NumericUser(string? user)
    {
        if (user is null) return (null, null);
        var parts = user.Split(':');
        return parts.All(p => p.Length > 0 && p.All(char.IsAsciiDigit)) ? (parts[0], parts.Length > 1 ? parts[1] : null) : (null, null);
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
            // recreate: every task at once, old ones stopped first.
            Parallelism = _service.Strategy.Type == DeploymentStrategyType.Recreate ? _service.Replicas : Math.Max(1, _service.Strategy.BatchSize),
            StartFirst = hostPort is null && _service.Strategy.Type != DeploymentStrategyType.Recreate && _service.Strategy.Order == UpdateOrder.StartFirst,
            Monitor = TimeSpan.FromSeconds(2),
            StopGracePeriod = _service.Strategy.StopGracePeriod,
            User = _service.User,
            ReadOnlyRootFilesystem = _service.ReadOnlyRootFilesystem,
            MemoryLimit = _service.MemoryLimit,
            CpuLimit = _service.CpuLimit,
            MemoryReservation = _service.MemoryReservation,
            CpuReservation = _service.CpuReservation,
            Healthcheck = _service.Healthcheck,
            Volumes = _service.Volumes,
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
            var settling = false;
            if (ready.Length >= _service.Replicas && wanted.All(t => SameImage(t.Image, image)))
            {
                // A rollback or update of the same image (a secret rotated) is done when Swarm says so, not when the image matches.
                var state = (await _docker.InspectServiceAsync(Name, cancellation).ConfigureAwait(false))?.UpdateState;
                settling = state is "updating" or "rollback_started";
                last += $"; update {state}";
            }
            if (!settling && ready.Length >= _service.Replicas && wanted.All(t => SameImage(t.Image, image)))
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
