using System.CommandLine;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Deploy;
using ReleaseOps.Operations;
using ReleaseOps.Plans;

namespace ReleaseOps.Cli.Commands;

/// <summary><c>deploy</c>, <c>rollback</c>, <c>history</c>, <c>unlock</c> and <c>retire</c>: deployments of a plan.</summary>
public sealed class DeployCommands : ICliCommandSet
{
    public IEnumerable<Command> Create(CliContext context)
    {
        yield return Deploy(context);
        yield return Rollback(context);
        yield return History(context);
        yield return Unlock(context);
        yield return Retire(context);
    }

    private static Command Deploy(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var version = new Option<string?>("--version") { Description = "The version (image tag) to deploy; default the plan's." };
        var services = new Option<string[]>("--service") { Description = "Deploy only this service; repeatable." };
        var force = new Option<bool>("--force") { Description = "Break a stale deploy lock (its holder's process is gone)." };
        var resume = new Option<bool>("--resume") { Description = "Finish a deployment that was interrupted." };
        var whatIf = new Option<bool>("--what-if") { Description = "Print the steps the deployment would take; change nothing." };
        var noWatch = new Option<bool>("--no-watch")
        {
            Description = "Skip the watch after the release goes live that the plan asks for (watch.after_deploy); the journal records it as skipped.",
        };
        var command = new Command("deploy",
            "Deploy a version: lock, gates, backup, migrations, rollout, verification, automatic rollback on failure. Exit 0 deployed, 1 failed or rolled back.")
        {
            plan, version, services, force, resume, whatIf, noWatch, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            var request = new DeploymentRequest
            {
                Version = result.GetValue(version), Services = result.GetValue(services) ?? Array.Empty<string>(),
                Force = result.GetValue(force), Resume = result.GetValue(resume), Watch = result.GetValue(noWatch) ? false : null,
            };
            var engine = ReleaseOps.Releases.StandardRelease.Engine();
            var json = result.GetValue(output) == OutputFormat.Json;
            if (result.GetValue(whatIf))
            {
                var planned = engine.Plan(loaded, request);
                if (json) RecordWriter.WriteJson(context.Out, planned);
                else foreach (var step in planned) context.Out.WriteLine(step.ToString());
                return ExitCodes.Success;
            }
            var (steps, final) = await Stream(context, json, engine.DeployAsync(loaded, request, new StderrReporter(context.Error), cancellation));
            var deployed = (DeploymentResult)final;
            if (json) RecordWriter.WriteJson(context.Out, new { result = deployed, steps });
            else context.Out.WriteLine(deployed.ToString());
            return deployed.Outcome == DeploymentOutcome.Succeeded ? ExitCodes.Success : ExitCodes.Problem;
        }));
        return command;
    }

    private static Command Rollback(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var toVersion = new Option<string?>("--to-version") { Description = "The version to return to; default the release before the current one." };
        var services = new Option<string[]>("--service") { Description = "Roll back only this service; repeatable." };
        var restoreDatabase = new Option<bool>("--restore-database") { Description = "Also restore the database from the pre-deploy backup." };
        var force = new Option<bool>("--force") { Description = "Break a stale deploy lock." };
        var command = new Command("rollback", "Roll back to the previous release (or --to-version). Exit 0 rolled back, 1 failed.")
        {
            plan, toVersion, services, restoreDatabase, force, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            var request = new RollbackRequest
            {
                ToVersion = result.GetValue(toVersion), Services = result.GetValue(services) ?? Array.Empty<string>(),
                RestoreDatabase = result.GetValue(restoreDatabase), Force = result.GetValue(force),
            };
            var json = result.GetValue(output) == OutputFormat.Json;
            var (steps, final) = await Stream(context, json,
                new RollbackService(ReleaseOps.Releases.StandardRelease.Engine()).RollbackAsync(loaded, request, new StderrReporter(context.Error), cancellation));
            var rolledBack = (RollbackResult)final;
            if (json) RecordWriter.WriteJson(context.Out, new { result = rolledBack, steps });
            else context.Out.WriteLine(rolledBack.ToString());
            return rolledBack.Outcome == RollbackOutcome.Succeeded ? ExitCodes.Success : ExitCodes.Problem;
        }));
        return command;
    }

    private static Command History(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var last = new Option<int?>("--last") { Description = "Only the newest N releases." };
        last.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--last must be 1 or more.");
        });
        var command = new Command("history", "List the plan's deployments and rollbacks from its journal, newest first.") { plan, last, output, variables };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            var history = await ReleaseOps.Releases.StandardRelease.Engine().HistoryAsync(loaded, cancellation);
            var shown = result.GetValue(last) is int n ? history.Take(n).ToArray() : history.ToArray();
            RecordWriter.Write(context.Out, shown, result.GetValue(output),
                "StartedAt", "Kind", "Version", "PreviousVersion", "Status", "StartedBy", "Host", "Reason");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Unlock(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var variables = CommonOptions.Variables();
        var force = new Option<bool>("--force") { Description = "Remove the lock even though its holder is still running." };
        var command = new Command("unlock", "Remove the deploy lock left by a deployment whose process is gone.") { plan, force, variables };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            var removed = await ReleaseOps.Releases.StandardRelease.Engine().UnlockAsync(loaded, result.GetValue(force), Confirm.Always,
                new StderrReporter(context.Error), cancellation);
            context.Out.WriteLine(removed is null ? $"{loaded} is not locked." : $"Removed the lock held by {removed}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Retire(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var variables = CommonOptions.Variables();
        var force = new Option<bool>("--force") { Description = "Retire the standby before its window ends." };
        var command = new Command("retire",
            "Stop the warm standby a blue-green release left running (strategy.standby) once its window has ended; run it from a schedule.")
        {
            plan, force, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            var reporter = new StderrReporter(context.Error);
            var retired = await ReleaseOps.Releases.StandardRelease.Engine().StopStandbyAsync(loaded, result.GetValue(force), Confirm.Always,
                reporter, cancellation);
            context.Out.WriteLine(retired is null
                ? $"{loaded}: no standby to retire (none running, or its window has not ended: --force retires it now)."
                : string.Join(Environment.NewLine, retired.Steps.Where(s => s.Name == "retire-standby").Select(s => $"{s.Service}: {s.Detail}")));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Task<ReleasePlan> Load(string plan, string[]? variables, CancellationToken cancellation) =>
        ReleasePlanLoader.LoadAsync(plan, CommonOptions.ParseVariables(variables), cancellation);

    /// <summary>Prints each step as it ends (table output) and returns them with the final record.</summary>
    private static async Task<(List<DeploymentStep> Steps, DeploymentRecord Final)> Stream(CliContext context, bool json,
        IAsyncEnumerable<DeploymentRecord> records)
    {
        var steps = new List<DeploymentStep>();
        DeploymentRecord? final = null;
        await foreach (var record in records)
        {
            if (record is DeploymentStep step)
            {
                steps.Add(step);
                if (!json)
                {
                    context.Out.WriteLine(step.ToString());
                    context.Out.Flush();
                }
            }
            else
            {
                final = record;
            }
        }
        return (steps, final!);
    }
}
