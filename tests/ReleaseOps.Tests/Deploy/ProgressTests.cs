using System.Management.Automation;
using ReleaseOps.Deploy;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// Progress as PowerShell receives it from the runspace's progress stream: every activity has an id
/// of its own, nested activities (gates, backups, the backup's test-restore inside a deployment)
/// name their parent, and every activity ends with a Completed record.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class ProgressTests(DeployFixture fixture)
{
    private const string PasswordVariable = "RO_PROGRESS_TEST_PG_PASSWORD";

    /// <summary>One Recreate service, a pre-deploy gate, and a verified pre-deploy backup of the test database.</summary>
    private ReleasePlan Plan(string backups) => fixture.Plan(DeployFixture.Service("web-cli", DeploymentStrategyType.Recreate, 21173)) with
    {
        Secrets = new SecretCatalog(new Dictionary<string, SecretSource> { ["pg"] = new EnvironmentSecretSource("pg", PasswordVariable) }),
        Gates = new[]
        {
            new GateDefinition
            {
                Name = "database-port", Type = "tcp",
                Settings = new GateSettings(new Dictionary<string, object?> { ["host"] = TestEnvironment.PgHost, ["port"] = (long)TestEnvironment.PgPort }),
            },
        },
        Backups = new[]
        {
            new BackupDefinition
            {
                Name = "progress-db", Type = BackupSourceType.Postgres, Destination = backups, Verify = true,
                Connection = new ConnectionDefinition
                {
                    Host = TestEnvironment.PgHost, Port = TestEnvironment.PgPort, Database = TestEnvironment.PgDatabase,
                    Username = TestEnvironment.PgUser, Password = "${secret:pg}",
                },
            },
        },
    };

    [Fact]
    public async Task A_deployment_nests_its_gates_backup_and_test_restore_and_completes_every_activity()
    {
        TestEnvironment.Require(TestService.Postgres);
        Environment.SetEnvironmentVariable(PasswordVariable, TestEnvironment.PgPassword);
        await fixture.RemoveContainersAsync();
        var plan = Plan(Path.Combine(fixture.Directory, "progress-backups-" + Guid.NewGuid().ToString("N")[..6]));
        using var session = PowerShellSession.Start();

        var result = session.Run("param($plan) $plan | Invoke-Deployment -Version v1 -Confirm:$false",
            new Dictionary<string, object?> { ["plan"] = plan }).ThrowIfFailed();
        await fixture.RemoveContainersAsync();

        var activities = AssertWellFormed(result.Progress);
        var deployment = Assert.Single(activities, a => a.Name.StartsWith("Deployment ro-depl-app/test v1"));
        Assert.Equal(-1, deployment.Parent);
        Assert.Equal(deployment.Id, Assert.Single(activities, a => a.Name == "Release gates").Parent);
        var backup = Assert.Single(activities, a => a.Name.StartsWith("Backing up "));
        var test = Assert.Single(activities, a => a.Name.StartsWith("Testing backup "));
        Assert.True(backup.Parent != -1 && test.Parent != -1, "the pre-deploy backup and its test-restore run inside the deployment");
        Assert.Contains(activities, a => a.Id == backup.Parent);
    }

    /// <summary>
    /// Checks what PowerShell requires of a progress stream and returns one entry per activity:
    /// ids are not shared by different activities, parents are activities of the same run, and
    /// each activity's last record is Completed (nothing is left drawn on the console).
    /// </summary>
    internal static IReadOnlyList<(int Id, int Parent, string Name)> AssertWellFormed(IReadOnlyList<ProgressRecord> progress)
    {
        Assert.NotEmpty(progress);
        var activities = progress.GroupBy(p => p.ActivityId).Select(g =>
        {
            var names = g.Select(p => p.Activity).Distinct().ToList();
            Assert.True(names.Count == 1, $"activity id {g.Key} is shared by: {string.Join(" | ", names)}");
            Assert.True(g.Select(p => p.ParentActivityId).Distinct().Count() == 1, $"'{names[0]}' changes its parent");
            Assert.True(g.Last().RecordType == ProgressRecordType.Completed, $"'{names[0]}' never completes");
            Assert.Single(g, p => p.RecordType == ProgressRecordType.Completed);
            return (Id: g.Key, Parent: g.First().ParentActivityId, Name: names[0]);
        }).ToList();
        foreach (var activity in activities.Where(a => a.Parent != -1))
        {
            Assert.Contains(activities, a => a.Id == activity.Parent);
        }
        return activities;
    }
}
