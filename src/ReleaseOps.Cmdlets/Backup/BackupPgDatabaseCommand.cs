using System.Collections;
using System.Management.Automation;
using ReleaseOps.Backup;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Backs up a PostgreSQL database with pg_dump, verified, with a manifest.</para>
/// <para type="description">Runs pg_dump (custom format, or directory format with -Jobs for parallel dumps) on a
/// snapshot exported from a repeatable-read transaction, counting every table's rows in that same snapshot. The dump
/// streams to a temporary file (mode 0600) while its SHA-256 is computed, optionally encrypted with AES-256-GCM; the
/// file is read back and compared, renamed into place, and the manifest (database, server and pg_dump versions, size,
/// SHA-256, times, row counts, release, encryption) is written last. A failed or interrupted backup leaves nothing that
/// looks complete. The password reaches pg_dump in a 0600 password file, never on its command line. Given a release
/// plan (or one of its backup definitions), takes the plan's PostgreSQL backups as the plan says: test-restored when
/// it says verify, followed by its retention.</para>
/// </summary>
/// <example><code>Backup-PgDatabase -Database $database -Server 127.0.0.1 -Port $pgPort -Credential $cred -Destination ./backups | Test-PgBackup -Credential $cred</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Backup-PgDatabase -Release v2.4.0</code></example>
/// <example><code>Backup-PgDatabase -PlanPath ./releaseplan.yml -BackupName app-db -WhatIf</code></example>
/// <example><code>$plan.Backups[0] | Backup-PgDatabase -Credential $cred -Destination ./adhoc</code></example>
[Cmdlet(VerbsData.Backup, "PgDatabase", SupportsShouldProcess = true)]
[OutputType(typeof(ReleaseBackup))]
public sealed class BackupPgDatabaseCommand : PgCmdletBase
{
    private const string ConnectionSet = "Connection";
    private const string DefinitionSet = "Definition";
    private const string PlanSet = "Plan";
    private const string PlanPathSet = "PlanPath";

    /// <summary>
    /// <para type="description">The database to back up.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = ConnectionSet)]
    [ValidateNotNullOrEmpty]
    public string[] Database { get; set; } = Array.Empty<string>();

    /// <summary>
    /// <para type="description">Directory for the backup file and its manifest, relative to the current location (created with mode 0700 if missing). With -Definition, instead of the definition's.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ConnectionSet)]
    [Parameter(ParameterSetName = DefinitionSet)]
    [Alias("Path")]
    public string? Destination { get; set; }

    /// <summary>
    /// <para type="description">custom (one streamed file, the default) or directory (parallel with -Jobs).</para>
    /// </summary>
    [Parameter(ParameterSetName = ConnectionSet)]
    [ValidateSet("custom", "directory")]
    public string Format { get; set; } = "custom";

    /// <summary>
    /// <para type="description">Parallel pg_dump jobs (directory format only).</para>
    /// </summary>
    [Parameter(ParameterSetName = ConnectionSet)]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = 1;

    /// <summary>
    /// <para type="description">pg_dump compression level 0-9 (default: pg_dump's).</para>
    /// </summary>
    [Parameter(ParameterSetName = ConnectionSet)]
    [ValidateRange(0, 9)]
    public int? CompressionLevel { get; set; }

    /// <summary>
    /// <para type="description">Name to file the backup under (default: the database name).</para>
    /// </summary>
    [Parameter(ParameterSetName = ConnectionSet)]
    public string? Name { get; set; }

    /// <summary>
    /// <para type="description">The release (version) this backup belongs to; recorded in the manifest. With a plan, default the plan's version.</para>
    /// </summary>
    [Parameter]
    public string? Release { get; set; }

    /// <summary>
    /// <para type="description">Also record an order-independent hash of each table's rows, compared by Test-PgBackup.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter TableChecksum { get; set; }

    /// <summary><para type="description">A release plan from Get-ReleasePlan, usually piped in: backs up its PostgreSQL backups, or those named by -BackupName.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PlanSet)]
    public ReleasePlan? Plan { get; set; }

    /// <summary><para type="description">Path of a release plan file (YAML), relative to the current location; wildcards select several. Backs up its PostgreSQL backups, or those named by -BackupName.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = PlanPathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? PlanPath { get; set; }

    /// <summary><para type="description">Values for ${var:NAME} references in the plan file; they override its variables block.</para></summary>
    [Parameter(ParameterSetName = PlanPathSet)]
    public Hashtable? Variable { get; set; }

    /// <summary>
    /// <para type="description">With -Plan or -PlanPath: the names of the plan's backups to take (default: all PostgreSQL backups).</para>
    /// </summary>
    [Parameter(ParameterSetName = PlanSet)]
    [Parameter(ParameterSetName = PlanPathSet)]
    public string[]? BackupName { get; set; }

    /// <summary>
    /// <para type="description">One backup definition of a plan ($plan.Backups[0]), taken as it says. Its secret references are not expanded without the plan: give -Credential or -PasswordVariable (and -EncryptionKey* for an encrypted one).</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = DefinitionSet)]
    public BackupDefinition? Definition { get; set; }

    protected override void ProcessRecord()
    {
        var backups = new PlanBackups(new PlanBackupSettings { TableChecksums = TableChecksum.IsPresent, ToolDirectory = Tools });
        switch (ParameterSetName)
        {
            case PlanSet or PlanPathSet:
                ForEachPlan(Plan, PlanPath, Variable, async (op, plan) =>
                {
                    foreach (var definition in PlanBackups.Select(plan, BackupSourceType.Postgres, BackupName))
                    {
                        await TakeAsync(op, backups, definition, plan.Secrets, Release ?? plan.Version).ConfigureAwait(false);
                    }
                });
                break;
            case DefinitionSet:
                var given = Definition!;
                if (TryPrepare(() => Standalone(given), out var standalone, given.Name))
                {
                    Run(op => TakeAsync(op, backups, standalone.Definition, standalone.Secrets, Release), given.Name);
                }
                break;
            default:
                foreach (var database in Database)
                {
                    if (!TryPrepare(() => Request(database), out var request, database))
                    {
                        continue;
                    }
                    var target = request.Source.Describe();
                    Run(async op => await op.ShouldProcessAsync(target, $"Back up to {request.Destination}").ConfigureAwait(false)
                        ? await new PgBackupService().BackupAsync(request, op, op.Cancellation).ConfigureAwait(false)
                        : null, target);
                }
                break;
        }
    }

    private (BackupDefinition Definition, ReleaseOps.Plans.SecretCatalog Secrets) Standalone(BackupDefinition definition)
    {
        var (user, password) = ReleaseOps.Cmdlets.Hosting.SecretConversion.From(Credential, User, PasswordVariable);
        return Standalone(definition, definition.Connection with
        {
            Host = Server ?? definition.Connection.Host,
            Port = Port != 0 ? Port : definition.Connection.Port,
            Username = user ?? definition.Connection.Username,
            SslMode = SslMode ?? definition.Connection.SslMode,
        }, password, Destination);
    }

    private PgBackupRequest Request(string database) => new()
    {
        Source = Endpoint(database),
        Destination = ResolvePath(Destination!),
        Name = Name,
        Format = Format,
        Jobs = Jobs,
        CompressionLevel = CompressionLevel,
        Release = Release,
        EncryptionKey = EncryptionKeySecret(),
        TableChecksums = TableChecksum.IsPresent,
        ToolDirectory = Tools,
    };
}
