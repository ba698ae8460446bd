using System.Text.Json;
using System.Text.RegularExpressions;
using ReleaseOps.Errors;

namespace ReleaseOps.Backup;

/// <summary>
/// File handling shared by all backups: private (0600/0700) files and directories, durable
/// atomic writes (temp name, fsync, rename) and typed errors for disk-full and access problems.
/// </summary>
internal static class BackupFiles
{
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const string ManifestSuffix = ".manifest.json";
    public const string PartialSuffix = ".partial";
    private const int ENOSPC = 28;

    public static void EnsureDirectory(string directory)
    {
        try
        {
            if (!Directory.Exists(directory))
            {
                CreatePrivateDirectory(directory);
            }
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ReleaseOpsException("BackupDestinationDenied", FailureKind.PermissionDenied,
                $"Cannot create the backup directory {directory}: access denied.", directory,
                "Give the account running ReleaseOps write access to the destination.", ex);
        }
    }

    /// <summary>A new file only its owner can read and write (0600; on Windows the directory's ACL applies).</summary>
    /// <param name="shareRead">Lets a second handle read the file while it is written (the backup's read-back verification).</param>
    public static FileStream CreatePrivate(string path, int bufferSize = 1 << 20, bool shareRead = false)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = shareRead ? FileShare.Read : FileShare.None,
            BufferSize = bufferSize,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = PrivateFile;
        }
        return new FileStream(path, options);
    }

    /// <summary>Restricts a tree another program wrote (a directory-format dump) to its owner: 0700 directories, 0600 files.</summary>
    public static void MakePrivate(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        File.SetUnixFileMode(directory, PrivateDirectory);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(entry, Directory.Exists(entry) ? PrivateDirectory : PrivateFile);
        }
    }

    /// <summary>A new directory only its owner can enter (0700).</summary>
    public static void CreatePrivateDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, PrivateDirectory);
        }
    }

    public static FileStream OpenRead(string path, int bufferSize = 1 << 20)
    {
        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                BufferSize = bufferSize,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ReleaseOpsException("BackupFileMissing", FailureKind.NotFound,
                $"The backup data file {path} is missing.", path,
                "The backup is incomplete: choose another backup, or restore the file from its copy.", ex);
        }
    }

    /// <summary>Writes JSON to a temp name, flushes it to disk, and renames it into place (mode 0600).</summary>
    public static async Task WriteJsonAtomicallyAsync<T>(string path, T value, CancellationToken cancellation)
    {
        var temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            await using (var file = CreatePrivate(temp, 4096))
            {
                await JsonSerializer.SerializeAsync(file, value, ManifestJson.Options, cancellation).ConfigureAwait(false);
                await file.FlushAsync(cancellation).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException ex) when (IsDiskFull(ex))
        {
            TryDelete(temp);
            throw DiskFull(path, ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static bool IsDiskFull(Exception ex) =>
        ex is IOException io && ((io.HResult & 0xFFFF) == ENOSPC || io.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase));

    public static ReleaseOpsException DiskFull(string path, Exception? inner) =>
        new("BackupDestinationFull", FailureKind.ResourceExhausted,
            $"The backup destination ran out of space while writing {path}; the partial backup was removed.",
            path, "Free space at the destination, lower the retention count, or choose another destination.", inner);

    public static void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else
            {
                File.Delete(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Where a backup is written until it is complete: FINAL.PID.partial (the pid says whose it is).</summary>
    public static string PartialPath(string finalPath) => $"{finalPath}.{Environment.ProcessId}{PartialSuffix}";

    /// <summary>
    /// Removes what a ReleaseOps process that died (kill -9, a crash, a reboot) left in <paramref name="directory"/>:
    /// entries whose name matches <paramref name="pattern"/>, whose first group is the pid of a process that no longer
    /// runs. Entries of live processes, and anything not named by ReleaseOps, are left alone. Returns what was removed.
    /// </summary>
    public static IReadOnlyList<string> SweepStale(string directory, Regex pattern)
    {
        var removed = new List<string>();
        if (!Directory.Exists(directory)) return removed;
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var match = pattern.Match(Path.GetFileName(entry));
            if (match.Success && int.TryParse(match.Groups[1].Value, out var pid) && pid != Environment.ProcessId
                && !Journal.ProcessIdentity.IsAlive(pid))
            {
                TryDelete(entry);
                if (!Path.Exists(entry)) removed.Add(entry);
            }
        }
        return removed;
    }

    /// <summary>NAME.PID.partial, as <see cref="PartialPath"/> names them.</summary>
    public static readonly Regex StalePartial = new(@"^.+\.(\d+)\.partial$", RegexOptions.CultureInvariant);

    /// <summary>Sweeps the destination of a backup about to start, and says what it removed.</summary>
    public static void SweepStalePartials(string destination, Operations.IOperationReporter reporter)
    {
        foreach (var removed in SweepStale(destination, StalePartial))
        {
            reporter.Warning($"Removed {removed}: a partial backup left by a ReleaseOps process that no longer runs.");
        }
    }

    public static string NewId(string name, DateTimeOffset at) =>
        $"{Sanitize(name)}-{at.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}";

    private static string Sanitize(string name)
    {
        var chars = name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        return chars.Length == 0 ? "backup" : new string(chars);
    }
}
