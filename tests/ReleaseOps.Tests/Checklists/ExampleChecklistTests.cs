using ReleaseOps.Checklists;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Plans;
using Xunit;

namespace ReleaseOps.Tests.Checklists;

/// <summary>examples/checklists: a plan per seed that binds the seed's items cleanly; the coverage each reaches is pinned here.</summary>
public class ExampleChecklistTests
{
    [Theory]
    [InlineData("medianest-deployment.yml", 90, 59, 26, 5, 0)]
    [InlineData("medianest-production-procedures.yml", 43, 29, 12, 2, 0)]
    [InlineData("pitchey-container-services.yml", 61, 32, 19, 10, 0)]
    [InlineData("production-deployment.yml", 68, 40, 28, 0, 0)]
    [InlineData("spatial-intel-deployment.yml", 95, 39, 50, 2, 4)]
    public async Task Each_example_plan_binds_its_seed_cleanly(string plan, int total, int automated, int attestation, int notApplicable, int unbound)
    {
        var loaded = await ReleasePlanLoader.LoadAsync(Path.Combine(ExamplePlanTests.RepositoryRoot, "examples", "checklists", plan));
        var bound = await ChecklistBinder.BindAsync(loaded, default);
        Assert.True(bound.Problems.Count == 0, string.Join("\n", bound.Problems));

        // Before any release: every automated and attested item is pending, and the trust file is read.
        var report = ChecklistStatusRules.Evaluate(bound,
            new ReleaseEvidence { Application = loaded.Application, Environment = loaded.Environment, Version = loaded.Version },
            ChecklistService.TrustOf(loaded));
        var coverage = Assert.Single(report.Coverage);
        Assert.Equal((total, automated, attestation, notApplicable, unbound),
            (coverage.Total, coverage.Automated, coverage.Attestation, coverage.NotApplicable, coverage.Unbound));
        Assert.Equal(automated + attestation, coverage.Pending);
    }
}
