using ReleaseOps.Errors;

namespace ReleaseOps.Deploy;

// Swarm services and tasks arrive with the Docker client's next slice; until then a
// Swarm target is refused with a clear error instead of being half-supported.
public sealed partial class DockerContainerPlatform
{
    private static ReleaseOpsException SwarmPending() => new("SwarmTargetUnavailable", FailureKind.VersionMismatch,
        "This build's Docker client does not manage Swarm services yet.", "swarm", "Use target: container for now.");

    public Task<SwarmServiceState?> InspectServiceAsync(string name, CancellationToken cancellation) => throw SwarmPending();

    public Task CreateServiceAsync(SwarmServiceSpec spec, CancellationToken cancellation) => throw SwarmPending();

    public Task UpdateServiceAsync(SwarmServiceSpec spec, long version, CancellationToken cancellation) => throw SwarmPending();

    public Task RollbackServiceAsync(string name, CancellationToken cancellation) => throw SwarmPending();

    public Task<IReadOnlyList<SwarmTaskState>> ListTasksAsync(string service, CancellationToken cancellation) => throw SwarmPending();

    public Task RemoveServiceAsync(string name, CancellationToken cancellation) => throw SwarmPending();

}
