using System.Security.Cryptography;
using ReleaseOps.Checklists;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Checklists;

/// <summary>A small team checklist bound by a plan: binding, status per item, signed attestations, sign-offs.</summary>
public sealed class ChecklistServiceTests : IClassFixture<ChecklistServiceTests.Keys>, IDisposable
{
    /// <summary>One CA and three people for the whole class: Dana (RSA), Sam (ECDSA), Eve (issued by a CA the plan does not trust).</summary>
    public sealed class Keys : IDisposable
    {
        public TestCertificates Certificates { get; } = new();
        public (string Certificate, string Key) Dana { get; }
        public (string Certificate, string Key) Sam { get; }
        public (string Certificate, string Key) Eve { get; }

        public Keys()
        {
            Dana = Certificates.Issue("Dana Lead", "dana@example.com");
            Sam = Certificates.Issue("Sam Secure", "sam@example.com", ecdsa: true);
            Eve = Certificates.Issue("Eve Outsider", "dana@example.com", byOtherCa: true);
        }

        public void Dispose() => Certificates.Dispose();
    }

    public const string TeamChecklist = """
        # Team release

        ## Before
        - [ ] Security scan passed
        - [ ] Code reviewed by two seniors
        - [ ] GDPR verified
        - [ ] Stakeholders told

        ## Rollback
        1. Revert the images
        2. Restore the database

        ## Sign-off
        **Release Manager**: ______ Date: ____

        **Security Lead**: ______ Date: ____
        """;

    private readonly Keys _keys;
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-checklist-").FullName;
    private readonly MemoryAttestations _store = new();
    private readonly FixedEvidence _evidence = new();

