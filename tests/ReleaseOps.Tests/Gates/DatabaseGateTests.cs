using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

public class PostgresGateTests : IClassFixture<GatePostgresFixture>
{
    private readonly GatePostgresFixture _pg;

    public PostgresGateTests(GatePostgresFixture pg) => _pg = pg;

    internal static GateEnvironment WithSecret(string name, string value) => new()
    {
        Secrets = SecretCatalog.Empty.With(new GivenSecretSource(name, new SecretValue(value))),
    };

    private static Dictionary<string, object?> Connection(string database) => new()
    {
        ["host"] = TestEnvironment.PgHost,
        ["port"] = TestEnvironment.PgPort,
        ["database"] = database,
        ["username"] = TestEnvironment.PgUser,
        ["password"] = "${secret:pg}",
    };

    private static readonly GateEnvironment Env = WithSecret("pg", TestEnvironment.PgPassword);

    [Fact]
    public async Task Settings_on_pass_and_settings_off_fail()
    {
        var settings = new Dictionary<string, object?> { ["log_min_duration_statement"] = ">= 0ms", ["statement_timeout"] = "30s", ["max_connections"] = ">=10", ["idle_in_transaction_session_timeout"] = "0" };
        var on = await Run(Env, ("type", "postgres"), ("connection", Connection(_pg.On)), ("min_version", 15), ("settings", settings));
        Assert.True(on.Status == GateStatus.Passed, Explain(on));
        Assert.Equal(15L, Convert.ToInt64(on.Evidence["version"]));
        Assert.Equal("500ms", on.Evidence["setting.log_min_duration_statement"]);

        var off = await Run(Env, ("type", "postgres"), ("connection", Connection(_pg.Off)), ("settings", settings));
        Assert.Equal(GateStatus.Failed, off.Status);
        Assert.Contains("setting.log_min_duration_statement -1 cannot be compared", off.Message);
        Assert.Contains("setting.statement_timeout", off.Message);
    }

    [Fact]
    public async Task Query_values_and_migration_heads()
    {
        var query = await Run(Env, ("type", "postgres"), ("connection", Connection(_pg.On)), ("query", "SELECT count(*) FROM pg_database WHERE datname LIKE 'ro_gate_%'"),
            ("expect", "value >= 2"));
        Assert.True(query.Status == GateStatus.Passed, Explain(query));

        var head = await Run(Env, ("type", "postgres"), ("connection", Connection(_pg.On)), ("migrations_table", "alembic_version"), ("migrations_head", "4f2e9c1a"));
        Assert.True(head.Status == GateStatus.Passed, Explain(head));

        var behind = await Run(Env, ("type", "postgres"), ("connection", Connection(_pg.On)), ("migrations_table", "alembic_version"), ("migrations_head", "9a9a9a9a"));
        Assert.Equal(GateStatus.Failed, behind.Status);
        Assert.Contains("latest migration is 4f2e9c1a, expected 9a9a9a9a", behind.Message);

        var none = await Run(Env, ("type", "postgres"), ("connection", Connection(_pg.Off)), ("migrations_table", "flyway_schema_history"));
        Assert.Equal(GateStatus.Failed, none.Status);
        Assert.Contains("does not exist", none.Message);
    }

    [Fact]
    public async Task A_wrong_password_is_an_error_that_never_shows_the_password()
    {
        var canary = CanarySecret.New();
        var result = await Run(WithSecret("pg", canary), ("type", "postgres"), ("connection", Connection(_pg.On)));

        Assert.Equal(GateStatus.Error, result.Status);
        Assert.Equal("PostgresAuthenticationFailed", result.ErrorId);
        Assert.Contains($"refused the password for user '{TestEnvironment.PgUser}'", result.Message);
        CanarySecret.AssertAbsent(canary, new[] { result.ToString(), result.Message, result.Fix, System.Text.Json.JsonSerializer.Serialize(result) }, "the postgres gate result");
    }

    [Fact]
    public async Task Nothing_listening_is_an_error()
    {
        var connection = Connection(_pg.On);
        connection["port"] = 22995;
        var result = await Run(Env, ("type", "postgres"), ("connection", connection));

        Assert.Equal(GateStatus.Error, result.Status);
        Assert.Equal("ConnectionRefused", result.ErrorId);
    }
}

