using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ReleaseOps.Errors;

namespace ReleaseOps.Journal;

/// <summary>
/// The default journal: a directory per application and environment holding one JSON file per
/// release and a <c>deploy.lock</c> file. Every write goes to a temporary file in the same
/// directory, is flushed to disk, and is renamed over the old file, so a reader (or a crash) sees
/// either the old or the new document, never half of one. The lock is created with O_EXCL.
/// </summary>
public sealed class FileReleaseJournal : IReleaseJournal
{
    private readonly string _root;

    public FileReleaseJournal(string directory)
    {
        _root = Path.GetFullPath(directory);
    }

    public string Location => _root;

    public async Task<DeployLock> AcquireLockAsync(string application, string environment, string? releaseId,
        bool breakStale, CancellationToken cancellation)
    {
        var dir = Directory(application, environment);
        System.IO.Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "deploy.lock");
        var me = ProcessIdentity.Current;
        var wanted = new DeployLock(application, environment, me.User, me.Host, me.Pid, DateTimeOffset.UtcNow, releaseId);
        // Each miss means the lock was released between our link and our read: try again at once (a holder is named, or we hold it).
        for (var attempt = 0; attempt < 100; attempt++)
        {
            cancellation.ThrowIfCancellationRequested();
            // The lock is written whole under a name of its own, then linked into place: whoever reads deploy.lock reads
            // a complete lock, never an empty or half-written one, and of two processes exactly one link succeeds.
            var temp = Path.Combine(dir, $".deploy.lock.{me.Pid}.{Guid.NewGuid():N}.tmp");
            var written = false;
            try
            {
                await WriteDurablyAsync(temp, JournalSerializer.Write(wanted), cancellation).ConfigureAwait(false);
                written = true;
                if (TryPlace(temp, path)) return wanted;
            }
            catch (UnauthorizedAccessException ex)
            {
                throw new ReleaseOpsException("JournalAccessDenied", FailureKind.PermissionDenied,
                    $"Cannot create the deploy lock {path}: access denied.", path,
                    "Give the account that deploys write access to the journal directory.", ex);
            }
            catch (IOException ex) when (!written)
            {
                throw new ReleaseOpsException("JournalWriteFailed", FailureKind.ResourceExhausted,
                    $"Cannot write the deploy lock {path}: {ex.Message}", path, "Free space on the journal's file system.", ex);
            }
            finally
            {
                File.Delete(temp);
            }
            var held = await ReadLockAsync(path, cancellation).ConfigureAwait(false);
            if (held is null)
            {
                continue; // released between our attempt and the read
            }
            if (releaseId is not null && held.ReleaseId == releaseId && held.Host == me.Host && held.Pid == me.Pid)
            {
                return held; // this release already holds it
            }
            if (breakStale && held.HolderIsDead)
            {
                // Move it aside first: of two processes breaking the same stale lock, one wins the rename.
                var aside = path + $".stale-{me.Pid}-{Guid.NewGuid():N}";
                try
                {
                    File.Move(path, aside);
                    File.Delete(aside);
                }
                catch (IOException)
                {
                }
                continue;
            }
            throw Locked(held, _root);
        }
        var holder = await ReadLockAsync(path, cancellation).ConfigureAwait(false);
        throw holder is null
            ? new ReleaseOpsException("DeploymentLockContended", FailureKind.Conflict,
                $"The deploy lock {path} changed hands while it was being taken.", path, "Try again.")
            : Locked(holder, _root);
    }

    internal static ReleaseOpsException Locked(DeployLock held, string where) => held.Problem is { } problem
        ? new("DeploymentLocked", FailureKind.Conflict,
            $"{held.Application}/{held.Environment} has a deploy lock that names no holder: {problem}; a deployment is refused while it is there.",
            $"{held.Application}/{held.Environment}",
            $"If no deployment of it is running, remove the lock with Unlock-Deployment -Force (releaseops unlock --force) or deploy with -Force (--force). Journal: {where}.")
        : new("DeploymentLocked", FailureKind.Conflict,
            $"{held.Application}/{held.Environment} is being deployed by {held.Holder} on {held.Host} (pid {held.Pid}, since {held.AcquiredAt:u}); " +
            "a second deployment is refused.",
            $"{held.Application}/{held.Environment}",
            held.HolderIsDead
                ? $"The holder's process is gone: break the stale lock with -Force (--force), or Unlock-Deployment. Journal: {where}."
                : "Wait for that deployment to finish.");

    public async Task<bool> ReleaseLockAsync(string application, string environment, string? releaseId, CancellationToken cancellation)
    {
        var path = Path.Combine(Directory(application, environment), "deploy.lock");
        var held = await ReadLockAsync(path, cancellation).ConfigureAwait(false);
        if (held is null || (releaseId is not null && held.ReleaseId != releaseId))
        {
            return false;
        }
        File.Delete(path);
        return true;
    }

    public Task<DeployLock?> GetLockAsync(string application, string environment, CancellationToken cancellation) =>
        ReadLockAsync(Path.Combine(Directory(application, environment), "deploy.lock"), cancellation);

    public async Task SaveAsync(ReleaseRecord release, CancellationToken cancellation)
    {
        var dir = Path.Combine(Directory(release.Application, release.Environment), "releases");
        System.IO.Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, release.Id + ".json");
        var document = JournalSerializer.Write(release);
        await WriteAtomicallyAsync(path, document, cancellation).ConfigureAwait(false);
        await AppendAsync(release.Application, release.Environment, JournalEntryKinds.Release, release.Id, document, cancellation).ConfigureAwait(false);
    }

    public async Task<JournalEntry> AppendAsync(string application, string environment, string kind, string? subject, string payloadJson,
        CancellationToken cancellation)
    {
        var dir = Path.Combine(Directory(application, environment), "chain");
        System.IO.Directory.CreateDirectory(dir);
        // Appends from several processes take turns on an exclusive lock of the chain (flock on Unix).
        await using var appendLock = await LockChainAsync(dir, cancellation).ConfigureAwait(false);
        var last = ChainFiles(dir).LastOrDefault();
        var (sequence, previous) = (0L, JournalChain.Genesis);
        if (last.Path is not null)
        {
            try
            {
                var entry = JournalChain.Read(await File.ReadAllTextAsync(last.Path, cancellation).ConfigureAwait(false));
                (sequence, previous) = (Math.Max(entry.Sequence, last.Key), entry.Hash);
            }
            catch (JsonException ex)
            {
                throw ChainDamaged(last.Path, ex);
            }
        }
        var text = JournalChain.Write(sequence + 1, kind, subject, DateTimeOffset.UtcNow, previous, payloadJson);
        var path = Path.Combine(dir, $"{sequence + 1:D8}.json");
        var temp = Path.Combine(dir, $".{sequence + 1:D8}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(temp, text, cancellation).ConfigureAwait(false);
        File.Move(temp, path, overwrite: false);
        return JournalChain.Read(text);
    }

    public async Task<IReadOnlyList<StoredJournalEntry>> ReadChainAsync(string application, string environment, CancellationToken cancellation)
    {
        var dir = Path.Combine(Directory(application, environment), "chain");
        var entries = new List<StoredJournalEntry>();
        foreach (var (key, path) in ChainFiles(dir))
        {
            entries.Add(new StoredJournalEntry(key, await File.ReadAllTextAsync(path, cancellation).ConfigureAwait(false)));
        }
        return entries;
    }

    /// <summary>The chain's entry files (00000001.json...), by number.</summary>
    private static IEnumerable<(long Key, string Path)> ChainFiles(string dir) =>
        !System.IO.Directory.Exists(dir)
            ? Enumerable.Empty<(long, string)>()
            : System.IO.Directory.EnumerateFiles(dir, "*.json")
                .Select(f => (Key: long.TryParse(Path.GetFileNameWithoutExtension(f), out var n) ? n : -1, Path: f))
                .Where(f => f.Key > 0)
                .OrderBy(f => f.Key);

    private static async Task<FileStream> LockChainAsync(string dir, CancellationToken cancellation)
    {
        var path = Path.Combine(dir, ".append.lock");
        for (var waited = 0; ; waited += 20)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited < 30_000)
            {
                await Task.Delay(20, cancellation).ConfigureAwait(false);
            }
        }
    }

    internal static ReleaseOpsException ChainDamaged(string where, Exception? inner = null) =>
        new("JournalChainDamaged", FailureKind.IntegrityFailure,
            $"The last entry of the journal chain ({where}) cannot be read, so nothing more can be appended after it.", where,
            "Run Test-ReleaseJournal (releaseops journal verify) to see what was changed, and restore the journal from a backup.", inner);

    public async Task<ReleaseRecord?> GetAsync(string application, string environment, string id, CancellationToken cancellation)
    {
        var path = Path.Combine(Directory(application, environment), "releases", SafeName(id) + ".json");
        if (!File.Exists(path))
        {
            return null;
        }
        return await ReadReleaseAsync(path, cancellation).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ReleaseRecord>> ListAsync(string application, string environment, CancellationToken cancellation)
    {
        var dir = Path.Combine(Directory(application, environment), "releases");
        if (!System.IO.Directory.Exists(dir))
        {
            return Array.Empty<ReleaseRecord>();
        }
        var list = new List<ReleaseRecord>();
        foreach (var file in System.IO.Directory.EnumerateFiles(dir, "*.json"))
        {
            list.Add(await ReadReleaseAsync(file, cancellation).ConfigureAwait(false));
        }
        return list.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).ToArray();
    }

    /// <summary>temp file in the same directory, fsync, rename over the target.</summary>
    internal static async Task WriteAtomicallyAsync(string path, string text, CancellationToken cancellation)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            await WriteDurablyAsync(temp, text, cancellation).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ReleaseOpsException("JournalAccessDenied", FailureKind.PermissionDenied,
                $"Cannot write {path}: access denied.", path, "Give the account that deploys write access to this directory.", ex);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Puts the complete file <paramref name="temp"/> at <paramref name="path"/> only if nothing is there, atomically:
    /// link(2) on Unix (File.Move without overwrite checks, then renames: two processes could both "win"), MoveFile on
    /// Windows. False when <paramref name="path"/> exists.
    /// </summary>
    private static bool TryPlace(string temp, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                File.Move(temp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        if (Link(temp, path) == 0) return true;
        var errno = Marshal.GetLastPInvokeError();
        return errno == EExist ? false : throw new IOException($"Cannot create {path}: link failed with errno {errno}.");
    }

    private const int EExist = 17;

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);

    /// <summary>Creates <paramref name="path"/> (it must not exist) holding <paramref name="text"/>, flushed to disk.</summary>
    private static async Task WriteDurablyAsync(string path, string text, CancellationToken cancellation)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), cancellation).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>The directory of an application and environment; created only by what writes to it, so that reading (and -WhatIf) leaves no trace.</summary>
    private string Directory(string application, string environment) => Path.Combine(_root, SafeName(application), SafeName(environment));

    private static string SafeName(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray();
        var safe = new string(chars).Trim('.');
        return safe.Length == 0 ? "_" : safe;
    }

    private static async Task<DeployLock?> ReadLockAsync(string path, CancellationToken cancellation)
    {
        string text;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                text = await File.ReadAllTextAsync(path, cancellation).ConfigureAwait(false);
                break;
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                return null;
            }
            catch (IOException) when (attempt < 20)
            {
                // Held open by a writer of an older ReleaseOps (created, then written in place): it is done in moments.
                await Task.Delay(10, cancellation).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new ReleaseOpsException("DeploymentLockUnreadable", FailureKind.Conflict,
                    $"The deploy lock {path} cannot be read: {ex.Message}", path, "Check the journal directory; remove the lock with Unlock-Deployment -Force once no deployment runs.", ex);
            }
        }
        var where = $"{path} ({(text.Trim().Length == 0 ? "empty" : "not a lock")}, written {File.GetLastWriteTimeUtc(path):u})";
        try
        {
            var held = JournalSerializer.Read<DeployLock>(text);
            return held.Application is null || held.Holder is null ? Unreadable(where) : held;
        }
        catch (JsonException)
        {
            return Unreadable(where);
        }

        // No holder can be named (a crash of an old version between create and write, or an edit): not "unknown (pid 0)".
        static DeployLock Unreadable(string where) =>
            new("?", "?", "nobody", ProcessIdentity.Current.Host, 0, DateTimeOffset.MinValue, null) { Problem = "the lock file " + where };
    }

    private static async Task<ReleaseRecord> ReadReleaseAsync(string path, CancellationToken cancellation)
    {
        var text = await File.ReadAllTextAsync(path, cancellation).ConfigureAwait(false);
        try
        {
            return JournalSerializer.Read<ReleaseRecord>(text);
        }
        catch (JsonException ex)
        {
            // Say which it is: text that is not JSON at all, or JSON that is not a release record ({} lacks every field).
            var isJson = true;
            try
            {
                using var _ = JsonDocument.Parse(text);
            }
            catch (JsonException)
            {
                isJson = false;
            }
            throw new ReleaseOpsException("JournalCorrupt", FailureKind.IntegrityFailure,
                isJson
                    ? $"The journal entry {path} is JSON but not a release record: {ex.Message}"
                    : $"The journal entry {path} is not valid JSON{(text.Trim().Length == 0 ? " (it is empty)" : "")}.", path,
                "Restore the file from a backup or move it aside; ReleaseOps never writes partial entries.", ex);
        }
    }
}
