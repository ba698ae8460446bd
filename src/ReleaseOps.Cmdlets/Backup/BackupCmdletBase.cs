using System.Management.Automation;
using System.Security;
using ReleaseOps.Backup;
using ReleaseOps.Cmdlets.Hosting;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Cmdlets.Backup;

/// <summary>Parameters and conversions shared by the backup cmdlets: encryption keys, and plan backup definitions taken on their own.</summary>
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
    /// <para type="description">Path of a file (mode 0600) that holds the encryption key, relative to the current location.</para>
    /// </summary>
    [Parameter]
    public string? EncryptionKeyFile { get; set; }

    /// <summary>The encryption key from whichever of the three parameters was given, or null. Call on the pipeline thread (it resolves the file's path).</summary>
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
        return EncryptionKeyFile is null ? null : new FileSecretSource("encryption-key", ResolvePath(EncryptionKeyFile)).Resolve();
    }

    /// <summary>
    /// A plan's backup definition taken without its plan (piped from $plan.Backups): its secret
    /// references cannot be read without the plan's secrets, so the password and the key are the ones
    /// given to the cmdlet, as secrets of a catalog of their own. Without a password none is sent,
    /// and a server that needs one answers with an authentication error.
    /// </summary>
    internal (BackupDefinition Definition, SecretCatalog Secrets) Standalone(BackupDefinition definition, ConnectionDefinition connection,
        SecretValue? password, string? destination)
    {
        var key = EncryptionKeySecret();
        var secrets = SecretCatalog.Empty;
        if (password is not null) secrets = secrets.With(new GivenSecretSource("password", password));
        if (key is not null) secrets = secrets.With(new GivenSecretSource("encryption-key", key));
        return (definition with
        {
            Connection = connection with { Password = password is null ? null : "${secret:password}" },
            EncryptionKey = key is null ? null : "${secret:encryption-key}",
            Destination = ResolveOptionalPath(destination) ?? definition.Destination,
        }, secrets);
    }

    /// <summary>Takes one plan backup as its definition says (test-restore, retention), after ShouldProcess.</summary>
    internal static async Task TakeAsync(CmdletOperation op, PlanBackups backups, BackupDefinition definition, SecretCatalog secrets, string? release)
    {
        if (await op.ShouldProcessAsync($"{definition.Name} ({definition.Connection}{(definition.Connection.Database is { } db ? "/" + db : "")})",
                $"Back up to {definition.Destination}").ConfigureAwait(false))
        {
            op.Emit(await backups.BackupAsync(definition, secrets, BackupReasons.Manual, release, op, op.Cancellation).ConfigureAwait(false));
        }
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
    /// <para type="description">PostgreSQL SSL mode: disable, allow, prefer, require, verify-ca, verify-full.</para>
    /// </summary>
    [Parameter]
    [ValidateSet("disable", "allow", "prefer", "require", "verify-ca", "verify-full")]
    public string? SslMode { get; set; }

    /// <summary>
    /// <para type="description">Directory holding pg_dump and pg_restore (default: PATH).</para>
    /// </summary>
    [Parameter]
    public string? ToolDirectory { get; set; }

    /// <summary>-ToolDirectory as a file system path.</summary>
    internal string? Tools => ResolveOptionalPath(ToolDirectory);

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
    /// <para type="description">Path of a backup manifest (*.manifest.json), relative to the current location; wildcards select several.</para>
    /// </summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Manifest")]
    [Alias("FullName")]
    [SupportsWildcards]
    public string[]? ManifestPath { get; set; }

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

    /// <summary>Runs <paramref name="body"/> for the piped backup or each manifest -ManifestPath names, each as an item of its own.</summary>
    internal void ForEachBackup(Func<CmdletOperation, ReleaseBackup, Task> body) => ForEachBackup(Backup, ManifestPath, body);
}
