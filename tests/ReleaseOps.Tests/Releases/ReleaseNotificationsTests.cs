using System.Text.Json;
using ReleaseOps.Checklists;
using ReleaseOps.Deploy;
using ReleaseOps.Health;
using ReleaseOps.Journal;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Releases;
using ReleaseOps.Tests.Journal;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Releases;

/// <summary>The standard wiring's webhooks: what each release event says, and that every delivery lands in the journal.</summary>
public sealed class ReleaseNotificationsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-notify-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ReleasePlan Plan(WebhookReceiver receiver) => new()
    {
        Application = "shop",
        Environment = "production",
        Version = "2.4.0",
        Journal = new JournalDefinition { Path = Path.Combine(_dir, "journal") },
        Notifications = new[]
        {
            new NotificationDefinition
            {
                Name = "ops", Url = receiver.Url("/ops"), On = new[] { "rolled-back", "watch-breached", "failed" }, Retries = 0,
            },
        },
    };

    private static ReleaseRecord Record(ReleaseKind kind, string version, string? previous) => new()
    {
        Id = "20261130T120000000-" + kind.ToString().ToLowerInvariant()[..6], Application = "shop", Environment = "production", Kind = kind,
        Version = version, PreviousVersion = previous, StartedBy = "dana", Host = "build-1", StartedAt = DateTimeOffset.UtcNow,
        Steps = new[] { new JournalStep(4, "verify", "web", StepStatus.Failed, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "probe 'health': status 503") },
    };

    private static JsonElement Body(ReceivedWebhook webhook) => JsonDocument.Parse(webhook.Body).RootElement;

    [Fact]
    public async Task Rolled_back_releases_and_rollbacks_are_told_in_words_and_journaled()
    {
        await using var receiver = new WebhookReceiver();
        var plan = Plan(receiver);
        var notifications = new ReleaseNotifications();

        await notifications.PublishAsync(new ReleaseEvent(ReleaseEventKind.RolledBack, plan, Record(ReleaseKind.Deployment, "2.4.0", "2.3.9"),
            "StepFailed: probe 'health': status 503"), SilentReporter.Instance, default);
        await notifications.PublishAsync(new ReleaseEvent(ReleaseEventKind.RolledBack, plan, Record(ReleaseKind.Rollback, "2.3.9", "2.4.0"), null),
            SilentReporter.Instance, default);
        await notifications.PublishAsync(new ReleaseEvent(ReleaseEventKind.Succeeded, plan, Record(ReleaseKind.Deployment, "2.4.1", "2.3.9"), null),
            SilentReporter.Instance, default);

        Assert.Equal(2, receiver.Received.Count);
        var release = Body(receiver.Received[0]);
        Assert.Equal("rolled-back", release.GetProperty("event").GetString());
        Assert.Equal("The release of shop/production 2.4.0 was rolled back to 2.3.9: StepFailed: probe 'health': status 503",
            release.GetProperty("summary").GetString());
        Assert.Equal("step verify [web] failed: probe 'health': status 503", release.GetProperty("details")[0].GetString());
        Assert.StartsWith("shop/production was rolled back from 2.4.0 to 2.3.9", Body(receiver.Received[1]).GetProperty("summary").GetString());

        var logged = await JournalNotificationLog.ListAsync(ReleaseJournalFactory.Open(plan), "shop", "production", default);
        Assert.Equal(new[] { "rolled-back", "rolled-back" }, logged.Select(d => d.Event));
        Assert.All(logged, d => Assert.True(d.Delivered));
    }

    [Fact]
    public async Task A_watch_breach_is_told_at_once_through_the_observer()
    {
        await using var receiver = new WebhookReceiver();
        var plan = Plan(receiver);
        var observer = StandardRelease.BreachObserverFor(plan, "2.4.0", SilentReporter.Instance);
        var criterion = new CriterionResult { Name = "errors", Expect = "error_rate < 5%", State = CriterionState.Breached, Observed = 12.5 };

        await observer.BreachedAsync(criterion, "Criterion 'errors' breached: error_rate 12.5% (window 5m).", default);

        var body = Body(Assert.Single(receiver.Received));
        Assert.Equal("watch-breached", body.GetProperty("event").GetString());
        Assert.Equal("The health watch of shop/production 2.4.0 breached: Criterion 'errors' breached: error_rate 12.5% (window 5m).",
            body.GetProperty("summary").GetString());
        Assert.Equal("errors: Breached (error_rate < 5%; observed 12.5)", body.GetProperty("details")[0].GetString());
    }

    [Fact]
    public async Task A_webhook_that_fails_is_journaled_and_the_release_event_still_returns()
    {
        await using var receiver = new WebhookReceiver(500);
        var plan = Plan(receiver);
        var reporter = new Gates.CollectingReporter();

        await new ReleaseNotifications().PublishAsync(new ReleaseEvent(ReleaseEventKind.Failed, plan, Record(ReleaseKind.Deployment, "2.4.0", "2.3.9"),
            "ReleaseGateFailed: gates:pre-deploy: 1 blocking gate(s)"), reporter, default);

        var delivery = Assert.Single(await JournalNotificationLog.ListAsync(ReleaseJournalFactory.Open(plan), "shop", "production", default));
        Assert.Equal((false, 500, "HTTP 500 Internal Server Error"), (delivery.Delivered, delivery.StatusCode, delivery.Error));
        Assert.Contains(reporter.Lines, l => l.StartsWith("warning: Notification not delivered (the release goes on)", StringComparison.Ordinal));
    }
}

/// <summary>Attestations kept in the journal's chain, in PostgreSQL as in files.</summary>
public sealed class JournalAttestationStoreTests(PostgresJournalFixture postgres) : IClassFixture<PostgresJournalFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-attest-store-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Attestations_are_chain_entries_in_both_stores_and_read_back_as_written()
    {
        var sample = Records.ReleaseArchiveWriterTests.Sample().Checklist.Single(i => i.Attestations.Count > 0).Attestations[0].Attestation;
        foreach (var journal in new IReleaseJournal[] { new FileReleaseJournal(_dir), postgres.Journal })
        {
            var store = new JournalAttestationStore(journal);
            var application = "ro-attest-" + Guid.NewGuid().ToString("N")[..6];
            var mine = sample with { Application = application };
            await store.SaveAsync(mine, default);
            await store.SaveAsync(mine with { Id = "att-second", Version = "2.5.0" }, default);

            var read = await store.ListAsync(application, "production", default);
            Assert.Equal(new[] { mine.Id, "att-second" }, read.Select(a => a.Id));
            Assert.Equal(mine.Signer, read[0].Signer);
            Assert.Equal(mine.Statement, read[0].Statement);
            Assert.Equal(mine.AttestedAt, read[0].AttestedAt);
            var entries = JournalChain.ReadAll(await journal.ReadChainAsync(application, "production", default));
            Assert.Equal(new[] { JournalEntryKinds.Attestation, JournalEntryKinds.Attestation }, entries.Select(e => e.Kind));
            Assert.True((await JournalVerifier.VerifyAsync(journal, application, "production")).IsIntact);
        }
    }
}
