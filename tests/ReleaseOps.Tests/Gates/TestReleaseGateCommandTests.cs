using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Gates;

[Collection(GateNginxCollection.Name)]
public class TestReleaseGateCommandTests : IClassFixture<GateScratchDirectory>
{
    private readonly GateNginxFixture _nginx;
    private readonly GateScratchDirectory _dir;

    public TestReleaseGateCommandTests(GateNginxFixture nginx, GateScratchDirectory dir)
    {
        _nginx = nginx;
        _dir = dir;
    }

    private string Plan() => _dir.Write($"plan-{Guid.NewGuid():N}.yml", $"""
        api_version: releaseops/v1
        application: shop
        environment: staging
        services:
          - name: web
            image: shop/web:v1
        gates:
          - name: health
            type: http
            category: performance
            url: {_nginx.Plain}/health
            expect: [status == 200, json.status == "UP"]
          - name: certificate
            type: tls
            severity: critical
            host: localhost
            port: {GateNginxFixture.ShortTlsPort}
            ca_file: {_nginx.CaFile}
            min_days: 30
          - name: web-port
            type: tcp
            severity: low
            tags: [smoke]
            host: 127.0.0.1
            port: {GateNginxFixture.PlainPort}
        """);

    [Fact]
    public void A_plan_path_runs_its_gates_and_writes_the_reports()
    {
        var plan = Plan();
        using var session = PowerShellSession.Start(_dir.Path);
        var result = session.Run($"Test-ReleaseGate '{Path.GetFileName(plan)}' -JUnitPath cmdlet-report.xml -MarkdownPath cmdlet-report.md -Verbose")
            .ThrowIfFailed();

        var results = result.Objects<GateResult>().ToDictionary(r => r.Name);
        Assert.Equal(GateStatus.Passed, results["health"].Status);
        Assert.Equal(GateStatus.Failed, results["certificate"].Status);
        Assert.Equal(GateStatus.Passed, results["web-port"].Status);
        Assert.Matches(@"plan-\w+\.yml:\d+:\d+", results["health"].Location);
        Assert.Contains("<testcase name=\"certificate\"", File.ReadAllText(Path.Combine(_dir.Path, "cmdlet-report.xml")));
        Assert.Contains("**BLOCKED**", File.ReadAllText(Path.Combine(_dir.Path, "cmdlet-report.md")));
        Assert.Contains(result.Verbose, v => v.StartsWith("3 gates: 2 passed, 1 failed"));
        Assert.Equal("Release gates", Assert.Single(Deploy.ProgressTests.AssertWellFormed(result.Progress)).Name);
    }

    [Fact]
    public async Task A_piped_plan_with_selection_and_summary()
    {
        var plan = await ReleasePlanLoader.LoadAsync(Plan());
        using var session = PowerShellSession.Start(_dir.Path);
        var result = session.Run("param($plan) $plan | Test-ReleaseGate -Tag smoke -Summary", new Dictionary<string, object?> { ["plan"] = plan })
            .ThrowIfFailed();

        var summary = Assert.Single(result.Objects<GateRunSummary>());
        Assert.Equal("shop/staging", summary.Plan);
        Assert.Equal(1, summary.Total);
        Assert.Equal("web-port", summary.Results.Single().Name);
        Assert.True(summary.Succeeded);
    }

    [Fact]
    public void Piped_hashtables_run_together_and_give_the_same_records_without_leaking_the_secret()
    {
        var canary = CanarySecret.New();
        using var session = PowerShellSession.Start(_dir.Path);
        var result = session.Run("""
            param($canary, $url)
            $token = ConvertTo-SecureString $canary -AsPlainText -Force
            @{ type = 'http'; url = "$url/health"; expect = @('status == 200') },
            @{ type = 'http'; name = 'auth'; severity = 'critical'; url = "$url/echo-auth"
               headers = @{ Authorization = 'Bearer ${secret:token}' }; expect = 'status == 200' } |
                Test-ReleaseGate -Secret @{ token = $token } -JsonPath inline-report.json
            """, new Dictionary<string, object?> { ["canary"] = canary, ["url"] = _nginx.Plain }).ThrowIfFailed();

        var results = result.Objects<GateResult>().ToDictionary(r => r.Name);
        Assert.Equal(2, results.Count);
        Assert.Equal(GateStatus.Passed, results[$"http {_nginx.Plain}/health"].Status);
        Assert.Equal(GateStatus.Failed, results["auth"].Status);
        Assert.Equal("status 401 is not == 200", results["auth"].Message);
        CanarySecret.AssertAbsent(canary, result.AllText().Append(File.ReadAllText(Path.Combine(_dir.Path, "inline-report.json"))),
            "Test-ReleaseGate output and its JSON report");
    }

    [Fact]
    public void An_inline_gate_with_an_unknown_setting_ends_the_command_with_the_settings_it_takes()
    {
        using var session = PowerShellSession.Start(_dir.Path);
        var result = session.Run("Test-ReleaseGate -Gate @{ type = 'tcp'; host = '127.0.0.1'; prot = 80 }");

        var error = result.Terminating;
        Assert.NotNull(error);
        Assert.StartsWith("InlineGateInvalid,", error!.FullyQualifiedErrorId);
        Assert.Contains("'prot'", error.Exception.Message);
        Assert.Contains("host, port, state", error.ErrorDetails.RecommendedAction);
        Assert.Empty(result.Output);
    }
}
