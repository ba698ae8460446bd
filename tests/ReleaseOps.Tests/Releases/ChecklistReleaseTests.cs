using System.Text.Json;
using ReleaseOps.Checklists;
using ReleaseOps.Deploy;
using ReleaseOps.Deploy.Proxy;
using ReleaseOps.Docker;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Records;
using ReleaseOps.Releases;
using ReleaseOps.Tests.Checklists;
using ReleaseOps.Tests.Deploy;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Releases;

/// <summary>
/// The team's own checklist, executed, end to end against the real dockerd and nginx: a seed
/// checklist imported and bound by a plan; a deployment refused while two sign-offs are missing
/// (the webhook told so); two attestations signed with real keys; the deployment allowed; the
/// checklist's status; the release record exported and its HTML rendered in headless chromium
/// (screenshot kept); and an edited journal entry found.
/// </summary>
public sealed class ChecklistReleaseTests(ChecklistServiceTests.Keys keys) : IClassFixture<ChecklistServiceTests.Keys>, IAsyncLifetime
{
    private const string Seed = "medianest-production-procedures.md";
    private const string Application = "ro-e2e-checklist";
    private const string Service = "web-checklist";
    /// <summary>nginx listens here for the service; the service's instances take 21331 and 21332. No other test uses these ports.</summary>
    private const int ListenPort = 21341;
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-e2e-checklist-").FullName;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private DockerEngine _docker = null!;
    private DockerContainerPlatform _platform = null!;

    private string UpstreamFile => Path.Combine(_dir, "upstreams.conf");
    private string ConfigFile => Path.Combine(_dir, "nginx.conf");

    /// <summary>An nginx of this test's own in front of the service, started before and stopped after.</summary>
    public async Task InitializeAsync()
    {
        TestEnvironment.Require(TestService.Docker);
        TestEnvironment.Require(TestService.Nginx);
        _docker = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        _platform = new DockerContainerPlatform(_docker);
        await RemoveContainersAsync();
        await File.WriteAllTextAsync(UpstreamFile, NginxProxyController.Render(new[] { new UpstreamBlock(Service, new[] { new UpstreamServer("127.0.0.1:21999") }) }));
        await File.WriteAllTextAsync(ConfigFile, DeployFixture.NginxConfig(_dir, UpstreamFile, new Dictionary<string, int> { [Service] = ListenPort }));
        DeployFixture.Run("nginx", "-c", ConfigFile);
    }