public class PostgresSslModeTests
{
    [Fact]
    public async Task Ssl_mode_require_is_refused_by_the_server_without_ssl_in_the_gate_the_journal_and_a_backup()
    {
        // The test environment's PostgreSQL has no SSL: require must fail where the same connection without it works.
        TestEnvironment.Require(TestService.Postgres);
        var env = PostgresGateTests.WithSecret("pg", TestEnvironment.PgPassword);
        var connection = new Dictionary<string, object?>
        {
            ["host"] = TestEnvironment.PgHost, ["port"] = (long)TestEnvironment.PgPort, ["database"] = TestEnvironment.PgDatabase,
            ["username"] = TestEnvironment.PgUser, ["password"] = "${secret:pg}",
        };
        var plain = await Run(env, ("type", "postgres"), ("connection", connection));
        Assert.True(plain.Status == GateStatus.Passed, Explain(plain));
        connection["ssl_mode"] = "require";
        var gate = await Run(env, ("type", "postgres"), ("connection", connection));
        Assert.Equal(GateStatus.Error, gate.Status);
        Assert.Contains("SSL", gate.Message);

        var secrets = SecretCatalog.Empty.With(new GivenSecretSource("pg", new SecretValue(TestEnvironment.PgPassword)));
        ConnectionDefinition Db(string? sslMode) => new()
        {
            Host = TestEnvironment.PgHost, Port = TestEnvironment.PgPort, Database = TestEnvironment.PgDatabase, Username = TestEnvironment.PgUser,
            Password = "${secret:pg}", SslMode = sslMode,
        };
        ReleasePlan Plan(string? sslMode) => new()
        {
            Application = "ro-ssl-" + Guid.NewGuid().ToString("N")[..6], Environment = "test", Secrets = secrets,
            Journal = new JournalDefinition { Store = JournalStore.Postgres, Connection = Db(sslMode) },
        };
        var journal = ReleaseOps.Journal.ReleaseJournalFactory.Open(Plan("disable"));
        Assert.Empty(await journal.ListAsync("ro-ssl-none", "test", default));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => ReleaseOps.Journal.ReleaseJournalFactory.Open(Plan("require")).ListAsync("ro-ssl-none", "test", default));
        Assert.Contains("SSL", refused.ToString());

        var destination = Directory.CreateTempSubdirectory("ro-ssl-bkp-").FullName;
        try
        {
            var plan = Plan(null) with
            {
                Backups = new[] { new BackupDefinition { Name = "db", Type = BackupSourceType.Postgres, Connection = Db("require"), Destination = destination } },
            };
            var backup = await Assert.ThrowsAnyAsync<Exception>(async () =>
                await new ReleaseOps.Backup.PlanBackups().BackupBeforeDeployAsync(plan, "v1", ReleaseOps.Operations.SilentReporter.Instance, default).ToListAsync());
            Assert.Contains("SSL", backup.ToString());
        }
        finally
        {
            Directory.Delete(destination, recursive: true);
        }
    }
}

public class BackupBeforeDeployTests
{
    [Fact]
    public async Task Before_deploy_false_leaves_a_backup_out_of_the_deployment()
    {
        // Nothing listens on port 1: a backup that was attempted would fail.
        var backup = new BackupDefinition
        {
            Name = "db", Type = BackupSourceType.Postgres, BeforeDeploy = false, Destination = Path.GetTempPath(),
            Connection = new ConnectionDefinition { Host = "127.0.0.1", Port = 1, Database = "none" },
        };
        var plan = new ReleasePlan { Application = "ro-bd", Environment = "test", Backups = new[] { backup } };
        var backups = new ReleaseOps.Backup.PlanBackups();
        Assert.Empty(await backups.BackupBeforeDeployAsync(plan, "v1", SilentReporter.Instance, default).ToListAsync());
        await Assert.ThrowsAnyAsync<Exception>(async () =>
            await backups.BackupBeforeDeployAsync(plan with { Backups = new[] { backup with { BeforeDeploy = true } } }, "v1", SilentReporter.Instance, default)
                .ToListAsync());
    }
}

public class RedisGateTests : IClassFixture<GateRedisFixture>
{
    private readonly GateRedisFixture _redis;

    public RedisGateTests(GateRedisFixture redis) => _redis = redis;

    private static Dictionary<string, object?> Connection(int port, bool password = true) => new()
    {
        ["host"] = "127.0.0.1",
        ["port"] = port,
        ["password"] = password ? "${secret:redis}" : null,
    };

