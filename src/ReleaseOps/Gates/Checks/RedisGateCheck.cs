using System.Globalization;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Plans;
using ReleaseOps.Text;

namespace ReleaseOps.Gates.Checks;

/// <summary>
/// <c>redis</c>: connects with AUTH (password from a secret) through StackExchange.Redis, to a
/// server (<c>connection:</c>) or to what a connection string names (<c>configuration:</c>, the
/// form .NET users know, Sentinel service names included), and checks that the server itself
/// requires a password, that persistence (AOF or RDB) is on, the maxmemory policy, and that the
/// last save succeeded recently.
/// </summary>
internal sealed class RedisGateCheck : IGateCheck
{
    public IReadOnlyList<string> Types { get; } = new[] { "redis" };

    public async Task RunAsync(GateCheckContext context, GateObservation observation, CancellationToken cancellation)
    {
        var settings = context.Settings;
        var options = Options(context) with
        {
            ConnectTimeout = context.Timeout,
            CommandTimeout = context.Timeout,
            ClientName = "releaseops-gate",
        };
        observation.Target = options.Endpoint;
        // In a run, one session per distinct connection for all its gates (GateConnections); alone, a session of its own.
        RedisSession? own = null;
        var redis = context.Connections is { } shared
            ? await shared.RedisAsync(options, cancellation).ConfigureAwait(false)
            : own = await RedisSession.ConnectAsync(options, cancellation).ConfigureAwait(false);
        await using var close = own;
        var info = await redis.InfoAsync(null, cancellation).ConfigureAwait(false);
        var version = info.GetValueOrDefault("redis_version");
        observation.Measure("version", version);
        var primary = options.ServiceName is null ? "" : $" (primary {redis.Primary.Endpoint})";
        observation.Rule("connect", true, $"connected to Redis {version}{primary}");

        var aof = info.GetValueOrDefault("aof_enabled") == "1";
        var saveRules = (await redis.ConfigGetAsync("save", cancellation).ConfigureAwait(false)).GetValueOrDefault("save") ?? "";
        var rdb = saveRules.Trim().Length > 0;
        observation.Measure("aof_enabled", aof);
        observation.Measure("rdb_enabled", rdb);
        var policy = info.GetValueOrDefault("maxmemory_policy")
            ?? (await redis.ConfigGetAsync("maxmemory-policy", cancellation).ConfigureAwait(false)).GetValueOrDefault("maxmemory-policy");
        observation.Measure("maxmemory_policy", policy);
        if (long.TryParse(info.GetValueOrDefault("used_memory"), out var used))
        {
            observation.Measure("used_memory", Conditions.ConditionValue.Size(used));
        }
        if (long.TryParse(info.GetValueOrDefault("rdb_last_save_time"), out var lastSave))
        {
            observation.Measure("last_save_age", context.Clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(lastSave));
        }
        var bgsave = info.GetValueOrDefault("rdb_last_bgsave_status");
        observation.Measure("last_save_status", bgsave);

        if (settings.GetBoolean("require_password") == true)
        {
            var open = context.Connections is { } answers
                ? await answers.OnceAsync("answers-without-password", redis.Primary, token => AnswersWithoutPasswordAsync(redis.Primary, token), cancellation)
                    .ConfigureAwait(false)
                : await AnswersWithoutPasswordAsync(redis.Primary, cancellation).ConfigureAwait(false);
            observation.Measure("requires_password", !open);
            observation.Rule("requirepass", !open, open ? "the server answers without a password" : "the server refuses clients without a password");
        }
        if (settings.GetString("persistence") is { } persistence)
        {
            var ok = persistence switch
            {
                "aof" => aof,
                "rdb" => rdb,
                _ => aof || rdb,
            };
            observation.Rule("persistence", ok, ok
                ? $"persistence on (aof {(aof ? "yes" : "no")}, rdb {(rdb ? "save " + saveRules : "off")})"
                : $"persistence {persistence} is off (appendonly {(aof ? "yes" : "no")}, save '{saveRules}')");
        }
        if (settings.GetString("maxmemory_policy") is { } expectedPolicy)
        {
            var ok = string.Equals(policy, expectedPolicy, StringComparison.OrdinalIgnoreCase);
            observation.Rule("maxmemory-policy", ok, ok ? $"maxmemory-policy {policy}" : $"maxmemory-policy is {policy}, expected {expectedPolicy}");
        }
        if (settings.GetDuration("max_last_save_age") is { } maxAge)
        {
            observation.Rule("last-save-status", bgsave == "ok", bgsave == "ok" ? "last save succeeded" : $"the last background save failed ({bgsave})");
            observation.Condition($"last_save_age <= {DurationText.Format(maxAge)}");
        }
        observation.Summary = $"Redis {version} at {options.Endpoint}{primary}" +
            (observation.Findings.Count > 1 ? "; " + string.Join("; ", observation.Findings.Skip(1).Select(f => f.Message)) : "");
        observation.Fix = "Set it in redis.conf (requirepass, appendonly yes, save, maxmemory-policy) and restart or reload the server.";
    }

    /// <summary>The connection settings: a connection string (its <c>${secret:NAME}</c> references expanded) or the connection map.</summary>
    private static RedisConnectionOptions Options(GateCheckContext context) =>
        SettingConnections.Redis(context.Settings, context.Expand, context.Invalid)
        ?? throw context.Missing("connection", "Add connection: { host: 127.0.0.1, port: 6379, password: ${secret:redis} }, or configuration: \"host:6379,ssl=true\" (serviceName=NAME for Sentinels).");

    /// <summary>Whether the server (the primary found) takes commands from a client that gives no credentials.</summary>
    private static async Task<bool> AnswersWithoutPasswordAsync(RedisConnectionOptions primary, CancellationToken cancellation)
    {
        try
        {
            await using var anonymous = await RedisSession.ConnectAsync(primary with { Password = null, User = null }, cancellation).ConfigureAwait(false);
            await anonymous.RunAsync("PING", (server, _) => server.PingAsync(), cancellation).ConfigureAwait(false);
            return true;
        }
        catch (ReleaseOpsException ex) when (ex.Kind is FailureKind.AuthenticationFailed or FailureKind.PermissionDenied)
        {
            return false;
        }
    }
}
