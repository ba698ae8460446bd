using ReleaseOps.Docker;
using ReleaseOps.Errors;
using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Reporting;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Docker;
using ReleaseOps.Tests.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// What the seed example's security gates look for, made under our prefix: a hardened container
/// (user 10001, read-only root, no capabilities, limits, healthcheck), three secrets sharing a
/// prefix, and an internal network.
/// </summary>
public sealed class SeedStackFixture : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private DockerEngine _docker = null!;

    public string ContainerPrefix => $"ro-gate-seed-{_run}-";
    public string SecretPrefix => $"ro-gate-seed-{_run}_";
    public string Network => $"ro-gate-seed-{_run}-internal";

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        _docker = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        for (var i = 1; i <= 3; i++)
        {
            await GateDockerFixture.CreateSecretAsync(_docker, SecretPrefix + i);
        }
        await _docker.CallAsync("network", (api, token) => api.Networks.CreateNetworkAsync(
            new global::Docker.DotNet.Models.NetworksCreateParameters { Name = Network, Internal = true }, token), default);
        await _docker.RunAsync(GateDockerFixture.HardenedContainer(ContainerPrefix + "api", "releaseops-test/web:plain", Network));
    }

    public async Task DisposeAsync()
    {
        foreach (var cleanup in new Func<Task>[]
                 {
                     () => _docker.RemoveContainerAsync(ContainerPrefix + "api", force: true),
                     () => _docker.CallAsync("network", (api, token) => api.Networks.DeleteNetworkAsync(Network, token), default),
                     () => _docker.CallAsync("secret", (api, token) => api.Secrets.DeleteAsync(SecretPrefix + 1, token), default),
                     () => _docker.CallAsync("secret", (api, token) => api.Secrets.DeleteAsync(SecretPrefix + 2, token), default),
                     () => _docker.CallAsync("secret", (api, token) => api.Secrets.DeleteAsync(SecretPrefix + 3, token), default),
                 })
        {
            try
            {
                await cleanup();
            }
            catch (ReleaseOpsException)
            {
            }
        }
        _docker.Dispose();
    }
}

public class SeedGatesExampleTests : IClassFixture<SeedStackFixture>
{
    private readonly SeedStackFixture _stack;

    public SeedGatesExampleTests(SeedStackFixture stack) => _stack = stack;

    [Fact]
    public async Task The_seed_gate_lists_pass_against_the_local_test_stack()
    {
        TestEnvironment.Require(TestService.Nginx);
        TestEnvironment.Require(TestService.Postgres);
        TestEnvironment.Require(TestService.Redis);
        // The plan reads its passwords from the environment, as a CI job would after sourcing the env file.
        Environment.SetEnvironmentVariable("RELEASEOPS_TEST_PG_PASSWORD", TestEnvironment.PgPassword);
        Environment.SetEnvironmentVariable("RELEASEOPS_TEST_REDIS_PASSWORD", TestEnvironment.RedisPassword);
        var path = Path.Combine(ExamplePlanTests.RepositoryRoot, "examples", "gates", "seed-gates.yml");
        var plan = await ReleasePlanLoader.LoadAsync(path, new Dictionary<string, string>
        {
            ["container_prefix"] = _stack.ContainerPrefix,
            ["secret_prefix"] = _stack.SecretPrefix,
            ["secret_count"] = "3",
            ["internal_network"] = _stack.Network,
            ["nginx_cert"] = TestEnvironment.NginxCertificate,
            // Tests do not assert timings: a loaded CI machine must not fail the latency gate.
            ["max_response_time"] = "30s",
        });

        // Nor its timeouts: this test runs in the first seconds of a CI run, when every test class starts at once on two
        // cores; a Redis connect once took the whole default 10 s there (never seen alone or under CPU load).
        var summary = await ReleaseOps.Releases.StandardRelease.GateRunner().RunToSummaryAsync(plan.Gates, GateEnvironment.For(plan),
            new GateRunOptions { DefaultTimeout = TimeSpan.FromSeconds(30) }, SilentReporter.Instance, default);

        Assert.Equal(plan.Gates.Count, summary.Total);
        Assert.True(summary.Passed == summary.Total, string.Join("\n", summary.Results.Where(r => r.Status != GateStatus.Passed).Select(GateKit.Explain)));
        foreach (var tag in new[] { "security", "build", "performance", "infrastructure" })
        {
            Assert.Contains(plan.Gates, g => g.Tags.Contains(tag));
        }
        var reports = Enum.GetValues<ReportFormat>().Select(f => ReportWriters.ToText(GateReport.ToSuite(summary), f)).ToArray();
        CanarySecret.AssertAbsent(TestEnvironment.PgPassword, reports, "the seed gate reports");
        CanarySecret.AssertAbsent(TestEnvironment.RedisPassword, reports, "the seed gate reports");
    }
}
