using System.Diagnostics;
using System.Globalization;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Operations;
using ReleaseOps.Redis;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>What Redis server to back up, and where.</summary>
public sealed record RedisBackupRequest
{
    /// <summary>The server, or with a Sentinel service name the primary the Sentinels name.</summary>
    public required RedisConnectionOptions Source { get; init; }
    public required string Destination { get; init; }
    /// <summary>Name the backup is filed under; default <c>redis-HOST-PORT</c>.</summary>
    public string? Name { get; init; }
    public string Reason { get; init; } = BackupReasons.Manual;
    public string? Release { get; init; }
    public SecretValue? EncryptionKey { get; init; }
}

/// <summary>Where to test-restore a Redis backup.</summary>
public sealed record RedisVerifyRequest
{
    /// <summary>Directory for the scratch server's files; a temp directory (removed afterwards) when null.</summary>
    public string? ScratchDirectory { get; init; }
    /// <summary>Port for the scratch redis-server on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }
    public string RedisServerBinary { get; init; } = "redis-server";
    public SecretValue? EncryptionKey { get; init; }
}

/// <summary>
/// Redis backups over the network. The snapshot is taken the way <c>redis-cli --rdb</c> takes it:
/// the client registers as an RDB-only replica and sends SYNC; the server forks, writes an RDB and
/// streams it, and we store it as it arrives (hashed, optionally encrypted) under a temp name, then
/// rename it and write the manifest last. This needs no access to the server's file system and
/// works for a remote server; the ACL user needs <c>+sync</c> (and <c>+replconf</c>). Key counts
/// per database come from INFO keyspace read just before SYNC (on a server taking writes they can
/// differ from the snapshot by the writes in between; see docs/backups.md). A test-restore loads the
/// RDB into a scratch redis-server as its dbfilename and compares key counts.
/// </summary>
public sealed class RedisBackupService
{
    public async Task<ReleaseBackup> BackupAsync(RedisBackupRequest request, IOperationReporter reporter, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        reporter ??= SilentReporter.Instance;
        if (string.IsNullOrWhiteSpace(request.Destination))
        {
            throw new ReleaseOpsException("BackupDestinationMissing", FailureKind.InvalidArgument,
                "No backup destination directory was given.", null, "Give -Destination (a directory).");
        }
        BackupFiles.EnsureDirectory(request.Destination);
        BackupFiles.SweepStalePartials(request.Destination, reporter);
        var started = DateTimeOffset.UtcNow;
        var name = request.Name ?? $"redis-{request.Source.Host}-{request.Source.Port}";
        var id = BackupFiles.NewId(name, started);
        using var key = request.EncryptionKey is null ? null : BackupEncryptionKey.From(request.EncryptionKey);
        var dataFile = id + (key is null ? ".rdb" : ".rdb.enc");
        var finalPath = Path.Combine(request.Destination, dataFile);
        var partialPath = BackupFiles.PartialPath(finalPath);
        var manifestPath = Path.Combine(request.Destination, id + BackupFiles.ManifestSuffix);
        using var activity = ProgressActivity.Start(reporter, $"Backing up Redis at {request.Source.Endpoint}");

        RedisConnectionOptions primary;
        IReadOnlyDictionary<string, string> info;
        await using (var session = await RedisSession.ConnectAsync(request.Source with { Database = 0 }, cancellation).ConfigureAwait(false))
        {
            info = await session.InfoAsync(null, cancellation).ConfigureAwait(false);
            primary = session.Primary;
        }
        var version = info.GetValueOrDefault("redis_version");
        var keyCounts = KeyCounts(info);
        reporter.Verbose($"Redis {version} at {primary.Endpoint}: {keyCounts.Sum(k => k.Keys)} keys in {keyCounts.Count} databases; requesting SYNC");

        string sha;
        long size;
        try
        {
            await using (var file = BackupFiles.CreatePrivate(partialPath))
            {
                var check = new ChecksumStream(file, leaveOpen: true);
                await using (check.ConfigureAwait(false))
                {
                    void Progress(long bytes) => activity.Report($"{bytes:N0} bytes received");
                    if (key is null)
                    {
                        await RedisSnapshotReader.ReadAsync(primary, check, Progress, cancellation: cancellation).ConfigureAwait(false);
                    }
                    else
                    {
                        await using var encrypt = new EncryptingStream(check, key);
                        await RedisSnapshotReader.ReadAsync(primary, encrypt, Progress, cancellation: cancellation).ConfigureAwait(false);
                        await encrypt.FinishAsync(cancellation).ConfigureAwait(false);
                    }
                    await file.FlushAsync(cancellation).ConfigureAwait(false);
                    file.Flush(flushToDisk: true);
                    (sha, size) = (check.CurrentHash(), check.BytesSeen);
                }
            }
            var reread = await ChecksumStream.HashFileAsync(partialPath, cancellation).ConfigureAwait(false);
            if (reread.Sha256 != sha || reread.Size != size)
            {
                throw new ReleaseOpsException("BackupIntegrityFailure", FailureKind.IntegrityFailure,
                    $"The backup file {partialPath} read back differently from what was written.", partialPath,
                    "Check the destination's disk; the backup was discarded.");
            }
            File.Move(partialPath, finalPath);
        }
        catch (Exception ex)
        {
            BackupFiles.TryDelete(partialPath);
            BackupFiles.TryDelete(finalPath);
            if (BackupFiles.IsDiskFull(ex))
            {
                throw BackupFiles.DiskFull(finalPath, ex);
            }
            throw;
        }

        var manifest = new BackupManifest
        {
            Id = id,
            Name = name,
            Kind = BackupKind.Redis,
            Reason = request.Reason,
            Release = request.Release,
            Source = primary.Endpoint,
            ServerVersion = version ?? "unknown",
            Format = "rdb",
            DataFile = dataFile,
            SizeBytes = size,
            Sha256 = sha,
            StartedAt = started,
            FinishedAt = DateTimeOffset.UtcNow,
            ToolVersion = "redis SYNC (rdb-only replica)",
            KeyCounts = keyCounts,
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
        activity.Complete($"{size:N0} bytes");
        return new ReleaseBackup(manifest, manifestPath);
    }

    /// <summary>
    /// Verifies the checksum while copying (and decrypting) the RDB into a scratch directory, starts
    /// a private redis-server on it, and compares its key counts per database with the manifest.
    /// </summary>
    public async Task<BackupVerification> TestAsync(ReleaseBackup backup, RedisVerifyRequest request, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        reporter ??= SilentReporter.Instance;
        using var key = VerificationSteps.Prepare(backup, BackupKind.Redis, request.EncryptionKey, "Test-PgBackup");
        using var steps = new VerificationSteps(backup, reporter, 3);
        var ownDirectory = request.ScratchDirectory is null;
        var directory = request.ScratchDirectory ?? Path.Combine(Path.GetTempPath(), "releaseops-redis-verify-" + Guid.NewGuid().ToString("N")[..8]);
        BackupFiles.EnsureDirectory(directory);

        const string rdbName = "restore.rdb";
        ScratchRedisServer? server = null;
        try
        {
            var ok = await steps.RunAsync("Checksum", async () =>
            {
                var rdbPath = Path.Combine(directory, rdbName);
                var temp = BackupFiles.PartialPath(rdbPath);
                try
                {
                    await using (var source = BackupFiles.OpenRead(backup.DataPath))
                    {
                        var check = new ChecksumStream(source, leaveOpen: true);
                        await using (check.ConfigureAwait(false))
                        await using (var target = BackupFiles.CreatePrivate(temp))
                        {
                            Stream plain = key is null ? check : new DecryptingStream(check, key, backup.DataPath);
                            await plain.CopyToAsync(target, 1 << 20, cancellation).ConfigureAwait(false);
                            if (check.BytesSeen != backup.SizeBytes || check.CurrentHash() != backup.Sha256)
                            {
                                throw BackupCatalog.Damaged(backup, check.BytesSeen < backup.SizeBytes
                                    ? $"is truncated: {check.BytesSeen:N0} of {backup.SizeBytes:N0} bytes"
                                    : "does not match its SHA-256 checksum (the file is damaged)");
                            }
                        }
                    }
                    File.Move(temp, rdbPath, overwrite: true);
                }
                catch
                {
                    BackupFiles.TryDelete(temp);
                    throw;
                }
                return $"sha256 {backup.Sha256[..12]}..., {backup.SizeBytes:N0} bytes";
            }).ConfigureAwait(false);

            ok = ok && await steps.RunAsync("Load", async () =>
            {
                server = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions
                {
                    Directory = directory,
                    Port = request.Port,
                    DbFileName = rdbName,
                    Binary = request.RedisServerBinary,
                    // Enough databases for whatever the source used.
                    ExtraConfiguration = new[] { $"databases {Math.Max(16, backup.Manifest.KeyCounts.Select(k => k.Database + 1).DefaultIfEmpty(0).Max())}" },
                }, cancellation).ConfigureAwait(false);
                return $"loaded by a scratch redis-server on 127.0.0.1:{server.Port}";
            }).ConfigureAwait(false);

            ok = ok && await steps.RunAsync("KeyCounts", async () =>
            {
                await using var connection = await server!.ConnectAsync(cancellation).ConfigureAwait(false);
                var loaded = KeyCounts(await connection.InfoAsync("keyspace", cancellation).ConfigureAwait(false))
                    .ToDictionary(k => k.Database, k => k.Keys);
                var expected = backup.Manifest.KeyCounts.ToDictionary(k => k.Database, k => k.Keys);
                foreach (var db in expected.Keys.Union(loaded.Keys).Order())
                {
                    var want = expected.GetValueOrDefault(db);
                    var got = loaded.GetValueOrDefault(db);
                    if (want != got)
                    {
                        steps.Differences.Add(new VerificationDifference($"db{db}", $"{want} keys", $"{got} keys"));
                    }
                }
                if (steps.Differences.Count > 0)
                {
                    throw new ReleaseOpsException("BackupContentMismatch", FailureKind.IntegrityFailure,
                        $"The RDB of {backup.Id} loads with different key counts than its manifest: " +
                        string.Join("; ", steps.Differences.Select(d => $"{d.Item} expected {d.Expected}, got {d.Actual}")),
                        backup.ManifestPath, "If the source was taking writes during the backup, take it again; otherwise do not rely on it.");
                }
                return $"{expected.Values.Sum():N0} keys in {expected.Count} databases match";
            }).ConfigureAwait(false);
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            if (ownDirectory)
            {
                BackupFiles.TryDelete(directory);
            }
            else
            {
                BackupFiles.TryDelete(Path.Combine(directory, rdbName));
            }
        }
        steps.SkipMissing("Load", "KeyCounts");
        var result = steps.Result(SecretRedactor.For());
        await BackupCatalog.RecordVerificationAsync(backup, result, cancellation).ConfigureAwait(false);
        return result;
    }

    /// <summary>Keys and expiring keys per database from INFO's keyspace fields (<c>db0</c> = <c>keys=12,expires=3,avg_ttl=400</c>).</summary>
    internal static IReadOnlyList<RedisKeyCount> KeyCounts(IReadOnlyDictionary<string, string> info) =>
        info.Where(f => f.Key.StartsWith("db", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(f.Key.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(f =>
            {
                var counts = f.Value.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2)
                    .ToDictionary(p => p[0], p => long.TryParse(p[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0);
                return new RedisKeyCount(int.Parse(f.Key.AsSpan(2), CultureInfo.InvariantCulture),
                    counts.GetValueOrDefault("keys"), counts.GetValueOrDefault("expires"));
            })
            .OrderBy(k => k.Database)
            .ToArray();
}
