using System.Diagnostics;
using ReleaseOps.Conditions;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Infrastructure.Monitoring;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>prometheus</c>: one instant query, and a condition on each series it returns, quantified by
/// <c>series</c>: every series meets it (and there is at least one: a query that finds no data is not
/// a pass), any does, or none does; without a condition, every/any ask for at least one series (a
/// recording rule present) and none for no series at all (no target down: <c>up == 0</c>). The
/// values <c>series</c>, <c>value</c> (one series), <c>min</c>, <c>max</c> and <c>sum</c> are offered to expect.
/// </summary>
internal sealed class PrometheusGateCheck : IGateCheck
{
    private const int Shown = 5;

    public IReadOnlyList<string> Types { get; } = new[] { "prometheus" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var endpoint = context.Monitoring();
        var query = context.Require("query");
        var mode = context.Settings.GetString("series") ?? "every";
        var condition = context.Settings.GetString("condition") is { } text ? ConditionExpression.Parse(text) : null;
        observation.Target = endpoint.ToString();
        observation.Evidence["query"] = query;
        using var prometheus = new PrometheusApi(endpoint, context.Connections?.Http(MonitoringApi.Options(endpoint)));
        var result = await prometheus.QueryAsync(query, null, cancellation).ConfigureAwait(false);
        var samples = result.Samples;
        observation.Measure("series", samples.Count);
        if (samples.Count == 1)
        {
            observation.Measure("value", samples[0].Value);
        }
        if (samples.Count > 0)
        {
            observation.Measure("min", samples.Min(s => s.Value));
            observation.Measure("max", samples.Max(s => s.Value));
            observation.Measure("sum", samples.Sum(s => s.Value));
        }
        observation.Evidence["result"] = samples.Take(10).Select(s => s.ToString()).ToArray();
        foreach (var warning in result.Warnings)
        {
            observation.Advise("warning", false, "Prometheus warns: " + warning);
        }

        var outcomes = condition is null ? null : samples.Select(s => (Sample: s, Outcome: condition.Evaluate(Values(s)))).ToArray();
        string Listed(IEnumerable<(PromSample Sample, ConditionOutcome Outcome)> items, int count) =>
            string.Join("; ", items.Take(Shown).Select(i => $"{MonitoringApi.Describe(i.Sample.Labels)}: {i.Outcome.Message}")) +
            (count > Shown ? $"; and {count - Shown} more" : "");
        switch (mode, outcomes)
        {
            case ("none", null):
                observation.Rule("no series", samples.Count == 0, samples.Count == 0
                    ? "the query returns no series"
                    : $"the query returns {samples.Count} series: " + string.Join("; ", samples.Take(Shown)) + (samples.Count > Shown ? "; ..." : ""));
                break;
            case (_, null):
                observation.Rule("series", samples.Count > 0, samples.Count > 0 ? $"the query returns {samples.Count} series" : "the query returns no series");
                break;
            case ("none", _):
                var meeting = outcomes.Where(o => o.Outcome.Passed).ToArray();
                observation.Rule("none", meeting.Length == 0, meeting.Length == 0
                    ? $"no series of {samples.Count} meets {condition!.Text}"
                    : $"{meeting.Length} series meet {condition!.Text}: " + Listed(meeting, meeting.Length));
                break;
            case ("any", _):
                var passing = outcomes.Count(o => o.Outcome.Passed);
                observation.Rule("any", passing > 0, passing > 0
                    ? $"{passing} of {samples.Count} series meet {condition!.Text}"
                    : samples.Count == 0 ? "the query returns no series (no data is not a pass)"
                    : $"no series meets {condition!.Text}: " + Listed(outcomes, outcomes.Length));
                break;
            default:
                var failing = outcomes.Where(o => !o.Outcome.Passed).ToArray();
                observation.Rule("every", samples.Count > 0 && failing.Length == 0,
                    samples.Count == 0 ? "the query returns no series (no data is not a pass)"
                    : failing.Length == 0 ? (samples.Count == 1 ? outcomes[0].Outcome.Message : $"all {samples.Count} series meet {condition!.Text}")
                    : $"{failing.Length} of {samples.Count} series fail: " + Listed(failing, failing.Length));
                break;
        }
        observation.Fix = "Look at the query in Prometheus (Graph tab) and at what feeds it; fix the service or the alerting before releasing.";
    }

