using System.Collections;
using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Health;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Health;

/// <summary>
/// <para type="synopsis">Watches a release's health for a while and ends with a verdict: Healthy, Degraded, Breached or Inconclusive.</para>
/// <para type="description">Samples the probes of a plan's watch section (or probes given inline) on their intervals:
/// HTTP status, latency and body, TCP ports, container state, restarts, CPU and memory from the Docker engine,
/// Prometheus metrics endpoints, and the team's own figures: PromQL queries, matching lines of container or service
/// logs, PostgreSQL connections and replication lag, Redis memory, evictions and clients, and check scripts. Each sample is written to the pipeline as it arrives, so it can be filtered or exported
/// live; progress shows the time left and the breaches. Rollback criteria (error_rate &lt; 5%, p95 &lt; 800ms,
/// p95_increase &lt; 50%, memory_percent &lt; 80 for 5m, down_for &lt; 2m), written in the same condition language as
/// gates, are judged over sliding windows. The last object written is the HealthVerdict: Healthy only when every criterion
/// was judged and held; Inconclusive (with a warning) when a critical criterion never had data to judge, for instance a
/// watch shorter than a criterion's window or an endpoint that never answered. The watch is saved to the
/// journal so the next release has a baseline. -WhatIf watches but rolls nothing back and writes nothing: no summary,
/// no reports.</para>
/// </summary>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Watch-ReleaseHealth -StopOnBreach -JUnitPath health.xml</code></example>
/// <example><code>Watch-ReleaseHealth ./releaseplan.yml -Duration 3s -RollbackOnBreach -Confirm:$false | Select-Object -Last 1</code></example>
/// <example><code>Watch-ReleaseHealth -Probe @{ Name = 'web'; Url = $healthUrl; Interval = '500ms' } -Criterion @{ Name = 'errors'; Expect = 'error_rate &lt; 5%'; Window = '2s' } -Duration 2s -VerdictOnly</code></example>
[Cmdlet(VerbsCommon.Watch, "ReleaseHealth", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(HealthSample), typeof(HealthVerdict))]
public sealed class WatchReleaseHealthCommand : PlanCmdlet
{
    private const string ProbeSet = "Probe";

    /// <summary>
    /// <para type="description">Probes as hashtables, added to the plan's (or, without a plan, the whole watch): Name, Type, Interval, Timeout, Expect, and the type's keys as a plan writes them: http (Url, Headers), tcp (Host, Port), container (Container), metrics (Url), prometheus (Url, Query, Bearer_Token or Username and Password, Ca_File, Insecure), container-logs (Container or Service, Pattern, Ignore_Case, Window), postgres (Connection, Query), redis (Connection or Configuration), command (Run, Env, Working_Directory).</para>
    /// </summary>
    [Parameter(ParameterSetName = PlanSet)]
    [Parameter(ParameterSetName = PlanPathSet)]
    [Parameter(Mandatory = true, ParameterSetName = ProbeSet)]
    public Hashtable[]? Probe { get; set; }

    /// <summary>
    /// <para type="description">Rollback criteria as hashtables, added to the plan's: Name, Expect (a condition), Probe, Window, For, Severity.</para>
    /// </summary>
    [Parameter]
    public Hashtable[]? Criterion { get; set; }

    /// <summary>
    /// <para type="description">Secrets for the ${secret:NAME} references of inline probes (a token, a password, a command's environment): NAME = SecureString or PSCredential (its password). Plain text is refused.</para>
    /// </summary>
    [Parameter]
    public Hashtable? Secret { get; set; }

    /// <summary>
    /// <para type="description">How long to watch: 90s, 10m, 2h or a TimeSpan. Default: the plan's watch duration (10m).</para>
    /// </summary>
    [Parameter]
    [Duration]
    public TimeSpan? Duration { get; set; }

    /// <summary>
    /// <para type="description">Sampling interval for every probe, overriding their own: 500ms, 5s or a TimeSpan.</para>
    /// </summary>
    [Parameter]
    [Duration]
    public TimeSpan? Interval { get; set; }

    /// <summary>
    /// <para type="description">Without a previous watch in the journal, treat this first part of the watch as the latency baseline (e.g. 2m).</para>
    /// </summary>
    [Parameter]
    [Duration]
    public TimeSpan? BaselineWindow { get; set; }

    /// <summary>
    /// <para type="description">Roll the release back (the plan's previous release, through the deployment engine) at the first breach of a critical criterion, then end the watch. An Inconclusive verdict (a critical criterion never had data) does not roll back: nothing showed the release to be bad; the verdict says why and a warning is written.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter RollbackOnBreach { get; set; }

    /// <summary>
    /// <para type="description">End the watch at the first breach instead of watching for the whole duration.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter StopOnBreach { get; set; }

    /// <summary>
    /// <para type="description">Journal directory the watch is saved to and the previous watch read from; default the plan's journal.</para>
    /// </summary>
    [Parameter]
    public string? JournalPath { get; set; }

    /// <summary>
    /// <para type="description">Do not save the watch summary to the journal (the previous one is still read as the baseline).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter NoSave { get; set; }

    /// <summary>
    /// <para type="description">Write the verdict as JSON to this file.</para>
    /// </summary>
    [Parameter]
    public string? JsonPath { get; set; }