    [Fact]
    public async Task The_hardened_server_passes_and_the_open_one_fails_every_rule()
    {
        var env = PostgresGateTests.WithSecret("redis", _redis.Password.Reveal());
        (string, object?)[] rules = { ("require_password", true), ("persistence", "aof"), ("maxmemory_policy", "allkeys-lru"), ("max_last_save_age", "1h") };

        var hardened = await Run(env, rules.Prepend(("connection", Connection(GateRedisFixture.HardenedPort))).Prepend(("type", "redis")).ToArray());
        Assert.True(hardened.Status == GateStatus.Passed, Explain(hardened));
        Assert.Equal(true, hardened.Evidence["aof_enabled"]);

        var open = await Run(GateEnvironment.Default, rules.Prepend(("connection", Connection(GateRedisFixture.OpenPort, password: false))).Prepend(("type", "redis")).ToArray());
        Assert.Equal(GateStatus.Failed, open.Status);
        Assert.Contains("the server answers without a password", open.Message);
        Assert.Contains("persistence aof is off", open.Message);
        Assert.Contains("maxmemory-policy is noeviction, expected allkeys-lru", open.Message);
    }

    [Fact]
    public async Task The_shared_server_requires_a_password_and_has_aof()
    {
        TestEnvironment.Require(TestService.Redis);
        var env = PostgresGateTests.WithSecret("redis", TestEnvironment.RedisPassword);
        var result = await Run(env, ("type", "redis"), ("connection", Connection(TestEnvironment.RedisPort)), ("require_password", true), ("persistence", "aof"));

        Assert.True(result.Status == GateStatus.Passed, Explain(result));
    }

    [Fact]
    public async Task Ssl_mode_require_asks_for_tls_which_the_plain_server_refuses()
    {
        TestEnvironment.Require(TestService.Redis);
        var env = PostgresGateTests.WithSecret("redis", TestEnvironment.RedisPassword);
        var connection = Connection(TestEnvironment.RedisPort);
        var plain = await Run(env, ("type", "redis"), ("connection", connection));
        Assert.True(plain.Status == GateStatus.Passed, Explain(plain));
        connection["ssl_mode"] = "require";
        var tls = await Run(env, ("type", "redis"), ("connection", connection));
        Assert.Equal(GateStatus.Error, tls.Status);
    }

    [Fact]
    public async Task The_redis_gates_of_one_run_share_one_connection_per_credentials()
    {
        var env = new GateEnvironment
        {
            Secrets = SecretCatalog.Empty.With(new GivenSecretSource("redis", _redis.Password))
                .With(new GivenSecretSource("wrong", new SecretValue(CanarySecret.New()))),
        };
        var gates = Enumerable.Range(0, 20)
            .Select(i => Define(("name", $"redis-{i}"), ("type", "redis"), ("connection", Connection(GateRedisFixture.HardenedPort)),
                ("require_password", true), ("persistence", "aof")))
            .Append(Define(("name", "redis-wrong"), ("type", "redis"), ("connection", new Dictionary<string, object?>
            {
                ["host"] = "127.0.0.1", ["port"] = GateRedisFixture.HardenedPort, ["password"] = "${secret:wrong}",
            })))
            .ToList();
        var before = await ConnectionsReceivedAsync();

        var run = await Runner.RunToSummaryAsync(gates, env, new GateRunOptions { DefaultTimeout = TimeSpan.FromSeconds(10) },
            SilentReporter.Instance, CancellationToken.None);

        var opened = await ConnectionsReceivedAsync() - before;
        Assert.All(run.Results.Where(r => r.Name != "redis-wrong"), r => Assert.True(r.Status == GateStatus.Passed, Explain(r)));
        Assert.Equal("RedisAuthenticationFailed", run.Results.Single(r => r.Name == "redis-wrong").ErrorId);
        // A session of its own per gate and one more without a password was two of each per gate (the library opens an
        // interactive and a subscription connection): 80+ for these 20 gates. Shared: the run's session, the one question
        // without a password, the wrong password's attempts and the session that reads the count, about a dozen.
        Assert.InRange(opened, 1, 20);
    }

