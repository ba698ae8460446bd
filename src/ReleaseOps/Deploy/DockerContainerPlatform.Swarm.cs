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
            : new SwarmServiceState(details.Id, details.Name, details.Image, details.Version.Index, details.UpdateStatus?.State, details.PreviousImage);
    }

    public async Task CreateServiceAsync(SwarmServiceSpec spec, CancellationToken cancellation) =>
        await _client.CreateServiceAsync(ToServiceSpec(spec), cancellation).ConfigureAwait(false);

    public async Task UpdateServiceAsync(SwarmServiceSpec spec, long version, CancellationToken cancellation) =>
        await _client.UpdateServiceAsync(spec.Name, version, ToServiceSpec(spec), cancellation).ConfigureAwait(false);

    public async Task RollbackServiceAsync(string name, CancellationToken cancellation) =>
        await _client.RollbackServiceAsync(name, cancellation).ConfigureAwait(false);

    public async Task<IReadOnlyList<SwarmTaskState>> ListTasksAsync(string service, CancellationToken cancellation)
    {
        var tasks = await _client.ListTasksAsync(service, null, cancellation).ConfigureAwait(false);
        return tasks.Select(t => new SwarmTaskState(t.Id, t.Spec.ContainerSpec.Image, t.State, t.DesiredState,
            t.Status.Error is { Length: > 0 } e ? e : null, t.Status.ContainerStatus?.ExitCode)).ToArray();
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

    private static ServiceSpec ToServiceSpec(SwarmServiceSpec spec)
    {
        var policy = new ServiceUpdatePolicy
        {
            Parallelism = spec.Parallelism,
            Delay = spec.Delay,
            Monitor = spec.Monitor,
            FailureAction = "pause",
            Order = spec.StartFirst ? "start-first" : "stop-first",
        };
        return new ServiceSpec
        {
            Name = spec.Name,
            Image = spec.Image,
            Replicas = spec.Replicas,
            Labels = spec.Labels,
            ContainerLabels = spec.Labels,
            Env = spec.Env,
            SecretEnv = spec.SecretEnv,
            Command = spec.Command,
            StopGracePeriod = spec.StopGracePeriod,
            Ports = spec.ContainerPort is { } port && spec.HostPort is { } host
                ? new[] { ServicePortSpec.HostMode(port, host) }
                : Array.Empty<ServicePortSpec>(),
            UpdateConfig = policy,
            RollbackConfig = policy with { FailureAction = "pause" },
        };
    }
}
