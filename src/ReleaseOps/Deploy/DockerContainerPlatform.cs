using System.Globalization;
using Docker.DotNet.Models;
using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Deploy;

/// <summary>The deployment's Docker operations over the Docker adapter (Docker.DotNet.Enhanced underneath).</summary>
public sealed partial class DockerContainerPlatform : IContainerPlatform, IDisposable
{
    private readonly DockerEngine _client;
    private readonly bool _owns;

    public DockerContainerPlatform(DockerEngine client, bool ownsClient = false)
    {
        _client = client;
        _owns = ownsClient;
    }

    /// <summary>The engine a plan names (docker.host), else DOCKER_HOST and friends.</summary>
    public static IContainerPlatform For(ReleasePlan plan) => new DockerContainerPlatform(new DockerEngine(plan.Docker.Resolve()), ownsClient: true);

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
        return details.RepoDigests is { Count: > 0 } digests ? digests[0][(digests[0].IndexOf('@') + 1)..] : details.ID;
    }

    public async Task<IReadOnlyList<InstanceState>> ListAsync(IReadOnlyDictionary<string, string> labels, CancellationToken cancellation)
    {
        var list = await _client.ListContainersAsync(labels.ToDictionary(kv => kv.Key, kv => (string?)kv.Value), cancellation: cancellation)
            .ConfigureAwait(false);
        var result = new List<InstanceState>();
        foreach (var summary in list)
        {
            // The summary of API 1.41 has no health; inspect running ones for it.
            string? health = null;
            if (summary.IsRunning())
            {
                var details = await _client.TryInspectContainerAsync(summary.ID, cancellation).ConfigureAwait(false);
                if (details is null) continue;
                health = Health(details);
            }
            result.Add(new InstanceState(summary.ID, summary.ShortName(), summary.Image, ReadOnly(summary.Labels), summary.IsRunning(), health, null));
        }
        return result;
    }

    public async Task<InstanceState> InspectAsync(string id, CancellationToken cancellation)
    {
        var d = await _client.InspectContainerAsync(id, cancellation).ConfigureAwait(false);
        return new InstanceState(d.ID, d.ShortName(), d.Config?.Image ?? d.Image, ReadOnly(d.Config?.Labels), d.IsRunning(),
            Health(d), d.IsRunning() ? null : d.State?.ExitCode);
    }

    public async Task<string> RunAsync(InstanceSpec spec, CancellationToken cancellation)
    {
        var id = await CreateAsync(spec, cancellation).ConfigureAwait(false);
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
        var id = await CreateAsync(spec, cancellation).ConfigureAwait(false);
        try
        {
            await _client.StartContainerAsync(id, cancellation).ConfigureAwait(false);
            long exitCode;
            try
            {
                exitCode = await _client.WaitContainerAsync(id, timeout, cancellation).ConfigureAwait(false);
            }
            catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.Timeout)
            {
                throw new ReleaseOpsException("MigrationTimedOut", FailureKind.Timeout,
                    $"{spec.Name} did not finish within {DurationText.Format(timeout)}; it was stopped.", spec.Name,
                    "Raise migration.timeout or make the migration faster.", ex);
            }
            var output = await _client.GetContainerOutputAsync(id, tail: 200, cancellation).ConfigureAwait(false);
            return (exitCode, output);
        }
        finally
        {
            await _client.RemoveContainerAsync(id, force: true, cancellation: CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static string? Health(ContainerInspectResponse details) =>
        details.HealthStatus() is var health && health == ContainerHealth.None ? null : health;

    /// <summary>NAME=VALUE lines; secret values are revealed here, into the request only.</summary>
    private static List<string> EnvironmentLines(IReadOnlyDictionary<string, string> plain, IReadOnlyDictionary<string, Secrets.SecretValue> secrets) =>
        plain.Select(e => $"{e.Key}={e.Value}").Concat(secrets.Select(e => $"{e.Key}={e.Value.Reveal()}")).ToList();

    private static IReadOnlyDictionary<string, string> ReadOnly(IDictionary<string, string>? labels) =>
        labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels);

    /// <summary>
    /// Creates the container the spec describes: the first network at creation, the others connected
    /// after; secret environment values revealed only into the request and kept out of its errors.
    /// </summary>
    private Task<string> CreateAsync(InstanceSpec spec, CancellationToken cancellation)
    {
        var ports = spec.ContainerPort is { } port && spec.HostPort is { } host
            ? new Dictionary<string, IList<PortBinding>>
            {
                [port.ToString(CultureInfo.InvariantCulture) + "/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = host.ToString(CultureInfo.InvariantCulture) }],
            }
            : null;
        var parameters = new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Labels = new Dictionary<string, string>(spec.Labels),
            Env = EnvironmentLines(spec.Env, spec.SecretEnv),
            Cmd = spec.Command?.ToList(),
            User = spec.User,
            ExposedPorts = ports?.ToDictionary(p => p.Key, _ => default(EmptyStruct)),
            HostConfig = new HostConfig
            {
                ReadonlyRootfs = spec.ReadOnlyRootFilesystem,
                Memory = spec.MemoryLimit ?? 0,
                NanoCPUs = spec.CpuLimit is { } cpus ? (long)Math.Round(cpus * 1e9) : 0,
                PortBindings = ports,
                NetworkMode = spec.Networks.FirstOrDefault() ?? "",
                Binds = spec.Volumes.Count == 0 ? null : spec.Volumes.ToList(),
                CapDrop = spec.CapDrop.Count == 0 ? null : spec.CapDrop.ToList(),
                CapAdd = spec.CapAdd.Count == 0 ? null : spec.CapAdd.ToList(),
                RestartPolicy = spec.Restart is { } restart ? new RestartPolicy { Name = RestartPolicyOf(restart) } : null,
                LogConfig = spec.Logging is { } logging
                    ? new LogConfig { Type = logging.Driver, Config = new Dictionary<string, string>(logging.Options) }
                    : null,
            },
            Healthcheck = HealthcheckOf(spec.Healthcheck),
        };
        return _client.CreateContainerAsync(parameters, spec.Networks.Skip(1).ToArray(), spec.SecretEnv.Values, cancellation);
    }

    /// <summary>The plan's HEALTHCHECK as the engine takes it, for containers and Swarm tasks alike (timings not given: Docker's).</summary>
    internal static HealthcheckConfig? HealthcheckOf(Plans.HealthcheckDefinition? healthcheck) => healthcheck is null ? null : new HealthcheckConfig
    {
        Test = healthcheck.DockerTest.ToList(),
        Interval = healthcheck.Interval,
        Timeout = healthcheck.Timeout,
        Retries = healthcheck.Retries ?? 0,
        StartPeriod = healthcheck.StartPeriod,
    };

    private static RestartPolicyKind RestartPolicyOf(string name) => name switch
    {
        "always" => RestartPolicyKind.Always,
        "unless-stopped" => RestartPolicyKind.UnlessStopped,
        "on-failure" => RestartPolicyKind.OnFailure,
        _ => RestartPolicyKind.No,
    };

    public void Dispose()
    {
        if (_owns) _client.Dispose();
    }
}
