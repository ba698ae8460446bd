using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReleaseOps.Infrastructure.Http;

namespace ReleaseOps.Infrastructure.Monitoring;

/// <summary>An alert as Alertmanager holds it: labels, annotations, state (active, suppressed, unprocessed), receivers.</summary>
public sealed record AlertmanagerAlert(
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyDictionary<string, string> Annotations,
    string State,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    IReadOnlyList<string> Receivers,
    string Fingerprint)
{
    public string Name => Labels.TryGetValue("alertname", out var name) ? name : "(no alertname)";

    public override string ToString() => $"{Name} {MonitoringApi.Describe(Labels.Where(l => l.Key != "alertname").ToDictionary())} ({State})";
}

/// <summary>An alert to send: labels, annotations, and when it starts and ends (an end in the past resolves it).</summary>
public sealed record PostableAlert(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt);

/// <summary>The Alertmanager HTTP API (<c>/api/v2</c>): the alerts it holds, filtered by matchers; posting alerts.</summary>
public sealed class AlertmanagerApi : MonitoringApi
{
    public AlertmanagerApi(MonitoringEndpoint endpoint, HttpProbeClient? client = null)
        : base(endpoint, "Alertmanager", client)
    {
    }

    /// <summary>
    /// The alerts matching every matcher (Alertmanager's own syntax, checked by the server:
    /// <c>severity="critical"</c>, <c>service=~"shop|cart"</c>, <c>team!="qa"</c>), as chosen by state:
    /// active (firing) ones always, silenced and inhibited ones when asked for.
    /// </summary>
    public async Task<IReadOnlyList<AlertmanagerAlert>> GetAlertsAsync(IReadOnlyList<string> matchers, bool silenced = false, bool inhibited = false,
        CancellationToken cancellation = default)
    {
        var query = Query(new[] { ("active", (string?)"true"), ("silenced", Flag(silenced)), ("inhibited", Flag(inhibited)), ("unprocessed", "true") }
            .Concat(matchers.Select(m => ("filter", (string?)m))).ToArray());
        using var document = await SendAsync("GET", "api/v2/alerts?" + query, null, null, cancellation).ConfigureAwait(false);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw Unexpected("the alerts are not a list");
        }
        return document.RootElement.EnumerateArray().Select(alert => new AlertmanagerAlert(
            Labels(alert.GetProperty("labels")),
            alert.TryGetProperty("annotations", out var annotations) ? Labels(annotations) : new Dictionary<string, string>(),
            alert.TryGetProperty("status", out var status) && status.TryGetProperty("state", out var state) ? state.GetString() ?? "" : "",
            Time(alert, "startsAt"),
            Time(alert, "endsAt"),
            alert.TryGetProperty("receivers", out var receivers)
                ? receivers.EnumerateArray().Select(r => r.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "").ToArray()
                : Array.Empty<string>(),
            alert.TryGetProperty("fingerprint", out var fingerprint) ? fingerprint.GetString() ?? "" : "")).ToArray();
    }

    /// <summary>Posts alerts (new ones fire; the same labels with an end in the past resolve one).</summary>
    public async Task PostAlertsAsync(IEnumerable<PostableAlert> alerts, CancellationToken cancellation = default)
    {
        var body = new JsonArray(alerts.Select(a => (JsonNode)new JsonObject
        {
            ["labels"] = Object(a.Labels),
            ["annotations"] = Object(a.Annotations),
            ["startsAt"] = a.StartsAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["endsAt"] = a.EndsAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        }).ToArray());
        using var _ = await SendAsync("POST", "api/v2/alerts", body.ToJsonString(), "application/json", cancellation).ConfigureAwait(false);
    }

    private static string Flag(bool value) => value ? "true" : "false";

    private static JsonObject Object(IReadOnlyDictionary<string, string> values) =>
        new(values.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
}
