using ReleaseOps.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ReleaseOps.Errors;
using ReleaseOps.Operations;

namespace ReleaseOps.Backup;

/// <summary>
/// The backups in a destination directory, found through their manifests (a data file without a
/// manifest is an unfinished backup and is ignored), their checksum checks, and retention.
/// </summary>
public sealed class BackupCatalog
{
    /// <summary>Every complete backup in <paramref name="directory"/>, newest first, optionally of one name or kind.</summary>
    public async IAsyncEnumerable<ReleaseBackup> ListAsync(string directory, string? name, BackupKind? kind, IOperationReporter reporter,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        reporter ??= SilentReporter.Instance;
        if (InputFile.KindOf(directory) is var what and not InputFileKind.Directory)
        {
            throw new ReleaseOpsException("BackupDirectoryNotFound", FailureKind.NotFound,
                what == InputFileKind.Missing
                    ? string.IsNullOrEmpty(directory) ? "No backup directory was named (the path is empty)." : $"The backup directory {directory} does not exist."
                    : $"{directory} is {InputFile.Describe(what)}, not a backup directory.",
                directory, "Check the path (the plan's backup destination).");
        }
        var found = new List<ReleaseBackup>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + BackupFiles.ManifestSuffix))
        {
            cancellation.ThrowIfCancellationRequested();
            try
            {
                var backup = await ReadAsync(path, cancellation).ConfigureAwait(false);
                if ((name is null || string.Equals(backup.Name, name, StringComparison.OrdinalIgnoreCase)) &&
                    (kind is null || backup.Kind == kind))
                {
                    found.Add(backup);
                }
            }
            catch (ReleaseOpsException ex) when (ex.ErrorId is "BackupManifestInvalid" or "BackupManifestNotAFile" or "BackupManifestAccessDenied")
            {
                reporter.Warning(ex.Message);
            }
        }
        foreach (var backup in found.OrderByDescending(b => b.CreatedAt))
        {
            yield return backup;
        }
    }

    /// <summary>The same as <see cref="ListAsync"/>, collected into a list.</summary>
    public async Task<IReadOnlyList<ReleaseBackup>> ListAllAsync(string directory, string? name, BackupKind? kind,
        IOperationReporter reporter, CancellationToken cancellation)
    {
        var all = new List<ReleaseBackup>();
        await foreach (var backup in ListAsync(directory, name, kind, reporter, cancellation).ConfigureAwait(false))
        {
            all.Add(backup);
        }
        return all;
    }

    /// <summary>The largest manifest read (table checksums of a large database stay far below it).</summary>
    public const int MaxManifestBytes = 16 << 20;

    public static async Task<ReleaseBackup> ReadAsync(string manifestPath, CancellationToken cancellation)
    {
        // What the path names is read before anything is opened (a directory, a device or a FIFO is not a manifest).
        var kind = InputFile.KindOf(manifestPath);
        if (kind == InputFileKind.Missing)
        {
            throw new ReleaseOpsException("BackupNotFound", FailureKind.NotFound,
                string.IsNullOrEmpty(manifestPath) ? "No backup manifest was named (the path is empty)." : $"No backup manifest at {manifestPath}.",
                manifestPath, "List the backups with Get-ReleaseBackup (releaseops backup list DIR) and pass one's .manifest.json.");
        }
        if (kind != InputFileKind.Regular)
        {
            throw new ReleaseOpsException("BackupManifestNotAFile", FailureKind.InvalidArgument,
                $"{manifestPath} is {InputFile.Describe(kind)}, not a backup manifest; nothing was read.", manifestPath,
                kind == InputFileKind.Directory
                    ? $"Pass one backup's .manifest.json; releaseops backup list {manifestPath} (Get-ReleaseBackup -Path) lists them."
                    : "Pass a backup's .manifest.json file.");
        }
        try
        {
            var text = await InputFile.ReadAllTextAsync(manifestPath, MaxManifestBytes, cancellation).ConfigureAwait(false)
                ?? throw new JsonException($"larger than {MaxManifestBytes >> 20} MiB, which no manifest is");
            var manifest = JsonSerializer.Deserialize<BackupManifest>(text, ManifestJson.Options) ?? throw new JsonException("empty manifest");
            return new ReleaseBackup(manifest, Path.GetFullPath(manifestPath));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ReleaseOpsException("BackupNotFound", FailureKind.NotFound, $"No backup manifest at {manifestPath}.", manifestPath,
                "List the backups with Get-ReleaseBackup and pass one of them.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ReleaseOpsException("BackupManifestAccessDenied", FailureKind.PermissionDenied, $"The backup manifest {manifestPath} cannot be read: access denied.",
                manifestPath, "Give the account running ReleaseOps read access to the backup directory.", ex);
        }
        catch (JsonException ex)
        {
            throw new ReleaseOpsException("BackupManifestInvalid", FailureKind.IntegrityFailure,
                $"The backup manifest {manifestPath} is not valid: {ex.Message}", manifestPath,
                "The manifest is damaged; this backup cannot be trusted.", ex);
        }
    }

    /// <summary>
    /// Reads the whole data file (or directory) and compares size and SHA-256 with the manifest.
    /// Throws <c>BackupIntegrityFailure</c> (truncated, damaged) or <c>BackupFileMissing</c>.
    /// </summary>
    public static async Task VerifyChecksumAsync(ReleaseBackup backup, CancellationToken cancellation, Action<long>? progress = null)
    {
        var manifest = backup.Manifest;
        string sha;
        long size;
        if (manifest.Format == "directory")
        {
            if (!Directory.Exists(backup.DataPath))
            {
                throw new ReleaseOpsException("BackupFileMissing", FailureKind.NotFound, $"The backup directory {backup.DataPath} is missing.",
                    backup.DataPath, "Choose another backup.");
            }
            IReadOnlyList<BackupFileChecksum> found;
            (sha, size, found) = await DirectoryChecksum.ComputeAsync(backup.DataPath, cancellation, Math.Min(4, Environment.ProcessorCount))
                .ConfigureAwait(false);
            // Name the damaged files: each file against its own line of the manifest.
            if (manifest.Files.Count > 0 && !string.Equals(sha, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                var expected = manifest.Files.ToDictionary(f => f.Path.Replace('\\', '/'), StringComparer.Ordinal);
                var actual = found.ToDictionary(f => f.Path.Replace('\\', '/'), StringComparer.Ordinal);
                var problems = expected.Values.Where(e => !actual.ContainsKey(e.Path.Replace('\\', '/'))).Select(e => $"{e.Path} is missing")
                    .Concat(actual.Values.Where(a => !expected.ContainsKey(a.Path.Replace('\\', '/'))).Select(a => $"{a.Path} is not in the manifest"))
                    .Concat(actual.Values.Where(a => expected.TryGetValue(a.Path.Replace('\\', '/'), out var e) &&
                                                     (e.SizeBytes != a.SizeBytes || !string.Equals(e.Sha256, a.Sha256, StringComparison.OrdinalIgnoreCase)))
                        .Select(a => expected[a.Path.Replace('\\', '/')].SizeBytes != a.SizeBytes
                            ? $"{a.Path} holds {a.SizeBytes:N0} bytes where the manifest says {expected[a.Path.Replace('\\', '/')].SizeBytes:N0}"
                            : $"{a.Path} does not match its SHA-256 checksum"))
                    .OrderBy(p => p, StringComparer.Ordinal)
                    .ToList();
                if (problems.Count > 0)
                {
                    throw Damaged(backup, $"is damaged: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $" (and {problems.Count - 5} more)" : "")}");
                }
            }
        }
        else
        {
            var length = File.Exists(backup.DataPath) ? new FileInfo(backup.DataPath).Length : -1;
            if (length >= 0 && length != manifest.SizeBytes)
            {
                throw Damaged(backup, length < manifest.SizeBytes
                    ? $"is truncated: {length:N0} of {manifest.SizeBytes:N0} bytes"
                    : $"is {length:N0} bytes where the manifest says {manifest.SizeBytes:N0}");
            }
            (sha, size) = await ChecksumStream.HashFileAsync(backup.DataPath, cancellation, progress).ConfigureAwait(false);
        }
        if (size != manifest.SizeBytes)
        {
            throw Damaged(backup, $"holds {size:N0} bytes where the manifest says {manifest.SizeBytes:N0}");
        }
        if (!string.Equals(sha, manifest.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            throw Damaged(backup, "does not match its SHA-256 checksum (the file is damaged)");
        }
    }

    internal static ReleaseOpsException Damaged(ReleaseBackup backup, string what) =>
        new("BackupIntegrityFailure", FailureKind.IntegrityFailure,
            $"Backup {backup.Id}: {backup.DataPath} {what}; it will not be restored.", backup.DataPath,
            "Use another backup (Get-ReleaseBackup), and check the storage that holds this one.");

    /// <summary>Records a test-restore's outcome in the manifest (rewritten atomically).</summary>
    public static async Task<ReleaseBackup> RecordVerificationAsync(ReleaseBackup backup, BackupVerification verification,
        CancellationToken cancellation)
    {
        var manifest = backup.Manifest with
        {
            LastVerification = new BackupVerificationSummary(verification.StartedAt + verification.Duration, verification.Passed,
                verification.Summary),
        };
        await BackupFiles.WriteJsonAtomicallyAsync(backup.ManifestPath, manifest, cancellation).ConfigureAwait(false);
        return backup with { Manifest = manifest };
    }

    /// <summary>
    /// Chooses what retention removes from <paramref name="backups"/> (grouped by name): beyond the
    /// newest <paramref name="keepCount"/>, or older than <paramref name="maxAge"/>. The newest backup
    /// whose test-restore passed is always kept, whatever the rules say.
    /// </summary>
    public static IReadOnlyList<(ReleaseBackup Backup, string Reason)> SelectForRemoval(IEnumerable<ReleaseBackup> backups,
        int? keepCount, TimeSpan? maxAge, DateTimeOffset now)
    {
        if (keepCount is < 0)
        {
            throw new ReleaseOpsException("RetentionInvalid", FailureKind.InvalidArgument, $"Keep count {keepCount} is negative.",
                null, "Give 0 or more.");
        }
        var chosen = new List<(ReleaseBackup, string)>();
        foreach (var group in backups.GroupBy(b => (b.Name, b.Kind)))
        {
            var ordered = group.OrderByDescending(b => b.CreatedAt).ToList();
            var lastVerified = ordered.FirstOrDefault(b => b.Verified == true);
            for (var i = 0; i < ordered.Count; i++)
            {
                var backup = ordered[i];
                string? reason = null;
                if (keepCount is { } keep && i >= keep)
                {
                    reason = $"beyond the newest {keep}";
                }
                else if (maxAge is { } age && now - backup.CreatedAt > age)
                {
                    reason = $"older than {DurationText.Format(age)}";
                }
                if (reason is not null && !ReferenceEquals(backup, lastVerified))
                {
                    chosen.Add((backup, reason));
                }
            }
        }
        return chosen;
    }

    /// <summary>Removes a backup: the manifest first (so it never looks complete half-removed), then its data.</summary>
    public static void Remove(ReleaseBackup backup)
    {
        try
        {
            File.Delete(backup.ManifestPath);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ReleaseOpsException("BackupRemoveDenied", FailureKind.PermissionDenied,
                $"Cannot remove backup {backup.Id}: access to {backup.ManifestPath} was denied.", backup.ManifestPath,
                "Run as the account that owns the backup directory.", ex);
        }
        BackupFiles.TryDelete(backup.DataPath);
    }
}
