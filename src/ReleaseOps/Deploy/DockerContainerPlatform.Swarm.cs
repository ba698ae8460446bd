using System.Globalization;
using System.Net.Sockets;
using Docker.DotNet.Models;
using ReleaseOps.Docker;
using ReleaseOps.Errors;

namespace ReleaseOps.Deploy;

/// <summary>Swarm services and tasks for deployments whose target is <c>swarm</c>.</summary>
public sealed partial class DockerContainerPlatform
{
    public async Task<SwarmServiceState?> InspectServiceAsync(string name, CancellationToken cancellation)
    {
        var details = await _client.TryInspectServiceAsync(name, cancellation).ConfigureAwait(false);
        return details is null
            ? null
            : new SwarmServiceState(details.ID, details.Spec?.Name ?? name, details.Image() ?? "", (long)(details.Version?.Index ?? 0),
                details.UpdateStatus?.State, details.PreviousImage())
            {
                Secrets = details.Spec?.TaskTemplate?.ContainerSpec?.Secrets?.Select(r => r.SecretName).OfType<string>().ToArray() ?? Array.Empty<string>(),
            };
    }

    public async Task CreateServiceAsync(SwarmServiceSpec spec, CancellationToken cancellation) =>
        await _client.CreateServiceAsync(ToServiceSpec(spec), spec.SecretEnv.Values, cancellation).ConfigureAwait(false);

    public async Task UpdateServiceAsync(SwarmServiceSpec spec, long version, CancellationToken cancellation) =>
        await _client.UpdateServiceAsync(spec.Name, version, ToServiceSpec(spec), spec.SecretEnv.Values, cancellation).ConfigureAwait(false);

    public async Task RollbackServiceAsync(string name, CancellationToken cancellation) =>
        await _client.RollbackServiceAsync(name, cancellation).ConfigureAwait(false);

    public async Task<IReadOnlyList<SwarmTaskState>> ListTasksAsync(string service, CancellationToken cancellation)
    {
        var tasks = await _client.ListTasksAsync(service, null, cancellation).ConfigureAwait(false);
        return tasks.Select(t => new SwarmTaskState(t.ID, t.Spec?.ContainerSpec?.Image ?? "", (t.Status?.State).Name(), t.DesiredState.Name(),
            t.Status?.Err is { Length: > 0 } e ? e : null, t.Status?.ContainerStatus?.ExitCode,
            t.Status?.ContainerStatus?.ContainerID is { Length: > 0 } c ? c : null,
            t.CreatedAt is { } created && created != default ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null)
        {
            Addresses = (t.NetworksAttachments ?? [])
                .Where(a => a.Network?.Spec?.Name is { Length: > 0 } && a.Addresses is { Count: > 0 })
                .GroupBy(a => a.Network!.Spec!.Name!)
                .ToDictionary(g => g.Key, g => g.First().Addresses![0].Split('/')[0]),
        }).ToArray();
    }

    public async Task<bool> EnsureOverlayNetworkAsync(string name, bool @internal, IReadOnlyDictionary<string, string> labels, CancellationToken cancellation)
    {
        if (await _client.TryInspectNetworkAsync(name, cancellation).ConfigureAwait(false) is not null) return false;
        try
        {
            await _client.CreateNetworkAsync(new NetworksCreateParameters
            {
                Name = name,
                Driver = "overlay",
                Attachable = true,
                Internal = @internal,
                Labels = new Dictionary<string, string>(labels),
            }, cancellation).ConfigureAwait(false);
            return true;
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.Conflict)
        {
            return false; // created by someone else in between
        }
    }