    private async Task<long> ConnectionsReceivedAsync()
    {
        await using var session = await ReleaseOps.Infrastructure.Redis.RedisSession.ConnectAsync(new ReleaseOps.Infrastructure.Redis.RedisConnectionOptions
        {
            Host = "127.0.0.1", Port = GateRedisFixture.HardenedPort, Password = _redis.Password,
        });
        return long.Parse((await session.InfoAsync("stats"))["total_connections_received"], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_wrong_password_is_an_error_without_the_password()
    {
        var canary = CanarySecret.New();
        var result = await Run(PostgresGateTests.WithSecret("redis", canary), ("type", "redis"), ("connection", Connection(GateRedisFixture.HardenedPort)));

        Assert.Equal(GateStatus.Error, result.Status);
        Assert.Equal("RedisAuthenticationFailed", result.ErrorId);
        CanarySecret.AssertAbsent(canary, new[] { result.Message, result.Fix, System.Text.Json.JsonSerializer.Serialize(result) }, "the redis gate result");
    }
}

public class PostgresBackupAgeGateTests : IClassFixture<GatePostgresFixture>, IClassFixture<GateScratchDirectory>
{
    private readonly GatePostgresFixture _pg;
    private readonly GateScratchDirectory _dir;

    public PostgresBackupAgeGateTests(GatePostgresFixture pg, GateScratchDirectory dir)
    {
        _pg = pg;
        _dir = dir;
    }

    /// <summary>A manifest as the backup capability writes it (its own record and serializer options).</summary>
    private static void Manifest(string directory, string id, string database, DateTimeOffset finished, bool? verified)
    {
        Directory.CreateDirectory(directory);
        var manifest = new ReleaseOps.Backup.BackupManifest
        {
            Id = id, Name = database, Kind = ReleaseOps.Backup.BackupKind.Postgres, Source = $"127.0.0.1:55432/{database}", Database = database,
            ServerVersion = "15", Format = "custom", DataFile = id + ".dump", SizeBytes = 10, Sha256 = "00",
            StartedAt = finished.AddSeconds(-5), FinishedAt = finished, ToolVersion = "pg_dump (PostgreSQL) 15",
            LastVerification = verified is null ? null : new ReleaseOps.Backup.BackupVerificationSummary(finished, verified.Value, "restore"),
        };
        File.WriteAllText(Path.Combine(directory, id + ".manifest.json"),
            System.Text.Json.JsonSerializer.Serialize(manifest, ReleaseOps.Backup.ManifestJson.Options));
    }

    [Fact]
    public async Task The_newest_verified_backup_must_be_younger_than_the_limit()
    {
        var directory = Path.Combine(_dir.Path, "backups-" + Guid.NewGuid().ToString("N")[..6]);
        var now = DateTimeOffset.UtcNow;
        Manifest(directory, "old-verified", _pg.On, now.AddHours(-30), verified: true);
        Manifest(directory, "fresh-unverified", _pg.On, now.AddMinutes(-10), verified: null);
        Manifest(directory, "other-db", "elsewhere", now.AddMinutes(-1), verified: true);
        File.WriteAllText(Path.Combine(directory, "torn.manifest.json"), "{ \"id\": ");
        var connection = new Dictionary<string, object?>
        {
            ["host"] = TestEnvironment.PgHost, ["port"] = TestEnvironment.PgPort, ["database"] = _pg.On,
            ["username"] = TestEnvironment.PgUser, ["password"] = "${secret:pg}",
        };
        var env = PostgresGateTests.WithSecret("pg", TestEnvironment.PgPassword);

        var stale = await Run(env, ("type", "postgres"), ("connection", connection), ("max_backup_age", "24h"), ("backup_directory", directory));
        Assert.Equal(GateStatus.Failed, stale.Status);
        Assert.Matches(@"the newest verified backup old-verified is 1\.\d+d old, more than 1d", stale.Message);

        var anyBackup = await Run(env, ("type", "postgres"), ("connection", connection), ("max_backup_age", "1h"), ("backup_directory", directory), ("require_verified", false));
        Assert.True(anyBackup.Status == GateStatus.Passed, Explain(anyBackup));
        Assert.Equal("fresh-unverified", anyBackup.Evidence["backup_id"]);

        var none = await Run(env, ("type", "postgres"), ("connection", connection), ("max_backup_age", "1h"), ("backup_directory", Path.Combine(_dir.Path, "no-such-dir")));
        Assert.Equal(GateStatus.Error, none.Status);
        Assert.Equal("BackupDirectoryNotFound", none.ErrorId);

        // Gates do not read the backup catalogue themselves: a runner built without the standard wiring cannot answer.
        var unwired = await new GateRunner().RunGateAsync(Define(("type", "postgres"), ("connection", connection), ("max_backup_age", "24h"),
            ("backup_directory", directory)), env, new GateRunOptions { DefaultTimeout = TimeSpan.FromSeconds(5) }, SilentReporter.Instance, default);
        Assert.Equal(GateStatus.Error, unwired.Status);
        Assert.Equal("GateBackupsUnavailable", unwired.ErrorId);
    }
}
