using System.CommandLine;
using ReleaseOps.Cli.Rendering;
using ReleaseOps.Errors;
using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Cli.Commands;

/// <summary>
/// <c>gate</c>: runs a plan's gates, or one ad hoc gate from flags, prints the results, writes
/// reports and exits 1 when a critical or high gate fails or cannot run. (Sign-offs are checklist
/// attestations: <c>checklist attest</c>.)
/// </summary>
public sealed class GateCommands : ICliCommandSet
{
    public IEnumerable<Command> Create(CliContext context)
    {
        yield return Gate(context);
    }

    private static Command Gate(CliContext context)
    {
        var plan = new Argument<string?>("plan") { Description = "Release plan (YAML) whose gates to run; omit for an ad hoc gate.", Arity = ArgumentArity.ZeroOrOne };
        var output = CommonOptions.Output();
        var variables = CommonOptions.Variables();
        var junit = new Option<string?>("--junit") { Description = "Write a JUnit XML report (one testcase per gate) to this file." };
        var json = new Option<string?>("--json") { Description = "Write a JSON report to this file." };
        var markdown = new Option<string?>("--markdown") { Description = "Write a Markdown summary to this file." };
        var names = new Option<string[]>("--name") { Description = "Run only gates whose name matches (wildcards * ?); repeatable." };
        var categories = new Option<string[]>("--category") { Description = "Run only gates of this category; repeatable." };
        var severities = new Option<GateSeverity[]>("--severity") { Description = "Run only gates of this severity; repeatable." };
        var tags = new Option<string[]>("--tag") { Description = "Run only gates with this tag; repeatable." };
        var failFast = new Option<bool>("--fail-fast") { Description = "Stop at the first critical gate that fails; the rest are skipped." };
        var throttle = new Option<int>("--throttle") { Description = "Gates run at once (default 16 per core).", DefaultValueFactory = _ => GateRunOptions.DefaultThrottle };
        var timeout = new Option<string?>("--timeout") { Description = "Limit for one attempt of a gate that sets none (default 10s)." };

        var http = new Option<string?>("--http") { Description = "Ad hoc: an http gate for this URL." };
        var tcp = new Option<string?>("--tcp") { Description = "Ad hoc: a tcp gate for HOST:PORT." };
        var tls = new Option<string?>("--tls") { Description = "Ad hoc: a tls gate for HOST[:PORT]." };
        var type = new Option<string?>("--type") { Description = "Ad hoc: any gate type; give its settings with --set." };
        var expect = new Option<string[]>("--expect") { Description = "Ad hoc: a condition, e.g. \"status == 200\"; repeatable." };
        var set = new Option<string[]>("--set") { Description = "Ad hoc: a setting KEY=VALUE (ca_file=..., min_days=14); repeatable." };
        var within = new Option<string?>("--within") { Description = "Ad hoc: retry until the gate passes or this time is up (30s)." };
        var secrets = new Option<string[]>("--secret") { Description = "Ad hoc: NAME=ENVVAR makes ${secret:NAME} read environment variable ENVVAR; repeatable." };

        var command = new Command("gate", "Run release gates: a plan's, or one ad hoc gate (--http URL --expect \"status == 200\"). " +
            "Exit 0 when nothing blocks, 1 when a critical or high gate fails or cannot run, 2 usage, 3 could not run.")
        {
            plan, output, variables, junit, json, markdown, names, categories, severities, tags, failFast, throttle, timeout,
            http, tcp, tls, type, expect, set, within, secrets,
        };
        command.SetAction((result, cancellation) => CommonOptions.Guard(context, async () =>
        {
            var reporter = new StderrReporter(context.Error, verbose: result.GetValue(CommonOptions.Verbose));
            IReadOnlyList<GateDefinition> gates;
            GateEnvironment environment;
            if (result.GetValue(plan) is { } planFile)
            {
                var loaded = await ReleasePlanLoader.LoadAsync(planFile, CommonOptions.ParseVariables(result.GetValue(variables)), cancellation);
                gates = ReleaseOps.Releases.StandardRelease.GatesOf(loaded);
                environment = ReleaseOps.Releases.StandardRelease.GateEnvironmentFor(loaded);
            }
            else
            {
                gates = new[] { AdHoc(result.GetValue(http), result.GetValue(tcp), result.GetValue(tls), result.GetValue(type),
                    result.GetValue(expect), result.GetValue(set), result.GetValue(within)) };
                environment = new GateEnvironment { Secrets = SecretsFromEnvironment(result.GetValue(secrets)) };
            }
            var options = new GateRunOptions
            {
                FailFast = result.GetValue(failFast),
                ThrottleLimit = Math.Max(1, result.GetValue(throttle)),
                DefaultTimeout = result.GetValue(timeout) is { } t ? CommonOptions.Duration(t, "--timeout")!.Value : new GateRunOptions().DefaultTimeout,
                BaseDirectory = environment.BaseDirectory,
                Selection = new GateSelection
                {
                    Names = result.GetValue(names) ?? Array.Empty<string>(),
                    Categories = result.GetValue(categories) ?? Array.Empty<string>(),
                    Severities = result.GetValue(severities) ?? Array.Empty<GateSeverity>(),
                    Tags = result.GetValue(tags) ?? Array.Empty<string>(),
                },
            };
            var summary = await Releases.StandardRelease.GateRunner().RunToSummaryAsync(gates, environment, options, reporter, cancellation);
            await GateReport.WriteAsync(summary, result.GetValue(junit), result.GetValue(json), result.GetValue(markdown), cancellation);
            if (result.GetValue(output) == OutputFormat.Json)
            {
                RecordWriter.WriteJson(context.Out, summary);
            }
            else
            {
                var rows = summary.Results.OrderBy(r => r.Status == GateStatus.Passed).ThenBy(r => r.Name, StringComparer.Ordinal).ToArray();
                RecordWriter.Write(context.Out, rows, OutputFormat.Table, "Status", "Severity", "Name", "Duration", "Message");
                foreach (var failed in rows.Where(r => r.Fix is not null && r.Status is GateStatus.Failed or GateStatus.Error))
                {
                    context.Out.WriteLine($"  {failed.Name}: fix: {failed.Fix}");
                }
                context.Out.WriteLine((summary.Succeeded ? "PASSED " : "BLOCKED ") + summary);
            }
            return summary.Succeeded ? ExitCodes.Success : ExitCodes.Problem;
        }));
        return command;
    }

