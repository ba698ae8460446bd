using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Plans;

/// <summary>What a Swarm service's keys bind to, and what validation refuses for target: swarm (with where and why).</summary>
public class SwarmPlanTests
{
    private const string Header = "api_version: releaseops/v1\napplication: shop\nenvironment: staging\n";
    private const string Swarm = "services:\n  - name: web\n    image: shop/web\n    target: swarm\n    port: 8080\n";

    private static PlanValidation Validate(string yaml) => ReleasePlanLoader.Validate(yaml, "plan.yml", null, _ => null);

    [Theory]
    [InlineData("blue-green")]
    [InlineData("canary")]
    public void Blue_green_and_canary_on_swarm_are_refused_where_written_saying_what_to_use(string type)
    {
        var validation = Validate(Header + Swarm + $"    strategy:\n      type: {type}\n");
        var error = Assert.Single(validation.Errors);
        Assert.Equal("SwarmStrategy", error.Code);
        Assert.Equal("services[0].strategy.type", error.Path);
        Assert.Equal((10, 7), (error.Line, error.Column)); // the strategy's type
        Assert.StartsWith($"plan.yml:10:7: the {type} strategy is not available for target: swarm", error.ToString());
        Assert.Contains("use type: rolling with order: start-first", error.Message);
        Assert.Contains("target: container with a proxy: section", error.Message);
    }

    [Fact]
    public void Strategy_keys_swarm_cannot_honour_are_refused()
    {
        var validation = Validate(Header + Swarm + "    strategy: { type: rolling, drain: 5s, max_unavailable: 1, batch_size: 2 }\n");
        var errors = validation.Errors.ToArray();
        Assert.Equal(new[] { "services[0].strategy.drain", "services[0].strategy.max_unavailable" }, validation.Errors.Select(e => e.Path));
        Assert.All(validation.Errors, e => Assert.Equal("SwarmStrategyKey", e.Code));
        Assert.Contains("has no effect on a Swarm service", errors[0].Message);
    }

    [Fact]
    public void Swarm_only_keys_on_a_container_service_are_refused()
    {
        // volumes and healthcheck act for both targets; reservations are Swarm's alone.
        var validation = Validate(Header + "services:\n  - name: web\n    image: shop/web\n    volumes: [data:/data]\n    memory_reservation: 16MB\n" +
                                  "    cpus_reservation: 0.5\n    healthcheck: { test: [/bin/true] }\n");
        var errors = validation.Errors.ToArray();
        Assert.Equal(new[] { "services[0].memory_reservation", "services[0].cpus_reservation" }, validation.Errors.Select(e => e.Path));
        Assert.All(validation.Errors, e => Assert.Equal("SwarmOnlyKey", e.Code));
        Assert.Contains("target: swarm", errors[0].Message);
    }

    [Fact]
    public void Probes_of_a_swarm_service_need_its_port_and_volumes_their_syntax()
    {
        var validation = Validate(Header + "services:\n  - name: web\n    image: shop/web\n    target: swarm\n    volumes: [data, 'a:relative']\n" +
                                  "    health:\n      - { name: ready, url: /health }\n");
        Assert.Equal(new[] { "SwarmProbePort", "VolumeSyntax", "VolumeSyntax" }, validation.Errors.Select(e => e.Code));
        Assert.Contains("port:", validation.Errors.First().Message);
    }

    [Fact]
    public void A_declared_network_no_swarm_service_joins_is_refused()
    {
        var validation = Validate(Header + "networks:\n  backend: { internal: true }\n" +
                                  "services:\n  - name: web\n    image: shop/web\n    networks: [backend]\n");
        var error = Assert.Single(validation.Errors);
        Assert.Equal(("NetworkUnused", "networks.backend"), (error.Code, error.Path));
        Assert.Contains("Swarm overlay networks only", error.Message);
        Assert.True(Validate(Header + "networks:\n  backend: { internal: true }\n" + Swarm + "    networks: [backend]\n").IsValid);
    }

    [Fact]
    public void The_hardened_example_binds_every_swarm_key()
    {
        var plan = ReleasePlanLoader.Parse(File.ReadAllText(Path.Combine(ExamplePlanTests.RepositoryRoot, "examples", "swarm", "releaseplan.yml")),
            "releaseplan.yml", new Dictionary<string, string> { ["relay_image"] = "relay:1" });
        Assert.Equal("relay:1", plan.Docker.RelayImage);
        Assert.Equal(new[] { ("swarmdemo-public", false), ("swarmdemo-backend", true) }, plan.Networks.Select(n => (n.Name, n.Internal)));
        var store = plan.Services.Single(s => s.Name == "store");
        Assert.Equal(new[] { "swarmdemo-store-data:/data" }, store.Volumes);
        Assert.Equal(16_000_000L, store.MemoryReservation);
        Assert.Equal(0.05, store.CpuReservation);
        Assert.Equal(new[] { "CMD", "/bin/wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health" }, store.Healthcheck!.DockerTest);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 3, TimeSpan.FromSeconds(1)),
            (store.Healthcheck.Interval, store.Healthcheck.Timeout, store.Healthcheck.Retries, store.Healthcheck.StartPeriod));
        Assert.Equal(new[] { "db_password", "api_token" }, plan.Services.Single(s => s.Name == "api").Secrets);
        Assert.Equal(new[] { "CMD-SHELL", "true" }, new HealthcheckDefinition { Test = new[] { "CMD-SHELL", "true" } }.DockerTest);
    }
}
