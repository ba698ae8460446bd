using System.Globalization;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using ReleaseOps.Backup;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Secrets;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>Parameters and conversions shared by the backup cmdlets: credentials, encryption keys, backups from the pipeline.</summary>
public abstract class BackupCmdletBase : ReleaseOpsCmdlet
{
    /// <summary>
    /// <para type="description">Key for encryption at rest: 32 bytes as base64 (openssl rand -base64 32) or 64 hex digits.</para>
    /// </summary>
    [Parameter]
    public SecureString? EncryptionKey { get; set; }

    /// <summary>
    /// <para type="description">Name of an environment variable that holds the encryption key.</para>
    /// </summary>
    [Parameter]
    public string? EncryptionKeyVariable { get; set; }

    /// <summary>
    /// <para type="description">Path of a file (mode 0600) that holds the encryption key.</para>
    /// </summary>
    [Parameter]
    public string? EncryptionKeyFile { get; set; }

    /// <summary>
    /// Builds what the engine needs from the parameters (secrets are resolved here); a failure is
    /// reported the way the bridge reports engine failures. False when it failed.
    /// </summary>
    internal bool TryPrepare<T>(Func<T> prepare, out T value)
    {
        try
        {
            value = prepare();
            return true;
        }
        catch (ReleaseOpsException ex)
        {
            value = default!;
            if (ex.EndsCommand)
            {
                ThrowFailure(ex);
            }
            else
            {
                WriteFailure(ex);
            }
            return false;
        }
    }

    /// <summary>The encryption key from whichever of the three parameters was given, or null.</summary>
    internal SecretValue? EncryptionKeySecret()
    {
        var given = new object?[] { EncryptionKey, EncryptionKeyVariable, EncryptionKeyFile }.Count(v => v is not null);
        if (given > 1)
        {
            throw new ReleaseOpsException("EncryptionKeyAmbiguous", FailureKind.InvalidArgument,
                "More than one of -EncryptionKey, -EncryptionKeyVariable and -EncryptionKeyFile was given.", null, "Give the key one way.");
        }
        if (EncryptionKey is not null)
        {
            return SecretConversion.FromSecureString(EncryptionKey, "given");
        }
        if (EncryptionKeyVariable is not null)
        {
            return new EnvironmentSecretSource("encryption-key", EncryptionKeyVariable).Resolve();
        }
        return EncryptionKeyFile is null ? null : new FileSecretSource("encryption-key", EncryptionKeyFile).Resolve();
    }
}


/// <summary>Parameters for reaching a PostgreSQL server, shared by Backup-, Test- and Restore- cmdlets.</summary>
public abstract class PgCmdletBase : BackupCmdletBase
{
    /// <summary>
    /// <para type="description">PostgreSQL host. Test-PgBackup and Restore-PgDatabase default to the backup's source server.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Host", "SqlInstance")]
    public string? Server { get; set; }

    /// <summary>
    /// <para type="description">PostgreSQL port (default 5432, or the backup's source port).</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 65535)]
    public int Port { get; set; }

    /// <summary>
    /// <para type="description">User name and password for PostgreSQL. The password is handed to pg_dump/pg_restore in a 0600 password file, never on the command line.</para>
    /// </summary>
    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>
    /// <para type="description">User name when no -Credential is given (default: the current user).</para>
    /// </summary>
    [Parameter]
    public string? User { get; set; }

    /// <summary>
    /// <para type="description">Name of an environment variable holding the password (for CI jobs), used when no -Credential is given.</para>
    /// </summary>
    [Parameter]
    public string? PasswordVariable { get; set; }

    /// <summary>
    /// <para type="description">PostgreSQL SSL mode: disable, prefer, require, verify-ca, verify-full.</para>
    /// </summary>
    [Parameter]
    [ValidateSet("disable", "allow", "prefer", "require", "verify-ca", "verify-full")]
    public string? SslMode { get; set; }

    /// <summary>
    /// <para type="description">Directory holding pg_dump and pg_restore (default: PATH).</para>
    /// </summary>
    [Parameter]
    public string? ToolDirectory { get; set; }

    internal PgEndpoint Endpoint(string database, ReleaseBackup? takenFrom = null)
    {
        var (host, port) = (takenFrom?.SourceHost, takenFrom?.SourcePort);
        var (user, password) = SecretConversion.From(Credential, User, PasswordVariable);
        return new PgEndpoint
        {
            Host = Server ?? host ?? "127.0.0.1",
            Port = Port != 0 ? Port : port ?? 5432,
            Database = database,
            Username = user ?? Environment.UserName,
            Password = password,
            SslMode = SslMode,
        };
    }
}

/// <summary>Cmdlets that act on existing backups: bound from the pipeline as objects or by manifest path.</summary>
public abstract class PgBackupInputCmdletBase : PgCmdletBase
{
    /// <summary>
    /// <para type="description">A backup from Backup-PgDatabase or Get-ReleaseBackup.</para>
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
    /// <para type="description">Database to connect to for CREATE, ALTER and DROP DATABASE (default postgres).</para>
    /// </summary>
    [Parameter]
    public string MaintenanceDatabase { get; set; } = "postgres";

    /// <summary>
    /// <para type="description">Parallel pg_restore jobs.</para>
    /// </summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int Jobs { get; set; } = 1;

    internal async Task<ReleaseBackup> ResolveBackupAsync(CancellationToken cancellation) =>
        Backup ?? await BackupCatalog.ReadAsync(ManifestPath!, cancellation).ConfigureAwait(false);
}
