using System.Diagnostics;
using System.Text.Json.Nodes;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

public sealed partial class DockerClient
{
    /// <summary>GET /swarm. Throws <see cref="DockerErrorIds.SwarmUnavailable"/> when the engine is not a swarm manager.</summary>
    public Task<SwarmDetails> InspectSwarmAsync(CancellationToken cancellation = default) =>
        GetJsonAsync<SwarmDetails>("swarm", null, "swarm", cancellation);

    /// <summary>GET /nodes.</summary>
    public Task<IReadOnlyList<NodeDetails>> ListNodesAsync(CancellationToken cancellation = default) =>
        GetJsonAsync<IReadOnlyList<NodeDetails>>("nodes", null, "swarm nodes", cancellation);

    // ---- services -----------------------------------------------------------------------------

    /// <summary>GET /services, optionally by exact name or labels.</summary>
    public async Task<IReadOnlyList<ServiceDetails>> ListServicesAsync(string? name = null,
        IReadOnlyDictionary<string, string?>? labels = null, CancellationToken cancellation = default)
    {
        var filters = new List<KeyValuePair<string, string>>();
        AddFilter(filters, "name", name);
        AddLabelFilters(filters, labels);
        var services = await GetJsonAsync<IReadOnlyList<ServiceDetails>>("services",
            new DockerQuery().Add("filters", DockerJson.Filters(filters)), "services", cancellation).ConfigureAwait(false);
        // Docker's name filter matches prefixes; an exact name asks for that service only.
        return name is null ? services : services.Where(s => s.Name == name).ToArray();
    }

    /// <summary>GET /services/{id}.</summary>
    public Task<ServiceDetails> InspectServiceAsync(string service, CancellationToken cancellation = default) =>
        GetJsonAsync<ServiceDetails>($"services/{Escape(service)}", null, ServiceTarget(service), cancellation);

    /// <summary>Like <see cref="InspectServiceAsync"/>, but null when the service does not exist.</summary>
    public Task<ServiceDetails?> TryInspectServiceAsync(string service, CancellationToken cancellation = default) =>
        OrNullWhenMissingAsync(InspectServiceAsync(service, cancellation));

    /// <summary>POST /services/create; returns the service id. Secrets named without an id are looked up first.</summary>
    public async Task<string> CreateServiceAsync(ServiceSpec spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var body = spec.ToJson(await ResolveSecretIdsAsync(spec, cancellation).ConfigureAwait(false));
        var created = await PostJsonAsync<CreatedObject>("services/create", null, body, ServiceTarget(spec.Name), cancellation,
            Redacting(spec.SecretEnv.Values)).ConfigureAwait(false);
        return created.Id;
    }

    /// <summary>
    /// POST /services/{id}/update: replaces the service's spec. <paramref name="version"/> is the
    /// <see cref="ServiceDetails.VersionIndex"/> the change is based on; a stale one is refused by the daemon
    /// (someone else updated in between).
    /// </summary>
    public async Task<ServiceUpdateResult> UpdateServiceAsync(string service, long version, ServiceSpec spec,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var body = spec.ToJson(await ResolveSecretIdsAsync(spec, cancellation).ConfigureAwait(false));
        return await PostServiceUpdateAsync(service, version, body, null, cancellation, Redacting(spec.SecretEnv.Values))
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Updates only the image of a service's tasks, keeping everything else in its current spec (read fresh, with its
    /// version index). <paramref name="force"/> redeploys the tasks even when the image is unchanged.
    /// </summary>
    public async Task<ServiceUpdateResult> UpdateServiceImageAsync(string service, string image, bool force = false,
        CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(image);
        var (version, spec) = await GetRawServiceSpecAsync(service, cancellation).ConfigureAwait(false);
        if (spec["TaskTemplate"] is not JsonObject task || task["ContainerSpec"] is not JsonObject container)
        {
            throw new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.OperationFailed,
                $"{ServiceTarget(service)} has no container spec to change the image of.", target: ServiceTarget(service),
                fix: "Only container services can be updated this way.");
        }
        container["Image"] = image;
        if (force)
        {
            task["ForceUpdate"] = (task["ForceUpdate"]?.GetValue<long>() ?? 0) + 1;
        }
        return await PostServiceUpdateAsync(service, version, spec, null, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Rolls the service back to its previous spec, as <c>docker service rollback</c>: POST
    /// /services/{id}/update?rollback=previous with the current version index. Swarm then replaces the tasks
    /// following the service's RollbackConfig; watch the tasks to see it finish.
    /// </summary>
    public async Task<ServiceUpdateResult> RollbackServiceAsync(string service, CancellationToken cancellation = default)
    {
        var (version, spec) = await GetRawServiceSpecAsync(service, cancellation).ConfigureAwait(false);
        return await PostServiceUpdateAsync(service, version, spec, "previous", cancellation).ConfigureAwait(false);
    }

    /// <summary>DELETE /services/{id}: the service and its tasks.</summary>
    public Task RemoveServiceAsync(string service, CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Delete, $"services/{Escape(service)}", null, null, ServiceTarget(service), cancellation);

    // ---- tasks --------------------------------------------------------------------------------

    /// <summary>GET /tasks for a service (by name or id), optionally only those with a desired state such as <c>running</c>.</summary>
    public Task<IReadOnlyList<TaskDetails>> ListTasksAsync(string? service = null, string? desiredState = null,
        CancellationToken cancellation = default)
    {
        var filters = new List<KeyValuePair<string, string>>();
        AddFilter(filters, "service", service);
        AddFilter(filters, "desired-state", desiredState);
        return GetJsonAsync<IReadOnlyList<TaskDetails>>("tasks", new DockerQuery().Add("filters", DockerJson.Filters(filters)),
            service is null ? "tasks" : $"tasks of {ServiceTarget(service)}", cancellation);
    }

    /// <summary>GET /tasks/{id}.</summary>
    public Task<TaskDetails> InspectTaskAsync(string task, CancellationToken cancellation = default) =>
        GetJsonAsync<TaskDetails>($"tasks/{Escape(task)}", null, $"task '{task}'", cancellation);

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
            var tasks = await ListTasksAsync(service, cancellation: cancellation).ConfigureAwait(false);
            var running = tasks.Where(t => t.IsRunning).ToArray();
            var converged = running.Length == replicas
                && running.All(t => t.DesiredState == "running" && ImageMatches(t.Image, image));
            if (converged || clock.Elapsed >= timeout)
            {
                return new ServiceTasksResult(service, converged, running, tasks, clock.Elapsed);
            }
            var remaining = timeout - clock.Elapsed;
            await Task.Delay(remaining < interval ? remaining : interval, cancellation).ConfigureAwait(false);
        }
    }

