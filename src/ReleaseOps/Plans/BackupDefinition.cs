namespace ReleaseOps.Plans;

public enum BackupSourceType
{
    Postgres,
    Redis,
}

/// <summary>A database or data store to back up, and where its backups go.</summary>
public sealed record BackupDefinition
{
    public required string Name { get; init; }
    public required BackupSourceType Type { get; init; }
    public required ConnectionDefinition Connection { get; init; }
    /// <summary>Directory that holds the backup files and their manifests.</summary>
    public required string Destination { get; init; }
    /// <summary>PostgreSQL: <c>custom</c> (default) or <c>directory</c>.</summary>
    public string Format { get; init; } = "custom";
    /// <summary>PostgreSQL directory format: parallel dump jobs.</summary>
    public int Jobs { get; init; } = 1;
    /// <summary>Take a backup before each deployment (the pre-deploy hook).</summary>
    public bool BeforeDeploy { get; init; } = true;
    /// <summary>Test-restore every new backup right after it is taken.</summary>
    public bool Verify { get; init; }
    /// <summary>Encryption key reference (<c>${secret:NAME}</c>); null for no encryption at rest.</summary>
    public string? EncryptionKey { get; init; }
    public RetentionDefinition Retention { get; init; } = new();
    public SourceLocation? Location { get; init; }

    public override string ToString() => $"{Name} ({Type} {Connection}{(Connection.Database is null ? "" : "/" + Connection.Database)} to {Destination})";
}

public sealed record RetentionDefinition
{
    /// <summary>Keep at most this many backups (null: no limit by count).</summary>
    public int? Count { get; init; }
    /// <summary>Remove backups older than this (null: no limit by age).</summary>
    public TimeSpan? MaxAge { get; init; }

    public override string ToString() =>
        Count is null && MaxAge is null ? "keep all"
        : string.Join(", ", new[] { Count is null ? null : $"keep {Count}", MaxAge is null ? null : $"at most {DurationText.Format(MaxAge.Value)} old" }.OfType<string>());
}
