using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Deploy;

/// <summary>The deployment's Docker operations over ReleaseOps's own Engine API client.</summary>
public sealed partial class DockerContainerPlatform : IContainerPlatform, IDisposable
{
    private readonly DockerClient _client;
    private readonly bool _owns;

    public DockerContainerPlatform(DockerClient client, bool ownsClient = false)
    {
        _client = client;
        _owns = ownsClient;
    }

    /// <summary>The engine a plan names (docker.host), else DOCKER_HOST and friends.</summary>
    public static IContainerPlatform For(ReleasePlan plan) => new DockerContainerPlatform(DockerClient.For(plan.Docker), ownsClient: true);

    public string Endpoint => _client.Endpoint.ToString();

    public async Task<string> ResolveImageAsync(string image, CancellationToken cancellation)
    {
        var details = await _client.TryInspectImageAsync(image, cancellation).ConfigureAwait(false);
        if (details is null)
        {
            throw new ReleaseOpsException("ImageNotFound", FailureKind.NotFound,
                $"Image {image} is not on the Docker engine at {Endpoint}; nothing was changed.", image,
                "Build or pull the image (docker pull / docker load) before deploying this version.");
        }
        return details.RepoDigests.Count > 0 ? details.RepoDigests[0][(details.RepoDigests[0].IndexOf('@') + 1)..] : details.Id;
    }

    public async Task<IReadOnlyList<InstanceState>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellation)
    {
        var filter = new ContainerListFilter { All = true, Labels = labels.ToDictionary(kv => kv.Key, kv => (string?)kv.Value) };
        var list = await _client.ListContainersAsync(filter, cancellation).ConfigureAwait(false);
        var result = new List<InstanceState>();
        foreach (var summary in list)
        {
            // The summary has no health; inspect running ones for it.
            string? health = null;
            if (summary.IsRunning)
            {
                var details = await _client.TryInspectContainerAsync(summary.Id, cancellation).ConfigureAwait(false);
                if (details is null) continue;
                health = details.HealthStatus == ContainerHealth.None ? null : details.HealthStatus;
            }
            result.Add(new InstanceState(summary.Id, summary.Name, summary.Image, summary.Labels, summary.IsRunning, health, null));
        }
        return result;
    }

    public async Task<InstanceState> InspectAsync(string id, CancellationToken cancellation)
    {
        var d = await _client.InspectContainerAsync(id, cancellation).ConfigureAwait(false);
        return new InstanceState(d.Id, d.ShortName, d.Config.Image, d.Config.Labels, d.State.Running,
            d.HealthStatus == ContainerHealth.None ? null : d.HealthStatus, d.State.Running ? null : d.State.ExitCode);
    }

    public async Task<string> RunAsync(InstanceSpec spec, CancellationToken cancellation)
    {
        var id = await _client.CreateContainerAsync(ToContainerSpec(spec), cancellation).ConfigureAwait(false);
        try
        {
            await _client.StartContainerAsync(id, cancellation).ConfigureAwait(false);
        }
        catch
        {
            // A container that cannot start (port taken, bad command) is not left behind.
            await _client.RemoveContainerAsync(id, force: true, cancellation: CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        return id;
    }

    public Task StartAsync(string id, CancellationToken cancellation) => _client.StartContainerAsync(id, cancellation);

    public Task StopAsync(string id, TimeSpan grace, CancellationToken cancellation) => _client.StopContainerAsync(id, grace, cancellation);

    public async Task RemoveAsync(string id, CancellationToken cancellation)
    {
        try
        {
            await _client.RemoveContainerAsync(id, force: true, cancellation: cancellation).ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound)
        {
        }
    }

    public async Task<(long ExitCode, string Output)> RunToCompletionAsync(InstanceSpec spec, TimeSpan timeout, CancellationToken cancellation)
    {
        var id = await _client.CreateContainerAsync(ToContainerSpec(spec), cancellation).ConfigureAwait(false);
        try
        {
            await _client.StartContainerAsync(id, cancellation).ConfigureAwait(false);
            ContainerWaitResult wait;
            try
            {
                wait = await _client.WaitContainerAsync(id, ContainerWaitCondition.NotRunning, timeout, cancellation).ConfigureAwait(false);
            }
            catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.Timeout)
            {
                throw new ReleaseOpsException("MigrationTimedOut", FailureKind.Timeout,
                    $"{spec.Name} did not finish within {DurationText.Format(timeout)}; it was stopped.", spec.Name,
                    "Raise migration.timeout or make the migration faster.", ex);
            }
            var output = await LogsAsync(id, cancellation).ConfigureAwait(false);
            return (wait.StatusCode, output);
        }
        finally
        {
            await _client.RemoveContainerAsync(id, force: true, cancellation: CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task<string> LogsAsync(string id, CancellationToken cancellation)
    {
        var text = new System.Text.StringBuilder();
        await foreach (var line in _client.GetContainerLogsAsync(id, new ContainerLogOptions { Tail = 200 }, cancellation).ConfigureAwait(false))
        {
            text.AppendLine(line.Text.TrimEnd('\n'));
        }
        return text.ToString();
    }

    private static ContainerSpec ToContainerSpec(InstanceSpec spec) => new()
    {
        Name = spec.Name,
        Image = spec.Image,
        Labels = spec.Labels,
        Env = spec.Env,
        SecretEnv = spec.SecretEnv,
        Command = spec.Command,
        User = spec.User,
        ReadOnlyRootFilesystem = spec.ReadOnlyRootFilesystem,
        MemoryLimit = spec.MemoryLimit,
        CpuLimit = spec.CpuLimit,
        Networks = spec.Networks,
        Ports = spec.ContainerPort is { } port && spec.HostPort is { } host
            ? new[] { new PortBinding(port, host, "127.0.0.1") }
            : Array.Empty<PortBinding>(),
    };

    public void Dispose()
    {
        if (_owns) _client.Dispose();
    }
}
