using ReleaseOps.Cli;
using Xunit;

namespace ReleaseOps.Tests.Gates;

[Collection(GateNginxCollection.Name)]
public class GateCliTests : IClassFixture<GateScratchDirectory>
{
    private readonly GateNginxFixture _nginx;
    private readonly GateScratchDirectory _dir;

    public GateCliTests(GateNginxFixture nginx, GateScratchDirectory dir)
    {
        _nginx = nginx;
        _dir = dir;
    }

    private static (int Code, string Out, string Error) Cli(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void A_plan_with_a_failing_critical_gate_exits_1_and_writes_all_three_reports()
    {
        var plan = _dir.Write("cli-plan.yml", $"""
            api_version: releaseops/v1
            application: shop
            environment: production
            services:
              - name: web
                image: shop/web:v1
            gates:
              - name: health
                type: http
                url: {_nginx.Plain}/health
                expect: status == 200
              - name: certificate
                type: tls
                severity: critical
                host: localhost
                port: {GateNginxFixture.ShortTlsPort}
                ca_file: {_nginx.CaFile}
            """);
        var junit = Path.Combine(_dir.Path, "cli", "gates.xml");
        var json = Path.Combine(_dir.Path, "cli", "gates.json");
        var markdown = Path.Combine(_dir.Path, "cli", "gates.md");

        var (code, output, _) = Cli("gate", plan, "--junit", junit, "--json", json, "--markdown", markdown);

        Assert.Equal(1, code);
        Assert.Contains("BLOCKED 2 gates: 1 passed, 1 failed", output);
        Assert.Contains("certificate: fix: Renew the certificate", output);
        Assert.True(File.Exists(junit) && File.Exists(json) && File.Exists(markdown));

        var (onlyHealth, _, _) = Cli("gate", plan, "--name", "health");
        Assert.Equal(0, onlyHealth);
    }

    [Fact]
    public void Ad_hoc_flags_run_one_gate_and_json_output_is_the_summary()
    {
        var (code, output, error) = Cli("gate", "--http", _nginx.Plain + "/health", "--expect", "status == 200", "--expect", "json.status == \"UP\"", "--output", "json");
        Assert.True(code == 0, output + error);
        using var doc = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(1, doc.RootElement.GetProperty("passed").GetInt32());
        Assert.Equal("passed", doc.RootElement.GetProperty("results")[0].GetProperty("status").GetString());

        var (tls, tlsOut, _) = Cli("gate", "--tls", $"localhost:{GateNginxFixture.GoodTlsPort}", "--set", "ca_file=" + _nginx.CaFile, "--set", "min_days=14");
        Assert.True(tls == 0, tlsOut);

        var (down, downOut, _) = Cli("gate", "--tcp", "127.0.0.1:22994");
        Assert.Equal(1, down);
        Assert.Contains("refuses connections, expected open", downOut);
    }

    [Fact]
    public void Missing_or_conflicting_ad_hoc_flags_are_usage_errors()
    {
        var (none, _, error) = Cli("gate");
        Assert.Equal(2, none);
        Assert.Contains("--http URL", error);

        var (both, _, _) = Cli("gate", "--http", "http://127.0.0.1/", "--tcp", "127.0.0.1:80");
        Assert.Equal(2, both);
    }
}
