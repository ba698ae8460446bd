using System.Management.Automation;
using ReleaseOps.Backup;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Test-restores a PostgreSQL backup and reports each check (the dbatools Test-DbaLastBackup model).</para>
/// <para type="description">Verifies the backup's SHA-256, reads its table of contents with pg_restore --list (the quick
/// level, -Quick stops here), restores it into a scratch database whose name starts with -ScratchPrefix, compares every
/// table's row count (and row hash, when the backup recorded them) with the manifest, and drops the scratch database.
/// Writes one result with every level's status, time and the differences found; a failed test is also reported as an
/// error. A damaged backup is never restored. The result is recorded in the backup's manifest.</para>
/// </summary>
/// <example><code>Get-ReleaseBackup ./backups -Latest | Test-PgBackup -Credential $cred</code></example>
/// <example><code>Test-PgBackup -ManifestPath ./backups/*.manifest.json -Credential $cred -Quick</code></example>
[Cmdlet(VerbsDiagnostic.Test, "PgBackup", DefaultParameterSetName = "Backup")]
[OutputType(typeof(BackupVerification))]
public sealed class TestPgBackupCommand : PgBackupInputCmdletBase
{
    /// <summary>
    /// <para type="description">Only the quick levels: checksum and pg_restore --list.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Quick { get; set; }


    /// <summary>
    /// <para type="description">Prefix of the generated scratch database name (default releaseops_verify_).</para>
    /// </summary>
    [Parameter]
    public string ScratchPrefix { get; set; } = "releaseops_verify_";

    /// <summary>
    /// <para type="description">An exact scratch database name; if it exists the test fails and the database is left untouched.</para>
    /// </summary>
    [Parameter]
    public string? ScratchName { get; set; }

    /// <summary>
    /// <para type="description">Keep the scratch database after the test (for inspection).</para>
    /// </summary>
    [Parameter]
    public SwitchParameter KeepScratch { get; set; }


    protected override void ProcessRecord()
    {
        if (!TryPrepare(() => (Key: EncryptionKeySecret(), Tools), out var prepared))
        {
            return;
        }
        ForEachBackup(async (op, backup) =>
        {
            var result = await new PgBackupVerifier().TestAsync(backup, new PgVerifyRequest
            {
                Server = Endpoint(MaintenanceDatabase, backup),
                Depth = Quick.IsPresent ? VerificationDepth.Quick : VerificationDepth.Full,
                ScratchPrefix = ScratchPrefix,
                ScratchName = ScratchName,
                KeepScratch = KeepScratch.IsPresent,
                Jobs = Jobs,
                EncryptionKey = prepared.Key,
                ToolDirectory = prepared.Tools,
            }, op, op.Cancellation).ConfigureAwait(false);
            op.Emit(result);
            if (result.ToException() is { } failure)
            {
                op.Fail(failure, backup.Id);
            }
        });
    }
}
