using System.Collections;
using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Gates;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Gates;

/// <summary>
/// <para type="synopsis">Runs release gates and returns one GateResult per gate.</para>
/// <para type="description">Runs the gates of a release plan (a ReleasePlan from Get-ReleasePlan, or the plan file), or
/// gates given inline as hashtables (@{ type = 'http'; url = '...'; expect = 'status == 200' }), in parallel under a
/// throttle, each under its timeout, retrying gates that set 'within'. Select gates by -Name, -Category, -Severity,
/// -Tag and -Stage (PreDeploy, PostDeploy, Manual). Each result says Passed, Failed, Warning, Skipped or Error (the
/// check could not run) with a one-line message and the measured evidence. Reports in JUnit XML, JSON and Markdown
/// are written when their paths are given (relative to the current location; -WhatIf writes none). Secrets are never
/// shown.</para>
/// </summary>
/// <example><code>Test-ReleaseGate ./releaseplan.yml -Tag preflight -JUnitPath gates.xml</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Test-ReleaseGate -Stage PreDeploy -Category database -FailFast</code></example>
/// <example><code>@{ type = 'tcp'; host = '127.0.0.1'; port = $pgPort } | Test-ReleaseGate -Timeout 5s</code></example>
/// <example><code>$plan | Test-ReleaseGate -Stage PreDeploy -Summary | Format-List</code></example>
[Cmdlet(VerbsDiagnostic.Test, "ReleaseGate", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(GateResult), typeof(GateRunSummary))]
public sealed class TestReleaseGateCommand : PlanCmdlet
{
    private const string GateSet = "Gate";

    private readonly List<GateDefinition> _inline = new();
    private readonly List<GateRunSummary> _runs = new();

    /// <summary><para type="description">Gates given inline: hashtables with type, the type's settings and optionally name, severity, category, stage, tags, timeout, within and expect. Piped hashtables are collected and run together.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = GateSet)]
    public Hashtable[] Gate { get; set; } = Array.Empty<Hashtable>();

    /// <summary><para type="description">Secrets for inline gates' ${secret:NAME} references: NAME = SecureString or PSCredential (its password). Plain text is refused.</para></summary>
    [Parameter(ParameterSetName = GateSet)]
    public Hashtable? Secret { get; set; }

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

    /// <summary><para type="description">Run only gates of these stages: PreDeploy (before a deployment changes anything), PostDeploy (part of its verification), Manual (only when asked for).</para></summary>
    [Parameter]
    public GateStage[]? Stage { get; set; }

    /// <summary><para type="description">Stop at the first critical gate that fails or cannot run; the rest are reported as Skipped.</para></summary>
    [Parameter]
    public SwitchParameter FailFast { get; set; }

    /// <summary><para type="description">How many gates run at once (default 16 per processor core).</para></summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int ThrottleLimit { get; set; } = GateRunOptions.DefaultThrottle;

    /// <summary><para type="description">Time limit for one attempt of a gate that sets no timeout: 500ms, 5s, 2m or a TimeSpan (default 10s).</para></summary>
    [Parameter]
    [Duration]
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
        if (ParameterSetName == GateSet)
        {
            // Piped hashtables arrive one by one; they run together in EndProcessing.
            foreach (var gate in Gate)
            {
                if (TryPrepare(() => InlineGate.Create(Entries(gate)), out var definition, gate))
                {
                    _inline.Add(definition);
                }
            }
            return;
        }
        ForEachPlan((op, plan) => RunAsync(op, ReleaseOps.Releases.StandardRelease.GatesOf(plan), ReleaseOps.Releases.StandardRelease.GateEnvironmentFor(plan)));
    }

    protected override void EndProcessing()
    {
        if (_inline.Count > 0 && TryPrepare(() => SecretConversion.ToCatalog(Secret), out var secrets))
        {
            Run(op => RunAsync(op, _inline, new GateEnvironment { Secrets = secrets }));
        }
        if (_runs.Count == 0)
        {
            return;
        }
        var (junit, json, markdown) = (ResolveOptionalPath(JUnitPath), ResolveOptionalPath(JsonPath), ResolveOptionalPath(MarkdownPath));
        if (junit is null && json is null && markdown is null)
        {
            return;
        }
        var combined = GateRunSummary.Combine(_runs);
        Run(async op =>
        {
            async Task<string?> Confirmed(string? path, string format) =>
                path is not null && await op.ShouldProcessAsync(path, $"Write the {format} gate report").ConfigureAwait(false) ? path : null;
            await GateReport.WriteAsync(combined, await Confirmed(junit, "JUnit XML").ConfigureAwait(false), await Confirmed(json, "JSON").ConfigureAwait(false),
                await Confirmed(markdown, "Markdown").ConfigureAwait(false), op.Cancellation).ConfigureAwait(false);
        });
    }

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
                Stages = Stage ?? Array.Empty<GateStage>(),
            },
        };
        var summary = await ReleaseOps.Releases.StandardRelease.GateRunner().RunToSummaryAsync(gates, environment, options, op, op.Cancellation,
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

    private static IEnumerable<KeyValuePair<string, object?>> Entries(Hashtable table) =>
        table.Cast<DictionaryEntry>().Select(e => new KeyValuePair<string, object?>(e.Key.ToString()!, PowerShellValues.Unwrap(e.Value)));
}
