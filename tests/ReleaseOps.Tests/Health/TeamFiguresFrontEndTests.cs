using System.Security;
using ReleaseOps.Gates;
using ReleaseOps.Health;
using ReleaseOps.Tests.Cli;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// The new gates and watch probes through the front ends: the CLI's ad hoc gate and plan watch, and the
/// cmdlets with inline hashtables and -Secret, against the test Prometheus.
/// </summary>
public class TeamFiguresFrontEndTests : TemporaryDirectory
{
    private static readonly string Prometheus = TestEnvironment.PrometheusUrl.ToString();

    [Fact]
    public void The_cli_runs_an_ad_hoc_prometheus_gate_and_exits_1_when_a_target_is_down()
    {
        TestEnvironment.Require(TestService.Prometheus);
        var passed = CliRunner.Run("gate", "--type", "prometheus", "--set", "url=" + Prometheus, "--set", "query=vector(0.0004)",
            "--set", "condition=value < 0.001");
        Assert.True(passed.ExitCode == 0, passed.Out + passed.Error);
        Assert.Contains("PASSED", passed.Out);

        var none = CliRunner.Run("gate", "--type", "prometheus", "--set", "url=" + Prometheus, "--set", "query=vector(1) == 1", "--set", "series=none");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("the query returns 1 series", none.Out);
    }

    [Fact]
    public void The_cli_watches_a_plans_prometheus_probe_and_exits_1_on_a_breach()
    {
        TestEnvironment.Require(TestService.Prometheus);
        var plan = Path.Combine(Directory, "releaseplan.yml");
        File.WriteAllText(plan, $"""
            api_version: releaseops/v1
            application: ro-cli-prom
            environment: test
            watch:
              duration: 2s
              probes:
                - {"{"} name: memory, type: prometheus, url: "{Prometheus}", query: "vector(0.93)", interval: 200ms {"}"}
              criteria:
                - {"{"} name: memory, expect: "value < 0.8", probe: memory {"}"}
            """);
        var result = CliRunner.Run("watch", plan, "--no-save", "--stop-on-breach");
        Assert.True(result.ExitCode == 1, result.Out + result.Error);
        Assert.Contains("memory", result.Out);
        Assert.Contains("Breached", result.Out);
    }

    [Fact]
    public void Test_ReleaseGate_and_Watch_ReleaseHealth_take_the_new_types_inline_with_secrets_that_never_show()
    {
        TestEnvironment.Require(TestService.Prometheus);
        var canary = CanarySecret.New();
        using var shell = PowerShellSession.Start(Directory);
        var parameters = new Dictionary<string, object?>
        {
            ["proxy"] = TestEnvironment.MonitoringProxy + "bearer",
            ["ca"] = TestEnvironment.NginxCertificate,
            ["token"] = Secure(TestEnvironment.PrometheusToken),
            ["wrong"] = Secure(canary),
            ["prometheus"] = Prometheus,
        };
        var gates = shell.Run("""
            param($proxy, $ca, $token, $wrong, $prometheus)
            @{ type = 'prometheus'; name = 'ok'; url = $proxy; ca_file = $ca; query = 'vector(1)'; condition = 'value == 1'; bearer_token = '${secret:prom}' } |
                Test-ReleaseGate -Secret @{ prom = $token }
            @{ type = 'prometheus'; name = 'refused'; url = $proxy; ca_file = $ca; query = 'vector(1)'; bearer_token = '${secret:prom}' } |
                Test-ReleaseGate -Secret @{ prom = $wrong }
            @{ type = 'secret-strength'; name = 'strength'; secrets = '*' } | Test-ReleaseGate -Secret @{ api_token = $wrong }
            """, parameters);
        var results = gates.Objects<GateResult>().ToDictionary(r => r.Name);
        Assert.True(results["ok"].Status == GateStatus.Passed, results["ok"].ToString());
        Assert.Equal("MonitoringUnauthorized", results["refused"].ErrorId);
        Assert.Equal(GateStatus.Passed, results["strength"].Status);
        CanarySecret.AssertAbsent(canary, gates.AllText(), "Test-ReleaseGate's output");

        var watch = shell.Run("""
            param($prometheus, $wrong)
            Watch-ReleaseHealth -Probe @{ Name = 'ratio'; Type = 'prometheus'; Url = $prometheus; Query = 'vector(0.5)'; Interval = '200ms' },
                                       @{ Name = 'script'; Type = 'command'; Run = '/bin/sh', '-c', 'echo "token $TOKEN"; exit 4'; Env = @{ TOKEN = '${secret:token}' }; Interval = '200ms' } `
                                -Criterion @{ Name = 'ratio'; Expect = 'value < 0.8'; Probe = 'ratio' } -Secret @{ token = $wrong } -Duration 1s
            """, parameters);
        var samples = watch.Objects<HealthSample>();
        var verdict = watch.Objects<HealthVerdict>().Single();
        Assert.Contains(samples, s => s.Probe == "ratio" && s.Success && s.Values["value"] == 0.5);
        Assert.Contains(samples, s => s.Probe == "script" && !s.Success && s.Values["exit_code"] == 4);
        Assert.Equal("Holding", verdict.Criteria.Single().State.ToString());
        CanarySecret.AssertAbsent(canary, watch.AllText(), "Watch-ReleaseHealth's output");

        var refused = shell.Run("""
            Watch-ReleaseHealth -Probe @{ Name = 'c'; Type = 'command'; Run = 'curl', '-H', 'Authorization: ${secret:token}' } -Duration 1s
            """);
        Assert.Equal("ProbeSecretInArguments", refused.Terminating?.FullyQualifiedErrorId.Split(',')[0] ?? refused.ErrorIds.FirstOrDefault());
    }

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (var c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }
}
