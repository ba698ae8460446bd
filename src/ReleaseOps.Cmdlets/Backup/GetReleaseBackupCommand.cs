using System.Collections;
using System.Management.Automation;
using ReleaseOps.Backup;
using ReleaseOps.Errors;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Lists the complete backups in a directory, newest first, from their manifests.</para>
/// <para type="description">Reads every *.manifest.json in the directory (a data file without a manifest is an
/// unfinished backup and is not listed), or in each backup destination of a release plan. Filter by -Name, -Kind,
/// -Release or -Reason, take the newest with -Latest, and add -VerifyChecksum to re-read each data file and report
/// damaged ones as errors. A directory that does not exist is an ObjectNotFound error for that directory only. The
/// objects pipe into Test-PgBackup, Restore-PgDatabase, Test-RedisBackup and Remove-ReleaseBackup.</para>
/// </summary>
/// <example><code>Get-ReleaseBackup ./backups | Format-Table</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Get-ReleaseBackup -Latest | Test-PgBackup -Credential $cred</code></example>
/// <example><code>Get-ReleaseBackup ./back* -Reason manual -VerifyChecksum</code></example>
[Cmdlet(VerbsCommon.Get, "ReleaseBackup")]
[OutputType(typeof(ReleaseBackup))]
public sealed class GetReleaseBackupCommand : ReleaseOps.Cmdlets.Hosting.ReleaseOpsCmdlet
{
    private const string PathSet = "Path";
    private const string PlanSet = "Plan";
    private const string PlanPathSet = "PlanPath";

    /// <summary>
    /// <para type="description">The backup directory, relative to the current location; wildcards select several. Accepts directories from Get-ChildItem and a plan's backup definitions ($plan.Backups) by property name.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("FullName", "PSPath", "Destination", "Directory")]
    [SupportsWildcards]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">A release plan from Get-ReleasePlan, usually piped in: lists the backups in each of its backup destinations.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PlanSet)]
    public ReleasePlan? Plan { get; set; }

    /// <summary><para type="description">Path of a release plan file (YAML), relative to the current location; wildcards select several. Lists the backups in each of its backup destinations.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = PlanPathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? PlanPath { get; set; }

    /// <summary><para type="description">Values for ${var:NAME} references in the plan file; they override its variables block.</para></summary>
    [Parameter(ParameterSetName = PlanPathSet)]
    public Hashtable? Variable { get; set; }

    /// <summary>
    /// <para type="description">Only backups filed under this name (the plan's backup name or the database).</para>
    /// </summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>
    /// <para type="description">Only PostgreSQL or only Redis backups.</para>
    /// </summary>
    [Parameter]
    public BackupKind? Kind { get; set; }

    /// <summary>
    /// <para type="description">Only backups recorded for this release.</para>
    /// </summary>
    [Parameter]
    public string? Release { get; set; }

    /// <summary>
    /// <para type="description">Only backups taken for this reason: manual, pre-deploy or emergency.</para>
    /// </summary>
    [Parameter]
    [ValidateSet("manual", "pre-deploy", "emergency")]
    public string? Reason { get; set; }

    /// <summary>
    /// <para type="description">Only the newest matching backup of each directory.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    /// <summary>
    /// <para type="description">Re-read each data file and compare its SHA-256; damaged backups are reported as errors and not written.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter VerifyChecksum { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == PathSet)
        {
            foreach (var directory in ResolveInputPaths(Path))
            {
                Run(op => ListAsync(op, directory), directory);
            }
            return;
        }
        ForEachPlan(Plan, PlanPath, Variable, async (op, plan) =>
        {
            foreach (var directory in plan.Backups.Where(b => Name is null || string.Equals(b.Name, Name, StringComparison.OrdinalIgnoreCase))
                         .Select(b => b.Destination).Distinct())
            {
                await ListAsync(op, directory).ConfigureAwait(false);
            }
        });
    }

    private async Task ListAsync(ReleaseOps.Cmdlets.Hosting.CmdletOperation op, string directory)
    {
        await foreach (var backup in new BackupCatalog().ListAsync(directory, Name, Kind, op, op.Cancellation).ConfigureAwait(false))
        {
            if ((Release is not null && backup.Release != Release) || (Reason is not null && backup.Reason != Reason))
            {
                continue;
            }
            if (VerifyChecksum.IsPresent)
            {
                try
                {
                    await BackupCatalog.VerifyChecksumAsync(backup, op.Cancellation).ConfigureAwait(false);
                }
                catch (ReleaseOpsException ex) when (!ex.EndsCommand)
                {
                    op.Fail(ex, backup.Id);
                    continue;
                }
            }
            op.Emit(backup);
            if (Latest.IsPresent)
            {
                break;
            }
        }
    }
}