    /// <summary>A series as a condition reads it: <c>value</c>, and <c>labels.NAME</c> for each label.</summary>
    private static ConditionValues Values(PromSample sample)
    {
        var values = new ConditionValues().Set("value", sample.Value);
        foreach (var (name, value) in sample.Labels)
        {
            values.Set("labels." + name, value);
        }
        return values;
    }
}

/// <summary>
/// <c>alertmanager</c>: counts the firing alerts (silenced and inhibited ones only when asked) that meet
/// the matchers, against <c>max_firing</c>; with <c>pipeline</c> it also posts a test alert carrying a
/// unique id, checks that Alertmanager routes it to the expected receiver, waits until the receiver's
/// <c>confirm_url</c> shows that id (delivered), and resolves the test alert again.
/// </summary>
internal sealed class AlertmanagerGateCheck : IGateCheck
{
    private const string CheckLabel = "releaseops_check";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    public IReadOnlyList<string> Types { get; } = new[] { "alertmanager" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var endpoint = context.Monitoring();
        observation.Target = endpoint.ToString();
        using var alertmanager = new AlertmanagerApi(endpoint, context.Connections?.Http(MonitoringApi.Options(endpoint)));
        if (context.Settings["pipeline"] is IReadOnlyDictionary<string, object?> pipeline)
        {
            await PipelineAsync(context, observation, alertmanager, new GateSettings(pipeline), cancellation).ConfigureAwait(false);
        }
        if (context.Settings.Has("matchers") || !context.Settings.Has("pipeline"))
        {
            await FiringAsync(context, observation, alertmanager, cancellation).ConfigureAwait(false);
        }
    }

    private static async Task FiringAsync(GateCheckContext context, GateObservation observation, AlertmanagerApi alertmanager, CancellationToken cancellation)
    {
        var matchers = context.Settings.GetStrings("matchers");
        var all = context.Settings.GetBoolean("include_silenced") ?? false;
        var max = context.Settings.GetInteger("max_firing") ?? 0;
        var alerts = (await alertmanager.GetAlertsAsync(matchers, silenced: all, inhibited: all, cancellation).ConfigureAwait(false))
            .Where(a => a.Labels.GetValueOrDefault(CheckLabel) is null) // our own pipeline test alerts are not incidents
            .ToArray();
        observation.Measure("firing", alerts.Length);
        observation.Evidence["matchers"] = matchers.ToArray();
        observation.Evidence["alerts"] = alerts.Take(10).Select(a => a.ToString() + (a.StartsAt is { } since ? $" since {since:yyyy-MM-dd HH:mm}Z" : "")).ToArray();
        var what = matchers.Count == 0 ? "firing alert(s)" : $"firing alert(s) match {string.Join(", ", matchers)}";
        observation.Rule("firing", alerts.Length <= max, alerts.Length == 0 ? $"no {what.Replace("alert(s)", "alert")}"
            : $"{alerts.Length} {what}" + (alerts.Length <= max ? $" (at most {max} allowed)" : ": " + string.Join("; ", alerts.Take(5))));
        observation.Fix ??= "Resolve (or knowingly silence) the incidents before releasing.";
    }

