using ReleaseOps.Plans;

namespace ReleaseOps.Health;

/// <summary>
/// Something the scheduler samples: an HTTP endpoint, a TCP port, a container, a metrics endpoint.
/// <see cref="SampleAsync"/> never throws for a failing target: it returns a failed sample with the
/// reason. The scheduler never runs two samples of one probe at once.
/// </summary>
public interface IHealthProbe
{
    string Name { get; }

    ProbeType Type { get; }

    TimeSpan Interval { get; }

    /// <summary>Takes one sample; the scheduler fills in Timestamp, Offset and ScheduleLagMs.</summary>
    Task<HealthSample> SampleAsync(CancellationToken cancellation);
}

/// <summary>What a container looks like at one moment, as the Docker engine reports it.</summary>
public sealed record ContainerObservation(
    bool Exists,
    bool Running,
    string State,
    string? Health,
    int RestartCount,
    double? CpuPercent,
    double? MemoryPercent,
    long? MemoryBytes,
    long? MemoryLimitBytes);

/// <summary>Reads a container's state and resource use; implemented over the Docker adapter (<see cref="DockerContainerObserver"/>).</summary>
public interface IContainerObserver
{
    Task<ContainerObservation> ObserveAsync(string container, CancellationToken cancellation);
}
