using ReleaseOps.Plans;
using Xunit;

namespace ReleaseOps.Tests.Checklists;

/// <summary>The plan's checklist: and notifications: sections: what binds, and what validation refuses (with positions and why).</summary>
public class ChecklistPlanTests
{
    private const string Header = "api_version: releaseops/v1\napplication: shop\nenvironment: staging\n";

    private const string Basics = Header + """
        gates:
          - name: scan
            type: tcp
            host: 127.0.0.1
            port: 1
        watch:
          criteria:
            - name: errors
              expect: error_rate < 5%

        """;

    private static PlanValidation Validate(string yaml) =>
        ReleasePlanLoader.Validate(yaml, "plan.yml", environment: name => name == "HOOK_HOST" ? "hooks.example.com" : null);

    private static string Errors(PlanValidation validation) => string.Join("\n", validation.Errors);

    [Fact]
    public void A_checklist_section_binds_into_the_plan_model()
    {
        var validation = Validate(Basics + """
            checklist:
              files: team.md
              trust: [ca.pem]
              roles:
                Release Manager: dana@example.com
                Security Lead: [sam@example.com, kim@example.com]
              items:
                - match: security scan
                  gate: scan
                - id: team/rollback/revert-the-images
                  step: rollout
                  service: web
                - match: error rate
                  watch: errors
                - match: release manager
                  attest: Release Manager
                - match: monitor for a day
                  attest: Security Lead
                  stage: post-deploy
                - match: GDPR
                  not_applicable: no personal data is stored
            services:
              - name: web
                image: shop/web
            """);
        Assert.True(validation.IsValid, Errors(validation));
        var checklist = validation.Plan!.Checklist!;
        Assert.Equal(new[] { "team.md" }, checklist.Files);
        Assert.Equal(new[] { "sam@example.com", "kim@example.com" }, checklist.Roles["security lead"]);
        Assert.Equal(new[] { "dana@example.com" }, checklist.Roles["Release Manager"]);
        Assert.Equal(
            new[]
            {
                (ChecklistBindingKind.Gate, "scan"), (ChecklistBindingKind.Step, "rollout"), (ChecklistBindingKind.Watch, "errors"),
                (ChecklistBindingKind.Attest, "Release Manager"), (ChecklistBindingKind.Attest, "Security Lead"),
                (ChecklistBindingKind.NotApplicable, "no personal data is stored"),
            },
            checklist.Items.Select(i => (i.Kind, i.Target)));
        Assert.Equal("web", checklist.Items[1].Service);
        Assert.Equal("team/rollback/revert-the-images", checklist.Items[1].Id);
        Assert.True(checklist.Items[3].IsRequiredBeforeDeploy);
        Assert.False(checklist.Items[4].IsRequiredBeforeDeploy);
        Assert.Equal((27, 7), (checklist.Items[3].Location!.Line, checklist.Items[3].Location!.Column));
    }

    [Theory]
    [InlineData("      - match: scan\n        gate: scna\n", "plan.yml:18:9: gate 'scna' is not one of the plan's gates; did you mean 'scan'?")]
    [InlineData("      - match: scan\n        watch: error\n", "plan.yml:18:9: watch 'error' is not one of the plan's watch criteria; did you mean 'errors'?")]
    [InlineData("      - match: scan\n        backup: db\n", "plan.yml:18:9: backup 'db' does not exist: the plan declares no backups")]
    [InlineData("      - match: scan\n        attest: QA Lead\n", "plan.yml:18:9: attest 'QA Lead' is not one of the plan's checklist roles")]
    [InlineData("      - match: scan\n        gate: scan\n        attest: QA\n", "plan.yml:18:9: a checklist binding has one target, not gate and attest")]
    [InlineData("      - match: scan\n", "plan.yml:18:9: a checklist binding says what covers the item: one of gate, step, backup, watch, attest or not_applicable")]
    [InlineData("      - gate: scan\n", "plan.yml:18:9: a checklist binding names its item(s) with either 'id' or 'match' (one of them)")]
    [InlineData("      - match: scan\n        gate: scan\n        stage: post-deploy\n", "plan.yml:18:9: 'stage' says when an attestation is required; the stage of a gate is the gate's own")]
    [InlineData("      - match: scan\n        gate: scan\n        service: web\n", "plan.yml:18:9: 'service' narrows a step binding; it means nothing with gate")]
    [InlineData("      - match: scan\n        step: deploy\n", "plan.yml:19:15: 'deploy' is not valid for 'checklist.items[0].step': expected one of lock, resolve-images, gates:pre-deploy, backup, migration, rollout, verify, gates:post-deploy, unlock, rollback, restore, retire, restore-database")]
    [InlineData("      - match: scan\n        gate: scan\n        owner: me\n", "plan.yml:20:9: unknown key 'owner'")]
    public void A_wrong_binding_is_refused_at_its_position_saying_why(string binding, string expected)
    {
        var validation = Validate(Basics + "checklist:\n  files: [team.md]\n  trust: ca.pem\n  roles: { QA: [qa@example.com] }\n  items:\n" + binding);
        Assert.Equal(expected, Assert.Single(validation.Errors).ToString());
    }

