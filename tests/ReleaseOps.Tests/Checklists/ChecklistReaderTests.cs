using ReleaseOps.Checklists;
using ReleaseOps.Errors;
using ReleaseOps.Tests.Plans;
using Xunit;

namespace ReleaseOps.Tests.Checklists;

public class ChecklistReaderTests
{
    public static string Seed(string name) => Path.Combine(ExamplePlanTests.RepositoryRoot, "examples", "checklists", "seeds", name);

    private static Task<Checklist> ReadSeed(string name) => ChecklistReader.ReadAsync(Seed(name), "seeds/" + name);

    private static Dictionary<ChecklistItemKind, int> Kinds(Checklist checklist) =>
        checklist.Items.GroupBy(i => i.Kind).ToDictionary(g => g.Key, g => g.Count());

    // Each count was checked by hand against the seed, section by section.
    [Theory]
    // 6 sections x 8 boxes (48) + post-deployment 6 + 6 + success criteria 6 = 66 boxes;
    // 4 phases x 4 numbered steps (16) + emergency 4 + gradual rollback 4 = 24 steps.
    [InlineData("medianest-deployment-checklist.md", 90, 66, 24, 0, 0)]
    // □ lines in code blocks: security 7, build 5, performance 4, infrastructure 5, final validation 12 = 33;
    // "Step N:" headings: 3 in phase 1 + 3 in phase 2 = 6; the sign-off code block: 4 roles.
    [InlineData("medianest-production-procedures.md", 43, 0, 6, 4, 33)]
    // Boxes: sections 1-18 give 3+3+2+2+1+5+13+1+1+2+2+1+1+6+2+1+2+3 = 51 (section 7: 3 groups + 10 nested boxes;
    // section 17: the two sign-off groups); their 6 nested "Role: ____ Date: ____" boxes are sign-offs;
    // the 4 numbered troubleshooting entries are procedure steps. The bullets under boxes are details, not items.
    [InlineData("pitchey-container-services-checklist.md", 61, 51, 4, 6, 0)]
    // Boxes: environment 6, security 6, database 5, testing 6, infrastructure 6, post-deployment 6, immediate 4,
    // short-term 4, long-term 4, success 6 = 53; numbered steps: pre-deployment 5, execution 5, rollback 5 = 15.
    // The rollback triggers, artifacts and contact table are plain text, not items.
    [InlineData("production-deployment-checklist.md", 68, 53, 15, 0, 0)]
    // Boxes: preparation 4+5+4+4+4+3+4 = 28, execution 4+5+7 = 16, monitoring 4+4+4 = 12, compliance 6, documentation 6,
    // team 5, post-production 4+4+4 = 12: 85; rollback steps 6; the four "**Role**: ____ Date: ____" paragraphs.
    [InlineData("spatial-intel-deployment-checklist.md", 95, 85, 6, 4, 0)]
    public async Task Every_seed_imports_with_every_item_found(string seed, int total, int boxes, int steps, int signOffs, int codeBoxes)
    {
        var checklist = await ReadSeed(seed);
        var kinds = Kinds(checklist);

        Assert.Equal(total, checklist.Items.Count);
        Assert.Equal(boxes, kinds.GetValueOrDefault(ChecklistItemKind.Box));
        Assert.Equal(steps, kinds.GetValueOrDefault(ChecklistItemKind.ProcedureStep));
        Assert.Equal(signOffs, kinds.GetValueOrDefault(ChecklistItemKind.SignOff));
        Assert.Equal(codeBoxes, kinds.GetValueOrDefault(ChecklistItemKind.CodeBlockBox));
        Assert.Equal(checklist.Items.Count, checklist.Items.Select(i => i.Id).Distinct().Count());
        Assert.All(checklist.Items, i => Assert.StartsWith(Path.GetFileNameWithoutExtension(seed) + "/", i.Id));
        Assert.Equal(64, checklist.Sha256.Length);
    }

