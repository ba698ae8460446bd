using Docker.DotNet.Models;
using Microsoft.Extensions.Time.Testing;
using ReleaseOps.Docker;
using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Docker;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// For the container-logs and docker-secrets gates, on the test dockerd: a container and a Swarm
/// service whose logs hold failed logins (one line carries a plan secret, one a password), and secrets
/// with a common prefix, two of them labelled, one mounted by a service. Named ro-evidence-*; removed at the end.
/// </summary>
public sealed class DockerEvidenceFixture : IAsyncLifetime
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];

    public DockerEngine Client { get; private set; } = null!;
    public string Canary { get; } = CanarySecret.New();
    public string Container => $"ro-evidence-logs-{_run}";
    public string LogService => $"ro-evidence-logsvc-{_run}";
    public string SecretPrefix => $"ro-evidence-s-{_run}-";
    public string Label => $"releaseops.test={_run}";
    public string UsingService => $"ro-evidence-user-{_run}";

    /// <summary>The plan's secrets: app_password is the value the logs leak.</summary>
    public GateEnvironment Environment => new()
    {
        Docker = new DockerEndpointDefinition { Host = TestEnvironment.DockerHost },
        Secrets = SecretCatalog.Empty.With(new GivenSecretSource("app_password", new SecretValue(Canary))),
    };

    /// <summary>Three failed logins (one with the plan secret, one with a password), one good request, one failure on stderr.</summary>
    private static readonly string Script =
        "echo \"auth failed for bob: $APP_SECRET\"; echo 'auth failed for eve password=hunter2hunter2'; echo 'GET /health 200'; " +
        "echo 'AUTH FAILED for mallory' >&2; sleep 3600";

    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        Client = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        await Client.RunAsync(TestContainers.Spec(Container, "releaseops-test/web:v1", command: ["/bin/sh", "-c", Script], env: [$"APP_SECRET={Canary}"]));
        for (var i = 1; i <= 3; i++)
        {
            var name = SecretPrefix + i;
            var labels = i <= 2 ? new Dictionary<string, string> { ["releaseops.test"] = _run } : new Dictionary<string, string>();
            await Client.CallAsync("secret", (api, token) => api.Secrets.CreateAsync(new SwarmSecretSpec
            {
                Name = name, Labels = labels, Data = System.Text.Encoding.UTF8.GetBytes(CanarySecret.New()),
            }, token), default);
        }
        var secret = (await Client.ListSecretsAsync()).Single(s => s.Spec?.Name == SecretPrefix + "1");
        await Client.CreateServiceAsync(new ServiceSpec
        {
            Name = UsingService,
            TaskTemplate = new TaskSpec
            {
                ContainerSpec = new ContainerSpec
                {
                    Image = "releaseops-test/web:plain",
                    Secrets = [new SecretReference
                    {
                        SecretID = secret.ID!, SecretName = secret.Spec!.Name!,
                        File = new SecretReferenceFileTarget { Name = "app", UID = "0", GID = "0", Mode = 0x124 },
                    }],
                },
            },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
        });
        await Client.CreateServiceAsync(new ServiceSpec
        {
            Name = LogService,
            TaskTemplate = new TaskSpec
            {
                // No healthcheck: the image's checks an httpd this command does not start, and Swarm would replace the task.
                ContainerSpec = new ContainerSpec
                {
                    Image = "releaseops-test/web:v1", Command = ["/bin/sh", "-c", Script], Env = [$"APP_SECRET={Canary}"],
                    Healthcheck = new HealthcheckConfig { Test = ["NONE"] },
                },
            },
            Mode = new ServiceMode { Replicated = new ReplicatedService { Replicas = 1 } },
        });
        await Client.WaitForServiceTasksAsync(LogService, "releaseops-test/web:v1", 1, TimeSpan.FromSeconds(30));
        await LogsWrittenAsync(LogSourceKind.Container, Container);
        await LogsWrittenAsync(LogSourceKind.Service, LogService);
    }

    /// <summary>Waits (bounded) until the script's four lines are in the logs, so that the tests count what is there.</summary>
    private async Task LogsWrittenAsync(LogSourceKind kind, string name)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var all = new System.Text.RegularExpressions.Regex(".");
        while ((await Client.ScanLogsAsync(kind, name, all, DateTimeOffset.UnixEpoch, null, 0, 1 << 20)).Lines < 4)
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"{name} wrote no logs within 30s");
            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        await TestContainers.QuietlyAsync(() => Client.RemoveServiceAsync(UsingService));
        await TestContainers.QuietlyAsync(() => Client.RemoveServiceAsync(LogService));
        await Client.RemoveQuietlyAsync(Container);
        // A secret in use by a task being removed is refused for a moment.
        for (var attempt = 0; attempt < 20 && (await Client.ListSecretsAsync()).Any(s => s.Spec?.Name?.StartsWith(SecretPrefix, StringComparison.Ordinal) == true); attempt++)
        {
            foreach (var name in Enumerable.Range(1, 3).Select(i => SecretPrefix + i))
            {
                await TestContainers.QuietlyAsync(() => Client.CallAsync("secret", (api, token) => api.Secrets.DeleteAsync(name, token), default));
            }
            await Task.Delay(250);
        }
        Client.Dispose();
    }
}