    [Fact]
    public void Attestations_need_trusted_certificates_and_roles_need_members()
    {
        var validation = Validate(Header + "checklist:\n  files: [team.md]\n  roles: { QA: [] }\n  items:\n    - match: x\n      attest: QA\n");
        Assert.Equal(new[]
        {
            "plan.yml:5:3: items bound with 'attest' need 'trust': the PEM certificates (a team CA, or each signer's certificate) that signers' certificates must chain to; without it anyone could make a certificate with a listed name",
            "plan.yml:5:3: role 'QA' lists nobody; give the e-mail address (or common name) of each person's certificate",
        }, validation.Errors.Select(e => e.ToString()).Order());
    }

    [Fact]
    public void The_approval_gate_is_refused_with_what_replaced_it()
    {
        var error = Assert.Single(Validate(Header + "gates:\n  - name: ok\n    type: approval\n    approvers: [alice]\n").Errors);
        Assert.Equal((6, 11), (error.Line, error.Column));
        Assert.Contains("'approval' is no longer valid for 'gates[0].type': the approval gate was folded into checklist sign-offs", error.Message);
    }

    [Fact]
    public void A_sign_off_gate_needs_a_checklist_and_known_roles()
    {
        var errors = Validate(Header + "gates:\n  - name: signed\n    type: sign-off\n    roles: [Deployment Lead]\n").Errors.Select(e => e.Message).ToArray();
        Assert.Contains(errors, e => e.StartsWith("a sign-off gate checks the attestations a checklist requires", StringComparison.Ordinal));
        Assert.Contains("role 'Deployment Lead' is not declared under checklist.roles", errors);
    }

    [Fact]
    public void Notifications_take_a_secret_url_a_format_headers_a_timeout_and_retries()
    {
        var validation = Validate(Header + """
            secrets:
              slack: { env: SLACK_WEBHOOK }
              token: { env: HOOK_TOKEN }
            notifications:
              - name: chat
                url: ${secret:slack}
                format: slack
                on: [started, sign-off-needed, watch-breached]
              - name: ops
                url: https://${env:HOOK_HOST}/hooks/${secret:token}
                format: teams
                headers: { X-Token: "${secret:token}" }
                timeout: 3s
                retries: 0
              - name: default
                url: https://hooks.example.com/plain
            """);
        Assert.True(validation.IsValid, Errors(validation));
        var (chat, ops, plain) = (validation.Plan!.Notifications[0], validation.Plan.Notifications[1], validation.Plan.Notifications[2]);
        Assert.Equal(("${secret:slack}", NotificationFormat.Slack), (chat.Url, chat.Format));
        Assert.Equal(new[] { "started", "sign-off-needed", "watch-breached" }, chat.On);
        Assert.Equal(("https://hooks.example.com/hooks/${secret:token}", NotificationFormat.Teams, TimeSpan.FromSeconds(3), 0),
            (ops.Url, ops.Format, ops.Timeout, ops.Retries));
        Assert.Equal("${secret:token}", ops.Headers["X-Token"]);
        Assert.Equal((NotificationFormat.Json, 3, TimeSpan.FromSeconds(10)), (plain.Format, plain.Retries, plain.Timeout));
        Assert.Equal(new[] { "failed", "rolled-back", "watch-breached", "sign-off-needed" }, plain.On);
    }

    [Theory]
    [InlineData("    url: hooks.example.com/x\n", "'hooks.example.com/x' is not valid for 'notifications[0].url': expected an absolute http:// or https:// URL")]
    [InlineData("    url: https://h.example.com/\n    on: [breached]\n", "'breached' is no longer valid for 'notifications[0].on[0]': the event is now called watch-breached")]
    [InlineData("    url: https://h.example.com/\n    retries: 11\n", "'11' is not valid for 'notifications[0].retries': expected a whole number from 0 to 10")]
    [InlineData("    url: https://h.example.com/\n    format: discord\n", "'discord' is not valid for 'notifications[0].format': expected one of json, slack, teams")]
    [InlineData("    url: ${secret:nope}\n", "secret 'nope' is not declared under 'secrets:'")]
    public void A_wrong_notification_is_refused_saying_why(string settings, string expected)
    {
        var error = Assert.Single(Validate(Header + "notifications:\n  - name: n\n" + settings).Errors);
        Assert.Equal(expected, error.Message);
    }
}
