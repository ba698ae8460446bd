using System.CommandLine;
using ReleaseOps.Checklists;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Errors;
using ReleaseOps.Journal;
using ReleaseOps.Plans;
using ReleaseOps.Records;
using ReleaseOps.Releases;
using ReleaseOps.Secrets;

namespace ReleaseOps.Cli.Commands;

/// <summary>
/// <c>checklist import|status|attest</c>, <c>journal verify</c> and <c>record export</c>: a team's
/// checklist, executed, and the record of a release. Each binds its options, calls the engine the
/// cmdlets call, and prints what comes back.
/// </summary>
public sealed class ChecklistCommands : ICliCommandSet
{
    public IEnumerable<Command> Create(CliContext context)
    {
        yield return new Command("checklist", "A team's Markdown checklist: import it, see its status for a release, attest its items.")
        {
            Import(context), Status(context), Attest(context),
        };
        yield return new Command("journal", "The release journal.") { Verify(context) };
        yield return new Command("record", "The record of a release, for auditors.") { Export(context) };
    }

    private static Command Import(CliContext context)
    {
        var files = new Argument<string[]>("file") { Description = "Markdown checklist(s).", Arity = ArgumentArity.OneOrMore };
        var kinds = new Option<ChecklistItemKind[]>("--kind") { Description = "Only items of this kind: Box, ProcedureStep, SignOff, CodeBlockBox; repeatable." };
        var output = CommonOptions.Output();
        var command = new Command("import", "List every item of a Markdown checklist with its id, kind and line. Exit 0, 2 usage, 3 a file cannot be read.")
        {
            files, kinds, output,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var wanted = result.GetValue(kinds) ?? Array.Empty<ChecklistItemKind>();
            var items = new List<ChecklistItem>();
            foreach (var file in result.GetValue(files)!)
            {
                var checklist = await ChecklistReader.ReadAsync(file, cancellation: cancellation);
                if (checklist.EncodingRepaired)
                {
                    context.Error.WriteLine($"releaseops: warning: {file} was UTF-8 read once as Mac OS Roman and saved again; it was read as the author wrote it.");
                }
                items.AddRange(checklist.Items.Where(i => wanted.Length == 0 || wanted.Contains(i.Kind)));
            }
            RecordWriter.Write(context.Out, items, result.GetValue(output), "Location", "Kind", "Id", "Text");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Status(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var version = new Option<string?>("--version") { Description = "The version the status is for; default the plan's, else the newest deployment's." };
        var release = new Option<string?>("--release") { Description = "This deployment exactly (an id from 'history')." };
        var coverage = new Option<bool>("--coverage") { Description = "Print each file's counts: automated, attested by a role, not applicable, unbound; passed, failed, attested, pending." };
        var states = new Option<ChecklistItemState[]>("--state") { Description = "Only items in this state: Passed, Failed, Attested, Pending, NotApplicable, Unbound; repeatable." };
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var command = new Command("status", "Show each checklist item of a plan for a version: how it is covered and where it stands. Exit 0, 1 when an item failed.")
        {
            plan, version, release, coverage, states, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            var report = await StandardRelease.Checklist(loaded).StatusAsync(loaded, result.GetValue(version), cancellation, result.GetValue(release));
            var format = result.GetValue(output);
            if (result.GetValue(coverage))
            {
                if (format == OutputFormat.Json) RecordWriter.WriteJson(context.Out, report.Coverage);
                else foreach (var c in report.Coverage) context.Out.WriteLine(c.ToString());
            }
            else
            {
                var wanted = result.GetValue(states) ?? Array.Empty<ChecklistItemState>();
                var items = report.Items.Where(i => wanted.Length == 0 || wanted.Contains(i.State)).ToArray();
                if (format == OutputFormat.Json) RecordWriter.WriteJson(context.Out, items);
                else RecordWriter.Write(context.Out, items.Select(i => new StatusRow(i)).ToArray(), format, "State", "Location", "Text", "CoveredBy", "Evidence");
            }
            return report.Items.Any(i => i.State == ChecklistItemState.Failed) ? ExitCodes.Problem : ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>One line of <c>checklist status</c>.</summary>
    private sealed record StatusRow(ChecklistItemStatus Status)
    {
        public string State => Status.State.ToString();
        public string Location => Status.Item.Location;
        public string Text => Status.Item.Text;
        public string CoveredBy => Status.Binding switch
        {
            null => "",
            ChecklistBindingKind.NotApplicable => "not applicable",
            var kind => $"{kind.ToString()!.ToLowerInvariant()} {Status.Target}",
        };
        public string Evidence => Status.Evidence;
    }

    private static Command Attest(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var item = new Option<string>("--item") { Description = "The item: its id, or words of its text (or sign-off role) that pick exactly one.", Required = true };
        var version = new Option<string>("--version") { Description = "The version the attestation holds for.", Required = true };
        var certificate = new Option<string>("--certificate") { Description = "The signer's X.509 certificate (PEM); the identity is read from it.", Required = true };
        var key = new Option<string>("--key") { Description = "The certificate's private key (PEM; RSA or ECDSA).", Required = true };
        var passwordEnv = new Option<string?>("--key-password-env") { Description = "Name of an environment variable holding the key's password (never the password itself)." };
        var passwordFile = new Option<string?>("--key-password-file") { Description = "A file holding the key's password." };
        var note = new Option<string?>("--note") { Description = "What was checked, and how." };
        var evidenceUrl = new Option<string?>("--evidence-url") { Description = "A link to the evidence (ticket, report, review)." };
        var evidenceFile = new Option<string?>("--evidence-file") { Description = "A file offered as evidence; its SHA-256 is recorded." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check the item, the key and the role; sign and record nothing." };
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var command = new Command("attest",
            "Sign an attestation that a checklist item holds for a version, with your certificate and key, and record it in the journal. Exit 0, 2 usage or refused, 3 could not run.")
        {
            plan, item, version, certificate, key, passwordEnv, passwordFile, note, evidenceUrl, evidenceFile, dryRun, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            SecretValue? password = result.GetValue(passwordEnv) is { } variable ? new EnvironmentSecretSource("key-password", variable).Resolve()
                : result.GetValue(passwordFile) is { } file ? new FileSecretSource("key-password", file).Resolve()
                : null;
            var checklist = StandardRelease.Checklist(loaded);
            var bound = await checklist.FindAttestableAsync(loaded, result.GetValue(item)!, cancellation);
            using var signingKey = AttestationKey.Load(result.GetValue(certificate)!, result.GetValue(key)!, password);
            if (result.GetValue(dryRun))
            {
                context.Out.WriteLine($"would sign '{bound.Item.Text}' ({bound.Item.Location}) of {loaded} {result.GetValue(version)} " +
                    $"as {signingKey.Signer.Identity} ({bound.Definition!.Target})");
                return ExitCodes.Success;
            }
            var attestation = await checklist.AttestAsync(loaded, bound, new AttestationRequest
            {
                Version = result.GetValue(version)!, Note = result.GetValue(note), EvidenceUrl = result.GetValue(evidenceUrl),
                EvidenceFile = result.GetValue(evidenceFile),
            }, signingKey, cancellation);
            if (result.GetValue(output) == OutputFormat.Json) RecordWriter.WriteJson(context.Out, attestation);
            else context.Out.WriteLine($"attested {attestation.Id}: '{attestation.ItemText}' for {loaded} {attestation.Version} by {attestation.Signer.Identity} ({attestation.Role})");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Verify(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var anchor = new Option<string?>("--anchor") { Description = "A head written down earlier (SEQUENCE:sha256:HEX): that entry must still be in the chain." };
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var command = new Command("verify", "Check the plan's journal entry by entry: edited, removed or reordered entries are found. Exit 0 intact, 1 tampered.")
        {
            plan, anchor, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            var given = result.GetValue(anchor) is { } text ? JournalAnchor.Parse(text) : null;
            var verification = await StandardRelease.VerifyJournalAsync(loaded, given, cancellation);
            if (result.GetValue(output) == OutputFormat.Json)
            {
                RecordWriter.WriteJson(context.Out, verification);
            }
            else
            {
                foreach (var problem in verification.Problems) context.Out.WriteLine(problem.ToString());
                context.Out.WriteLine(verification.ToString());
            }
            return verification.IsIntact ? ExitCodes.Success : ExitCodes.Problem;
        }));
        return command;
    }

    private static Command Export(CliContext context)
    {
        var plan = CommonOptions.PlanArgument();
        var version = new Option<string?>("--version") { Description = "The version whose newest deployment is exported; default the plan's, else the newest deployment." };
        var release = new Option<string?>("--release") { Description = "This deployment exactly (an id from 'history')." };
        var directory = new Option<DirectoryInfo>("--out") { Description = "The directory to write into (default: the current directory).", DefaultValueFactory = _ => new DirectoryInfo(".") };
        var formats = new Option<ReleaseRecordFormat[]>("--format") { Description = "json, markdown or html; repeatable (default all three)." };
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var command = new Command("export",
            "Write one release as JSON, Markdown and a self-contained HTML page: plan and digest, checklist and attestations, gates, steps, backups, watch, rollbacks, notifications, journal. Exit 0, 3 no such release.")
        {
            plan, version, release, directory, formats, output, variables,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var loaded = await Load(result.GetValue(plan)!, result.GetValue(variables), cancellation);
            var chosen = result.GetValue(formats) is { Length: > 0 } f ? f.Aggregate((ReleaseRecordFormat)0, (all, x) => all | x) : ReleaseRecordFormat.All;
            var exported = await ReleaseRecordExport.ExportAsync(loaded, result.GetValue(version), result.GetValue(release),
                result.GetValue(directory)!.FullName, chosen, cancellation);
            if (result.GetValue(output) == OutputFormat.Json) RecordWriter.WriteJson(context.Out, exported);
            else foreach (var file in exported.Files) context.Out.WriteLine(file);
            if (!exported.JournalIntact)
            {
                context.Error.WriteLine("releaseops: warning: the journal is not intact; the record lists its problems.");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Task<ReleasePlan> Load(string plan, string[]? variables, CancellationToken cancellation) =>
        ReleasePlanLoader.LoadAsync(plan, CommonOptions.ParseVariables(variables), cancellation);
}
