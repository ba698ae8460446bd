using ReleaseOps.Gates;
using ReleaseOps.Plans;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

public class DockerGateTests : IClassFixture<GateDockerFixture>
{
    private readonly GateDockerFixture _docker;

    public DockerGateTests(GateDockerFixture docker) => _docker = docker;

    private Task<GateResult> Gate(params (string, object?)[] values) => Run(_docker.Environment, values);

    [Fact]
    public async Task Containers_run_and_are_healthy_and_missing_ones_fail()
    {
        var both = await Gate(("type", "docker-container"), ("container", GateDockerFixture.Prefix + "*"), ("min_count", 2));
        Assert.True(both.Status == GateStatus.Passed, Explain(both));
        Assert.True(Convert.ToInt64(both.Evidence["healthy"]) >= 2);

        var missing = await Gate(("type", "docker-container"), ("container", "ro-gate-nothing-here"));
        Assert.Equal(GateStatus.Failed, missing.Status);
        Assert.Contains("0 container(s) match ro-gate-nothing-here, expected at least 1", missing.Message);
    }

    [Fact]
    public async Task Min_count_fails_when_fewer_containers_match_than_it_asks_for()
    {
        var enough = await Gate(("type", "docker-container"), ("container", GateDockerFixture.Prefix + "*"), ("min_count", 2));
        Assert.True(enough.Status == GateStatus.Passed, Explain(enough));
        var tooMany = await Gate(("type", "docker-container"), ("container", GateDockerFixture.Prefix + "*"), ("min_count", 99));
        Assert.Equal(GateStatus.Failed, tooMany.Status);
        Assert.Contains($"match {GateDockerFixture.Prefix}*, expected at least 99", tooMany.Message);
    }

    [Fact]
    public async Task The_service_and_the_image_named_are_the_ones_judged()
    {
        var present = await Gate(("type", "docker-service"), ("service", _docker.Service));
        Assert.True(present.Status == GateStatus.Passed, Explain(present));
        var absent = await Gate(("type", "docker-service"), ("service", "ro-gate-no-such-service"));
        Assert.NotEqual(GateStatus.Passed, absent.Status);
        Assert.Contains("ro-gate-no-such-service", Explain(absent));

        var image = await Gate(("type", "docker-image"), ("image", "releaseops-test/web:v1"), ("max_size", "300MB"));
        Assert.True(image.Status == GateStatus.Passed, Explain(image));
        var noImage = await Gate(("type", "docker-image"), ("image", "releaseops-test/never-built:v9"), ("max_size", "300MB"));
        Assert.NotEqual(GateStatus.Passed, noImage.Status);
        Assert.Contains("never-built", Explain(noImage));
    }

    [Fact]
    public async Task Hardening_fails_the_root_container_and_passes_the_hardened_user_container()
    {
        var root = await Gate(("type", "docker-hardening"), ("container", _docker.RootContainer));
        Assert.Equal(GateStatus.Failed, root.Status);
        foreach (var expected in new[] { "runs as root", "does not drop all capabilities", "writable root filesystem", "no memory limit", "no CPU limit", "publishes database port(s) 5432" })
        {
            Assert.Contains(expected, root.Message);
        }
        Assert.DoesNotContain("has no healthcheck", root.Message);

        var user = await Gate(("type", "docker-hardening"), ("container", _docker.UserContainer));
        Assert.True(user.Status == GateStatus.Passed, Explain(user));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("root", true)]
    [InlineData("0", true)]
    [InlineData("0:0", true)]
    [InlineData("10001", false)]
    [InlineData("app:app", false)]
    public void Root_is_recognised_however_it_is_written(string user, bool root) =>
        Assert.Equal(root, ReleaseOps.Gates.Checks.DockerHardeningGateCheck.IsRoot(user));

    [Fact]
    public async Task Secrets_by_prefix_and_count_and_by_name()
    {
        var counted = await Gate(("type", "docker-secrets"), ("prefix", _docker.SecretPrefix), ("count", 3));
        Assert.True(counted.Status == GateStatus.Passed, Explain(counted));

        var wrongCount = await Gate(("type", "docker-secrets"), ("prefix", _docker.SecretPrefix), ("count", 9));
        Assert.Equal(GateStatus.Failed, wrongCount.Status);
        Assert.Contains($"3 secret(s) start with {_docker.SecretPrefix}, expected 9", wrongCount.Message);

        var named = await Gate(("type", "docker-secrets"), ("names", new[] { _docker.SecretPrefix + "1", _docker.SecretPrefix + "missing" }));
        Assert.Equal(GateStatus.Failed, named.Status);
        Assert.Contains($"secret {_docker.SecretPrefix}missing is missing", named.Message);
    }

    [Fact]
    public async Task Service_swarm_network_and_image_size()
    {
        var service = await Gate(("type", "docker-service"), ("service", _docker.Service));
        Assert.True(service.Status == GateStatus.Passed, Explain(service));

        var swarm = await Gate(("type", "docker-swarm"));
        Assert.True(swarm.Status == GateStatus.Passed, Explain(swarm));

        var network = await Gate(("type", "docker-network"), ("network", _docker.Network), ("internal", true));
        Assert.True(network.Status == GateStatus.Passed, Explain(network));
        var bridge = await Gate(("type", "docker-network"), ("network", "bridge"), ("internal", true));
        Assert.Equal(GateStatus.Failed, bridge.Status);

        var small = await Gate(("type", "docker-image"), ("image", "releaseops-test/web:v1"), ("max_size", "300MB"));
        Assert.True(small.Status == GateStatus.Passed, Explain(small));
        var tooBig = await Gate(("type", "docker-image"), ("image", "releaseops-test/web:v1"), ("max_size", "1MB"));
        Assert.Equal(GateStatus.Failed, tooBig.Status);
        Assert.Contains("is not <= 1MB", tooBig.Message);
    }

    [Fact]
    public async Task A_missing_docker_socket_is_an_error_that_names_it()
    {
        var env = new GateEnvironment { Docker = new DockerEndpointDefinition { Host = "unix:///tmp/ro-gate-no-such-docker.sock" } };
        var result = await Run(env, ("type", "docker-swarm"));

        Assert.Equal(GateStatus.Error, result.Status);
        Assert.Contains("ro-gate-no-such-docker.sock", result.Message);
        Assert.NotNull(result.Fix);
    }

    [Fact]
    public async Task Min_replicas_and_database_ports_change_what_passes()
    {
        var one = await Gate(("type", "docker-service"), ("service", _docker.Service), ("min_replicas", 1));
        Assert.True(one.Status == GateStatus.Passed, Explain(one));
        var three = await Gate(("type", "docker-service"), ("service", _docker.Service), ("min_replicas", 3));
        Assert.Equal(GateStatus.Failed, three.Status);

        // The root container publishes 5432: a database port by default, not when the team's database ports are others.
        var byDefault = await Gate(("type", "docker-hardening"), ("container", _docker.RootContainer), ("rules", new[] { "no-published-db-ports" }));
        Assert.Equal(GateStatus.Failed, byDefault.Status);
        var others = await Gate(("type", "docker-hardening"), ("container", _docker.RootContainer), ("rules", new[] { "no-published-db-ports" }),
            ("database_ports", new[] { 6379 }));
        Assert.True(others.Status == GateStatus.Passed, Explain(others));
    }
}
