using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReleaseOps.Journal;

/// <summary>
/// One entry of an application+environment's tamper-evident chain: every write to the journal (a
/// release saved, an attestation, a notification sent) appends one. Each entry carries the SHA-256
/// of the entry before it, so an entry that is edited, removed or moved breaks the chain at that
/// point (<see cref="JournalVerifier"/>).
/// </summary>
public sealed record JournalEntry
{
    /// <summary>1 for the first entry of an application+environment, then 2, 3...</summary>
    public required long Sequence { get; init; }
    /// <summary><c>release</c>, <c>attestation</c>, <c>notification</c>...</summary>
    public required string Kind { get; init; }
    /// <summary>What the entry is about: a release id, an attestation id.</summary>
    public string? Subject { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
    /// <summary><c>sha256:</c> and the hash of the entry before (64 zeros for the first).</summary>
    public required string PreviousHash { get; init; }
    /// <summary><c>sha256:</c> and the hash of this entry without this field.</summary>
    public required string Hash { get; init; }
    public required JsonElement Payload { get; init; }

    public T PayloadAs<T>() => Payload.Deserialize<T>(JournalSerializer.Options) ?? throw new JsonException($"journal entry {Sequence} has no payload");

    public override string ToString() => $"{Sequence} {Kind} {Subject} {Hash}";
}

/// <summary>An entry exactly as a store holds it: the key it is stored under (a file's number, a row's sequence) and its text.</summary>
public sealed record StoredJournalEntry(long Key, string Text);

/// <summary>How entries are written and hashed; shared by the file and PostgreSQL stores and the verifier.</summary>
public static class JournalChain
{
    public const string Genesis = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    private static readonly JsonSerializerOptions Canonical = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions Stored = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The text of entry <paramref name="sequence"/> after <paramref name="previousHash"/>, hash included.</summary>
    public static string Write(long sequence, string kind, string? subject, DateTimeOffset recordedAt, string previousHash, string payloadJson)
    {
        var entry = new JsonObject
        {
            ["sequence"] = sequence,
            ["kind"] = kind,
            ["subject"] = subject,
            ["recordedAt"] = recordedAt.ToUniversalTime().ToString("O"),
            ["previousHash"] = previousHash,
            ["payload"] = JsonNode.Parse(payloadJson),
        };
        entry["hash"] = HashOf(entry);
        return entry.ToJsonString(Stored);
    }

    /// <summary>The hash an entry should carry: SHA-256 over its compact JSON without the <c>hash</c> field.</summary>
    public static string HashOf(JsonObject entry)
    {
        var copy = entry.DeepClone().AsObject();
        copy.Remove("hash");
        return "sha256:" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(copy.ToJsonString(Canonical)))).ToLowerInvariant();
    }

    /// <summary>The same JSON in the compact form hashes are taken over (for comparing documents regardless of layout).</summary>
    public static string Compact(string json) => JsonNode.Parse(json)?.ToJsonString(Canonical) ?? "null";

    /// <summary>Reads a stored entry; throws <see cref="JsonException"/> when the text is not an entry.</summary>
    public static JournalEntry Read(string text)
    {
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        string Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new JsonException($"the entry has no {name}");
        return new JournalEntry
        {
            Sequence = root.TryGetProperty("sequence", out var s) && s.TryGetInt64(out var n) ? n : throw new JsonException("the entry has no sequence"),
            Kind = Text("kind"),
            Subject = root.TryGetProperty("subject", out var subject) && subject.ValueKind == JsonValueKind.String ? subject.GetString() : null,
            RecordedAt = DateTimeOffset.Parse(Text("recordedAt"), System.Globalization.CultureInfo.InvariantCulture),
            PreviousHash = Text("previousHash"),
            Hash = Text("hash"),
            Payload = root.TryGetProperty("payload", out var payload) ? payload.Clone() : throw new JsonException("the entry has no payload"),
        };
    }

    /// <summary>The entries of a store, read leniently (unreadable ones are skipped; the verifier reports them).</summary>
    public static IReadOnlyList<JournalEntry> ReadAll(IEnumerable<StoredJournalEntry> stored)
    {
        var entries = new List<JournalEntry>();
        foreach (var s in stored)
        {
            try
            {
                entries.Add(Read(s.Text));
            }
            catch (Exception ex) when (ex is JsonException or FormatException)
            {
            }
        }
        return entries;
    }
}

/// <summary>The kinds of chain entry ReleaseOps writes.</summary>
public static class JournalEntryKinds
{
    public const string Release = "release";
    public const string Attestation = "attestation";
    public const string Notification = "notification";
}
