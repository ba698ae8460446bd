using System.Text.Json;
using System.Text.Json.Nodes;
using ReleaseOps.Errors;

namespace ReleaseOps.Journal;

/// <summary>What is wrong with a journal.</summary>
public enum JournalProblemKind
{
    /// <summary>An entry's content no longer matches its hash.</summary>
    Edited,
    /// <summary>Entries are missing: a gap in the sequence, or an entry whose predecessor is not the one it names.</summary>
    Removed,
    /// <summary>An entry is stored under another position than the one it was written at.</summary>
    Reordered,
    /// <summary>An entry is not readable JSON any more.</summary>
    Unreadable,
    /// <summary>A release's document differs from the last state the chain recorded for it.</summary>
    DocumentChanged,
    /// <summary>A release the chain recorded has no document any more.</summary>
    DocumentMissing,
    /// <summary>A release document written after the chain began has no entry in it.</summary>
    Unchained,
    /// <summary>An entry the caller vouched for (sequence and hash written down earlier) is not in the chain any more.</summary>
    AnchorMismatch,
}

public sealed record JournalProblem(JournalProblemKind Kind, long? Sequence, string? Subject, string Message)
{
    public override string ToString() => $"{Kind}{(Sequence is null ? "" : $" at entry {Sequence}")}: {Message}";
}

/// <summary>A point of the chain written down elsewhere (in an exported release record): entry <see cref="Sequence"/> had <see cref="Hash"/>.</summary>
public sealed record JournalAnchor(long Sequence, string Hash)
{
    /// <summary>Reads <c>SEQUENCE:sha256:HEX</c>, the form <see cref="ToString"/> writes.</summary>
    public static JournalAnchor Parse(string text)
    {
        var colon = text.IndexOf(':');
        if (colon > 0 && long.TryParse(text[..colon], out var sequence) && text[(colon + 1)..].StartsWith("sha256:", StringComparison.Ordinal))
        {
            return new JournalAnchor(sequence, text[(colon + 1)..]);
        }
        throw new ReleaseOpsException("JournalAnchorInvalid", FailureKind.InvalidArgument, $"'{text}' is not a journal anchor.", text,
            "Write it as SEQUENCE:sha256:HEX, as Test-ReleaseJournal prints the head (for example 42:sha256:9f86d0...).");
    }

    public override string ToString() => $"{Sequence}:{Hash}";
}

/// <summary>The outcome of <c>Test-ReleaseJournal</c> for one application+environment.</summary>
public sealed record JournalVerification
{
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public required string Location { get; init; }
    public int Entries { get; init; }
    public int Releases { get; init; }
    /// <summary>The last entry; write it down (it is in every exported record) to detect a later truncation.</summary>
    public JournalAnchor? Head { get; init; }
    public IReadOnlyList<JournalProblem> Problems { get; init; } = Array.Empty<JournalProblem>();
    /// <summary>Things that are not tampering: releases written before the journal was chained.</summary>
    public IReadOnlyList<string> Notes { get; init; } = Array.Empty<string>();
    public DateTimeOffset VerifiedAt { get; init; }

    public bool IsIntact => Problems.Count == 0;

    public override string ToString() => IsIntact
        ? $"{Application}/{Environment}: intact, {Entries} entries, {Releases} releases, head {Head?.ToString() ?? "-"}"
        : $"{Application}/{Environment}: {Problems.Count} problem(s): {string.Join("; ", Problems)}";
}

