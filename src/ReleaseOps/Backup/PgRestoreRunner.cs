using System.Globalization;
using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>The steps test-restores and restores share: pg_restore into a database, databases made and dropped, counts compared.</summary>
internal static class PgRestoreRunner
{
    /// <summary>
    /// Runs pg_restore of <paramref name="backup"/> into <paramref name="target"/>'s database. An
    /// encrypted file is decrypted on the way into pg_restore's stdin, and hashed as it is read: a
    /// mismatch fails the restore (callers restore only into databases they may throw away).
    /// </summary>
    public static async Task RestoreAsync(ReleaseBackup backup, PgEndpoint target, BackupEncryptionKey? key, int jobs,
        bool keepOwnership, string? toolDirectory, Action<long>? progress, CancellationToken cancellation)
    {
        var arguments = new List<string> { "--no-password", "--exit-on-error", "--dbname=" + target.Database };
        if (!keepOwnership)
        {
            arguments.Add("--no-owner");
            arguments.Add("--no-privileges");
        }
        var fromFile = !backup.Encrypted;
        if (fromFile)
        {
            if (jobs > 1)
            {
                arguments.Add("--jobs=" + jobs.ToString(CultureInfo.InvariantCulture));
            }
            arguments.Add(backup.DataPath);
        }
        else if (key is null)
        {
            throw VerificationSteps.KeyRequired(backup);
        }
        await using var restore = PgTool.Start("pg_restore", arguments, target, redirectStdout: false, redirectStdin: !fromFile,
            cancellation, toolDirectory);
        string? streamedHash = null;
        var pipeBroken = false;
        if (!fromFile)
        {
            try
            {
                await using var file = BackupFiles.OpenRead(backup.DataPath);
                var check = new ChecksumStream(file, leaveOpen: true, progress: progress);
                await using (check.ConfigureAwait(false))
                {
                    await using var plain = new DecryptingStream(check, key!, backup.DataPath);
                    await plain.CopyToAsync(restore.StandardInput, 1 << 20, cancellation).ConfigureAwait(false);
                    streamedHash = check.CurrentHash();
                }
            }
            catch (IOException)
            {
                // pg_restore stopped reading (it failed); its exit code and stderr say why.
                pipeBroken = true;
            }
            catch (ReleaseOpsException)
            {
                restore.Kill();
                throw;
            }
            finally
            {
                try
                {
                    restore.StandardInput.Close();
                }
                catch (IOException)
                {
                }
            }
        }
        var exit = await restore.WaitAsync(cancellation).ConfigureAwait(false);
        if (exit != 0)
        {
            throw PgFailures.FromTool("pg_restore", exit, restore.Stderr, target, $"the restore of {backup.Id}");
        }
        if (pipeBroken)
        {
            throw new ReleaseOpsException("PgRestoreFailed", FailureKind.OperationFailed,
                $"pg_restore stopped reading backup {backup.Id} before its end.", target.Describe(), "Read pg_restore's messages and the server log.");
        }
        if (streamedHash is not null && !string.Equals(streamedHash, backup.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw BackupCatalog.Damaged(backup, "did not match its SHA-256 checksum while it was restored");
        }
    }

    /// <summary>pg_restore --list: reads the archive's table of contents; returns its number of entries.</summary>
    public static async Task<int> ListAsync(ReleaseBackup backup, BackupEncryptionKey? key, string? toolDirectory, CancellationToken cancellation)
    {
        (int Code, string Stdout, string Stderr) result;
        if (backup.Encrypted)
        {
            if (key is null)
            {
                throw VerificationSteps.KeyRequired(backup);
            }
            await using var file = BackupFiles.OpenRead(backup.DataPath);
            await using var plain = new DecryptingStream(file, key, backup.DataPath);
            result = await PgTool.RunAsync("pg_restore", new[] { "--list" }, null, cancellation, plain, toolDirectory).ConfigureAwait(false);
        }
        else
        {
            result = await PgTool.RunAsync("pg_restore", new[] { "--list", backup.DataPath }, null, cancellation, binaryDirectory: toolDirectory)
                .ConfigureAwait(false);
        }
        if (result.Code != 0)
        {
            throw new ReleaseOpsException("BackupArchiveUnreadable", FailureKind.IntegrityFailure,
                $"pg_restore cannot read the archive of backup {backup.Id}: {result.Stderr.Trim()}", backup.DataPath,
                "Use another backup; this one is damaged or not a pg_dump archive.");
        }
        return result.Stdout.Split('\n').Count(l => l.Length > 0 && !l.StartsWith(';'));
    }

    /// <summary>CREATE DATABASE; false when the name is taken (SQLSTATE 42P04).</summary>
    public static async Task<bool> TryCreateDatabaseAsync(NpgsqlConnection maintenance, string name, CancellationToken cancellation)
    {
        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {PgTables.Quote(name)}", maintenance);
            await create.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == "42P04")
        {
            return false;
        }
    }

    public static async Task DropDatabaseAsync(NpgsqlConnection maintenance, string name, CancellationToken cancellation)
    {
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {PgTables.Quote(name)} WITH (FORCE)", maintenance);
        await drop.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
    }

    public static async Task<bool> DatabaseExistsAsync(NpgsqlConnection maintenance, string name, CancellationToken cancellation)
    {
        await using var query = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", maintenance);
        query.Parameters.Add(new NpgsqlParameter { Value = name });
        return await query.ExecuteScalarAsync(cancellation).ConfigureAwait(false) is not null;
    }

    /// <summary>Counts the manifest's tables in <paramref name="database"/> and lists every difference.</summary>
    public static async Task<IReadOnlyList<VerificationDifference>> CompareCountsAsync(PgEndpoint server, string database,
        IReadOnlyList<TableRowCount> expected, bool checksums, Action? tableDone, CancellationToken cancellation)
    {
        var differences = new List<VerificationDifference>();
        await using var connection = await server.ConnectAsync(cancellation, database).ConfigureAwait(false);
        var present = (await PgTables.ListAsync(connection, null, cancellation).ConfigureAwait(false)).ToHashSet();
        foreach (var table in expected)
        {
            if (!present.Contains((table.Schema, table.Table)))
            {
                differences.Add(new VerificationDifference(table.QualifiedName, $"{table.Rows} rows", "missing"));
                continue;
            }
            var actual = await PgTables.CountAsync(connection, null, table.Schema, table.Table, checksums && table.Checksum is not null,
                cancellation).ConfigureAwait(false);
            if (actual.Rows != table.Rows)
            {
                differences.Add(new VerificationDifference(table.QualifiedName, $"{table.Rows} rows", $"{actual.Rows} rows"));
            }
            else if (checksums && table.Checksum is not null && actual.Checksum != table.Checksum)
            {
                differences.Add(new VerificationDifference(table.QualifiedName, $"checksum {table.Checksum}", $"checksum {actual.Checksum}"));
            }
            tableDone?.Invoke();
        }
        return differences;
    }

    /// <summary>A database name within PostgreSQL's 63-byte limit.</summary>
    public static string Name(string prefix, string database, string suffix)
    {
        var core = new string(database.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) || c == '_' ? c : '_').ToArray());
        var room = 63 - prefix.Length - suffix.Length;
        return prefix + (core.Length > room ? core[..Math.Max(0, room)] : core) + suffix;
    }
}
