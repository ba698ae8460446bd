using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>Where to restore a PostgreSQL backup, and how carefully.</summary>
public sealed record PgRestoreRequest
{
    /// <summary>The server and the database to restore into (existing: replaced; missing: created).</summary>
    public required PgEndpoint Target { get; init; }
    /// <summary>Database to connect to for CREATE/ALTER/DROP DATABASE; default <c>postgres</c>.</summary>
    public string MaintenanceDatabase { get; init; } = "postgres";
    /// <summary>Where the emergency backup of the current state goes; default the restored backup's directory.</summary>
    public string? EmergencyBackupDestination { get; init; }
    /// <summary>Skips the emergency backup (the previous state is then lost unless <see cref="KeepReplaced"/>).</summary>
    public bool SkipEmergencyBackup { get; init; }
    /// <summary>Ends other sessions on the target so it can be swapped; without it, open sessions fail the restore first.</summary>
    public bool TerminateConnections { get; init; }
    /// <summary>Keeps the replaced database under a <c>_replaced_</c> name instead of dropping it.</summary>
    public bool KeepReplaced { get; init; }
    public int Jobs { get; init; } = 1;
    public SecretValue? EncryptionKey { get; init; }
    public string? ToolDirectory { get; init; }
}

/// <summary>
/// Restores a PostgreSQL backup with the safe sequence: verify the file's checksum; take an
/// emergency backup of the target's current state; restore into a staging database beside it;
/// compare row counts with the manifest; then swap names in one transaction (target aside, staging
/// in) and drop the old one. A failure before the swap leaves the target exactly as it was.
/// </summary>
public sealed class PgRestoreService
{
    private readonly PgBackupService _backups = new();