    public async Task<IReadOnlyList<SwarmSecretState>> ListSecretsAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellation)
    {
        var all = await _client.ListSecretsAsync(cancellation).ConfigureAwait(false);
        return all.Where(s => labels.All(l => s.Spec?.Labels is { } have && have.TryGetValue(l.Key, out var v) && v == l.Value))
            .Select(s => new SwarmSecretState(s.ID, s.Spec?.Name ?? s.ID, ReadOnly(s.Spec?.Labels))).ToArray();
    }

    public async Task<string> EnsureSecretAsync(string name, Secrets.SecretValue value, IReadOnlyDictionary<string, string> labels, CancellationToken cancellation)
    {
        var existing = (await _client.ListSecretsAsync(cancellation).ConfigureAwait(false)).FirstOrDefault(s => s.Spec?.Name == name);
        if (existing is not null) return existing.ID;
        return await _client.CreateSecretAsync(name, value, labels, cancellation).ConfigureAwait(false);
    }

    public async Task RemoveSecretAsync(string id, CancellationToken cancellation)
    {
        try
        {
            await _client.RemoveSecretAsync(id, cancellation).ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound)
        {
        }
    }

    public async Task<IReadOnlySet<string>> SecretsInUseAsync(CancellationToken cancellation)
    {
        var services = await _client.ListServicesAsync(cancellation).ConfigureAwait(false);
        // Current specs only: a previous spec is what a release replaced, and its secrets go once that release succeeded.
        return services.SelectMany(s => s.Spec?.TaskTemplate?.ContainerSpec?.Secrets ?? [])
            .Select(r => r.SecretName).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    public async Task<(string ContainerId, int HostPort)> StartRelayAsync(RelaySpec spec, CancellationToken cancellation)
    {
        const string Port = "8080/tcp";
        var id = await _client.CreateContainerAsync(new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Labels = new Dictionary<string, string>(spec.Labels),
            // One connection at a time is relayed to the task; -ll keeps listening after each.
            Cmd = ["busybox", "nc", "-ll", "-p", "8080", "-e", "busybox", "nc", spec.TargetAddress, spec.TargetPort.ToString(CultureInfo.InvariantCulture)],
            ExposedPorts = new Dictionary<string, EmptyStruct> { [Port] = default },
            HostConfig = new HostConfig
            {
                PortBindings = new Dictionary<string, IList<PortBinding>> { [Port] = [new PortBinding { HostIP = "127.0.0.1", HostPort = "" }] },
                ReadonlyRootfs = true,
                Memory = 32 * 1024 * 1024,
            },
        }, [spec.Network], cancellation: cancellation).ConfigureAwait(false);
        try
        {
            await _client.StartContainerAsync(id, cancellation).ConfigureAwait(false);
            var details = await _client.InspectContainerAsync(id, cancellation).ConfigureAwait(false);
            var binding = details.NetworkSettings?.Ports is { } ports && ports.TryGetValue(Port, out var list) && list is { Count: > 0 } ? list[0] : null;
            if (binding is null || !int.TryParse(binding.HostPort, CultureInfo.InvariantCulture, out var hostPort))
            {
                throw new ReleaseOpsException("RelayFailed", FailureKind.OperationFailed, $"The relay {spec.Name} got no loopback port.", spec.Name,
                    "Check the Docker engine's port publishing (docker port).");
            }
            await WaitRelayAsync(hostPort, cancellation).ConfigureAwait(false);
            return (id, hostPort);
        }
        catch
        {
            await _client.RemoveContainerAsync(id, force: true, cancellation: CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Docker's port proxy accepts before the relay listens and then closes at once; a connection still open after a
    /// moment has reached the relay (which holds it open towards the task).
    /// </summary>
    private static async Task WaitRelayAsync(int port, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using (var tcp = new TcpClient())
            {
                try
                {
                    await tcp.ConnectAsync("127.0.0.1", port, cancellation).ConfigureAwait(false);
                    var buffer = new byte[1];
                    var read = tcp.GetStream().ReadAsync(buffer, cancellation).AsTask();
                    if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromMilliseconds(300), cancellation)).ConfigureAwait(false) != read) return;
                }
                catch (Exception ex) when (ex is SocketException or IOException)
                {
                }
            }
            if (DateTime.UtcNow >= deadline)
            {
                throw new ReleaseOpsException("RelayFailed", FailureKind.Timeout, $"The relay on 127.0.0.1:{port} did not reach the task in 10s.",
                    $"127.0.0.1:{port}", "Check that the relay image runs busybox nc (docker.relay_image) and that the network is attachable.");
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellation).ConfigureAwait(false);
        }
    }

    public async Task RemoveServiceAsync(string name, CancellationToken cancellation)
    {
        try
        {
            await _client.RemoveServiceAsync(name, cancellation).ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound)
        {
        }
    }

    /// <summary>A replicated service of one container spec, ports published in host mode (no ingress mesh here).</summary>
    private static ServiceSpec ToServiceSpec(SwarmServiceSpec spec)
    {
        SwarmUpdateConfig Policy() => new()
        {
            Parallelism = (ulong)spec.Parallelism,
            Delay = spec.Delay,
            Monitor = spec.Monitor,
            FailureAction = "pause",
            Order = spec.StartFirst ? "start-first" : "stop-first",
        };
        return new ServiceSpec
        {
            Name = spec.Name,
            Labels = new Dictionary<string, string>(spec.Labels),
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = spec.Image,
                    Labels = new Dictionary<string, string>(spec.Labels),
                    Env = EnvironmentLines(spec.Env, spec.SecretEnv),
                    Command = spec.Command?.ToList(),
                    StopGracePeriod = spec.StopGracePeriod,
                    User = spec.User,
                    ReadOnly = spec.ReadOnlyRootFilesystem,
                    Healthcheck = HealthcheckOf(spec.Healthcheck),
                    Mounts = spec.Volumes.Count == 0 ? null : spec.Volumes.Select(ToMount).ToList(),
                    Secrets = spec.Secrets.Count == 0
                        ? null
                        : spec.Secrets.Select(s => new SecretReference
                        {
                            SecretID = s.SecretId,
                            SecretName = s.SecretName,
                            File = new SecretReferenceFileTarget { Name = s.File, UID = s.Uid, GID = s.Gid, Mode = s.Mode },
                        }).ToList(),
                },
                Networks = spec.Networks.Count == 0 ? null : spec.Networks.Select(n => new NetworkAttachmentConfig { Target = n }).ToList(),
                Resources = new ResourceRequirements
                {
                    Limits = new SwarmLimit { MemoryBytes = spec.MemoryLimit ?? 0, NanoCPUs = Nano(spec.CpuLimit) },
                    Reservations = new SwarmResources { MemoryBytes = spec.MemoryReservation ?? 0, NanoCPUs = Nano(spec.CpuReservation) },
                },
            },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)spec.Replicas } },
            UpdateConfig = Policy(),
            RollbackConfig = Policy(),
            // DNS round robin: tasks reach each other by the service's name without a virtual IP (which needs IPVS).
            EndpointSpec = spec.ContainerPort is { } port && spec.HostPort is { } host
                ? new EndpointSpec
                {
                    Mode = "dnsrr",
                    Ports = [new PortConfig { Protocol = "tcp", TargetPort = (uint)port, PublishedPort = (uint)host, PublishMode = "host" }],
                }
                : new EndpointSpec { Mode = "dnsrr" },
        };
    }

    private static long Nano(double? cpus) => cpus is { } c ? (long)Math.Round(c * 1e9) : 0;

    /// <summary>SOURCE:/path[:ro]: an absolute source is a bind mount, anything else a named volume.</summary>
    private static Mount ToMount(string volume)
    {
        var parts = volume.Split(':');
        return new Mount
        {
            Type = parts[0].StartsWith('/') ? "bind" : "volume",
            Source = parts[0],
            Target = parts[1],
            ReadOnly = parts.Length > 2 && parts[2] == "ro",
        };
    }
}
