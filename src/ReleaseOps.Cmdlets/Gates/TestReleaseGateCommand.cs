using System.Collections;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Cmdlets.Gates;

/// <summary>
/// <para type="synopsis">Runs release gates and returns one GateResult per gate.</para>
/// <para type="description">Runs the gates of a release plan (by path, or a ReleasePlan from Get-ReleasePlan), or
/// gates given inline as hashtables (@{ type = 'http'; url = '...'; expect = 'status == 200' }), in parallel under a
/// throttle, each under its timeout, retrying gates that set 'within'. Each result says Passed, Failed, Warning,
/// Skipped or Error (the check could not run) with a one-line message and the measured evidence. Reports in JUnit
/// XML, JSON and Markdown are written when their paths are given. Secrets are never shown.</para>
/// </summary>
/// <example><code>Test-ReleaseGate ./releaseplan.yml -JUnitPath gates.xml</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Test-ReleaseGate -Category security -FailFast</code></example>
/// <example><code>@{ type = 'http'; url = 'https://localhost/health'; expect = 'status == 200', 'response_time &lt; 500ms' } | Test-ReleaseGate</code></example>
[Cmdlet(VerbsDiagnostic.Test, "ReleaseGate", DefaultParameterSetName = PathSet)]
[OutputType(typeof(GateResult), typeof(GateRunSummary))]
public sealed class TestReleaseGateCommand : ReleaseOpsCmdlet
{
    private const string PathSet = "Path";
    private const string PlanSet = "Plan";
    private const string GateSet = "Gate";

    private readonly List<GateDefinition> _inline = new();
    private readonly List<GateRunSummary> _runs = new();

    /// <summary><para type="description">Path of the release plan (YAML) whose gates to run. Accepts FileInfo objects from Get-ChildItem.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">A release plan from Get-ReleasePlan, usually piped in.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = PlanSet, ValueFromPipeline = true)]
    public ReleasePlan? Plan { get; set; }

    /// <summary><para type="description">Gates given inline: hashtables with type, the type's settings and optionally name, severity, category, tags, timeout, within and expect. Piped hashtables are collected and run together.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = GateSet, ValueFromPipeline = true)]
    public Hashtable[] Gate { get; set; } = Array.Empty<Hashtable>();

    /// <summary><para type="description">Secrets for inline gates' ${secret:NAME} references: NAME = SecureString or PSCredential (its password).</para></summary>
    [Parameter(ParameterSetName = GateSet)]
    public Hashtable? Secret { get; set; }

    /// <summary><para type="description">Values for ${var:NAME} references in the plan file; they override its variables block.</para></summary>
    [Parameter(ParameterSetName = PathSet)]
    public Hashtable? Variable { get; set; }

    /// <summary><para type="description">Run only gates whose name matches one of these (wildcards allowed).</para></summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary><para type="description">Run only gates of these categories (security, build, performance, infrastructure, database, process...).</para></summary>
    [Parameter]
    public string[]? Category { get; set; }

    /// <summary><para type="description">Run only gates of these severities.</para></summary>
    [Parameter]
    public GateSeverity[]? Severity { get; set; }

    /// <summary><para type="description">Run only gates carrying one of these tags.</para></summary>
    [Parameter]
    public string[]? Tag { get; set; }

    /// <summary><para type="description">Stop at the first critical gate that fails or cannot run; the rest are reported as Skipped.</para></summary>
    [Parameter]
    public SwitchParameter FailFast { get; set; }

    /// <summary><para type="description">How many gates run at once (default 16 per processor core).</para></summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = GateRunOptions.DefaultThrottle;

    /// <summary><para type="description">Time limit for one attempt of a gate that sets no timeout (default 10 seconds).</para></summary>
    [Parameter]
    public TimeSpan? Timeout { get; set; }

    /// <summary><para type="description">Write a JUnit XML report (one testcase per gate) to this path.</para></summary>
    [Parameter]
    public string? JUnitPath { get; set; }

    /// <summary><para type="description">Write a JSON report to this path.</para></summary>
    [Parameter]
    public string? JsonPath { get; set; }

    /// <summary><para type="description">Write a Markdown summary to this path.</para></summary>
    [Parameter]
    public string? MarkdownPath { get; set; }

