using System.Management.Automation;
using ReleaseOps.Backup;
using ReleaseOps.Plans;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Backs up a PostgreSQL database with pg_dump, verified, with a manifest.</para>
/// <para type="description">Runs pg_dump (custom format, or directory format with -Jobs for parallel dumps) on a
/// snapshot exported from a repeatable-read transaction, counting every table's rows in that same snapshot. The dump
/// streams to a temporary file (mode 0600) while its SHA-256 is computed, optionally encrypted with AES-256-GCM; the
/// file is read back and compared, renamed into place, and the manifest (database, server and pg_dump versions, size,
/// SHA-256, times, row counts, release, encryption) is written last. A failed or interrupted backup leaves nothing that
/// looks complete. The password reaches pg_dump in a 0600 password file, never on its command line.</para>
/// </summary>
/// <example><code>Backup-PgDatabase -Database shop -Server db1 -Credential $cred -Destination /backups/shop | Test-PgBackup -Credential $cred</code></example>
/// <example><code>Get-ReleasePlan ./releaseplan.yml | Backup-PgDatabase -Release v2.4.0</code></example>
/// <example><code>Backup-PgDatabase -PlanPath ./releaseplan.yml -BackupName app-db</code></example>
[Cmdlet(VerbsData.Backup, "PgDatabase", SupportsShouldProcess = true, DefaultParameterSetName = "Connection")]
[OutputType(typeof(ReleaseBackup))]
public sealed class BackupPgDatabaseCommand : PgCmdletBase
{
    /// <summary>
    /// <para type="description">The database to back up.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Connection")]
    [ValidateNotNullOrEmpty]
    public string[] Database { get; set; } = Array.Empty<string>();

    /// <summary>
    /// <para type="description">Directory for the backup file and its manifest (created with mode 0700 if missing).</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = "Connection")]
    [Parameter(ParameterSetName = "Definition")]
    [Alias("Path")]
    public string? Destination { get; set; }

    /// <summary>
    /// <para type="description">custom (one streamed file, the default) or directory (parallel with -Jobs).</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    [ValidateSet("custom", "directory")]
    public string Format { get; set; } = "custom";

    /// <summary>
    /// <para type="description">Parallel pg_dump jobs (directory format only).</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = 1;

    /// <summary>
    /// <para type="description">pg_dump compression level 0-9 (default: pg_dump's).</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    [ValidateRange(0, 9)]
    public int? CompressionLevel { get; set; }

    /// <summary>
    /// <para type="description">Name to file the backup under (default: the database name).</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    public string? Name { get; set; }

    /// <summary>
    /// <para type="description">The release (version) this backup belongs to; recorded in the manifest.</para>
    /// </summary>
    [Parameter]
    public string? Release { get; set; }

    /// <summary>
    /// <para type="description">Also record an order-independent hash of each table's rows, compared by Test-PgBackup.</para>
    /// </summary>
    [Parameter]
    public SwitchParameter TableChecksum { get; set; }


    /// <summary>
    /// <para type="description">A release plan (from Get-ReleasePlan): backs up its PostgreSQL backups, or those named by -BackupName.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Plan")]
    public ReleasePlan? Plan { get; set; }

    /// <summary>
    /// <para type="description">Path of a release plan (YAML): backs up its PostgreSQL backups, or those named by -BackupName.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = "PlanFile")]
    [ValidateNotNullOrEmpty]
    public string? PlanPath { get; set; }

    /// <summary>
    /// <para type="description">With -Plan or -PlanPath: the names of the plan's backups to take (default: all PostgreSQL backups).</para>
    /// </summary>
    [Parameter(ParameterSetName = "Plan")]
    [Parameter(ParameterSetName = "PlanFile")]
    public string[]? BackupName { get; set; }

    /// <summary>
    /// <para type="description">One backup definition of a plan. Its password reference is not expanded here: give -Credential or -PasswordVariable.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Definition")]
    public BackupDefinition? Definition { get; set; }

    protected override void ProcessRecord()
    {
        if (PlanPath is not null || Plan is not null)
        {
            var file = PlanPath is null ? null : ResolvePath(PlanPath);
            var given = Plan;
            Run(async op =>
            {
                var plan = given ?? await ReleasePlanLoader.LoadAsync(file!, null, op.Cancellation).ConfigureAwait(false);
                var backups = new PlanBackups(new PlanBackupSettings { TableChecksums = TableChecksum.IsPresent, ToolDirectory = ToolDirectory });
                foreach (var definition in PlanBackups.Select(plan, BackupSourceType.Postgres, BackupName))
                {
                    if (await op.ShouldProcessAsync($"{definition.Name} ({definition.Connection}/{definition.Connection.Database})",
                            $"Back up to {definition.Destination}").ConfigureAwait(false))
                    {
                        op.Emit(await backups.BackupAsync(definition, plan.Secrets, BackupReasons.Manual, Release ?? plan.Version, op, op.Cancellation)
                            .ConfigureAwait(false));
                    }
                }
            }, file ?? given?.ToString());
            return;
        }
        if (!TryPrepare(() => Requests().ToList(), out var requests))
        {
            return;
        }
        foreach (var request in requests)
        {
            var target = request.Source.Describe();
            Run(async op =>
            {
                if (!await op.ShouldProcessAsync(target, $"Back up to {request.Destination}").ConfigureAwait(false))
                {
                    return null;
                }
                return await new PgBackupService().BackupAsync(request, op, op.Cancellation).ConfigureAwait(false);
            }, target);
        }
    }

    private IEnumerable<PgBackupRequest> Requests()
    {
        if (Definition is not null)
        {
            var endpoint = Endpoint(Definition.Connection.Database ?? "postgres");
            yield return new PgBackupRequest
            {
                Source = endpoint with
                {
                    Host = Server ?? Definition.Connection.Host,
                    Port = Port != 0 ? Port : Definition.Connection.Port ?? 5432,
                    Username = Credential?.UserName ?? User ?? Definition.Connection.Username ?? endpoint.Username,
                    SslMode = SslMode ?? Definition.Connection.SslMode,
                },
                Destination = Destination ?? Definition.Destination,
                Name = Definition.Name,
                Format = Definition.Format,
                Jobs = Definition.Jobs,
                Release = Release,
                EncryptionKey = EncryptionKeySecret(),
                TableChecksums = TableChecksum.IsPresent,
                ToolDirectory = ToolDirectory,
            };
            yield break;
        }
        foreach (var database in Database)
        {
            yield return new PgBackupRequest
            {
                Source = Endpoint(database),
                Destination = Destination!,
                Name = Name,
                Format = Format,
                Jobs = Jobs,
                CompressionLevel = CompressionLevel,
                Release = Release,
                EncryptionKey = EncryptionKeySecret(),
                TableChecksums = TableChecksum.IsPresent,
                ToolDirectory = ToolDirectory,
            };
        }
    }
}