    /// <summary>One gate from flags: --http/--tcp/--tls shorthands or --type with --set settings.</summary>
    internal static GateDefinition AdHoc(string? http, string? tcp, string? tls, string? type, string[]? expect, string[]? set, string? within)
    {
        var values = new List<KeyValuePair<string, object?>>();
        void Add(string key, object? value) => values.Add(new(key, value));
        var given = new[] { http, tcp, tls, type }.Count(v => v is not null);
        if (given != 1)
        {
            throw new ReleaseOpsException("AdHocGateInvalid", FailureKind.InvalidArgument,
                given == 0 ? "Give a plan, or one ad hoc gate (--http URL, --tcp HOST:PORT, --tls HOST[:PORT] or --type TYPE --set KEY=VALUE)."
                           : "Give only one of --http, --tcp, --tls and --type.",
                fix: "For example: releaseops gate --http https://localhost/health --expect \"status == 200\"");
        }
        if (http is not null)
        {
            Add("type", "http");
            Add("url", http);
        }
        else if (tcp is not null || tls is not null)
        {
            var endpoint = (tcp ?? tls)!;
            var colon = endpoint.LastIndexOf(':');
            Add("type", tcp is not null ? "tcp" : "tls");
            Add("host", colon > 0 ? endpoint[..colon] : endpoint);
            if (colon > 0)
            {
                Add("port", long.TryParse(endpoint[(colon + 1)..], out var port) ? port
                    : throw new ReleaseOpsException("AdHocGateInvalid", FailureKind.InvalidArgument, $"'{endpoint}' has no valid port.", fix: "Write HOST:PORT."));
            }
            else if (tcp is not null)
            {
                throw new ReleaseOpsException("AdHocGateInvalid", FailureKind.InvalidArgument, $"--tcp '{endpoint}' needs a port.", fix: "Write --tcp HOST:PORT.");
            }
        }
        else
        {
            Add("type", type);
        }
        foreach (var pair in set ?? Array.Empty<string>())
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                throw new ReleaseOpsException("AdHocGateInvalid", FailureKind.InvalidArgument, $"--set '{pair}' is not KEY=VALUE.", fix: "Write --set min_days=14.");
            }
            var value = pair[(eq + 1)..];
            Add(pair[..eq], long.TryParse(value, out var n) ? n : bool.TryParse(value, out var b) ? b : value.Contains(',') ? value.Split(',') : value);
        }
        if (expect is { Length: > 0 })
        {
            Add("expect", expect);
        }
        if (within is not null)
        {
            Add("within", within);
        }
        return InlineGate.Create(values);
    }

    private static SecretCatalog SecretsFromEnvironment(string[]? pairs)
    {
        var catalog = SecretCatalog.Empty;
        foreach (var (name, variable) in CommonOptions.ParseVariables(pairs))
        {
            catalog = catalog.With(new EnvironmentSecretSource(name, variable));
        }
        return catalog;
    }

}
