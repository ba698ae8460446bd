using ReleaseOps.Gates;
using ReleaseOps.Operations;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

public sealed class GateScratchDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ro-gate-files-" + Guid.NewGuid().ToString("N")[..8]);

    public GateScratchDirectory() => Directory.CreateDirectory(Path);

    public string Write(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
        return file;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public class HostAndPolicyGateTests : IClassFixture<GateScratchDirectory>
{
    private readonly GateScratchDirectory _dir;

    public HostAndPolicyGateTests(GateScratchDirectory dir) => _dir = dir;

    [Fact]
    public async Task Disk_and_memory_floors_pass_when_low_and_fail_when_impossible()
    {
        var disk = await Run(("type", "disk"), ("path", _dir.Path), ("min_free", "1MB"), ("min_free_percent", 0.1));
        Assert.True(disk.Status == GateStatus.Passed, Explain(disk));
        var tooMuch = await Run(("type", "disk"), ("path", _dir.Path), ("min_free", "900TB"));
        Assert.Equal(GateStatus.Failed, tooMuch.Status);
        Assert.Contains("is not >= 900TB", tooMuch.Message);

        var memory = await Run(("type", "memory"), ("min_available", "1MB"), ("expect", "memory_percent < 100%"));
        Assert.True(memory.Status == GateStatus.Passed, Explain(memory));
        var noMemory = await Run(("type", "memory"), ("min_available_percent", 100));
        Assert.Equal(GateStatus.Failed, noMemory.Status);
    }

    [Fact]
    public async Task File_size_sums_a_directory_like_du()
    {
        _dir.Write("next/a.js", new string('x', 6000));
        _dir.Write("next/static/b.js", new string('y', 6000));
        var small = await Run(("type", "file-size"), ("path", System.IO.Path.Combine(_dir.Path, "next")), ("max_size", "10MB"));
        Assert.True(small.Status == GateStatus.Passed, Explain(small));
        Assert.Equal(2L, Convert.ToInt64(small.Evidence["files"]));

        var big = await Run(("type", "file-size"), ("path", System.IO.Path.Combine(_dir.Path, "next")), ("max_size", "10KB"));
        Assert.Equal(GateStatus.Failed, big.Status);
        Assert.Equal("size 12KB is not <= 10KB", big.Message);

        var missing = await Run(("type", "file-size"), ("path", "/nonexistent/ro-gate"), ("max_size", "1MB"));
        Assert.Equal(GateStatus.Error, missing.Status);
        Assert.Equal("GatePathNotFound", missing.ErrorId);
    }

    [Fact]
    public async Task Command_exit_code_output_timeout_and_secret_environment()
    {
        var canary = CanarySecret.New();
        var env = PostgresGateTests.WithSecret("token", canary);
        var ok = await Run(env, ("type", "command"), ("run", "echo critical path ok; echo \"token=$API_TOKEN\""), ("env", new Dictionary<string, object?> { ["API_TOKEN"] = "${secret:token}" }),
            ("output_contains", "critical path ok"));
        Assert.True(ok.Status == GateStatus.Passed, Explain(ok));
        Assert.Contains("token=********", (string)ok.Evidence["output_tail"]!);
        CanarySecret.AssertAbsent(canary, new[] { System.Text.Json.JsonSerializer.Serialize(ok) }, "the command gate result");

        var failing = await Run(("type", "command"), ("run", new[] { "/bin/sh", "-c", "echo broken >&2; exit 3" }));
        Assert.Equal(GateStatus.Failed, failing.Status);
        Assert.Equal("exit_code 3 is not == 0", failing.Message);

        var slow = await Run(("type", "command"), ("run", "sleep 30"), ("timeout", "300ms"));
        Assert.Equal(GateStatus.Error, slow.Status);
        Assert.Equal("GateTimeout", slow.ErrorId);

        var missing = await Run(("type", "command"), ("run", new[] { "/nonexistent/ro-gate-tool", "--check" }));
        Assert.Equal(GateStatus.Error, missing.Status);
        Assert.Equal("CommandNotFound", missing.ErrorId);
    }

    [Fact]
    public async Task Env_policy_flags_missing_forbidden_and_plain_secret_values_by_name_only()
    {
        var canary = CanarySecret.New();
        var file = _dir.Write("prod.env", $"""
            # production
            NODE_ENV=production
            DEBUG=true
            export LOG_LEVEL="debug"
            DB_PASSWORD={canary}
            JWT_SECRET_FILE=/run/secrets/jwt
            REDIS_URL=redis://redis:6379
            """);
        var result = await Run(("type", "env-policy"), ("file", file), ("required", new[] { "NODE_ENV", "DATABASE_URL" }),
            ("forbidden", new Dictionary<string, object?> { ["DEBUG"] = "true", ["LOG_LEVEL"] = new[] { "debug", "trace" }, ["CORS_ORIGINS"] = "*" }));

        Assert.Equal(GateStatus.Failed, result.Status);
        Assert.Contains("required variable DATABASE_URL is missing", result.Message);
        Assert.Contains("DEBUG=true is forbidden", result.Message);
        Assert.Contains("LOG_LEVEL=debug is forbidden", result.Message);
        Assert.Contains("look like plain-text secrets: DB_PASSWORD", result.Message);
        Assert.DoesNotContain("JWT_SECRET_FILE", result.Message);
        CanarySecret.AssertAbsent(canary, new[] { System.Text.Json.JsonSerializer.Serialize(result) }, "the env-policy result");

        var clean = _dir.Write("clean.env", "NODE_ENV=production\nDATABASE_URL=postgres://db/app\nLOG_LEVEL=info\n");
        var passed = await Run(("type", "env-policy"), ("file", clean), ("required", new[] { "NODE_ENV", "DATABASE_URL" }),
            ("forbidden", new Dictionary<string, object?> { ["LOG_LEVEL"] = "debug" }));
        Assert.True(passed.Status == GateStatus.Passed, Explain(passed));
    }

    [Fact]
    public async Task Compose_files_are_checked_for_parsing_declarations_limits_and_healthchecks()
    {
        var good = _dir.Write("good-compose.yml", """
            services:
              api:
                image: app/api:1
                secrets: [db_password]
                networks: [backend]
                volumes: ["data:/var/lib/app", "./config:/config:ro"]
                deploy: { resources: { limits: { memory: 512M, cpus: "0.5" } } }
                healthcheck: { test: ["CMD", "wget", "-qO-", "http://localhost:8080/health"] }
            secrets: { db_password: { external: true } }
            networks: { backend: { internal: true } }
            volumes: { data: {} }
            """);
        var ok = await Run(("type", "compose"), ("file", good), ("require_limits", true), ("require_healthcheck", true));
        Assert.True(ok.Status == GateStatus.Passed, Explain(ok));

        var bad = _dir.Write("bad-compose.yml", """
            services:
              web:
                image: app/web:1
                secrets: [jwt_secret]
                networks: [frontend]
                volumes: ["uploads:/srv/uploads"]
            """);
        var failed = await Run(("type", "compose"), ("file", bad), ("require_limits", true), ("require_healthcheck", true));
        Assert.Equal(GateStatus.Failed, failed.Status);
        Assert.Contains("web uses secret 'jwt_secret'", failed.Message);
        Assert.Contains("web uses network 'frontend'", failed.Message);
        Assert.Contains("web uses volume 'uploads'", failed.Message);
        Assert.Contains("no memory limit: web", failed.Message);
        Assert.Contains("no healthcheck: web", failed.Message);

        var broken = _dir.Write("broken-compose.yml", "services:\n  web: [unclosed\n");
        var unparsable = await Run(("type", "compose"), ("file", broken));
        Assert.Equal(GateStatus.Failed, unparsable.Status);
        Assert.Contains("does not parse at line", unparsable.Message);
    }

    [Fact]
    public async Task Deployment_windows_and_freezes_use_the_given_time_zone()
    {
        // Wednesday 2026-11-18 08:30 UTC is 09:30 in Berlin.
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 18, 8, 30, 0, TimeSpan.Zero));
        var options = new GateRunOptions { Clock = clock };
        async Task<GateResult> Window(params (string, object?)[] extra) => await Runner.RunGateAsync(
            Define(extra.Prepend(("timezone", "Europe/Berlin")).Prepend(("type", "window")).ToArray()), GateEnvironment.Default, options, SilentReporter.Instance, default);

        var inside = await Window(("days", new[] { "mon", "tue", "wed", "thu" }), ("start", "09:00"), ("end", "16:00"));
        Assert.True(inside.Status == GateStatus.Passed, Explain(inside));

        var early = await Window(("start", "10:00"), ("end", "16:00"));
        Assert.Equal(GateStatus.Failed, early.Status);
        Assert.Contains("09:30 is outside the window 10:00-16:00 (Europe/Berlin)", early.Message);

        var friday = await Window(("days", new[] { "fri" }));
        Assert.Contains("wed is not a release day", friday.Message);

        var frozen = await Window(("freezes", new object[] { new Dictionary<string, object?> { ["from"] = "2026-11-16", ["to"] = "2026-11-18", ["reason"] = "Black Friday prep" } }));
        Assert.Equal(GateStatus.Failed, frozen.Status);
        Assert.Contains("change freeze 2026-11-16 to 2026-11-18 (Black Friday prep)", frozen.Message);

        var badZone = await Runner.RunGateAsync(Define(("type", "window"), ("timezone", "Mars/Olympus")), GateEnvironment.Default, options, SilentReporter.Instance, default);
        Assert.Equal(GateStatus.Error, badZone.Status);
        Assert.Equal("GateSettingInvalid", badZone.ErrorId);
    }

    [Fact]
    public async Task Sign_off_fails_listing_what_is_missing_and_passes_once_every_required_sign_off_is_recorded()
    {
        var signOffs = new StubSignOffs();
        var env = new GateEnvironment { PlanName = "shop/production", Version = "2.4.0", SignOffs = signOffs };
        (string, object?)[] gate = { ("type", "sign-off"), ("roles", new[] { "Deployment Lead" }) };

        signOffs.State = new GateSignOffState(Array.Empty<string>(), new[] { "Deployment Lead (seeds/x.md:572)" },
            new[] { "Deployment Lead by mallory@example.com: not a member of the role" });
        var before = await Run(env, gate);
        Assert.Equal(GateStatus.Failed, before.Status);
        Assert.Equal("1 required sign-off(s) missing for 2.4.0: Deployment Lead (seeds/x.md:572)", before.Message);
        Assert.Equal(("2.4.0", "Deployment Lead"), (signOffs.AskedVersion, signOffs.AskedRoles.Single()));
        Assert.Contains("Confirm-ReleaseChecklistItem", before.Fix);

        signOffs.State = new GateSignOffState(new[] { "Deployment Lead: dana@example.com" }, Array.Empty<string>(), Array.Empty<string>());
        var after = await Run(env, gate);
        Assert.True(after.Status == GateStatus.Passed, Explain(after));

        var unwired = await Run(env with { SignOffs = null }, gate);
        Assert.Equal(GateStatus.Error, unwired.Status);
        Assert.Equal("GateSignOffsUnavailable", unwired.ErrorId);
        var noVersion = await Run(env with { Version = null }, gate);
        Assert.Equal("GateVersionMissing", noVersion.ErrorId);
    }

    private sealed class StubSignOffs : IGateSignOffs
    {
        public GateSignOffState State { get; set; } = new(Array.Empty<string>(), Array.Empty<string>(), Array.Empty<string>());
        public string? AskedVersion { get; private set; }
        public IReadOnlyList<string> AskedRoles { get; private set; } = Array.Empty<string>();

        public Task<GateSignOffState> CheckAsync(string version, IReadOnlyList<string> roles, CancellationToken cancellation)
        {
            (AskedVersion, AskedRoles) = (version, roles);
            return Task.FromResult(State);
        }
    }

    private sealed class FixedClock : TimeProvider
    {
        private readonly DateTimeOffset _now;

        public FixedClock(DateTimeOffset now) => _now = now;

        public override DateTimeOffset GetUtcNow() => _now;
    }

    [Fact]
    public async Task Flag_secrets_and_exit_code_change_what_passes()
    {
        var file = _dir.Write("flagged.env", "NODE_ENV=production\nDB_PASSWORD=" + CanarySecret.New() + "\n");
        var flagged = await Run(("type", "env-policy"), ("file", file)); // a file: flagged by default
        Assert.Equal(GateStatus.Failed, flagged.Status);
        Assert.Contains("DB_PASSWORD", (string[])flagged.Evidence["plain_secrets"]!);
        var notFlagged = await Run(("type", "env-policy"), ("file", file), ("flag_secrets", false));
        Assert.True(notFlagged.Status == GateStatus.Passed, Explain(notFlagged));

        var three = new[] { "/bin/sh", "-c", "exit 3" };
        Assert.Equal(GateStatus.Failed, (await Run(("type", "command"), ("run", three))).Status);
        var expected = await Run(("type", "command"), ("run", three), ("exit_code", 3));
        Assert.True(expected.Status == GateStatus.Passed, Explain(expected));
    }
}
