using ReleaseOps.Errors;

namespace ReleaseOps.Gates;

/// <summary>One recorded sign-off.</summary>
public sealed record ApprovalRecord(string Release, string Approver, DateTimeOffset At, string? Note);

/// <summary>
/// A simple approval store: one JSON line per sign-off in <c>approvals.jsonl</c> under a directory.
/// Appends are atomic for lines this short; readers skip lines they cannot parse.
/// </summary>
public sealed class ApprovalStore
{
    public const string DefaultDirectory = ".releaseops/approvals";

    public ApprovalStore(string directory) => Directory = directory;

    public string Directory { get; }

    private string File => Path.Combine(Directory, "approvals.jsonl");

    /// <summary>The key approvals are recorded under: application/environment@version.</summary>
    public static string ReleaseKey(string? plan, string? version) => (plan ?? "adhoc") + (version is null ? "" : "@" + version);

    public async Task<ApprovalRecord> RecordAsync(string release, string approver, string? note, DateTimeOffset at, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(approver))
        {
            throw new ReleaseOpsException("ApproverMissing", FailureKind.InvalidArgument, "An approval needs the approver's name.", fix: "Give --by NAME.");
        }
        System.IO.Directory.CreateDirectory(Directory);
        var record = new ApprovalRecord(release, approver.Trim(), at, note);
        await System.IO.File.AppendAllTextAsync(File, System.Text.Json.JsonSerializer.Serialize(record) + "\n", cancellation).ConfigureAwait(false);
        return record;
    }

    public async Task<IReadOnlyList<ApprovalRecord>> ReadAsync(string release, CancellationToken cancellation)
    {
        if (!System.IO.File.Exists(File))
        {
            return Array.Empty<ApprovalRecord>();
        }
        var result = new List<ApprovalRecord>();
        foreach (var line in await System.IO.File.ReadAllLinesAsync(File, cancellation).ConfigureAwait(false))
        {
            try
            {
                if (System.Text.Json.JsonSerializer.Deserialize<ApprovalRecord>(line) is { } record && record.Release == release)
                {
                    result.Add(record);
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // A torn or foreign line is not an approval.
            }
        }
        return result;
    }
}