public class DockerEvidenceGateTests : IClassFixture<DockerEvidenceFixture>
{
    private readonly DockerEvidenceFixture _docker;

    public DockerEvidenceGateTests(DockerEvidenceFixture docker) => _docker = docker;

    private Task<GateResult> Gate(params (string, object?)[] values) => Run(_docker.Environment, values);

    [Fact]
    public async Task Failed_logins_in_a_containers_logs_are_counted_and_shown_with_secrets_masked()
    {
        var result = await Gate(("type", "container-logs"), ("container", _docker.Container), ("pattern", "auth failed"), ("expect", "count == 2"));
        Assert.True(result.Status == GateStatus.Failed, Explain(result));
        Assert.Contains("2 of 4 lines match auth failed", result.Message);
        Assert.Equal(2L, result.Evidence["count"]);
        var lines = (string[])result.Evidence["first_matches"]!;
        Assert.Equal(new[] { "auth failed for bob: ********", "auth failed for eve password=********" }, lines);
        CanarySecret.AssertAbsent(_docker.Canary, new[] { AsJson(result) }, "the container-logs gate result");
        Assert.DoesNotContain("hunter2", AsJson(result));

        // ignore_case reads the stderr line too; max_matches allows some.
        var all = await Gate(("type", "container-logs"), ("container", _docker.Container), ("pattern", "auth failed"), ("ignore_case", true), ("max_matches", 3));
        Assert.True(all.Status == GateStatus.Passed, Explain(all));
        Assert.Equal(3L, all.Evidence["count"]);
        var tooMany = await Gate(("type", "container-logs"), ("container", _docker.Container), ("pattern", "auth failed"), ("ignore_case", true), ("max_matches", 2));
        Assert.Equal(GateStatus.Failed, tooMany.Status);
        Assert.Contains("more than 2", tooMany.Message);
    }

    [Fact]
    public async Task Only_lines_of_the_window_or_since_the_time_count()
    {
        var later = DateTimeOffset.UtcNow.AddMinutes(5).ToString("O");
        var none = await Gate(("type", "container-logs"), ("container", _docker.Container), ("pattern", "auth failed"), ("since", later));
        Assert.True(none.Status == GateStatus.Passed, Explain(none));
        Assert.Equal(0L, none.Evidence["lines"]);

        // The container wrote its lines at start; an hour from now, a one-minute window holds none of them.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(1));
        var window = await Run(_docker.Environment, new GateRunOptions { Clock = clock }, ("type", "container-logs"), ("container", _docker.Container),
            ("pattern", "auth failed"), ("window", "1m"));
        Assert.True(window.Status == GateStatus.Passed, Explain(window));
        var hour = await Gate(("type", "container-logs"), ("container", _docker.Container), ("pattern", "auth failed"), ("window", "1h"));
        Assert.Equal(GateStatus.Failed, hour.Status);
    }

