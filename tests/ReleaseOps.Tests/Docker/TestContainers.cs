using System.Globalization;
using Docker.DotNet.Models;
using ReleaseOps.Docker;
using ReleaseOps.Errors;

namespace ReleaseOps.Tests.Docker;

/// <summary>The library's create parameters for the containers tests start, and quiet cleanup.</summary>
public static class TestContainers
{
    /// <summary>A container of <paramref name="image"/>; <paramref name="port"/> publishes 8080 on 127.0.0.1.</summary>
    public static CreateContainerParameters Spec(string name, string image, int? port = null, long? memory = null,
        IReadOnlyDictionary<string, string>? labels = null, IList<string>? command = null, IList<string>? env = null)
    {
        var bindings = port is { } p
            ? new Dictionary<string, IList<PortBinding>> { ["8080/tcp"] = [new PortBinding { HostIP = "127.0.0.1", HostPort = p.ToString(CultureInfo.InvariantCulture) }] }
            : null;
        return new CreateContainerParameters
        {
            Name = name,
            Image = image,
            Labels = labels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(labels),
            Cmd = command,
            Env = env,
            ExposedPorts = bindings?.ToDictionary(b => b.Key, _ => default(EmptyStruct)),
            HostConfig = new HostConfig { PortBindings = bindings, Memory = memory ?? 0 },
        };
    }

    /// <summary>Creates and starts; returns the id.</summary>
    public static async Task<string> RunAsync(this DockerEngine engine, CreateContainerParameters spec)
    {
        var id = await engine.CreateContainerAsync(spec);
        await engine.StartContainerAsync(id);
        return id;
    }

    /// <summary>Removes a container if it exists (cleanup in finally blocks).</summary>
    public static async Task RemoveQuietlyAsync(this DockerEngine engine, string container)
    {
        try
        {
            await engine.RemoveContainerAsync(container, force: true);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound
            || (ex.ErrorId == DockerErrorIds.Conflict && ex.Message.Contains("already in progress", StringComparison.Ordinal)))
        {
        }
    }

    /// <summary>Runs a cleanup step, ignoring what the daemon refuses (already gone, still in use).</summary>
    public static async Task QuietlyAsync(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ReleaseOpsException)
        {
        }
    }
}
