using System.Text.Json;
using System.Text.Json.Nodes;
using ReleaseOps.Plans;

namespace ReleaseOps.Notifications;

/// <summary>
/// The bodies webhooks receive: ReleaseOps' own JSON document, a Slack message (text plus
/// blocks), or a Microsoft Teams message carrying an Adaptive Card (what Teams workflows and
/// incoming webhooks accept).
/// </summary>
public static class NotificationPayloads
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string For(NotificationFormat format, ReleaseNotice notice) => (format switch
    {
        NotificationFormat.Slack => Slack(notice),
        NotificationFormat.Teams => Teams(notice),
        _ => Json(notice),
    }).ToJsonString(Options);

    public static JsonObject Json(ReleaseNotice n) => new()
    {
        ["source"] = "releaseops",
        ["event"] = n.EventName,
        ["application"] = n.Application,
        ["environment"] = n.Environment,
        ["version"] = n.Version,
        ["releaseId"] = n.ReleaseId,
        ["summary"] = n.Summary,
        ["details"] = new JsonArray(n.Details.Select(d => (JsonNode)JsonValue.Create(d)!).ToArray()),
        ["at"] = n.At.ToUniversalTime().ToString("O"),
    };

    public static JsonObject Slack(ReleaseNotice n)
    {
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut($"{Icon(n.Event)} {Title(n)}", 150) },
            },
            new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(SlackEscape(n.Summary), 3000) },
            },
        };
        if (n.Details.Count > 0)
        {
            blocks.Add(new JsonObject
            {
                ["type"] = "section",
                ["text"] = new JsonObject { ["type"] = "mrkdwn", ["text"] = Cut(string.Join("\n", n.Details.Select(d => "• " + SlackEscape(d))), 3000) },
            });
        }
        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray(new JsonObject
            {
                ["type"] = "mrkdwn",
                ["text"] = SlackEscape($"{n.Application}/{n.Environment} {n.Version} · release {n.ReleaseId ?? "-"} · {n.At.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z"),
            }),
        });
        return new JsonObject { ["text"] = $"{Title(n)}: {n.Summary}", ["blocks"] = blocks };
    }

    public static JsonObject Teams(ReleaseNotice n)
    {
        var body = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "TextBlock", ["size"] = "Medium", ["weight"] = "Bolder", ["wrap"] = true, ["text"] = Title(n),
                ["color"] = n.Event is NotificationEvent.Failed or NotificationEvent.RolledBack or NotificationEvent.WatchBreached ? "Attention"
                    : n.Event == NotificationEvent.Succeeded ? "Good" : "Default",
            },
            new JsonObject { ["type"] = "TextBlock", ["wrap"] = true, ["text"] = n.Summary },
            new JsonObject
            {
                ["type"] = "FactSet",
                ["facts"] = new JsonArray(
                    Fact("Application", n.Application), Fact("Environment", n.Environment), Fact("Version", n.Version ?? "-"),
                    Fact("Release", n.ReleaseId ?? "-"), Fact("Event", n.EventName), Fact("At", $"{n.At.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z")),
            },
        };
        foreach (var detail in n.Details)
        {
            body.Add(new JsonObject { ["type"] = "TextBlock", ["wrap"] = true, ["spacing"] = "None", ["text"] = "- " + detail });
        }
        return new JsonObject
        {
            ["type"] = "message",
            ["summary"] = Title(n),
            ["attachments"] = new JsonArray(new JsonObject
            {
                ["contentType"] = "application/vnd.microsoft.card.adaptive",
                ["content"] = new JsonObject
                {
                    ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
                    ["type"] = "AdaptiveCard",
                    ["version"] = "1.4",
                    ["body"] = body,
                },
            }),
        };
    }

    public static string Title(ReleaseNotice n) => $"{n.Application}/{n.Environment} {n.Version}".TrimEnd() + " " + n.Event switch
    {
        NotificationEvent.Started => "release started",
        NotificationEvent.Succeeded => "released",
        NotificationEvent.Failed => "release failed",
        NotificationEvent.RolledBack => "rolled back",
        NotificationEvent.WatchBreached => "health watch breached",
        _ => "waits for sign-off",
    };

    private static JsonObject Fact(string title, string value) => new() { ["title"] = title, ["value"] = value };

    private static string Icon(NotificationEvent e) => e switch
    {
        NotificationEvent.Started => ":rocket:",
        NotificationEvent.Succeeded => ":white_check_mark:",
        NotificationEvent.SignOffNeeded => ":memo:",
        _ => ":rotating_light:",
    };

    private static string SlackEscape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
