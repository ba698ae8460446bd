using Npgsql;
using ReleaseOps.Deploy;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Releases;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Deploy;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Releases;

/// <summary>
/// A release with the standard wiring, against the real dockerd, nginx and PostgreSQL: the plan's
/// gates run before and after the rollout, its database is backed up before the rollout, and a
/// rollback with RestoreDatabase puts the data back as it was before the release it undoes.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class StandardReleaseTests(DeployFixture fixture) : IAsyncLifetime
{
    private readonly string _database = "ro_rel_" + Guid.NewGuid().ToString("N")[..10];
    private readonly string _backups = Directory.CreateTempSubdirectory("ro-rel-backups-").FullName;

    private static string Maintenance => new NpgsqlConnectionStringBuilder
    {
        Host = TestEnvironment.PgHost, Port = TestEnvironment.PgPort, Database = TestEnvironment.PgDatabase,
        Username = TestEnvironment.PgUser, Password = TestEnvironment.PgPassword, Pooling = false,
    }.ConnectionString;

    private string AppDatabase => new NpgsqlConnectionStringBuilder(Maintenance) { Database = _database }.ConnectionString;

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Postgres);
        await Sql(Maintenance, $"CREATE DATABASE {_database}");
        await Sql(AppDatabase, "CREATE TABLE orders (id serial PRIMARY KEY, item text); INSERT INTO orders (item) VALUES ('a'), ('b'), ('c')");
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await Sql(Maintenance, $"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
        Directory.Delete(_backups, recursive: true);
        await fixture.RemoveContainersAsync();
    }

    private static async Task Sql(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> OrdersAsync()
    {
        await using var connection = new NpgsqlConnection(AppDatabase);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM orders", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private ReleasePlan Plan(params GateDefinition[] gates)
    {
        var service = DeployFixture.Service("web-release", DeploymentStrategyType.Rolling, 21191, 21192);
        return fixture.Plan(service) with
        {
            Secrets = SecretCatalog.Empty.With(new GivenSecretSource("pg", new SecretValue(TestEnvironment.PgPassword))),
            Gates = gates,
            Backups = new[]
            {
                new BackupDefinition
                {
                    Name = "orders-db",
                    Type = BackupSourceType.Postgres,
                    Connection = new ConnectionDefinition
                    {
                        Host = TestEnvironment.PgHost, Port = TestEnvironment.PgPort, Database = _database,
                        Username = TestEnvironment.PgUser, Password = "${secret:pg}",
                    },
                    Destination = _backups,
                },
            },
        };
    }

    private static GateDefinition HttpGate(string name, GateStage stage, string url) => new()
    {
        Name = name,
        Type = "http",
        Severity = GateSeverity.Critical,
        Stage = stage,
        Expect = new[] { "status == 200" },
        Settings = new GateSettings(new Dictionary<string, object?> { ["url"] = url }),
    };

    private static async Task<(IReadOnlyList<DeploymentStep> Steps, DeploymentResult Result)> DeployAsync(
        DeploymentEngine engine, ReleasePlan plan, string version) =>
        await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = version }, SilentReporter.Instance, default));

    [Fact]
    public async Task Gates_and_backups_run_in_a_release_and_a_rollback_restores_the_database()
    {
        var plan = Plan(
            HttpGate("nginx-up", GateStage.PreDeploy, TestEnvironment.NginxHttp + "health"),
            HttpGate("service-version", GateStage.PostDeploy, $"http://127.0.0.1:{DeployFixture.ListenPorts["web-release"]}/version"));
        var engine = new DeploymentEngine(_ => fixture.Platform, StandardRelease.Hooks());

        var (_, first) = await DeployAsync(engine, plan, "v1");
        Assert.True(first.Outcome == DeploymentOutcome.Succeeded, first.Reason);

        var (steps, second) = await DeployAsync(engine, plan, "v2");
        Assert.True(second.Outcome == DeploymentOutcome.Succeeded, second.Reason);
        Assert.Equal("v2", await fixture.ServedVersionAsync("web-release"));
        var pre = steps.Single(s => s.Name == "gates:pre-deploy");
        Assert.Equal(StepStatus.Succeeded, pre.Status);
        Assert.Contains("1 of 1 gates passed", pre.Detail);
        Assert.Equal(StepStatus.Succeeded, steps.Single(s => s.Name == "gates:post-deploy").Status);
        var backup = steps.Single(s => s.Name == "backup");
        Assert.Equal(StepStatus.Succeeded, backup.Status);
        Assert.Contains("orders-db:", backup.Detail);

        // The release changed the data; rolling back with RestoreDatabase puts the pre-v2 state back.
        await Sql(AppDatabase, "INSERT INTO orders (item) VALUES ('d'), ('e')");
        Assert.Equal(5, await OrdersAsync());
        NpgsqlConnection.ClearAllPools();
        var (_, rollback) = await DeploymentStream.CollectAsync<RollbackResult>(new RollbackService(engine)
            .RollbackAsync(plan, new RollbackRequest { RestoreDatabase = true }, SilentReporter.Instance, default));
        Assert.True(rollback.Outcome == RollbackOutcome.Succeeded, rollback.Reason);
        Assert.Equal("v1", await fixture.ServedVersionAsync("web-release"));
        Assert.Equal(3, await OrdersAsync());
    }

    [Fact]
    public async Task A_failing_critical_pre_deploy_gate_stops_the_release_before_anything_changes()
    {
        var engine = new DeploymentEngine(_ => fixture.Platform, StandardRelease.Hooks());
        var (_, first) = await DeployAsync(engine, Plan(), "v1");
        Assert.True(first.Outcome == DeploymentOutcome.Succeeded, first.Reason);

        var closedPort = Plan(HttpGate("nothing-listens", GateStage.PreDeploy, "http://127.0.0.1:21998/health"));
        var (steps, second) = await DeployAsync(engine, closedPort, "v2");

        Assert.Equal(DeploymentOutcome.Failed, second.Outcome);
        Assert.Contains("nothing-listens", second.Reason);
        Assert.DoesNotContain(steps, s => s.Name is "backup" or "rollout" && s.Status == StepStatus.Succeeded);
        Assert.Equal("v1", await fixture.ServedVersionAsync("web-release"));
    }
}

