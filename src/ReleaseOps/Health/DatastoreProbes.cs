using System.Globalization;
using Npgsql;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Health;

/// <summary>
/// Watches a PostgreSQL server over time ("no connection leaks", "database connectivity stable"):
/// <c>connections</c> (client backends, this probe's own pooled connection included), <c>max_connections</c>,
/// <c>connections_percent</c> (0-100), <c>standby</c> (1 on a replica), <c>replicas</c> (standbys streaming
/// from a primary), <c>replication_lag_seconds</c> (on a standby: how long ago the last transaction it replayed
/// was committed, 0 when it has replayed all it received, absent before it replayed any; on a primary: the slowest
/// standby's replay lag) and <c>replication_lag_bytes</c> (on a standby: WAL received but not yet replayed; on a
/// primary: how far the slowest standby's replay is behind), and <c>value</c>: the first column of the first row
/// of <c>query</c>, when given.
/// </summary>
public sealed class PostgresProbe : MeasuringProbe
{
    private const string Statistics = """
        SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')::float8,
               current_setting('max_connections')::float8,
               pg_is_in_recovery(),
               (SELECT count(*) FROM pg_stat_replication)::float8,
               CASE WHEN pg_is_in_recovery() THEN
                        CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
                             ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
                    ELSE (SELECT coalesce(max(EXTRACT(EPOCH FROM replay_lag)), 0) FROM pg_stat_replication) END::float8,
               CASE WHEN pg_is_in_recovery() THEN pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())
                    ELSE (SELECT max(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)) FROM pg_stat_replication) END::float8
        """;

    private readonly PgEndpoint _endpoint;
    private readonly string? _query;

    public PostgresProbe(ProbeDefinition definition, TimeSpan interval, PgEndpoint endpoint, string? query, SecretRedactor redactor)
        : base(definition, interval, redactor)
    {
        // One pooled connection, kept between samples: the probe does not churn the connections it watches.
        _endpoint = endpoint with { Pooled = true, BuiltInTypesOnly = true, ApplicationName = "releaseops-watch" };
        _query = query;
    }

    protected override async Task<ProbeMeasurement> MeasureAsync(CancellationToken cancellation)
    {
        try
        {
            await using var db = await _endpoint.OpenAsync((ex, tried) => Failure(ex, tried), cancellation).ConfigureAwait(false);
            var values = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
            await using (var command = new NpgsqlCommand(Statistics, db))
            await using (var row = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false))
            {
                await row.ReadAsync(cancellation).ConfigureAwait(false);
                values["connections"] = row.GetDouble(0);
                values["max_connections"] = row.GetDouble(1);
                values["connections_percent"] = values["max_connections"] > 0 ? values["connections"] * 100 / values["max_connections"] : 0;
                values["standby"] = row.GetBoolean(2) ? 1 : 0;
                values["replicas"] = row.GetDouble(3);
                if (!row.IsDBNull(4) && (values["standby"] == 1 || values["replicas"] > 0)) values["replication_lag_seconds"] = row.GetDouble(4);
                if (!row.IsDBNull(5) && (values["standby"] == 1 || values["replicas"] > 0)) values["replication_lag_bytes"] = row.GetDouble(5);
            }
            if (_query is not null)
            {
                await using var command = new NpgsqlCommand(_query, db);
                if (Number(await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false)) is { } value)
                {
                    values["value"] = value;
                }
            }
            return new ProbeMeasurement(values);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidCastException)
        {
            throw Failure(ex, _endpoint);
        }
    }

    /// <summary>A query's value as a number: numbers, booleans (1/0), numeric text; null for NULL or no row.</summary>
    internal static double? Number(object? value) => value switch
    {
        null or DBNull => null,
        bool b => b ? 1 : 0,
        IConvertible c when c is not string => c.ToDouble(CultureInfo.InvariantCulture),
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        var other => throw new InvalidCastException($"the query's value {other} is not a number"),
    };

    private ReleaseOpsException Failure(Exception ex, PgEndpoint tried) =>
        new("PostgresProbeFailed", ex is NpgsqlException { IsTransient: true } ? FailureKind.ConnectionFailed : FailureKind.OperationFailed,
            $"PostgreSQL at {tried}: {Redactor.Redact((ex as PostgresException)?.MessageText ?? ex.Message)}", tried.ToString(),
            "Check the connection settings and that the server answers; a query must return a number.");
}

/// <summary>
/// Watches a Redis server over time: <c>used_memory</c> (bytes), <c>maxmemory</c>, <c>memory_percent</c> (of
/// maxmemory, when one is set), <c>evicted_keys</c> (since the server started), <c>evictions</c> (since the
/// previous sample), <c>connected_clients</c>, <c>blocked_clients</c>, <c>rejected_connections</c>, and <c>keys</c> (DBSIZE of
/// the connection's database, the one figure its <c>database</c> selects). One connection is kept for the whole watch.
/// </summary>
public sealed class RedisProbe : MeasuringProbe
{
    private readonly RedisConnectionOptions _options;
    private RedisSession? _session;
    private double? _previousEvictions;

    public RedisProbe(ProbeDefinition definition, TimeSpan interval, RedisConnectionOptions options, SecretRedactor redactor)
        : base(definition, interval, redactor)
    {
        _options = options with { ConnectTimeout = definition.Timeout, CommandTimeout = definition.Timeout, ClientName = "releaseops-watch" };
    }

    protected override async Task<ProbeMeasurement> MeasureAsync(CancellationToken cancellation)
    {
        _session ??= await RedisSession.ConnectAsync(_options, cancellation).ConfigureAwait(false);
        var info = await _session.InfoAsync(null, cancellation).ConfigureAwait(false);
        var values = new Dictionary<string, double>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in new[] { "used_memory", "maxmemory", "evicted_keys", "connected_clients", "blocked_clients", "rejected_connections" })
        {
            if (double.TryParse(info.GetValueOrDefault(field), NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) values[field] = value;
        }
        if (values.GetValueOrDefault("maxmemory") > 0 && values.TryGetValue("used_memory", out var used))
        {
            values["memory_percent"] = used * 100 / values["maxmemory"];
        }
        // The rest is the whole server's; keys is the connection's own database (its database:, default 0).
        values["keys"] = await _session.RunAsync("DBSIZE", (server, _) => server.DatabaseSizeAsync(_options.Database), cancellation).ConfigureAwait(false);
        if (values.TryGetValue("evicted_keys", out var evicted))
        {
            // A restarted server starts counting again: then its count is the evictions since.
            values["evictions"] = _previousEvictions is { } before && evicted >= before ? evicted - before : _previousEvictions is null ? 0 : evicted;
            _previousEvictions = evicted;
        }
        return new ProbeMeasurement(values);
    }

    public override async ValueTask DisposeAsync()
    {
        if (_session is not null) await _session.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
