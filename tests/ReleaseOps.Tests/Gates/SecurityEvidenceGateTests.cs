using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ReleaseOps.Docker;
using ReleaseOps.Gates;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;
using static ReleaseOps.Tests.Gates.GateKit;

namespace ReleaseOps.Tests.Gates;

/// <summary>
/// The scan-report gate on reports written here in Trivy's, Grype's and SARIF's documented shapes, for
/// the local image releaseops-test/web:v1 (its id read from the test dockerd); and the secret-strength gate.
/// </summary>
public class SecurityEvidenceGateTests : TemporaryDirectory
{
    private const string Image = "releaseops-test/web:v1";
    private static readonly DateTimeOffset Today = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static GateEnvironment Docker => new() { Docker = new DockerEndpointDefinition { Host = TestEnvironment.DockerHost } };

    private static async Task<string> ImageIdAsync(string image)
    {
        TestEnvironment.Require(TestService.Docker);
        using var docker = new DockerEngine(DockerEndpoint.Parse(TestEnvironment.DockerHost));
        return (await docker.TryInspectImageAsync(image))!.ID;
    }

    private Task<GateResult> Scan(DateTimeOffset now, params (string, object?)[] values) =>
        Run(Docker with { BaseDirectory = Directory }, new GateRunOptions { Clock = new FakeTimeProvider(now) },
            values.Prepend(("type", "scan-report")).ToArray());

    /// <summary>A Trivy JSON report (schema 2) of <paramref name="imageId"/> with one finding per (id, severity).</summary>
    private static string Trivy(string imageId, DateTimeOffset created, params (string Id, string Severity)[] findings) => new JsonObject
    {
        ["SchemaVersion"] = 2,
        ["CreatedAt"] = created.ToString("O"),
        ["ArtifactName"] = Image,
        ["ArtifactType"] = "container_image",
        ["Metadata"] = new JsonObject { ["ImageID"] = imageId, ["RepoTags"] = new JsonArray(Image), ["RepoDigests"] = new JsonArray() },
        ["Results"] = new JsonArray(
            new JsonObject
            {
                ["Target"] = Image + " (debian 12.5)", ["Class"] = "os-pkgs", ["Type"] = "debian",
                ["Vulnerabilities"] = new JsonArray(findings.Where(f => !f.Id.StartsWith("secret:")).Select(f => (JsonNode)new JsonObject
                {
                    ["VulnerabilityID"] = f.Id, ["PkgName"] = "openssl", ["InstalledVersion"] = "3.0.11", ["FixedVersion"] = "3.0.13", ["Severity"] = f.Severity,
                }).ToArray()),
            },
            new JsonObject
            {
                ["Target"] = "app/.env", ["Class"] = "secret",
                ["Secrets"] = new JsonArray(findings.Where(f => f.Id.StartsWith("secret:")).Select(f => (JsonNode)new JsonObject
                {
                    ["RuleID"] = f.Id["secret:".Length..], ["Category"] = "AWS", ["Severity"] = f.Severity, ["Title"] = "AWS Access Key ID",
                    ["Match"] = "AWS_ACCESS_KEY_ID=AKIAEXAMPLEKEYMATCHED",
                }).ToArray()),
            }),
    }.ToJsonString();

    [Fact]
    public async Task A_trivy_report_of_the_deployed_image_fails_on_high_findings_until_an_allow_entry_covers_them()
    {
        var id = await ImageIdAsync(Image);
        Write("trivy.json", Trivy(id, Today.AddHours(-2), ("CVE-2024-0001", "CRITICAL"), ("CVE-2024-0002", "MEDIUM"), ("secret:aws-access-key-id", "HIGH")));
        var failed = await Scan(Today, ("file", "trivy.json"), ("image", Image));
        Assert.Equal(GateStatus.Failed, failed.Status);
        Assert.Contains($"the trivy report is of {id}", failed.Findings.Single(f => f.Rule == "image").Message);
        Assert.Contains("2 finding(s) at or above high: CVE-2024-0001 (critical, openssl 3.0.11); aws-access-key-id (high, app/.env)", failed.Message);
        Assert.Equal(1, failed.Evidence["critical"]);
        Assert.Equal(1, failed.Evidence["medium"]);
        Assert.DoesNotContain("AKIAEXAMPLE", AsJson(failed));

        var allow = new object[]
        {
            new Dictionary<string, object?> { ["id"] = "CVE-2024-0001", ["expires"] = "2026-12-15", ["reason"] = "not reachable: no TLS in this service" },
            new Dictionary<string, object?> { ["id"] = "aws-access-key-id", ["expires"] = "2026-11-30" },
        };
        var allowed = await Scan(Today, ("file", "trivy.json"), ("image", Image), ("allow", allow));
        Assert.True(allowed.Status == GateStatus.Passed, Explain(allowed));
        Assert.Contains("(2 allowed)", allowed.Message);
        Assert.Contains("CVE-2024-0001 until 2026-12-15: not reachable: no TLS in this service", (string[])allowed.Evidence["allowed"]!);

        var expired = await Scan(Today.AddDays(1), ("file", "trivy.json"), ("image", Image), ("allow", allow));
        Assert.Equal(GateStatus.Failed, expired.Status);
        Assert.Contains("the exception for aws-access-key-id expired on 2026-11-30", expired.Message);
        Assert.DoesNotContain("CVE-2024-0001 (critical", expired.Message);

        var criticalOnly = await Scan(Today, ("file", "trivy.json"), ("image", Image), ("fail_on", "critical"), ("allow", allow.Take(1).ToArray()));
        Assert.True(criticalOnly.Status == GateStatus.Passed, Explain(criticalOnly));
        var mediumToo = await Scan(Today, ("file", "trivy.json"), ("image", Image), ("fail_on", "medium"), ("allow", allow));
        Assert.Contains("1 finding(s) at or above medium: CVE-2024-0002", mediumToo.Message);
    }

