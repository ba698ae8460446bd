using ReleaseOps.Backup;
using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Infrastructure;

/// <summary>
/// The tools ReleaseOps starts get the minimum environment: a secret in ReleaseOps' own environment (a password handed
/// over with --password-env, a plan's secrets: { env: X }) is not in their /proc/PID/environ. pg_dump and pg_restore are
/// covered by Backup/PgFaultTests; here redis-server (the scratch server of a Redis test-restore) and nginx.
/// </summary>
public sealed class ChildEnvironmentTests : TemporaryDirectory
{
    [Fact]
    public async Task The_scratch_redis_server_does_not_inherit_a_secret_of_ours()
    {
        var canary = CanarySecret.New();
        var variable = "RO_CHILD_ENV_" + Guid.NewGuid().ToString("N")[..8];
        // redis-server writes its title over its environ area, so /proc/PID/environ no longer shows what it got: a wrapper
        // keeps its own /proc/PID/environ before becoming redis-server.
        var seen = Path.Combine(Directory, "redis-environ");
        Environment.SetEnvironmentVariable(variable, canary);
        try
        {
            await using var server = await ScratchRedisServer.StartAsync(new ScratchRedisServerOptions
            {
                Directory = Path.Combine(Directory, "redis"),
                Password = new SecretValue(CanarySecret.New()),
                Binary = Recorder("redis-server", seen),
            }, CancellationToken.None);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
        AssertMinimal(await File.ReadAllTextAsync(seen), variable, canary, "redis-server's environment");
    }

    [Fact]
    public async Task Nginx_does_not_inherit_a_secret_of_ours()
    {
        var canary = CanarySecret.New();
        var variable = "RO_CHILD_ENV_" + Guid.NewGuid().ToString("N")[..8];
        // The nginx the controller runs, as a wrapper that keeps its own /proc/PID/environ before becoming nginx.
        var seen = Path.Combine(Directory, "nginx-environ");
        var binary = Recorder("nginx", seen);
        var upstreams = Write("upstreams.conf", NginxProxyController.Render(new[] { new UpstreamBlock("web", new[] { new UpstreamServer("127.0.0.1:21999") }) }));
        var config = Write("nginx.conf", Deploy.DeployFixture.NginxConfig(Directory, upstreams, new Dictionary<string, int> { ["web"] = 21998 }));
        Environment.SetEnvironmentVariable(variable, canary);
        try
        {
            await new NginxProxyController(new ProxyDefinition { UpstreamFile = upstreams, ConfigFile = config, Binary = binary })
                .KeepAliveWarningAsync("web", default);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
        AssertMinimal(await File.ReadAllTextAsync(seen), variable, canary, "nginx's environment");
    }

    /// <summary>A stand-in for <paramref name="tool"/> that copies its own /proc/PID/environ to <paramref name="seen"/>, then execs the tool.</summary>
    private string Recorder(string tool, string seen)
    {
        var path = Write(tool + "-recorder", $"#!/bin/sh\ncat /proc/$$/environ > {seen}\nexec {tool} \"$@\"\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static void AssertMinimal(string recorded, string variable, string canary, string where)
    {
        var environ = recorded.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(environ, e => e.StartsWith("PATH=", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, e => e.StartsWith(variable + "=", StringComparison.Ordinal));
        CanarySecret.AssertAbsent(canary, environ, where);
    }
}
