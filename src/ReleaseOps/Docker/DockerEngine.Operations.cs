using System.Diagnostics;
using System.Globalization;
using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>The calls the engine's capabilities make, each one library call through the adapter's error mapping.</summary>
public sealed partial class DockerEngine
{
    // ---- daemon ---------------------------------------------------------------------------------

    /// <summary>GET /_ping once the API version is settled; the round trip.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellation = default)
    {
        await ConnectAsync(cancellation).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        await CallAsync("the daemon", (api, token) => api.System.PingAsync(token), cancellation).ConfigureAwait(false);
        return clock.Elapsed;
    }

    public Task<VersionResponse> GetVersionAsync(CancellationToken cancellation = default) =>
        CallAsync("the daemon", (api, token) => api.System.GetVersionAsync(token), cancellation);

    public Task<SystemInfoResponse> GetSystemInfoAsync(CancellationToken cancellation = default) =>
        CallAsync("the daemon", (api, token) => api.System.GetSystemInfoAsync(token), cancellation);

    // ---- containers -----------------------------------------------------------------------------

    /// <summary>Containers (running or not, unless <paramref name="all"/> is false) carrying the labels (a null value: any value) and whose name contains <paramref name="name"/>.</summary>
    public Task<IList<ContainerListResponse>> ListContainersAsync(IReadOnlyDictionary<string, string?>? labels = null, string? name = null,
        bool all = true, CancellationToken cancellation = default)
    {
        var filters = Filters(("label", labels?.Select(l => l.Value is null ? l.Key : $"{l.Key}={l.Value}")), ("name", name is null ? null : [name]));
        return CallAsync("containers", (api, token) =>
            api.Containers.ListContainersAsync(new ContainersListParameters { All = all, Filters = filters }, token), cancellation);
    }

    /// <summary>
    /// GET /containers/{id}/json. The environment comes back as names only: Docker returns values,
    /// and a value may be a secret that must not reach a record.
    /// </summary>
    public async Task<ContainerInspectResponse> InspectContainerAsync(string container, CancellationToken cancellation = default)
    {
        var details = await CallAsync(ContainerTarget(container), (api, token) => api.Containers.InspectContainerAsync(container, token),
            cancellation).ConfigureAwait(false);
        if (details.Config?.Env is { } env)
        {
            details.Config.Env = env.Select(e => e.Split('=', 2)[0]).ToList();
        }
        return details;
    }

