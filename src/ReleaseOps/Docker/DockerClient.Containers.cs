using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using ReleaseOps.Errors;

namespace ReleaseOps.Docker;

public sealed partial class DockerClient
{
    /// <summary>GET /containers/json, narrowed by <paramref name="filter"/> (default: all containers).</summary>
    public Task<IReadOnlyList<ContainerSummary>> ListContainersAsync(ContainerListFilter? filter = null,
        CancellationToken cancellation = default)
    {
        filter ??= new ContainerListFilter();
        var filters = new List<KeyValuePair<string, string>>();
        AddLabelFilters(filters, filter.Labels);
        AddFilter(filters, "name", filter.Name);
        AddFilter(filters, "status", filter.Status);
        AddFilter(filters, "ancestor", filter.Ancestor);
        AddFilter(filters, "health", filter.Health);
        AddFilter(filters, "network", filter.Network);
        var query = new DockerQuery().Add("all", filter.All).Add("filters", DockerJson.Filters(filters));
        return GetJsonAsync<IReadOnlyList<ContainerSummary>>("containers/json", query, "containers", cancellation);
    }

    /// <summary>GET /containers/{id}/json. Throws <see cref="DockerErrorIds.ObjectNotFound"/> when it does not exist.</summary>
    public Task<ContainerDetails> InspectContainerAsync(string container, CancellationToken cancellation = default) =>
        GetJsonAsync<ContainerDetails>($"containers/{Escape(container)}/json", null, ContainerTarget(container), cancellation);

    /// <summary>Like <see cref="InspectContainerAsync"/>, but null when the container does not exist.</summary>
    public Task<ContainerDetails?> TryInspectContainerAsync(string container, CancellationToken cancellation = default) =>
        OrNullWhenMissingAsync(InspectContainerAsync(container, cancellation));

    /// <summary>
    /// POST /containers/create, then connects the networks after the first. Returns the new container's id.
    /// When a later network cannot be connected the container is removed again, so nothing is left half made.
    /// </summary>
    public async Task<string> CreateContainerAsync(ContainerSpec spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var query = new DockerQuery().Add("name", spec.Name);
        var target = spec.Name is null ? $"container from image '{spec.Image}'" : ContainerTarget(spec.Name);
        var created = await PostJsonAsync<CreatedObject>("containers/create", query, spec.ToCreateBody(), target, cancellation)
            .ConfigureAwait(false);
        try
        {
            foreach (var network in spec.Networks.Skip(1))
            {
                await ConnectNetworkAsync(network, created.Id, spec.NetworkAliases, cancellation).ConfigureAwait(false);
            }
        }
        catch
        {
            await RemoveContainerAsync(created.Id, force: true, cancellation: CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return created.Id;
    }

    /// <summary>POST /containers/{id}/start. False when it was already running.</summary>
    public async Task<bool> StartContainerAsync(string container, CancellationToken cancellation = default) =>
        await SendForStatusAsync(HttpMethod.Post, $"containers/{Escape(container)}/start", null, null,
            ContainerTarget(container), cancellation).ConfigureAwait(false) != HttpStatusCode.NotModified;

    /// <summary>
    /// POST /containers/{id}/stop: the stop signal, then SIGKILL after <paramref name="gracePeriod"/>
    /// (default: the container's own stop timeout, usually 10 s). False when it was not running.
    /// </summary>
    public async Task<bool> StopContainerAsync(string container, TimeSpan? gracePeriod = null,
        CancellationToken cancellation = default)
    {
        var query = new DockerQuery().Add("t", Seconds(gracePeriod));
        return await SendForStatusAsync(HttpMethod.Post, $"containers/{Escape(container)}/stop", query, null,
            ContainerTarget(container), cancellation, WithGrace(gracePeriod)).ConfigureAwait(false) != HttpStatusCode.NotModified;
    }

    /// <summary>POST /containers/{id}/restart with a stop grace period.</summary>
    public Task RestartContainerAsync(string container, TimeSpan? gracePeriod = null, CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Post, $"containers/{Escape(container)}/restart", new DockerQuery().Add("t", Seconds(gracePeriod)),
            null, ContainerTarget(container), cancellation, WithGrace(gracePeriod));

    /// <summary>POST /containers/{id}/kill with a signal (default SIGKILL). 409 when it is not running.</summary>
    public Task KillContainerAsync(string container, string? signal = null, CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Post, $"containers/{Escape(container)}/kill", new DockerQuery().Add("signal", signal),
            null, ContainerTarget(container), cancellation);

    /// <summary>DELETE /containers/{id}: <paramref name="force"/> kills a running one; <paramref name="removeVolumes"/> drops its anonymous volumes.</summary>
    public Task RemoveContainerAsync(string container, bool force = false, bool removeVolumes = false,
        CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Delete, $"containers/{Escape(container)}",
            new DockerQuery().Add("force", force).Add("v", removeVolumes), null, ContainerTarget(container), cancellation);

    /// <summary>POST /containers/{id}/rename. 409 when the new name is taken.</summary>
    public Task RenameContainerAsync(string container, string newName, CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Post, $"containers/{Escape(container)}/rename", new DockerQuery().Add("name", newName),
            null, ContainerTarget(container), cancellation);

    /// <summary>
    /// POST /containers/{id}/wait: blocks until the condition holds and returns the exit code. Without
    /// <paramref name="timeout"/> it waits as long as <paramref name="cancellation"/> allows.
    /// </summary>
    public async Task<ContainerWaitResult> WaitContainerAsync(string container,
        ContainerWaitCondition condition = ContainerWaitCondition.NotRunning, TimeSpan? timeout = null,
        CancellationToken cancellation = default)
    {
        var text = condition switch
        {
            ContainerWaitCondition.NextExit => "next-exit",
            ContainerWaitCondition.Removed => "removed",
            _ => "not-running",
        };
        using var timer = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timer.Token);
        if (timeout is { } limit)
        {
            timer.CancelAfter(limit);
        }
        try
        {
            var answer = await PostJsonAsync<WaitAnswer>($"containers/{Escape(container)}/wait",
                new DockerQuery().Add("condition", text), null, ContainerTarget(container), linked.Token,
                Timeout.InfiniteTimeSpan).ConfigureAwait(false);
            return new ContainerWaitResult(container, answer.StatusCode, answer.Error?.Message is { Length: > 0 } m ? m : null);
        }
        catch (OperationCanceledException ex) when (timer.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw TimedOut("a wait", ContainerTarget(container), timeout!.Value, ex);
        }
    }

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
            var outcome = ContainerHealthResult.OutcomeOf(details);
            if (outcome is not null)
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

    private static void AddLabelFilters(List<KeyValuePair<string, string>> filters, IReadOnlyDictionary<string, string?>? labels)
    {
        foreach (var (key, value) in labels ?? new Dictionary<string, string?>())
        {
            filters.Add(new("label", value is null ? key : $"{key}={value}"));
        }
    }

    /// <summary>The object, or null when the daemon says it does not exist (404).</summary>
    private static async Task<T?> OrNullWhenMissingAsync<T>(Task<T> lookup) where T : class
    {
        try
        {
            return await lookup.ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound)
        {
            return null;
        }
    }

    private static void AddFilter(List<KeyValuePair<string, string>> filters, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            filters.Add(new(name, value));
        }
    }