    [Fact]
    public async Task Items_carry_their_section_line_kind_parent_role_and_details()
    {
        var pitchey = await ReadSeed("pitchey-container-services-checklist.md");
        var review = pitchey.Items.Single(i => i.Text == "Code Review Completed");
        Assert.Equal(9, review.Line);
        Assert.Equal(new[] { "Pre-Deployment Phase", "1. Code Quality and Testing" }, review.Section);
        Assert.Equal("pitchey-container-services-checklist/pre-deployment-phase/code-quality-and-testing/code-review-completed", review.Id);
        Assert.Equal("All code changes reviewed by at least 2 senior developers", review.Details[0]);
        Assert.Equal(4, review.Details.Count);

        var redis = pitchey.Items.Single(i => i.Text == "Deploy Redis service");
        Assert.Equal((129, ChecklistItemKind.Box), (redis.Line, redis.Kind));
        Assert.Equal(pitchey.Items.Single(i => i.Text == "Core Infrastructure Services").Id, redis.ParentId);

        var qa = pitchey.Items.Single(i => i.Role == "QA Lead");
        Assert.Equal((259, ChecklistItemKind.SignOff), (qa.Line, qa.Kind));
        Assert.Equal("QA Lead: ____ Date: ____", qa.Text);
        Assert.EndsWith("/sign-off-qa-lead", qa.Id);
        Assert.Equal(pitchey.Items.Single(i => i.Text == "Technical Sign-Off").Id, qa.ParentId);

        var spatial = await ReadSeed("spatial-intel-deployment-checklist.md");
        var lead = spatial.Items.Single(i => i.Kind == ChecklistItemKind.SignOff && i.Role == "Deployment Lead");
        Assert.Equal(346, lead.Line);
        var gdpr = spatial.Items.Single(i => i.Text.StartsWith("GDPR", StringComparison.Ordinal));
        Assert.Equal(("GDPR compliance verified (if applicable)", 311), (gdpr.Text, gdpr.Line));
        var stop = spatial.Items.Single(i => i.Text == "Stop new deployment");
        Assert.Equal((279, ChecklistItemKind.ProcedureStep), (stop.Line, stop.Kind));
        Assert.Equal("spatial-intel-deployment-checklist/rollback-procedures/rollback-steps/stop-new-deployment", stop.Id);
    }

    [Fact]
    public async Task A_file_saved_through_the_wrong_encoding_is_repaired_so_its_boxes_are_found()
    {
        // The seed's "□" is stored as "‚ñ°": UTF-8 read once as Mac OS Roman and saved again.
        Assert.Contains("\u201A\u00F1\u00B0 Security scan", await File.ReadAllTextAsync(Seed("medianest-production-procedures.md")));
        var checklist = await ReadSeed("medianest-production-procedures.md");

        Assert.True(checklist.EncodingRepaired);
        Assert.Equal("\U0001F680 PRODUCTION DEPLOYMENT PROCEDURES", checklist.Title);
        var scan = checklist.Items[0];
        Assert.Equal(("Security scan confirms 0 P0/P1 vulnerabilities", 19, ChecklistItemKind.CodeBlockBox), (scan.Text, scan.Line, scan.Kind));
        Assert.Equal("\U0001F510 Security Validation (CRITICAL)", scan.Section[^1]);
        var step = checklist.Items.Single(i => i.Line == 193);
        Assert.Equal(("Step 2: Staging Deployment Execution", ChecklistItemKind.ProcedureStep), (step.Text, step.Kind));
        Assert.EndsWith("/staging-deployment-execution", step.Id);
        Assert.Equal(new[] { 572, 573, 574, 575 }, checklist.Items.Where(i => i.Kind == ChecklistItemKind.SignOff).Select(i => i.Line));

        var plain = ChecklistReader.Parse("# Café\n\n- [ ] Café menu reviewed — ok\n", "plain.md");
        Assert.False(plain.EncodingRepaired);
        Assert.Equal("Café menu reviewed — ok", plain.Items.Single().Text);
    }

