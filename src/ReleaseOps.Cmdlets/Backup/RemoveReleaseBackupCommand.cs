using System.Management.Automation;
using ReleaseOps.Backup;
using ReleaseOps.Errors;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Removes backups: the ones piped in, or those a retention rule selects.</para>
/// <para type="description">With -KeepCount and/or -MaxAge, applies retention to a directory per backup name: backups
/// beyond the newest N, or older than the age, are removed. The newest backup whose test-restore passed is never
/// removed, by retention or (without -Force) by hand. The manifest goes first, so a half-removed backup never looks
/// complete. -WhatIf shows what would be removed.</para>
/// </summary>
/// <example><code>Remove-ReleaseBackup -Path /backups/shop -KeepCount 7 -MaxAge 30.00:00:00 -WhatIf</code></example>
/// <example><code>Get-ReleaseBackup /backups/shop -Reason emergency | Remove-ReleaseBackup</code></example>
[Cmdlet(VerbsCommon.Remove, "ReleaseBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium,
    DefaultParameterSetName = "Backup")]
[OutputType(typeof(BackupRemoval))]
public sealed class RemoveReleaseBackupCommand : ReleaseOps.Cmdlets.Hosting.ReleaseOpsCmdlet
{
    /// <summary>
    /// <para type="description">A backup from Get-ReleaseBackup.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Backup")]
    public ReleaseBackup? Backup { get; set; }

    /// <summary>
    /// <para type="description">Remove even the newest verified backup.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Backup")]
    public SwitchParameter Force { get; set; }


    /// <summary>
    /// <para type="description">The backup directory to apply retention to.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Retention")]
    [Alias("Destination", "Directory")]
    public string? Path { get; set; }

    /// <summary>
    /// <para type="description">Keep at most this many backups per name.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Retention")]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepCount { get; set; }

    /// <summary>
    /// <para type="description">Remove backups older than this.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Retention")]
    public TimeSpan? MaxAge { get; set; }

    /// <summary>
    /// <para type="description">Apply retention only to backups filed under this name.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Retention")]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        Run(async op =>
        {
            if (Backup is not null)
            {
                var siblings = await new BackupCatalog().ListAllAsync(Backup.Directory, Backup.Name, Backup.Kind, op, op.Cancellation)
                    .ConfigureAwait(false);
                var lastVerified = siblings.FirstOrDefault(b => b.Verified == true);
                if (!Force.IsPresent && lastVerified?.Id == Backup.Id)
                {
                    op.Fail(new ReleaseOpsException("BackupIsLastVerified", FailureKind.Conflict,
                        $"Backup {Backup.Id} is the newest verified backup of '{Backup.Name}'; it is kept.", Backup.Id,
                        "Verify a newer backup first (Test-PgBackup), or pass -Force."), Backup.Id);
                    return;
                }
                await RemoveAsync(op, Backup, "requested").ConfigureAwait(false);
                return;
            }
            if (KeepCount is null && MaxAge is null)
            {
                throw new ReleaseOpsException("RetentionRuleMissing", FailureKind.InvalidArgument,
                    "Retention needs -KeepCount, -MaxAge or both.", Path, "Give -KeepCount N and/or -MaxAge d.hh:mm:ss.");
            }
            var all = await new BackupCatalog().ListAllAsync(Path!, Name, null, op, op.Cancellation).ConfigureAwait(false);
            foreach (var (backup, reason) in BackupCatalog.SelectForRemoval(all, KeepCount, MaxAge, DateTimeOffset.UtcNow))
            {
                await RemoveAsync(op, backup, reason).ConfigureAwait(false);
            }
        }, Backup?.Id ?? Path);
    }

    private static async Task RemoveAsync(Hosting.CmdletOperation op, ReleaseBackup backup, string reason)
    {
        var removed = await op.ShouldProcessAsync(backup.Id, $"Remove backup ({reason}; {backup.SizeBytes:N0} bytes, taken {backup.CreatedAt:u})")
            .ConfigureAwait(false);
        if (removed)
        {
            BackupCatalog.Remove(backup);
        }
        op.Emit(new BackupRemoval(backup, reason, removed));
    }
}