    internal static string ContainerTarget(string container) => $"container '{container}'";

    internal static string Escape(string segment)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(segment);
        return Uri.EscapeDataString(segment);
    }

    private static long? Seconds(TimeSpan? value) => value is { } v ? (long)Math.Ceiling(v.TotalSeconds) : null;

    /// <summary>A stop may take its whole grace period before the daemon answers.</summary>
    private TimeSpan WithGrace(TimeSpan? grace) => Options.RequestTimeout + (grace ?? TimeSpan.FromSeconds(10));

    private sealed record CreatedObject
    {
        public string Id { get; init; } = "";
        public IReadOnlyList<string>? Warnings { get; init; }
    }

    private sealed record WaitAnswer
    {
        public long StatusCode { get; init; }
        public WaitError? Error { get; init; }
    }

    private sealed record WaitError
    {
        public string? Message { get; init; }
    }
}

/// <summary>How a wait for a container's health ended.</summary>
/// <param name="Container">The container waited on.</param>
/// <param name="Status"><c>healthy</c>, <c>running</c> (no healthcheck), <c>unhealthy</c>, <c>exited</c> (stopped) or <c>timeout</c>.</param>
/// <param name="IsHealthy">True for <c>healthy</c> and for <c>running</c> without a healthcheck.</param>
/// <param name="Details">The last inspection.</param>
/// <param name="Elapsed">How long the wait took.</param>
/// <param name="LastProbeOutput">The output of the last healthcheck run, if any.</param>
public sealed record ContainerHealthResult(string Container, string Status, bool IsHealthy, ContainerDetails Details,
    TimeSpan Elapsed, string? LastProbeOutput)
{
    public const string TimedOutStatus = "timeout";
    public const string ExitedStatus = "exited";
    public const string RunningStatus = "running";

    internal static string? OutcomeOf(ContainerDetails details)
    {
        if (!details.State.Running && !details.State.Restarting && details.State.Status is not "created")
        {
            return ExitedStatus;
        }
        return details.HealthStatus switch
        {
            ContainerHealth.Healthy => ContainerHealth.Healthy,
            ContainerHealth.Unhealthy => ContainerHealth.Unhealthy,
            ContainerHealth.None when details.State.Running => RunningStatus,
            _ => null,
        };
    }

    internal static ContainerHealthResult From(string container, string status, ContainerDetails details, TimeSpan elapsed) =>
        new(container, status, status is ContainerHealth.Healthy or RunningStatus, details, elapsed,
            details.State.Health?.Log is { Count: > 0 } log ? log[^1].Output.Trim() : null);
}
