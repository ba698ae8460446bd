using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReleaseOps.Backup;

public enum BackupKind
{
    Postgres,
    Redis,
}

/// <summary>
/// What a backup holds, written beside its data file as <c>ID.manifest.json</c> (mode 0600) and
/// written last: a data file without a manifest is an unfinished backup and is never listed,
/// verified or restored. It never holds a password or an encryption key.
/// </summary>
public sealed record BackupManifest
{
    public int ManifestVersion { get; init; } = 1;
    /// <summary>Unique id: <c>NAME-yyyyMMddTHHmmssfffZ</c>; also the stem of the file names.</summary>
    public required string Id { get; init; }
    /// <summary>The plan's backup name, or the database name for ad-hoc backups.</summary>
    public required string Name { get; init; }
    public required BackupKind Kind { get; init; }
    /// <summary><c>manual</c>, <c>pre-deploy</c> or <c>emergency</c> (taken by a restore before it replaces a database).</summary>
    public string Reason { get; init; } = BackupReasons.Manual;
    /// <summary>The release (version) the backup belongs to, if any.</summary>
    public string? Release { get; init; }
    /// <summary><c>host:port/database</c> or <c>host:port</c>: never a user or password.</summary>
    public required string Source { get; init; }
    public string? Database { get; init; }
    public required string ServerVersion { get; init; }
    /// <summary><c>custom</c>, <c>directory</c> (PostgreSQL) or <c>rdb</c> (Redis).</summary>
    public required string Format { get; init; }
    /// <summary>The data file (or directory) name, relative to the manifest's directory.</summary>
    public required string DataFile { get; init; }
    public required long SizeBytes { get; init; }
    /// <summary>SHA-256 (hex) of the data file as stored (after encryption); for a directory, of its file list (see docs/backups.md).</summary>
    public required string Sha256 { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    /// <summary><c>pg_dump (PostgreSQL) 15.18</c>, or <c>redis SYNC</c>.</summary>
    public required string ToolVersion { get; init; }
    /// <summary>PostgreSQL: rows per table, counted in the snapshot the dump was taken from.</summary>
    public IReadOnlyList<TableRowCount> Tables { get; init; } = Array.Empty<TableRowCount>();
    /// <summary>Redis: keys per database.</summary>
    public IReadOnlyList<RedisKeyCount> KeyCounts { get; init; } = Array.Empty<RedisKeyCount>();
    /// <summary>Directory format: each file's size and SHA-256.</summary>
    public IReadOnlyList<BackupFileChecksum> Files { get; init; } = Array.Empty<BackupFileChecksum>();
    /// <summary>Null when the data is stored in clear.</summary>
    public BackupEncryptionInfo? Encryption { get; init; }
    /// <summary>The newest test-restore's outcome, if any.</summary>
    public BackupVerificationSummary? LastVerification { get; init; }

    [JsonIgnore]
    public bool Encrypted => Encryption is not null;

    [JsonIgnore]
    public TimeSpan Duration => FinishedAt - StartedAt;

    /// <summary>What a list shows of the manifest a backup carries (its figures are on the backup itself).</summary>
    public override string ToString() =>
        $"{Id}: {Kind} {Source}, {SizeBytes:N0} bytes, {(Kind == BackupKind.Redis ? $"{KeyCounts.Sum(k => k.Keys):N0} keys" : $"{Tables.Count} tables")}";
}

public static class BackupReasons
{
    public const string Manual = "manual";
    public const string PreDeploy = "pre-deploy";
    public const string Emergency = "emergency";
}

/// <summary>Rows of one table; <see cref="Checksum"/> is an order-independent hash of its rows when asked for.</summary>
public sealed record TableRowCount(string Schema, string Table, long Rows, string? Checksum = null)
{
    public string QualifiedName => $"{Schema}.{Table}";

    public override string ToString() => $"{QualifiedName}: {Rows:N0} rows";
}

public sealed record RedisKeyCount(int Database, long Keys, long Expires)
{
    public override string ToString() => $"db{Database}: {Keys:N0} keys ({Expires:N0} expiring)";
}

public sealed record BackupFileChecksum(string Path, long SizeBytes, string Sha256)
{
    public override string ToString() => $"{Path} ({SizeBytes:N0} bytes)";
}

/// <summary>How the data file is encrypted: the algorithm, chunk size and where the key came from (never the key).</summary>
public sealed record BackupEncryptionInfo(string Algorithm, int ChunkSize, string KeySource)
{
    public override string ToString() => $"{Algorithm} (key from {KeySource})";
}

public sealed record BackupVerificationSummary(DateTimeOffset At, bool Passed, string Levels)
{
    public override string ToString() => $"{(Passed ? "passed" : "FAILED")} at {At:u}: {Levels}";
}

internal static class ManifestJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}
