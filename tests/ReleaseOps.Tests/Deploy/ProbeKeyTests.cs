using ReleaseOps.Deploy;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// A service's readiness probes and smoke checks as the deployment runs them (<see cref="ProbeRunner"/>), for keys no
/// deployment test shows on its own (issue 12's key review): a TCP probe's host, a smoke check's timeout. Against the
/// test environment's nginx (listening on 127.0.0.1 only) and a local receiver that never answers.
/// </summary>
public class ProbeKeyTests
{
    [Fact]
    public async Task A_tcp_probes_host_replaces_the_instances_host()
    {
        TestEnvironment.Require(TestService.Nginx);
        var port = TestEnvironment.NginxHttp.Port;
        // The instance as the rollout would give it, on an address nginx does not listen on.
        var instance = new Uri($"http://127.0.0.2:{port}/");
        using var probes = new ProbeRunner();

        var onInstance = await probes.ProbeAsync(new ProbeDefinition { Name = "port", Type = ProbeType.Tcp, Timeout = TimeSpan.FromSeconds(2) }, instance, default);
        var onHost = await probes.ProbeAsync(new ProbeDefinition { Name = "port", Type = ProbeType.Tcp, Host = "127.0.0.1", Timeout = TimeSpan.FromSeconds(2) }, instance, default);

        Assert.False(onInstance.Passed, onInstance.Describe());
        Assert.Equal($"127.0.0.2:{port}", onInstance.Target);
        Assert.True(onHost.Passed, onHost.Describe());
        Assert.Equal($"127.0.0.1:{port}", onHost.Target);
    }

    [Fact]
    public async Task A_smoke_checks_timeout_is_how_long_it_waits_for_an_answer()
    {
        await using var receiver = new WebhookReceiver(WebhookReceiver.Hang, WebhookReceiver.Hang);
        using var probes = new ProbeRunner();
        var check = new SmokeCheckDefinition { Name = "login", Url = "/login", Timeout = TimeSpan.FromMilliseconds(300) };

        var short_ = await probes.SmokeAsync(check, new Uri(receiver.Url("/")), default);
        var longer = await probes.SmokeAsync(check with { Timeout = TimeSpan.FromMilliseconds(700) }, new Uri(receiver.Url("/")), default);

        Assert.False(short_.Passed);
        Assert.Contains("300ms", short_.Observed);
        Assert.Contains("timed out", short_.Observed);
        Assert.False(longer.Passed);
        Assert.Contains("700ms", longer.Observed);
    }
}
