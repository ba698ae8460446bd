using ReleaseOps.Cmdlets.Hosting;
using System.Management.Automation;
using ReleaseOps.Backup;
using ReleaseOps.Plans;
using ReleaseOps.Redis;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>
/// <para type="synopsis">Backs up a Redis server over the network as an RDB snapshot, with a manifest.</para>
/// <para type="description">Connects (TLS optional; password or ACL user), reads the key counts per database, and asks
/// for a snapshot the way redis-cli --rdb does (SYNC as an RDB-only replica). The RDB streams into a temporary file
/// (mode 0600) while it is hashed and optionally encrypted, is read back and compared, renamed into place, and the
/// manifest (key counts, size, SHA-256, server version, times) is written last. Works for remote servers: nothing on
/// the server's disk is read. An ACL user needs +sync and +replconf.</para>
/// </summary>
/// <example><code>Backup-RedisData -Server 127.0.0.1 -Port $redisPort -Credential $redisCred -Destination ./cache | Test-RedisBackup</code></example>
/// <example><code>$plan.Backups | Where-Object Type -eq Redis | Backup-RedisData -Credential $redisCred -WhatIf</code></example>
[Cmdlet(VerbsData.Backup, "RedisData", SupportsShouldProcess = true)]
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
    public SwitchParameter UseTls { get; set; }


    /// <summary>
    /// <para type="description">PEM file of the CA that signed the server's certificate (a private CA).</para>
    /// </summary>
    [Parameter(ParameterSetName = "Connection")]
    public string? TlsCaCertificateFile { get; set; }

    /// <summary>
    /// <para type="description">Directory for the RDB and its manifest, relative to the current location. With -Definition, instead of the definition's.</para>
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
    /// <para type="description">A Redis backup definition of a plan ($plan.Backups), taken as it says (test-restore, retention). Its secret references are not expanded without the plan: give -Credential or -PasswordVariable.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = "Definition")]
    public BackupDefinition? Definition { get; set; }

    protected override void ProcessRecord()
    {
        if (!TryPrepare(() => SecretConversion.From(Credential, User, PasswordVariable), out var login))
        {
            return;
        }
        var (user, password) = login;
        if (user is "" or "default")
        {
            user = null; // requirepass, not an ACL user
        }
        if (Definition is { } definition)
        {
            if (TryPrepare(() => Standalone(definition, definition.Connection with { Username = user ?? definition.Connection.Username }, password, Destination),
                    out var standalone, definition.Name))
            {
                Run(op => TakeAsync(op, new PlanBackups(), standalone.Definition, standalone.Secrets, Release), definition.Name);
            }
            return;
        }
        if (!TryPrepare(() => new RedisBackupRequest
            {
                Source = new RedisConnectionOptions
                {
                    Host = Server, Port = Port, User = user, Password = password, UseTls = UseTls.IsPresent,
                    TlsCaCertificateFile = ResolveOptionalPath(TlsCaCertificateFile), CommandTimeout = TimeSpan.FromSeconds(30),
                },
                Destination = ResolvePath(Destination!),
                Name = Name,
                Release = Release,
                EncryptionKey = EncryptionKeySecret(),
            }, out var request, Server))
        {
            return;
        }
        Run(async op => await op.ShouldProcessAsync(request.Source.Endpoint, $"Back up to {request.Destination}").ConfigureAwait(false)
            ? await new RedisBackupService().BackupAsync(request, op, op.Cancellation).ConfigureAwait(false)
            : null, request.Source.Endpoint);
    }
}

/// <summary>
/// <para type="synopsis">Test-restores a Redis backup into a scratch redis-server and compares key counts.</para>
/// <para type="description">Verifies the SHA-256 while copying (and decrypting) the RDB into a scratch directory,
/// starts a private redis-server on 127.0.0.1 that loads it as its dbfilename, compares the keys per database with the
/// manifest, and stops the server. Writes one result with each level's status and time; a failure is also reported as
/// an error. The result is recorded in the backup's manifest.</para>
/// </summary>
/// <example><code>Get-ReleaseBackup ./cache -Kind Redis -Latest | Test-RedisBackup</code></example>
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
    /// <para type="description">Path of a backup manifest (*.manifest.json), relative to the current location; wildcards select several.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Manifest")]
    [Alias("FullName")]
    [SupportsWildcards]
    public string[]? ManifestPath { get; set; }

    /// <summary>
    /// <para type="description">Port for the scratch redis-server (default: a free port).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int ScratchPort { get; set; }

    /// <summary>
    /// <para type="description">Directory for the scratch server's files, relative to the current location (default: a temp directory, removed afterwards).</para>
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
        if (!TryPrepare(() => (Key: EncryptionKeySecret(), Scratch: ResolveOptionalPath(ScratchDirectory)), out var prepared))
        {
            return;
        }
        ForEachBackup(Backup, ManifestPath, async (op, backup) =>
        {
            var result = await new RedisBackupService().TestAsync(backup, new RedisVerifyRequest
            {
                Port = ScratchPort,
                ScratchDirectory = prepared.Scratch,
                RedisServerBinary = RedisServerPath,
                EncryptionKey = prepared.Key,
            }, op, op.Cancellation).ConfigureAwait(false);
            op.Emit(result);
            if (result.ToException() is { } failure)
            {
                op.Fail(failure, backup.Id);
            }
        });
    }
}