    [Fact]
    public async Task A_report_of_another_image_or_none_at_all_fails_and_an_old_one_fails_max_age()
    {
        var deployed = await ImageIdAsync(Image);
        var other = await ImageIdAsync("releaseops-test/web:v2");
        Write("other.json", Trivy(other, Today, ("CVE-2024-0002", "LOW")));
        var foreign = await Scan(Today, ("file", "other.json"), ("image", Image));
        Assert.Equal(GateStatus.Failed, foreign.Status);
        Assert.Contains($"the trivy report is of {other}, not of the image deployed ({deployed})", foreign.Message);

        var missing = await Scan(Today, ("file", "nothing-here.json"), ("image", Image));
        Assert.Equal(GateStatus.Failed, missing.Status);
        Assert.Contains("there is no scan report at", missing.Message);

        Write("garbage.json", "{ not json");
        var garbage = await Scan(Today, ("file", "garbage.json"), ("image", Image));
        Assert.Equal(GateStatus.Failed, garbage.Status);
        Assert.Contains("is not a readable scan report", garbage.Message);

        Write("old.json", Trivy(deployed, Today.AddDays(-10)));
        var old = await Scan(Today, ("file", "old.json"), ("image", Image), ("max_age", "7d"));
        Assert.Equal(GateStatus.Failed, old.Status);
        Assert.Contains("the report is 10d old, older than 7d", old.Message);
        var recent = await Scan(Today, ("file", "old.json"), ("image", Image), ("max_age", "14d"));
        Assert.True(recent.Status == GateStatus.Passed, Explain(recent));

        var unknownImage = await Scan(Today, ("file", "old.json"), ("image", "releaseops-test/never-built:v9"));
        Assert.Equal(GateStatus.Failed, unknownImage.Status);
        Assert.Contains("is not on the Docker engine", unknownImage.Message);
    }

    [Fact]
    public async Task A_grype_report_is_matched_by_manifest_digest_given_as_digest()
    {
        const string manifest = "sha256:" + "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12";
        Write("grype.json", new JsonObject
        {
            ["matches"] = new JsonArray(
                new JsonObject { ["vulnerability"] = new JsonObject { ["id"] = "GHSA-29mw-wpgm-hmr9", ["severity"] = "High" }, ["artifact"] = new JsonObject { ["name"] = "lodash", ["version"] = "4.17.4" } },
                new JsonObject { ["vulnerability"] = new JsonObject { ["id"] = "CVE-2005-2541", ["severity"] = "Negligible" }, ["artifact"] = new JsonObject { ["name"] = "tar", ["version"] = "1.34" } }),
            ["source"] = new JsonObject
            {
                ["type"] = "image",
                ["target"] = new JsonObject
                {
                    ["userInput"] = "shop/api:2.4.0", ["imageID"] = "sha256:" + new string('9', 64), ["manifestDigest"] = manifest,
                    ["tags"] = new JsonArray("shop/api:2.4.0"), ["repoDigests"] = new JsonArray("registry.example/shop/api@" + manifest),
                },
            },
            ["descriptor"] = new JsonObject { ["name"] = "grype", ["version"] = "0.74.0", ["timestamp"] = Today.ToString("O") },
        }.ToJsonString());
        var failed = await Scan(Today, ("file", "grype.json"), ("digest", "registry.example/shop/api@" + manifest));
        Assert.Equal(GateStatus.Failed, failed.Status);
        Assert.Equal("grype", failed.Evidence["format"]);
        Assert.Contains("1 finding(s) at or above high: GHSA-29mw-wpgm-hmr9 (high, lodash 4.17.4)", failed.Message);
        Assert.Equal(1, failed.Evidence["unknown"]);

        var wrongDigest = await Scan(Today, ("file", "grype.json"), ("digest", "sha256:" + new string('1', 64)));
        Assert.Contains("not of the image deployed", wrongDigest.Message);
        var notADigest = await Scan(Today, ("file", "grype.json"), ("digest", "latest"));
        Assert.Equal("GateSettingInvalid", notADigest.ErrorId);
        var neither = await Scan(Today, ("file", "grype.json"));
        Assert.Equal("GateSettingMissing", neither.ErrorId);
    }

