using System.Runtime.CompilerServices;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>
/// Backups as a release plan describes them (<see cref="BackupDefinition"/>), and the two services
/// the deployment engine calls: <see cref="BackupBeforeDeployAsync"/> (the pre-deploy hook) and
/// <see cref="RestorePreDeployAsync"/> (Invoke-Rollback -RestoreDatabase). Secrets are expanded
/// from the plan's catalog at the moment of use.
/// </summary>
public sealed class PlanBackups
{
    private readonly PgBackupService _pg = new();
    private readonly PgBackupVerifier _verifier = new();
    private readonly PgRestoreService _restore = new();
    private readonly RedisBackupService _redis = new();
    private readonly string _scratchPrefix;

    /// <param name="scratchPrefix">Prefix of the scratch databases of <c>verify: true</c> test-restores.</param>
    public PlanBackups(string scratchPrefix = "releaseops_verify_")
    {
        _scratchPrefix = scratchPrefix;
    }

    /// <summary>
    /// Applies the definition's <c>retention</c> (count, max age) to its destination, never removing
    /// <paramref name="keep"/> (the backup just taken) nor the newest verified backup. Returns what was removed.
    /// </summary>
    public static async Task<IReadOnlyList<BackupRemoval>> ApplyRetentionAsync(BackupDefinition definition, ReleaseBackup? keep,
        IOperationReporter reporter, CancellationToken cancellation)
    {
        if (definition.Retention.Count is null && definition.Retention.MaxAge is null)
        {
            return Array.Empty<BackupRemoval>();
        }
        var all = await new BackupCatalog().ListAllAsync(definition.Destination, definition.Name, null, reporter, cancellation).ConfigureAwait(false);
        var removed = new List<BackupRemoval>();
        foreach (var (backup, reason) in BackupCatalog.SelectForRemoval(all, definition.Retention.Count, definition.Retention.MaxAge, DateTimeOffset.UtcNow))
        {
            if (backup.Id == keep?.Id)
            {
                continue;
            }
            BackupCatalog.Remove(backup);
            removed.Add(new BackupRemoval(backup, reason, Removed: true));
            reporter.Verbose($"Retention of '{definition.Name}' removed {backup.Id} ({reason})");
        }
        return removed;
    }

    /// <summary>
    /// Takes one backup as the definition says (and test-restores it when <c>verify: true</c>), then
    /// applies the definition's retention.
    /// </summary>
    public async Task<ReleaseBackup> BackupAsync(BackupDefinition definition, SecretCatalog secrets, string reason, string? release,
        IOperationReporter reporter, CancellationToken cancellation)
    {
        var key = secrets.Expand(definition.EncryptionKey);
        ReleaseBackup backup;
        if (definition.Type == BackupSourceType.Postgres)
        {
            backup = await _pg.BackupAsync(PgRequest(definition, secrets, reason, release), reporter, cancellation).ConfigureAwait(false);
            if (definition.Verify)
            {
                var verification = await _verifier.TestAsync(backup, VerifyRequest(definition, secrets) with { ScratchPrefix = _scratchPrefix },
                    reporter, cancellation).ConfigureAwait(false);
                backup = await BackupCatalog.ReadAsync(backup.ManifestPath, cancellation).ConfigureAwait(false);
                if (!verification.Passed)
                {
                    throw verification.ToException()!;
                }
            }
        }
        else
        {
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
                var verification = await _redis.TestAsync(backup, new RedisVerifyRequest { EncryptionKey = key }, reporter, cancellation)
                    .ConfigureAwait(false);
                backup = await BackupCatalog.ReadAsync(backup.ManifestPath, cancellation).ConfigureAwait(false);
                if (!verification.Passed)
                {
                    throw verification.ToException()!;
                }
            }
        }
        await ApplyRetentionAsync(definition, backup, reporter, cancellation).ConfigureAwait(false);
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
        UseTls = string.Equals(connection.SslMode, "require", StringComparison.OrdinalIgnoreCase),
        CommandTimeout = TimeSpan.FromSeconds(30),
    };
}
