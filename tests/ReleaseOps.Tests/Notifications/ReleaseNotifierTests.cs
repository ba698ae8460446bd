using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using ReleaseOps.Notifications;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Tests.Support;
using Xunit;

namespace ReleaseOps.Tests.Notifications;

/// <summary>Webhooks against a local receiver; retry waits and timeouts run on a fake clock, so no test sleeps through them.</summary>
public sealed class ReleaseNotifierTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static ReleaseNotice Notice(NotificationEvent e = NotificationEvent.Failed) => new()
    {
        Event = e,
        Application = "shop",
        Environment = "production",
        Version = "2.4.0",
        ReleaseId = "20261130T101010000-abc",
        Summary = "The release of shop/production 2.4.0 failed: probe 'health' answered 503",
        Details = new[] { "step verify [web] failed: probe 'health': status 503" },
        At = new DateTimeOffset(2026, 11, 30, 10, 10, 10, TimeSpan.Zero),
    };

    private static ReleasePlan Plan(params NotificationDefinition[] channels) => new()
    {
        Application = "shop",
        Environment = "production",
        Notifications = channels,
    };

    private static NotificationDefinition Channel(string url, NotificationFormat format = NotificationFormat.Json, int retries = 3,
        TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? headers = null) => new()
    {
        Name = "ops-" + format.ToString().ToLowerInvariant(),
        Url = url,
        Format = format,
        Retries = retries,
        Timeout = timeout ?? TimeSpan.FromSeconds(5),
        On = new[] { "failed", "started" },
        Headers = headers ?? new Dictionary<string, string>(),
    };

    /// <summary>Advances the fake clock a little at a time until the receiver has <paramref name="count"/> requests (the client must first reach its wait).</summary>
    private static async Task AdvanceUntilAsync(FakeTimeProvider clock, WebhookReceiver receiver, int count, TimeSpan step)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (receiver.Received.Count < count && DateTime.UtcNow < deadline)
        {
            clock.Advance(step);
            await receiver.WaitForAsync(count, TimeSpan.FromMilliseconds(20));
        }
        Assert.True(receiver.Received.Count >= count, $"the receiver got {receiver.Received.Count} of {count} requests");
    }

    [Fact]
    public async Task A_json_notification_is_delivered_once_and_logged()
    {
        await using var receiver = new WebhookReceiver();
        var log = new MemoryLog();
        using var notifier = new ReleaseNotifier(log);

        var deliveries = await notifier.NotifyAsync(Plan(Channel(receiver.Url("/hooks/ops"))), Notice(), SilentReporter.Instance, default);

        var delivery = Assert.Single(deliveries);
        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal((1, 200, "failed", $"http://127.0.0.1:{receiver.Port}/********"), (delivery.Attempts, delivery.StatusCode, delivery.Event, delivery.Url));
        var received = Assert.Single(receiver.Received);
        Assert.Equal(("POST", "/hooks/ops"), (received.Method, received.PathAndQuery));
        Assert.StartsWith("application/json", received.Headers["Content-Type"]);
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal("failed", body.RootElement.GetProperty("event").GetString());
        Assert.Equal("2.4.0", body.RootElement.GetProperty("version").GetString());
        Assert.Equal("releaseops", body.RootElement.GetProperty("source").GetString());
        Assert.Equal("step verify [web] failed: probe 'health': status 503", body.RootElement.GetProperty("details")[0].GetString());
        Assert.Same(delivery, Assert.Single(log.Deliveries));
    }

    [Fact]
    public async Task Channels_are_told_only_about_the_events_they_listen_for()
    {
        await using var receiver = new WebhookReceiver();
        using var notifier = new ReleaseNotifier();
        var deliveries = await notifier.NotifyAsync(Plan(Channel(receiver.Url("/x"))), Notice(NotificationEvent.Succeeded), SilentReporter.Instance, default);
        Assert.Empty(deliveries);
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_exponential_backoff_on_the_given_clock()
    {
        await using var receiver = new WebhookReceiver(503, 502, 200);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var notifier = new ReleaseNotifier(clock: clock);

        var sending = notifier.SendAsync(Channel(receiver.Url("/retry")), SecretCatalog.Empty, Notice(), default);
        Assert.True(await receiver.WaitForAsync(1, Patience));
        await AdvanceUntilAsync(clock, receiver, 2, TimeSpan.FromMilliseconds(250));
        await AdvanceUntilAsync(clock, receiver, 3, TimeSpan.FromMilliseconds(250));
        var delivery = await sending;

        Assert.True(delivery.Delivered, delivery.Error);
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) }, delivery.RetryDelays);
    }

    [Fact]
    public async Task A_webhook_that_never_answers_times_out_each_attempt_and_is_given_up_without_an_exception()
    {
        await using var receiver = new WebhookReceiver(WebhookReceiver.Hang, WebhookReceiver.Hang);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var notifier = new ReleaseNotifier(clock: clock);

        var sending = notifier.SendAsync(Channel(receiver.Url("/slow"), retries: 1, timeout: TimeSpan.FromSeconds(3)), SecretCatalog.Empty, Notice(), default);
        Assert.True(await receiver.WaitForAsync(1, Patience));
        await AdvanceUntilAsync(clock, receiver, 2, TimeSpan.FromMilliseconds(500));
        var deadline = DateTime.UtcNow + Patience;
        while (!sending.IsCompleted && DateTime.UtcNow < deadline)
        {
            clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(sending, Task.Delay(20));
        }
        var delivery = await sending;

        Assert.False(delivery.Delivered);
        Assert.Equal(2, delivery.Attempts);
        Assert.Equal("no answer within 3s (attempt 2)", delivery.Error);
        Assert.Equal(new[] { TimeSpan.FromSeconds(1) }, delivery.RetryDelays);
    }

    [Fact]
    public async Task Client_errors_are_not_retried_and_an_unreachable_webhook_is_a_delivery_failure_not_an_exception()
    {
        await using var receiver = new WebhookReceiver(404);
        using var notifier = new ReleaseNotifier();
        var notFound = await notifier.SendAsync(Channel(receiver.Url("/gone")), SecretCatalog.Empty, Notice(), default);
        Assert.Equal((false, 1, 404, "HTTP 404 Not Found"), (notFound.Delivered, notFound.Attempts, notFound.StatusCode, notFound.Error));

        var closed = await notifier.SendAsync(Channel("http://127.0.0.1:1/nothing", retries: 0), SecretCatalog.Empty, Notice(), default);
        Assert.False(closed.Delivered);
        Assert.Equal(1, closed.Attempts);
        Assert.Contains("refused", closed.Error, StringComparison.OrdinalIgnoreCase);

        var missing = await notifier.SendAsync(Channel("${secret:hook}"), SecretCatalog.Empty.With(new EnvironmentSecretSource("hook", "RO_TEST_UNSET_HOOK")),
            Notice(), default);
        Assert.Equal((false, 0), (missing.Delivered, missing.Attempts));
        Assert.StartsWith("SecretNotFound: ", missing.Error);
    }

    [Fact]
    public async Task Slack_and_teams_receive_their_own_message_formats()
    {
        await using var receiver = new WebhookReceiver();
        using var notifier = new ReleaseNotifier();
        var plan = Plan(Channel(receiver.Url("/slack"), NotificationFormat.Slack), Channel(receiver.Url("/teams"), NotificationFormat.Teams));

        var deliveries = await notifier.NotifyAsync(plan, Notice(), SilentReporter.Instance, default);

        Assert.All(deliveries, d => Assert.True(d.Delivered, d.Error));
        using var slack = JsonDocument.Parse(receiver.Received.Single(r => r.PathAndQuery == "/slack").Body);
        Assert.StartsWith("shop/production 2.4.0 release failed: ", slack.RootElement.GetProperty("text").GetString());
        var blocks = slack.RootElement.GetProperty("blocks").EnumerateArray().ToArray();
        Assert.Equal(new[] { "header", "section", "section", "context" }, blocks.Select(b => b.GetProperty("type").GetString()));
        Assert.Equal("plain_text", blocks[0].GetProperty("text").GetProperty("type").GetString());
        Assert.Equal("mrkdwn", blocks[1].GetProperty("text").GetProperty("type").GetString());

        using var teams = JsonDocument.Parse(receiver.Received.Single(r => r.PathAndQuery == "/teams").Body);
        Assert.Equal("message", teams.RootElement.GetProperty("type").GetString());
        var attachment = teams.RootElement.GetProperty("attachments")[0];
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal(("AdaptiveCard", "1.4"), (card.GetProperty("type").GetString(), card.GetProperty("version").GetString()));
        Assert.Contains(card.GetProperty("body").EnumerateArray(), b => b.GetProperty("type").GetString() == "FactSet");
    }

    [Fact]
    public async Task Secrets_in_the_url_and_headers_reach_the_webhook_and_nothing_else()
    {
        var canary = CanarySecret.New();
        var header = CanarySecret.New();
        Environment.SetEnvironmentVariable("RO_TEST_HOOK_TOKEN", canary);
        Environment.SetEnvironmentVariable("RO_TEST_HOOK_HEADER", header);
        try
        {
            await using var receiver = new WebhookReceiver(500);
            var log = new MemoryLog();
            var reporter = new ReleaseOps.Tests.Gates.CollectingReporter();
            using var notifier = new ReleaseNotifier(log);
            var secrets = SecretCatalog.Empty.With(new EnvironmentSecretSource("token", "RO_TEST_HOOK_TOKEN"))
                .With(new EnvironmentSecretSource("header", "RO_TEST_HOOK_HEADER"));
            var plan = Plan(Channel(receiver.Url("/services/${secret:token}?key=${secret:token}"), retries: 0,
                headers: new Dictionary<string, string> { ["Authorization"] = "Bearer ${secret:header}" })) with { Secrets = secrets };

            var delivery = Assert.Single(await notifier.NotifyAsync(plan, Notice(), reporter, default));

            var received = Assert.Single(receiver.Received);
            Assert.Equal($"/services/{canary}?key={canary}", received.PathAndQuery);
            Assert.Equal($"Bearer {header}", received.Headers["Authorization"]);
            Assert.Equal("HTTP 500 Internal Server Error", delivery.Error);
            var outputs = new[] { delivery.ToString(), delivery.Url, delivery.Error, JsonSerializer.Serialize(log.Deliveries) }.Concat(reporter.Lines).ToArray();
            CanarySecret.AssertAbsent(canary, outputs, "the notification's delivery, log and messages");
            CanarySecret.AssertAbsent(header, outputs, "the notification's delivery, log and messages");
            Assert.Contains(reporter.Lines, m => m.StartsWith("warning: Notification not delivered (the release goes on): failed -> ops-json", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable("RO_TEST_HOOK_TOKEN", null);
            Environment.SetEnvironmentVariable("RO_TEST_HOOK_HEADER", null);
        }
    }

    [Theory]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/********")]
    [InlineData("https://user:pw@example.com:8443/", "https://example.com:8443/")]
    [InlineData("https://example.com/?token=abc", "https://example.com/********")]
    [InlineData("${secret:slack}", "${secret:slack}")]
    [InlineData("not a url", "********")]
    public void Urls_are_shown_without_what_may_be_a_token(string url, string shown) => Assert.Equal(shown, UrlMask.Mask(url));

    private sealed class MemoryLog : INotificationLog
    {
        public List<NotificationDelivery> Deliveries { get; } = new();

        public Task RecordAsync(NotificationDelivery delivery, CancellationToken cancellation)
        {
            lock (Deliveries) Deliveries.Add(delivery);
            return Task.CompletedTask;
        }
    }
}