    public async Task DisposeAsync()
    {
        await RemoveContainersAsync();
        if (File.Exists(Path.Combine(_dir, "nginx.pid")))
        {
            DeployFixture.Run("nginx", "-c", ConfigFile, "-s", "stop");
        }
        _docker.Dispose();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task RemoveContainersAsync()
    {
        var all = await _docker.ListContainersAsync(new Dictionary<string, string?> { ["org.releaseops.application"] = Application });
        foreach (var container in all)
        {
            await _platform.RemoveAsync(container.ID, default);
        }
    }

    private string PlanYaml(int receiverPort) => $$"""
        api_version: releaseops/v1
        application: {{Application}}
        environment: test
        docker: { host: "{{TestEnvironment.DockerHost}}" }
        proxy:
          upstream_file: {{UpstreamFile}}
          config_file: {{ConfigFile}}
          public_url: http://127.0.0.1:{{ListenPort}}/
        journal: { path: {{Path.Combine(_dir, "journal")}} }
        secrets:
          hook: { env: RO_E2E_HOOK_TOKEN }
        services:
          - name: {{Service}}
            image: releaseops-test/web
            port: 8080
            host_ports: [21331, 21332]
            strategy: { type: rolling, health_timeout: 15s, stop_grace_period: 0s }
            health:
              - { name: health, url: /health, timeout: 1s, expect: status == 200 }
        gates:
          - name: nginx-up
            type: http
            url: {{TestEnvironment.NginxHttp}}health
            severity: critical
            expect: status == 200
        checklist:
          files: [{{Seed}}]
          trust: [ca.pem]
          roles:
            Deployment Lead: [dana@example.com]
            Security Lead: [sam@example.com]
          items:
            - match: Deployment Lead
              attest: Deployment Lead
            - match: Security scan confirms 0 P0/P1 vulnerabilities
              attest: Security Lead
            - match: Security Lead
              attest: Security Lead
              stage: post-deploy
            - match: Health monitoring endpoints responsive
              gate: nginx-up
            - match: All services running and healthy
              step: verify
            - match: Rollback procedures tested and ready
              step: restore
            - match: Bundle size reduced
              not_applicable: the test image has no frontend bundle
        notifications:
          - name: ops
            url: http://127.0.0.1:{{receiverPort}}/hooks/${secret:hook}
            format: slack
            on: [started, succeeded, failed, sign-off-needed]
        """;

    [Fact]
    public async Task A_team_checklist_is_imported_bound_signed_enforced_reported_and_its_journal_checked()
    {
        var canary = CanarySecret.New();
        Environment.SetEnvironmentVariable("RO_E2E_HOOK_TOKEN", canary);
        try
        {
            await RunAsync(canary);
        }
        finally
        {
            Environment.SetEnvironmentVariable("RO_E2E_HOOK_TOKEN", null);
        }
    }

    private async Task RunAsync(string canary)
    {
        await using var receiver = new WebhookReceiver();
        File.Copy(ChecklistReaderTests.Seed(Seed), Path.Combine(_dir, Seed));
        File.Copy(keys.Certificates.CaCertificate, Path.Combine(_dir, "ca.pem"));
        var planPath = Path.Combine(_dir, "releaseplan.yml");
        await File.WriteAllTextAsync(planPath, PlanYaml(receiver.Port));
        var plan = await ReleasePlanLoader.LoadAsync(planPath);

        // Import and bind.
        var imported = await ChecklistReader.ReadAsync(Path.Combine(_dir, Seed), Seed);
        Assert.Equal(43, imported.Items.Count);
        var bound = await ChecklistBinder.LoadAsync(plan, default);
        Assert.Equal(7, bound.Items.Count(i => i.IsBound));
        Assert.Equal(2, bound.RequiredBeforeDeploy.Count());

        // The deployment is refused while the two pre-deploy attestations are missing.
        var engine = new DeploymentEngine(_ => _platform, StandardRelease.Hooks());
        var (blockedSteps, blocked) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
        Assert.Equal(DeploymentOutcome.Failed, blocked.Outcome);
        Assert.Contains("checklist-sign-offs failed: 2 required sign-off(s) missing for v1: ", blocked.Reason);
        Assert.Contains("Deployment Lead for 'Deployment Lead: ____ Date: ____' (medianest-production-procedures.md:572)", blocked.Reason);
        Assert.DoesNotContain(blockedSteps, s => s.Name == "rollout");
        // "started" goes out beside the release, so it may arrive after "sign-off-needed".
        Assert.Equal(new[] { "failed", "sign-off-needed", "started" }, Events(receiver).Order());
        var signOffNeeded = receiver.Received.Single(r => Event(r) == "sign-off-needed");
        Assert.Contains("Security Lead for 'Security scan confirms 0 P0/P1 vulnerabilities' (medianest-production-procedures.md:19)", signOffNeeded.Body);

        // Two people attest with their own keys.
        var checklist = StandardRelease.Checklist(plan);
        using (var dana = AttestationKey.Load(keys.Dana.Certificate, keys.Dana.Key))
        using (var sam = AttestationKey.Load(keys.Sam.Certificate, keys.Sam.Key))
        {
            await checklist.AttestAsync(plan, await checklist.FindAttestableAsync(plan, "Deployment Lead", default),
                new AttestationRequest { Version = "v1", Note = "change window agreed with the business" }, dana, default);
            await checklist.AttestAsync(plan, await checklist.FindAttestableAsync(plan, "security scan confirms", default),
                new AttestationRequest { Version = "v1", EvidenceUrl = "https://scanner.example.com/reports/4711" }, sam, default);
        }

        // Now it goes through.
        var (steps, released) = await DeploymentStream.CollectAsync<DeploymentResult>(
            engine.DeployAsync(plan, new DeploymentRequest { Version = "v1" }, SilentReporter.Instance, default));
        Assert.True(released.Outcome == DeploymentOutcome.Succeeded, released.Reason + "\n" + string.Join("\n", steps));
        Assert.Equal("v1", (await _http.GetStringAsync($"http://127.0.0.1:{ListenPort}/version")).Trim());
        Assert.Equal(new[] { "started", "succeeded" }, Events(receiver).Skip(3));
        Assert.All(receiver.Received, r => Assert.Equal($"/hooks/{canary}", r.PathAndQuery));

        // The checklist's status for the release.
        var report = await checklist.StatusAsync(plan, "v1", default);
        var states = report.Items.Where(i => i.Binding is not null).ToDictionary(i => i.Item.Text, i => i.State);
        Assert.Equal(ChecklistItemState.Attested, states["Deployment Lead: ____ Date: ____"]);
        Assert.Equal(ChecklistItemState.Attested, states["Security scan confirms 0 P0/P1 vulnerabilities"]);
        Assert.Equal(ChecklistItemState.Pending, states["Security Lead: ____ Date: ____"]);
        Assert.Equal(ChecklistItemState.Passed, states["Health monitoring endpoints responsive"]);
        Assert.Equal(ChecklistItemState.Passed, states["All services running and healthy (5/5)"]);
        Assert.Equal(ChecklistItemState.NotApplicable, states["Rollback procedures tested and ready"]);
        var coverage = Assert.Single(report.Coverage);
        Assert.Equal((43, 3, 3, 1, 36), (coverage.Total, coverage.Automated, coverage.Attestation, coverage.NotApplicable, coverage.Unbound));

        // The record: JSON, Markdown, and HTML that chromium renders with the release and every item.
        var exported = await ReleaseRecordExport.ExportAsync(plan, "v1", null, Path.Combine(_dir, "records"), ReleaseRecordFormat.All, default);
        Assert.Equal(3, exported.Files.Count);
        Assert.True(exported.JournalIntact);
        Assert.Equal((43, 2), (exported.Items, exported.Attestations));
        var html = exported.Files.Single(f => f.EndsWith(".html", StringComparison.Ordinal));
        var dom = HeadlessChromium.DumpDom(html);
        Assert.Contains($"{Application}/test v1", dom);
        Assert.Contains(released.ReleaseId, dom);
        foreach (var item in imported.Items)
        {
            Assert.Contains(System.Net.WebUtility.HtmlEncode(item.Text), dom);
        }
        Assert.Contains("dana@example.com", dom);
        Assert.Contains("sam@example.com", dom);
        var screenshot = Path.Combine(HeadlessChromium.ArtifactDirectory, "release-record.png");
        HeadlessChromium.Screenshot(html, screenshot);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is (nearly) empty");

        var record = JsonDocument.Parse(await File.ReadAllTextAsync(exported.Files.Single(f => f.EndsWith(".json", StringComparison.Ordinal)))).RootElement;
        Assert.Equal(released.ReleaseId, record.GetProperty("release").GetProperty("id").GetString());
        Assert.Equal(plan.Sha256, record.GetProperty("plan").GetProperty("sha256AtRelease").GetString());
        Assert.Equal(new[] { "started", "succeeded" },
            record.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("event").GetString()));
        var markdown = await File.ReadAllTextAsync(exported.Files.Single(f => f.EndsWith(".md", StringComparison.Ordinal)));
        Assert.Contains("| attested | Deployment Lead: ____ Date: ____ |", markdown);
        CanarySecret.AssertAbsent(canary, exported.Files.Select(File.ReadAllText).Append(dom), "the exported release record");
        var journal = ReleaseJournalFactory.Open(plan);
        CanarySecret.AssertAbsent(canary, (await journal.ReadChainAsync(plan.Application, plan.Environment, default)).Select(e => e.Text), "the journal");

        // Someone edits the journal: the attestation's note. Test-ReleaseJournal finds it.
        var chain = Path.Combine(_dir, "journal", Application, "test", "chain");
        var edited = Directory.EnumerateFiles(chain, "*.json").First(f => File.ReadAllText(f).Contains("change window agreed", StringComparison.Ordinal));
        await File.WriteAllTextAsync(edited, (await File.ReadAllTextAsync(edited)).Replace("change window agreed", "no change window needed"));
        var verification = await JournalVerifier.VerifyAsync(journal, plan.Application, plan.Environment);
        var problem = Assert.Single(verification.Problems);
        Assert.Equal(JournalProblemKind.Edited, problem.Kind);
        Assert.Equal(long.Parse(Path.GetFileNameWithoutExtension(edited)), problem.Sequence);
    }

    private static string? Event(ReceivedWebhook webhook) =>
        JsonDocument.Parse(webhook.Body).RootElement.GetProperty("text").GetString() switch
        {
            { } text when text.Contains("release started", StringComparison.Ordinal) => "started",
            { } text when text.Contains("waits for sign-off", StringComparison.Ordinal) => "sign-off-needed",
            { } text when text.Contains("release failed", StringComparison.Ordinal) => "failed",
            { } text when text.Contains(" released", StringComparison.Ordinal) => "succeeded",
            _ => null,
        };

    private static string?[] Events(WebhookReceiver receiver) => receiver.Received.Select(Event).ToArray();
}
