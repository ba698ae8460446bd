using System.Runtime.CompilerServices;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Redis;
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

    /// <summary>Takes one backup as the definition says (and test-restores it when <c>verify: true</c>).</summary>
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
                var verification = await _verifier.TestAsync(backup, VerifyRequest(definition, secrets), reporter, cancellation).ConfigureAwait(false);
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
            var endpoint = PgEndpoint.From(definition.Connection, plan.Secrets);
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
        Source = PgEndpoint.From(definition.Connection, secrets),
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
        Server = PgEndpoint.From(definition.Connection, secrets).ForDatabase("postgres"),
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
