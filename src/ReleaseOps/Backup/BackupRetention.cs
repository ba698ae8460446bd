using System.Runtime.CompilerServices;
using ReleaseOps.Errors;
using ReleaseOps.Operations;

namespace ReleaseOps.Backup;

/// <summary>Which backups retention may remove: in a directory, optionally under one name or of one kind.</summary>
public sealed record RetentionRequest
{
    public required string Directory { get; init; }
    public string? Name { get; init; }
    public BackupKind? Kind { get; init; }
    /// <summary>Keep at most this many backups per name.</summary>
    public int? KeepCount { get; init; }
    /// <summary>Remove backups older than this.</summary>
    public TimeSpan? MaxAge { get; init; }
    /// <summary>A backup never to remove (the one just taken).</summary>
    public string? KeepId { get; init; }
    /// <summary>The time ages are measured from; default now.</summary>
    public DateTimeOffset? Now { get; init; }
}

/// <summary>
/// The one place backups are removed: retention by count and age (Remove-ReleaseBackup, the CLI's
/// <c>backup prune</c>, and a plan's <c>retention:</c> after each backup it takes), and removal of
/// one backup by hand. The newest backup whose test-restore passed is never removed by retention,
/// and by hand only when forced. Each removal is confirmed first (<see cref="Confirmation"/>); the
/// manifest goes before the data, so a half-removed backup never looks complete.
/// </summary>
public static class BackupRetention
{
    /// <summary>Applies retention; yields every backup it selected, removed or (not confirmed) kept.</summary>
    public static async IAsyncEnumerable<BackupRemoval> ApplyAsync(RetentionRequest request, Confirmation confirm, IOperationReporter reporter,
        [EnumeratorCancellation] CancellationToken cancellation)
    {
        if (request.KeepCount is null && request.MaxAge is null)
        {
            throw new ReleaseOpsException("RetentionRuleMissing", FailureKind.InvalidArgument,
                "Retention needs a keep count, a maximum age or both.", request.Directory,
                "Give -KeepCount N and/or -MaxAge 30d (releaseops backup prune: --keep N, --max-age 30d).");
        }
        var all = await new BackupCatalog().ListAllAsync(request.Directory, request.Name, request.Kind, reporter, cancellation).ConfigureAwait(false);
        foreach (var (backup, reason) in BackupCatalog.SelectForRemoval(all, request.KeepCount, request.MaxAge, request.Now ?? DateTimeOffset.UtcNow))
        {
            if (backup.Id != request.KeepId)
            {
                yield return await RemoveAsync(backup, reason, confirm, reporter).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes one backup by hand; the newest verified backup of its name only with <paramref name="force"/>.</summary>
    public static async Task<BackupRemoval> RemoveAsync(ReleaseBackup backup, bool force, Confirmation confirm, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        if (!force)
        {
            var siblings = await new BackupCatalog().ListAllAsync(backup.Directory, backup.Name, backup.Kind, reporter, cancellation).ConfigureAwait(false);
            if (siblings.FirstOrDefault(b => b.Verified == true)?.Id == backup.Id)
            {
                throw new ReleaseOpsException("BackupIsLastVerified", FailureKind.Conflict,
                    $"Backup {backup.Id} is the newest verified backup of '{backup.Name}'; it is kept.", backup.Id,
                    "Verify a newer backup first (Test-PgBackup), or pass -Force.");
            }
        }
        return await RemoveAsync(backup, "requested", confirm, reporter).ConfigureAwait(false);
    }

    private static async Task<BackupRemoval> RemoveAsync(ReleaseBackup backup, string reason, Confirmation confirm, IOperationReporter reporter)
    {
        var removed = await confirm(backup.Id, $"Remove backup ({reason}; {backup.SizeBytes:N0} bytes, taken {backup.CreatedAt:u})").ConfigureAwait(false);
        if (removed)
        {
            BackupCatalog.Remove(backup);
            reporter.Verbose($"Removed backup {backup.Id} ({reason}).");
        }
        return new BackupRemoval(backup, reason, removed);
    }
}
