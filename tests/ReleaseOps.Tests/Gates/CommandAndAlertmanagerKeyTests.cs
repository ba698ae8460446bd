using System.Text;
using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// Keys of the command and alertmanager gates that no other test shows at work (issue 12's key review): each is run
/// with and without the key, or with two values, against a real process, the test environment's TLS proxy in front
/// of Alertmanager, or a local receiver that records what was sent.
/// </summary>
public class CommandAndAlertmanagerKeyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-gate-keys-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_commands_working_directory_is_where_it_runs_and_output_contains_fails_it_when_the_text_is_missing()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "scripts"));
        var environment = new GateEnvironment { BaseDirectory = _dir };

        var inScripts = await Run(environment, ("type", "command"), ("run", "pwd"), ("working_directory", "scripts"));
        Assert.True(inScripts.Status == GateStatus.Passed, Explain(inScripts));
        Assert.Equal(Path.Combine(_dir, "scripts"), (string)inScripts.Evidence["output_tail"]!);
        var inBase = await Run(environment, ("type", "command"), ("run", "pwd"));
        Assert.Equal(_dir, (string)inBase.Evidence["output_tail"]!);

        var found = await Run(environment, ("type", "command"), ("run", "echo critical path ok"), ("output_contains", "critical path ok"));
        Assert.True(found.Status == GateStatus.Passed, Explain(found));
        var missing = await Run(environment, ("type", "command"), ("run", "echo degraded"), ("output_contains", "critical path ok"));
        Assert.Equal(GateStatus.Failed, missing.Status);
        Assert.Contains("critical path ok", missing.Message);
        Assert.True((await Run(environment, ("type", "command"), ("run", "echo degraded"))).Status == GateStatus.Passed, "the same command without output_contains");
    }

    [Fact]
    public async Task Alertmanager_behind_tls_needs_its_ca_file_or_insecure()
    {
        TestEnvironment.Require(TestService.Alertmanager);
        var environment = new GateEnvironment
        {
            Secrets = SecretCatalog.Empty.With(new GivenSecretSource("prom_token", new SecretValue(TestEnvironment.PrometheusToken))),
        };
        var url = ("url", (object?)(TestEnvironment.MonitoringProxy.ToString().TrimEnd('/') + "/alertmanager"));
        var token = ("bearer_token", (object?)"${secret:prom_token}");
        var matchers = ("matchers", (object?)$"incident=\"{Guid.NewGuid():N}\"");

        var untrusted = await Run(environment, ("type", "alertmanager"), url, token, matchers);
        Assert.Equal("HttpTlsHandshakeFailed", untrusted.ErrorId);
        var trusted = await Run(environment, ("type", "alertmanager"), url, token, matchers, ("ca_file", TestEnvironment.NginxCertificate));
        Assert.True(trusted.Status == GateStatus.Passed, Explain(trusted));
        var insecure = await Run(environment, ("type", "alertmanager"), url, token, matchers, ("insecure", true));
        Assert.True(insecure.Status == GateStatus.Passed, Explain(insecure));
    }

    [Fact]
    public async Task Alertmanager_username_and_password_are_sent_as_basic_auth_and_never_shown()
    {
        var canary = CanarySecret.New();
        var environment = new GateEnvironment { Secrets = SecretCatalog.Empty.With(new GivenSecretSource("am_password", new SecretValue(canary))) };
        await using var receiver = new WebhookReceiver(401);

        var refused = await Run(environment, ("type", "alertmanager"), ("url", receiver.Url("/")), ("username", "ops"), ("password", "${secret:am_password}"));

        var request = Assert.Single(receiver.Received);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ops:" + canary)), request.Headers["Authorization"]);
        Assert.Equal("MonitoringUnauthorized", refused.ErrorId);
        CanarySecret.AssertAbsent(canary, new[] { AsJson(refused) }, "an alertmanager gate refused with basic auth");
    }
}
