using System.Runtime.CompilerServices;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>What a host may add to a plan's backup definitions: pg tools, per-table checksums, the scratch prefix of test-restores.</summary>
public sealed record PlanBackupSettings
{
    /// <summary>Prefix of the scratch databases of <c>verify: true</c> test-restores.</summary>
    public string ScratchPrefix { get; init; } = "releaseops_verify_";
    /// <summary>Directory holding pg_dump and pg_restore (default: PATH).</summary>
    public string? ToolDirectory { get; init; }
    /// <summary>Also record an order-independent hash of each table's rows.</summary>
    public bool TableChecksums { get; init; }
}

/// <summary>
/// Backups as a release plan describes them (<see cref="BackupDefinition"/>): taken by hand
/// (Backup-PgDatabase -Plan, <c>releaseops backup plan</c>), before a deployment (the pre-deploy
/// hook, <see cref="BackupBeforeDeployAsync"/>) and restored on rollback (<see cref="RestorePreDeployAsync"/>).
/// Every one of them is test-restored when its definition says <c>verify: true</c> and is followed by
/// the definition's <c>retention:</c>. Secrets are expanded from the plan's catalog at the moment of use.
/// </summary>
public sealed class PlanBackups
{
    private readonly PgBackupService _pg = new();
    private readonly PgBackupVerifier _verifier = new();
    private readonly PgRestoreService _restore = new();
    private readonly RedisBackupService _redis = new();
    private readonly PlanBackupSettings _settings;

    public PlanBackups(PlanBackupSettings? settings = null)
    {
        _settings = settings ?? new PlanBackupSettings();
    }

