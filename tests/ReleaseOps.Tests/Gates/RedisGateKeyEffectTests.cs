using Microsoft.Extensions.Time.Testing;
using ReleaseOps.Gates;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>Keys of the redis gate whose effect RedisGateTests did not show, against the shared Redis of the test environment.</summary>
public class RedisGateKeyEffectTests
{
    private static Dictionary<string, object?> Connection(params (string Key, object? Value)[] more)
    {
        var connection = new Dictionary<string, object?>
        {
            ["host"] = TestEnvironment.RedisHost, ["port"] = TestEnvironment.RedisPort, ["password"] = "${secret:redis}",
        };
        foreach (var (key, value) in more) connection[key] = value;
        return connection;
    }

    private static GateEnvironment Env => PostgresGateTests.WithSecret("redis", TestEnvironment.RedisPassword);

    [Fact]
    public async Task The_username_is_the_acl_user_the_gate_authenticates_as()
    {
        TestEnvironment.Require(TestService.Redis);
        var asDefault = await Run(Env, ("type", "redis"), ("connection", Connection(("username", "default"))));
        Assert.True(asDefault.Status == GateStatus.Passed, Explain(asDefault));

        var asStranger = await Run(Env, ("type", "redis"), ("connection", Connection(("username", "ro-gate-no-such-user"))));
        Assert.Equal(GateStatus.Error, asStranger.Status);
        Assert.Equal("RedisAuthenticationFailed", asStranger.ErrorId);
    }

    [Fact]
    public async Task Max_last_save_age_fails_once_the_last_save_is_older_than_it()
    {
        TestEnvironment.Require(TestService.Redis);
        var recent = await Run(Env, ("type", "redis"), ("connection", Connection()), ("max_last_save_age", "3650d"));
        Assert.True(recent.Status == GateStatus.Passed, Explain(recent));

        // The same server read ten years on: its last save is now older than a day.
        var later = new GateRunOptions { DefaultTimeout = TimeSpan.FromSeconds(5), Clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(3650)) };
        var stale = await Run(Env, later, ("type", "redis"), ("connection", Connection()), ("max_last_save_age", "1d"));
        Assert.Equal(GateStatus.Failed, stale.Status);
        Assert.Contains("last_save_age", stale.Message);
        var unasked = await Run(Env, later, ("type", "redis"), ("connection", Connection()));
        Assert.True(unasked.Status == GateStatus.Passed, Explain(unasked));
    }
}
