using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>How the backup capability connects to PostgreSQL: through the shared <see cref="PgEndpoint"/>, with its own errors.</summary>
internal static class BackupConnections
{
    /// <summary>The endpoint as backups use it: named <c>releaseops-backup</c> unless the caller named it.</summary>
    public static PgEndpoint Named(PgEndpoint endpoint) =>
        endpoint.ApplicationName is null ? endpoint with { ApplicationName = "releaseops-backup" } : endpoint;

    /// <summary>Opens a connection; a failure is a typed backup error (<see cref="PgFailures"/>).</summary>
    public static Task<Npgsql.NpgsqlConnection> ConnectAsync(this PgEndpoint endpoint, CancellationToken cancellation, string? database = null) =>
        Named(endpoint).OpenAsync((ex, tried) => PgFailures.From(ex, tried, "connect"), cancellation, database);

    /// <summary>The endpoint of a plan's backup connection, expanding its password reference now.</summary>
    public static PgEndpoint FromPlan(ConnectionDefinition connection, SecretCatalog secrets) => new()
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
        // A run killed before it could remove its file (kill -9) left the password there: the next run removes it.
        BackupFiles.SweepStale(System.IO.Path.GetTempPath(), StalePassFiles);
        var directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"releaseops-pgpass-{Environment.ProcessId}-{Guid.NewGuid():N}");
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

    /// <summary>releaseops-pgpass-PID-GUID: the pid says whose it is.</summary>
    internal static readonly System.Text.RegularExpressions.Regex StalePassFiles =
        new(@"^releaseops-pgpass-(\d+)-[0-9a-f]{32}$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
}
