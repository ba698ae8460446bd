using System.Data;
using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;
using ReleaseOps.Conditions;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Postgres;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>postgres</c>: connects (password from a secret), reads the server version, compares
/// settings (equals, or a floor/ceiling written as <c>'&gt;=100'</c>), checks a query's value and
/// that migrations are applied up to the expected head.
/// </summary>
internal sealed class PostgresGateCheck : IGateCheck
{
    private static readonly string[] Operators = { ">=", "<=", "!=", "==", ">", "<" };

    public IReadOnlyList<string> Types { get; } = new[] { "postgres" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var settings = context.Settings;
        var connection = context.Connection();
        var target = $"{connection.Host}:{connection.Port ?? 5432}/{connection.Database ?? "postgres"}";
        observation.Target = target;
        var endpoint = SettingConnections.Postgres(connection, context.Expand, "releaseops-gate", context.Timeout) with
        {
            // Gates of one run often hit the same server; they read text, numbers and booleans only.
            Pooled = true,
            BuiltInTypesOnly = true,
        };
        var clock = Stopwatch.StartNew();
        try
        {
            await using var db = await endpoint.OpenAsync((ex, _) => ex, cancellation).ConfigureAwait(false);
            observation.Measure("connect_time", clock.Elapsed);
            var version = db.PostgreSqlVersion;
            observation.Measure("version", version.Major);
            observation.Measure("server_version", db.ServerVersion);
            observation.Rule("connect", true, $"connected to PostgreSQL {db.ServerVersion}");
            if (settings.GetInteger("min_version") is { } minVersion)
            {
                observation.Condition($"version >= {minVersion}");
            }
            foreach (var (name, expected) in settings.GetMap("settings"))
            {
                await CheckSettingAsync(db, observation, name, expected, cancellation).ConfigureAwait(false);
            }
            if (settings.GetString("query") is { } query)
            {
                await using var command = new NpgsqlCommand(query, db);
                var value = await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false);
                var plain = value is DBNull or null ? null : value;
                observation.Measure("value", plain is DateTime or DateTimeOffset ? Convert.ToString(plain, CultureInfo.InvariantCulture) : plain);
                if (context.Gate.Expect.Count == 0)
                {
                    observation.Rule("query", plain is not null, plain is null ? "the query returned no value" : $"the query returned {ConditionValue.From(plain)}");
                }
            }
            if (settings.GetString("migrations_table") is { } table)
            {
                await CheckMigrationsAsync(db, observation, table, settings.GetString("migrations_head"), cancellation).ConfigureAwait(false);
            }
            if (settings.GetDuration("max_backup_age") is { } maxAge)
            {
                await CheckBackupAgeAsync(context, observation, connection.Database ?? "postgres", maxAge, cancellation).ConfigureAwait(false);
            }
            observation.Summary = $"PostgreSQL {db.ServerVersion} at {target}" +
                (observation.Findings.Count > 1 ? "; " + string.Join("; ", observation.Findings.Skip(1).Select(f => f.Message)) : "");
        }
        catch (PostgresException ex)
        {
            throw Translate(ex, target, connection.Username ?? "postgres", context);
        }
        catch (NpgsqlException ex) when (ex.InnerException is SocketException socket)
        {
            throw TcpGateCheck.Unreachable(connection.Host, connection.Port ?? 5432, socket);
        }
        catch (NpgsqlException ex) when (ex.InnerException is TimeoutException)
        {
            throw new ReleaseOpsException("PostgresTimeout", FailureKind.Timeout, $"PostgreSQL at {target} did not answer in time.",
                target: target, fix: "Check that the server is up and reachable, or raise the gate's timeout.");
        }
    }

    private static async Task CheckSettingAsync(NpgsqlConnection db, GateObservation observation, string name, string expected,
        CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand("SELECT setting, unit, vartype FROM pg_settings WHERE name = $1", db);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await using var reader = await command.ExecuteReaderAsync(cancellation).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellation).ConfigureAwait(false))
        {
            observation.Rule("setting." + name, false, $"PostgreSQL has no setting '{name}'");
            return;
        }
        var raw = reader.GetString(0);
        var unit = reader.IsDBNull(1) ? null : reader.GetString(1);
        var type = reader.GetString(2);
        var op = Operators.FirstOrDefault(o => expected.TrimStart().StartsWith(o, StringComparison.Ordinal)) ?? "==";
        var rest = expected.TrimStart().StartsWith(op, StringComparison.Ordinal) ? expected.TrimStart()[op.Length..].Trim() : expected.Trim();
        // A bare number is in the setting's own unit, as postgresql.conf reads it: log_min_duration_statement: 1000 is 1000 ms.
        var value = double.TryParse(rest, NumberStyles.Float, CultureInfo.InvariantCulture, out _) &&
                    double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var rawNumber)
            ? ConditionValue.Number(rawNumber)
            : SettingValue(raw, unit, type);
        observation.Measure("setting." + name, value);
        if (unit is not null)
        {
            observation.Evidence["setting." + name] = SettingValue(raw, unit, type).ToString();
        }
        if (!ConditionExpression.TryParse($"setting.{name} {op} {rest}", out var condition, out _) ||
            !(condition!.Names.Count == 1))
        {
            condition = ConditionExpression.Parse($"setting.{name} {op} {GateObservation.Quote(rest)}");
        }
        var outcome = condition.Evaluate(observation.Values);
        observation.Rule("setting." + name, outcome.Passed, outcome.Message);
    }

    /// <summary>Reads a pg_settings value in its unit: 500 with unit ms is 500ms, 16384 with 8kB is 128MB, on/off are booleans.</summary>
    private static ConditionValue SettingValue(string raw, string? unit, string type)
    {
        if (type == "bool")
        {
            return ConditionValue.String(raw);
        }
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n < 0 || unit is null)
        {
            return type is "integer" or "real" && double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain)
                ? ConditionValue.Number(plain)
                : ConditionValue.String(raw);
        }
        return unit switch
        {
            "ms" => ConditionValue.Duration(TimeSpan.FromMilliseconds(n)),
            "s" => ConditionValue.Duration(TimeSpan.FromSeconds(n)),
            "min" => ConditionValue.Duration(TimeSpan.FromMinutes(n)),
            "B" => ConditionValue.Size((long)n),
            "kB" => ConditionValue.Size((long)(n * 1024)),
            "8kB" => ConditionValue.Size((long)(n * 8192)),
            "MB" => ConditionValue.Size((long)(n * 1024 * 1024)),
            _ => ConditionValue.Number(n),
        };
    }

    private static async Task CheckMigrationsAsync(NpgsqlConnection db, GateObservation observation, string table, string? expectedHead,
        CancellationToken cancellation)
    {
        var sql = table switch
        {
            "alembic_version" => "SELECT version_num::text FROM alembic_version LIMIT 1",
            "__EFMigrationsHistory" => "SELECT \"MigrationId\" FROM \"__EFMigrationsHistory\" ORDER BY \"MigrationId\" DESC LIMIT 1",
            "schema_migrations" => "SELECT version::text FROM schema_migrations ORDER BY version DESC LIMIT 1",
            "flyway_schema_history" => "SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1",
            _ => throw new ReleaseOpsException("GateSettingInvalid", FailureKind.InvalidConfiguration,
                $"'{table}' is not a known migrations table.", target: table,
                fix: "Use alembic_version, __EFMigrationsHistory, schema_migrations or flyway_schema_history."),
        };
        await using var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", db);
        exists.Parameters.Add(new NpgsqlParameter { Value = table == "__EFMigrationsHistory" ? "\"__EFMigrationsHistory\"" : table });
        if (!(bool)(await exists.ExecuteScalarAsync(cancellation).ConfigureAwait(false))!)
        {
            observation.Rule("migrations", false, $"the migrations table {table} does not exist (no migration has run)");
            return;
        }
        await using var command = new NpgsqlCommand(sql, db);
        var head = Convert.ToString(await command.ExecuteScalarAsync(cancellation).ConfigureAwait(false), CultureInfo.InvariantCulture);
        observation.Measure("migrations_head", head);
        if (expectedHead is null)
        {
            observation.Rule("migrations", head is { Length: > 0 }, head is { Length: > 0 } ? $"latest migration {head}" : $"{table} is empty");
        }
        else
        {
            var ok = string.Equals(head, expectedHead, StringComparison.Ordinal);
            observation.Rule("migrations", ok, ok ? $"migrations at {head}" : $"latest migration is {head ?? "none"}, expected {expectedHead}");
            if (!ok)
            {
                observation.Fix = "Run the pending migrations before the release (or correct migrations_head).";
            }
        }
    }

    private static async Task CheckBackupAgeAsync(GateCheckContext context, GateObservation observation, string database, TimeSpan maxAge,
        CancellationToken cancellation)
    {
        var directory = context.Settings.GetString("backup_directory") is { } d
            ? context.ResolvePath(d)
            : throw context.Missing("backup_directory", "Add backup_directory: the directory the plan's backups are written to.");
        var requireVerified = context.Settings.GetBoolean("require_verified") ?? true;
        var inventory = context.Backups ?? throw new ReleaseOpsException("GateBackupsUnavailable", FailureKind.InvalidConfiguration,
            $"The {context.Describe} checks max_backup_age, but this gate runner was built without a backup inventory.",
            target: context.Gate.Name, fix: "Run gates through the standard wiring (Test-ReleaseGate, releaseops gate, or StandardRelease.GateRunner()).");
        var backups = await inventory.PostgresBackupsAsync(directory, database, context.Reporter, cancellation).ConfigureAwait(false);
        var newest = backups.FirstOrDefault(b => !requireVerified || b.Verified == true);
        observation.Evidence["backups"] = backups.Count;
        if (newest is null)
        {
            observation.Rule("backup-age", false, backups.Count == 0
                ? $"no backup of {database} in {directory}"
                : $"none of the {backups.Count} backup(s) of {database} passed a test-restore");
            observation.Fix = "Take (and test-restore) a backup before the release: Backup-PgDatabase, then Test-PgBackup.";
            return;
        }
        var age = context.Clock.GetUtcNow() - newest.CreatedAt;
        observation.Measure("backup_age", age);
        observation.Evidence["backup_id"] = newest.Id;
        var fresh = age <= maxAge;
        observation.Rule("backup-age", fresh, fresh
            ? $"{(requireVerified ? "verified " : "")}backup {newest.Id} is {Conditions.ConditionValue.FormatDuration(age)} old"
            : $"the newest {(requireVerified ? "verified " : "")}backup {newest.Id} is {Conditions.ConditionValue.FormatDuration(age)} old, more than {DurationText.Format(maxAge)}");
        if (!fresh)
        {
            observation.Fix = "Take (and test-restore) a fresh backup before the release.";
        }
    }

    private static ReleaseOpsException Translate(PostgresException ex, string target, string user, GateCheckContext context) => ex.SqlState switch
    {
        "28P01" or "28000" => new ReleaseOpsException("PostgresAuthenticationFailed", FailureKind.AuthenticationFailed,
            $"PostgreSQL at {target} refused the password for user '{user}'.", target: target,
            fix: "Check the password secret the gate's connection uses, and that the role may log in (pg_hba.conf)."),
        "3D000" => new ReleaseOpsException("PostgresDatabaseNotFound", FailureKind.NotFound,
            $"The database in {target} does not exist.", target: target, fix: "Correct connection.database, or create the database."),
        _ => new ReleaseOpsException("PostgresQueryFailed", FailureKind.OperationFailed,
            $"PostgreSQL at {target} answered {ex.SqlState}: {context.Redactor.Redact(ex.MessageText)}", target: target,
            fix: "Check the gate's query and settings names."),
    };
}