    [Fact]
    public async Task A_sarif_report_reads_severity_from_security_severity_tags_or_level()
    {
        var id = await ImageIdAsync(Image);
        static JsonObject Rule(string id, JsonObject properties) => new() { ["id"] = id, ["properties"] = properties };
        Write("scan.sarif", new JsonObject
        {
            ["version"] = "2.1.0",
            ["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json",
            ["runs"] = new JsonArray(new JsonObject
            {
                ["tool"] = new JsonObject
                {
                    ["driver"] = new JsonObject
                    {
                        ["name"] = "Trivy",
                        ["rules"] = new JsonArray(
                            Rule("CVE-2024-1111", new JsonObject { ["security-severity"] = "9.8" }),
                            Rule("CVE-2024-2222", new JsonObject { ["tags"] = new JsonArray("vulnerability", "security", "MEDIUM") }),
                            Rule("DS002", new JsonObject())),
                    },
                },
                ["results"] = new JsonArray(
                    new JsonObject { ["ruleId"] = "CVE-2024-1111", ["ruleIndex"] = 0, ["level"] = "error", ["message"] = new JsonObject { ["text"] = "openssl" } },
                    new JsonObject { ["ruleId"] = "CVE-2024-2222", ["ruleIndex"] = 1, ["level"] = "warning", ["message"] = new JsonObject { ["text"] = "zlib" } },
                    new JsonObject { ["ruleId"] = "DS002", ["ruleIndex"] = 2, ["level"] = "note", ["message"] = new JsonObject { ["text"] = "root user" } }),
                ["properties"] = new JsonObject { ["imageName"] = Image, ["repoTags"] = new JsonArray(Image), ["repoDigests"] = new JsonArray(), ["imageID"] = id },
            }),
        }.ToJsonString());
        var result = await Scan(Today, ("file", "scan.sarif"), ("image", Image), ("fail_on", "low"));
        Assert.Equal(GateStatus.Failed, result.Status);
        Assert.Equal("sarif", result.Evidence["format"]);
        Assert.Contains("3 finding(s) at or above low: CVE-2024-1111 (critical); CVE-2024-2222 (medium); DS002 (low)", result.Message);

        var forced = await Scan(Today, ("file", "scan.sarif"), ("image", Image), ("format", "trivy"));
        Assert.Contains("names no image digest", forced.Message);
    }

    [Fact]
    public async Task Secret_strength_reports_lengths_and_classes_and_never_a_value()
    {
        var strong = CanarySecret.New() + "X!";
        var weak = CanarySecret.New()[..12];
        var environment = new GateEnvironment
        {
            Secrets = SecretCatalog.Empty.With(new GivenSecretSource("jwt_secret", new SecretValue(strong)))
                .With(new GivenSecretSource("db_password", new SecretValue(weak))),
        };
        var result = await Run(environment, ("type", "secret-strength"), ("secrets", "*"));
        Assert.Equal(GateStatus.Failed, result.Status);
        Assert.Contains("db_password is weak: 12 characters, fewer than 16", result.Message);
        Assert.DoesNotContain("jwt_secret", result.Message);
        var evidence = (IReadOnlyDictionary<string, string>)result.Evidence["secrets"]!;
        Assert.Equal($"{strong.Length} characters; lower, upper, digit, symbol", evidence["jwt_secret"]);
        foreach (var value in new[] { strong, weak })
        {
            CanarySecret.AssertAbsent(value, new[] { AsJson(result) }, "the secret-strength result");
        }

        var strongOnly = await Run(environment, ("type", "secret-strength"), ("secrets", "jwt_secret"), ("min_classes", 4));
        Assert.True(strongOnly.Status == GateStatus.Passed, Explain(strongOnly));
        var shorter = await Run(environment, ("type", "secret-strength"), ("secrets", "db_password"), ("min_length", 8), ("require", new[] { "upper" }));
        Assert.Equal(GateStatus.Failed, shorter.Status);
        Assert.Contains("db_password is weak: no upper", shorter.Message);

        var undeclared = await Run(environment, ("type", "secret-strength"), ("secrets", "api_key"));
        Assert.Equal("SecretNotDeclared", undeclared.ErrorId);
    }
}
