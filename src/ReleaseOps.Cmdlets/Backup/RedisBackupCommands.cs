using ReleaseOps.Cmdlets.Hosting;
using System.Management.Automation;
using ReleaseOps.Backup;
using ReleaseOps.Plans;
using ReleaseOps.Infrastructure.Redis;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Backs up a Redis server over the network as an RDB snapshot, with a manifest.</para>
/// <para type="description">Connects (TLS optional; password or ACL user), reads the key counts per database, and asks
/// for a snapshot the way redis-cli --rdb does (SYNC as an RDB-only replica). The RDB streams into a temporary file
/// (mode 0600) while it is hashed and optionally encrypted, is read back and compared, renamed into place, and the
/// manifest (key counts, size, SHA-256, server version, times) is written last. Works for remote servers: nothing on
/// the server's disk is read. An ACL user needs +sync and +replconf.</para>
/// </summary>
/// <example><code>Backup-RedisData -Server cache1 -Credential $cred -Destination /backups/cache | Test-RedisBackup</code></example>
[Cmdlet(VerbsData.Backup, "RedisData", SupportsShouldProcess = true, DefaultParameterSetName = "Connection")]
[OutputType(typeof(ReleaseBackup))]
public sealed class BackupRedisDataCommand : BackupCmdletBase
{
    /// <summary>
    /// <para type="description">Redis host (default 127.0.0.1).</para>
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Connection")]
    [Alias("Host")]
    public string Server { get; set; } = "127.0.0.1";

    /// <summary>
    /// <para type="description">Redis port (default 6379).</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = "Connection")]
    [ValidateRange(1, 65535)]
    public int Port { get; set; } = 6379;

    /// <summary>
    /// <para type="description">Password, and the ACL user as user name (leave it empty or 'default' for requirepass).</para>
    /// </summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// <para type="description">ACL user when no -Credential is given.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    public string? User { get; set; }

    /// <summary>
    /// <para type="description">Name of an environment variable holding the password, used when no -Credential is given.</para>
    /// </summary>
    [Parameter]
    public string? PasswordVariable { get; set; }

    /// <summary>
    /// <para type="description">Connect with TLS.</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    public SwitchParameter UseTls { get => new(UseTlsRequested); set => UseTlsRequested = value.IsPresent; }

    /// <summary>Whether -UseTls was given (tests set it directly: the PowerShellStandard SwitchParameter is a stub).</summary>
    internal bool UseTlsRequested { get; set; }

    /// <summary>
    /// <para type="description">PEM file of the CA that signed the server's certificate (a private CA).</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    public string? TlsCaCertificateFile { get; set; }

    /// <summary>
    /// <para type="description">Directory for the RDB and its manifest.</para>
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = "Connection")]
    [Parameter(ParameterSetName = "Definition")]
    [Alias("Path")]
    public string? Destination { get; set; }

    /// <summary>
    /// <para type="description">Name to file the backup under (default redis-HOST-PORT).</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    public string? Name { get; set; }

    /// <summary>
    /// <para type="description">The release this backup belongs to.</para>
    /// </summary>
    [Parameter]
    public string? Release { get; set; }

    /// <summary>
    /// <para type="description">A Redis backup definition of a plan; its password reference is not expanded here: give -Credential or -PasswordVariable.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Definition")]
    public BackupDefinition? Definition { get; set; }

    protected override void ProcessRecord()
    {
        if (TryPrepare(Prepare, out var request))
        {
            Run(async op =>
            {
                if (!await op.ShouldProcessAsync(request.Source.Endpoint, $"Back up to {request.Destination}").ConfigureAwait(false))
                {
                    return null;
                }
                return await new RedisBackupService().BackupAsync(request, op, op.Cancellation).ConfigureAwait(false);
            }, request.Source.Endpoint);
        }
    }

    private RedisBackupRequest Prepare()
    {
        var (user, password) = SecretConversion.From(Credential, User, PasswordVariable);
        if (user is "" or "default")
        {
            user = null;
        }
        var source = Definition is null
            ? new RedisConnectionOptions
            {
                Host = Server, Port = Port, User = user, Password = password, UseTls = UseTlsRequested, TlsCaCertificateFile = TlsCaCertificateFile,
                CommandTimeout = TimeSpan.FromSeconds(30),
            }
            : PlanBackups.RedisOptions(Definition.Connection with { Password = null }, SecretCatalog.Empty) with
            {
                User = user ?? Definition.Connection.Username,
                Password = password,
            };
        return new RedisBackupRequest
        {
            Source = source,
            Destination = Destination ?? Definition?.Destination ?? ".",
            Name = Name ?? Definition?.Name,
            Release = Release,
            EncryptionKey = EncryptionKeySecret(),
        };
    }
}

/// <summary>
/// <para type="synopsis">Test-restores a Redis backup into a scratch redis-server and compares key counts.</para>
/// <para type="description">Verifies the SHA-256 while copying (and decrypting) the RDB into a scratch directory,
/// starts a private redis-server on 127.0.0.1 that loads it as its dbfilename, compares the keys per database with the
/// manifest, and stops the server. Writes one result with each level's status and time; a failure is also reported as
/// an error. The result is recorded in the backup's manifest.</para>
/// </summary>
/// <example><code>Get-ReleaseBackup /backups/cache -Kind Redis -Latest | Test-RedisBackup</code></example>
[Cmdlet(VerbsDiagnostic.Test, "RedisBackup", DefaultParameterSetName = "Backup")]
[OutputType(typeof(BackupVerification))]
public sealed class TestRedisBackupCommand : BackupCmdletBase
{
    /// <summary>
    /// <para type="description">A Redis backup from Backup-RedisData or Get-ReleaseBackup.</para>
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = "Backup")]
    public ReleaseBackup? Backup { get; set; }

    /// <summary>
    /// <para type="description">Path of a backup manifest (*.manifest.json).</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Manifest")]
    [Alias("FullName")]
    public string? ManifestPath { get; set; }

    /// <summary>
    /// <para type="description">Port for the scratch redis-server (default: a free port).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int ScratchPort { get; set; }

    /// <summary>
    /// <para type="description">Directory for the scratch server's files (default: a temp directory, removed afterwards).</para>
    /// </summary>
    [Parameter]
    public string? ScratchDirectory { get; set; }

    /// <summary>
    /// <para type="description">Path of redis-server (default: from PATH).</para>
    /// </summary>
    [Parameter]
    public string RedisServerPath { get; set; } = "redis-server";

    protected override void ProcessRecord()
    {
        Run(async op =>
        {
            var backup = Backup ?? await BackupCatalog.ReadAsync(ManifestPath!, op.Cancellation).ConfigureAwait(false);
            var result = await new RedisBackupService().TestAsync(backup, new RedisVerifyRequest
            {
                Port = ScratchPort,
                ScratchDirectory = ScratchDirectory,
                RedisServerBinary = RedisServerPath,
                EncryptionKey = EncryptionKeySecret(),
            }, op, op.Cancellation).ConfigureAwait(false);
            op.Emit(result);
            if (result.ToException() is { } failure)
            {
                op.Fail(failure, backup.Id);
            }
        }, Backup?.Id ?? ManifestPath);
    }
}
