using System.Diagnostics;
using ReleaseOps.Deploy;
using ReleaseOps.Docker;
using ReleaseOps.Journal;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// One nginx master of our own (temp dir, ports 21080-21089) in front of the services the deploy
/// tests release on the shared dockerd, a Docker client, and cleanup of every ro-depl- container.
/// Each test service has its own listen port and upstream: web-rolling 21081, web-recreate 21082,
/// web-bluegreen 21083, web-canary 21084, web-fault 21085, web-cli 21086, web-swarm 21087, web-release 21088 (the standard-release tests, host ports 21191-21192, 21181-21182 and 21261-21262),
/// and 21401-21406 for the verification and recovery tests (host ports 21411-21461).
/// </summary>
public sealed class DeployFixture : IAsyncLifetime
{
    public static readonly IReadOnlyDictionary<string, int> ListenPorts = new Dictionary<string, int>
    {
        ["web-rolling"] = 21081,
        ["web-recreate"] = 21082,
        ["web-bluegreen"] = 21083,
        ["web-canary"] = 21084,
        ["web-fault"] = 21085,
        ["web-cli"] = 21086,
        ["web-swarm"] = 21087,
        ["web-release"] = 21088,
        // The verification, resume, nginx-failure, journal-failure and redeploy tests (VerificationTests, RecoveryTests).
        ["web-verify-bg"] = 21401,
        ["web-verify-roll"] = 21402,
        ["web-resume"] = 21403,
        ["web-nginx"] = 21404,
        ["web-journal"] = 21405,
        ["web-redeploy"] = 21406,
        // The warm standby of blue-green releases (StandbyTests), host ports 21471-21472.
        ["web-standby"] = 21407,
    };

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "ro-depl-" + Guid.NewGuid().ToString("N")[..8]);
    public string UpstreamFile => Path.Combine(Directory, "upstreams.conf");
    public string ConfigFile => Path.Combine(Directory, "nginx.conf");
    public DockerEngine Docker { get; private set; } = null!;
    public DockerContainerPlatform Platform { get; private set; } = null!;
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(5) };

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        System.IO.Directory.CreateDirectory(Directory);
        Docker = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        Platform = new DockerContainerPlatform(Docker);
        await RemoveContainersAsync();
        // Every upstream must exist when nginx starts: a placeholder backend until the first release.
        await File.WriteAllTextAsync(UpstreamFile, ReleaseOps.Deploy.Proxy.NginxProxyController.Render(
            ListenPorts.Keys.Select(n => new ReleaseOps.Deploy.Proxy.UpstreamBlock(n, new[] { new ReleaseOps.Deploy.Proxy.UpstreamServer("127.0.0.1:21999") }))));
        await File.WriteAllTextAsync(ConfigFile, NginxConfig(Directory, UpstreamFile, ListenPorts));
        Run("nginx", "-c", ConfigFile);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(Path.Combine(Directory, "nginx.pid")) && DateTime.UtcNow < deadline) await Task.Delay(50);
    }

    /// <summary>A config whose servers proxy each service's listen port to its upstream.</summary>
    public static string NginxConfig(string dir, string upstreamFile, IReadOnlyDictionary<string, int> ports)
    {
        var servers = string.Concat(ports.Select(p => $$"""
                server {
                    listen 127.0.0.1:{{p.Value}};
                    location / {
                        proxy_pass http://{{p.Key}};
                        keepalive_timeout 0;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_next_upstream error timeout http_502;
                        proxy_connect_timeout 2s;
                        proxy_read_timeout 5s;
                    }
                }

            """));
        return $$"""
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{dir}}/client_body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
                include {{upstreamFile}};
            {{servers}}
            }
            """;
    }

    public ReleasePlan Plan(ServiceDefinition service, string? journalDir = null) => new()
    {
        Application = "ro-depl-app",
        Environment = "test",
        // Swarm verification relays through the test image (busybox); no registry serves busybox here.
        Docker = new DockerEndpointDefinition { Host = TestEnvironment.DockerHost, RelayImage = "releaseops-test/web:v1" },
        Proxy = new ProxyDefinition
        {
            UpstreamFile = UpstreamFile,
            ConfigFile = ConfigFile,
            PublicUrl = $"http://127.0.0.1:{ListenPorts[service.Name]}/",
        },
        Journal = new JournalDefinition { Path = journalDir ?? NewJournalDirectory() },
        Services = new[] { service },
    };

    public string NewJournalDirectory() => Path.Combine(Directory, "journal-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A service of the test image with fast health settings.</summary>
    public static ServiceDefinition Service(string name, DeploymentStrategyType strategy, params int[] hostPorts) => new()
    {
        Name = name,
        Image = "releaseops-test/web",
        ContainerPort = 8080,
        HostPorts = hostPorts,
        Replicas = 1,
        Strategy = new StrategyDefinition
        {
            Type = strategy,
            Drain = TimeSpan.FromMilliseconds(300),
            Pause = TimeSpan.FromMilliseconds(300),
            Steps = new[] { 50, 100 },
            HealthTimeout = TimeSpan.FromSeconds(15),
            StopGracePeriod = TimeSpan.Zero, // busybox httpd ignores SIGTERM as pid 1: no point waiting in tests
        },
        Health = new[]
        {
            new ProbeDefinition { Name = "health", Url = "/health", Timeout = TimeSpan.FromSeconds(1), Expect = new[] { "status == 200" } },
        },
        Smoke = new[] { new SmokeCheckDefinition { Name = "version", Url = "/version", Timeout = TimeSpan.FromSeconds(2) } },
    };

    public DeploymentEngine Engine() => new(_ => Platform);

    /// <summary>A clean slate (no ro-depl-app container), then v1 of the plan deployed and serving; returns the engine.</summary>
    public async Task<DeploymentEngine> StartFromV1Async(ReleasePlan plan)
    {
        await RemoveContainersAsync();
        var engine = Engine();
        var (_, v1) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, ReleaseOps.Operations.SilentReporter.Instance, default));
        Assert.True(v1.Outcome == DeploymentOutcome.Succeeded, v1.Reason);
        return engine;
    }

    /// <summary>The containers of a test service (running or not), optionally of one version.</summary>
    public async Task<IReadOnlyList<InstanceState>> InstancesAsync(string service, string? version = null)
    {
        var labels = new Dictionary<string, string> { ["org.releaseops.service"] = service };
        if (version is not null) labels["org.releaseops.version"] = version;
        return await Platform.ListAsync(labels, default);
    }

    /// <summary>A repository of our own for fault images: v1 (the test image) and exits (runs a second without serving, then exits with code 3).</summary>
    public const string FaultRepository = "ro-depl-test/web";

    private readonly SemaphoreSlim _imageGate = new(1, 1);

    public async Task EnsureExitingImageAsync()
    {
        await _imageGate.WaitAsync();
        try
        {
            if (await Docker.TryInspectImageAsync(FaultRepository + ":exits") is not null) return;
            await Docker.CallAsync("image", (api, token) => api.Images.TagImageAsync("releaseops-test/web:v1",
                new global::Docker.DotNet.Models.ImageTagParameters { RepositoryName = FaultRepository, Tag = "v1" }, token), default);
            var context = Path.Combine(Directory, "exits-image");
            System.IO.Directory.CreateDirectory(context);
            await File.WriteAllTextAsync(Path.Combine(context, "Dockerfile"),
                "FROM releaseops-test/web:v1\nHEALTHCHECK NONE\nCMD [\"/bin/sh\", \"-c\", \"sleep 1; exit 3\"]\n");
            var build = new ProcessStartInfo("docker") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "-H", TestEnvironment.DockerHost, "build", "-q", "-t", FaultRepository + ":exits", context }) build.ArgumentList.Add(a);
            build.Environment["DOCKER_BUILDKIT"] = "0";
            using var p = Process.Start(build)!;
            var err = await p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync();
            if (p.ExitCode != 0) throw new InvalidOperationException("docker build of the exiting image failed: " + err);
        }
        finally
        {
            _imageGate.Release();
        }
    }

    /// <summary>What the service answers through our nginx at /version.</summary>
    public async Task<string> ServedVersionAsync(string service)
    {
        var text = await Http.GetStringAsync($"http://127.0.0.1:{ListenPorts[service]}/version");
        return text.Trim();
    }

    public async Task RemoveContainersAsync()
    {
        var all = await Docker.ListContainersAsync(new Dictionary<string, string?> { ["org.releaseops.application"] = "ro-depl-app" });
        foreach (var c in all)
        {
            await Platform.RemoveAsync(c.ID, default); // tolerates containers already gone (Swarm tasks)
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            await RemoveContainersAsync();
            // The overlay networks Swarm releases created for the test application (its default network).
            await Docker.CallAsync("networks", async (api, token) =>
            {
                var networks = await api.Networks.ListNetworksAsync(new global::Docker.DotNet.Models.NetworksListParameters(), token);
                foreach (var network in networks.Where(n => n.Labels?.TryGetValue("org.releaseops.application", out var app) == true && app == "ro-depl-app"))
                {
                    try { await api.Networks.DeleteNetworkAsync(network.ID, token); }
                    catch (global::Docker.DotNet.DockerApiException) { } // still in use by a task going away: left for the next run
                }
            }, default);
            foreach (var tag in new[] { "exits", "v1" })
            {
                if (await Docker.TryInspectImageAsync($"{FaultRepository}:{tag}") is not null)
                {
                    await Docker.CallAsync("image", (api, token) => api.Images.DeleteImageAsync($"{FaultRepository}:{tag}",
                        new global::Docker.DotNet.Models.ImageDeleteParameters { Force = true }, token), default);
                }
            }
        }
        finally
        {
            // Whatever the cleanup met, the nginx this fixture started must not outlive it (it holds the fixed ports).
            if (File.Exists(Path.Combine(Directory, "nginx.pid")))
            {
                Run("nginx", "-c", ConfigFile, "-s", "stop");
            }
            Docker.Dispose();
            Http.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }


    public static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {err}");
    }
}

[CollectionDefinition(Name)]
public sealed class DeployCollection : ICollectionFixture<DeployFixture>
{
    public const string Name = "deploy";
}

/// <summary>Drains an engine stream into its steps and its final record.</summary>
public static class DeploymentStream
{
    public static async Task<(List<DeploymentStep> Steps, T Result)> CollectAsync<T>(IAsyncEnumerable<DeploymentRecord> stream)
        where T : DeploymentRecord
    {
        var steps = new List<DeploymentStep>();
        T? result = null;
        await foreach (var record in stream)
        {
            if (record is DeploymentStep step) steps.Add(step);
            else if (record is T r) result = r;
        }
        Assert.NotNull(result);
        return (steps, result!);
    }
}
