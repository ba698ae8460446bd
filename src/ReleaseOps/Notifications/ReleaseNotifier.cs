using ReleaseOps.Text;
using System.Diagnostics;
using System.Net;
using System.Text;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using ReleaseOps.Errors;
using ReleaseOps.Operations;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Notifications;

/// <summary>Where deliveries are recorded (the release journal, through the standard wiring).</summary>
public interface INotificationLog
{
    Task RecordAsync(NotificationDelivery delivery, CancellationToken cancellation);
}

/// <summary>
/// Sends a plan's webhooks (<c>notifications:</c>) for a release event: every channel whose
/// <c>on:</c> names the event, in parallel, each with a per-attempt timeout and retries with
/// exponential backoff (Polly; the waits run on the given <see cref="TimeProvider"/>). Failures
/// never escape: each delivery, sent or not, is recorded in the log and returned. URLs are shown
/// masked (scheme, host and port) and every error text is cleared of the URL's secrets.
/// </summary>
public sealed class ReleaseNotifier : IDisposable
{
    /// <summary>The first wait between attempts; each further wait doubles it.</summary>
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    private readonly HttpClient _client;
    private readonly TimeProvider _clock;
    private readonly INotificationLog? _log;

    public ReleaseNotifier(INotificationLog? log = null, TimeProvider? clock = null, HttpMessageHandler? handler = null)
    {
        _log = log;
        _clock = clock ?? TimeProvider.System;
        _client = new HttpClient(handler ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }, disposeHandler: handler is null)
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd("ReleaseOps/1");
    }

    /// <summary>Sends <paramref name="notice"/> to every channel of <paramref name="plan"/> that listens for its event.</summary>
    public async Task<IReadOnlyList<NotificationDelivery>> NotifyAsync(ReleasePlan plan, ReleaseNotice notice, IOperationReporter reporter,
        CancellationToken cancellation)
    {
        var channels = plan.Notifications.Where(n => n.On.Contains(notice.EventName, StringComparer.OrdinalIgnoreCase)).ToArray();
        var deliveries = await Task.WhenAll(channels.Select(c => SendAsync(c, plan.Secrets, notice, cancellation))).ConfigureAwait(false);
        foreach (var delivery in deliveries)
        {
            if (delivery.Delivered)
            {
                reporter.Verbose(delivery.ToString());
            }
            else
            {
                reporter.Warning($"Notification not delivered (the release goes on): {delivery}");
            }
            if (_log is not null)
            {
                try
                {
                    await _log.RecordAsync(delivery, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Whatever keeps the journal from recording it (a lost database connection...) is a warning too.
                    reporter.Warning($"The notification to {delivery.Channel} could not be journaled: {ex.Message}");
                }
            }
        }
        return deliveries;
    }

    /// <summary>One channel, one notice: never throws; the delivery says what happened.</summary>
    public async Task<NotificationDelivery> SendAsync(NotificationDefinition channel, SecretCatalog secrets, ReleaseNotice notice,
        CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        var redactor = new SecretRedactor();
        var delays = new List<TimeSpan>();
        var attempts = 0;
        var masked = UrlMask.Mask(channel.Url);
        NotificationDelivery Result(bool delivered, int? status, string? error) => new()
        {
            Channel = channel.Name,
            Event = notice.EventName,
            Format = channel.Format.ToString().ToLowerInvariant(),
            Url = masked,
            Delivered = delivered,
            Attempts = attempts,
            StatusCode = status,
            Error = error is null ? null : redactor.Redact(error),
            RetryDelays = delays.ToArray(),
            Application = notice.Application,
            Environment = notice.Environment,
            Version = notice.Version,
            ReleaseId = notice.ReleaseId,
            At = _clock.GetUtcNow(),
            Duration = clock.Elapsed,
        };
        try
        {
            var url = secrets.Expand(channel.Url)!;
            redactor.Add(url);
            masked = UrlMask.Mask(url.Reveal());
            var uri = new Uri(url.Reveal(), UriKind.Absolute);
            foreach (var segment in uri.Segments.Concat(new[] { uri.Query.TrimStart('?') }))
            {
                redactor.Add(new SecretValue(segment.Trim('/')));
            }
            var headers = channel.Headers.ToDictionary(h => h.Key, h => secrets.Expand(h.Value)!);
            foreach (var value in headers.Values) redactor.Add(value);
            var body = NotificationPayloads.For(channel.Format, notice);

            var response = await Pipeline(channel, delays).ExecuteAsync(async token =>
            {
                Interlocked.Increment(ref attempts);
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                foreach (var (name, value) in headers)
                {
                    request.Headers.TryAddWithoutValidation(name, value.Reveal());
                }
                return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            }, cancellation).ConfigureAwait(false);
            using (response)
            {
                var status = (int)response.StatusCode;
                return response.IsSuccessStatusCode
                    ? Result(true, status, null)
                    : Result(false, status, $"HTTP {status} {response.ReasonPhrase}".TrimEnd());
            }
        }
        catch (TimeoutRejectedException)
        {
            return Result(false, null, $"no answer within {DurationText.Format(channel.Timeout)} (attempt {attempts})");
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Result(false, null, "cancelled");
        }
        catch (Exception ex) when (ex is HttpRequestException or ReleaseOpsException or UriFormatException or IOException or InvalidOperationException)
        {
            return Result(false, null, ex is ReleaseOpsException roe ? $"{roe.ErrorId}: {roe.Message}" : ex.Message);
        }
    }

    private ResiliencePipeline<HttpResponseMessage> Pipeline(NotificationDefinition channel, List<TimeSpan> delays)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = _clock };
        if (channel.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = channel.Retries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = FirstRetryDelay,
                UseJitter = false,
                ShouldHandle = new PredicateBuilder<HttpResponseMessage>()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .HandleResult(r => (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout),
                OnRetry = args =>
                {
                    lock (delays) delays.Add(args.RetryDelay);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        return builder.AddTimeout(channel.Timeout).Build();
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>Shows a URL without what may be a secret: scheme, host and port stay; user, path and query become <c>********</c>.</summary>
public static class UrlMask
{
    public static string Mask(string url)
    {
        if (SecretCatalog.HasReference(url) && !url.Contains("://", StringComparison.Ordinal))
        {
            return url; // a ${secret:NAME} reference is not the secret
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
        {
            return SecretValue.Mask;
        }
        var start = $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? "" : ":" + uri.Port)}";
        return uri.AbsolutePath.Length > 1 || uri.Query.Length > 0 ? start + "/" + SecretValue.Mask : start + "/";
    }
}
