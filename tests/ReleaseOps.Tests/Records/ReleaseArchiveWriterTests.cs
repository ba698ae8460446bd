using System.Text.Json;
using ReleaseOps.Checklists;
using ReleaseOps.Health;
using ReleaseOps.Journal;
using ReleaseOps.Notifications;
using ReleaseOps.Plans;
using ReleaseOps.Records;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Records;

/// <summary>The three forms of a release record, from a record with every part filled in.</summary>
public sealed class ReleaseArchiveWriterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-record-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static ChecklistItem Item(int line, string text, ChecklistItemKind kind = ChecklistItemKind.Box, string? role = null) => new()
    {
        Id = "team/before/" + ChecklistText.Slug(text),
        File = "team.md",
        Line = line,
        Kind = kind,
        Section = new[] { "Before", "Security" },
        Text = text,
        Role = role,
    };

    public static ReleaseArchive Sample()
    {
        var signOff = Item(30, "Release Manager: ____ Date: ____", ChecklistItemKind.SignOff, "Release Manager");
        var attestation = new Attestation
        {
            Id = "att-0123456789abcdef", Application = "shop", Environment = "production", Version = "2.4.0", ItemId = signOff.Id,
            ItemText = signOff.Text, Role = "Release Manager", Note = "go <now>", AttestedAt = T0, Algorithm = AttestationAlgorithms.Rsa,
            Statement = "releaseops-attestation/v1\napplication: shop\n", Signature = "c2lnbmF0dXJl",
            Signer = new AttestationSigner
            {
                Identity = "dana@example.com", Subject = "CN=Dana Lead, E=dana@example.com", Issuer = "CN=Team Release CA",
                CertificateSha256 = new string('a', 64), CertificatePem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            },
        };
        var items = new[]
        {
            new ChecklistItemStatus { Item = Item(4, "Security scan passed"), State = ChecklistItemState.Passed, Binding = ChecklistBindingKind.Gate, Target = "scan", Evidence = "gate 'scan': passed" },
            new ChecklistItemStatus { Item = Item(5, "Headers set: <script>alert(1)</script>"), State = ChecklistItemState.Failed, Binding = ChecklistBindingKind.Gate, Target = "headers", Evidence = "gate 'headers': failed: no CSP" },
            new ChecklistItemStatus { Item = Item(6, "Stakeholders told"), State = ChecklistItemState.Unbound, Evidence = "no binding in the plan" },
            new ChecklistItemStatus
            {
                Item = signOff, State = ChecklistItemState.Attested, Binding = ChecklistBindingKind.Attest, Target = "Release Manager",
                Evidence = "attested by dana@example.com", Attestations = new[] { new VerifiedAttestation(attestation, true, null) },
            },
        };
        var release = new ReleaseRecord
        {
            Id = "20261130T090000000-abcdef", Application = "shop", Environment = "production", Version = "2.4.0", PreviousVersion = "2.3.9",
            Status = ReleaseStatus.Succeeded, StartedBy = "dana", Host = "build-1", StartedAt = T0, FinishedAt = T0.AddMinutes(2), PlanSha256 = new string('1', 64),
            Steps = new[] { new JournalStep(1, "rollout", "web", StepStatus.Succeeded, T0, T0.AddSeconds(40), "rolling (container) to shop/web:2.4.0") },
            Gates = new[] { new GateRecord("scan", "tcp", "pre-deploy", "Passed", "port 1 closed", T0, TimeSpan.FromMilliseconds(20)) },
        };
        return new ReleaseArchive
        {
            Application = "shop",
            Environment = "production",
            Release = release,
            Plan = new ArchivedPlan { File = "releaseplan.yml", Sha256AtRelease = new string('1', 64), Sha256 = new string('2', 64), Text = "api_version: releaseops/v1\n" },
            ChecklistFiles = new[] { new ArchivedChecklistFile("team.md", "Team release", new string('3', 64), 4, false) },
            Coverage = new[] { ChecklistCoverage.Of("team.md", "2.4.0", items) },
            Checklist = items,
            Backups = new[] { new ArchivedBackup { Name = "orders-db", Id = "orders-db-20261130", SizeBytes = 123456, Sha256 = new string('4', 64), Verified = true } },
            Watch = new WatchSummary
            {
                Application = "shop", Environment = "production", Version = "2.4.0", StartedAt = T0.AddMinutes(3), Duration = TimeSpan.FromMinutes(10),
                Status = HealthStatus.Healthy, Samples = 600,
                Criteria = new[] { new CriterionResult { Name = "errors", Expect = "error_rate < 5%", State = CriterionState.Holding, Observed = 0.4 } },
            },
            Rollbacks = Array.Empty<ReleaseRecord>(),
            Notifications = new[]
            {
                new NotificationDelivery
                {
                    Channel = "ops", Event = "succeeded", Format = "slack", Url = "https://hooks.slack.com/********", Delivered = true, Attempts = 2,
                    StatusCode = 200, Application = "shop", Environment = "production", Version = "2.4.0", ReleaseId = release.Id, At = T0.AddMinutes(2),
                },
            },
            Journal = new JournalVerification
            {
                Application = "shop", Environment = "production", Location = "/var/lib/releaseops/journal", Entries = 42, Releases = 7,
                Head = new JournalAnchor(42, "sha256:" + new string('5', 64)),
            },
            ExportedAt = T0.AddHours(1),
            ExportedBy = "auditor@laptop",
        };
    }

    [Fact]
    public async Task The_json_record_holds_every_part_and_reads_back()
    {
        var files = await ReleaseArchiveWriter.WriteAsync(Sample(), _dir, ReleaseRecordFormat.Json, default);
        var path = Assert.Single(files);
        Assert.Equal("shop-production-2.4.0-20261130T090000000-abcdef.json", Path.GetFileName(path));
        var root = JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;

        Assert.Equal("Succeeded", root.GetProperty("release").GetProperty("status").GetString());
        Assert.True(root.GetProperty("plan").GetProperty("changedSinceRelease").GetBoolean());
        Assert.Equal(4, root.GetProperty("checklist").GetArrayLength());
        var attestation = root.GetProperty("checklist")[3].GetProperty("attestations")[0].GetProperty("attestation");
        Assert.Equal("c2lnbmF0dXJl", attestation.GetProperty("signature").GetString());
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", attestation.GetProperty("signer").GetProperty("certificatePem").GetString());
        Assert.Equal(new string('4', 64), root.GetProperty("backups")[0].GetProperty("sha256").GetString());
        Assert.Equal("Healthy", root.GetProperty("watch").GetProperty("status").GetString());
        Assert.Equal(2, root.GetProperty("notifications")[0].GetProperty("attempts").GetInt32());
        Assert.Equal(42, root.GetProperty("journal").GetProperty("head").GetProperty("sequence").GetInt64());
        Assert.False(root.TryGetProperty("attestations", out _));
    }

    [Fact]
    public async Task The_markdown_record_has_a_table_per_part()
    {
        var path = Assert.Single(await ReleaseArchiveWriter.WriteAsync(Sample(), _dir, ReleaseRecordFormat.Markdown, default));
        var md = await File.ReadAllTextAsync(path);

        Assert.StartsWith("# Release record: shop/production 2.4.0\n", md);
        Assert.Contains("| Plan | releaseplan.yml sha256:1111", md);
        Assert.Contains("(changed since: now sha256:2222", md);
        Assert.Contains("| failed | Headers set: <script>alert(1)</script> | Before > Security | team.md:5 | gate headers | gate 'headers': failed: no CSP |", md);
        Assert.Contains("### Release Manager: Release Manager: ____ Date: ____", md);
        Assert.Contains("| Certificate SHA-256 | " + new string('a', 64) + " |", md);
        Assert.Contains("| orders-db | orders-db-20261130 | 123,456 | " + new string('4', 64) + " | yes |", md);
        Assert.Contains("| succeeded | ops | https://hooks.slack.com/******** | yes | 2 |", md);
    }

    [Fact]
    public async Task The_html_record_is_one_self_contained_page_that_chromium_renders_with_every_item()
    {
        var path = Assert.Single(await ReleaseArchiveWriter.WriteAsync(Sample(), _dir, ReleaseRecordFormat.Html, default));
        var html = await File.ReadAllTextAsync(path);

        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("src=", html);
        Assert.DoesNotContain("@import", html);
        Assert.DoesNotContain("url(", html);
        Assert.All(System.Text.RegularExpressions.Regex.Matches(html, "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value), href => Assert.StartsWith("#", href));
        Assert.Contains("Headers set: &lt;script&gt;alert(1)&lt;/script&gt;", html);

        var dom = HeadlessChromium.DumpDom(path);
        Assert.Contains("shop/production 2.4.0", dom);
        foreach (var item in Sample().Checklist)
        {
            Assert.Contains(System.Net.WebUtility.HtmlEncode(item.Item.Text), dom);
        }
        Assert.Contains("dana@example.com", dom);
        var screenshot = Path.Combine(HeadlessChromium.ArtifactDirectory, "release-record-sample.png");
        HeadlessChromium.Screenshot(path, screenshot);
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is (nearly) empty");
    }

    [Fact]
    public async Task An_unwritable_directory_is_a_typed_error()
    {
        var file = Path.Combine(_dir, "a-file");
        await File.WriteAllTextAsync(file, "");
        var error = await Assert.ThrowsAsync<Errors.ReleaseOpsException>(() => ReleaseArchiveWriter.WriteAsync(Sample(), Path.Combine(file, "sub"), ReleaseRecordFormat.All, default));
        Assert.Equal("ReleaseRecordNotWritten", error.ErrorId);
    }
}
