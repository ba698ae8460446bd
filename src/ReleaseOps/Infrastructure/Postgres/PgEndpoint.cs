using System.Globalization;
using Npgsql;
using ReleaseOps.Secrets;

namespace ReleaseOps.Infrastructure.Postgres;

/// <summary>
/// A PostgreSQL server and database, and how to connect to it: the engine's one place that builds
/// Npgsql connection strings (the journal, the Postgres gate and the backups all connect through
/// it). The password is a <see cref="SecretValue"/>, revealed only into the connection string.
/// </summary>
public sealed record PgEndpoint
{
    public required string Host { get; init; }
    public int Port { get; init; } = 5432;
    public required string Database { get; init; }
    public required string Username { get; init; }
    public SecretValue? Password { get; init; }
    /// <summary>disable, allow, prefer, require, verify-ca, verify-full; null leaves libpq's and Npgsql's defaults.</summary>
    public string? SslMode { get; init; }
    /// <summary>The name the server shows in pg_stat_activity; null for <c>releaseops</c>.</summary>
    public string? ApplicationName { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Limit on each command; <see cref="TimeSpan.Zero"/> for none (dumps and restores take as long as they take).</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.Zero;
    /// <summary>
    /// Keep a few connections for repeated short checks against the same server (gates of one run:
    /// no new fork and SCRAM handshake each time); idle ones close within seconds.
    /// </summary>
    public bool Pooled { get; init; }
    /// <summary>Skip loading the server's type catalogue on connect, for callers that read text, numbers and booleans only.</summary>
    public bool BuiltInTypesOnly { get; init; }

    /// <summary><c>host:port/database</c>, for messages and targets (no user, no password).</summary>
    public string Describe() => $"{Host}:{Port}/{Database}";

    public override string ToString() => Describe();

    public PgEndpoint ForDatabase(string database) => this with { Database = database };

    internal string ConnectionString(string? database = null)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = Host,
            Port = Port,
            Database = database ?? Database,
            Username = Username,
            Password = Password?.Reveal(),
            Timeout = Seconds(ConnectTimeout),
            CommandTimeout = CommandTimeout <= TimeSpan.Zero ? 0 : Seconds(CommandTimeout),
            Pooling = Pooled,
            ApplicationName = ApplicationName ?? "releaseops",
        };
        if (Pooled)
        {
            builder.MaxPoolSize = 8;
            builder.ConnectionIdleLifetime = 10;
            builder.ConnectionPruningInterval = 5;
        }
        if (BuiltInTypesOnly)
        {
            builder.ServerCompatibilityMode = ServerCompatibilityMode.NoTypeLoading;
        }
        if (SslMode is not null && Enum.TryParse<SslMode>(SslMode.Replace("-", ""), ignoreCase: true, out var mode))
        {
            builder.SslMode = mode;
        }
        return builder.ConnectionString;
    }

    /// <summary>
    /// Opens a connection (to <paramref name="database"/> instead of <see cref="Database"/> when given).
    /// A failure to connect goes through <paramref name="failure"/>, which gets the endpoint actually
    /// tried and words the error in the caller's terms; the connection is disposed first.
    /// </summary>
    public async Task<NpgsqlConnection> OpenAsync(Func<Exception, PgEndpoint, Exception> failure, CancellationToken cancellation,
        string? database = null)
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
            throw failure(ex, database is null ? this : ForDatabase(database));
        }
    }

    /// <summary>The libpq environment of a child process (pg_dump, pg_restore): everything but the password.</summary>
    public void ApplyTo(System.Diagnostics.ProcessStartInfo start)
    {
        start.Environment["PGHOST"] = Host;
        start.Environment["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGUSER"] = Username;
        start.Environment["PGDATABASE"] = Database;
        start.Environment["PGCONNECT_TIMEOUT"] = Seconds(ConnectTimeout).ToString(CultureInfo.InvariantCulture);
        start.Environment["PGAPPNAME"] = ApplicationName ?? "releaseops";
        start.Environment.Remove("PGPASSWORD");
        if (SslMode is not null)
        {
            start.Environment["PGSSLMODE"] = SslMode;
        }
    }

    private static int Seconds(TimeSpan span) => Math.Max(1, (int)Math.Ceiling(span.TotalSeconds));
}