    /// <summary>Like <see cref="InspectContainerAsync"/>, but null when the container does not exist.</summary>
    public async Task<ContainerInspectResponse?> TryInspectContainerAsync(string container, CancellationToken cancellation = default)
    {
        try
        {
            return await InspectContainerAsync(container, cancellation).ConfigureAwait(false);
        }
        catch (Errors.ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Creates a container and connects it to <paramref name="moreNetworks"/> (the API connects only one at
    /// creation before 1.44); a container whose network cannot be connected is removed again. The
    /// <paramref name="secrets"/> the parameters carry (environment values) are kept out of every error.
    /// </summary>
    public async Task<string> CreateContainerAsync(CreateContainerParameters parameters, IReadOnlyList<string>? moreNetworks = null,
        IEnumerable<SecretValue>? secrets = null, CancellationToken cancellation = default)
    {
        var target = parameters.Name is null ? $"container from image '{parameters.Image}'" : ContainerTarget(parameters.Name);
        var id = (await CallAsync(target, (api, token) => api.Containers.CreateContainerAsync(parameters, token), cancellation,
            secrets: secrets).ConfigureAwait(false)).ID;
        try
        {
            foreach (var network in moreNetworks ?? [])
            {
                await CallAsync($"network '{network}'", (api, token) => api.Networks.ConnectNetworkAsync(network,
                    new NetworkConnectParameters { Container = id }, token), cancellation).ConfigureAwait(false);
            }
        }
        catch
        {
            await RemoveContainerAsync(id, force: true, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return id;
    }

    /// <summary>False when it was already running.</summary>
    public Task<bool> StartContainerAsync(string container, CancellationToken cancellation = default) =>
        CallAsync(ContainerTarget(container), (api, token) => api.Containers.StartContainerAsync(container, new ContainerStartParameters(), token),
            cancellation);

    /// <summary>
    /// The stop signal, then SIGKILL after <paramref name="grace"/> (default the container's own). False when it was
    /// not running. A zero grace is SIGKILL at once, as <c>docker stop -t 0</c> ends: the library leaves a zero
    /// <c>t</c> out of the query, which would make the daemon wait the container's default instead.
    /// </summary>
    public Task<bool> StopContainerAsync(string container, TimeSpan? grace = null, CancellationToken cancellation = default) =>
        CallAsync(ContainerTarget(container), async (api, token) =>
        {
            var seconds = grace is { } g ? (uint)Math.Ceiling(g.TotalSeconds) : (uint?)null;
            if (seconds != 0)
            {
                return await api.Containers.StopContainerAsync(container, new ContainerStopParameters { WaitBeforeKillSeconds = seconds }, token)
                    .ConfigureAwait(false);
            }
            try
            {
                await api.Containers.KillContainerAsync(container, new ContainerKillParameters { Signal = "KILL" }, token).ConfigureAwait(false);
                await api.Containers.WaitContainerAsync(container, token).ConfigureAwait(false);
                return true;
            }
            catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict && ex.ResponseBody?.Contains("not running") == true)
            {
                return false;
            }
        }, cancellation, Options.RequestTimeout + (grace ?? TimeSpan.FromSeconds(10)));

    /// <summary>Removes a container (<paramref name="force"/> kills a running one) and its anonymous volumes.</summary>
    public Task RemoveContainerAsync(string container, bool force = false, CancellationToken cancellation = default) =>
        CallAsync(ContainerTarget(container), (api, token) => api.Containers.RemoveContainerAsync(container,
            new ContainerRemoveParameters { Force = force, RemoveVolumes = true }, token), cancellation);

    /// <summary>Waits until the container is not running and returns its exit code; <c>DockerTimeout</c> after <paramref name="timeout"/>.</summary>
    public async Task<long> WaitContainerAsync(string container, TimeSpan timeout, CancellationToken cancellation = default) =>
        (await GuardAsync(ContainerTarget(container), "a wait",
            async token => await (await ApiAsync(token).ConfigureAwait(false)).Containers.WaitContainerAsync(container, token).ConfigureAwait(false),
            cancellation, timeout).ConfigureAwait(false)).StatusCode;

    /// <summary>The last <paramref name="tail"/> lines of the container's output, stdout and stderr as they were written.</summary>
    public Task<string> GetContainerOutputAsync(string container, int tail, CancellationToken cancellation = default) =>
        CallAsync(ContainerTarget(container), async (api, token) =>
        {
            using var stream = await api.Containers.GetContainerLogsAsync(container, new ContainerLogsParameters
            {
                ShowStdout = true,
                ShowStderr = true,
                Tail = tail.ToString(CultureInfo.InvariantCulture),
            }, token).ConfigureAwait(false);
            using var output = new MemoryStream();
            var buffer = new byte[16 * 1024];
            while (await stream.ReadOutputAsync(buffer, 0, buffer.Length, token).ConfigureAwait(false) is { EOF: false } read)
            {
                output.Write(buffer, 0, read.Count);
            }
            return Encoding.UTF8.GetString(output.GetBuffer(), 0, (int)output.Length);
        }, cancellation);

    /// <summary>One stats sample (the daemon takes about a second to measure the CPU delta) as CPU % and memory %.</summary>
    public Task<ContainerResourceUse> GetResourceUseAsync(string container, CancellationToken cancellation = default) =>
        CallAsync(ContainerTarget(container), async (api, token) =>
        {
            var sample = new LastOf<ContainerStatsResponse>();
            await api.Containers.GetContainerStatsAsync(container, new ContainerStatsParameters { Stream = false }, sample, token)
                .ConfigureAwait(false);
            return ContainerResourceUse.From(sample.Value ?? throw new IOException("the daemon sent no stats sample"));
        }, cancellation);

    // ---- images and networks --------------------------------------------------------------------

    public Task<ImageInspectResponse?> TryInspectImageAsync(string image, CancellationToken cancellation = default) =>
        TryCallAsync($"image '{image}'", (api, token) => api.Images.InspectImageAsync(image, token), cancellation);

    public Task<NetworkResponse?> TryInspectNetworkAsync(string network, CancellationToken cancellation = default) =>
        TryCallAsync($"network '{network}'", (api, token) => api.Networks.InspectNetworkAsync(network, token), cancellation);

    // ---- swarm ----------------------------------------------------------------------------------

    public Task<SwarmService> InspectServiceAsync(string service, CancellationToken cancellation = default) =>
        CallAsync(ServiceTarget(service), (api, token) => api.Swarm.InspectServiceAsync(service, token), cancellation);

    public Task<SwarmService?> TryInspectServiceAsync(string service, CancellationToken cancellation = default) =>
        TryCallAsync(ServiceTarget(service), (api, token) => api.Swarm.InspectServiceAsync(service, token), cancellation);

    /// <summary>Creates a service; returns its id. <paramref name="secrets"/> (environment values in the spec) are kept out of every error.</summary>
    public async Task<string> CreateServiceAsync(ServiceSpec spec, IEnumerable<SecretValue>? secrets = null, CancellationToken cancellation = default) =>
        (await CallAsync(ServiceTarget(spec.Name ?? "(unnamed)"), (api, token) =>
            api.Swarm.CreateServiceAsync(new ServiceCreateParameters { Service = spec }, token), cancellation, secrets: secrets)
            .ConfigureAwait(false)).ID!;

    /// <summary>
    /// Replaces a service's spec. <paramref name="version"/> is the version index the change is based on;
    /// a stale one is a <c>DockerConflict</c> (someone else updated in between).
    /// </summary>
    public Task UpdateServiceAsync(string service, long version, ServiceSpec spec, IEnumerable<SecretValue>? secrets = null,
        CancellationToken cancellation = default) =>
        CallAsync(ServiceTarget(service), (api, token) =>
            api.Swarm.UpdateServiceAsync(service, new ServiceUpdateParameters { Service = spec, Version = version }, token), cancellation,
            secrets: secrets);

    /// <summary>Swarm's own rollback to the previous spec (<c>docker service rollback</c>), at the current version index.</summary>
    public Task RollbackServiceAsync(string service, CancellationToken cancellation = default) =>
        CallAsync(ServiceTarget(service), async (api, token) =>
        {
            var current = await api.Swarm.InspectServiceAsync(service, token).ConfigureAwait(false);
            return await api.Swarm.UpdateServiceAsync(service, new ServiceUpdateParameters
            {
                Service = current.Spec!,
                Version = (long)(current.Version?.Index ?? 0),
                Rollback = "previous",
            }, token).ConfigureAwait(false);
        }, cancellation);

    public Task RemoveServiceAsync(string service, CancellationToken cancellation = default) =>
        CallAsync(ServiceTarget(service), (api, token) => api.Swarm.RemoveServiceAsync(service, token), cancellation);

    /// <summary>The tasks of a service (by name or id), optionally only those with a desired state such as <c>running</c>.</summary>
    public Task<IList<TaskResponse>> ListTasksAsync(string service, string? desiredState = null, CancellationToken cancellation = default) =>
        CallAsync($"tasks of {ServiceTarget(service)}", (api, token) => api.Tasks.ListAsync(new TasksListParameters
        {
            Filters = Filters(("service", [service]), ("desired-state", desiredState is null ? null : [desiredState])),
        }, token), cancellation);

    /// <summary>Every Swarm service, with its spec (the secrets its tasks mount among it).</summary>
    public Task<IList<SwarmService>> ListServicesAsync(CancellationToken cancellation = default) =>
        CallAsync("services", (api, token) => api.Swarm.ListServicesAsync(new ServiceListParameters(), token), cancellation);

    /// <summary>Swarm secrets: metadata only, Docker never gives a value back.</summary>
    public Task<IList<Secret>> ListSecretsAsync(CancellationToken cancellation = default) =>
        CallAsync("secrets", (api, token) => api.Secrets.ListAsync(token), cancellation);

    /// <summary>The library's filter form: name -> { value: true }.</summary>
    private static Dictionary<string, IDictionary<string, bool>> Filters(params (string Name, IEnumerable<string>? Values)[] filters) =>
        filters.Where(f => f.Values is not null && f.Values.Any())
            .ToDictionary(f => f.Name, f => (IDictionary<string, bool>)f.Values!.ToDictionary(v => v, _ => true));

    /// <summary>Keeps the last value reported, synchronously (<see cref="Progress{T}"/> would post it later).</summary>
    private sealed class LastOf<T> : IProgress<T>
    {
        public T? Value { get; private set; }

        public void Report(T value) => Value = value;
    }
}
