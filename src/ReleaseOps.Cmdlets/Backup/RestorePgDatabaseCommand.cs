using System.Management.Automation;
using ReleaseOps.Backup;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Restores a PostgreSQL backup into the same or a new database, safely.</para>
/// <para type="description">Verifies the backup's checksum, takes an emergency backup of the target's current state
/// (unless -SkipEmergencyBackup), restores into a staging database beside the target, compares row counts with the
/// manifest, then swaps the names in one transaction and drops the previous database (or keeps it with -KeepReplaced).
/// Any failure before the swap leaves the target as it was. Asks for confirmation (ConfirmImpact High); -WhatIf shows
/// what would be replaced.</para>
/// </summary>
/// <example><code>Get-ReleaseBackup ./backups -Latest | Restore-PgDatabase -Credential $cred -TerminateConnections -Confirm:$false</code></example>
/// <example><code>Restore-PgDatabase -ManifestPath ./backups/*.manifest.json -Database shop_copy -Credential $cred -WhatIf</code></example>
[Cmdlet(VerbsData.Restore, "PgDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Backup")]
[OutputType(typeof(RestoreResult))]
public sealed class RestorePgDatabaseCommand : PgBackupInputCmdletBase
{
    /// <summary>
    /// <para type="description">The database to restore into (default: the backup's own database). Created if missing, replaced if present.</para>
    /// </summary>
    [Parameter]
    public string? Database { get; set; }

    /// <summary>
    /// <para type="description">End other sessions on the target so it can be replaced.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter TerminateConnections { get; set; }


    /// <summary>
    /// <para type="description">Do not back up the target's current state first.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter SkipEmergencyBackup { get; set; }


    /// <summary>
    /// <para type="description">Keep the replaced database under a _replaced_ name instead of dropping it.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter KeepReplaced { get; set; }


    /// <summary>
    /// <para type="description">Directory for the emergency backup, relative to the current location (default: the restored backup's directory).</para>
    /// </summary>
    [Parameter]
    public string? EmergencyBackupDestination { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryPrepare(() => (Key: EncryptionKeySecret(), Tools, Emergency: ResolveOptionalPath(EmergencyBackupDestination)), out var prepared))
        {
            return;
        }
        ForEachBackup(async (op, backup) =>
        {
            var target = Endpoint(Database ?? backup.Database ?? backup.Name, backup);
            if (!await op.ShouldProcessAsync(target.Describe(), $"Replace with backup {backup.Id} taken {backup.CreatedAt:u}").ConfigureAwait(false))
            {
                return;
            }
            op.Emit(await new PgRestoreService().RestoreAsync(backup, new PgRestoreRequest
            {
                Target = target,
                MaintenanceDatabase = MaintenanceDatabase,
                TerminateConnections = TerminateConnections.IsPresent,
                SkipEmergencyBackup = SkipEmergencyBackup.IsPresent,
                KeepReplaced = KeepReplaced.IsPresent,
                EmergencyBackupDestination = prepared.Emergency,
                Jobs = Jobs,
                EncryptionKey = prepared.Key,
                ToolDirectory = prepared.Tools,
            }, op, op.Cancellation).ConfigureAwait(false));
        });
    }
}
