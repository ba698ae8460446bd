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
                details.UpdateStatus?.State, details.PreviousImage());
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
            t.CreatedAt is { } created && created != default ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null)).ToArray();
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
                },
            },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = (ulong)spec.Replicas } },
            UpdateConfig = Policy(),
            RollbackConfig = Policy(),
            EndpointSpec = spec.ContainerPort is { } port && spec.HostPort is { } host
                ? new EndpointSpec
                {
                    Mode = "vip",
                    Ports = [new PortConfig { Protocol = "tcp", TargetPort = (uint)port, PublishedPort = (uint)host, PublishMode = "host" }],
                }
                : null,
        };
    }
}
