using System.Globalization;
using System.Net;
using System.Text;
using ReleaseOps.Checklists;
using ReleaseOps.Journal;
using static ReleaseOps.Records.ReleaseArchiveWriter;

namespace ReleaseOps.Records;

/// <summary>
/// A release record as one HTML page an auditor opens in a browser: everything inline (styles,
/// no scripts, no fonts or images from elsewhere), laid out for a laptop screen, printable.
/// </summary>
internal static class HtmlRecord
{
    private const string Style = """
        :root { --ink:#1d2430; --muted:#5b6675; --line:#d9dee5; --bg:#f4f6f8; --card:#fff;
                --ok:#1a7f37; --ok-bg:#dcf3e3; --bad:#b42318; --bad-bg:#fde3e1; --wait:#9a6700; --wait-bg:#fff1c7;
                --na:#57606a; --na-bg:#eaeef2; --att:#1f5fbf; --att-bg:#dde9fb; }
        * { box-sizing: border-box; }
        body { margin:0; background:var(--bg); color:var(--ink); font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
        main { max-width:1280px; margin:0 auto; padding:20px 24px 40px; }
        header { display:flex; flex-wrap:wrap; align-items:baseline; gap:8px 16px; margin-bottom:4px; }
        h1 { font-size:24px; margin:0; }
        h2 { font-size:18px; margin:0 0 12px; }
        h3 { font-size:15px; margin:18px 0 8px; }
        .sub { color:var(--muted); margin:0 0 16px; }
        nav { display:flex; flex-wrap:wrap; gap:6px 14px; margin:0 0 16px; font-size:13px; }
        nav a { color:var(--att); text-decoration:none; }
        .cards { display:grid; grid-template-columns:repeat(4, minmax(0, 1fr)); gap:12px; margin-bottom:16px; }
        .card, section { background:var(--card); border:1px solid var(--line); border-radius:8px; }
        .card { padding:12px 14px; }
        .card .label { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.04em; }
        .card .value { font-size:22px; font-weight:600; margin:2px 0; }
        .card .note { color:var(--muted); font-size:12px; }
        section { padding:16px 18px; margin-bottom:16px; }
        table { width:100%; border-collapse:collapse; table-layout:fixed; }
        th, td { text-align:left; vertical-align:top; padding:6px 8px; border-bottom:1px solid var(--line); overflow-wrap:anywhere; }
        th { font-size:12px; color:var(--muted); text-transform:uppercase; letter-spacing:.03em; background:#fafbfc; }
        tr:last-child td { border-bottom:none; }
        tr.group td { background:#eef2f6; color:var(--ink); font-weight:600; font-size:13px; padding:5px 8px; }
        td.child { padding-left:26px; }
        .mono, pre, code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size:12px; }
        .badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; white-space:nowrap; }
        .passed, .succeeded, .attested-ok, .yes { color:var(--ok); background:var(--ok-bg); }
        .failed, .rollbackfailed, .rolledback, .no, .interrupted { color:var(--bad); background:var(--bad-bg); }
        .pending, .inprogress { color:var(--wait); background:var(--wait-bg); }
        .notapplicable, .skipped, .unbound { color:var(--na); background:var(--na-bg); }
        .attested { color:var(--att); background:var(--att-bg); }
        .bar { display:flex; height:8px; border-radius:4px; overflow:hidden; background:var(--na-bg); margin-top:6px; }
        .bar span { display:block; height:100%; }
        .legend { display:flex; flex-wrap:wrap; gap:4px 12px; font-size:12px; color:var(--muted); margin:6px 0 10px; }
        .att { border:1px solid var(--line); border-radius:6px; padding:10px 12px; margin:10px 0; }
        .att dl { display:grid; grid-template-columns:170px 1fr; gap:3px 12px; margin:6px 0 0; }
        .att dt { color:var(--muted); }
        .att dd { margin:0; overflow-wrap:anywhere; }
        details { margin-top:6px; }
        summary { cursor:pointer; color:var(--att); }
        pre { background:#f6f8fa; border:1px solid var(--line); border-radius:6px; padding:8px 10px; white-space:pre-wrap; overflow-wrap:anywhere; margin:6px 0 0; }
        .problem { color:var(--bad); }
        @media (max-width: 900px) { .cards { grid-template-columns:repeat(2, minmax(0, 1fr)); } }
        @media print { body { background:#fff; } section, .card { break-inside:avoid-page; } details > * { display:block; } }
        """;