    /// <summary><para type="description">Return one GateRunSummary per run (totals, verdict and every result) instead of the results.</para></summary>
    [Parameter]
    public SwitchParameter Summary { get; set; }



    protected override void ProcessRecord()
    {
        // Decided by what was bound rather than ParameterSetName, which hosts without a binder do not set.
        if (Plan is not null)
        {
            RunPlan(Plan);
            Plan = null;
            return;
        }
        if (Gate.Length > 0)
        {
            foreach (var gate in Gate)
            {
                try
                {
                    _inline.Add(InlineGate.Create(Entries(gate)));
                }
                catch (Errors.ReleaseOpsException ex)
                {
                    ThrowFailure(ex, gate);
                }
            }
            Gate = Array.Empty<Hashtable>();
            return;
        }
        foreach (var path in Path)
        {
            var file = ResolvePath(path);
            Run(async op =>
            {
                var plan = await ReleasePlanLoader.LoadAsync(file, Variables(), op.Cancellation).ConfigureAwait(false);
                await RunAsync(op, plan.Gates, GateEnvironment.For(plan)).ConfigureAwait(false);
            }, target: file);
        }
    }

    protected override void EndProcessing()
    {
        if (_inline.Count > 0)
        {
            var environment = new GateEnvironment { Secrets = Secrets() };
            Run(op => RunAsync(op, _inline, environment));
        }
        if (_runs.Count > 0 && (JUnitPath ?? JsonPath ?? MarkdownPath) is not null)
        {
            var combined = GateRunSummary.Combine(_runs);
            Run(op => GateReport.WriteAsync(combined, Resolve(JUnitPath), Resolve(JsonPath), Resolve(MarkdownPath), op.Cancellation));
        }
    }

    private void RunPlan(ReleasePlan plan) => Run(op => RunAsync(op, plan.Gates, GateEnvironment.For(plan)), target: plan.ToString());

    private async Task RunAsync(CmdletOperation op, IEnumerable<GateDefinition> gates, GateEnvironment environment)
    {
        var options = new GateRunOptions
        {
            FailFast = FailFast.IsPresent,
            ThrottleLimit = ThrottleLimit,
            DefaultTimeout = Timeout ?? new GateRunOptions().DefaultTimeout,
            BaseDirectory = environment.BaseDirectory,
            Selection = new GateSelection
            {
                Names = Name ?? Array.Empty<string>(),
                Categories = Category ?? Array.Empty<string>(),
                Severities = Severity ?? Array.Empty<GateSeverity>(),
                Tags = Tag ?? Array.Empty<string>(),
            },
        };
        var summary = await new GateRunner().RunToSummaryAsync(gates, environment, options, op, op.Cancellation,
            Summary.IsPresent ? null : op.Emit).ConfigureAwait(false);
        lock (_runs)
        {
            _runs.Add(summary);
        }
        if (Summary.IsPresent)
        {
            op.Emit(summary);
        }
    }

    private string? Resolve(string? path) => path is null ? null : ResolvePath(path);

    private IReadOnlyDictionary<string, string> Variables() => PowerShellValues.StringMap(Variable);

    private SecretCatalog Secrets()
    {
        var catalog = SecretCatalog.Empty;
        foreach (DictionaryEntry entry in Secret ?? new Hashtable())
        {
            var name = entry.Key.ToString()!;
            var value = PowerShellValues.Unwrap(entry.Value) switch
            {
                SecureString secure => SecretConversion.FromSecureString(secure, "given"),
                PSCredential credential => SecretConversion.FromSecureString(credential.Password, "given"),
                _ => throw new Errors.ReleaseOpsException("SecretNotSecure", Errors.FailureKind.InvalidArgument,
                    $"Secret '{name}' must be a SecureString or a PSCredential.", target: name,
                    fix: "Pass (Read-Host -AsSecureString) or (Get-Credential), never plain text."),
            };
            catalog = catalog.With(new GivenSecretSource(name, value));
        }
        return catalog;
    }

    private static IEnumerable<KeyValuePair<string, object?>> Entries(Hashtable table) =>
        table.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, object?>(e.Key.ToString()!, PowerShellValues.Unwrap(e.Value)));
}
