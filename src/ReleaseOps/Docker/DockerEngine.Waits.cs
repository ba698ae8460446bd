using System.Diagnostics;
using Docker.DotNet.Models;

namespace ReleaseOps.Docker;

/// <summary>Waits the library has no notion of: a container turning healthy, a service's tasks converging.</summary>
public sealed partial class DockerEngine
{
    /// <summary>
    /// Polls the container until its healthcheck says healthy (or, without a healthcheck, it runs), it turns
    /// unhealthy, it stops, or <paramref name="timeout"/> passes. Never throws for those outcomes: the
    /// result says which one happened. Throws only when the container does not exist or the daemon fails.
    /// </summary>
    public async Task<ContainerHealthResult> WaitForContainerHealthAsync(string container, TimeSpan timeout,
        TimeSpan? pollInterval = null, CancellationToken cancellation = default)
    {
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(250);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var details = await InspectContainerAsync(container, cancellation).ConfigureAwait(false);
            if (ContainerHealthResult.OutcomeOf(details) is { } outcome)
            {
                return ContainerHealthResult.From(container, outcome, details, clock.Elapsed);
            }
            if (clock.Elapsed >= timeout)
            {
                return ContainerHealthResult.From(container, ContainerHealthResult.TimedOutStatus, details, clock.Elapsed);
            }
            var remaining = timeout - clock.Elapsed;
            await Task.Delay(remaining < interval ? remaining : interval, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Watches a service's tasks until exactly <paramref name="replicas"/> run <paramref name="image"/> and no task of
    /// another image still runs, or <paramref name="timeout"/> passes. The answer comes from the task states, not
    /// from the update's reply. Never throws for a timeout: the result says whether it converged.
    /// </summary>
    public async Task<ServiceTasksResult> WaitForServiceTasksAsync(string service, string image, int replicas, TimeSpan timeout,
        TimeSpan? pollInterval = null, CancellationToken cancellation = default)
    {
        var interval = pollInterval ?? TimeSpan.FromMilliseconds(250);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var tasks = (await ListTasksAsync(service, cancellation: cancellation).ConfigureAwait(false)).ToArray();
            var running = tasks.Where(t => t.Status?.State == TaskState.Running).ToArray();
            var converged = running.Length == replicas
                && running.All(t => t.DesiredState == TaskState.Running && ImageMatches(t.Spec?.ContainerSpec?.Image, image));
            if (converged || clock.Elapsed >= timeout)
            {
                return new ServiceTasksResult(service, converged, running, tasks, clock.Elapsed);
            }
            var remaining = timeout - clock.Elapsed;
            await Task.Delay(remaining < interval ? remaining : interval, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>A task runs the image when it names it, with or without the digest Swarm pins it to.</summary>
    internal static bool ImageMatches(string? taskImage, string image) =>
        taskImage == image || (taskImage?.StartsWith(image + "@", StringComparison.Ordinal) ?? false);
}

/// <summary>How a wait for a container's health ended.</summary>
/// <param name="Container">The container waited on.</param>
/// <param name="Status"><c>healthy</c>, <c>running</c> (no healthcheck), <c>unhealthy</c>, <c>exited</c> (stopped) or <c>timeout</c>.</param>
/// <param name="IsHealthy">True for <c>healthy</c> and for <c>running</c> without a healthcheck.</param>
/// <param name="Details">The last inspection.</param>
/// <param name="Elapsed">How long the wait took.</param>
/// <param name="LastProbeOutput">The output of the last healthcheck run, if any.</param>
public sealed record ContainerHealthResult(string Container, string Status, bool IsHealthy, ContainerInspectResponse Details,
    TimeSpan Elapsed, string? LastProbeOutput)
{
    public const string TimedOutStatus = "timeout";
    public const string ExitedStatus = "exited";
    public const string RunningStatus = "running";

    internal static string? OutcomeOf(ContainerInspectResponse details)
    {
        var state = details.State;
        if (state is null || (!state.Running && !state.Restarting && state.Status is not "created"))
        {
            return ExitedStatus;
        }
        return details.HealthStatus() switch
        {
            ContainerHealth.Healthy => ContainerHealth.Healthy,
            ContainerHealth.Unhealthy => ContainerHealth.Unhealthy,
            ContainerHealth.None when state.Running => RunningStatus,
            _ => null,
        };
    }

    internal static ContainerHealthResult From(string container, string status, ContainerInspectResponse details, TimeSpan elapsed) =>
        new(container, status, status is ContainerHealth.Healthy or RunningStatus, details, elapsed,
            details.State?.Health?.Log is { Count: > 0 } log ? log[^1].Output.Trim() : null);
}

/// <summary>How a wait for a service's tasks ended: whether they converged, the running tasks and all tasks seen last.</summary>
public sealed record ServiceTasksResult(string Service, bool Converged, IReadOnlyList<TaskResponse> RunningTasks,
    IReadOnlyList<TaskResponse> Tasks, TimeSpan Elapsed);
