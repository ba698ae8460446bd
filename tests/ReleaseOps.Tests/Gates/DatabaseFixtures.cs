using Npgsql;
using ReleaseOps.Backup;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// Two databases of our own on the shared PostgreSQL: ro_gate_on with slow-query logging and a
/// statement timeout set (ALTER DATABASE ... SET, never ALTER SYSTEM) and an alembic_version table,
/// and ro_gate_off with neither. Dropped at the end.
/// </summary>
public sealed class GatePostgresFixture : IAsyncLifetime
{
    public string On { get; } = "ro_gate_on_" + Guid.NewGuid().ToString("N")[..6];
    public string Off { get; } = "ro_gate_off_" + Guid.NewGuid().ToString("N")[..6];

    public static string AdminConnection(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = TestEnvironment.PgHost,
        Port = TestEnvironment.PgPort,
        Username = TestEnvironment.PgUser,
        Password = TestEnvironment.PgPassword,
        Database = database,
        Pooling = false,
    }.ConnectionString;

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Postgres);
        await Execute(TestEnvironment.PgDatabase,
            $"CREATE DATABASE {On}", $"CREATE DATABASE {Off}",
            $"ALTER DATABASE {On} SET log_min_duration_statement = 500",
            $"ALTER DATABASE {On} SET statement_timeout = '30s'");
        await Execute(On, "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)",
            "INSERT INTO alembic_version VALUES ('4f2e9c1a')");
    }

    public async Task DisposeAsync()
    {
        await Execute(TestEnvironment.PgDatabase, $"DROP DATABASE IF EXISTS {On} WITH (FORCE)", $"DROP DATABASE IF EXISTS {Off} WITH (FORCE)");
    }

    private static async Task Execute(string database, params string[] statements)
    {
        await using var db = new NpgsqlConnection(AdminConnection(database));
        await db.OpenAsync();
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, db);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>
/// Two private redis-servers from the gates port range: 22379 with a password, AOF, RDB save
/// points and allkeys-lru; 22380 open, without persistence, noeviction. Never CONFIG SET on the shared one.
/// </summary>
public sealed class GateRedisFixture : IAsyncLifetime
{
    public const int HardenedPort = 22379;
    public const int OpenPort = 22380;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ro-gate-redis-" + Guid.NewGuid().ToString("N")[..8]);

    public SecretValue Password { get; } = new(CanarySecret.New());

    public ScratchRedisServer Hardened { get; private set; } = null!;
    public ScratchRedisServer Open { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Hardened = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions
        {
            Directory = Path.Combine(_directory, "hardened"),
            Port = HardenedPort,
            Password = Password,
            ExtraConfiguration = new[] { "appendonly yes", "save 3600 1", "maxmemory 32mb", "maxmemory-policy allkeys-lru" },
            StartTimeout = TimeSpan.FromSeconds(15),
        });
        Open = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions
        {
            Directory = Path.Combine(_directory, "open"),
            Port = OpenPort,
            StartTimeout = TimeSpan.FromSeconds(15),
        });
    }

    public async Task DisposeAsync()
    {
        await Hardened.DisposeAsync();
        await Open.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