    public ChecklistServiceTests(Keys keys)
    {
        _keys = keys;
        File.WriteAllText(Path.Combine(_dir, "team.md"), TeamChecklist);
        File.Copy(keys.Certificates.CaCertificate, Path.Combine(_dir, "ca.pem"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ReleasePlan Plan(string items = DefaultItems)
    {
        var path = Path.Combine(_dir, "plan.yml");
        File.WriteAllText(path, PlanYaml(items));
        return ReleasePlanLoader.LoadAsync(path).GetAwaiter().GetResult();
    }

    /// <summary>A plan of shop/production 2.4.0 binding team.md (beside it) with <paramref name="items"/>; Dana is Release Manager, Sam Security Lead.</summary>
    public static string PlanYaml(string items) => $"""
            api_version: releaseops/v1
            application: shop
            environment: production
            version: "2.4.0"
            gates:
              - name: scan
                type: tcp
                host: 127.0.0.1
                port: 1
            checklist:
              files: [team.md]
              trust: [ca.pem]
              roles:
                Release Manager: [dana@example.com]
                Security Lead: [sam@example.com]
              items:
            {items}
            """;

    private const string DefaultItems = """
                - match: security scan
                  gate: scan
                - match: code reviewed
                  attest: Security Lead
                - match: GDPR
                  not_applicable: no personal data is stored
                - id: team/rollback/revert-the-images
                  step: restore
                - match: release manager
                  attest: Release Manager
                - match: security lead
                  attest: Security Lead
                  stage: post-deploy
            """;

    private ChecklistService Service() => new(_store, _evidence);

    private AttestationKey Key((string Certificate, string Key) person, SecretValue? password = null) =>
        AttestationKey.Load(person.Certificate, person.Key, password);

    [Fact]
    public async Task Items_are_bound_by_id_or_match_and_the_rest_are_listed_unbound()
    {
        var bound = await ChecklistBinder.BindAsync(Plan(), default);

        Assert.Empty(bound.Problems);
        Assert.Equal(8, bound.Items.Count);
        Assert.Equal(new[] { "Stakeholders told", "Restore the database" }, bound.Items.Where(i => !i.IsBound).Select(i => i.Item.Text));
        Assert.Equal(new[] { "Code reviewed by two seniors", "Release Manager: ____ Date: ____" },
            bound.RequiredBeforeDeploy.Select(i => i.Item.Text));
    }

    [Fact]
    public async Task Bindings_that_pick_nothing_or_pick_an_item_twice_are_reported_at_their_position()
    {
        var plan = Plan("""
                - match: security scan
                  gate: scan
                - match: scan passed
                  not_applicable: twice
                - id: team/before/security-scn-passed
                  gate: scan
                - match: penetration test
                  gate: scan
            """);
        var bound = await ChecklistBinder.BindAsync(plan, default);

        var file = Path.Combine(_dir, "plan.yml");
        Assert.Equal(new[]
        {
            $"{file}:19:7: item 'Security scan passed' (team.md:4) is already bound by the match 'security scan' at line 17; each item has one binding (use its id, or a more specific match)",
            $"{file}:21:7: no checklist item has id 'team/before/security-scn-passed'; did you mean 'team/before/security-scan-passed'?",
            $"{file}:23:7: match 'penetration test' finds no item in team.md",
        }, bound.Problems.Select(p => p.ToString()));
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => Service().StatusAsync(plan, null, default));
        Assert.Equal(("ChecklistBindingInvalid", FailureKind.InvalidConfiguration), (error.ErrorId, error.Kind));
        Assert.Contains("penetration test", error.Message);
    }

    [Fact]
    public async Task A_missing_checklist_file_is_reported_against_the_plan()
    {
        File.Delete(Path.Combine(_dir, "team.md"));
        var problems = (await ChecklistBinder.BindAsync(Plan("    - match: x\n      gate: scan\n"), default)).Problems;
        Assert.Equal(new[] { "ChecklistFileUnreadable", "ChecklistMatchEmpty" }, problems.Select(p => p.Code));
        var problem = problems[0];
        Assert.Equal((11, 3), (problem.Line, problem.Column)); // the "files:" line
        Assert.Contains("checklist file 'team.md' cannot be read (it does not exist", problem.Message);
    }

    [Fact]
    public async Task Each_item_gets_its_status_from_its_gate_step_attestation_or_binding()
    {
        _evidence.Evidence = new ReleaseEvidence
        {
            Application = "shop", Environment = "production", Version = "2.4.0", ReleaseId = "r1",
            Results = new[]
            {
                new EvidenceResult(ChecklistBindingKind.Gate, "scan", null, EvidenceOutcome.Passed, "passed: 127.0.0.1:1 is closed as expected"),
                new EvidenceResult(ChecklistBindingKind.Step, "restore", null, EvidenceOutcome.NotNeeded, "no rollback of release r1 was needed"),
            },
        };
        var report = await Service().StatusAsync(Plan(), null, default);
        var states = report.Items.ToDictionary(i => i.Item.Text, i => (i.State, i.Evidence));

        Assert.Equal((ChecklistItemState.Passed, "gate 'scan': passed: 127.0.0.1:1 is closed as expected"), states["Security scan passed"]);
        Assert.Equal((ChecklistItemState.Pending, "waiting for Security Lead to attest 2.4.0"), states["Code reviewed by two seniors"]);
        Assert.Equal((ChecklistItemState.NotApplicable, "not applicable: no personal data is stored"), states["GDPR verified"]);
        Assert.Equal((ChecklistItemState.NotApplicable, "step 'restore': no rollback of release r1 was needed"), states["Revert the images"]);
        Assert.Equal((ChecklistItemState.Unbound, "no binding in the plan"), states["Stakeholders told"]);
        var coverage = Assert.Single(report.Coverage);
        Assert.Equal((8, 2, 3, 1, 2), (coverage.Total, coverage.Automated, coverage.Attestation, coverage.NotApplicable, coverage.Unbound));
        Assert.Equal((1, 0, 0, 3), (coverage.Passed, coverage.Failed, coverage.Attested, coverage.Pending));

        _evidence.Evidence = _evidence.Evidence with
        {
            Results = new[] { new EvidenceResult(ChecklistBindingKind.Gate, "scan", null, EvidenceOutcome.Failed, "failed: port 1 is open") },
        };
        var failed = (await Service().StatusAsync(Plan(), null, default)).Items.Single(i => i.Item.Text == "Security scan passed");
        Assert.Equal((ChecklistItemState.Failed, "gate 'scan': failed: port 1 is open"), (failed.State, failed.Evidence));
    }

    [Fact]
    public async Task Items_bound_to_a_backup_or_a_watch_criterion_take_their_state_from_it()
    {
        var path = Path.Combine(_dir, "plan.yml");
        File.WriteAllText(path, PlanYaml("""
                - match: security scan
                  backup: db
                - match: GDPR
                  watch: errors
            """) + "\n" + """
            backups:
              - name: db
                type: postgres
                connection: { host: 127.0.0.1, database: shop, username: shop }
                destination: backups
            watch:
              probes: [{ name: web, url: "http://127.0.0.1:9/" }]
              criteria: [{ name: errors, expect: "error_rate < 5%" }]
            """);
        var plan = await ReleasePlanLoader.LoadAsync(path);
        EvidenceResult Backup(EvidenceOutcome outcome) => new(ChecklistBindingKind.Backup, "db", null, outcome, "b1, 1,024 bytes, sha256:ab12");
        EvidenceResult Watch(EvidenceOutcome outcome) => new(ChecklistBindingKind.Watch, "errors", null, outcome, "breached (error_rate < 5%; observed 0.08) over a 5m watch");
        async Task<(ChecklistItemState Backup, ChecklistItemState Watch)> StatesAsync(params EvidenceResult[] results)
        {
            _evidence.Evidence = new ReleaseEvidence { Application = "shop", Environment = "production", Version = "2.4.0", ReleaseId = "r1", Results = results };
            var items = (await Service().StatusAsync(plan, null, default)).Items.ToDictionary(i => i.Item.Text);
            return (items["Security scan passed"].State, items["GDPR verified"].State);
        }

        Assert.Equal((ChecklistItemState.Passed, ChecklistItemState.Failed), await StatesAsync(Backup(EvidenceOutcome.Passed), Watch(EvidenceOutcome.Failed)));
        Assert.Equal((ChecklistItemState.Failed, ChecklistItemState.Passed), await StatesAsync(Backup(EvidenceOutcome.Failed), Watch(EvidenceOutcome.Passed)));
        var report = await Service().StatusAsync(plan, null, default);
        Assert.Equal("backup 'db': b1, 1,024 bytes, sha256:ab12", report.Items.Single(i => i.Item.Text == "Security scan passed").Evidence);
        // A binding to a gate of the same name is not evidence for it: the item waits for its own backup.
        var pending = await StatesAsync(new EvidenceResult(ChecklistBindingKind.Gate, "db", null, EvidenceOutcome.Passed, "passed"));
        Assert.NotEqual(ChecklistItemState.Passed, pending.Backup);
        Assert.NotEqual(ChecklistItemState.Passed, pending.Watch);
    }

    [Fact]
    public void A_step_binding_narrowed_to_a_service_is_judged_by_that_services_step_only()
    {
        var checklist = ChecklistReader.Parse("# R\n\n## Deploy\n1. Deploy the API\n2. Deploy the frontend\n3. Deploy everything\n", "r.md");
        ChecklistBindingDefinition Step(string match, string? service) =>
            new() { Match = match, Kind = ChecklistBindingKind.Step, Target = "rollout", Service = service };
        var bound = ChecklistBinder.Bind(new ChecklistDefinition
        {
            Files = new[] { "r.md" },
            Items = new[] { Step("deploy the api", "api"), Step("deploy the frontend", "web"), Step("deploy everything", null) },
        }, new[] { checklist }, "plan.yml");
        var evidence = new ReleaseEvidence
        {
            Application = "shop", Environment = "production", Version = "2.4.0", ReleaseId = "r1",
            Results = new[]
            {
                new EvidenceResult(ChecklistBindingKind.Step, "rollout", "api", EvidenceOutcome.Failed, "failed: probe 'health': status 503"),
                new EvidenceResult(ChecklistBindingKind.Step, "rollout", "web", EvidenceOutcome.Passed, "succeeded: rolling to web:2.4.0"),
            },
        };

        var states = ChecklistStatusRules.Evaluate(bound, evidence, new AttestationTrust(new()))
            .Items.Select(i => (i.Item.Text, i.State)).ToArray();

        Assert.Equal(new[]
        {
            ("Deploy the API", ChecklistItemState.Failed), ("Deploy the frontend", ChecklistItemState.Passed), ("Deploy everything", ChecklistItemState.Failed),
        }, states);
    }

    [Fact]
    public async Task An_attestation_is_signed_with_the_persons_key_and_holds_for_the_version_only()
    {
        var plan = Plan();
        var service = Service();
        var item = await service.FindAttestableAsync(plan, "release manager", default);
        using var key = Key(_keys.Dana);
        var evidence = Path.Combine(_dir, "review.txt");
        await File.WriteAllTextAsync(evidence, "reviewed by Dana and Kim");

        var attestation = await service.AttestAsync(plan, item, new AttestationRequest
        {
            Version = "2.4.0", Note = "go", EvidenceUrl = "https://tracker.example.com/REL-42", EvidenceFile = evidence,
        }, key, default);

        Assert.Equal(("dana@example.com", "Release Manager", AttestationAlgorithms.Rsa), (attestation.Signer.Identity, attestation.Role, attestation.Algorithm));
        Assert.Contains("CN=Dana Lead", attestation.Signer.Subject);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(await File.ReadAllBytesAsync(evidence))).ToLowerInvariant(), attestation.EvidenceFile!.Sha256);
        Assert.Contains("evidence-file-sha256: " + attestation.EvidenceFile.Sha256 + "\n", attestation.Statement);
        Assert.Same(attestation, Assert.Single(_store.Saved));

        var status = (await service.StatusAsync(plan, "2.4.0", default)).Items.Single(i => i.Item.Id == item.Item.Id);
        Assert.Equal(ChecklistItemState.Attested, status.State);
        Assert.StartsWith("attested by dana@example.com (Release Manager) at ", status.Evidence);
        Assert.EndsWith(": go; evidence https://tracker.example.com/REL-42; evidence review.txt sha256:" + attestation.EvidenceFile.Sha256, status.Evidence);
        var other = (await service.StatusAsync(plan, "2.5.0", default)).Items.Single(i => i.Item.Id == item.Item.Id);
        Assert.Equal(ChecklistItemState.Pending, other.State);
    }

