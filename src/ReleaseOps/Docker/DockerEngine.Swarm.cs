using Docker.DotNet.Models;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>What Swarm releases need beyond services and tasks: overlay networks and Docker secrets.</summary>
public sealed partial class DockerEngine
{
    /// <summary>Creates a network; returns its id.</summary>
    public async Task<string> CreateNetworkAsync(NetworksCreateParameters parameters, CancellationToken cancellation = default) =>
        (await CallAsync($"network '{parameters.Name}'", (api, token) => api.Networks.CreateNetworkAsync(parameters, token), cancellation)
            .ConfigureAwait(false)).ID!;

    /// <summary>Connects a container to a network (an overlay must be attachable).</summary>
    public Task ConnectNetworkAsync(string network, string container, CancellationToken cancellation = default) =>
        CallAsync($"network '{network}'", (api, token) => api.Networks.ConnectNetworkAsync(network,
            new NetworkConnectParameters { Container = container }, token), cancellation);

    /// <summary>
    /// Creates a Swarm secret holding <paramref name="value"/>, revealed into the request only and kept out of every
    /// error; returns its id.
    /// </summary>
    public async Task<string> CreateSecretAsync(string name, SecretValue value, IReadOnlyDictionary<string, string> labels,
        CancellationToken cancellation = default) =>
        (await CallAsync($"secret '{name}'", (api, token) => api.Secrets.CreateAsync(new SwarmSecretSpec
        {
            Name = name,
            Labels = new Dictionary<string, string>(labels),
            Data = System.Text.Encoding.UTF8.GetBytes(value.Reveal()),
        }, token), cancellation, secrets: [value]).ConfigureAwait(false)).ID!;

    public Task RemoveSecretAsync(string idOrName, CancellationToken cancellation = default) =>
        CallAsync($"secret '{idOrName}'", (api, token) => api.Secrets.DeleteAsync(idOrName, token), cancellation);
}