    [Fact]
    public void Ids_do_not_change_when_items_are_reordered_renumbered_or_others_reworded()
    {
        const string Before = """
            # Release

            ## 1. Security
            - [ ] Rate limiting enabled
            - [ ] Secrets in the vault

            ## 2. Rollback
            1. Revert the images
            2. Restore the database
            """;
        const string After = """
            # Release

            ## 1. Preparation
            - [ ] Stakeholders told

            ## 2. Security
            - [x] Secrets kept in the vault
            - [ ] **Rate limiting** enabled!

            ## 3. Rollback
            1. Restore the database
            2. Revert the images
            """;
        var before = ChecklistReader.Parse(Before, "team.md").Items.ToDictionary(i => i.Text, i => i.Id);
        var after = ChecklistReader.Parse(After, "team.md").Items.ToDictionary(i => i.Text, i => i.Id);

        Assert.Equal("team/security/rate-limiting-enabled", before["Rate limiting enabled"]);
        Assert.Equal(before["Rate limiting enabled"], after["Rate limiting enabled!"]);
        Assert.Equal(before["Restore the database"], after["Restore the database"]);
        Assert.Equal(before["Revert the images"], after["Revert the images"]);
        Assert.NotEqual(before["Secrets in the vault"], after["Secrets kept in the vault"]);
    }

    [Fact]
    public void Sign_off_lines_and_box_glyphs_are_found_wherever_they_are_written_and_plain_bullets_are_not_items()
    {
        const string Text = """
            # T

            ## Checks
            ```
            □ Swarm initialised
            ☐ Secrets deployed
            echo "not an item"
            Release Manager: __________ Date: ______
            ```
            - Just a note, not a box
            - [ ] Same text
            - [ ] Same text
            - Security Officer: ________

            **QA Sign-Off**: _____________ Date: ______
            Product Owner: ________ Date: _____

            | Role | Contact |
            |------|---------|
            | Lead | [contact] |
            """;
        var items = ChecklistReader.Parse(Text, "t.md").Items;

        Assert.Equal(new[]
        {
            (ChecklistItemKind.CodeBlockBox, "Swarm initialised", 5),
            (ChecklistItemKind.CodeBlockBox, "Secrets deployed", 6),
            (ChecklistItemKind.SignOff, "Release Manager: ____ Date: ____", 8),
            (ChecklistItemKind.Box, "Same text", 11),
            (ChecklistItemKind.Box, "Same text", 12),
            (ChecklistItemKind.SignOff, "Security Officer: ____", 13),
            (ChecklistItemKind.SignOff, "QA Sign-Off: ____ Date: ____", 15),
            (ChecklistItemKind.SignOff, "Product Owner: ____ Date: ____", 16),
        }, items.Select(i => (i.Kind, i.Text, i.Line)));
        Assert.Equal(new[] { "t/checks/same-text", "t/checks/same-text-2" }, items.Where(i => i.Text == "Same text").Select(i => i.Id));
        Assert.Equal(new[] { "Release Manager", "Security Officer", "QA Sign-Off", "Product Owner" }, items.Where(i => i.Role is not null).Select(i => i.Role));
    }

    [Fact]
    public async Task A_missing_file_is_a_typed_error_naming_it()
    {
        var error = await Assert.ThrowsAsync<ReleaseOpsException>(() => ChecklistReader.ReadAsync("/nonexistent/team.md"));
        Assert.Equal(("ChecklistNotFound", FailureKind.NotFound), (error.ErrorId, error.Kind));
        Assert.Contains("/nonexistent/team.md", error.Message);
    }

    [Fact]
    public void Empty_and_odd_input_imports_without_items_and_without_exceptions()
    {
        Assert.Empty(ChecklistReader.Parse("", "empty.md").Items);
        Assert.Empty(ChecklistReader.Parse("\0\u0001binary\u00ff", "odd.md").Items);
        Assert.Empty(ChecklistReader.Parse("- [ ]\n1.\n```\n□\n```", "blank.md").Items);
    }
}
