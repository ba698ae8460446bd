using ReleaseOps.Deploy;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// ${secret:NAME} in a service's smoke checks and health probes (URL, headers, body) is sent expanded to the endpoint and
/// never shows in records, the journal or messages (web-fault's ports: FaultTests runs in the same collection, never at once).
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class ProbeSecretTests(DeployFixture fixture)
{
    private const string Name = "web-fault";

    [Fact]
    public async Task Secrets_in_smoke_checks_and_probes_are_sent_expanded_and_never_recorded()
    {
        var canary = CanarySecret.New();
        Environment.SetEnvironmentVariable("RO_PROBE_CANARY", canary);
        try
        {
            await using var receiver = new WebhookReceiver();
            var service = DeployFixture.Service(Name, DeploymentStrategyType.Rolling, 21151, 21152) with
            {
                Health = new[]
                {
                    new ProbeDefinition { Name = "health", Url = "/health", Timeout = TimeSpan.FromSeconds(1), Expect = new[] { "status == 200" } },
                    new ProbeDefinition
                    {
                        Name = "authorised", Url = receiver.Url("/probe?key=${secret:token}"), Timeout = TimeSpan.FromSeconds(2),
                        Headers = new Dictionary<string, string> { ["X-Probe-Key"] = "${secret:token}" },
                    },
                },
                Smoke = new[]
                {
                    new SmokeCheckDefinition
                    {
                        Name = "login", Method = "POST", Url = receiver.Url("/smoke?token=${secret:token}"),
                        Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer ${secret:token}" },
                        Body = "{\"password\":\"${secret:token}\"}", Timeout = TimeSpan.FromSeconds(2), Expect = new[] { "status == 200" },
                    },
                },
            };
            var plan = fixture.Plan(service) with { Secrets = SecretCatalog.Empty.With(new EnvironmentSecretSource("token", "RO_PROBE_CANARY")) };
            await fixture.RemoveContainersAsync();
            var verbose = new List<string>();
            var reporter = new TriggerReporter("\u0000", () => { }) { Messages = verbose };
            var (steps, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
                fixture.Engine().DeployAsync(plan, new DeploymentRequest { Version = "v1" }, reporter, default));

            Assert.True(result.Outcome == DeploymentOutcome.Succeeded, result.Reason);
            var probe = receiver.Received.First(r => r.PathAndQuery.StartsWith("/probe", StringComparison.Ordinal));
            Assert.Equal($"/probe?key={canary}", probe.PathAndQuery);
            Assert.Equal(canary, probe.Headers["X-Probe-Key"]);
            var smoke = receiver.Received.Single(r => r.PathAndQuery.StartsWith("/smoke", StringComparison.Ordinal));
            Assert.Equal("POST", smoke.Method);
            Assert.Equal($"/smoke?token={canary}", smoke.PathAndQuery);
            Assert.Equal($"Bearer {canary}", smoke.Headers["Authorization"]);
            Assert.Equal($"{{\"password\":\"{canary}\"}}", smoke.Body);

            var journalText = Directory.EnumerateFiles(plan.Journal.Path, "*", SearchOption.AllDirectories).Select(File.ReadAllText);
            CanarySecret.AssertAbsent(canary, journalText, "the journal");
            CanarySecret.AssertAbsent(canary, steps.Select(s => s.ToString()).Append(result.ToString())
                .Append(System.Text.Json.JsonSerializer.Serialize(result)), "the step and result records");
            CanarySecret.AssertAbsent(canary, verbose, "verbose and warning text");
        }
        finally
        {
            Environment.SetEnvironmentVariable("RO_PROBE_CANARY", null);
        }
    }

    [Fact]
    public async Task A_probes_interval_spaces_the_readiness_attempts_on_a_new_instance()
    {
        // An endpoint that never becomes ready: within a 3s health_timeout, attempts 1s apart are at most 4 (0, 1, 2, 3s),
        // where the default 200ms would make about 15.
        await using var receiver = new WebhookReceiver(Enumerable.Repeat(503, 200).ToArray());
        var service = DeployFixture.Service(Name, DeploymentStrategyType.Rolling, 21151, 21152) with
        {
            Strategy = DeployFixture.Service(Name, DeploymentStrategyType.Rolling).Strategy with { HealthTimeout = TimeSpan.FromSeconds(3) },
            Health = new[]
            {
                new ProbeDefinition
                {
                    Name = "ready", Url = receiver.Url("/ready"), Interval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(1),
                    Expect = new[] { "status == 200" },
                },
            },
        };
        await fixture.RemoveContainersAsync();
        var (_, result) = await DeploymentStream.CollectAsync<DeploymentResult>(
            fixture.Engine().DeployAsync(fixture.Plan(service), new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));

        Assert.NotEqual(DeploymentOutcome.Succeeded, result.Outcome);
        Assert.Contains("probe 'ready'", result.Reason);
        var attempts = receiver.Received.Count;
        Assert.InRange(attempts, 2, 5);
        Assert.Equal(TimeSpan.FromSeconds(1), ContainerRollout.ReadinessInterval(service));
        Assert.Equal(TimeSpan.FromMilliseconds(200), ContainerRollout.ReadinessInterval(service with { Health = Array.Empty<ProbeDefinition>() }));
    }

    [Fact]
    public async Task A_failing_check_with_a_secret_in_its_url_names_the_url_masked()
    {
        var canary = CanarySecret.New();
        Environment.SetEnvironmentVariable("RO_PROBE_CANARY2", canary);
        try
        {
            await using var receiver = new WebhookReceiver(503);
            using var probes = new ProbeRunner(SecretCatalog.Empty.With(new EnvironmentSecretSource("token", "RO_PROBE_CANARY2")));
            var outcome = await probes.SmokeAsync(new SmokeCheckDefinition
            {
                Name = "login", Url = "/smoke?token=${secret:token}", Expect = new[] { "status == 200" }, Timeout = TimeSpan.FromSeconds(2),
            }, new Uri(receiver.Url("/")), default);

            Assert.False(outcome.Passed);
            Assert.Equal($"/smoke?token={canary}", receiver.Received.Single().PathAndQuery);
            Assert.Contains("/smoke?token=" + SecretValue.Mask, outcome.Describe());
            CanarySecret.AssertAbsent(canary, new[] { outcome.Describe(), outcome.Target, outcome.Observed }, "the outcome");
        }
        finally
        {
            Environment.SetEnvironmentVariable("RO_PROBE_CANARY2", null);
        }
    }
}