    private static async Task PipelineAsync(GateCheckContext context, GateObservation observation, AlertmanagerApi alertmanager,
        GateSettings pipeline, CancellationToken cancellation)
    {
        var id = Guid.NewGuid().ToString("N");
        var labels = pipeline.GetMap("labels").ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        labels.TryAdd("alertname", "ReleaseOpsPipelineTest");
        labels[CheckLabel] = id;
        var annotations = new Dictionary<string, string>
        {
            ["summary"] = $"Test alert from the ReleaseOps gate '{context.Gate.Name}'; it resolves by itself. No action needed.",
        };
        var confirmUrl = context.Expand(pipeline.GetString("confirm_url"))?.Reveal()
            ?? throw context.Missing("pipeline.confirm_url", "Add confirm_url: the receiver's endpoint that shows what it received.");
        if (!Uri.TryCreate(confirmUrl, UriKind.Absolute, out var confirm) || confirm.Scheme is not ("http" or "https"))
        {
            throw context.Invalid("pipeline.confirm_url", $"'{context.Redactor.Redact(confirmUrl)}' is not an absolute http(s) URL.",
                "Write the receiver's full URL.");
        }
        var headers = pipeline.GetMap("confirm_headers").ToDictionary(h => h.Key, h => context.Expand(h.Value)!, StringComparer.OrdinalIgnoreCase);
        var within = pipeline.GetDuration("within") ?? context.Timeout * 0.8;
        var clock = Stopwatch.StartNew();
        var start = context.Clock.GetUtcNow();
        observation.Evidence["test_alert"] = $"{labels["alertname"]} {CheckLabel}={id}";
        await alertmanager.PostAlertsAsync(new[] { new PostableAlert(labels, annotations, start, start.AddMinutes(10)) }, cancellation).ConfigureAwait(false);
        try
        {
            var routed = await WaitAsync(async () =>
            {
                var found = await alertmanager.GetAlertsAsync(new[] { $"{CheckLabel}=\"{id}\"" }, true, true, cancellation).ConfigureAwait(false);
                return found.FirstOrDefault();
            }, within - clock.Elapsed, cancellation).ConfigureAwait(false);
            observation.Rule("accepted", routed is not null, routed is not null
                ? "Alertmanager holds the test alert" : $"Alertmanager does not show the test alert within {DurationText.Format(within)}");
            if (routed is null)
            {
                return;
            }
            observation.Evidence["receivers"] = routed.Receivers.ToArray();
            if (pipeline.GetString("receiver") is { } receiver)
            {
                var ok = routed.Receivers.Contains(receiver, StringComparer.Ordinal);
                observation.Rule("routed", ok, ok ? $"routed to {receiver}"
                    : $"routed to {(routed.Receivers.Count == 0 ? "no receiver" : string.Join(", ", routed.Receivers))}, not to {receiver}");
                if (!ok)
                {
                    return;
                }
            }
            using var http = new HttpProbeClient();
            var answered = false;
            var delivered = await WaitAsync(async () =>
            {
                var left = within - clock.Elapsed;
                HttpProbeResponse answer;
                try
                {
                    answer = await http.SendAsync(new HttpProbeRequest
                    {
                        Url = confirm, Headers = headers, Redactor = context.Redactor,
                        Timeout = left > TimeSpan.FromSeconds(5) ? TimeSpan.FromSeconds(5) : left < Poll ? Poll : left,
                    }, cancellation).ConfigureAwait(false);
                }
                catch (HttpProbeException ex) when (ex.ErrorId == "HttpTimeout" && answered && left <= TimeSpan.FromSeconds(5))
                {
                    // The receiver answers, and the last ask ran into the end of `within`: not shown within it, no error of the receiver's.
                    return null;
                }
                answered = true;
                return answer.Status < 400 && answer.Body.Contains(id, StringComparison.Ordinal) ? answer : null;
            }, within - clock.Elapsed, cancellation).ConfigureAwait(false);
            observation.Measure("delivery_time", clock.Elapsed);
            observation.Rule("delivered", delivered is not null, delivered is not null
                ? $"the receiver got the test alert after {ConditionValue.FormatDuration(clock.Elapsed)}"
                : $"the receiver did not show the test alert within {DurationText.Format(within)} ({context.Redactor.Redact(confirm.GetLeftPart(UriPartial.Path))})");
            observation.Fix = "Check the route and the receiver's configuration in alertmanager.yml (and Alertmanager's log for failed notifications).";
        }
        finally
        {
            // Resolve the test alert whatever happened; a failure to resolve is only a warning (it expires on its own).
            try
            {
                var now = context.Clock.GetUtcNow();
                await alertmanager.PostAlertsAsync(new[] { new PostableAlert(labels, annotations, start, now) }, CancellationToken.None)
                    .WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Errors.ReleaseOpsException or TimeoutException)
            {
                context.Reporter.Warning($"The test alert {id} could not be resolved ({ex.Message}); it expires within 10 minutes.");
            }
        }
    }

    /// <summary>Asks again every <see cref="Poll"/> until an answer comes or the time is up; transport errors count as no answer yet.</summary>
    private static async Task<T?> WaitAsync<T>(Func<Task<T?>> ask, TimeSpan limit, CancellationToken cancellation)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await ask().ConfigureAwait(false) is { } answer)
                {
                    return answer;
                }
            }
            catch (HttpProbeException) when (clock.Elapsed < limit)
            {
            }
            if (clock.Elapsed + Poll > limit)
            {
                return null;
            }
            await Task.Delay(Poll, cancellation).ConfigureAwait(false);
        }
    }
}
