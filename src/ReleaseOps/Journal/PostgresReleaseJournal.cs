using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Secrets;

namespace ReleaseOps.Journal;

/// <summary>
/// The journal in PostgreSQL, for teams that deploy from several machines: table
/// <c>releaseops_releases</c> holds one row per release (the record as jsonb plus indexed columns),
/// <c>releaseops_deploy_locks</c> one row per held lock (primary key application+environment, so
/// a second insert fails), <c>releaseops_journal_entries</c> the tamper-evident chain (one row per
/// entry, its text kept byte for byte). Tables are created on first use.
/// </summary>
public sealed partial class PostgresReleaseJournal : IReleaseJournal
{
    private readonly PgEndpoint _endpoint;
    private readonly string _display;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private bool _schemaReady;

    public PostgresReleaseJournal(string host, int port, string database, string username, SecretValue? password, string? sslMode = null)
    {
        _endpoint = new PgEndpoint
        {
            Host = host,
            Port = port,
            Database = database,
            Username = username,
            Password = password,
            SslMode = sslMode,
            ApplicationName = "releaseops-journal",
            CommandTimeout = TimeSpan.FromSeconds(30),
        };
        _display = $"postgresql://{username}@{host}:{port}/{database}";
    }

    public string Location => _display;

    public async Task<DeployLock> AcquireLockAsync(string application, string environment, string? releaseId,
        bool breakStale, CancellationToken cancellation)
    {
        var me = ProcessIdentity.Current;
        var wanted = new DeployLock(application, environment, me.User, me.Host, me.Pid, DateTimeOffset.UtcNow, releaseId);
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using (var insert = new NpgsqlCommand(
                "INSERT INTO releaseops_deploy_locks (application, environment, holder, host, pid, acquired_at, release_id) " +
                "VALUES (@a, @e, @h, @host, @pid, @at, @r) ON CONFLICT (application, environment) DO NOTHING", connection))
            {
                AddLock(insert, wanted);
                if (await insert.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false) == 1)
                {
                    return wanted;
                }
            }
            var held = await ReadLockAsync(connection, application, environment, cancellation).ConfigureAwait(false);
            if (held is null)
            {
                continue;
            }
            if (releaseId is not null && held.ReleaseId == releaseId && held.Host == me.Host && held.Pid == me.Pid)
            {
                return held;
            }
            if (breakStale && held.HolderIsDead)
            {
                await using var delete = new NpgsqlCommand(
                    "DELETE FROM releaseops_deploy_locks WHERE application = @a AND environment = @e AND host = @host AND pid = @pid", connection);
                delete.Parameters.AddWithValue("a", application);
                delete.Parameters.AddWithValue("e", environment);
                delete.Parameters.AddWithValue("host", held.Host);
                delete.Parameters.AddWithValue("pid", held.Pid);
                await delete.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
                continue;
            }
            throw FileReleaseJournal.Locked(held, _display);
        }
        throw new ReleaseOpsException("DeploymentLockContended", FailureKind.Conflict,
            $"The deploy lock of {application}/{environment} changed hands while it was being taken.", $"{application}/{environment}", "Try again.");
    }

    public async Task<bool> ReleaseLockAsync(string application, string environment, string? releaseId, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var delete = new NpgsqlCommand(releaseId is null
            ? "DELETE FROM releaseops_deploy_locks WHERE application = @a AND environment = @e"
            : "DELETE FROM releaseops_deploy_locks WHERE application = @a AND environment = @e AND release_id = @r", connection);
        delete.Parameters.AddWithValue("a", application);
        delete.Parameters.AddWithValue("e", environment);
        delete.Parameters.AddWithValue("r", (object?)releaseId ?? DBNull.Value);
        return await delete.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false) > 0;
    }

    public async Task<DeployLock?> GetLockAsync(string application, string environment, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        return await ReadLockAsync(connection, application, environment, cancellation).ConfigureAwait(false);
    }

    public async Task SaveAsync(ReleaseRecord release, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var upsert = new NpgsqlCommand(
            "INSERT INTO releaseops_releases (id, application, environment, started_at, status, document) " +
            "VALUES (@id, @a, @e, @at, @s, @doc::jsonb) " +
            "ON CONFLICT (id) DO UPDATE SET status = excluded.status, document = excluded.document", connection);
        upsert.Parameters.AddWithValue("id", release.Id);
        upsert.Parameters.AddWithValue("a", release.Application);
        upsert.Parameters.AddWithValue("e", release.Environment);
        upsert.Parameters.AddWithValue("at", release.StartedAt.UtcDateTime);
        upsert.Parameters.AddWithValue("s", release.Status.ToString());
        var document = JournalSerializer.Write(release);
        upsert.Parameters.AddWithValue("doc", document);
        await upsert.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        await AppendAsync(release.Application, release.Environment, JournalEntryKinds.Release, release.Id, document, cancellation).ConfigureAwait(false);
    }

    public async Task<ReleaseRecord?> GetAsync(string application, string environment, string id, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var select = new NpgsqlCommand(
            "SELECT document::text FROM releaseops_releases WHERE id = @id AND application = @a AND environment = @e", connection);
        select.Parameters.AddWithValue("id", id);
        select.Parameters.AddWithValue("a", application);
        select.Parameters.AddWithValue("e", environment);
        var text = await select.ExecuteScalarAsync(cancellation).ConfigureAwait(false) as string;
        return text is null ? null : JournalSerializer.Read<ReleaseRecord>(text);
    }

    public async Task<IReadOnlyList<ReleaseRecord>> ListAsync(string application, string environment, CancellationToken cancellation)
    {
        await using var connection = await OpenAsync(cancellation).ConfigureAwait(false);
        await using var select = new NpgsqlCommand(
            "SELECT document::text FROM releaseops_releases WHERE application = @a AND environment = @e ORDER BY started_at DESC, id DESC",
            connection);
        select.Parameters.AddWithValue("a", application);
        select.Parameters.AddWithValue("e", environment);
        var list = new List<ReleaseRecord>();
        await using var reader = await select.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            list.Add(JournalSerializer.Read<ReleaseRecord>(reader.GetString(0)));
        }
        return list;
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellation)
    {
        var connection = await _endpoint.OpenAsync(CannotOpen, cancellation).ConfigureAwait(false);
        if (!_schemaReady)
        {
            await _schemaGate.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                if (!_schemaReady)
                {
                    await using var create = new NpgsqlCommand(
                        "CREATE TABLE IF NOT EXISTS releaseops_releases (id text PRIMARY KEY, application text NOT NULL, " +
                        "environment text NOT NULL, started_at timestamptz NOT NULL, status text NOT NULL, document jsonb NOT NULL); " +
                        "CREATE INDEX IF NOT EXISTS releaseops_releases_app_env ON releaseops_releases (application, environment, started_at DESC); " +
                        "CREATE TABLE IF NOT EXISTS releaseops_deploy_locks (application text NOT NULL, environment text NOT NULL, " +
                        "holder text NOT NULL, host text NOT NULL, pid integer NOT NULL, acquired_at timestamptz NOT NULL, release_id text, " +
                        "PRIMARY KEY (application, environment)); " + ChainTable, connection);
                    await create.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
                    _schemaReady = true;
                }
            }
            finally
            {
                _schemaGate.Release();
            }
        }
        return connection;
    }

    private static void AddLock(NpgsqlCommand command, DeployLock l)
    {
        command.Parameters.AddWithValue("a", l.Application);
        command.Parameters.AddWithValue("e", l.Environment);
        command.Parameters.AddWithValue("h", l.Holder);
        command.Parameters.AddWithValue("host", l.Host);
        command.Parameters.AddWithValue("pid", l.Pid);
        command.Parameters.AddWithValue("at", l.AcquiredAt.UtcDateTime);
        command.Parameters.AddWithValue("r", (object?)l.ReleaseId ?? DBNull.Value);
    }

    private ReleaseOpsException CannotOpen(Exception ex, PgEndpoint endpoint)
    {
        var auth = ex is PostgresException { SqlState: "28P01" or "28000" };
        return new ReleaseOpsException(auth ? "JournalAuthenticationFailed" : "JournalUnreachable",
            auth ? FailureKind.AuthenticationFailed : FailureKind.ConnectionFailed,
            $"Cannot open the PostgreSQL journal at {_display}: {(ex is PostgresException pg ? pg.MessageText : ex.GetType().Name)}.",
            _display, auth ? "Check the journal connection's username and password secret." : "Check that PostgreSQL runs and the plan's journal connection points at it.", ex);
    }

    private static async Task<DeployLock?> ReadLockAsync(NpgsqlConnection connection, string application, string environment,
        CancellationToken cancellation)
    {
        await using var select = new NpgsqlCommand(
            "SELECT holder, host, pid, acquired_at, release_id FROM releaseops_deploy_locks WHERE application = @a AND environment = @e",
            connection);
        select.Parameters.AddWithValue("a", application);
        select.Parameters.AddWithValue("e", environment);
        await using var reader = await select.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            return null;
        }
        return new DeployLock(application, environment, reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
            new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(3), DateTimeKind.Utc)),
            reader.IsDBNull(4) ? null : reader.GetString(4));
    }
}