/// <summary>A health watch that breaches rolls the release back through the deployment engine (the standard wiring).</summary>
[Collection(DeployCollection.Name)]
public sealed class WatchRollbackTests(DeployFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => fixture.RemoveContainersAsync();

    [Fact]
    public async Task A_breached_watch_rolls_the_release_back_to_the_previous_version()
    {
        var url = $"http://127.0.0.1:{DeployFixture.ListenPorts["web-release"]}/version";
        var plan = fixture.Plan(DeployFixture.Service("web-release", DeploymentStrategyType.BlueGreen, 21181, 21182)) with
        {
            // "Healthy" here means serving v1, so v2 breaches at once: a stand-in for a release that degrades.
            Watch = new WatchDefinition
            {
                Duration = TimeSpan.FromSeconds(20),
                Probes = new[] { new ProbeDefinition { Name = "version", Url = url, Interval = TimeSpan.FromMilliseconds(200), Timeout = TimeSpan.FromSeconds(1), Expect = new[] { "body contains \"v1\"" } } },
                Criteria = new[] { new CriterionDefinition { Name = "serves-v1", Expect = "consecutive_failures < 3", Window = TimeSpan.FromSeconds(5) } },
                RollbackOnBreach = true,
            },
        };
        var engine = new DeploymentEngine(_ => fixture.Platform, StandardRelease.Hooks());
        foreach (var version in new[] { "v1", "v2" })
        {
            var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = version }, SilentReporter.Instance, default));
            Assert.True(result.Outcome == DeploymentOutcome.Succeeded, result.Reason);
        }
        Assert.Equal("v2", await fixture.ServedVersionAsync("web-release"));

        using var session = ReleaseOps.Health.WatchSession.Create(new ReleaseOps.Health.WatchOptions
        {
            Plan = plan,
            Rollback = new DeploymentRollbackTrigger(plan, engine),
            StopOnBreach = true,
            SaveSummary = false,
        });
        await foreach (var _ in session.RunAsync(SilentReporter.Instance, default))
        {
        }

        var verdict = session.Verdict!;
        Assert.Equal(ReleaseOps.Health.HealthStatus.Breached, verdict.Status);
        Assert.True(verdict.RolledBack, verdict.RollbackError);
        var rollback = Assert.IsType<RollbackResult>(verdict.RollbackResult);
        Assert.Equal(("v2", "v1"), (rollback.FromVersion, rollback.ToVersion));
        Assert.Equal("v1", await fixture.ServedVersionAsync("web-release"));
    }
}

/// <summary>A canary release with the standard wiring: each weight step is judged statistically (Mann-Whitney) before the next.</summary>
[Collection(DeployCollection.Name)]
public sealed class StatisticalCanaryReleaseTests(DeployFixture fixture) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => fixture.RemoveContainersAsync();

    [Fact]
    public async Task A_canary_passes_its_statistical_judgement_step_by_step()
    {
        var service = DeployFixture.Service("web-release", DeploymentStrategyType.Canary, 21261, 21262);
        var plan = fixture.Plan(service with { Strategy = service.Strategy with { Steps = new[] { 50, 100 }, Pause = TimeSpan.FromSeconds(2) } });
        var engine = new DeploymentEngine(_ => fixture.Platform, StandardRelease.Hooks());
        Assert.IsType<ReleaseOps.Releases.StatisticalCanaryAnalysis>(engine.Hooks.Canary);

        foreach (var version in new[] { "v1", "v2" })
        {
            var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                engine.DeployAsync(plan, new DeploymentRequest { Version = version }, SilentReporter.Instance, default));
            Assert.True(result.Outcome == DeploymentOutcome.Succeeded, result.Reason + "\n" + string.Join("\n", steps));
        }
        Assert.Equal("v2", await fixture.ServedVersionAsync("web-release"));
    }
}
