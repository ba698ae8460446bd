using System.Collections;
using System.Management.Automation;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Errors;
using ReleaseOps.Health;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Health;

/// <summary>
/// <para type="synopsis">Watches a release's health for a while and ends with a verdict: Healthy, Degraded or Breached.</para>
/// <para type="description">Samples the probes of a plan's watch section (or probes given inline) on their intervals:
/// HTTP status, latency and body, TCP ports, container state, restarts, CPU and memory from the Docker engine, and
/// Prometheus metrics endpoints. Each sample is written to the pipeline as it arrives, so it can be filtered or exported
/// live; progress shows the time left and the breaches. Rollback criteria (error_rate &lt; 5%, p95 &lt; 800ms,
/// p95_increase &lt; 50%, memory_percent &lt; 80 for 5m, down_for &lt; 2m), written in the same condition language as
/// gates, are judged over sliding windows. The last object written is the HealthVerdict. The watch is saved to the
/// journal so the next release has a baseline. It never prompts, so it runs unattended in scheduled jobs.</para>
/// </summary>
/// <example><code>Watch-ReleaseHealth -Plan ./releaseplan.yml -Duration 10m -RollbackOnBreach</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Watch-ReleaseHealth -Duration 2m -StopOnBreach -JUnitPath health.xml</code></example>
/// <example><code>Watch-ReleaseHealth -Probe @{ Name = 'web'; Url = 'http://127.0.0.1:8080/health'; Interval = '1s' } -Criterion @{ Name = 'errors'; Expect = 'error_rate &lt; 5%'; Window = '1m' } -Duration 5m</code></example>
[Cmdlet(VerbsCommon.Watch, "ReleaseHealth", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(HealthSample), typeof(HealthVerdict))]
public sealed class WatchReleaseHealthCommand : ReleaseOpsCmdlet
{
    /// <summary>
    /// <para type="description">The release plan: a ReleasePlan from Get-ReleasePlan (also from the pipeline), or the path of a plan file.</para>
    /// </summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "Path")]
    public object? Plan { get; set; }

    /// <summary>
    /// <para type="description">Probes as hashtables, added to the plan's: Name, Type (http, tcp, container, metrics), Url, Host, Port, Container, Interval, Timeout, Expect, Headers.</para>
    /// </summary>
    [Parameter]
    public Hashtable[]? Probe { get; set; }

    /// <summary>
    /// <para type="description">Rollback criteria as hashtables, added to the plan's: Name, Expect (a condition), Probe, Window, For, Severity.</para>
    /// </summary>
    [Parameter]
    public Hashtable[]? Criterion { get; set; }

    /// <summary>
    /// <para type="description">How long to watch: a TimeSpan or text such as 90s, 10m, 2h. Default: the plan's watch duration (10m).</para>
    /// </summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Duration { get; set; }

    /// <summary>
    /// <para type="description">Sampling interval for every probe, overriding their own (a TimeSpan or text such as 5s).</para>
    /// </summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Interval { get; set; }

    /// <summary>
    /// <para type="description">Without a previous watch in the journal, treat this first part of the watch as the latency baseline (e.g. 2m).</para>
    /// </summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? BaselineWindow { get; set; }

    /// <summary>
    /// <para type="description">Roll the release back at the first breach of a critical criterion, then end the watch.</para>
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
    /// <para type="description">Do not save the watch summary to the journal.</para>
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

    private string? _journal, _json, _junit, _markdown;

    protected override void ProcessRecord()
    {
        var planArgument = Plan is PSObject wrapped ? wrapped.BaseObject : Plan;
        var planPath = planArgument switch
        {
            string text => ResolvePath(text),
            FileInfo file => file.FullName,
            _ => null,
        };
        // Paths are resolved here, on the pipeline thread, against PowerShell's current location.
        _journal = JournalPath is null ? null : ResolvePath(JournalPath);
        _json = JsonPath is null ? null : ResolvePath(JsonPath);
        _junit = JUnitPath is null ? null : ResolvePath(JUnitPath);
        _markdown = MarkdownPath is null ? null : ResolvePath(MarkdownPath);
        RunStream(op => Watch(op, planArgument as ReleasePlan, planPath), target: planPath ?? (object?)(planArgument as ReleasePlan)?.ToString() ?? "watch");
    }

    private async IAsyncEnumerable<object> Watch(CmdletOperation op, ReleasePlan? plan, string? planPath)
    {
        if (planPath is not null)
        {
            plan = await ReleasePlanLoader.LoadAsync(planPath, null, op.Cancellation).ConfigureAwait(false);
        }
        var options = new WatchOptions
        {
            Plan = plan,
            Probes = (Probe ?? Array.Empty<Hashtable>()).Select(WatchDefinitionReader.Probe).ToList(),
            Criteria = (Criterion ?? Array.Empty<Hashtable>()).Select(WatchDefinitionReader.Criterion).ToList(),
            Duration = Duration,
            Interval = Interval,
            BaselineWindow = BaselineWindow,
            StopOnBreach = StopOnBreach.IsPresent,
            RollbackOnBreach = RollbackOnBreach.IsPresent ? true : null,
            Rollback = plan is null ? null : ReleaseOps.Releases.StandardRelease.RollbackFor(plan),
            JournalPath = _journal,
            SaveSummary = !NoSave.IsPresent,
            Version = Version,
            Reports = new HealthReportPaths(_json, _junit, _markdown),
        };
        using var session = WatchSession.Create(options);
        if (session.Request.RollbackOnBreach &&
            !await op.ShouldProcessAsync(session.Request.Rollback!.Description, "Roll back automatically if a health criterion breaches").ConfigureAwait(false))
        {
            // -WhatIf (or a "no"): watch all the same, but never roll back.
            op.Warning("Watching without automatic rollback: the rollback was not confirmed.");
            session.Dispose();
            using var unarmed = WatchSession.Create(options with { RollbackOnBreach = false });
            await foreach (var item in Drive(op, unarmed).ConfigureAwait(false)) yield return item;
            yield break;
        }
        await foreach (var item in Drive(op, session).ConfigureAwait(false)) yield return item;
    }

    private async IAsyncEnumerable<object> Drive(CmdletOperation op, WatchSession session)
    {
        await foreach (var sample in session.RunAsync(op, op.Cancellation).ConfigureAwait(false))
        {
            if (!VerdictOnly.IsPresent) yield return sample;
        }
        var verdict = session.Verdict!;
        if (verdict.Status == HealthStatus.Breached)
        {
            op.Warning($"Release health breached: {verdict.Criterion} ({verdict.Expect}).");
        }
        yield return verdict;
    }
}

/// <summary>Lets duration parameters take text such as 500ms, 30s, 10m or 1h30m besides TimeSpans.</summary>
public sealed class DurationTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is null or TimeSpan) return value;
        if (WatchDefinitionReader.TryDuration(value, out var duration)) return duration;
        throw new ArgumentTransformationMetadataException($"'{value}' is not a duration; write 500ms, 30s, 10m or 1h30m.");
    }
}
