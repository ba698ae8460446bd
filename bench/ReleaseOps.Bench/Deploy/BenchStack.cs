using System.Diagnostics;
using ReleaseOps.Deploy;
using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Docker;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Bench.Deploy;

/// <summary>
/// What the deploy benchmarks run on: the test dockerd (RELEASEOPS_TEST_DOCKER_HOST or DOCKER_HOST), an nginx
/// master of their own in a temp dir listening on 127.0.0.1:21280.. (one port per service), a file journal,
/// and the test images releaseops-test/web:v1/:v2. Everything is named ro-depl-bench-* and removed at the end.
/// </summary>
internal sealed class BenchStack : IAsyncDisposable
{
    public const string Application = "ro-depl-bench";
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-depl-bench-").FullName;
    private readonly IReadOnlyDictionary<string, int> _listen;

    private BenchStack(string dockerHost, IReadOnlyDictionary<string, int> listen)
    {
        DockerHost = dockerHost;
        _listen = listen;
        Docker = new DockerEngine(DockerEndpoint.Parse(dockerHost));
        Platform = new DockerContainerPlatform(Docker);
        Engine = new DeploymentEngine(_ => Platform);
    }

    public string DockerHost { get; }
    public DockerEngine Docker { get; }
    public DockerContainerPlatform Platform { get; }
    public DeploymentEngine Engine { get; }

    public static async Task<BenchStack> StartAsync(IReadOnlyDictionary<string, int> listen)
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST") ?? ReadTestEnv("RELEASEOPS_TEST_DOCKER_HOST")
            ?? "unix:///tmp/releaseops-test/docker.sock";
        var stack = new BenchStack(host, listen);
        await stack.StartNginxAsync();
        return stack;
    }

    private static string? ReadTestEnv(string key)
    {
        const string file = "/tmp/releaseops-test/env";
        return File.Exists(file)
            ? File.ReadLines(file).Where(l => l.StartsWith(key + "=", StringComparison.Ordinal)).Select(l => l[(key.Length + 1)..]).FirstOrDefault()
            : null;
    }

    private string UpstreamFile => Path.Combine(_dir, "upstreams.conf");
    private string ConfigFile => Path.Combine(_dir, "nginx.conf");

    private async Task StartNginxAsync()
    {
        await File.WriteAllTextAsync(UpstreamFile, NginxProxyController.Render(
            _listen.Keys.Select(n => new UpstreamBlock(n, new[] { new UpstreamServer("127.0.0.1:21999") }))));
        var servers = string.Concat(_listen.Select(p =>
            $"  server {{ listen 127.0.0.1:{p.Value}; location / {{ proxy_pass http://{p.Key}; keepalive_timeout 0; proxy_http_version 1.1; " +
            "proxy_set_header Connection \"\"; proxy_next_upstream error timeout http_502; proxy_connect_timeout 2s; }\n  }\n"));
        await File.WriteAllTextAsync(ConfigFile,
            $"worker_processes 1;\npid {_dir}/nginx.pid;\nerror_log {_dir}/error.log warn;\nevents {{ worker_connections 2048; }}\n" +
            $"http {{\n  access_log off;\n  client_body_temp_path {_dir}/cb; proxy_temp_path {_dir}/px; fastcgi_temp_path {_dir}/fc; " +
            $"uwsgi_temp_path {_dir}/uw; scgi_temp_path {_dir}/sc;\n  include {UpstreamFile};\n{servers}}}\n");
        Run("nginx", "-c", ConfigFile);
        for (var i = 0; i < 100 && !File.Exists(Path.Combine(_dir, "nginx.pid")); i++) await Task.Delay(50);
    }

    public ReleasePlan Plan(ServiceDefinition service) => new()
    {
        Application = Application,
        Environment = "bench",
        Proxy = new ProxyDefinition { UpstreamFile = UpstreamFile, ConfigFile = ConfigFile, PublicUrl = $"http://127.0.0.1:{_listen[service.Name]}/" },
        Journal = new JournalDefinition { Path = Path.Combine(_dir, "journal") },
        Services = new[] { service },
    };

    public static ServiceDefinition Service(string name, DeploymentStrategyType type, int replicas, params int[] ports) => new()
    {
        Name = name,
        Image = "releaseops-test/web",
        ContainerPort = 8080,
        HostPorts = ports,
        Replicas = replicas,
        Strategy = new StrategyDefinition
        {
            Type = type, Drain = TimeSpan.FromSeconds(1), HealthTimeout = TimeSpan.FromSeconds(30), StopGracePeriod = TimeSpan.FromSeconds(2),
        },
        Health = new[] { new ProbeDefinition { Name = "health", Url = "/health", Timeout = TimeSpan.FromSeconds(1) } },
    };

    public async Task<DeploymentResult> DeployAsync(ReleasePlan plan, string version, CancellationToken cancellation)
    {
        DeploymentResult? result = null;
        await foreach (var r in Engine.DeployAsync(plan, new DeploymentRequest { Version = version }, SilentReporter.Instance, cancellation))
        {
            result = r as DeploymentResult ?? result;
        }
        if (result!.Outcome != DeploymentOutcome.Succeeded) throw new InvalidOperationException($"deploy {version} failed: {result.Reason}");
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in await Docker.ListContainersAsync(new Dictionary<string, string?> { ["org.releaseops.application"] = Application }))
        {
            await Platform.RemoveAsync(c.ID, default);
        }
        try
        {
            Run("nginx", "-c", ConfigFile, "-s", "stop");
        }
        catch (InvalidOperationException)
        {
        }
        Docker.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {err}");
    }
}