    public static string Write(ReleaseArchive a)
    {
        var r = a.Release;
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(E($"Release record: {a.Application}/{a.Environment} {r.Version}")).Append("</title>\n")
            .Append("<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n<main>\n");

        html.Append("<header><h1>").Append(E($"{a.Application}/{a.Environment} {r.Version}")).Append("</h1>")
            .Append(Badge(r.Status.ToString())).Append("</header>\n");
        html.Append("<p class=\"sub\">").Append(E($"Release {r.Id} ({r.Kind.ToString().ToLowerInvariant()}), started {When(r.StartedAt)} by {r.StartedBy} on {r.Host}" +
            (r.FinishedAt is null ? "" : $", finished {When(r.FinishedAt)}") + (r.PreviousVersion is null ? "" : $"; replaced {r.PreviousVersion}") +
            $". Exported {When(a.ExportedAt)} by {a.ExportedBy}.")).Append("</p>\n");
        html.Append("<nav><a href=\"#checklist\">Checklist</a><a href=\"#attestations\">Attestations</a><a href=\"#gates\">Gates</a>")
            .Append("<a href=\"#steps\">Steps</a><a href=\"#backups\">Backups</a><a href=\"#watch\">Health watch</a><a href=\"#rollbacks\">Rollbacks</a>")
            .Append("<a href=\"#notifications\">Notifications</a><a href=\"#journal\">Journal</a><a href=\"#plan\">Plan</a></nav>\n");
        Cards(html, a);

        Section(html, "checklist", "Checklist", () =>
        {
            foreach (var coverage in a.Coverage)
            {
                var file = a.ChecklistFiles.FirstOrDefault(f => f.File == coverage.File);
                html.Append("<h3>").Append(E(file?.Title is null ? coverage.File : $"{file.Title} ({coverage.File})")).Append("</h3>\n");
                html.Append("<div class=\"legend\">").Append(E($"{coverage.Total} items: {coverage.Automated} automated, {coverage.Attestation} attested by a role, " +
                    $"{coverage.NotApplicable} not applicable, {coverage.Unbound} unbound. For {coverage.Version ?? "no version"}: {coverage.Passed} passed, " +
                    $"{coverage.Failed} failed, {coverage.Attested} attested, {coverage.Pending} pending."))
                    .Append(file is null ? "" : $" <span class=\"mono\">sha256:{E(file.Sha256)}</span>").Append("</div>\n");
                ChecklistTable(html, a.Checklist.Where(i => i.Item.File == coverage.File).ToArray());
            }
        });

        Section(html, "attestations", "Attestations and signatures", () =>
        {
            if (!a.Attestations.Any())
            {
                html.Append("<p>No attestation is recorded for this version.</p>\n");
            }
            foreach (var (item, v) in a.Attestations)
            {
                var t = v.Attestation;
                html.Append("<div class=\"att\">").Append(Badge(v.Valid ? "valid" : "rejected", v.Valid ? "attested-ok" : "failed")).Append(' ')
                    .Append("<strong>").Append(E($"{t.Role}: {item.Item.Text}")).Append("</strong>")
                    .Append("<dl>")
                    .Append(Pair("Signer", $"{t.Signer.Identity} ({t.Signer.Subject})"))
                    .Append(Pair("Issued by", t.Signer.Issuer))
                    .Append(Pair("Certificate SHA-256", t.Signer.CertificateSha256, mono: true))
                    .Append(Pair("Attested", When(t.AttestedAt)))
                    .Append(t.Note is null ? "" : Pair("Note", t.Note))
                    .Append(t.EvidenceUrl is null ? "" : Pair("Evidence URL", t.EvidenceUrl))
                    .Append(t.EvidenceFile is null ? "" : Pair("Evidence file", $"{t.EvidenceFile.Name}, {t.EvidenceFile.Size:N0} bytes, sha256:{t.EvidenceFile.Sha256}"))
                    .Append(Pair("Item", $"{item.Item.Location} ({t.ItemId})"))
                    .Append(Pair("Algorithm", t.Algorithm))
                    .Append(v.Valid ? "" : $"<dt>Problem</dt><dd class=\"problem\">{E(v.Problem ?? "")}</dd>")
                    .Append("</dl>")
                    .Append("<details><summary>Signed statement, signature and certificate</summary>")
                    .Append("<pre>").Append(E(t.Statement)).Append("</pre><pre>").Append(E(t.Signature)).Append("</pre><pre>")
                    .Append(E(t.Signer.CertificatePem)).Append("</pre></details></div>\n");
            }
        });

        Section(html, "gates", "Gates", () => Table(html, new[] { ("Gate", "18%"), ("Type", "11%"), ("Stage", "10%"), ("Status", "90px"), ("Message", "") },
            r.Gates.Select(g => new[] { E(g.Name), E(g.Type), E(g.Stage), Badge(g.Status), E(g.Message) })));
        Section(html, "steps", "Deployment steps", () => Table(html, new[] { ("#", "36px"), ("Step", "15%"), ("Service", "11%"), ("Status", "95px"), ("Took", "70px"), ("Detail", "") },
            r.Steps.Select(s => new[]
            {
                s.Sequence.ToString(CultureInfo.InvariantCulture), E(s.Name), E(s.Service ?? ""), Badge(s.Status.ToString()), E(Span(s.EndedAt - s.StartedAt)), E(s.Detail ?? ""),
            })));
        Section(html, "backups", "Backups", () => Table(html, new[] { ("Backup", "14%"), ("Id", "22%"), ("Size", "11%"), ("SHA-256", ""), ("Verified", "100px") },
            a.Backups.Select(b => new[]
            {
                E(b.Name), b.Id is null ? $"<span class=\"problem\">{E(b.Problem ?? "")}</span>" : $"<span class=\"mono\">{E(b.Id)}</span>",
                b.SizeBytes is null ? "" : E($"{b.SizeBytes:N0} bytes"), $"<span class=\"mono\">{E(b.Sha256 ?? "")}</span>",
                b.Id is null ? "" : Badge(b.Verified switch { true => "passed", false => "failed", null => "not tested" }, b.Verified switch { true => "passed", false => "failed", null => "skipped" }),
            })));
        Section(html, "watch", "Health watch", () =>
        {
            if (a.Watch is null)
            {
                html.Append("<p>No health watch of this version was recorded.</p>\n");
                return;
            }
            html.Append("<p>").Append(Badge(a.Watch.Status.ToString(), a.Watch.Status switch { Health.HealthStatus.Breached => "failed", Health.HealthStatus.Inconclusive => "pending", _ => "passed" })).Append(' ')
                .Append(E($"{a.Watch.Samples} samples over {Span(a.Watch.Duration)} from {When(a.Watch.StartedAt)}" +
                    (a.Watch.BreachedCriterion is null ? "" : $"; breached: {a.Watch.BreachedCriterion}"))).Append("</p>\n");
            Table(html, new[] { ("Criterion", "20%"), ("Expect", "30%"), ("State", "110px"), ("Observed", "") }, a.Watch.Criteria.Select(c => new[]
            {
                E(c.Name), $"<code>{E(c.Expect)}</code>", Badge(c.State.ToString(), c.State switch
                {
                    Health.CriterionState.Holding => "passed",
                    Health.CriterionState.Pending => "pending",
                    _ => "failed",
                }), E(c.Observed?.ToString("G4", CultureInfo.InvariantCulture) ?? "-"),
            }));
        });
        Section(html, "rollbacks", "Rollbacks", () => Table(html, new[] { ("Rollback", "24%"), ("From", "12%"), ("To", "12%"), ("Status", "100px"), ("Reason", "") },
            a.Rollbacks.Select(x => new[] { $"<span class=\"mono\">{E(x.Id)}</span>", E(x.PreviousVersion ?? ""), E(x.Version), Badge(x.Status.ToString()), E(x.Reason ?? "") }),
            "No rollback of this release."));
        Section(html, "notifications", "Notifications sent", () => Table(html,
            new[] { ("Event", "12%"), ("Channel", "10%"), ("URL", "25%"), ("Result", "110px"), ("Attempts", "88px"), ("At", "15%"), ("Error", "") },
            a.Notifications.Select(n => new[]
            {
                E(n.Event), E(n.Channel), $"<span class=\"mono\">{E(n.Url)}</span>", Badge(n.Delivered ? "delivered" : "not delivered", n.Delivered ? "passed" : "failed"),
                n.Attempts.ToString(CultureInfo.InvariantCulture), E(When(n.At)), E(n.Error ?? ""),
            }), "No notification was sent for this release."));
        Section(html, "journal", "Journal", () =>
        {
            html.Append("<p>").Append(Badge(a.Journal.IsIntact ? "intact" : "tampered", a.Journal.IsIntact ? "passed" : "failed")).Append(' ')
                .Append(E($"{a.Journal.Location}: {a.Journal.Entries} entries, {a.Journal.Releases} releases, verified {When(a.Journal.VerifiedAt)}. "))
                .Append("Head (write it down to detect a later truncation): <span class=\"mono\">").Append(E(a.Journal.Head?.ToString() ?? "-")).Append("</span></p>\n");
            foreach (var problem in a.Journal.Problems)
            {
                html.Append("<p class=\"problem\">").Append(E(problem.ToString())).Append("</p>\n");
            }
        });
        Section(html, "plan", "Plan", () =>
        {
            html.Append("<p>").Append(E(a.Plan.File ?? "(not from a file)")).Append(" &middot; SHA-256 at release <span class=\"mono\">")
                .Append(E(a.Plan.Sha256AtRelease ?? "-")).Append("</span>")
                .Append(a.Plan.ChangedSinceRelease ? $" &middot; <span class=\"problem\">changed since: now {E(a.Plan.Sha256 ?? "")}</span>" : "").Append("</p>\n");
            if (a.Plan.Text is not null)
            {
                html.Append("<details><summary>Plan text</summary><pre>").Append(E(a.Plan.Text)).Append("</pre></details>\n");
            }
        });
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The items of one file, under a row per section (sections are long; repeating them per item wastes the width).</summary>
    private static void ChecklistTable(StringBuilder html, IReadOnlyList<ChecklistItemStatus> items)
    {
        html.Append("<table><colgroup><col style=\"width:112px\"><col style=\"width:36%\"><col style=\"width:54px\"><col style=\"width:15%\"><col></colgroup>")
            .Append("<thead><tr><th>State</th><th>Item</th><th>Line</th><th>Covered by</th><th>Evidence</th></tr></thead><tbody>\n");
        string? section = null;
        foreach (var i in items)
        {
            if (i.Item.SectionPath != section)
            {
                section = i.Item.SectionPath;
                html.Append("<tr class=\"group\"><td colspan=\"5\">").Append(E(section.Length == 0 ? "(no section)" : section)).Append("</td></tr>\n");
            }
            // The id (what plans bind by) is in the JSON record and in the tooltip; the page shows the words.
            html.Append("<tr><td>").Append(Badge(State(i.State), i.State.ToString())).Append("</td><td")
                .Append(i.Item.ParentId is null ? "" : " class=\"child\"").Append(" title=\"").Append(E(i.Item.Id)).Append("\">").Append(E(i.Item.Text))
                .Append("</td><td>").Append(i.Item.Line.ToString(CultureInfo.InvariantCulture))
                .Append("</td><td>").Append(i.Binding is null ? "&ndash;" : E($"{Binding(i.Binding.Value)} {i.Target}"))
                .Append("</td><td>").Append(E(i.Evidence)).Append("</td></tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    private static void Cards(StringBuilder html, ReleaseArchive a)
    {
        var total = a.Checklist.Count;
        int Count(ChecklistItemState s) => a.Checklist.Count(i => i.State == s);
        var done = Count(ChecklistItemState.Passed) + Count(ChecklistItemState.Attested) + Count(ChecklistItemState.NotApplicable);
        var valid = a.Attestations.Count(x => x.Attestation.Valid);
        var gatesPassed = a.Release.Gates.Count(g => g.Status is "Passed" or "Warning");
        html.Append("<div class=\"cards\">\n");
        Card(html, "Checklist", $"{done} / {total}", $"{Count(ChecklistItemState.Passed)} passed, {Count(ChecklistItemState.Attested)} attested, " +
            $"{Count(ChecklistItemState.NotApplicable)} n/a, {Count(ChecklistItemState.Failed)} failed, {Count(ChecklistItemState.Pending)} pending, {Count(ChecklistItemState.Unbound)} unbound",
            Bar(total, (Count(ChecklistItemState.Passed), "var(--ok)"), (Count(ChecklistItemState.Attested), "var(--att)"),
                (Count(ChecklistItemState.NotApplicable), "#b8c1cc"), (Count(ChecklistItemState.Failed), "var(--bad)"), (Count(ChecklistItemState.Pending), "#e3b341")));
        Card(html, "Attestations", valid.ToString(CultureInfo.InvariantCulture), $"signed and valid; {a.Attestations.Count() - valid} rejected", "");
        Card(html, "Gates", $"{gatesPassed} / {a.Release.Gates.Count}", "passed", "");
        Card(html, "Journal", a.Journal.IsIntact ? "intact" : $"{a.Journal.Problems.Count} problem(s)", $"{a.Journal.Entries} entries; head {a.Journal.Head?.Sequence}", "");
        html.Append("</div>\n");
    }

    private static void Card(StringBuilder html, string label, string value, string note, string extra) =>
        html.Append("<div class=\"card\"><div class=\"label\">").Append(E(label)).Append("</div><div class=\"value\">").Append(E(value))
            .Append("</div><div class=\"note\">").Append(E(note)).Append("</div>").Append(extra).Append("</div>\n");

    private static string Bar(int total, params (int Count, string Color)[] parts) => total == 0 ? "" :
        "<div class=\"bar\">" + string.Concat(parts.Where(p => p.Count > 0).Select(p =>
            $"<span style=\"width:{(100.0 * p.Count / total).ToString("0.##", CultureInfo.InvariantCulture)}%;background:{p.Color}\"></span>")) + "</div>";

    private static void Section(StringBuilder html, string id, string title, Action body)
    {
        html.Append("<section id=\"").Append(id).Append("\"><h2>").Append(E(title)).Append("</h2>\n");
        body();
        html.Append("</section>\n");
    }

    private static void Table(StringBuilder html, (string Header, string Width)[] columns, IEnumerable<string[]> rows, string empty = "None.")
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            html.Append("<p>").Append(E(empty)).Append("</p>\n");
            return;
        }
        html.Append("<table><colgroup>");
        foreach (var (_, width) in columns)
        {
            html.Append(width.Length == 0 ? "<col>" : $"<col style=\"width:{width}\">");
        }
        html.Append("</colgroup><thead><tr>");
        foreach (var (header, _) in columns) html.Append("<th>").Append(E(header)).Append("</th>");
        html.Append("</tr></thead><tbody>\n");
        foreach (var row in list)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td>").Append(cell).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    private static string Pair(string label, string value, bool mono = false) =>
        $"<dt>{E(label)}</dt><dd{(mono ? " class=\"mono\"" : "")}>{E(value)}</dd>";

    private static string Badge(string text, string? kind = null) =>
        $"<span class=\"badge {E(new string((kind ?? text).ToLowerInvariant().Where(char.IsLetter).ToArray()))}\">{E(text)}</span>";

    private static string Binding(Plans.ChecklistBindingKind kind) => kind switch
    {
        Plans.ChecklistBindingKind.NotApplicable => "n/a:",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
