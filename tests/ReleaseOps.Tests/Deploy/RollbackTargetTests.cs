using ReleaseOps.Deploy;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>Where a rollback goes, read from journal histories (newest first): the last successful release of another version.</summary>
public sealed class RollbackTargetTests
{
    private static readonly ReleasePlan Plan = new() { Application = "app", Environment = "prod" };
    private static int _clock;

    private static ReleaseRecord Release(string version, string? previous, ReleaseStatus status, ReleaseKind kind = ReleaseKind.Deployment) => new()
    {
        Id = $"r{Interlocked.Increment(ref _clock):D3}", Application = "app", Environment = "prod", Kind = kind, Version = version,
        PreviousVersion = previous, Status = status, StartedBy = "ci", Host = "h", StartedAt = DateTimeOffset.UnixEpoch.AddMinutes(_clock),
    };

    private static (string From, string To, string? Undone) Target(params ReleaseRecord[] oldestFirst)
    {
        var (from, to, undone) = RollbackService.Target(oldestFirst.Reverse().ToArray(), null, null, Plan, "journal");
        return (from, to, undone?.Id);
    }

    [Fact]
    public void Redeploying_the_same_version_does_not_make_the_rollback_a_no_op()
    {
        var v1 = Release("v1", null, ReleaseStatus.Succeeded);
        var v2 = Release("v2", "v1", ReleaseStatus.Succeeded);
        var again = Release("v2", "v2", ReleaseStatus.Succeeded);
        var thrice = Release("v2", "v2", ReleaseStatus.Succeeded);

        // The release that brought v2 (its pre-deploy backup is the one -RestoreDatabase restores) is the first v2 deployment.
        Assert.Equal(("v2", "v1", v2.Id), Target(v1, v2, again, thrice));
    }

    [Fact]
    public void Releases_that_changed_nothing_or_were_rolled_back_are_not_targets()
    {
        var v1 = Release("v1", null, ReleaseStatus.Succeeded);
        var v2 = Release("v2", "v1", ReleaseStatus.Succeeded);
        var v3Failed = Release("v3", "v2", ReleaseStatus.Failed);
        var v4RolledBack = Release("v4", "v2", ReleaseStatus.RolledBack);

        Assert.Equal(("v2", "v1", v2.Id), Target(v1, v2, v3Failed, v4RolledBack));
    }

    [Fact]
    public void A_release_whose_rollback_failed_is_undone_first()
    {
        var v1 = Release("v1", null, ReleaseStatus.Succeeded);
        var v2 = Release("v2", "v1", ReleaseStatus.RollbackFailed);
        Assert.Equal(("v2", "v1", v2.Id), Target(v1, v2));

        // A rollback that failed half-way is tried again: back to its target.
        var v3 = Release("v3", "v1", ReleaseStatus.Succeeded);
        var rollback = Release("v1", "v3", ReleaseStatus.RollbackFailed, ReleaseKind.Rollback) with { RelatedId = v3.Id };
        Assert.Equal(("v3", "v1", v3.Id), Target(v1, v3, rollback));
    }

    [Fact]
    public void A_history_of_one_version_has_no_target_unless_one_is_given()
    {
        var v1 = Release("v1", null, ReleaseStatus.Succeeded);
        var again = Release("v1", "v1", ReleaseStatus.Succeeded);
        var error = Assert.Throws<ReleaseOpsException>(() => Target(v1, again));
        Assert.Equal("NoPreviousRelease", error.ErrorId);
        Assert.Equal("v0", RollbackService.Target(new[] { again, v1 }, null, "v0", Plan, "journal").To);
        Assert.Equal("NothingToRollBack", Assert.Throws<ReleaseOpsException>(() => Target()).ErrorId);
    }
}
