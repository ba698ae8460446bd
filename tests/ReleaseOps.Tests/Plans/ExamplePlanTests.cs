using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Plans;

public class ExamplePlanTests
{
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ReleaseOps.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("ReleaseOps.sln not found above " + AppContext.BaseDirectory);
    }

    public static IEnumerable<object[]> ExamplePlans() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "examples"), "*.yml", SearchOption.AllDirectories)
            .Where(f => File.ReadLines(f).Any(l => l.StartsWith("api_version:", StringComparison.Ordinal)))
            .Select(f => new object[] { Path.GetRelativePath(RepositoryRoot, f) });

    [Theory]
    [MemberData(nameof(ExamplePlans))]
    public void Every_example_plan_validates(string relativePath)
    {
        // The full example reads two variables from the environment, as a real deployment would.
        var environment = new Dictionary<string, string>
        {
            ["MEDIANEST_DB_HOST"] = "db.internal",
            ["DOCKER_HOST"] = "unix:///var/run/docker.sock",
        };
        var validation = ReleasePlanLoader.Validate(File.ReadAllText(Path.Combine(RepositoryRoot, relativePath)), relativePath,
            environment: name => environment.TryGetValue(name, out var v) ? v : Environment.GetEnvironmentVariable(name));
        Assert.True(validation.IsValid, string.Join("\n", validation.Diagnostics));
    }

    [Fact]
    public void The_full_example_binds_every_section()
    {
        var path = Path.Combine(RepositoryRoot, "examples", "releaseplan.full.yml");
        var plan = ReleasePlanLoader.Validate(File.ReadAllText(path), path, environment: name => name switch
        {
            "MEDIANEST_DB_HOST" => "db.internal",
            _ => null,
        }).Plan!;

        Assert.Equal("medianest", plan.Application);
        Assert.Equal(2, plan.Services.Count);
        var api = plan.Services[0];
        Assert.Equal("registry.example.com/medianest/api:2.4.0", api.ImageFor("2.4.0"));
        Assert.Equal(DeploymentStrategyType.Rolling, api.Strategy.Type);
        Assert.Equal(512_000_000, api.MemoryLimit);
        Assert.Equal(new[] { 10, 50, 100 }, plan.Services[1].Strategy.Steps);
        Assert.Equal(DeploymentStrategyType.Canary, plan.Services[1].Strategy.Type);
        Assert.Equal(JournalStore.Postgres, plan.Journal.Store);
        Assert.Equal("db.internal", plan.Journal.Connection!.Host);
        Assert.Equal(12, plan.Gates.Count);
        Assert.Equal("error-ratio", plan.Services[1].Strategy.Analysis!.Metrics.Single().Name);
        Assert.Equal(TimeSpan.FromDays(30), plan.Backups[0].Retention.MaxAge);
        Assert.Equal(6, plan.Watch!.Criteria.Count);
        Assert.Equal(TimeSpan.FromMinutes(5), plan.Watch.Criteria[2].For);
        Assert.Equal(ProbeType.ContainerLogs, plan.Watch.Probes.Single(p => p.Name == "logins").Type);
        Assert.Equal(6, plan.Secrets.Sources.Count());
    }
}