    [Fact]
    public async Task An_ecdsa_signature_and_an_rsa_signature_verify_with_the_openssl_command_line()
    {
        var plan = Plan();
        var service = Service();
        using var dana = Key(_keys.Dana);
        using var sam = Key(_keys.Sam);
        var signed = new[]
        {
            await service.AttestAsync(plan, await service.FindAttestableAsync(plan, "release manager", default), new AttestationRequest { Version = "2.4.0" }, dana, default),
            await service.AttestAsync(plan, await service.FindAttestableAsync(plan, "code reviewed", default), new AttestationRequest { Version = "2.4.0" }, sam, default),
        };
        Assert.Equal(AttestationAlgorithms.Ecdsa, signed[1].Algorithm);
        foreach (var attestation in signed)
        {
            Assert.Equal((0, "Verified OK"), OpenSslVerify(attestation, attestation.Statement));
            Assert.Equal(1, OpenSslVerify(attestation, attestation.Statement.Replace("version: 2.4.0", "version: 2.4.1")).ExitCode);
        }
        var (code, output, error) = ChildProcess.Run("openssl", null, "verify", "-CAfile", _keys.Certificates.CaCertificate, Write("signer.pem", signed[0].Signer.CertificatePem));
        Assert.True(code == 0, output + error);
    }