    public async Task<RestoreResult> RestoreAsync(ReleaseBackup backup, PgRestoreRequest request, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        reporter ??= SilentReporter.Instance;
        using var key = VerificationSteps.Prepare(backup, BackupKind.Postgres, request.EncryptionKey, "a Redis test-restore");
        var target = request.Target;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var levels = new List<VerificationLevel>();
        using var activity = ProgressActivity.Start(reporter, $"Restoring {backup.Id} into {target.Describe()}");

        async Task Step(string name, Func<Task<string>> body)
        {
            var watch = Stopwatch.StartNew();
            activity.Report(name, levels.Count * 100 / 5);
            var detail = await body().ConfigureAwait(false);
            levels.Add(new VerificationLevel(name, VerificationStatus.Passed, watch.Elapsed, detail));
            reporter.Verbose($"{name}: {detail}");
        }

        await Step("Checksum", async () =>
        {
            await BackupCatalog.VerifyChecksumAsync(backup, cancellation).ConfigureAwait(false);
            return $"sha256 matches ({backup.SizeBytes:N0} bytes)";
        }).ConfigureAwait(false);

        var server = target.ForDatabase(request.MaintenanceDatabase);
        await using var maintenance = await server.OpenAsync(cancellation).ConfigureAwait(false);
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var staging = PgRestoreRunner.Name("", target.Database, "_restoring_" + stamp);
        var replaced = PgRestoreRunner.Name("", target.Database, "_replaced_" + stamp);
        ReleaseBackup? emergency = null;
        bool exists;
        try
        {
            exists = await PgRestoreRunner.DatabaseExistsAsync(maintenance, target.Database, cancellation).ConfigureAwait(false);
            if (exists && !request.TerminateConnections)
            {
                var sessions = await OtherSessionsAsync(maintenance, target.Database, cancellation).ConfigureAwait(false);
                if (sessions > 0)
                {
                    throw new ReleaseOpsException("RestoreTargetInUse", FailureKind.Conflict,
                        $"Database {target.Describe()} has {sessions} open session(s); it cannot be replaced while in use.",
                        target.Describe(), "Stop the applications using it, or pass -TerminateConnections.");
                }
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PgFailures.From(ex, server, "preparing the restore");
        }

        if (exists && !request.SkipEmergencyBackup)
        {
            await Step("EmergencyBackup", async () =>
            {
                emergency = await _backups.BackupAsync(new PgBackupRequest
                {
                    Source = target,
                    Destination = request.EmergencyBackupDestination ?? backup.Directory,
                    Name = target.Database,
                    Reason = BackupReasons.Emergency,
                    Release = backup.Release,
                    EncryptionKey = request.EncryptionKey,
                    ToolDirectory = request.ToolDirectory,
                }, activity.Nested, cancellation).ConfigureAwait(false);
                return $"{emergency.Id} ({emergency.SizeBytes:N0} bytes)";
            }).ConfigureAwait(false);
        }

        var swapped = false;
        try
        {
            await Step("Restore", async () =>
            {
                if (!await PgRestoreRunner.TryCreateDatabaseAsync(maintenance, staging, cancellation).ConfigureAwait(false))
                {
                    throw new ReleaseOpsException("ScratchDatabaseTaken", FailureKind.Conflict,
                        $"The staging database name '{staging}' is already taken.", staging, "Try again in a second.");
                }
                await PgRestoreRunner.RestoreAsync(backup, target.ForDatabase(staging), key, request.Jobs, keepOwnership: true,
                    request.ToolDirectory, null, cancellation).ConfigureAwait(false);
                return $"restored into staging database {staging}";
            }).ConfigureAwait(false);

            await Step("RowCounts", async () =>
            {
                var differences = await PgRestoreRunner.CompareCountsAsync(server, staging, backup.Manifest.Tables, true, null, cancellation)
                    .ConfigureAwait(false);
                if (differences.Count > 0)
                {
                    throw new ReleaseOpsException("RestoreVerificationFailed", FailureKind.IntegrityFailure,
                        $"The restored data differs from backup {backup.Id}'s manifest in {differences.Count} table(s): " +
                        string.Join("; ", differences.Take(3).Select(d => $"{d.Item} expected {d.Expected}, got {d.Actual}")) +
                        $". {target.Database} was left unchanged.", target.Describe(), "Test the backup with Test-PgBackup and use another one.");
                }
                return $"{backup.Manifest.Tables.Count} tables match the manifest";
            }).ConfigureAwait(false);

            await Step("Swap", async () =>
            {
                await using var tx = await maintenance.BeginTransactionAsync(cancellation).ConfigureAwait(false);
                if (exists)
                {
                    if (request.TerminateConnections)
                    {
                        await using var kick = new NpgsqlCommand(
                            "ALTER DATABASE " + PgTables.Quote(target.Database) + " ALLOW_CONNECTIONS false", maintenance, tx);
                        await kick.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
                        await TerminateAsync(maintenance, tx, target.Database, cancellation).ConfigureAwait(false);
                    }
                    await Execute(maintenance, tx, $"ALTER DATABASE {PgTables.Quote(target.Database)} RENAME TO {PgTables.Quote(replaced)}", cancellation)
                        .ConfigureAwait(false);
                }
                await Execute(maintenance, tx, $"ALTER DATABASE {PgTables.Quote(staging)} RENAME TO {PgTables.Quote(target.Database)}", cancellation)
                    .ConfigureAwait(false);
                await tx.CommitAsync(cancellation).ConfigureAwait(false);
                swapped = true;
                if (exists && !request.KeepReplaced)
                {
                    await PgRestoreRunner.DropDatabaseAsync(maintenance, replaced, CancellationToken.None).ConfigureAwait(false);
                    return $"{target.Database} replaced; the previous database was dropped" +
                           (emergency is null ? "" : $" (its state is in {emergency.Id})");
                }
                return exists ? $"{target.Database} replaced; the previous database is kept as {replaced}" : $"{target.Database} created";
            }).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (!swapped)
            {
                await PgRestoreRunner.DropDatabaseAsync(maintenance, staging, CancellationToken.None).ConfigureAwait(false);
            }
            if (ex is NpgsqlException or TimeoutException)
            {
                throw PgFailures.From(ex, server, "the restore");
            }
            throw;
        }

        activity.Complete();
        return new RestoreResult
        {
            BackupId = backup.Id,
            TargetDatabase = target.Database,
            Target = target.Describe(),
            EmergencyBackup = emergency,
            ReplacedDatabaseKeptAs = exists && request.KeepReplaced ? replaced : null,
            Levels = levels,
            StartedAt = started,
            Duration = clock.Elapsed,
        };
    }

    private static async Task<long> OtherSessionsAsync(NpgsqlConnection maintenance, string database, CancellationToken cancellation)
    {
        await using var query = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", maintenance);
        query.Parameters.Add(new NpgsqlParameter { Value = database });
        return (long)(await query.ExecuteScalarAsync(cancellation).ConfigureAwait(false))!;
    }

    private static async Task TerminateAsync(NpgsqlConnection maintenance, NpgsqlTransaction tx, string database, CancellationToken cancellation)
    {
        await using var kill = new NpgsqlCommand(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", maintenance, tx);
        kill.Parameters.Add(new NpgsqlParameter { Value = database });
        await kill.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }
}
