using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Operations;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>What to back up, where, and how.</summary>
public sealed record PgBackupRequest
{
    public required PgEndpoint Source { get; init; }
    /// <summary>Directory for the data file and its manifest (created 0700 if missing).</summary>
    public required string Destination { get; init; }
    /// <summary>Name the backup is filed under; defaults to the database name.</summary>
    public string? Name { get; init; }
    /// <summary><c>custom</c> (one file, streamed) or <c>directory</c> (parallel with <see cref="Jobs"/>).</summary>
    public string Format { get; init; } = "custom";
    public int Jobs { get; init; } = 1;
    /// <summary>pg_dump -Z; null keeps pg_dump's default.</summary>
    public int? CompressionLevel { get; init; }
    public string Reason { get; init; } = BackupReasons.Manual;
    public string? Release { get; init; }
    /// <summary>Encrypts the data file with AES-256-GCM (custom format only).</summary>
    public SecretValue? EncryptionKey { get; init; }
    /// <summary>Also records an order-independent hash of each table's rows (slower; compared by test-restores).</summary>
    public bool TableChecksums { get; init; }
    /// <summary>Directory holding pg_dump/pg_restore; null uses PATH.</summary>
    public string? ToolDirectory { get; init; }
}

/// <summary>
/// Backs up a PostgreSQL database with pg_dump. The sequence: open a repeatable-read transaction
/// and export its snapshot; start pg_dump on that snapshot (password in a 0600 PGPASSFILE, never
/// argv); while it streams into <c>ID.dump.partial</c> (hashing, and encrypting when asked, and reading
/// the file back behind the writer to compare), count each table's rows in the same snapshot (one
/// backend, no parallel workers); check pg_dump's exit code and the read-back; rename it into place;
/// write the manifest last. Any failure or cancellation removes
/// the partial file, and no manifest means no backup.
/// </summary>
public sealed class PgBackupService
{
    private static readonly ConcurrentDictionary<string, string> ToolVersions = new();

    public async Task<ReleaseBackup> BackupAsync(PgBackupRequest request, IOperationReporter reporter, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        reporter ??= SilentReporter.Instance;
        var format = request.Format.ToLowerInvariant();
        Validate(request, format);
        BackupFiles.EnsureDirectory(request.Destination);
        BackupFiles.SweepStalePartials(request.Destination, reporter);

        var source = request.Source;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var name = request.Name ?? source.Database;
        var id = BackupFiles.NewId(name, started);
        var encrypted = request.EncryptionKey is not null;
        var dataFile = id + (format == "directory" ? ".dir" : encrypted ? ".dump.enc" : ".dump");
        var finalPath = Path.Combine(request.Destination, dataFile);
        var partialPath = BackupFiles.PartialPath(finalPath);
        var manifestPath = Path.Combine(request.Destination, id + BackupFiles.ManifestSuffix);
        var activity = $"Backing up {source.Describe()}";
        using var key = request.EncryptionKey is null ? null : BackupEncryptionKey.From(request.EncryptionKey);

        var toolVersion = await ToolVersionAsync("pg_dump", request.ToolDirectory, cancellation).ConfigureAwait(false);
        reporter.Verbose($"{toolVersion}; backing up {source.Describe()} as {source.Username} to {finalPath}");

        await using var snapshotConnection = await source.ConnectAsync(cancellation).ConfigureAwait(false);
        await using var snapshot = await snapshotConnection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellation)
            .ConfigureAwait(false);
        string snapshotId, serverVersion;
        IReadOnlyList<(string Schema, string Table)> tables;
        try
        {
            await using (var ro = new NpgsqlCommand("SET TRANSACTION READ ONLY", snapshotConnection, snapshot))
            {
                await ro.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            }
            await using (var export = new NpgsqlCommand("SELECT pg_export_snapshot(), current_setting('server_version')", snapshotConnection, snapshot))
            await using (var reader = await export.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellation).ConfigureAwait(false);
                snapshotId = reader.GetString(0);
                serverVersion = reader.GetString(1);
            }
            tables = await PgTables.ListAsync(snapshotConnection, snapshot, cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PgFailures.From(ex, source, "the backup's snapshot");
        }
        reporter.Verbose($"Snapshot {snapshotId} exported; {tables.Count} tables; server {serverVersion}");

