using ReleaseOps.Deploy;
using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Gates;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// A plan's container settings reach the containers ReleaseOps creates (read back through dockerd), so a hardened service
/// deployed by ReleaseOps passes the hardening gate; the stopped earlier color is not counted (web-fault's ports).
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class ServiceSpecTests(DeployFixture fixture) : IDisposable
{
    private const string Name = "web-fault";
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-spec-").FullName;
    private readonly string _volume = "ro-spec-data-" + Guid.NewGuid().ToString("N")[..8];

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        _ = fixture.Docker.CallAsync("volume", (api, token) => api.Volumes.RemoveAsync(_volume, force: true, token), default);
    }

    private async Task<ServiceDefinition> LoadedAsync(string yaml)
    {
        File.WriteAllText(Path.Combine(_dir, "plan.yml"), yaml);
        var validation = await ReleasePlanLoader.ValidateAsync(Path.Combine(_dir, "plan.yml"));
        Assert.True(validation.IsValid, string.Join("\n", validation.Diagnostics));
        return validation.Plan!.Services.Single();
    }

    [Fact]
    public async Task Volumes_capabilities_healthcheck_restart_logging_and_limits_are_set_on_the_containers_and_pass_the_hardening_gate()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "conf"));
        File.WriteAllText(Path.Combine(_dir, "conf", "app.conf"), "mode=test\n");
        var loaded = await LoadedAsync($$"""
            api_version: releaseops/v1
            application: ro-depl-app
            environment: test
            services:
              - name: {{Name}}
                image: releaseops-test/web
                user: "10001"
                read_only: true
                memory: 64MB
                cpus: 0.5
                labels: { team: payments }
                volumes: ["{{_volume}}:/data", "./conf:/etc/app:ro"]
                cap_drop: [ALL]
                cap_add: [NET_BIND_SERVICE]
                healthcheck: { test: [CMD, /bin/sleep, "0"], interval: 1s, timeout: 2s, retries: 3, start_period: 1s }
                restart: unless-stopped
                logging: { driver: json-file, options: { max-size: 1m, max-file: "2" } }
            """);
        var template = DeployFixture.Service(Name, DeploymentStrategyType.BlueGreen, 21151, 21152);
        var service = loaded with
        {
            ContainerPort = template.ContainerPort, HostPorts = template.HostPorts, Strategy = template.Strategy, Health = template.Health, Smoke = template.Smoke,
        };
        var plan = fixture.Plan(service);
        await fixture.RemoveContainersAsync();
        var engine = fixture.Engine();
        foreach (var version in new[] { "v1", "v2" })
        {
            var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = version }, SilentReporter.Instance, default));
            Assert.True(result.Outcome == DeploymentOutcome.Succeeded, result.Reason);
        }

        var instances = await fixture.InstancesAsync(Name);
        var live = Assert.Single(instances, i => i.Running);
        Assert.Contains(instances, i => !i.Running); // v1's color, kept stopped for a switch-back
        var c = await fixture.Docker.InspectContainerAsync(live.Id);
        Assert.Equal("10001", c.Config!.User);
        Assert.Equal("payments", c.Config.Labels["team"]);
        Assert.Equal(new[] { "CMD", "/bin/sleep", "0" }, c.Config.Healthcheck!.Test);
        Assert.Equal(TimeSpan.FromSeconds(1), c.Config.Healthcheck.Interval);
        Assert.Equal(3, c.Config.Healthcheck.Retries);
        var host = c.HostConfig!;
        Assert.True(host.ReadonlyRootfs);
        Assert.Equal(64_000_000, host.Memory);
        Assert.Equal(500_000_000, host.NanoCPUs);
        Assert.Equal(new[] { "ALL" }, host.CapDrop);
        Assert.Equal(new[] { "NET_BIND_SERVICE" }, host.CapAdd);
        Assert.Equal(new[] { $"{_volume}:/data", $"{Path.Combine(_dir, "conf")}:/etc/app:ro" }, host.Binds);
        Assert.Equal("unless-stopped", host.RestartPolicy.Name.ToString().ToLowerInvariant().Replace("unlessstopped", "unless-stopped"));
        Assert.Equal("json-file", host.LogConfig.Type);
        Assert.Equal("1m", host.LogConfig.Config["max-size"]);
        Assert.Contains(c.Mounts, m => m.Name == _volume && m.Destination == "/data" && m.RW);
        Assert.Contains(c.Mounts, m => m.Destination == "/etc/app" && !m.RW);

        // The hardened service passes the hardening gate, and the stopped v1 color counts for neither gate.
        var env = new GateEnvironment { Docker = plan.Docker };
        var hardening = await GateKit.Run(env, ("type", "docker-hardening"), ("label", $"org.releaseops.service={Name}"),
            ("allowed_capabilities", new[] { "NET_BIND_SERVICE" }));
        Assert.True(hardening.Status == GateStatus.Passed, GateKit.Explain(hardening));
        Assert.Single((string[])hardening.Evidence["containers"]!);
        Assert.Single((string[])hardening.Evidence["stopped_earlier_versions"]!);
        var running = await GateKit.Run(env, ("type", "docker-container"), ("label", $"org.releaseops.service={Name}"), ("require_healthy", true));
        Assert.True(running.Status == GateStatus.Passed, GateKit.Explain(running));

        // Without the capability allowed, the added one is a violation: allowed_capabilities acted.
        var strict = await GateKit.Run(env, ("type", "docker-hardening"), ("label", $"org.releaseops.service={Name}"), ("rules", new[] { "capabilities" }));
        Assert.Equal(GateStatus.Failed, strict.Status);
        Assert.Contains("NET_BIND_SERVICE", strict.Message);
    }

    [Fact]
    public void Container_only_keys_on_a_swarm_service_are_refused()
    {
        var validation = ReleasePlanLoader.Validate("""
            api_version: releaseops/v1
            application: a
            environment: e
            services:
              - { name: s, image: i, target: swarm, cap_drop: [ALL], restart: always }
            """, "plan.yml", null, _ => null);
        Assert.Equal(2, validation.Errors.Count());
        Assert.All(validation.Errors, e => Assert.Equal("ContainerOnlyKey", e.Code));
        Assert.Contains(validation.Errors, e => e.Message.StartsWith("'cap_drop' is applied to the containers ReleaseOps creates", StringComparison.Ordinal));
    }
}
