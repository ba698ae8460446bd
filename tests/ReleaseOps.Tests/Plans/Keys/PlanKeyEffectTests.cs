using ReleaseOps.Deploy;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Cli;
using Xunit;

namespace ReleaseOps.Tests.Plans.Keys;

/// <summary>Top-level keys whose effect is on what a deployment or the CLI takes from the plan.</summary>
public class PlanKeyEffectTests
{
    private const string Plan = "api_version: releaseops/v1\napplication: shop\nenvironment: staging\nservices:\n  - { name: web, image: shop/web, port: 8080, host_ports: [21997, 21998] }\n";

    [Fact]
    public void Version_is_what_a_deployment_releases_when_none_is_given()
    {
        var plan = ReleasePlanLoader.Parse("version: 2.4.0\n" + Plan);
        Assert.Equal("2.4.0", DeploymentEngine.Validate(plan, new DeploymentRequest()).Version);
        Assert.Equal("2.5.0", DeploymentEngine.Validate(plan, new DeploymentRequest { Version = "2.5.0" }).Version);
        var none = Assert.Throws<ReleaseOpsException>(() => DeploymentEngine.Validate(ReleasePlanLoader.Parse(Plan), new DeploymentRequest()));
        Assert.Equal("DeploymentVersionMissing", none.ErrorId);
    }

    [Fact]
    public void Description_is_shown_with_the_plan()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("ro-desc-").FullName, "plan.yml");
        File.WriteAllText(file, "description: The storefront and its workers\n" + Plan);
        var shown = CliRunner.Run("show", file);
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("The storefront and its workers", shown.Out);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Fact]
    public void The_cli_plans_the_watch_after_the_deployment_and_no_watch_skips_it()
    {
        var dir = Directory.CreateTempSubdirectory("ro-nowatch-").FullName;
        try
        {
            var file = Path.Combine(dir, "plan.yml");
            File.WriteAllText(file, "version: v1\n" + Plan + "watch:\n  after_deploy: true\n  duration: 30s\n  probes: [{ name: web, url: http://127.0.0.1:9/ }]\n");
            var watched = CliRunner.Run("deploy", file, "--what-if");
            Assert.Equal(0, watched.ExitCode);
            Assert.Contains("watch: Planned - watch the release for 30s", watched.Out);
            var skipped = CliRunner.Run("deploy", file, "--what-if", "--no-watch");
            Assert.Contains("watch: Planned - skip: -Watch:$false / --no-watch", skipped.Out);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_file_secret_is_read_from_its_file_at_use_and_a_docker_secret_from_run_secrets()
    {
        var dir = Directory.CreateTempSubdirectory("ro-secret-file-").FullName;
        try
        {
            var file = Path.Combine(dir, "plan.yml");
            var docker = "ro-keys-" + Guid.NewGuid().ToString("N")[..8];
            File.WriteAllText(file, Plan + $"secrets:\n  token: {{ file: secrets/token }}\n  swarm: {{ docker: {docker} }}\n");
            var plan = ReleasePlanLoader.LoadAsync(file).GetAwaiter().GetResult();
            // Read at use, from the path relative to the plan, one trailing newline dropped; a change is seen at the next use.
            Directory.CreateDirectory(Path.Combine(dir, "secrets"));
            File.WriteAllText(Path.Combine(dir, "secrets", "token"), "first-value\n");
            Assert.Equal("Bearer first-value", plan.Secrets.Expand("Bearer ${secret:token}")!.Reveal());
            File.WriteAllText(Path.Combine(dir, "secrets", "token"), "second-value\n");
            Assert.Equal("Bearer second-value", plan.Secrets.Expand("Bearer ${secret:token}")!.Reveal());
            File.Delete(Path.Combine(dir, "secrets", "token"));
            var gone = Assert.Throws<ReleaseOpsException>(() => plan.Secrets.Expand("${secret:token}"));
            Assert.Equal("SecretNotFound", gone.ErrorId);
            Assert.Contains(Path.Combine(dir, "secrets", "token"), gone.Message);

            // A Docker secret is the file Docker mounts for it in the container running ReleaseOps.
            var mounted = Assert.Throws<ReleaseOpsException>(() => plan.Secrets.Expand("${secret:swarm}"));
            Assert.Equal("SecretNotFound", mounted.ErrorId);
            Assert.Contains($"/run/secrets/{docker}", mounted.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