/// <summary>
/// Walks a journal's chain and checks every link: each entry's hash over its content, each entry's
/// predecessor hash, the sequence of positions; then compares each release document with the last
/// state the chain holds for it. Works the same for the file and the PostgreSQL store.
/// </summary>
public static class JournalVerifier
{
    public static async Task<JournalVerification> VerifyAsync(IReleaseJournal journal, string application, string environment,
        JournalAnchor? anchor = null, CancellationToken cancellation = default)
    {
        var stored = await journal.ReadChainAsync(application, environment, cancellation).ConfigureAwait(false);
        var problems = new List<JournalProblem>();
        var notes = new List<string>();
        var read = new List<(long Key, JournalEntry Entry, bool HashHolds)>();
        var unreadable = new HashSet<long>();
        foreach (var (key, text) in stored)
        {
            try
            {
                var node = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not an object");
                var entry = JournalChain.Read(text);
                read.Add((key, entry, JournalChain.HashOf(node) == entry.Hash));
            }
            catch (Exception ex) when (ex is JsonException or FormatException)
            {
                unreadable.Add(key);
                problems.Add(new JournalProblem(JournalProblemKind.Unreadable, key, null, $"entry {key} cannot be read ({ex.Message}); it was damaged or edited"));
            }
        }

        // Links are checked by the sequence each entry was written with; positions separately.
        var bySequence = read.GroupBy(r => r.Entry.Sequence).ToDictionary(g => g.Key, g => g.First().Entry);
        foreach (var (key, entry, hashHolds) in read)
        {
            if (entry.Sequence != key)
            {
                problems.Add(new JournalProblem(JournalProblemKind.Reordered, key, entry.Subject,
                    $"the entry stored at position {key} was written as entry {entry.Sequence}: entries were moved"));
            }
            if (!hashHolds)
            {
                problems.Add(new JournalProblem(JournalProblemKind.Edited, key, entry.Subject,
                    $"entry {key} ({entry.Kind} {entry.Subject}) was changed after it was written: its content no longer matches its hash"));
            }
            var predecessor = entry.Sequence == 1 ? JournalChain.Genesis : bySequence.GetValueOrDefault(entry.Sequence - 1)?.Hash;
            if (hashHolds && predecessor is not null && entry.PreviousHash != predecessor)
            {
                problems.Add(new JournalProblem(JournalProblemKind.Removed, key, entry.Subject,
                    $"entry {entry.Sequence} does not follow the entry stored as {entry.Sequence - 1}: an entry before it was removed or replaced"));
            }
        }
        var last = read.Count == 0 ? 0 : read.Max(r => r.Entry.Sequence);
        for (var sequence = 1L; sequence <= last; sequence++)
        {
            if (bySequence.ContainsKey(sequence) || unreadable.Contains(sequence)) continue;
            var end = sequence;
            while (end + 1 <= last && !bySequence.ContainsKey(end + 1) && !unreadable.Contains(end + 1)) end++;
            problems.Add(new JournalProblem(JournalProblemKind.Removed, sequence, null,
                end == sequence ? $"entry {sequence} is missing" : $"entries {sequence} to {end} are missing"));
            sequence = end;
        }
        var latest = new Dictionary<string, JournalEntry>(StringComparer.Ordinal);
        foreach (var (_, entry, _) in read.OrderBy(r => r.Entry.Sequence).Where(r => r.Entry.Kind == JournalEntryKinds.Release && r.Entry.Subject is not null))
        {
            latest[entry.Subject!] = entry;
        }
        var hashes = read.ToDictionary(r => r.Key, r => r.Entry.Hash);
        DateTimeOffset? chainStart = read.Count == 0 ? null : read.Min(r => r.Entry.RecordedAt);

        var releases = await ReadReleasesAsync(journal, application, environment, problems, cancellation).ConfigureAwait(false);
        foreach (var release in releases)
        {
            if (latest.Remove(release.Id, out var entry))
            {
                if (JournalChain.Compact(JournalSerializer.Write(release)) != JournalChain.Compact(entry.Payload.GetRawText()))
                {
                    problems.Add(new JournalProblem(JournalProblemKind.DocumentChanged, entry.Sequence, release.Id,
                        $"release {release.Id} ({release.Version}) differs from the state entry {entry.Sequence} recorded: its document was edited"));
                }
            }
            else if (chainStart is not null && release.StartedAt >= chainStart.Value.AddSeconds(-1))
            {
                problems.Add(new JournalProblem(JournalProblemKind.Unchained, null, release.Id,
                    $"release {release.Id} ({release.Version}) is not in the chain, though it started after the chain began: its entries were removed"));
            }
            else
            {
                notes.Add($"release {release.Id} ({release.Version}) predates the chain; it is not covered");
            }
        }
        foreach (var (id, entry) in latest)
        {
            problems.Add(new JournalProblem(JournalProblemKind.DocumentMissing, entry.Sequence, id,
                $"release {id} is in the chain (entry {entry.Sequence}) but its document is gone"));
        }
        if (anchor is not null && (!hashes.TryGetValue(anchor.Sequence, out var hash) || hash != anchor.Hash))
        {
            problems.Add(new JournalProblem(JournalProblemKind.AnchorMismatch, anchor.Sequence, null, hashes.ContainsKey(anchor.Sequence)
                ? $"entry {anchor.Sequence} no longer has the hash written down for it ({anchor.Hash}): the chain was rewritten"
                : $"entry {anchor.Sequence}, written down as {anchor.Hash}, is no longer in the chain: the chain was cut short"));
        }
        var head = stored.Count == 0 || !hashes.TryGetValue(stored[^1].Key, out var headHash) ? null : new JournalAnchor(stored[^1].Key, headHash);
        return new JournalVerification
        {
            Application = application,
            Environment = environment,
            Location = journal.Location,
            Entries = stored.Count,
            Releases = releases.Count,
            Head = head,
            Problems = problems.OrderBy(p => p.Sequence ?? long.MaxValue).ToArray(),
            Notes = notes,
            VerifiedAt = DateTimeOffset.UtcNow,
        };
    }

    private static async Task<IReadOnlyList<ReleaseRecord>> ReadReleasesAsync(IReleaseJournal journal, string application, string environment,
        List<JournalProblem> problems, CancellationToken cancellation)
    {
        try
        {
            return await journal.ListAsync(application, environment, cancellation).ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == "JournalCorrupt")
        {
            problems.Add(new JournalProblem(JournalProblemKind.DocumentChanged, null, ex.Target, ex.Message));
            return Array.Empty<ReleaseRecord>();
        }
    }
}
