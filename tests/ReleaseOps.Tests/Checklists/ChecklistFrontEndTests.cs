using System.Management.Automation;
using System.Text.Json;
using ReleaseOps.Checklists;
using ReleaseOps.Journal;
using ReleaseOps.Tests.Cli;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Checklists;

/// <summary>
/// The checklist's front ends over the same engine: releaseops checklist import|status|attest,
/// journal verify and record export; and the cmdlets in a real runspace, items piped by value from
/// Import-ReleaseChecklist into Confirm-ReleaseChecklistItem.
/// </summary>
public sealed class ChecklistFrontEndTests : IClassFixture<ChecklistServiceTests.Keys>, IDisposable
{
    private readonly ChecklistServiceTests.Keys _keys;
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-checklist-cli-").FullName;
    private readonly string _plan;

    public ChecklistFrontEndTests(ChecklistServiceTests.Keys keys)
    {
        _keys = keys;
        File.WriteAllText(Path.Combine(_dir, "team.md"), ChecklistServiceTests.TeamChecklist);
        File.Copy(keys.Certificates.CaCertificate, Path.Combine(_dir, "ca.pem"));
        _plan = Path.Combine(_dir, "releaseplan.yml");
        File.WriteAllText(_plan, ChecklistServiceTests.PlanYaml("""
                - { match: security scan, gate: scan }
                - { match: code reviewed, attest: Security Lead }
                - { match: GDPR, not_applicable: no personal data is stored }
                - { match: release manager, attest: Release Manager }
            """));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_cli_imports_reports_attests_verifies_and_refuses_what_it_must()
    {
        var import = CliRunner.Run("checklist", "import", Path.Combine(_dir, "team.md"), "--kind", "SignOff", "--output", "json");
        Assert.Equal(0, import.ExitCode);
        var items = JsonDocument.Parse(import.Out).RootElement;
        Assert.Equal(2, items.GetArrayLength());
        Assert.Equal("Release Manager", items[0].GetProperty("role").GetString());

        var coverage = CliRunner.Run("checklist", "status", _plan, "--coverage");
        Assert.Equal(0, coverage.ExitCode);
        Assert.Equal("team.md: 8 items: 1 automated, 2 attested by a role, 1 not applicable, 4 unbound; for 2.4.0: 0 passed, 0 failed, 0 attested, 3 pending",
            coverage.Out.Trim());

        var refused = CliRunner.Run("checklist", "attest", _plan, "--item", "code reviewed", "--version", "2.4.0",
            "--certificate", _keys.Dana.Certificate, "--key", _keys.Dana.Key);
        Assert.Equal(2, refused.ExitCode);
        Assert.EndsWith("[AttestationSignerNotInRole]", refused.Error.Trim());

        var dry = CliRunner.Run("checklist", "attest", _plan, "--item", "release manager", "--version", "2.4.0",
            "--certificate", _keys.Dana.Certificate, "--key", _keys.Dana.Key, "--dry-run");
        Assert.Equal(0, dry.ExitCode);
        Assert.StartsWith("would sign 'Release Manager: ____ Date: ____' (team.md:14) of shop/production 2.4.0 as dana@example.com (Release Manager)", dry.Out);
        Assert.Equal("shop/production: intact, 0 entries, 0 releases, head -", CliRunner.Run("journal", "verify", _plan).Out.Trim());

        var attested = CliRunner.Run("checklist", "attest", _plan, "--item", "release manager", "--version", "2.4.0",
            "--certificate", _keys.Dana.Certificate, "--key", _keys.Dana.Key, "--note", "go");
        Assert.Equal(0, attested.ExitCode);
        Assert.Matches(@"^attested att-[0-9a-f]{16}: 'Release Manager: ____ Date: ____' for shop/production 2.4.0 by dana@example.com \(Release Manager\)", attested.Out);

        var status = CliRunner.Run("checklist", "status", _plan, "--state", "Attested", "--state", "NotApplicable");
        Assert.Equal(0, status.ExitCode);
        var lines = status.Out.Trim().Split('\n');
        Assert.Equal(4, lines.Length); // header, rule, two items
        Assert.StartsWith("NotApplicable  team.md:6   GDPR verified", lines[2]);
        Assert.Contains("attest Release Manager", lines[3]);

        var verified = CliRunner.Run("journal", "verify", _plan, "--output", "json");
        Assert.Equal(0, verified.ExitCode);
        var head = JsonDocument.Parse(verified.Out).RootElement.GetProperty("head");
        var anchor = $"{head.GetProperty("sequence").GetInt64()}:{head.GetProperty("hash").GetString()}";
        var entry = Directory.GetFiles(Path.Combine(_dir, ".releaseops", "journal", "shop", "production", "chain"), "*.json").Single();
        File.WriteAllText(entry, File.ReadAllText(entry).Replace("\"go\"", "\"gone\""));
        var tampered = CliRunner.Run("journal", "verify", _plan, "--anchor", anchor);
        Assert.Equal(1, tampered.ExitCode);
        Assert.StartsWith("Edited at entry 1: entry 1 (attestation att-", tampered.Out);

        var export = CliRunner.Run("record", "export", _plan, "--out", Path.Combine(_dir, "records"));
        Assert.Equal(3, export.ExitCode);
        Assert.EndsWith("[ReleaseNotFound]", export.Error.Trim());
    }

    [Fact]
    public void Items_piped_from_Import_ReleaseChecklist_bind_by_value_to_Confirm_ReleaseChecklistItem()
    {
        using var session = PowerShellSession.Start(_dir);
        var parameters = new Dictionary<string, object?> { ["cert"] = _keys.Dana.Certificate, ["key"] = _keys.Dana.Key };
        const string Pipeline = "param($cert, $key) Import-ReleaseChecklist ./team.md -Kind SignOff | Where-Object Role -eq 'Release Manager' | " +
            "Confirm-ReleaseChecklistItem -PlanPath ./releaseplan.yml -Version 2.4.0 -CertificatePath $cert -KeyPath $key";

        var whatIf = session.Run(Pipeline + " -WhatIf", parameters).ThrowIfFailed();
        Assert.Empty(whatIf.Output);
        Assert.Empty(Directory.GetFiles(_dir, "*.json", SearchOption.AllDirectories));

        var confirmed = session.Run(Pipeline + " -Confirm:$false", parameters).ThrowIfFailed();
        var attestation = Assert.Single(confirmed.Objects<Attestation>());
        Assert.Equal(("dana@example.com", "Release Manager", "2.4.0"), (attestation.Signer.Identity, attestation.Role, attestation.Version));
        var bindings = session.Run("(Get-Command Confirm-ReleaseChecklistItem).Parameters['Item'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }")
            .ThrowIfFailed().Objects<ParameterAttribute>();
        Assert.Equal(new[] { "Plan", "PlanPath" }, bindings.Select(b => b.ParameterSetName).Order());
        Assert.All(bindings, b => Assert.True(b.ValueFromPipeline));

        var journal = session.Run("Test-ReleaseJournal ./releaseplan.yml").ThrowIfFailed().Objects<JournalVerification>().Single();
        Assert.True(journal.IsIntact);
        Assert.Equal(1, journal.Entries);
    }
}
