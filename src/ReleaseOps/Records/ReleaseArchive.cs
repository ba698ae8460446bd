using ReleaseOps.Checklists;
using ReleaseOps.Health;
using ReleaseOps.Journal;
using ReleaseOps.Notifications;

namespace ReleaseOps.Records;

/// <summary>The plan a release ran with: its file, its digest then and now, and its text (webhook URLs masked).</summary>
public sealed record ArchivedPlan
{
    public string? File { get; init; }
    /// <summary>SHA-256 of the plan text the release recorded when it ran.</summary>
    public string? Sha256AtRelease { get; init; }
    /// <summary>SHA-256 of the plan text now; differs from <see cref="Sha256AtRelease"/> when the plan changed since.</summary>
    public string? Sha256 { get; init; }
    public string? Text { get; init; }

    public bool ChangedSinceRelease => Sha256AtRelease is not null && Sha256 is not null && Sha256AtRelease != Sha256;
}

/// <summary>One checklist file of the plan: what was imported.</summary>
public sealed record ArchivedChecklistFile(string File, string? Title, string Sha256, int Items, bool EncodingRepaired);

/// <summary>A pre-deploy backup of the release, with its checksum.</summary>
public sealed record ArchivedBackup
{
    public required string Name { get; init; }
    public string? Id { get; init; }
    public string? Kind { get; init; }
    public string? Source { get; init; }
    public long? SizeBytes { get; init; }
    public string? Sha256 { get; init; }
    public bool? Verified { get; init; }
    public DateTimeOffset? CreatedAt { get; init; }
    /// <summary>Why there is no backup (none was taken for the release, or it is gone).</summary>
    public string? Problem { get; init; }
}

/// <summary>
/// One release as an archive an auditor reads: the release and its steps and gates, the plan and
/// its digest, every checklist item's status with each attestation and its signature, the
/// pre-deploy backups with checksums, the health watch's verdict, rollbacks of it, notifications
/// sent, and the state of the journal it came from.
/// </summary>
public sealed record ReleaseArchive
{
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public required ReleaseRecord Release { get; init; }
    public required ArchivedPlan Plan { get; init; }
    public IReadOnlyList<ArchivedChecklistFile> ChecklistFiles { get; init; } = Array.Empty<ArchivedChecklistFile>();
    public IReadOnlyList<ChecklistCoverage> Coverage { get; init; } = Array.Empty<ChecklistCoverage>();
    public IReadOnlyList<ChecklistItemStatus> Checklist { get; init; } = Array.Empty<ChecklistItemStatus>();
    public IReadOnlyList<ArchivedBackup> Backups { get; init; } = Array.Empty<ArchivedBackup>();
    public WatchSummary? Watch { get; init; }
    public IReadOnlyList<ReleaseRecord> Rollbacks { get; init; } = Array.Empty<ReleaseRecord>();
    public IReadOnlyList<NotificationDelivery> Notifications { get; init; } = Array.Empty<NotificationDelivery>();
    public required JournalVerification Journal { get; init; }
    public required DateTimeOffset ExportedAt { get; init; }
    public required string ExportedBy { get; init; }

    /// <summary>Every attestation of the checklist's items for this version, valid or not.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<(ChecklistItemStatus Item, VerifiedAttestation Attestation)> Attestations =>
        Checklist.SelectMany(i => i.Attestations.Select(a => (i, a)));

    public override string ToString() => $"{Application}/{Environment} {Release.Version} ({Release.Id}): {Release.Status}";
}

/// <summary>The files <c>Export-ReleaseRecord</c> wrote for one release.</summary>
public sealed record ExportedReleaseRecord
{
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public required string Version { get; init; }
    public required string ReleaseId { get; init; }
    public required string Status { get; init; }
    public int Items { get; init; }
    public int Attestations { get; init; }
    public bool JournalIntact { get; init; }
    public JournalAnchor? JournalHead { get; init; }
    public required IReadOnlyList<string> Files { get; init; }

    public override string ToString() => $"{Application}/{Environment} {Version} ({ReleaseId}): {string.Join(", ", Files)}";
}
