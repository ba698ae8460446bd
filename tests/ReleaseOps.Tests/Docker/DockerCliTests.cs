using ReleaseOps.Tests.Cli;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Docker;

public sealed class DockerCliTests : TemporaryDirectory
{
    public DockerCliTests()
        : base(DockerFixture.Prefix)
    {
    }

    [Fact]
    public void Docker_check_reports_the_engine_and_the_negotiated_api()
    {
        TestEnvironment.Require(TestService.Docker);
        var result = CliRunner.Run("docker-check", "--host", TestEnvironment.DockerHost);
        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains(TestEnvironment.DockerHost, result.Out);
        Assert.Contains("in use", result.Out);
        Assert.Contains("from --host", result.Out);
        Assert.Contains("active (manager)", result.Out);
    }

    [Fact]
    public void Docker_check_reads_the_plans_docker_section_and_writes_json()
    {
        TestEnvironment.Require(TestService.Docker);
        var plan = Write("plan.yml", $"""
            api_version: releaseops/v1
            application: ro-dock-cli
            environment: test
            docker:
              host: {TestEnvironment.DockerHost}
            services:
              - name: web
                image: releaseops-test/web
            """);
        var result = CliRunner.Run("docker-check", plan, "--output", "json");
        Assert.True(result.ExitCode == 0, result.Error);
        using var json = System.Text.Json.JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(TestEnvironment.DockerHost, Property(root, "endpoint"));
        Assert.Equal("plan", Property(root, "origin"));
    }

    [Fact]
    public void An_unreachable_engine_exits_3_with_the_typed_message()
    {
        var socket = Path.Combine(Directory, "none.sock");
        var result = CliRunner.Run("docker-check", "--host", "unix://" + socket);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains(socket, result.Error);
        Assert.Contains("DOCKER_HOST", result.Error);
        Assert.DoesNotContain("   at ", result.Error); // no stack trace
    }

    private static string? Property(System.Text.Json.JsonElement element, string name) =>
        element.EnumerateObject().First(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Value.GetString();
}