        var arguments = new List<string> { "--format=" + format, "--snapshot=" + snapshotId, "--no-password" };
        if (request.CompressionLevel is { } level)
        {
            arguments.Add("--compress=" + level.ToString(CultureInfo.InvariantCulture));
        }
        if (format == "directory")
        {
            arguments.Add("--jobs=" + request.Jobs.ToString(CultureInfo.InvariantCulture));
            arguments.Add("--file=" + partialPath);
        }

        using var progress = new BackupProgress(reporter, activity, tables.Count);
        string sha256;
        long size;
        IReadOnlyList<BackupFileChecksum> files = Array.Empty<BackupFileChecksum>();
        IReadOnlyList<TableRowCount> counts;
        try
        {
            await using var dump = PgTool.Start("pg_dump", arguments, source, redirectStdout: format == "custom", redirectStdin: false,
                cancellation, request.ToolDirectory);
            reporter.Verbose($"pg_dump started (pid {dump.ProcessId})");
            var copy = format == "custom"
                ? StreamToFileAsync(dump, partialPath, key, progress, cancellation)
                : Task.FromResult<(string, long)>(("", 0));
            using var stopCounting = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var countedAt = TimeSpan.Zero;
            var counting = CountAsync(snapshotConnection, snapshot, tables, request.TableChecksums, progress, source, stopCounting.Token)
                .ContinueWith(t => { countedAt = clock.Elapsed; return t; }, TaskScheduler.Default).Unwrap();
            (string Sha, long Size) written;
            try
            {
                written = await copy.ConfigureAwait(false);
            }
            catch
            {
                dump.Kill();
                stopCounting.Cancel();
                await Observe(counting).ConfigureAwait(false);
                throw;
            }
            var exit = await dump.WaitAsync(cancellation).ConfigureAwait(false);
            var dumped = clock.Elapsed;
            if (exit != 0)
            {
                var failure = PgFailures.FromTool("pg_dump", exit, dump.Stderr, source, "the backup");
                stopCounting.Cancel();
                await Observe(counting).ConfigureAwait(false);
                throw failure;
            }
            counts = await counting.ConfigureAwait(false);
            var counted = countedAt;
            await snapshot.CommitAsync(cancellation).ConfigureAwait(false);
            reporter.Verbose($"pg_dump done at {dumped.TotalSeconds:F2} s; row counts done at {counted.TotalSeconds:F2} s " +
                             (counted > dumped ? $"({(counted - dumped).TotalSeconds:F2} s after pg_dump)" : "(overlapped)"));

            if (format == "custom")
            {
                reporter.Verbose($"read back and compared while written; done at {clock.Elapsed.TotalSeconds:F2} s");
                // Read back and compared while it was written (StreamToFileAsync), not in a second pass here.
                (sha256, size) = written;
                File.Move(partialPath, finalPath);
            }
            else
            {
                progress.Status("hashing the dump directory");
                BackupFiles.MakePrivate(partialPath);
                (sha256, size, files) = await DirectoryChecksum.ComputeAsync(partialPath, cancellation, request.Jobs).ConfigureAwait(false);
                Directory.Move(partialPath, finalPath);
                reporter.Verbose($"dump directory hashed ({files.Count} files, {request.Jobs} at a time) at {clock.Elapsed.TotalSeconds:F2} s");
            }
        }
        catch (Exception ex)
        {
            BackupFiles.TryDelete(partialPath);
            BackupFiles.TryDelete(finalPath);
            if (BackupFiles.IsDiskFull(ex))
            {
                throw BackupFiles.DiskFull(finalPath, ex);
            }
            if (ex is NpgsqlException or TimeoutException)
            {
                throw PgFailures.From(ex, source, "the backup");
            }
            throw;
        }

