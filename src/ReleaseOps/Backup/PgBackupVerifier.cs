using System.Diagnostics;
using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

public enum VerificationDepth
{
    /// <summary>Checksum and <c>pg_restore --list</c> only: seconds, no scratch database.</summary>
    Quick,
    /// <summary>Quick, then a full restore into a scratch database, row counts compared, scratch dropped.</summary>
    Full,
}

/// <summary>Where and how to test-restore a PostgreSQL backup.</summary>
public sealed record PgVerifyRequest
{
    /// <summary>The server to restore on; its <see cref="PgEndpoint.Database"/> is the maintenance database to connect to (e.g. postgres).</summary>
    public required PgEndpoint Server { get; init; }
    public VerificationDepth Depth { get; init; } = VerificationDepth.Full;
    /// <summary>Prefix of generated scratch names; scratch databases are recognisable by it.</summary>
    public string ScratchPrefix { get; init; } = "releaseops_verify_";
    /// <summary>An exact scratch name; if it is taken the test fails with <c>ScratchDatabaseTaken</c> (never dropping what we did not create).</summary>
    public string? ScratchName { get; init; }
    /// <summary>Also compare per-table row hashes when the manifest has them.</summary>
    public bool CompareChecksums { get; init; } = true;
    public bool KeepScratch { get; init; }
    public int Jobs { get; init; } = 1;
    public SecretValue? EncryptionKey { get; init; }
    public string? ToolDirectory { get; init; }
}

/// <summary>
/// Test-restores a PostgreSQL backup in the dbatools model (Test-DbaLastBackup): checksum, then
/// <c>pg_restore --list</c>, then (Full) a restore into a scratch database under a recognisable
/// prefix, row counts (and per-table hashes) compared with the manifest, and the scratch database
/// dropped. It returns one <see cref="BackupVerification"/> with each level's result and time;
/// a damaged file stops at the checksum and is never restored. The outcome is recorded in the manifest.
/// </summary>
public sealed class PgBackupVerifier
{
    public async Task<BackupVerification> TestAsync(ReleaseBackup backup, PgVerifyRequest request, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        reporter ??= SilentReporter.Instance;
        using var key = VerificationSteps.Prepare(backup, BackupKind.Postgres, request.EncryptionKey, "Test-RedisBackup");
        using var steps = new VerificationSteps(backup, reporter, 4);
        string? scratch = null;
        var dropped = false;

        var ok = await steps.RunAsync("Checksum", async () =>
        {
            await BackupCatalog.VerifyChecksumAsync(backup, cancellation).ConfigureAwait(false);
            return $"sha256 {backup.Sha256[..12]}..., {backup.SizeBytes:N0} bytes";
        }).ConfigureAwait(false);
        ok = ok && await steps.RunAsync("List", async () =>
        {
            var entries = await PgRestoreRunner.ListAsync(backup, key, request.ToolDirectory, cancellation).ConfigureAwait(false);
            return $"{entries} archive entries";
        }).ConfigureAwait(false);

        if (request.Depth == VerificationDepth.Full)
        {
            if (ok)
            {
                await using var maintenance = await request.Server.OpenAsync(cancellation).ConfigureAwait(false);
                try
                {
                    ok = await steps.RunAsync("Restore", async () =>
                    {
                        scratch = await CreateScratchAsync(maintenance, backup, request, cancellation).ConfigureAwait(false);
                        reporter.Verbose($"Restoring {backup.Id} into scratch database {scratch}");
                        await PgRestoreRunner.RestoreAsync(backup, request.Server.ForDatabase(scratch), key, request.Jobs, keepOwnership: false,
                            request.ToolDirectory, null, cancellation).ConfigureAwait(false);
                        return $"restored into {scratch}";
                    }).ConfigureAwait(false);
                    ok = ok && await steps.RunAsync("RowCounts", async () =>
                    {
                        var done = 0;
                        var found = await PgRestoreRunner.CompareCountsAsync(request.Server, scratch!, backup.Manifest.Tables,
                            request.CompareChecksums, () => steps.Progress($"{++done}/{backup.Manifest.Tables.Count} tables compared", 80),
                            cancellation).ConfigureAwait(false);
                        steps.Differences.AddRange(found);
                        if (found.Count > 0)
                        {
                            throw new ReleaseOpsException("BackupContentMismatch", FailureKind.IntegrityFailure,
                                $"{found.Count} of {backup.Manifest.Tables.Count} tables differ from the manifest after restoring {backup.Id}: " +
                                string.Join("; ", found.Take(3).Select(d => $"{d.Item} expected {d.Expected}, got {d.Actual}")),
                                backup.ManifestPath, "Do not rely on this backup; take a new one and investigate the differences.");
                        }
                        var hashed = request.CompareChecksums && backup.Manifest.Tables.Any(t => t.Checksum is not null);
                        return $"{backup.Manifest.Tables.Count} tables, {backup.Manifest.Tables.Sum(t => t.Rows):N0} rows match" +
                               (hashed ? " (with row hashes)" : "");
                    }).ConfigureAwait(false);
                }
                finally
                {
                    if (scratch is not null && !request.KeepScratch)
                    {
                        await PgRestoreRunner.DropDatabaseAsync(maintenance, scratch, CancellationToken.None).ConfigureAwait(false);
                        dropped = true;
                        reporter.Verbose($"Dropped scratch database {scratch}");
                    }
                }
            }
            steps.SkipMissing("Restore", "RowCounts");
        }

        var result = steps.Result(SecretRedactor.For(request.Server.Password), scratch, dropped);
        if (request.Depth == VerificationDepth.Full)
        {
            await BackupCatalog.RecordVerificationAsync(backup, result, cancellation).ConfigureAwait(false);
        }
        return result;
    }

    private static async Task<string> CreateScratchAsync(NpgsqlConnection maintenance, ReleaseBackup backup, PgVerifyRequest request,
        CancellationToken cancellation)
    {
        try
        {
            if (request.ScratchName is { } exact)
            {
                if (!await PgRestoreRunner.TryCreateDatabaseAsync(maintenance, exact, cancellation).ConfigureAwait(false))
                {
                    throw new ReleaseOpsException("ScratchDatabaseTaken", FailureKind.Conflict,
                        $"The scratch database name '{exact}' is already taken on {request.Server.Host}:{request.Server.Port}; it was left untouched.",
                        exact, "Give another -ScratchName, or omit it to let a free name be chosen.");
                }
                return exact;
            }
            var stamp = "_" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
            for (var attempt = 1; attempt <= 20; attempt++)
            {
                var name = PgRestoreRunner.Name(request.ScratchPrefix, backup.Database ?? backup.Name, stamp + (attempt == 1 ? "" : "_" + attempt));
                if (await PgRestoreRunner.TryCreateDatabaseAsync(maintenance, name, cancellation).ConfigureAwait(false))
                {
                    return name;
                }
            }
            throw new ReleaseOpsException("ScratchDatabaseTaken", FailureKind.Conflict,
                $"No free scratch database name with prefix '{request.ScratchPrefix}' was found on {request.Server.Host}:{request.Server.Port}.",
                request.ScratchPrefix, "Drop leftover scratch databases with that prefix, or give another prefix.");
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PgFailures.From(ex, request.Server, "creating the scratch database");
        }
    }
}
