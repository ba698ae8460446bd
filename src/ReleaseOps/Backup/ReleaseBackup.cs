namespace ReleaseOps.Backup;

/// <summary>
/// A complete backup as found on disk: its manifest and where it lives. This is what
/// Backup-PgDatabase and Get-ReleaseBackup write, and what Test-PgBackup, Restore-PgDatabase and
/// Remove-ReleaseBackup take from the pipeline (by value or by <see cref="ManifestPath"/>).
/// </summary>
public sealed record ReleaseBackup(BackupManifest Manifest, string ManifestPath)
{
    public string Id => Manifest.Id;
    public string Name => Manifest.Name;
    public BackupKind Kind => Manifest.Kind;
    public string? Database => Manifest.Database;
    public string Source => Manifest.Source;
    /// <summary>The host of <see cref="Source"/> (<c>host:port/database</c>): where test-restores and restores go by default.</summary>
    public string SourceHost => SplitSource().Host;
    /// <summary>The port of <see cref="Source"/>, if it names one.</summary>
    public int? SourcePort => SplitSource().Port;
    public string Format => Manifest.Format;
    public string Reason => Manifest.Reason;
    public string? Release => Manifest.Release;
    public DateTimeOffset CreatedAt => Manifest.FinishedAt;
    public long SizeBytes => Manifest.SizeBytes;
    public string Sha256 => Manifest.Sha256;
    public bool Encrypted => Manifest.Encrypted;
    /// <summary>True when the newest test-restore passed; false when it failed; null when never tested.</summary>
    public bool? Verified => Manifest.LastVerification?.Passed;
    public string Directory => System.IO.Path.GetDirectoryName(ManifestPath) ?? ".";
    /// <summary>The data file, or the directory of a directory-format dump.</summary>
    public string DataPath => System.IO.Path.Combine(Directory, Manifest.DataFile);

    public override string ToString() => $"{Id} ({Kind}, {SizeBytes:N0} bytes)";

    private (string Host, int? Port) SplitSource()
    {
        var hostPort = Source.Split('/')[0];
        var colon = hostPort.LastIndexOf(':');
        return colon > 0 && int.TryParse(hostPort.AsSpan(colon + 1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var port)
            ? (hostPort[..colon], port)
            : (hostPort, null);
    }
}

/// <summary>One check of a test-restore: <c>Checksum</c>, <c>List</c>, <c>Restore</c>, <c>RowCounts</c>, <c>Load</c>, <c>KeyCounts</c>.</summary>
public sealed record VerificationLevel(string Level, VerificationStatus Status, TimeSpan Duration, string Detail)
{
    public override string ToString() => $"{Level}: {Status} in {Duration.TotalMilliseconds:0} ms ({Detail})";
}

public enum VerificationStatus
{
    Passed,
    Failed,
    Skipped,
}

/// <summary>A table (or Redis database) whose restored contents differ from the manifest.</summary>
public sealed record VerificationDifference(string Item, string Expected, string Actual)
{
    public override string ToString() => $"{Item}: expected {Expected}, got {Actual}";
}

/// <summary>
/// One test-restore of one backup, in the dbatools model: every level's result and time, what
/// differed, and the scratch database used (dropped afterwards unless asked to keep it).
/// </summary>
public sealed record BackupVerification
{
    public required string BackupId { get; init; }
    public required BackupKind Kind { get; init; }
    public string? Database { get; init; }
    public required string ManifestPath { get; init; }
    public string? ScratchDatabase { get; init; }
    public bool ScratchDropped { get; init; }
    public required bool Passed { get; init; }
    public required IReadOnlyList<VerificationLevel> Levels { get; init; }
    public IReadOnlyList<VerificationDifference> Differences { get; init; } = Array.Empty<VerificationDifference>();
    public required DateTimeOffset StartedAt { get; init; }
    public required TimeSpan Duration { get; init; }
    /// <summary>The typed error id of the failure that stopped the test, if one did.</summary>
    public string? ErrorId { get; init; }
    public string? Error { get; init; }
    public ReleaseOps.Errors.FailureKind? FailureKind { get; init; }
    public string? Fix { get; init; }

    /// <summary>The failure as a typed exception (for hosts that report it as an error), or null when it passed.</summary>
    public ReleaseOps.Errors.ReleaseOpsException? ToException() => Passed
        ? null
        : new ReleaseOps.Errors.ReleaseOpsException(ErrorId ?? "BackupVerificationFailed",
            FailureKind ?? ReleaseOps.Errors.FailureKind.IntegrityFailure,
            Error ?? $"The test-restore of backup {BackupId} failed: {Summary}.", ManifestPath,
            Fix ?? "Do not rely on this backup; take a new one.");

    public string Summary => string.Join(", ", Levels.Select(l => $"{l.Level}={l.Status}"));
}

/// <summary>The outcome of Restore-PgDatabase.</summary>
public sealed record RestoreResult
{
    public required string BackupId { get; init; }
    public required string TargetDatabase { get; init; }
    public required string Target { get; init; }
    /// <summary>The backup of the target's previous state taken first; null when the target did not exist or it was skipped.</summary>
    public ReleaseBackup? EmergencyBackup { get; init; }
    /// <summary>The previous database, renamed aside, when kept (otherwise dropped after the swap).</summary>
    public string? ReplacedDatabaseKeptAs { get; init; }
    public required IReadOnlyList<VerificationLevel> Levels { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required TimeSpan Duration { get; init; }

    public override string ToString() => $"{TargetDatabase} restored from {BackupId} in {Plans.DurationText.Format(Duration)}";
}

/// <summary>A backup retention chose, and whether it was removed (false under -WhatIf).</summary>
public sealed record BackupRemoval(ReleaseBackup Backup, string Reason, bool Removed)
{
    public string Id => Backup.Id;

    public override string ToString() => $"{(Removed ? "removed" : "kept")} {Id} ({Reason})";
}
