using System.CommandLine;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Docker;
using ReleaseOps.Plans;

namespace ReleaseOps.Cli.Commands;

/// <summary><c>docker-check</c>: is the Docker engine a plan (or the environment) names reachable and usable?</summary>
public sealed class DockerCommands : ICliCommandSet
{
    public IEnumerable<Command> Create(CliContext context)
    {
        yield return Check(context);
    }

    private static Command Check(CliContext context)
    {
        var plan = new Argument<string?>("plan")
        {
            Description = "Release plan whose docker: section names the engine; without it DOCKER_HOST and friends are used.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var host = new Option<string?>("--host", "-H")
        {
            Description = "Engine address (unix:///path or tcp://host:port); overrides the plan and DOCKER_HOST.",
        };
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var command = new Command("docker-check",
            "Connect to the Docker engine, settle the API version and print the endpoint, engine, API and swarm state. Exit 0 usable, 3 unreachable or too old.")
        {
            plan, host, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var definition = new DockerEndpointDefinition();
            if (result.GetValue(plan) is { } file)
            {
                definition = (await ReleasePlanLoader.LoadAsync(file,
                    CommonOptions.ParseVariables(result.GetValue(variables)), cancellation)).Docker;
            }
            var address = result.GetValue(host);
            if (!string.IsNullOrEmpty(address))
            {
                definition = definition with { Host = address };
            }
            var endpoint = definition.Resolve();
            if (!string.IsNullOrEmpty(address))
            {
                endpoint = endpoint with { Origin = "--host" };
            }
            using var engine = new DockerEngine(endpoint);
            var ping = await engine.PingAsync(cancellation);
            var version = await engine.GetVersionAsync(cancellation);
            var info = await engine.GetSystemInfoAsync(cancellation);
            var report = new DockerCheckReport(endpoint.Address, endpoint.Origin, endpoint.Transport.ToString(), version.Version,
                engine.ApiVersion.ToString()!, version.APIVersion, version.MinAPIVersion ?? "", info.Swarm?.LocalNodeState ?? "inactive",
                info.Swarm?.ControlAvailable ?? false, (int)info.ContainersRunning, (int)info.Images, Math.Round(ping.TotalMilliseconds, 2));
            if (result.GetValue(output) == OutputFormat.Json)
            {
                RecordWriter.WriteJson(context.Out, report);
                return ExitCodes.Success;
            }
            var o = context.Out;
            o.WriteLine($"Endpoint      {report.Endpoint}  (from {report.Origin}, {report.Transport})");
            o.WriteLine($"Engine        {report.EngineVersion}");
            o.WriteLine($"API           {report.ApiVersion} in use (daemon {report.DaemonMinApiVersion}..{report.DaemonApiVersion}, client {DockerApiVersion.Minimum}..{DockerApiVersion.Maximum})");
            o.WriteLine($"Swarm         {report.SwarmState}{(report.SwarmManager ? " (manager)" : "")}");
            o.WriteLine($"Containers    {report.RunningContainers} running, {report.Images} images");
            o.WriteLine($"Ping          {report.PingMilliseconds} ms");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>What <c>docker-check</c> found.</summary>
    public sealed record DockerCheckReport(string Endpoint, string Origin, string Transport, string EngineVersion, string ApiVersion,
        string DaemonApiVersion, string DaemonMinApiVersion, string SwarmState, bool SwarmManager, int RunningContainers, int Images,
        double PingMilliseconds);
}