        var manifest = new BackupManifest
        {
            Id = id,
            Name = name,
            Kind = BackupKind.Postgres,
            Reason = request.Reason,
            Release = request.Release,
            Source = source.Describe(),
            Database = source.Database,
            ServerVersion = serverVersion,
            Format = format,
            DataFile = dataFile,
            SizeBytes = size,
            Sha256 = sha256,
            StartedAt = started,
            FinishedAt = DateTimeOffset.UtcNow,
            ToolVersion = toolVersion,
            Tables = counts,
            Files = files,
            Encryption = key is null ? null : new BackupEncryptionInfo(BackupEncryption.Algorithm, BackupEncryption.DefaultChunkSize, key.Source),
        };
        try
        {
            await BackupFiles.WriteJsonAtomicallyAsync(manifestPath, manifest, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            BackupFiles.TryDelete(finalPath);
            throw;
        }
        progress.Done($"{size:N0} bytes, {counts.Count} tables");
        reporter.Verbose($"Backup {id} complete: {size:N0} bytes, sha256 {sha256}");
        return new ReleaseBackup(manifest, manifestPath);
    }

    /// <summary>The first line of <c>TOOL --version</c>, cached per tool directory.</summary>
    internal static async Task<string> ToolVersionAsync(string tool, string? directory, CancellationToken cancellation)
    {
        var cacheKey = tool + "|" + directory;
        if (ToolVersions.TryGetValue(cacheKey, out var known))
        {
            return known;
        }
        var (code, stdout, stderr) = await PgTool.RunAsync(tool, new[] { "--version" }, null, cancellation, binaryDirectory: directory)
            .ConfigureAwait(false);
        if (code != 0)
        {
            throw new ReleaseOpsException("PgToolNotFound", FailureKind.NotFound, $"{tool} --version failed: {stderr.Trim()}", tool,
                "Install the PostgreSQL client tools matching the server's major version.");
        }
        return ToolVersions[cacheKey] = stdout.Trim();
    }

    private static void Validate(PgBackupRequest request, string format)
    {
        if (format is not ("custom" or "directory"))
        {
            throw new ReleaseOpsException("BackupFormatInvalid", FailureKind.InvalidArgument,
                $"Backup format '{request.Format}' is not supported.", request.Format, "Use 'custom' or 'directory'.");
        }
        if (request.Jobs < 1 || (request.Jobs > 1 && format != "directory"))
        {
            throw new ReleaseOpsException("BackupJobsInvalid", FailureKind.InvalidArgument,
                $"{request.Jobs} parallel jobs cannot be used with the {format} format.", request.Format,
                "Parallel dumps need the directory format (-Format directory -Jobs N); the custom format uses 1 job.");
        }
        if (format == "directory" && request.EncryptionKey is not null)
        {
            throw new ReleaseOpsException("BackupEncryptionUnsupported", FailureKind.InvalidArgument,
                "Encryption at rest is supported for the custom format only.", request.Format,
                "Use the custom format for encrypted backups, or encrypt the destination volume.");
        }
        if (string.IsNullOrWhiteSpace(request.Destination))
        {
            throw new ReleaseOpsException("BackupDestinationMissing", FailureKind.InvalidArgument,
                "No backup destination directory was given.", null, "Give -Destination (a directory).");
        }
    }