    [Fact]
    public async Task A_swarm_services_logs_are_read_across_its_tasks()
    {
        var result = await Gate(("type", "container-logs"), ("service", _docker.LogService), ("pattern", "(?i)auth failed"), ("max_matches", 2));
        Assert.Equal(GateStatus.Failed, result.Status);
        Assert.Contains("3 of 4 lines match", result.Message);
        CanarySecret.AssertAbsent(_docker.Canary, new[] { AsJson(result) }, "the container-logs gate result for a service");
    }

    [Fact]
    public async Task Bad_patterns_unknown_containers_and_missing_sources_are_errors()
    {
        var pattern = await Gate(("type", "container-logs"), ("container", _docker.Container), ("pattern", "auth (failed"));
        Assert.Equal("GateSettingInvalid", pattern.ErrorId);
        var missing = await Gate(("type", "container-logs"), ("container", "ro-evidence-nothing-here"), ("pattern", "x"));
        Assert.Equal(DockerErrorIds.ObjectNotFound, missing.ErrorId);
        var neither = await Gate(("type", "container-logs"), ("pattern", "x"));
        Assert.Equal("GateSettingMissing", neither.ErrorId);
        var both = await Gate(("type", "container-logs"), ("container", "a"), ("service", "b"), ("pattern", "x"));
        Assert.Equal("GateSettingInvalid", both.ErrorId);
    }

    [Fact]
    public async Task Secrets_are_selected_by_label_and_counted()
    {
        var labelled = await Gate(("type", "docker-secrets"), ("label", _docker.Label), ("count", 2));
        Assert.True(labelled.Status == GateStatus.Passed, Explain(labelled));
        Assert.Equal(new[] { _docker.SecretPrefix + "1", _docker.SecretPrefix + "2" }, (string[])labelled.Evidence["secrets"]!);
        var both = await Gate(("type", "docker-secrets"), ("prefix", _docker.SecretPrefix), ("label", _docker.Label), ("count", 3));
        Assert.Equal(GateStatus.Failed, both.Status);
        Assert.Contains("2 secret(s) start with", both.Message);
    }

    [Fact]
    public async Task Secrets_older_than_max_age_are_due_for_rotation()
    {
        var fresh = await Gate(("type", "docker-secrets"), ("prefix", _docker.SecretPrefix), ("count", 3), ("max_age", "90d"));
        Assert.True(fresh.Status == GateStatus.Passed, Explain(fresh));

        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddDays(100));
        var due = await Run(_docker.Environment, new GateRunOptions { Clock = clock }, ("type", "docker-secrets"), ("prefix", _docker.SecretPrefix),
            ("max_age", "90d"));
        Assert.Equal(GateStatus.Failed, due.Status);
        Assert.Contains("rotation due", due.Message);
        Assert.Contains(_docker.SecretPrefix + "1 is 100d", due.Message);
    }

    [Fact]
    public async Task Services_reference_the_secrets_they_need_and_unused_secrets_are_found()
    {
        var needed = await Gate(("type", "docker-secrets"), ("services", new Dictionary<string, object?> { [_docker.UsingService] = _docker.SecretPrefix + "1" }));
        Assert.True(needed.Status == GateStatus.Passed, Explain(needed));

        var missing = await Gate(("type", "docker-secrets"), ("services", new Dictionary<string, object?>
        {
            [_docker.UsingService] = new[] { _docker.SecretPrefix + "1", _docker.SecretPrefix + "2" },
            ["ro-evidence-no-service"] = _docker.SecretPrefix + "1",
        }));
        Assert.Equal(GateStatus.Failed, missing.Status);
        Assert.Contains($"{_docker.UsingService} does not reference {_docker.SecretPrefix}2", missing.Message);
        Assert.Contains("service ro-evidence-no-service does not exist", missing.Message);

        var orphans = await Gate(("type", "docker-secrets"), ("prefix", _docker.SecretPrefix), ("require_used", true));
        Assert.Equal(GateStatus.Failed, orphans.Status);
        Assert.Contains($"no service references {_docker.SecretPrefix}2, {_docker.SecretPrefix}3", orphans.Message);
    }
}
