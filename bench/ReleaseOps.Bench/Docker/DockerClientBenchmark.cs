using System.Diagnostics;
using System.Globalization;
using Docker.DotNet.Models;
using ReleaseOps.Docker;

namespace ReleaseOps.Bench.Docker;

/// <summary>
/// Round-trip cost of the engine's Docker adapter (Docker.DotNet.Enhanced underneath) for the calls a
/// deployment makes in its loops (inspect for health, list by label) and an exec, beside two
/// baselines: the figures of the engine's own Engine API client before the move to the library (named
/// in docker-client-baseline.tsv, median of its runs) and the docker CLI (one process per call, as a
/// shell-script release does) measured now on the same daemon.
/// Args: [iterations for the client, default 200] [iterations for the CLI, default 20].
/// The daemon is DOCKER_HOST, else the test environment's socket.
/// </summary>
public sealed class DockerClientBenchmark : IBenchmark
{
    private const string BaselineFile = "docker-client-baseline.tsv";

    public string Name => "docker-client";

    public string Description => "Docker adapter vs its own former client and the docker CLI: inspect, list by label, exec round trips";

    public async Task RunAsync(string[] args, CancellationToken cancellation)
    {
        var clientRuns = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var cliRuns = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? "unix:///tmp/releaseops-test/docker.sock";
        var baseline = ReadBaseline();
        using var engine = new DockerEngine(DockerEndpoint.Parse(host));
        var name = $"ro-dock-bench-{Guid.NewGuid().ToString("N")[..8]}";
        Console.WriteLine($"# daemon {host}; client runs {clientRuns}, CLI runs {cliRuns}; API {await engine.ConnectAsync(cancellation)}");
        Console.WriteLine($"# baseline: {BaselineFile}, {baseline.Description}");
        await engine.CreateContainerAsync(new CreateContainerParameters
        {
            Name = name,
            Image = "releaseops-test/web:v1",
            Labels = new Dictionary<string, string> { ["ro-dock-bench"] = name },
        }, cancellation: cancellation);
        try
        {
            await engine.StartContainerAsync(name, cancellation);
            await engine.WaitForContainerHealthAsync(name, TimeSpan.FromSeconds(30), cancellation: cancellation);
            var labels = new Dictionary<string, string?> { ["ro-dock-bench"] = name };
            using var raw = RawHttp(host);
            var version = $"v{engine.ApiVersion}";
            var filter = Uri.EscapeDataString($"{{\"label\":{{\"ro-dock-bench={name}\":true}}}}");
            // The library's client as the adapter pinned it: its calls without the adapter's time limit and error mapping.
            var library = await engine.CallAsync("the daemon", (api, _) => Task.FromResult(api), cancellation);
            var listParameters = new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"ro-dock-bench={name}"] = true } },
            };
            Console.WriteLine($"{"operation",-16} {"old median ms",14} {"new median ms",14} {"new p95 ms",11} {"new vs old",11} {"library ms",11} {"raw GET ms",11} {"CLI median ms",14} {"CLI / new",10}");
            await CompareAsync("inspect", baseline,
                () => engine.InspectContainerAsync(name, cancellation),
                () => library.Containers.InspectContainerAsync(name, cancellation),
                () => raw.GetByteArrayAsync($"{version}/containers/{name}/json", cancellation),
                () => Cli(host, cancellation, "inspect", name), clientRuns, cliRuns);
            await CompareAsync("list by label", baseline,
                () => engine.ListContainersAsync(labels, cancellation: cancellation),
                () => library.Containers.ListContainersAsync(listParameters, cancellation),
                () => raw.GetByteArrayAsync($"{version}/containers/json?all=1&filters={filter}", cancellation),
                () => Cli(host, cancellation, "ps", "-a", "--filter", $"label=ro-dock-bench={name}"), clientRuns, cliRuns);
            await CompareAsync("exec /bin/true", baseline,
                () => ExecAsync(engine, name, cancellation), null, null,
                () => Cli(host, cancellation, "exec", name, "/bin/true"), Math.Max(clientRuns / 4, 10), cliRuns);
            Console.WriteLine("# library: the same call on the library's client directly (new minus library: the adapter's own cost).");
            Console.WriteLine("# raw GET: the same request on a pooled HttpClient over the same socket, bytes only, no model (library minus raw:");
            Console.WriteLine("# what the library adds per call, building the request and deserializing its full models).");
        }
        finally
        {
            await engine.RemoveContainerAsync(name, force: true, CancellationToken.None);
        }
    }

    /// <summary>Create, start attached and read to the end, inspect for the exit code: what <c>docker exec</c> does.</summary>
    private static Task<long> ExecAsync(DockerEngine engine, string container, CancellationToken cancellation) =>
        engine.CallAsync($"exec in container '{container}'", async (api, token) =>
        {
            var exec = await api.Exec.CreateContainerExecAsync(container, new ContainerExecCreateParameters
            {
                Cmd = ["/bin/true"],
                AttachStdout = true,
                AttachStderr = true,
            }, token);
            using (var stream = await api.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), token))
            {
                await stream.ReadOutputToEndAsync(token);
            }
            var done = await api.Exec.InspectContainerExecAsync(exec.ID, token);
            return done.ExitCode is 0 ? 0L : throw new InvalidOperationException($"exec exited {done.ExitCode}");
        }, cancellation);

    private static async Task CompareAsync<T>(string operation, Baseline baseline, Func<Task<T>> viaClient, Func<Task>? viaLibrary,
        Func<Task>? viaRaw, Func<Task> viaCli, int clientRuns, int cliRuns)
    {
        await viaClient(); // warm up: connection, JIT
        if (viaLibrary is not null) await viaLibrary();
        if (viaRaw is not null) await viaRaw();
        await viaCli();
        // The three ways of making the call take turns, so that a busy moment of the machine falls on all of them alike.
        var (client, library, raw) = (new List<double>(clientRuns), viaLibrary is null ? null : new List<double>(clientRuns),
            viaRaw is null ? null : new List<double>(clientRuns));
        for (var i = 0; i < clientRuns; i++)
        {
            client.Add(await TimeOnceAsync(async () => await viaClient()));
            if (viaLibrary is not null) library!.Add(await TimeOnceAsync(viaLibrary));
            if (viaRaw is not null) raw!.Add(await TimeOnceAsync(viaRaw));
        }
        foreach (var samples in new[] { client, library, raw })
        {
            samples?.Sort();
        }
        var cli = await TimeAsync(viaCli, cliRuns);
        var median = Percentile(client, 0.5);
        string Figure(double? value, int width) =>
            (value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-").PadLeft(width);
        var old = baseline.Median(operation);
        var change = old is { } before ? ((median - before) / before * 100).ToString("+0;-0", CultureInfo.InvariantCulture) + "%" : "-";
        var cliMedian = Percentile(cli, 0.5);
        // Baseline: the docker CLI (what a shell-script release pays per call); the former own client is printed above.
        BenchTable.Add($"docker {operation} round trip (median of {clientRuns})", $"docker CLI {cliMedian:F1} ms",
            $"{median:F2} ms" + (old is { } o ? $" (own client {o:F2} ms)" : ""), $"{median / cliMedian:F3}x", "<= 1x the CLI", median <= cliMedian);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{operation,-16} {Figure(old, 14)} {median,14:F2} {Percentile(client, 0.95),11:F2} {change,11} {Figure(library is null ? null : Percentile(library, 0.5), 11)} {Figure(raw is null ? null : Percentile(raw, 0.5), 11)} {Percentile(cli, 0.5),14:F2} {Percentile(cli, 0.5) / median,9:F1}x"));
    }

    /// <summary>A plain pooled HttpClient on the daemon's unix socket: the transport and the daemon, without the library.</summary>
    private static HttpClient RawHttp(string host)
    {
        var path = new Uri(host).AbsolutePath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, token) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
                    System.Net.Sockets.ProtocolType.Unspecified);
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path), token);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri("http://docker/") };
    }

    private static async Task<List<double>> TimeAsync(Func<Task> action, int runs)
    {
        var samples = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            samples.Add(await TimeOnceAsync(action));
        }
        samples.Sort();
        return samples;
    }

    private static async Task<double> TimeOnceAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalMilliseconds;
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

    private static Baseline ReadBaseline()
    {
        var rows = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Docker", BaselineFile))
            .Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("run\t", StringComparison.Ordinal))
            .Select(l => l.Split('\t'))
            .Select(f => (Run: f[0], Operation: f[1], Median: double.Parse(f[2], CultureInfo.InvariantCulture)))
            .ToArray();
        return new Baseline(rows.Select(r => (r.Operation, r.Median)).ToArray(),
            $"the engine's own client at main 270c21e, median of {rows.Select(r => r.Run).Distinct().Count()} runs");
    }

    private sealed record Baseline(IReadOnlyList<(string Operation, double Median)> Rows, string Description)
    {
        public double? Median(string operation)
        {
            var values = Rows.Where(r => r.Operation == operation).Select(r => r.Median).Order().ToArray();
            return values.Length == 0 ? null : values[values.Length / 2];
        }
    }
}