    // ---- secrets ------------------------------------------------------------------------------

    /// <summary>GET /secrets, optionally by name (exact) or labels.</summary>
    public async Task<IReadOnlyList<SecretDetails>> ListSecretsAsync(string? name = null,
        IReadOnlyDictionary<string, string?>? labels = null, CancellationToken cancellation = default)
    {
        var filters = new List<KeyValuePair<string, string>>();
        AddFilter(filters, "name", name);
        AddLabelFilters(filters, labels);
        var secrets = await GetJsonAsync<IReadOnlyList<SecretDetails>>("secrets",
            new DockerQuery().Add("filters", DockerJson.Filters(filters)), "secrets", cancellation).ConfigureAwait(false);
        return name is null ? secrets : secrets.Where(s => s.Name == name).ToArray();
    }

    /// <summary>GET /secrets/{id}: metadata only; Docker never gives a secret's value back.</summary>
    public Task<SecretDetails> InspectSecretAsync(string secret, CancellationToken cancellation = default) =>
        GetJsonAsync<SecretDetails>($"secrets/{Escape(secret)}", null, SecretTarget(secret), cancellation);

    /// <summary>
    /// POST /secrets/create; returns the secret id. The value is revealed only into the request body and is
    /// redacted from any daemon message. 409 when the name exists (secrets are immutable: create a new name).
    /// </summary>
    public async Task<string> CreateSecretAsync(string name, SecretValue value, IReadOnlyDictionary<string, string>? labels = null,
        CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        var body = new JsonObject
        {
            ["Name"] = name,
            ["Labels"] = DockerJson.Map(labels ?? new Dictionary<string, string>()),
            ["Data"] = Convert.ToBase64String(value.RevealUtf8()),
        };
        var created = await PostJsonAsync<CreatedObject>("secrets/create", null, body, SecretTarget(name), cancellation,
            Redacting([value])).ConfigureAwait(false);
        return created.Id;
    }

    /// <summary>DELETE /secrets/{id}. 409 while a service uses it.</summary>
    public Task RemoveSecretAsync(string secret, CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Delete, $"secrets/{Escape(secret)}", null, null, SecretTarget(secret), cancellation);

    // ---- helpers ------------------------------------------------------------------------------

    internal static string ServiceTarget(string service) => $"service '{service}'";

    internal static string SecretTarget(string secret) => $"secret '{secret}'";

    private static bool ImageMatches(string taskImage, string image) =>
        taskImage == image || taskImage.StartsWith(image + "@", StringComparison.Ordinal);

    private async Task<(long Version, JsonObject Spec)> GetRawServiceSpecAsync(string service, CancellationToken cancellation)
    {
        var raw = await GetJsonAsync<JsonObject>($"services/{Escape(service)}", null, ServiceTarget(service), cancellation)
            .ConfigureAwait(false);
        var version = raw["Version"]?["Index"]?.GetValue<long>() ?? 0;
        var spec = raw["Spec"] as JsonObject ?? throw new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.OperationFailed,
            $"Docker returned {ServiceTarget(service)} without a spec.", target: ServiceTarget(service), fix: "Retry; check the daemon log.");
        spec.Parent?.AsObject().Remove("Spec");
        return (version, spec);
    }

    private async Task<ServiceUpdateResult> PostServiceUpdateAsync(string service, long version, JsonObject body, string? rollback,
        CancellationToken cancellation, SecretRedactor? redactor = null)
    {
        var query = new DockerQuery().Add("version", version).Add("rollback", rollback);
        var answer = await PostJsonAsync<UpdateAnswer>($"services/{Escape(service)}/update", query, body, ServiceTarget(service),
            cancellation, redactor).ConfigureAwait(false);
        return new ServiceUpdateResult(service, answer.Warnings ?? []);
    }

    private async Task<IReadOnlyDictionary<string, string>> ResolveSecretIdsAsync(ServiceSpec spec, CancellationToken cancellation)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var reference in spec.Secrets)
        {
            ids[reference.SecretName] = reference.SecretId
                ?? (await InspectSecretAsync(reference.SecretName, cancellation).ConfigureAwait(false)).Id;
        }
        return ids;
    }

    private static SecretRedactor? Redacting(IEnumerable<SecretValue> secrets)
    {
        var list = secrets.ToArray();
        return list.Length == 0 ? null : SecretRedactor.For(list);
    }

    private sealed record UpdateAnswer
    {
        public IReadOnlyList<string>? Warnings { get; init; }
    }
}
