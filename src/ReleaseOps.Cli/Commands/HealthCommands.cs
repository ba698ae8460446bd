using System.CommandLine;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Errors;
using ReleaseOps.Health;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Cli.Commands;

/// <summary><c>watch</c>: the post-deployment health watch of a plan.</summary>
public sealed class HealthCommands : ICliCommandSet
{
    public IEnumerable<Command> Create(CliContext context)
    {
        yield return Watch(context);
    }

    private static Command Watch(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var duration = new Option<string?>("--duration", "-d") { Description = "How long to watch: 90s, 10m, 2h (default: the plan's watch duration)." };
        var interval = new Option<string?>("--interval") { Description = "Sampling interval for every probe, overriding their own (e.g. 5s)." };
        var baseline = new Option<string?>("--baseline-window") { Description = "Without a previous watch in the journal, the first part of this watch is the latency baseline." };
        var stopOnBreach = new Option<bool>("--stop-on-breach") { Description = "End the watch at the first breach." };
        var journal = new Option<string?>("--journal") { Description = "Journal directory (default: the plan's); the watch is saved there and the previous one read." };
        var noSave = new Option<bool>("--no-save") { Description = "Do not save the watch summary to the journal." };
        var junit = new Option<string?>("--junit") { Description = "Write the verdict as JUnit XML to this file." };
        var jsonReport = new Option<string?>("--json") { Description = "Write the verdict as JSON to this file." };
        var markdown = new Option<string?>("--markdown") { Description = "Write a Markdown summary of the verdict to this file." };
        var samples = new Option<bool>("--samples") { Description = "Print every sample as it arrives (default: only failed samples)." };
        var command = new Command("watch",
            "Watch a release's health: sample the plan's probes, judge its rollback criteria over sliding windows, and end with a verdict. " +
            "Exit 0 healthy or degraded, 1 breached, 2 usage, 3 could not run, 4 inconclusive (a critical criterion never had data).")
        {
            plan, output, variables, duration, interval, baseline, stopOnBreach, journal, noSave, junit, jsonReport, markdown, samples,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await ReleasePlanLoader.LoadAsync(result.GetValue(plan)!,
                CommonOptions.ParseVariables(result.GetValue(variables)), cancellation);
            var options = new WatchOptions
            {
                Plan = loaded,
                Rollback = ReleaseOps.Releases.StandardRelease.RollbackFor(loaded),
                OnBreach = ReleaseOps.Releases.StandardRelease.BreachObserverFor(loaded, null, new StderrReporter(context.Error)),
                Duration = CommonOptions.Duration(result.GetValue(duration), "--duration"),
                Interval = CommonOptions.Duration(result.GetValue(interval), "--interval"),
                BaselineWindow = CommonOptions.Duration(result.GetValue(baseline), "--baseline-window"),
                StopOnBreach = result.GetValue(stopOnBreach),
                JournalPath = result.GetValue(journal),
                SaveSummary = !result.GetValue(noSave),
                Reports = new HealthReportPaths(result.GetValue(jsonReport), result.GetValue(junit), result.GetValue(markdown)),
            };
            using var session = WatchSession.Create(options);
            var json = result.GetValue(output) == OutputFormat.Json;
            var everySample = result.GetValue(samples);
            var reporter = new StderrReporter(context.Error, progress: ProgressLines.EveryFewSeconds);
            await foreach (var sample in session.RunAsync(reporter, cancellation))
            {
                if (!json && (everySample || !sample.Success))
                {
                    context.Out.WriteLine($"{RecordWriter.Cell(sample.Timestamp)}  {sample}");
                }
            }
            var verdict = session.Verdict!;
            if (json)
            {
                context.Out.WriteLine(HealthReport.ToJson(verdict));
            }
            else
            {
                context.Out.WriteLine();
                RecordWriter.Write(context.Out, verdict.Criteria, OutputFormat.Table, "Name", "State", "Expect", "Window", "Observed", "Threshold", "Detail");
                context.Out.WriteLine();
                RecordWriter.Write(context.Out, verdict.Probes, OutputFormat.Table, "Probe", "Type", "Samples", "Failures", "P50Ms", "P95Ms", "P99Ms");
                context.Out.WriteLine();
                context.Out.WriteLine(verdict.ToString());
            }
            return verdict.Status switch
            {
                HealthStatus.Breached => ExitCodes.Problem,
                HealthStatus.Inconclusive => ExitCodes.Inconclusive,
                _ => ExitCodes.Success,
            };
        }));
        return command;
    }

}
