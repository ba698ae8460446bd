using ReleaseOps.Deploy;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>Deployment probes judge responses with the shared condition language, against the test environment's nginx.</summary>
public sealed class ProbeRunnerTests : IDisposable
{
    private readonly ProbeRunner _runner = new();

    public void Dispose() => _runner.Dispose();

    private Task<ProbeOutcome> Probe(params string[] expect)
    {
        TestEnvironment.Require(TestService.Nginx);
        return _runner.ProbeAsync(new ProbeDefinition { Name = "health", Url = "/health", Expect = expect, Timeout = TimeSpan.FromSeconds(3) },
            TestEnvironment.NginxHttp, default);
    }

    [Fact]
    public async Task Any_condition_of_the_language_can_judge_a_probe()
    {
        var outcome = await Probe("status in [200, 204] and header.content-type contains \"json\"", "json.status == \"UP\"", "size < 1KB");
        Assert.True(outcome.Passed, outcome.Describe());
    }

    [Fact]
    public async Task A_failed_condition_says_what_was_seen()
    {
        var outcome = await Probe("json.status == \"DOWN\"");
        Assert.False(outcome.Passed);
        Assert.Contains("json.status", outcome.Describe());
        Assert.Contains("UP", outcome.Describe());
        Assert.Contains("expected json.status == \"DOWN\"", outcome.Describe());
    }

    [Fact]
    public void A_malformed_expectation_is_refused_before_anything_runs()
    {
        var ex = Assert.Throws<ReleaseOpsException>(() => ProbeRunner.Validate(new[] { "status === 200" }, "service web, probe health"));
        Assert.Equal("ProbeExpectationUnsupported", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidConfiguration, ex.Kind);
        Assert.Contains("at character 10", ex.Message);
    }
}
