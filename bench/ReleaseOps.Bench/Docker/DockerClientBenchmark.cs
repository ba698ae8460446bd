using System.Diagnostics;
using System.Globalization;
using ReleaseOps.Docker;

namespace ReleaseOps.Bench.Docker;

/// <summary>
/// Round-trip cost of ReleaseOps's Docker Engine client against the docker CLI on the same daemon: the
/// calls a deployment makes in its loops (inspect for health, list by label, exec for migrations).
/// Baseline: one <c>docker</c> CLI process per call, which is what a shell-script release does.
/// Args: [iterations for the client, default 200] [iterations for the CLI, default 20].
/// The daemon is DOCKER_HOST, else the test environment's socket.
/// </summary>
public sealed class DockerClientBenchmark : IBenchmark
{
    public string Name => "docker-client";

    public string Description => "Engine API client vs docker CLI: inspect, list by label, exec round trips";

    public async Task RunAsync(string[] args, CancellationToken cancellation)
    {
        var clientRuns = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var cliRuns = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///tmp/releaseops-test/docker.sock";
        using var client = new DockerClient(DockerEndpoint.Parse(host));
        var name = $"ro-dock-bench-{Guid.NewGuid().ToString("N")[..8]}";
        Console.WriteLine($"# daemon {host}; client runs {clientRuns}, CLI runs {cliRuns}");
        await client.CreateContainerAsync(new ContainerSpec
        {
            Name = name,
            Image = "releaseops-test/web:v1",
            Labels = new Dictionary<string, string> { ["ro-dock-bench"] = name },
        }, cancellation);
        try
        {
            await client.StartContainerAsync(name, cancellation);
            await client.WaitForContainerHealthAsync(name, TimeSpan.FromSeconds(30), cancellation: cancellation);
            var labels = new ContainerListFilter { Labels = new Dictionary<string, string?> { ["ro-dock-bench"] = name } };
            Console.WriteLine($"{"operation",-22} {"client median ms",17} {"client p95 ms",14} {"CLI median ms",14} {"CLI / client",13}");
            await CompareAsync("inspect",
                () => client.InspectContainerAsync(name, cancellation),
                () => Cli(host, cancellation, "inspect", name), clientRuns, cliRuns);
            await CompareAsync("list by label",
                () => client.ListContainersAsync(labels, cancellation),
                () => Cli(host, cancellation, "ps", "-a", "--filter", $"label=ro-dock-bench={name}"), clientRuns, cliRuns);
            await CompareAsync("exec /bin/true",
                () => client.RunExecAsync(name, new ExecSpec { Command = ["/bin/true"] }, TimeSpan.FromSeconds(30), cancellation: cancellation),
                () => Cli(host, cancellation, "exec", name, "/bin/true"), Math.Max(clientRuns / 4, 10), cliRuns);
        }
        finally
        {
            await client.RemoveContainerAsync(name, force: true, cancellation: CancellationToken.None);
        }
    }

    private static async Task CompareAsync<T>(string operation, Func<Task<T>> viaClient, Func<Task> viaCli, int clientRuns, int cliRuns)
    {
        await viaClient(); // warm up: connection, version negotiation, JIT
        await viaCli();
        var client = await TimeAsync(async () => await viaClient(), clientRuns);
        var cli = await TimeAsync(viaCli, cliRuns);
        var ratio = Percentile(cli, 0.5) / Percentile(client, 0.5);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{operation,-22} {Percentile(client, 0.5),17:F2} {Percentile(client, 0.95),14:F2} {Percentile(cli, 0.5),14:F2} {ratio,12:F1}x"));
    }

    private static async Task<List<double>> TimeAsync(Func<Task> action, int runs)
    {
        var samples = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await action();
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }
        samples.Sort();
        return samples;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task Cli(string host, CancellationToken cancellation, params string[] args)
    {
        var start = new ProcessStartInfo("docker") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-H");
        start.ArgumentList.Add(host);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellation);
        var error = process.StandardError.ReadToEndAsync(cancellation);
        await process.WaitForExitAsync(cancellation);
        await Task.WhenAll(output, error);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"docker {string.Join(' ', args)} failed: {error.Result}");
        }
    }
}
