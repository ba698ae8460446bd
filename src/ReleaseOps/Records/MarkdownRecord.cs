using System.Text;
using static ReleaseOps.Records.ReleaseArchiveWriter;

namespace ReleaseOps.Records;

/// <summary>A release record as Markdown: headings per part, tables for lists.</summary>
internal static class MarkdownRecord
{
    public static string Write(ReleaseArchive a)
    {
        var r = a.Release;
        var md = new StringBuilder();
        md.Append($"# Release record: {a.Application}/{a.Environment} {r.Version}\n\n");
        Table(md, new[] { "Field", "Value" }, new[]
        {
            new[] { "Release", r.Id },
            new[] { "Status", r.Status.ToString() + (r.Reason is null ? "" : $" ({r.Reason})") },
            new[] { "Previous version", r.PreviousVersion ?? "-" },
            new[] { "Started", $"{When(r.StartedAt)} by {r.StartedBy} on {r.Host}" },
            new[] { "Finished", When(r.FinishedAt) },
            new[] { "Images", string.Join(", ", r.Images.Select(i => $"{i.Image}@{i.Digest}")) },
            new[] { "Plan", $"{a.Plan.File} sha256:{a.Plan.Sha256AtRelease ?? "-"}" + (a.Plan.ChangedSinceRelease ? $" (changed since: now sha256:{a.Plan.Sha256})" : "") },
            new[] { "Journal", $"{a.Journal.Location}: {(a.Journal.IsIntact ? "intact" : $"{a.Journal.Problems.Count} problem(s)")}, head {a.Journal.Head}" },
            new[] { "Exported", $"{When(a.ExportedAt)} by {a.ExportedBy}" },
        });

        md.Append("\n## Checklist\n\n");
        foreach (var c in a.Coverage)
        {
            md.Append($"- `{c.File}`: {c.Total} items; {c.Automated} automated, {c.Attestation} attested by a role, {c.NotApplicable} not applicable, {c.Unbound} unbound; " +
                $"{c.Passed} passed, {c.Failed} failed, {c.Attested} attested, {c.Pending} pending\n");
        }
        md.Append('\n');
        Table(md, new[] { "State", "Item", "Section", "Where", "Covered by", "Evidence" }, a.Checklist.Select(i => new[]
        {
            State(i.State), i.Item.Text, i.Item.SectionPath, i.Item.Location,
            i.Binding is null ? "-" : $"{i.Binding.ToString()!.ToLowerInvariant()} {i.Target}", i.Evidence,
        }));

        md.Append("\n## Attestations\n\n");
        if (!a.Attestations.Any()) md.Append("None recorded for this version.\n");
        foreach (var (item, v) in a.Attestations)
        {
            var t = v.Attestation;
            md.Append($"### {t.Role}: {item.Item.Text}\n\n");
            Table(md, new[] { "Field", "Value" }, new[]
            {
                new[] { "Valid", v.Valid ? "yes" : "NO: " + v.Problem },
                new[] { "Signer", $"{t.Signer.Identity} ({t.Signer.Subject}), issued by {t.Signer.Issuer}" },
                new[] { "Certificate SHA-256", t.Signer.CertificateSha256 },
                new[] { "Attested", When(t.AttestedAt) },
                new[] { "Note", t.Note ?? "" },
                new[] { "Evidence", (t.EvidenceUrl ?? "") + (t.EvidenceFile is null ? "" : $" {t.EvidenceFile.Name} ({t.EvidenceFile.Size} bytes, sha256:{t.EvidenceFile.Sha256})") },
                new[] { "Algorithm", t.Algorithm },
                new[] { "Id", t.Id },
            });
            md.Append("\nSigned statement:\n\n```\n").Append(t.Statement).Append("```\n\nSignature (base64):\n\n```\n").Append(t.Signature).Append("\n```\n\n");
        }

        md.Append("\n## Gates\n\n");
        Table(md, new[] { "Gate", "Type", "Stage", "Status", "Message" }, r.Gates.Select(g => new[] { g.Name, g.Type, g.Stage, g.Status, g.Message }));
        md.Append("\n## Steps\n\n");
        Table(md, new[] { "#", "Step", "Service", "Status", "Took", "Detail" }, r.Steps.Select(s => new[]
        {
            s.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Name, s.Service ?? "", s.Status.ToString(),
            Span(s.EndedAt - s.StartedAt), s.Detail ?? "",
        }));
        md.Append("\n## Backups\n\n");
        Table(md, new[] { "Backup", "Id", "Size", "SHA-256", "Verified" }, a.Backups.Select(b => new[]
        {
            b.Name, b.Id ?? b.Problem ?? "", b.SizeBytes?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "", b.Sha256 ?? "",
            b.Verified switch { true => "yes", false => "FAILED", null => "not tested" },
        }));
        md.Append("\n## Health watch\n\n");
        if (a.Watch is null)
        {
            md.Append("No watch of this version was recorded.\n");
        }
        else
        {
            md.Append($"{a.Watch.Status} after {Span(a.Watch.Duration)} ({a.Watch.Samples} samples){(a.Watch.BreachedCriterion is null ? "" : $"; breached: {a.Watch.BreachedCriterion}")}\n\n");
            Table(md, new[] { "Criterion", "Expect", "State", "Observed" }, a.Watch.Criteria.Select(c => new[]
            {
                c.Name, c.Expect, c.State.ToString(), c.Observed?.ToString("G4", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
            }));
        }
        md.Append("\n## Rollbacks\n\n");
        if (a.Rollbacks.Count == 0) md.Append("None.\n");
        foreach (var rollback in a.Rollbacks)
        {
            md.Append($"- {rollback.Id}: {rollback.PreviousVersion} -> {rollback.Version}, {rollback.Status} at {When(rollback.StartedAt)}: {rollback.Reason}\n");
        }
        md.Append("\n## Notifications\n\n");
        Table(md, new[] { "Event", "Channel", "URL", "Delivered", "Attempts", "At", "Error" }, a.Notifications.Select(n => new[]
        {
            n.Event, n.Channel, n.Url, n.Delivered ? "yes" : "no", n.Attempts.ToString(System.Globalization.CultureInfo.InvariantCulture), When(n.At), n.Error ?? "",
        }));
        md.Append("\n## Journal\n\n");
        md.Append($"{a.Journal.Entries} entries, {a.Journal.Releases} releases; head `{a.Journal.Head}`.\n");
        foreach (var problem in a.Journal.Problems) md.Append($"- **{problem.Kind}**: {problem.Message}\n");
        if (a.Plan.Text is not null)
        {
            md.Append($"\n## Plan\n\n```yaml\n{a.Plan.Text.TrimEnd()}\n```\n");
        }
        return md.ToString();
    }

    private static void Table(StringBuilder md, string[] headers, IEnumerable<string[]> rows)
    {
        var list = rows.ToList();
        if (list.Count == 0)
        {
            md.Append("None.\n");
            return;
        }
        md.Append("| ").Append(string.Join(" | ", headers)).Append(" |\n");
        md.Append('|').Append(string.Concat(headers.Select(_ => " --- |"))).Append('\n');
        foreach (var row in list)
        {
            md.Append("| ").Append(string.Join(" | ", row.Select(Cell))).Append(" |\n");
        }
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", "<br>", StringComparison.Ordinal);
}
