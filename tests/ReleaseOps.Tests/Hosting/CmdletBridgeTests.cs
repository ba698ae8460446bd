using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Hosting;

public class CmdletBridgeTests
{
    /// <summary>A cmdlet that exercises the bridge the way real cmdlets do.</summary>
    private sealed class ProbeCommand : ReleaseOpsCmdlet
    {
        public int Items { get; set; } = 3;
        public Exception? FailWith { get; set; }
        public bool FailPerItem { get; set; }
        public bool AskConfirmation { get; set; }
        public TaskCompletionSource? Started { get; set; }
        public List<DateTime> EmittedAt { get; } = new();

        protected override void ProcessRecord()
        {
            RunStream(Produce, target: "probe-target");
        }

        private async IAsyncEnumerable<int> Produce(CmdletOperation op)
        {
            op.Verbose("starting");
            Started?.TrySetResult();
            for (var i = 1; i <= Items; i++)
            {
                await Task.Delay(20, op.Cancellation);
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
                lock (EmittedAt)
                {
                    EmittedAt.Add(DateTime.UtcNow);
                }
                yield return i;
            }
            if (FailWith is not null)
            {
                throw FailWith;
            }
        }
    }

    [Fact]
    public void Results_verbose_and_progress_are_written_on_the_pipeline_thread()
    {
        var cmdlet = new ProbeCommand();
        var pipelineThread = Environment.CurrentManagedThreadId;
        var runtime = CmdletHarness.Invoke(cmdlet);

        Assert.Equal(new object?[] { 1, 2, 3 }, runtime.Output);
        Assert.Equal(new[] { "starting" }, runtime.Verbose);
        Assert.Equal(new[] { 33, 66, 100 }, runtime.Progress.Select(p => p.PercentComplete));
        Assert.Equal(new[] { pipelineThread }, runtime.WritingThreads);
    }

    [Fact]
    public void Results_stream_as_they_come_not_at_the_end()
    {
        var cmdlet = new ProbeCommand { Items = 4 };
        var writtenAt = new List<DateTime>();
        var runtime = new RecordingRuntime { OnWriteObject = _ => writtenAt.Add(DateTime.UtcNow) };
        cmdlet.Runtime = runtime;
        typeof(System.Management.Automation.Cmdlet).GetMethod("ProcessRecord",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.Invoke(cmdlet, null);

        Assert.Equal(4, writtenAt.Count);
        // The first object reached the pipeline before the last one was produced.
        Assert.True(writtenAt[0] < cmdlet.EmittedAt[^1], "first result was written only after the last was produced");
    }

    [Fact]
    public void A_per_item_failure_is_non_terminating_and_the_rest_continue()
    {
        var runtime = CmdletHarness.Invoke(new ProbeCommand { FailPerItem = true });

        Assert.Equal(new object?[] { 1, 3 }, runtime.Output);
        var error = Assert.Single(runtime.Errors);
        Assert.Equal("ItemBroken", error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.Category);
        Assert.Equal("item-2", error.TargetObject);
    }

    [Fact]
    public void An_operation_failure_becomes_a_non_terminating_error_with_id_category_target_and_fix()
    {
        var failure = new ReleaseOpsException("DockerDaemonUnreachable", FailureKind.ConnectionFailed,
            "Cannot reach the Docker daemon at unix:///nowhere.sock.", "unix:///nowhere.sock", "Start dockerd or set DOCKER_HOST.");
        var runtime = CmdletHarness.Invoke(new ProbeCommand { FailWith = failure });

        Assert.Equal(3, runtime.Output.Count);
        var error = Assert.Single(runtime.Errors);
        Assert.Equal("DockerDaemonUnreachable", error.ErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.Category);
        Assert.Equal("probe-target", error.TargetObject);
        Assert.Equal("Start dockerd or set DOCKER_HOST.", error.RecommendedAction);
    }

    [Fact]
    public void Invalid_configuration_terminates_the_command()
    {
        var failure = new ReleaseOpsException("PlanInvalid", FailureKind.InvalidConfiguration, "plan.yml:3:5: unknown key 'imagee'");
        var ex = Assert.Throws<TerminatingErrorException>(() => CmdletHarness.Invoke(new ProbeCommand { FailWith = failure }));

        Assert.Equal("PlanInvalid", ex.Error.ErrorId);
        Assert.Equal(ErrorCategory.InvalidData, ex.Error.Category);
    }

    [Fact]
    public void ShouldProcess_asked_from_the_engine_is_answered_on_the_pipeline_thread()
    {
        var runtime = CmdletHarness.Invoke(new ProbeCommand { AskConfirmation = true }, whatIf: true);

        Assert.Empty(runtime.Output);
        Assert.Equal(new[] { "item 1", "item 2", "item 3" }, runtime.ShouldProcessCalls.Select(c => c.Target));
        Assert.Single(runtime.WritingThreads);
    }

    [Fact]
    public async Task Ctrl_C_cancels_the_engine_call_and_ends_quietly()
    {
        var cmdlet = new ProbeCommand { Items = 10_000, Started = new TaskCompletionSource() };
        var run = Task.Run(() => CmdletHarness.Invoke(cmdlet));
        await cmdlet.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        CmdletHarness.PressCtrlC(cmdlet);

        var runtime = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(runtime.Output.Count < 10_000);
        Assert.Empty(runtime.Errors);
    }

    [Fact]
    public void A_downstream_stop_cancels_the_worker_and_propagates()
    {
        var cmdlet = new ProbeCommand { Items = 10_000 };
        var runtime = new RecordingRuntime { OnWriteObject = _ => throw new PipelineStoppedException() };
        cmdlet.Runtime = runtime;
        var process = typeof(System.Management.Automation.Cmdlet).GetMethod("ProcessRecord",
            System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!;

        var ex = Assert.Throws<System.Reflection.TargetInvocationException>(() => process.Invoke(cmdlet, null));
        Assert.IsType<PipelineStoppedException>(ex.InnerException);
        Assert.Single(runtime.Output);
    }
}