    /// <summary>
    /// <para type="description">Write the verdict as JUnit XML (one test case per criterion) to this file.</para>
    /// </summary>
    [Parameter]
    public string? JUnitPath { get; set; }

    /// <summary>
    /// <para type="description">Write the verdict as a Markdown summary (one row per criterion) to this file.</para>
    /// </summary>
    [Parameter]
    public string? MarkdownPath { get; set; }

    /// <summary>
    /// <para type="description">Write only the HealthVerdict, not each sample.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter VerdictOnly { get; set; }

    /// <summary>
    /// <para type="description">The version being watched, recorded in the journal (default the plan's).</para>
    /// </summary>
    [Parameter]
    public string? Version { get; set; }

    protected override void ProcessRecord()
    {
        // Paths are resolved here, on the pipeline thread, against PowerShell's current location.
        var paths = (Journal: ResolveOptionalPath(JournalPath), Json: ResolveOptionalPath(JsonPath), JUnit: ResolveOptionalPath(JUnitPath),
            Markdown: ResolveOptionalPath(MarkdownPath));
        if (!TryPrepare(() => (Probes: (Probe ?? Array.Empty<Hashtable>()).Select(WatchDefinitionReader.Probe).ToList(),
                Criteria: (Criterion ?? Array.Empty<Hashtable>()).Select(WatchDefinitionReader.Criterion).ToList(),
                Secrets: SecretConversion.ToCatalog(Secret)), out var inline))
        {
            return;
        }
        async Task Watch(CmdletOperation op, ReleasePlan? plan)
        {
            var options = new WatchOptions
            {
                Plan = plan,
                Probes = inline.Probes,
                Criteria = inline.Criteria,
                Secrets = inline.Secrets,
                Duration = Duration,
                Interval = Interval,
                BaselineWindow = BaselineWindow,
                StopOnBreach = StopOnBreach.IsPresent,
                RollbackOnBreach = RollbackOnBreach.IsPresent ? true : null,
                Rollback = plan is null ? null : ReleaseOps.Releases.StandardRelease.RollbackFor(plan),
                OnBreach = plan is null ? null : ReleaseOps.Releases.StandardRelease.BreachObserverFor(plan, Version, op),
                JournalPath = paths.Journal,
                SaveSummary = !NoSave.IsPresent,
                Version = Version,
            };
            options = await ConfirmedAsync(op, options, paths.Json, paths.JUnit, paths.Markdown).ConfigureAwait(false);
            using var session = WatchSession.Create(options);
            await foreach (var sample in session.RunAsync(op, op.Cancellation).ConfigureAwait(false))
            {
                if (!VerdictOnly.IsPresent) op.Emit(sample);
            }
            var verdict = session.Verdict!;
            if (verdict.Status == HealthStatus.Breached)
            {
                op.Warning($"Release health breached: {verdict.Criterion} ({verdict.Expect}).");
            }
            else if (verdict.Status == HealthStatus.Inconclusive)
            {
                op.Warning($"Release health is inconclusive: {verdict.Reason}.");
            }
            op.Emit(verdict);
        }
        if (ParameterSetName == ProbeSet)
        {
            Run(op => Watch(op, null), "watch");
        }
        else
        {
            ForEachPlan((op, plan) => Watch(op, plan));
        }
    }

    /// <summary>
    /// The options with every change the watch would make asked for first (-WhatIf, -Confirm): the
    /// rollback on breach, saving the summary, each report. What is declined is not done; the watch
    /// itself only reads, so it runs either way.
    /// </summary>
    private static async Task<WatchOptions> ConfirmedAsync(CmdletOperation op, WatchOptions options, string? json, string? junit, string? markdown)
    {
        using (var planned = WatchSession.Create(options))
        {
            if (planned.Request.RollbackOnBreach &&
                !await op.ShouldProcessAsync(planned.Request.Rollback!.Description, "Roll back automatically if a health criterion breaches").ConfigureAwait(false))
            {
                op.Warning("Watching without automatic rollback: the rollback was not confirmed.");
                options = options with { RollbackOnBreach = false };
            }
            if (options.SaveSummary && planned.Request.JournalPath is { } journal &&
                !await op.ShouldProcessAsync(journal, "Save the watch summary to the journal").ConfigureAwait(false))
            {
                options = options with { SaveSummary = false };
            }
            if (options.OnBreach is not null && options.Plan is { } plan &&
                plan.Notifications.Any(n => n.On.Contains("watch-breached", StringComparer.OrdinalIgnoreCase)) &&
                !await op.ShouldProcessAsync($"the watch-breached webhooks of {plan}", "Tell them if a health criterion breaches").ConfigureAwait(false))
            {
                options = options with { OnBreach = null };
            }
        }
        async Task<string?> Confirmed(string? path, string format) =>
            path is not null && await op.ShouldProcessAsync(path, $"Write the {format} health report").ConfigureAwait(false) ? path : null;
        return options with
        {
            Reports = new HealthReportPaths(await Confirmed(json, "JSON").ConfigureAwait(false), await Confirmed(junit, "JUnit XML").ConfigureAwait(false),
                await Confirmed(markdown, "Markdown").ConfigureAwait(false)),
        };
    }
}