    private static async Task<(string Sha, long Size)> StreamToFileAsync(PgTool dump, string partialPath, BackupEncryptionKey? key,
        BackupProgress progress, CancellationToken cancellation)
    {
        // Unbuffered, so that every byte the checksum stream has seen is in the OS and the read-back can follow right behind.
        await using var file = BackupFiles.CreatePrivate(partialPath, bufferSize: 0, shareRead: true);
        await using var readBack = new ReadBackVerifier(partialPath, cancellation);
        var check = new ChecksumStream(file, leaveOpen: true, progress: progress.Bytes, readBack: readBack);
        await using (check.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 20];
            if (key is null)
            {
                // One thread of its own, blocking on the pipe: an async read per 64 KB the pipe hands over woke a
                // thread-pool worker each time, and the workers' spinning between them took CPU from pg_dump's
                // compression on a two-core machine (about half this process's CPU during a backup). A cancelled
                // backup kills pg_dump (PgTool), which ends the read.
                await Task.Factory.StartNew(() =>
                {
                    int n;
                    while ((n = dump.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        check.Write(buffer, 0, n);
                    }
                }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                cancellation.ThrowIfCancellationRequested();
            }
            else
            {
                await using var encrypt = new EncryptingStream(check, key);
                int n;
                while ((n = await dump.StandardOutput.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
                {
                    await encrypt.WriteAsync(buffer.AsMemory(0, n), cancellation).ConfigureAwait(false);
                }
                await encrypt.FinishAsync(cancellation).ConfigureAwait(false);
            }
            await file.FlushAsync(cancellation).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
            if (await readBack.CompleteAsync().ConfigureAwait(false) is { } difference)
            {
                throw new ReleaseOpsException("BackupIntegrityFailure", FailureKind.IntegrityFailure,
                    $"The backup file {partialPath} read back differently from what was written ({difference}).",
                    partialPath, "Check the destination's disk and file system; the backup was discarded.");
            }
            return (check.CurrentHash(), check.BytesSeen);
        }
    }

    private static async Task<IReadOnlyList<TableRowCount>> CountAsync(NpgsqlConnection connection, NpgsqlTransaction snapshot,
        IReadOnlyList<(string Schema, string Table)> tables, bool checksums, BackupProgress progress, PgEndpoint source,
        CancellationToken cancellation)
    {
        try
        {
            // One backend for the counts: parallel workers would compete with pg_dump (the critical path) for the cores.
            await using (var serial = new NpgsqlCommand("SET LOCAL max_parallel_workers_per_gather = 0", connection, snapshot))
            {
                await serial.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
            }
            var counts = new List<TableRowCount>(tables.Count);
            foreach (var (schema, table) in tables)
            {
                counts.Add(await PgTables.CountAsync(connection, snapshot, schema, table, checksums, cancellation).ConfigureAwait(false));
                progress.TableDone();
            }
            return counts;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw PgFailures.From(ex, source, "counting rows in the backup's snapshot");
        }
    }

    private static async Task Observe(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch
        {
            // pg_dump's own failure is the one reported.
        }
    }
}

/// <summary>The backup's progress activity: bytes written and tables counted, at most four times a second.</summary>
internal sealed class BackupProgress : IDisposable
{
    private readonly ProgressActivity _activity;
    private readonly int _tables;
    private readonly Stopwatch _since = Stopwatch.StartNew();
    private long _bytes;
    private int _tablesDone;
    private long _lastReport = -1000;

    public BackupProgress(IOperationReporter reporter, string activity, int tables)
    {
        _activity = ProgressActivity.Start(reporter, activity);
        _tables = tables;
    }

    public void Bytes(long total)
    {
        Interlocked.Exchange(ref _bytes, total);
        Maybe();
    }

    public void TableDone()
    {
        Interlocked.Increment(ref _tablesDone);
        Maybe();
    }

    public void Status(string status) => _activity.Report(status, Percent());

    public void Done(string status) => _activity.Complete(status);

    /// <summary>Ends the activity however the backup ended.</summary>
    public void Dispose() => _activity.Complete("stopped");

    private int Percent() => _tables == 0 ? -1 : Math.Min(99, _tablesDone * 100 / _tables);

    private void Maybe()
    {
        var now = _since.ElapsedMilliseconds;
        var last = Interlocked.Read(ref _lastReport);
        if (now - last < 250 || Interlocked.CompareExchange(ref _lastReport, now, last) != last)
        {
            return;
        }
        _activity.Report($"{Interlocked.Read(ref _bytes):N0} bytes written, {_tablesDone}/{_tables} tables counted", Percent());
    }
}
