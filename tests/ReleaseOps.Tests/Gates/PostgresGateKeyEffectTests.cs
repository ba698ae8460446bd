using ReleaseOps.Gates;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>Keys of the postgres gate whose effect PostgresGateTests did not show, against the shared PostgreSQL.</summary>
public class PostgresGateKeyEffectTests
{
    [Fact]
    public async Task Min_version_fails_a_server_older_than_it()
    {
        TestEnvironment.Require(TestService.Postgres);
        var env = PostgresGateTests.WithSecret("pg", TestEnvironment.PgPassword);
        var connection = new Dictionary<string, object?>
        {
            ["host"] = TestEnvironment.PgHost, ["port"] = TestEnvironment.PgPort, ["username"] = TestEnvironment.PgUser, ["password"] = "${secret:pg}",
        };
        var current = await Run(env, ("type", "postgres"), ("connection", connection), ("min_version", 12));
        Assert.True(current.Status == GateStatus.Passed, Explain(current));
        var version = Convert.ToInt64(current.Evidence["version"]);

        var future = await Run(env, ("type", "postgres"), ("connection", connection), ("min_version", 99));
        Assert.Equal(GateStatus.Failed, future.Status);
        Assert.Contains(version.ToString(System.Globalization.CultureInfo.InvariantCulture), future.Message);
        Assert.Contains("99", future.Message);
    }
}
