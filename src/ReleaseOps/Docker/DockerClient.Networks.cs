using System.Text.Json.Nodes;
using ReleaseOps.Errors;

namespace ReleaseOps.Docker;

public sealed partial class DockerClient
{
    /// <summary>GET /networks, optionally only those with the given name (substring match) or labels.</summary>
    public Task<IReadOnlyList<NetworkDetails>> ListNetworksAsync(string? name = null,
        IReadOnlyDictionary<string, string?>? labels = null, CancellationToken cancellation = default)
    {
        var filters = new List<KeyValuePair<string, string>>();
        AddFilter(filters, "name", name);
        AddLabelFilters(filters, labels);
        return GetJsonAsync<IReadOnlyList<NetworkDetails>>("networks", new DockerQuery().Add("filters", DockerJson.Filters(filters)),
            "networks", cancellation);
    }

    /// <summary>GET /networks/{id}.</summary>
    public Task<NetworkDetails> InspectNetworkAsync(string network, CancellationToken cancellation = default) =>
        GetJsonAsync<NetworkDetails>($"networks/{Escape(network)}", null, NetworkTarget(network), cancellation);

    /// <summary>Like <see cref="InspectNetworkAsync"/>, but null when the network does not exist.</summary>
    public Task<NetworkDetails?> TryInspectNetworkAsync(string network, CancellationToken cancellation = default) =>
        OrNullWhenMissingAsync(InspectNetworkAsync(network, cancellation));

    /// <summary>POST /networks/create; returns the new network's id. 409 when the name is taken.</summary>
    public async Task<string> CreateNetworkAsync(NetworkSpec spec, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var body = new JsonObject
        {
            ["Name"] = spec.Name,
            ["CheckDuplicate"] = true,
            ["Driver"] = spec.Driver,
            ["Internal"] = spec.Internal,
            ["Attachable"] = spec.Attachable,
            ["Labels"] = DockerJson.Map(spec.Labels),
        };
        if (spec.Subnet is not null)
        {
            var config = new JsonObject { ["Subnet"] = spec.Subnet };
            if (spec.Gateway is not null)
            {
                config["Gateway"] = spec.Gateway;
            }
            body["IPAM"] = new JsonObject { ["Driver"] = "default", ["Config"] = new JsonArray(config) };
        }
        var created = await PostJsonAsync<CreatedObject>("networks/create", null, body, NetworkTarget(spec.Name), cancellation)
            .ConfigureAwait(false);
        return created.Id;
    }

    /// <summary>POST /networks/{id}/connect: attaches a container, with optional DNS aliases.</summary>
    public Task ConnectNetworkAsync(string network, string container, IReadOnlyList<string>? aliases = null,
        CancellationToken cancellation = default)
    {
        var endpoint = new JsonObject();
        if (aliases is { Count: > 0 })
        {
            endpoint["Aliases"] = DockerJson.Array(aliases);
        }
        var body = new JsonObject { ["Container"] = container, ["EndpointConfig"] = endpoint };
        return SendForStatusAsync(HttpMethod.Post, $"networks/{Escape(network)}/connect", null, body,
            $"{NetworkTarget(network)} / {ContainerTarget(container)}", cancellation);
    }

    /// <summary>POST /networks/{id}/disconnect.</summary>
    public Task DisconnectNetworkAsync(string network, string container, bool force = false, CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Post, $"networks/{Escape(network)}/disconnect", null,
            new JsonObject { ["Container"] = container, ["Force"] = force },
            $"{NetworkTarget(network)} / {ContainerTarget(container)}", cancellation);

    /// <summary>DELETE /networks/{id}. 409 (or 403 for predefined networks) while in use.</summary>
    public Task RemoveNetworkAsync(string network, CancellationToken cancellation = default) =>
        SendForStatusAsync(HttpMethod.Delete, $"networks/{Escape(network)}", null, null, NetworkTarget(network), cancellation);

    internal static string NetworkTarget(string network) => $"network '{network}'";
}
