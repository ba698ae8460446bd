using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ReleaseOps.Docker;
using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Bench.Gates;

/// <summary>
/// 100 gates of mixed kinds against local endpoints (the test environment's nginx, PostgreSQL,
/// Redis, Prometheus, Alertmanager and dockerd, plus our own deliberately slow HTTP listener on
/// 127.0.0.1:22800): http, security headers, tls, tcp, postgres, redis, prometheus, alertmanager,
/// container-logs (a container of its own), scan-report (a report it writes), docker-secrets (a secret
/// of its own) and secret-strength; run by the parallel runner with its default throttle, then
/// the same gates one after another (throttle 1), the baseline. Prints the wall time, the slowest
/// single gate and both ratios.
/// Args: [slow-ms=600] [slow-count=15] [--gates N=100] [--no-sequential] (the scaling run: --gates 1000 --no-sequential;
/// the slow gates stay 15, the other kinds fill the count in the same rotation).
/// </summary>
public sealed class GateRunBenchmark : IBenchmark
{
    private const int SlowPort = 22800;

    public string Name => "gates";

    public string Description => "mixed gates in parallel vs one after another (wall time, slowest gate, peak working set; --gates 1000 --no-sequential)";

    public async Task RunAsync(string[] args, CancellationToken cancellation)
    {
        var count = Option(args, "--gates") is { } g ? int.Parse(g, CultureInfo.InvariantCulture) : 100;
        var sequentialBaseline = !args.Contains("--no-sequential");
        var positional = Positional(args);
        var slowMs = positional.Count > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 600;
        var slowCount = positional.Count > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 15;
        var env = ReadTestEnvironment();
        using var listener = new SlowHttpListener(SlowPort);
        _ = listener.ServeAsync(cancellation);
        await using var evidence = await DockerEvidence.StartAsync(env["RELEASEOPS_TEST_DOCKER_HOST"], cancellation);

        var environment = new GateEnvironment
        {
            Secrets = SecretCatalog.Empty
                .With(new GivenSecretSource("pg", new SecretValue(env["RELEASEOPS_TEST_PG_PASSWORD"])))
                .With(new GivenSecretSource("redis", new SecretValue(env["RELEASEOPS_TEST_REDIS_PASSWORD"])))
                .With(new GivenSecretSource("jwt", new SecretValue(Convert.ToBase64String(Guid.NewGuid().ToByteArray()) + "!"))),
            Docker = new DockerEndpointDefinition { Host = env["RELEASEOPS_TEST_DOCKER_HOST"] },
        };
        var gates = Gates(env, count, slowMs, slowCount, evidence);
        if (Option(args, "--type") is { } onlyType)
        {
            gates = gates.Where(g => g.Type == onlyType).ToList(); // profiling one kind at the scale it has in the mix
        }
        var runner = new GateRunner();
        Console.WriteLine($"# {gates.Count} gates: " + string.Join(", ", gates.GroupBy(g => g.Type).Select(g => $"{g.Count()} {g.Key}")) +
                          $"; {slowCount} of the http gates wait {slowMs} ms on a slow listener");

        // Warm-up, one gate of each kind: JIT and first connections outside the measured runs.
        await runner.RunToSummaryAsync(gates.GroupBy(g => g.Type + g.Name.Split('-')[0]).Select(g => g.First()), environment,
            new GateRunOptions(), SilentReporter.Instance, cancellation);

        Console.WriteLine($"# load average before: {LoadAverage()}");
        PeakWorkingSet.Reset();
        // Three parallel runs, reported each and by the median: the machine is shared and its load moves.
        var runs = new List<GateRunSummary>();
        var parallelOptions = Option(args, "--throttle") is { } t ? new GateRunOptions { ThrottleLimit = int.Parse(t, CultureInfo.InvariantCulture) } : new GateRunOptions();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var wallBefore = Stopwatch.StartNew();
        for (var i = 0; i < 3; i++)
        {
            var run = await runner.RunToSummaryAsync(gates, environment, parallelOptions, SilentReporter.Instance, cancellation);
            var slow = run.Results.MaxBy(r => r.Duration)!;
            var first = run.Results.Min(r => r.StartTime);
            var lastEnd = run.Results.Max(r => r.StartTime + r.Duration);
            Console.WriteLine($"  parallel run {i + 1}: wall {Ms(run.Duration)} ms, slowest gate {Ms(slow.Duration)} ms ({run.Duration / slow.Duration:F2}x); " +
                              $"it started {Ms(slow.StartTime - first)} ms after the first gate, the last gate started at {Ms(run.Results.Max(r => r.StartTime) - first)} ms " +
                              $"and the last ended at {Ms(lastEnd - first)} ms");
            runs.Add(run);
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var cpuShare = cpu.TotalSeconds / wallBefore.Elapsed.TotalSeconds;
        Console.WriteLine($"  this process used {cpuShare * 100:F0}% of one core during the parallel runs (throttle {parallelOptions.ThrottleLimit}), " +
                          $"{cpu.TotalMilliseconds / 3:F0} ms of CPU per run");
        var parallel = runs.OrderBy(r => r.Duration).ElementAt(1);
        var peak = PeakWorkingSet.Megabytes();
        var sequential = sequentialBaseline
            ? await runner.RunToSummaryAsync(gates, environment, new GateRunOptions { ThrottleLimit = 1 }, SilentReporter.Instance, cancellation)
            : null;
        Console.WriteLine($"# load average after: {LoadAverage()}");

        var slowest = parallel.Results.MaxBy(r => r.Duration)!;
        foreach (var type in parallel.Results.GroupBy(r => r.Type).OrderByDescending(g => g.Max(r => r.Duration)))
        {
            var sorted = type.Select(r => r.Duration.TotalMilliseconds).Order().ToArray();
            Console.WriteLine($"  {type.Key,-18} {sorted.Length,4} gates: median {sorted[sorted.Length / 2],6:F0} ms, max {sorted[^1],6:F0} ms");
        }
        Console.WriteLine($"parallel, median of 3 (throttle {GateRunOptions.DefaultThrottle}): wall {Ms(parallel.Duration)} ms; {parallel}");
        Console.WriteLine($"slowest single gate: {slowest.Name} ({slowest.Type}) {Ms(slowest.Duration)} ms");
        Console.WriteLine($"peak working set (VmHWM, reset before the parallel runs): {peak:F1} MB (target <= 200 MB)");
        Console.WriteLine($"ratio wall / slowest gate: {parallel.Duration / slowest.Duration:F2}x (target <= 1.2x)");
        BenchTable.Ratio($"{gates.Count} gates: wall time (median of 3)", "slowest gate", slowest.Duration.TotalMilliseconds,
            parallel.Duration.TotalMilliseconds, "ms", 1.2);
        BenchTable.Add($"{gates.Count} gates: peak working set", "-", $"{peak:F0} MB", "-", "<= 200 MB", peak <= 200);
        if (sequential is not null)
        {
            var sumOfGates = TimeSpan.FromTicks(sequential.Results.Sum(r => r.Duration.Ticks));
            Console.WriteLine($"sequential (throttle 1): wall {Ms(sequential.Duration)} ms (sum of gate durations {Ms(sumOfGates)} ms); {sequential}");
            Console.WriteLine($"speed-up vs sequential: {sequential.Duration / parallel.Duration:F1}x (target >= 10x)");
            var speedUp = sequential.Duration / parallel.Duration;
            BenchTable.Add($"{gates.Count} gates: speed-up", $"one after another {Ms(sequential.Duration)} ms", $"{Ms(parallel.Duration)} ms",
                $"{speedUp:F1}x faster", ">= 10x faster", speedUp >= 10);
        }
        var notPassed = parallel.Results.Count(r => r.Status is GateStatus.Error or GateStatus.Failed);
        if (notPassed > 0)
        {
            BenchTable.Add($"{gates.Count} gates: gates not passed", "0", notPassed.ToString(CultureInfo.InvariantCulture), "-", "0", false);
        }
        foreach (var problem in parallel.Results.Where(r => r.Status is GateStatus.Error or GateStatus.Failed).Take(5))
        {
            Console.WriteLine($"  not passed: {problem}");
        }
    }

    private static string? Option(string[] args, string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

    private static List<string> Positional(string[] args)
    {
        var list = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--gates" or "--type" or "--throttle") i++;
            else if (!args[i].StartsWith("--", StringComparison.Ordinal)) list.Add(args[i]);
        }
        return list;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Ms(TimeSpan t) => t.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture);

    private static List<GateDefinition> Gates(IReadOnlyDictionary<string, string> env, int count, int slowMs, int slowCount, DockerEvidence evidence)
    {
        var prometheus = env["RELEASEOPS_TEST_PROMETHEUS_URL"];
        var http = env["RELEASEOPS_TEST_NGINX_HTTP"];
        var https = new Uri(env["RELEASEOPS_TEST_NGINX_HTTPS"]);
        var cert = env["RELEASEOPS_TEST_NGINX_CERT"];
        var pg = new Dictionary<string, object?>
        {
            ["host"] = env["RELEASEOPS_TEST_PG_HOST"], ["port"] = long.Parse(env["RELEASEOPS_TEST_PG_PORT"], CultureInfo.InvariantCulture),
            ["database"] = env["RELEASEOPS_TEST_PG_DATABASE"], ["username"] = env["RELEASEOPS_TEST_PG_USER"], ["password"] = "${secret:pg}",
        };
        var redis = new Dictionary<string, object?>
        {
            ["host"] = env["RELEASEOPS_TEST_REDIS_HOST"], ["port"] = long.Parse(env["RELEASEOPS_TEST_REDIS_PORT"], CultureInfo.InvariantCulture),
            ["password"] = "${secret:redis}",
        };
        var gates = new List<GateDefinition>();
        GateDefinition Gate(string name, params (string, object?)[] values) =>
            InlineGate.Create(values.Append(("name", name)).Select(v => new KeyValuePair<string, object?>(v.Item1, v.Item2)));
        for (var i = 0; i < slowCount; i++)
        {
            gates.Add(Gate($"slow-{i}", ("type", "http"), ("url", $"http://127.0.0.1:{SlowPort}/slow/{i}?ms={slowMs}"), ("expect", "status == 200")));
        }
        for (var i = 0; gates.Count < count; i++)
        {
            gates.Add((i % 15) switch
            {
                8 => Gate($"prometheus-{i}", ("type", "prometheus"), ("url", prometheus), ("query", "count(up) or vector(0)"), ("condition", "value >= 0")),
                9 => Gate($"targets-{i}", ("type", "prometheus"), ("url", prometheus), ("query", "up{job=\"releaseops-bench-none\"} == 0"), ("series", "none")),
                10 => Gate($"alertmanager-{i}", ("type", "alertmanager"), ("url", env["RELEASEOPS_TEST_ALERTMANAGER_URL"]), ("matchers", "service=\"releaseops-bench\"")),
                11 => Gate($"logs-{i}", ("type", "container-logs"), ("container", evidence.Container), ("pattern", "(?i)auth failed"), ("max_matches", 10L)),
                12 => Gate($"scan-{i}", ("type", "scan-report"), ("file", evidence.Report), ("digest", evidence.ImageId), ("fail_on", "critical")),
                13 => Gate($"strength-{i}", ("type", "secret-strength"), ("secrets", "jwt")),
                14 => Gate($"secrets-{i}", ("type", "docker-secrets"), ("prefix", evidence.SecretPrefix), ("count", 1L), ("max_age", "1d")),
                0 or 1 => Gate($"health-{i}", ("type", "http"), ("url", http + "/health"), ("expect", new[] { "status == 200", "json.status == \"UP\"", "response_time < 5s" })),
                2 => Gate($"headers-{i}", ("type", "security-headers"), ("url", https.ToString()), ("ca_file", cert)),
                3 => Gate($"tls-{i}", ("type", "tls"), ("host", https.Host), ("port", (long)https.Port), ("ca_file", cert), ("min_days", 14L)),
                4 => Gate($"tcp-{i}", ("type", "tcp"), ("host", "127.0.0.1"), ("port", long.Parse(env["RELEASEOPS_TEST_PG_PORT"], CultureInfo.InvariantCulture))),
                5 => Gate($"postgres-{i}", ("type", "postgres"), ("connection", pg), ("min_version", 15L), ("settings", new Dictionary<string, object?> { ["max_connections"] = ">=20" })),
                6 => Gate($"redis-{i}", ("type", "redis"), ("connection", redis), ("require_password", true), ("persistence", "aof")),
                _ => Gate($"redirect-{i}", ("type", "http"), ("url", http + "/to-https"), ("expect", "status == 301 and header.location contains \"https://\"")),
            });
        }
        return gates;
    }

    /// <summary>What the Docker-backed gates read: a container that logged a few failed logins, a Trivy report of its image, a secret.</summary>
    private sealed class DockerEvidence : IAsyncDisposable
    {
        private readonly DockerEngine _docker;

        private DockerEvidence(DockerEngine docker, string container, string imageId, string report)
        {
            _docker = docker;
            Container = container;
            ImageId = imageId;
            Report = report;
        }

        public string Container { get; }
        public string SecretPrefix => Container + "-secret";
        public string ImageId { get; }
        public string Report { get; }

        public static async Task<DockerEvidence> StartAsync(string host, CancellationToken cancellation)
        {
            var docker = new DockerEngine(DockerEndpoint.Parse(host));
            var container = "ro-bench-logs-" + Guid.NewGuid().ToString("N")[..6];
            var id = await docker.CreateContainerAsync(new global::Docker.DotNet.Models.CreateContainerParameters
            {
                Name = container,
                Image = "releaseops-test/web:v1",
                Cmd = ["/bin/sh", "-c", "for i in 1 2 3; do echo 'auth failed for bob'; echo 'GET / 200'; done; sleep 3600"],
            }, cancellation: cancellation);
            await docker.StartContainerAsync(id, cancellation);
            await docker.CallAsync("secret", (api, token) => api.Secrets.CreateAsync(new global::Docker.DotNet.Models.SwarmSecretSpec
            {
                Name = container + "-secret", Data = System.Text.Encoding.UTF8.GetBytes(Guid.NewGuid().ToString()),
            }, token), cancellation);
            var imageId = (await docker.TryInspectImageAsync("releaseops-test/web:v1", cancellation))!.ID;
            var report = Path.Combine(Path.GetTempPath(), container + "-trivy.json");
            await File.WriteAllTextAsync(report, "{\"SchemaVersion\":2,\"ArtifactName\":\"releaseops-test/web:v1\",\"Metadata\":{\"ImageID\":\"" + imageId +
                "\",\"RepoDigests\":[]},\"Results\":[{\"Target\":\"os\",\"Vulnerabilities\":[{\"VulnerabilityID\":\"CVE-2024-0001\",\"PkgName\":\"zlib\",\"Severity\":\"MEDIUM\"}]}]}",
                cancellation);
            return new DockerEvidence(docker, container, imageId, report);
        }

        public async ValueTask DisposeAsync()
        {
            await _docker.RemoveContainerAsync(Container, force: true);
            await _docker.CallAsync("secret", (api, token) => api.Secrets.DeleteAsync(SecretPrefix, token), CancellationToken.None);
            File.Delete(Report);
            _docker.Dispose();
        }
    }

    private static IReadOnlyDictionary<string, string> ReadTestEnvironment()
    {
        var file = Path.Combine(Environment.GetEnvironmentVariable("RELEASEOPS_TEST_STATE") ?? "/tmp/releaseops-test", "env");
        return File.ReadAllLines(file).Where(l => l.Contains('=') && !l.StartsWith('#'))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
    }

    /// <summary>A minimal HTTP/1.1 server that answers every request after ?ms= milliseconds: the deliberately slow endpoint.</summary>
    private sealed class SlowHttpListener : IDisposable
    {
        private readonly TcpListener _listener;

        public SlowHttpListener(int port)
        {
            _listener = new TcpListener(IPAddress.Loopback, port);
            _listener.Start(512);
        }

        public async Task ServeAsync(CancellationToken cancellation)
        {
            while (!cancellation.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(cancellation);
                }
                catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException or SocketException)
                {
                    return;
                }
                _ = AnswerAsync(client, cancellation);
            }
        }

        private static async Task AnswerAsync(TcpClient client, CancellationToken cancellation)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var buffer = new byte[4096];
                    var request = new StringBuilder();
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer, cancellation);
                        if (read == 0)
                        {
                            return;
                        }
                        request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }
                    var line = request.ToString().Split("\r\n")[0];
                    var ms = line.Contains("ms=", StringComparison.Ordinal)
                        ? int.Parse(new string(line[(line.IndexOf("ms=", StringComparison.Ordinal) + 3)..].TakeWhile(char.IsAsciiDigit).ToArray()), CultureInfo.InvariantCulture)
                        : 0;
                    await Task.Delay(ms, cancellation);
                    var body = "{\"status\":\"UP\"}";
                    var response = $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}";
                    await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellation);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
                {
                }
            }
        }

        public void Dispose() => _listener.Stop();
    }
}