    /// <summary>What an auditor runs: the public key from the recorded certificate, openssl dgst -verify over the statement.</summary>
    private (int ExitCode, string Output) OpenSslVerify(Attestation attestation, string statement)
    {
        var certificate = Write("cert.pem", attestation.Signer.CertificatePem);
        var publicKey = Path.Combine(_dir, "pub.pem");
        Assert.Equal(0, ChildProcess.Run("openssl", null, "x509", "-in", certificate, "-pubkey", "-noout", "-out", publicKey).ExitCode);
        var signature = Path.Combine(_dir, "signature.bin");
        File.WriteAllBytes(signature, Convert.FromBase64String(attestation.Signature));
        var (code, output, error) = ChildProcess.Run("openssl", null, "dgst", "-sha256", "-verify", publicKey, "-signature", signature, Write("statement.txt", statement));
        return (code, (output + error).Trim());
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Attestations_are_refused_for_the_wrong_role_an_untrusted_certificate_or_an_item_not_bound_to_a_role()
    {
        var plan = Plan();
        var service = Service();
        var reviewed = await service.FindAttestableAsync(plan, "code reviewed", default);
        using var dana = Key(_keys.Dana);
        var wrongRole = await Assert.ThrowsAsync<ReleaseOpsException>(() => service.AttestAsync(plan, reviewed, new AttestationRequest { Version = "2.4.0" }, dana, default));
        Assert.Equal("AttestationSignerNotInRole", wrongRole.ErrorId);
        Assert.Contains("dana@example.com's, who is not listed for role 'Security Lead' (listed: sam@example.com)", wrongRole.Message);

        // Eve's certificate says dana@example.com too, but no trusted CA issued it.
        using var eve = Key(_keys.Eve);
        var manager = await service.FindAttestableAsync(plan, "release manager", default);
        var untrusted = await Assert.ThrowsAsync<ReleaseOpsException>(() => service.AttestAsync(plan, manager, new AttestationRequest { Version = "2.4.0" }, eve, default));
        Assert.Equal("AttestationUntrusted", untrusted.ErrorId);
        Assert.Contains("does not chain to a trusted certificate", untrusted.Message);

        Assert.Equal("ChecklistItemNotAttestable", (await Assert.ThrowsAsync<ReleaseOpsException>(() => service.FindAttestableAsync(plan, "security scan", default))).ErrorId);
        Assert.Equal("ChecklistItemAmbiguous", (await Assert.ThrowsAsync<ReleaseOpsException>(() => service.FindAttestableAsync(plan, "the", default))).ErrorId);
        Assert.Equal("ChecklistItemNotFound", (await Assert.ThrowsAsync<ReleaseOpsException>(() => service.FindAttestableAsync(plan, "nothing like it", default))).ErrorId);
        var badUrl = await Assert.ThrowsAsync<ReleaseOpsException>(() =>
            service.AttestAsync(plan, manager, new AttestationRequest { Version = "2.4.0", EvidenceUrl = "https://user:pw@tracker.example.com/x" }, dana, default));
        Assert.Equal("AttestationEvidenceUrlInvalid", badUrl.ErrorId);
        Assert.Empty(_store.Saved);
    }

    [Fact]
    public async Task An_attestation_edited_after_signing_is_rejected_and_the_item_stays_pending()
    {
        var plan = Plan();
        var service = Service();
        using var dana = Key(_keys.Dana);
        var item = await service.FindAttestableAsync(plan, "release manager", default);
        var signed = await service.AttestAsync(plan, item, new AttestationRequest { Version = "2.4.0", Note = "go" }, dana, default);
        _store.Saved[0] = signed with { Note = "go, and skip the security review" };

        var status = (await service.StatusAsync(plan, "2.4.0", default)).Items.Single(i => i.Item.Id == item.Item.Id);
        Assert.Equal(ChecklistItemState.Pending, status.State);
        Assert.Equal("waiting for Release Manager: 1 attestation(s) rejected (its fields no longer match the signed statement (edited after signing))", status.Evidence);

        _store.Saved[0] = signed with { Statement = signed.Statement.Replace("note: go", "note: ok"), Note = "ok", Id = AttestationVerifier.IdFor(signed.Statement.Replace("note: go", "note: ok")) };
        Assert.Equal("the signature does not verify against the signer's certificate",
            (await service.StatusAsync(plan, "2.4.0", default)).Items.Single(i => i.Item.Id == item.Item.Id).Attestations.Single().Problem);
    }

    [Fact]
    public async Task Sign_offs_list_what_is_missing_before_deploying_and_nothing_once_signed()
    {
        var plan = Plan();
        var service = Service();
        var before = await service.SignOffsAsync(plan, "2.4.0", Array.Empty<string>(), default);
        Assert.Equal(new[]
        {
            "Security Lead for 'Code reviewed by two seniors' (team.md:5)",
            "Release Manager for 'Release Manager: ____ Date: ____' (team.md:14)",
        }, before.Missing);
        Assert.Single((await service.SignOffsAsync(plan, "2.4.0", new[] { "release manager" }, default)).Missing);

        using var dana = Key(_keys.Dana);
        using var sam = Key(_keys.Sam);
        await service.AttestAsync(plan, await service.FindAttestableAsync(plan, "release manager", default), new AttestationRequest { Version = "2.4.0" }, dana, default);
        await service.AttestAsync(plan, await service.FindAttestableAsync(plan, "code reviewed", default), new AttestationRequest { Version = "2.4.0" }, sam, default);
        var after = await service.SignOffsAsync(plan, "2.4.0", Array.Empty<string>(), default);
        Assert.Empty(after.Missing);
        Assert.Equal(new[] { "Security Lead: sam@example.com for 'Code reviewed by two seniors'", "Release Manager: dana@example.com for 'Release Manager: ____ Date: ____'" }, after.Present);
    }

    [Fact]
    public void An_encrypted_key_opens_with_its_password_and_a_wrong_one_never_shows_up_in_the_error()
    {
        var password = CanarySecret.New();
        var kim = _keys.Certificates.Issue("Kim Keyholder", "kim@example.com", password: password);
        using (var key = Key(kim, new SecretValue(password)))
        {
            Assert.Equal("kim@example.com", key.Signer.Identity);
        }
        var wrong = CanarySecret.New();
        var error = Assert.Throws<ReleaseOpsException>(() => Key(kim, new SecretValue(wrong)));
        Assert.Equal("AttestationKeyInvalid", error.ErrorId);
        CanarySecret.AssertAbsent(wrong, new[] { error.Message, error.Fix, error.ToString() }, "the key error");
        CanarySecret.AssertAbsent(password, new[] { error.Message, error.Fix, error.ToString() }, "the key error");
        Assert.Equal("AttestationKeyInvalid", Assert.Throws<ReleaseOpsException>(() => Key((kim.Certificate, _keys.Dana.Key))).ErrorId);
        Assert.Equal("AttestationKeyNotFound", Assert.Throws<ReleaseOpsException>(() => Key(("/nonexistent.pem", kim.Key))).ErrorId);
    }

    private sealed class MemoryAttestations : IAttestationStore
    {
        public List<Attestation> Saved { get; } = new();

        public Task SaveAsync(Attestation attestation, CancellationToken cancellation)
        {
            Saved.Add(attestation);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<Attestation>> ListAsync(string application, string environment, CancellationToken cancellation) =>
            Task.FromResult<IReadOnlyList<Attestation>>(Saved.Where(a => a.Application == application && a.Environment == environment).ToArray());
    }

    private sealed class FixedEvidence : IReleaseEvidenceSource
    {
        public ReleaseEvidence? Evidence { get; set; }

        public Task<ReleaseEvidence> GetAsync(ReleasePlan plan, string? version, string? releaseId, CancellationToken cancellation) =>
            Task.FromResult(Evidence is not null && (version is null || Evidence.Version == version)
                ? Evidence
                : new ReleaseEvidence { Application = plan.Application, Environment = plan.Environment, Version = version ?? plan.Version });
    }
}