    /// <summary>
    /// The plan's backups of <paramref name="type"/> (null: both kinds), or only those named by
    /// <paramref name="names"/>; a name the plan does not define is an error.
    /// </summary>
    public static IReadOnlyList<BackupDefinition> Select(ReleasePlan plan, BackupSourceType? type, IReadOnlyCollection<string>? names)
    {
        foreach (var name in names ?? Array.Empty<string>())
        {
            if (!plan.Backups.Any(b => string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase) && (type is null || b.Type == type)))
            {
                throw new ReleaseOpsException("BackupNotInPlan", FailureKind.InvalidArgument,
                    $"The plan {plan} has no {(type is null ? "" : type + " ")}backup named '{name}'.", name,
                    $"Use one of: {string.Join(", ", plan.Backups.Where(b => type is null || b.Type == type).Select(b => b.Name))}.");
            }
        }
        return plan.Backups
            .Where(b => (type is null || b.Type == type) && (names is null || names.Count == 0 || names.Contains(b.Name, StringComparer.OrdinalIgnoreCase)))
            .ToList();
    }

    /// <summary>
    /// Takes one backup as the definition says (and test-restores it when <c>verify: true</c>), then
    /// applies the definition's retention, never removing the backup just taken.
    /// </summary>
    public async Task<ReleaseBackup> BackupAsync(BackupDefinition definition, SecretCatalog secrets, string reason, string? release,
        IOperationReporter reporter, CancellationToken cancellation)
    {
        using var activity = ProgressActivity.Start(reporter, $"Plan backup '{definition.Name}'");
        reporter = activity.Nested;
        var key = secrets.Expand(definition.EncryptionKey);
        ReleaseBackup backup;
        BackupVerification? verification = null;
        if (definition.Type == BackupSourceType.Postgres)
        {
            activity.Report("backing up");
            backup = await _pg.BackupAsync(PgRequest(definition, secrets, reason, release) with
            {
                TableChecksums = _settings.TableChecksums,
                ToolDirectory = _settings.ToolDirectory,
            }, reporter, cancellation).ConfigureAwait(false);
            if (definition.Verify)
            {
                activity.Report("test-restoring", 50);
                verification = await _verifier.TestAsync(backup, VerifyRequest(definition, secrets) with
                {
                    ScratchPrefix = _settings.ScratchPrefix,
                    ToolDirectory = _settings.ToolDirectory,
                }, reporter, cancellation).ConfigureAwait(false);
            }
        }
        else
        {
            activity.Report("backing up");
            backup = await _redis.BackupAsync(new RedisBackupRequest
            {
                Source = RedisOptions(definition.Connection, secrets),
                Destination = definition.Destination,
                Name = definition.Name,
                Reason = reason,
                Release = release,
                EncryptionKey = key,
            }, reporter, cancellation).ConfigureAwait(false);
            if (definition.Verify)
            {
                activity.Report("test-restoring", 50);
                verification = await _redis.TestAsync(backup, new RedisVerifyRequest { EncryptionKey = key }, reporter, cancellation)
                    .ConfigureAwait(false);
            }
        }
        if (verification is not null)
        {
            backup = await BackupCatalog.ReadAsync(backup.ManifestPath, cancellation).ConfigureAwait(false);
            if (!verification.Passed)
            {
                throw verification.ToException()!;
            }
        }
        if (definition.Retention.Count is not null || definition.Retention.MaxAge is not null)
        {
            activity.Report("applying retention", 90);
            var retention = new RetentionRequest
            {
                Directory = definition.Destination, Name = definition.Name, KeepCount = definition.Retention.Count,
                MaxAge = definition.Retention.MaxAge, KeepId = backup.Id,
            };
            await foreach (var _ in BackupRetention.ApplyAsync(retention, Confirm.Always, reporter, cancellation).ConfigureAwait(false))
            {
            }
        }
        return backup;
    }

    /// <summary>
    /// The pre-deploy hook: backs up every plan backup with <c>beforeDeploy: true</c>, filed as
    /// <c>pre-deploy</c> for <paramref name="release"/>. Yields each as it completes; the first
    /// failure ends the sequence (a deployment must not go on without its backups).
    /// </summary>
    public async IAsyncEnumerable<ReleaseBackup> BackupBeforeDeployAsync(ReleasePlan plan, string release, IOperationReporter reporter,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        foreach (var definition in plan.Backups.Where(b => b.BeforeDeploy))
        {
            reporter.Verbose($"Pre-deploy backup '{definition.Name}' for release {release}");
            yield return await BackupAsync(definition, plan.Secrets, BackupReasons.PreDeploy, release, reporter, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rollback: restores, for each PostgreSQL plan backup with <c>beforeDeploy: true</c>, the newest
    /// pre-deploy backup taken for <paramref name="release"/> (the release being rolled back), with
    /// the full safe sequence (checksum, emergency backup, staging restore, counts, swap).
    /// Redis definitions are reported and skipped: restoring Redis is outside this service.
    /// </summary>
    public async IAsyncEnumerable<RestoreResult> RestorePreDeployAsync(ReleasePlan plan, string release, bool terminateConnections,
        IOperationReporter reporter, [EnumeratorCancellation] CancellationToken cancellation)
    {
        foreach (var definition in plan.Backups.Where(b => b.BeforeDeploy))
        {
            if (definition.Type != BackupSourceType.Postgres)
            {
                reporter.Warning($"Backup '{definition.Name}' is Redis; rollback does not restore Redis data.");
                continue;
            }
            var backup = await FindPreDeployAsync(definition, release, reporter, cancellation).ConfigureAwait(false);
            var endpoint = BackupConnections.FromPlan(definition.Connection, plan.Secrets);
            yield return await _restore.RestoreAsync(backup, new PgRestoreRequest
            {
                Target = endpoint,
                TerminateConnections = terminateConnections,
                EncryptionKey = plan.Secrets.Expand(definition.EncryptionKey),
            }, reporter, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>The newest pre-deploy backup of <paramref name="definition"/> for <paramref name="release"/>.</summary>
    public static async Task<ReleaseBackup> FindPreDeployAsync(BackupDefinition definition, string release, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        await foreach (var backup in new BackupCatalog().ListAsync(definition.Destination, definition.Name, null, reporter, cancellation)
                           .ConfigureAwait(false))
        {
            if (backup.Reason == BackupReasons.PreDeploy && backup.Release == release)
            {
                return backup;
            }
        }
        throw new ReleaseOpsException("PreDeployBackupNotFound", FailureKind.NotFound,
            $"No pre-deploy backup of '{definition.Name}' for release {release} exists in {definition.Destination}.",
            definition.Destination, "Restore a chosen backup with Restore-PgDatabase instead.");
    }

    public static PgBackupRequest PgRequest(BackupDefinition definition, SecretCatalog secrets, string reason, string? release) => new()
    {
        Source = BackupConnections.FromPlan(definition.Connection, secrets),
        Destination = definition.Destination,
        Name = definition.Name,
        Format = definition.Format,
        Jobs = definition.Jobs,
        Reason = reason,
        Release = release,
        EncryptionKey = secrets.Expand(definition.EncryptionKey),
    };

    public static PgVerifyRequest VerifyRequest(BackupDefinition definition, SecretCatalog secrets) => new()
    {
        Server = BackupConnections.FromPlan(definition.Connection, secrets).ForDatabase("postgres"),
        Jobs = definition.Jobs,
        EncryptionKey = secrets.Expand(definition.EncryptionKey),
    };

    public static RedisConnectionOptions RedisOptions(ConnectionDefinition connection, SecretCatalog secrets) => new()
    {
        Host = connection.Host,
        Port = connection.Port ?? 6379,
        User = connection.Username,
        Password = secrets.Expand(connection.Password),
        UseTls = SettingConnections.RedisTls(connection.SslMode),
        CommandTimeout = TimeSpan.FromSeconds(30),
    };
}
