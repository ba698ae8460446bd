using ReleaseOps.Deploy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Tests.Backup;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// Failures after the first change: nginx refusing a configuration mid-rollout, a rollback that fails too, a journal that
/// cannot be written (a full disk), and the rollback target after a same-version redeploy. Each ends with the journal
/// saying exactly what state the service was left in.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class RecoveryTests(DeployFixture fixture)
{
    private async Task<(ReleasePlan Plan, DeploymentEngine Engine)> StartFromV1Async(ReleasePlan plan) => (plan, await fixture.StartFromV1Async(plan));

    private Task<IReadOnlyList<InstanceState>> InstancesAsync(string service) => fixture.InstancesAsync(service);

    /// <summary>
    /// An nginx for the plan that fails <c>nginx -t</c> while a flag file exists (once when <paramref name="once"/>, the
    /// flag then removed), and otherwise is the real nginx: a configuration check failing in the middle of a rollout.
    /// </summary>
    private (string Binary, string Flag) FailingNginx(bool once)
    {
        var dir = Path.Combine(fixture.Directory, "nginx-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var flag = Path.Combine(dir, "fail");
        var binary = Path.Combine(dir, "nginx");
        File.WriteAllText(binary, $$"""
            #!/bin/sh
            if [ "$1" = "-t" ] && [ -e {{flag}} ]; then
              {{(once ? $"rm -f {flag}" : ":")}}
              echo "nginx: [emerg] injected failure in {{fixture.ConfigFile}}:1" >&2
              exit 1
            fi
            exec nginx "$@"
            """);
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (binary, flag);
    }

    private ReleasePlan NginxPlan(string binary)
    {
        var service = DeployFixture.Service("web-nginx", DeploymentStrategyType.Rolling, 21441, 21442, 21443) with { Replicas = 2 };
        var plan = fixture.Plan(service);
        return plan with { Proxy = plan.Proxy! with { Binary = binary } };
    }

    [Fact]
    public async Task An_nginx_check_failing_mid_rollout_rolls_back_and_leaves_no_stray_instance()
    {
        var (binary, flag) = FailingNginx(once: true);
        var (plan, engine) = await StartFromV1Async(NginxPlan(binary));
        // The first batch of v2 is switched in and the first v1 stopped; nginx refuses the switch of the second batch.
        var reporter = new TriggerReporter("Starting releaseops-test/web:v2 as ro-depl-app-test-web-nginx-21441", () => File.WriteAllText(flag, ""));

        var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, reporter, default));

        Assert.True(reporter.Fired);
        Assert.False(File.Exists(flag), "nginx -t never ran after the flag was set");
        Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
        Assert.Contains("ProxyConfigInvalid", result.Reason);
        Assert.Contains("injected failure", result.Reason);
        Assert.Equal(StepStatus.Succeeded, steps.Single(s => s.Name == "rollback").Status);
        Assert.Equal("v1", await fixture.ServedVersionAsync("web-nginx"));
        var left = await InstancesAsync("web-nginx");
        Assert.Equal(2, left.Count(i => i.Running && i.Labels["org.releaseops.version"] == "v1"));
        Assert.DoesNotContain(left, i => i.Labels["org.releaseops.version"] == "v2");
        var recorded = (await engine.HistoryAsync(plan, default))[0];
        Assert.Equal(ReleaseStatus.RolledBack, recorded.Status);
        Assert.Contains("v1 on 127.0.0.1:", Assert.Single(recorded.Left));
        Assert.DoesNotContain("v2", recorded.Left[0]);
        Assert.Null(await engine.JournalFor(plan).GetLockAsync(plan.Application, plan.Environment, default));
    }

    [Fact]
    public async Task A_rollback_that_fails_too_is_recorded_as_RollbackFailed_with_the_state_it_left()
    {
        var (binary, flag) = FailingNginx(once: false);
        var (plan, engine) = await StartFromV1Async(NginxPlan(binary));
        var reporter = new TriggerReporter("Starting releaseops-test/web:v2 as ro-depl-app-test-web-nginx-21441", () => File.WriteAllText(flag, ""));
        try
        {
            var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, reporter, default));

            Assert.Equal(DeploymentOutcome.RollbackFailed, result.Outcome);
            Assert.Contains("automatic rollback of web-nginx failed", result.Reason);
            var left = Assert.Single(result.Left);
            // Mixed versions, and which of them nginx sends traffic to: read from Docker and the upstream file.
            Assert.Contains("v1 on 127.0.0.1:21442 running", left);
            Assert.Contains("v2 on 127.0.0.1:21443 running", left);
            Assert.Contains("upstream 'web-nginx' -> 127.0.0.1:21443, 127.0.0.1:21442", left);
            var error = result.ToException()!;
            Assert.Equal("DeploymentRollbackFailed", error.ErrorId);
            Assert.Contains(left, error.Message);
            var recorded = (await engine.HistoryAsync(plan, default))[0];
            Assert.Equal((ReleaseStatus.RollbackFailed, left), (recorded.Status, recorded.Left.Single()));

            // Once nginx works again, Invoke-Rollback returns to the version that served before the broken release.
            File.Delete(flag);
            var (_, rollback) = await DeploymentStream.CollectAsync<RollbackResult>(
                new RollbackService(engine).RollbackAsync(plan, new RollbackRequest(), SilentReporter.Instance, default));
            Assert.True(rollback.Outcome == RollbackOutcome.Succeeded, rollback.Reason);
            Assert.Equal(("v2", "v1"), (rollback.FromVersion, rollback.ToVersion));
            Assert.Equal("v1", await fixture.ServedVersionAsync("web-nginx"));
        }
        finally
        {
            File.Delete(flag);
        }
    }

    [Fact]
    public async Task A_journal_that_cannot_be_written_stops_the_release_and_restores_what_it_changed()
    {
        var mount = Path.Combine(fixture.Directory, "journal-tmpfs-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(mount);
        await Shell.RunAsync("mount", "-t", "tmpfs", "-o", "size=512k", "ro-depl-tmpfs", mount);
        try
        {
            var service = DeployFixture.Service("web-journal", DeploymentStrategyType.Rolling, 21451, 21452);
            var (plan, engine) = await StartFromV1Async(fixture.Plan(service, Path.Combine(mount, "journal")));
            // The disk fills while v2 starts: the journal cannot record the end of the rollout.
            var reporter = new TriggerReporter("Starting releaseops-test/web:v2", () => Fill(mount));

            var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = "v2" }, reporter, default));

            Assert.True(reporter.Fired);
            Assert.Equal(DeploymentOutcome.RolledBack, result.Outcome);
            Assert.Contains("JournalWriteFailed", result.Reason);
            Assert.Contains("No space left on device", result.Reason);
            // Nothing after the failed write went on: no verify, no post-deploy gates, straight to the rollback.
            Assert.DoesNotContain(steps, s => s.Name is "verify" or "gates:post-deploy" or "retire");
            Assert.Equal(StepStatus.Succeeded, steps.Single(s => s.Name == "rollback").Status);
            Assert.Equal("v1", await fixture.ServedVersionAsync("web-journal"));
            Assert.All(await InstancesAsync("web-journal"), i => Assert.Equal("v1", i.Labels["org.releaseops.version"]));
            Assert.False(File.Exists(Path.Combine(plan.Journal.Path, plan.Application, plan.Environment, "deploy.lock")), "the lock is still held");
        }
        finally
        {
            await Shell.RunAsync("umount", mount);
        }
    }

    /// <summary>Fills a file system to the last byte.</summary>
    private static void Fill(string mount)
    {
        var buffer = new byte[4096];
        // Unbuffered, so that disposing the stream has nothing left to write.
        using var filler = new FileStream(Path.Combine(mount, "filler"), FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true) filler.Write(buffer);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task A_rollback_after_redeploying_the_same_version_returns_to_the_version_before()
    {
        var service = DeployFixture.Service("web-redeploy", DeploymentStrategyType.Recreate, 21461);
        var (plan, engine) = await StartFromV1Async(fixture.Plan(service));
        foreach (var version in new[] { "v2", "v2" })
        {
            var (_, deployed) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = version }, SilentReporter.Instance, default));
            Assert.True(deployed.Outcome == DeploymentOutcome.Succeeded, deployed.Reason);
        }
        Assert.Equal("v2", (await engine.HistoryAsync(plan, default))[0].PreviousVersion); // the redeploy is recorded as what it was

        var (_, rollback) = await DeploymentStream.CollectAsync<RollbackResult>(
            new RollbackService(engine).RollbackAsync(plan, new RollbackRequest(), SilentReporter.Instance, default));

        Assert.True(rollback.Outcome == RollbackOutcome.Succeeded, rollback.Reason);
        Assert.Equal(("v2", "v1"), (rollback.FromVersion, rollback.ToVersion));
        Assert.Equal("v1", await fixture.ServedVersionAsync("web-redeploy"));
    }
}
