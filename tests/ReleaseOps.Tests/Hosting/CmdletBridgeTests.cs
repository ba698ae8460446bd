using System.Management.Automation;
using System.Management.Automation.Runspaces;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Hosting;

/// <summary>
/// The async-to-pipeline bridge every cmdlet stands on, driven through a real PowerShell runspace
/// by a cmdlet that exercises it the way the real ones do.
/// </summary>
public class CmdletBridgeTests
{
    /// <summary>Emits -Items numbers from a worker, with verbose text, progress, per-item failures and ShouldProcess.</summary>
    [Cmdlet(VerbsDiagnostic.Test, "BridgeProbe", SupportsShouldProcess = true)]
    public sealed class TestBridgeProbeCommand : ReleaseOpsCmdlet
    {
        [Parameter] public int Items { get; set; } = 3;
        [Parameter] public int DelayMilliseconds { get; set; } = 20;
        [Parameter] public Exception? FailWith { get; set; }
        [Parameter] public SwitchParameter FailPerItem { get; set; }
        [Parameter] public SwitchParameter AskConfirmation { get; set; }
        [Parameter] public TaskCompletionSource? Started { get; set; }
        [Parameter] public List<int>? WorkerProduced { get; set; }
        [Parameter] public TaskCompletionSource? Cancelled { get; set; }

        protected override void ProcessRecord() => RunStream(Produce, target: "probe-target");

        private async IAsyncEnumerable<object> Produce(CmdletOperation op)
        {
            op.Verbose("starting");
            using var cancelled = op.Cancellation.Register(() => Cancelled?.TrySetResult());
            Started?.TrySetResult();
            for (var i = 1; i <= Items; i++)
            {
                await Task.Delay(DelayMilliseconds, op.Cancellation);
                op.Progress(new OperationProgress("Probe", $"item {i}", i * 100 / Items));
                if (FailPerItem && i == 2)
                {
                    op.Fail(new ReleaseOpsException("ItemBroken", FailureKind.OperationFailed, "item 2 is broken", "item-2"));
                    continue;
                }
                if (AskConfirmation && !await op.ShouldProcessAsync($"item {i}", "Change"))
                {
                    continue;
                }
                lock (this)
                {
                    WorkerProduced?.Add(i);
                }
                yield return new { Item = i, Thread = Environment.CurrentManagedThreadId };
            }
            if (FailWith is not null)
            {
                throw FailWith;
            }
        }
    }

    private static PowerShellSession Session() =>
        PowerShellSession.Start(null, new SessionStateCmdletEntry("Test-BridgeProbe", typeof(TestBridgeProbeCommand), null));

    private static Dictionary<string, object?> With(string name, object? value) => new() { [name] = value };

    [Fact]
    public void Results_verbose_and_progress_reach_their_streams()
    {
        using var session = Session();
        var result = session.Run("Test-BridgeProbe -Verbose | ForEach-Object Item").ThrowIfFailed();

        Assert.Equal(new object[] { 1, 2, 3 }, result.Output.Select(o => o.BaseObject));
        Assert.Equal(new[] { "starting" }, result.Verbose);
        Assert.Equal(new[] { 33, 66, 100 }, result.Progress.Select(p => p.PercentComplete));
    }

    [Fact]
    public void Results_stream_downstream_as_they_come_not_at_the_end()
    {
        using var session = Session();
        var produced = new List<int>();
        // Each object reaches the next command while the worker is still producing later ones.
        var result = session.Run(
            "param($produced) Test-BridgeProbe -Items 4 -DelayMilliseconds 100 -WorkerProduced $produced | ForEach-Object { $produced.Count }",
            With("produced", produced)).ThrowIfFailed();

        Assert.Equal(4, produced.Count);
        Assert.True((int)result.Output[0].BaseObject < 4, "the first result was written only after the last was produced");
    }

    [Fact]
    public void A_per_item_failure_is_non_terminating_and_the_rest_continue()
    {
        using var session = Session();
        var result = session.Run("Test-BridgeProbe -FailPerItem | ForEach-Object Item; \"succeeded=$?\"");

        Assert.Equal(new object[] { 1, 3, "succeeded=False" }, result.Output.Select(o => o.BaseObject));
        var error = Assert.Single(result.Errors);
        Assert.Equal("ItemBroken,ReleaseOps.Tests.Hosting.CmdletBridgeTests+TestBridgeProbeCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.Equal("item-2", error.TargetObject);
        Assert.Null(result.Terminating);
    }

    [Fact]
    public void An_operation_failure_is_an_error_record_with_id_category_target_and_fix()
    {
        using var session = Session();
        var failure = new ReleaseOpsException("DockerDaemonUnreachable", FailureKind.ConnectionFailed,
            "Cannot reach the Docker daemon at unix:///nowhere.sock.", "unix:///nowhere.sock", "Start dockerd or set DOCKER_HOST.");
        var result = session.Run("param($failure) Test-BridgeProbe -FailWith $failure", With("failure", failure));

        Assert.Equal(3, result.Output.Count);
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("DockerDaemonUnreachable,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Equal("probe-target", error.TargetObject);
        Assert.Equal("Start dockerd or set DOCKER_HOST.", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void ErrorAction_Stop_turns_an_operation_failure_into_an_exception_a_script_can_catch()
    {
        using var session = Session();
        var failure = new ReleaseOpsException("BackupFailed", FailureKind.OperationFailed, "pg_dump exited with 1");
        var result = session.Run(
            "param($failure) try { Test-BridgeProbe -FailWith $failure -ErrorAction Stop } catch { \"caught $($_.FullyQualifiedErrorId)\" }",
            With("failure", failure));

        Assert.Contains(result.Output.Select(o => o.BaseObject), o => o is string s && s.StartsWith("caught BackupFailed,"));
    }

    [Fact]
    public void Invalid_configuration_terminates_the_command()
    {
        using var session = Session();
        var failure = new ReleaseOpsException("PlanInvalid", FailureKind.InvalidConfiguration, "plan.yml:3:5: unknown key 'imagee'");
        var result = session.Run("param($failure) Test-BridgeProbe -FailWith $failure", With("failure", failure));

        Assert.StartsWith("PlanInvalid,", result.Terminating?.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, result.Terminating!.CategoryInfo.Category);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public void WhatIf_asked_from_the_engine_is_answered_by_PowerShell()
    {
        using var session = Session();
        var result = session.Run("Test-BridgeProbe -AskConfirmation -WhatIf").ThrowIfFailed();

        Assert.Empty(result.Output);
        Assert.Equal(3, result.WhatIf.Count(w => w.StartsWith("What if: Performing the operation \"Change\" on target \"item")));
    }

    [Fact]
    public async Task Ctrl_C_cancels_the_engine_call_and_ends_quietly()
    {
        using var session = Session();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Task.Run(() => session.Run("param($started) Test-BridgeProbe -Items 100000 -DelayMilliseconds 5 -Started $started",
            With("started", started)));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        session.Stop();

        var result = await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.IsType<PipelineStoppedException>(result.Aborted);
        Assert.True(result.Output.Count < 100000);
        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task A_downstream_stop_cancels_the_worker()
    {
        using var session = Session();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var result = session.Run("param($cancelled) Test-BridgeProbe -Items 100000 -DelayMilliseconds 1 -Cancelled $cancelled | Select-Object -First 2",
            With("cancelled", cancelled)).ThrowIfFailed();

        Assert.Equal(2, result.Output.Count);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
