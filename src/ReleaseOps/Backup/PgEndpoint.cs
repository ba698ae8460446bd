using System.Globalization;
using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>
/// A PostgreSQL server and database to back up or restore into. The password is a
/// <see cref="SecretValue"/>, revealed only into a connection string and a 0600 password file.
/// </summary>
public sealed record PgEndpoint
{
    public required string Host { get; init; }
    public int Port { get; init; } = 5432;
    public required string Database { get; init; }
    public required string Username { get; init; }
    public SecretValue? Password { get; init; }
    /// <summary>disable, prefer, require, verify-ca, verify-full; null leaves libpq's and Npgsql's defaults.</summary>
    public string? SslMode { get; init; }

    /// <summary><c>host:port/database</c>, for messages and targets (no user, no password).</summary>
    public string Describe() => $"{Host}:{Port}/{Database}";

    public override string ToString() => Describe();

    public PgEndpoint ForDatabase(string database) => this with { Database = database };

    /// <summary>Builds the endpoint from a plan's connection, expanding its password reference now.</summary>
    public static PgEndpoint From(ConnectionDefinition connection, SecretCatalog secrets) => new()
    {
        Host = connection.Host,
        Port = connection.Port ?? 5432,
        Database = connection.Database ?? throw new ReleaseOpsException("BackupDatabaseMissing", FailureKind.InvalidConfiguration,
            $"The PostgreSQL backup of {connection} names no database.", target: connection.ToString(),
            fix: "Add 'database:' to the backup's connection in the plan."),
        Username = connection.Username ?? Environment.UserName,
        Password = secrets.Expand(connection.Password),
        SslMode = connection.SslMode,
    };

    internal string ConnectionString(string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database ?? Database,
            Username = Username,
            Password = Password?.Reveal(),
            Timeout = 10,
            CommandTimeout = 0,
            Pooling = false,
            ApplicationName = "releaseops-backup",
        };
        if (SslMode is not null && Enum.TryParse<SslMode>(SslMode.Replace("-", ""), ignoreCase: true, out var mode))
        {
            builder.SslMode = mode;
        }
        return builder.ConnectionString;
    }

    internal async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellation, string? database = null)
    {
        var connection = new NpgsqlConnection(ConnectionString(database));
        try
        {
            await connection.OpenAsync(cancellation).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw PgFailures.From(ex, this with { Database = database ?? Database }, "connect");
        }
    }

    /// <summary>The libpq environment for pg_dump/pg_restore: everything but the password, which goes in <paramref name="passFile"/>.</summary>
    internal void ApplyTo(System.Diagnostics.ProcessStartInfo start, PgPassFile? passFile)
    {
        start.Environment["PGHOST"] = Host;
        start.Environment["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = Username;
        start.Environment["PGDATABASE"] = Database;
        start.Environment["PGCONNECT_TIMEOUT"] = "10";
        start.Environment["PGAPPNAME"] = "releaseops-backup";
        start.Environment.Remove("PGPASSWORD");
        if (SslMode is not null)
        {
            start.Environment["PGSSLMODE"] = SslMode;
        }
        if (passFile is not null)
        {
            start.Environment["PGPASSFILE"] = passFile.Path;
        }
    }
}

/// <summary>
/// A libpq password file (mode 0600, in a private 0700 directory) holding one endpoint's password
/// for a child process; deleted on dispose. libpq ignores a password file readable by others.
/// </summary>
internal sealed class PgPassFile : IDisposable
{
    private readonly string _directory;

    private PgPassFile(string directory, string path)
    {
        _directory = directory;
        Path = path;
    }

    public string Path { get; }

    public static PgPassFile? For(PgEndpoint endpoint)
    {
        if (endpoint.Password is null)
        {
            return null;
        }
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "releaseops-pgpass-" + Guid.NewGuid().ToString("N"));
        BackupFiles.CreatePrivateDirectory(directory);
        var path = System.IO.Path.Combine(directory, "pgpass");
        // host:port:database:user:password, with ':' and '\' escaped; '*' for the database so that
        // pg_restore can reach the maintenance database too.
        var line = $"{Escape(endpoint.Host)}:{endpoint.Port}:*:{Escape(endpoint.Username)}:{Escape(endpoint.Password.Reveal())}\n";
        using (var file = BackupFiles.CreatePrivate(path, 0))
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(line);
            file.Write(bytes);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
        return new PgPassFile(directory, path);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace(":", "\\:");
}
