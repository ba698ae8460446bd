using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using ReleaseOps.Health;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using ReleaseOps.Backup;
using Xunit;
using static ReleaseOps.Tests.Health.WatchProbeKit;

namespace ReleaseOps.Tests.Health;

/// <summary>
/// A streaming standby of the test environment's PostgreSQL: a base backup (over the primary's local
/// socket, where replication is trusted) started as a hot standby on a free port, for replication lag.
/// Stopped and removed at the end.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PostgresStandbyFixture : IAsyncLifetime
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ro-standby-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port { get; } = FreePort();

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Postgres);
        Directory.CreateDirectory(_directory);
        Postgres("chown", "postgres", _directory);
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var socket = TestEnvironment.Get("RELEASEOPS_TEST_PG_SOCKET_DIR");
        Postgres("runuser", "-u", "postgres", "--", $"{Bin}/pg_basebackup", "-h", socket, "-p", TestEnvironment.PgPort.ToString(CultureInfo.InvariantCulture),
            "-U", "postgres", "-D", Path.Combine(_directory, "data"), "-R", "-X", "stream", "-c", "fast");
        Postgres("runuser", "-u", "postgres", "--", $"{Bin}/pg_ctl", "-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "log"), "-w",
            "-o", $"-p {Port} -k {_directory} -c listen_addresses=127.0.0.1 -c max_connections=200 -c hot_standby=on", "start");
        await using var standby = await OpenAsync(Port);
        await using var check = new NpgsqlCommand("SELECT pg_is_in_recovery()", standby);
        Assert.True((bool)(await check.ExecuteScalarAsync())!, "the standby is not in recovery");
    }

    public Task DisposeAsync()
    {
        Postgres("runuser", "-u", "postgres", "--", $"{Bin}/pg_ctl", "-D", Path.Combine(_directory, "data"), "-m", "immediate", "stop");
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    public static async Task<NpgsqlConnection> OpenAsync(int port)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder
        {
            Host = TestEnvironment.PgHost, Port = port, Username = TestEnvironment.PgUser, Password = TestEnvironment.PgPassword,
            Database = TestEnvironment.PgDatabase, Pooling = false,
        }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public static Dictionary<string, object?> Connection(int port) => new()
    {
        ["host"] = TestEnvironment.PgHost, ["port"] = (long)port, ["database"] = TestEnvironment.PgDatabase,
        ["username"] = TestEnvironment.PgUser, ["password"] = "${secret:pg}",
    };

    private static void Postgres(string program, params string[] arguments)
    {
        var (code, output, error) = ChildProcess.Run(program, null, arguments);
        if (code != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({code}): {output} {error}");
    }

    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public class DatastoreProbeTests : IClassFixture<PostgresStandbyFixture>
{
    private readonly PostgresStandbyFixture _standby;

    public DatastoreProbeTests(PostgresStandbyFixture standby) => _standby = standby;

    private static SecretCatalog Secrets(string pgPassword) =>
        SecretCatalog.Empty.With(new GivenSecretSource("pg", new SecretValue(pgPassword)))
            .With(new GivenSecretSource("redis", new SecretValue(TestEnvironment.RedisPassword)));

    [Fact]
    public async Task Connections_are_watched_and_a_leak_breaches_once_they_climb()
    {
        // The server is shared with other tests: the criterion allows what is open now plus 15, and the "application" leaks 25.
        double open;
        await using (var count = await PostgresStandbyFixture.OpenAsync(TestEnvironment.PgPort))
        await using (var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'", count))
        {
            open = Convert.ToDouble(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
        var probe = Probe("db", ProbeType.Postgres, new Dictionary<string, object?>
        {
            ["connection"] = PostgresStandbyFixture.Connection(TestEnvironment.PgPort), ["query"] = "SELECT count(*) FROM pg_database WHERE datname = current_database()",
        }, TimeSpan.FromMilliseconds(200), "value == 1");
        var leaked = new List<NpgsqlConnection>();
        double? before = null;
        var leaking = Task.CompletedTask;
        try
        {
            var watch = Watch(TimeSpan.FromSeconds(30), new[] { probe }, new[]
            {
                new CriterionDefinition { Name = "no-leak", Expect = FormattableString.Invariant($"connections < {open + 15}"), Probe = "db" },
                new CriterionDefinition { Name = "headroom", Expect = "connections_percent < 90%", Probe = "db" },
            }, Secrets(TestEnvironment.PgPassword));
            var (samples, verdict) = await RunAsync(watch, sample =>
            {
                if (before is null && sample.Success)
                {
                    before = sample.Values["connections"];
                    // The application starts leaking connections: the watch must see them climb.
                    leaking = Task.Run(async () =>
                    {
                        for (var i = 0; i < 25; i++) leaked.Add(await PostgresStandbyFixture.OpenAsync(TestEnvironment.PgPort));
                    });
                }
            });
            await leaking;
            Assert.True(verdict.Status == HealthStatus.Breached, Describe(samples));
            Assert.Equal("no-leak", verdict.Criterion);
            var last = samples.Last(s => s.Success).Values;
            Assert.Equal(200, last["max_connections"]);
            Assert.True(last["connections"] >= open + 15, Describe(samples));
            Assert.Equal(last["connections"] * 100 / 200, last["connections_percent"], 3);
            Assert.Equal(0, last["standby"]);
            Assert.Equal(1, last["value"]);
        }
        finally
        {
            await leaking;
            foreach (var connection in leaked) await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Replication_lag_shows_on_the_standby_and_the_primary_when_replay_stops()
    {
        await using var standby = await PostgresStandbyFixture.OpenAsync(_standby.Port);
        await using var primary = await PostgresStandbyFixture.OpenAsync(TestEnvironment.PgPort);
        var probes = new[]
        {
            Probe("standby", ProbeType.Postgres, new Dictionary<string, object?> { ["connection"] = PostgresStandbyFixture.Connection(_standby.Port) }),
            Probe("primary", ProbeType.Postgres, new Dictionary<string, object?> { ["connection"] = PostgresStandbyFixture.Connection(TestEnvironment.PgPort) }),
        };
        var watch = Watch(TimeSpan.FromSeconds(30), probes, new[]
        {
            new CriterionDefinition { Name = "lag", Expect = "replication_lag_bytes < 64KiB", Probe = "standby", For = TimeSpan.FromSeconds(1) },
        }, Secrets(TestEnvironment.PgPassword));
        var paused = false;
        var table = "ro_lag_" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var caughtUp = new List<HealthSample>();
            var (samples, verdict) = await RunAsync(watch, sample =>
            {
                if (paused || sample.Probe != "standby" || !sample.Success) return;
                caughtUp.Add(sample);
                if (caughtUp.Count < 3) return;
                // Replay stops on the standby while the primary keeps writing: the lag grows.
                paused = true;
                new NpgsqlCommand("SELECT pg_wal_replay_pause()", standby).ExecuteNonQuery();
                new NpgsqlCommand($"CREATE TABLE {table} AS SELECT g FROM generate_series(1, 10000) g", primary).ExecuteNonQuery();
            });
            Assert.True(verdict.Status == HealthStatus.Breached, Describe(samples));
            Assert.All(caughtUp, s => Assert.Equal(1, s.Values["standby"]));
            Assert.True(verdict.Observed > 64 * 1024, Describe(samples));
            var primarySample = samples.Last(s => s.Probe == "primary" && s.Success).Values;
            Assert.True(primarySample["replicas"] >= 1, Describe(samples));
            Assert.True(primarySample["replication_lag_bytes"] > 0, Describe(samples));
        }
        finally
        {
            new NpgsqlCommand("SELECT pg_wal_replay_resume()", standby).ExecuteNonQuery();
            new NpgsqlCommand($"DROP TABLE IF EXISTS {table}", primary).ExecuteNonQuery();
        }
    }

    [Fact]
    public async Task A_query_that_is_not_a_number_or_a_wrong_password_fails_samples_without_the_password()
    {
        var canary = CanarySecret.New();
        var watch = Watch(TimeSpan.FromSeconds(1), new[]
        {
            Probe("text", ProbeType.Postgres, new Dictionary<string, object?> { ["connection"] = PostgresStandbyFixture.Connection(TestEnvironment.PgPort), ["query"] = "SELECT 'UP'" }),
        }, secrets: Secrets(TestEnvironment.PgPassword), stopOnBreach: false);
        var (samples, _) = await RunAsync(watch);
        Assert.Contains(samples, s => !s.Success && s.Error!.Contains("is not a number"));

        var refused = Watch(TimeSpan.FromSeconds(1), new[]
        {
            Probe("refused", ProbeType.Postgres, new Dictionary<string, object?> { ["connection"] = PostgresStandbyFixture.Connection(TestEnvironment.PgPort) }),
        }, secrets: Secrets(canary), stopOnBreach: false);
        var (failed, verdict) = await RunAsync(refused);
        Assert.All(failed, s => Assert.Contains("password authentication failed", s.Error));
        CanarySecret.AssertAbsent(canary, failed.Select(s => s.ToString()).Append(HealthReport.ToJson(verdict)), "postgres probe samples");
    }

    [Fact]
    public async Task Redis_memory_clients_and_evictions_are_watched_and_evictions_breach()
    {
        var directory = Directory.CreateTempSubdirectory("ro-redis-probe-").FullName;
        try
        {
            var password = CanarySecret.New();
            await using var redis = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions
            {
                Directory = directory, Password = new SecretValue(password), ExtraConfiguration = ["maxmemory 2mb", "maxmemory-policy allkeys-lru"],
            });
            var probe = Probe("cache", ProbeType.Redis, new Dictionary<string, object?> { ["configuration"] = $"127.0.0.1:{redis.Port},password=${{secret:redis}}" },
                TimeSpan.FromMilliseconds(200));
            var watch = Watch(TimeSpan.FromSeconds(30), new[] { probe },
                new[] { new CriterionDefinition { Name = "no-evictions", Expect = "evictions == 0", Probe = "cache" } },
                SecretCatalog.Empty.With(new GivenSecretSource("redis", new SecretValue(password))));
            Task? filling = null;
            var (samples, verdict) = await RunAsync(watch, sample =>
            {
                if (sample.Success && filling is null)
                {
                    // The cache fills past maxmemory: Redis starts evicting.
                    filling = FillAsync(redis, 4 << 20);
                }
            });
            await filling!;
            Assert.True(verdict.Status == HealthStatus.Breached, Describe(samples));
            Assert.Equal("no-evictions", verdict.Criterion);
            var first = samples.First(s => s.Success).Values;
            Assert.Equal(0, first["evictions"]);
            Assert.Equal(2 << 20, first["maxmemory"]);
            Assert.Equal(first["used_memory"] * 100 / first["maxmemory"], first["memory_percent"], 6);
            Assert.True(first["connected_clients"] >= 1);
            Assert.True(samples.Last().Values["evicted_keys"] > 0, Describe(samples));
            CanarySecret.AssertAbsent(password, samples.Select(s => s.ToString()).Append(HealthReport.ToJson(verdict)), "redis probe samples");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Writes about <paramref name="bytes"/> of values.</summary>
    private static async Task FillAsync(ScratchRedisServer redis, int bytes)
    {
        await using var session = await redis.ConnectAsync();
        var value = new string('x', 10_000);
        await Task.WhenAll(Enumerable.Range(0, bytes / value.Length).Select(i => session.Database.StringSetAsync("fill:" + i, value)));
    }

    [Fact]
    public async Task A_redis_probes_database_is_the_one_whose_keys_it_counts()
    {
        var directory = Directory.CreateTempSubdirectory("ro-redis-db-").FullName;
        try
        {
            var password = CanarySecret.New();
            await using var redis = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions { Directory = directory, Password = new SecretValue(password) });
            await using (var session = await redis.ConnectAsync())
            {
                var two = session.Database.Multiplexer.GetDatabase(2);
                await Task.WhenAll(Enumerable.Range(0, 3).Select(i => two.StringSetAsync("key:" + i, "v")));
            }
            Dictionary<string, object?> Connection(object? database)
            {
                var connection = new Dictionary<string, object?> { ["host"] = "127.0.0.1", ["port"] = (long)redis.Port, ["password"] = "${secret:redis}" };
                if (database is not null) connection["database"] = database;
                return new Dictionary<string, object?> { ["connection"] = connection };
            }
            var watch = Watch(TimeSpan.FromSeconds(0.6), new[]
            {
                Probe("default", ProbeType.Redis, Connection(null)),
                Probe("two", ProbeType.Redis, Connection("2")),
            }, secrets: SecretCatalog.Empty.With(new GivenSecretSource("redis", new SecretValue(password))), stopOnBreach: false);
            var (samples, _) = await RunAsync(watch);
            double Keys(string probe)
            {
                var sample = samples.First(s => s.Probe == probe);
                Assert.True(sample.Success, sample.ToString());
                return sample.Values["keys"];
            }

            Assert.Equal(0, Keys("default"));
            Assert.Equal(3, Keys("two"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task The_test_environments_redis_is_watched_through_a_connection_map()
    {
        var watch = Watch(TimeSpan.FromSeconds(0.8), new[]
        {
            Probe("redis", ProbeType.Redis, new Dictionary<string, object?>
            {
                ["connection"] = new Dictionary<string, object?> { ["host"] = TestEnvironment.RedisHost, ["port"] = (long)TestEnvironment.RedisPort, ["password"] = "${secret:redis}" },
            }, null, "connected_clients >= 1", "used_memory < 1GB"),
        }, new[] { new CriterionDefinition { Name = "clients", Expect = "connected_clients >= 1", Probe = "redis" } },
            secrets: Secrets(TestEnvironment.PgPassword), stopOnBreach: false);
        var (samples, verdict) = await RunAsync(watch);
        Assert.NotEmpty(samples);
        Assert.All(samples, s => Assert.True(s.Success, s.ToString()));
        Assert.Equal(HealthStatus.Healthy, verdict.Status);
        CanarySecret.AssertAbsent(TestEnvironment.RedisPassword, samples.Select(s => s.ToString()), "redis probe samples");
    }

    [Fact]
    public async Task The_connection_map_says_which_server_database_and_user_a_probe_connects_to()
    {
        // Each probe changes one key of a connection that works (the first of each kind): the sample's error names what it changed.
        Dictionary<string, object?> Pg(string key, object? value)
        {
            var connection = PostgresStandbyFixture.Connection(TestEnvironment.PgPort);
            if (key.Length > 0) connection[key] = value;
            return new Dictionary<string, object?> { ["connection"] = connection };
        }
        Dictionary<string, object?> Redis(string key, object? value)
        {
            var connection = new Dictionary<string, object?> { ["host"] = TestEnvironment.RedisHost, ["port"] = (long)TestEnvironment.RedisPort, ["password"] = "${secret:redis}" };
            if (key.Length > 0) connection[key] = value;
            return new Dictionary<string, object?> { ["connection"] = connection };
        }
        // Port 1: refused at once. A port that was free a moment ago can be taken by a test running beside this one,
        // and a server that accepts and never answers makes the probe time out instead of naming the port.
        const long closedPort = 1;
        var watch = Watch(TimeSpan.FromSeconds(1.5), new[]
        {
            Probe("pg", ProbeType.Postgres, Pg("", null)),
            Probe("pg-host", ProbeType.Postgres, Pg("host", "ro-no-such-host.invalid")),
            Probe("pg-port", ProbeType.Postgres, Pg("port", closedPort)),
            Probe("pg-database", ProbeType.Postgres, Pg("database", "ro_no_such_database")),
            Probe("pg-username", ProbeType.Postgres, Pg("username", "ro_no_such_user")),
            Probe("redis", ProbeType.Redis, Redis("", null)),
            Probe("redis-host", ProbeType.Redis, Redis("host", "ro-no-such-host.invalid")),
            Probe("redis-port", ProbeType.Redis, Redis("port", closedPort)),
            Probe("redis-username", ProbeType.Redis, Redis("username", "ro_no_such_user")),
        }, secrets: Secrets(TestEnvironment.PgPassword), stopOnBreach: false);
        var (samples, _) = await RunAsync(watch);
        string FirstError(string probe)
        {
            var sample = samples.First(s => s.Probe == probe);
            Assert.False(sample.Success, $"{probe}: {sample}");
            return sample.Error!;
        }

        Assert.All(samples.Where(s => s.Probe is "pg" or "redis"), s => Assert.True(s.Success, s.ToString()));
        Assert.Contains("ro-no-such-host.invalid", FirstError("pg-host"));
        Assert.Contains($":{closedPort}", FirstError("pg-port"));
        Assert.Contains("database \"ro_no_such_database\" does not exist", FirstError("pg-database"));
        Assert.Contains("ro_no_such_user", FirstError("pg-username"));
        Assert.Contains("ro-no-such-host.invalid", FirstError("redis-host"));
        Assert.Contains($":{closedPort}", FirstError("redis-port"));
        Assert.Contains("WRONGPASS", FirstError("redis-username"));
        CanarySecret.AssertAbsent(TestEnvironment.RedisPassword, samples.Select(s => s.ToString()), "datastore probe samples");
    }

    [Fact]
    public async Task Ssl_mode_require_is_asked_of_postgres_and_redis_and_the_plain_servers_refuse_it()
    {
        // The test environment's servers speak no TLS: require must make every sample fail, where the same probe without it passes.
        var pg = PostgresStandbyFixture.Connection(TestEnvironment.PgPort);
        pg["ssl_mode"] = "require";
        var redis = new Dictionary<string, object?>
        {
            ["host"] = TestEnvironment.RedisHost, ["port"] = (long)TestEnvironment.RedisPort, ["password"] = "${secret:redis}", ["ssl_mode"] = "require",
        };
        var watch = Watch(TimeSpan.FromSeconds(0.8), new[]
        {
            Probe("pg", ProbeType.Postgres, new Dictionary<string, object?> { ["connection"] = pg }),
            Probe("redis", ProbeType.Redis, new Dictionary<string, object?> { ["connection"] = redis }),
        }, secrets: Secrets(TestEnvironment.PgPassword), stopOnBreach: false);
        var (samples, _) = await RunAsync(watch);
        Assert.Contains(samples, s => s.Probe == "pg");
        Assert.Contains(samples, s => s.Probe == "redis");
        Assert.All(samples, s => Assert.False(s.Success, s.ToString()));
        Assert.All(samples.Where(s => s.Probe == "pg"), s => Assert.Contains("SSL", s.Error));
    }
}
