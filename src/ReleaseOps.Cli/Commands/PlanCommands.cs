using System.CommandLine;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Plans;
using ReleaseOps.Plans.Schema;
using ReleaseOps.Text;

namespace ReleaseOps.Cli.Commands;

/// <summary><c>validate</c>, <c>show</c> and <c>schema</c>: release plans.</summary>
public sealed class PlanCommands : ICliCommandSet
{
    public IEnumerable<Command> Create(CliContext context)
    {
        yield return Validate(context);
        yield return Show(context);
        yield return Schema(context);
    }

    private static Command Validate(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var command = new Command("validate", "Validate a release plan; print each problem as file:line:col: message. Exit 0 valid, 1 invalid, 2 usage.")
        {
            plan, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var validation = await ReleaseOps.Releases.StandardRelease.ValidateAsync(result.GetValue(plan)!,
                CommonOptions.ParseVariables(result.GetValue(variables)), cancellation);
            if (result.GetValue(output) == OutputFormat.Json)
            {
                RecordWriter.WriteJson(context.Out, new { file = validation.File, valid = validation.IsValid, diagnostics = validation.Diagnostics });
            }
            else
            {
                foreach (var diagnostic in validation.Diagnostics)
                {
                    context.Out.WriteLine(diagnostic.ToString());
                }
                var errors = validation.Errors.Count();
                context.Out.WriteLine(validation.IsValid
                    ? $"{validation.File}: valid ({validation.Plan!.Services.Count} services, {validation.Plan.Gates.Count} gates, {validation.Plan.Backups.Count} backups)"
                    : $"{validation.File}: {errors} problem{(errors == 1 ? "" : "s")}");
            }
            return validation.IsValid ? ExitCodes.Success : ExitCodes.Problem;
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var command = new Command("show", "Load a release plan and print what it describes (secrets stay as references).")
        {
            plan, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await ReleasePlanLoader.LoadAsync(result.GetValue(plan)!,
                CommonOptions.ParseVariables(result.GetValue(variables)), cancellation);
            if (result.GetValue(output) == OutputFormat.Json)
            {
                RecordWriter.WriteJson(context.Out, loaded);
                return ExitCodes.Success;
            }
            var o = context.Out;
            o.WriteLine($"Release plan  {loaded.Application}/{loaded.Environment}  version {loaded.Version ?? "(given at deploy)"}");
            if (loaded.Description is not null)
            {
                o.WriteLine($"              {loaded.Description}");
            }
            o.WriteLine($"Docker        {loaded.Docker.Host ?? "(DOCKER_HOST or the default socket)"}");
            o.WriteLine($"Journal       {loaded.Journal.Store.ToString().ToLowerInvariant()} {loaded.Journal.Path}");
            if (loaded.Proxy is not null)
            {
                o.WriteLine($"Proxy         {loaded.Proxy.Type} {loaded.Proxy.UpstreamFile}  {loaded.Proxy.PublicUrl}");
            }
            o.WriteLine();
            o.WriteLine("Services");
            RecordWriter.Write(o, loaded.Services.Select(s => new
            {
                s.Name, s.Image, s.Target, s.Replicas, Strategy = s.Strategy.Type, Probes = s.Health.Count, Smoke = s.Smoke.Count,
            }).ToArray(), OutputFormat.Table, "Name", "Image", "Target", "Replicas", "Strategy", "Probes", "Smoke");
            if (loaded.Gates.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("Gates");
                RecordWriter.Write(o, loaded.Gates, OutputFormat.Table, "Name", "Type", "Category", "Severity", "Stage");
            }
            if (loaded.Backups.Count > 0)
            {
                o.WriteLine();
                o.WriteLine("Backups");
                RecordWriter.Write(o, loaded.Backups, OutputFormat.Table, "Name", "Type", "Destination", "BeforeDeploy", "Verify");
            }
            if (loaded.Watch is { } watch)
            {
                o.WriteLine();
                o.WriteLine($"Watch         {DurationText.Format(watch.Duration)} every {DurationText.Format(watch.Interval)}, "
                    + $"{watch.Probes.Count} probes, {watch.Criteria.Count} criteria, rollback on breach: {(watch.RollbackOnBreach ? "yes" : "no")}");
                RecordWriter.Write(o, watch.Criteria, OutputFormat.Table, "Name", "Expect", "Window", "Severity");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Schema(CliContext context)
    {
        var command = new Command("schema", "Print the release plan's JSON Schema (for editor completion).");
        command.SetAction(_ =>
        {
            context.Out.Write(JsonSchemaWriter.Write());
            return ExitCodes.Success;
        });
        return command;
    }
}
