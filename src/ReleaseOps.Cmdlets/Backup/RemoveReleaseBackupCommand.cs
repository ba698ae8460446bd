using System.Management.Automation;
using ReleaseOps.Backup;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Removes backups: the ones piped in, or those a retention rule selects.</para>
/// <para type="description">With -KeepCount and/or -MaxAge, applies retention to a directory per backup name: backups
/// beyond the newest N, or older than the age, are removed. The newest backup whose test-restore passed is never
/// removed, by retention or (without -Force) by hand. The manifest goes first, so a half-removed backup never looks
/// complete. -WhatIf shows what would be removed.</para>
/// </summary>
/// <example><code>Remove-ReleaseBackup -Path ./backups -KeepCount 7 -MaxAge 30d -WhatIf</code></example>
/// <example><code>Get-ReleaseBackup ./backups -Reason emergency | Remove-ReleaseBackup -Confirm:$false</code></example>
/// <example><code>$plan.Backups | Remove-ReleaseBackup -KeepCount 2 -Confirm:$false</code></example>
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
    /// <para type="description">The backup directory to apply retention to, relative to the current location; wildcards select several. Accepts a plan's backup definitions ($plan.Backups) by property name.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Retention")]
    [Alias("Destination", "Directory")]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    /// <summary>
    /// <para type="description">Keep at most this many backups per name.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Retention")]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepCount { get; set; }

    /// <summary>
    /// <para type="description">Remove backups older than this: 30d, 12h or a TimeSpan.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Retention")]
    [ReleaseOps.Cmdlets.Hosting.Duration]
    public TimeSpan? MaxAge { get; set; }

    /// <summary>
    /// <para type="description">Apply retention only to backups filed under this name.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Retention")]
    public string? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (Backup is not null)
        {
            var backup = Backup;
            Run(op => BackupRetention.RemoveAsync(backup, Force.IsPresent, op.ShouldProcessAsync, op, op.Cancellation), backup.Id);
            return;
        }
        foreach (var directory in ResolveInputPaths(Path!))
        {
            var request = new RetentionRequest { Directory = directory, Name = Name, KeepCount = KeepCount, MaxAge = MaxAge };
            RunStream(op => BackupRetention.ApplyAsync(request, op.ShouldProcessAsync, op, op.Cancellation), directory);
        }
    }
}
