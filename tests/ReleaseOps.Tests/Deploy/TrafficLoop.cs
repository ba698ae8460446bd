using System.Collections.Concurrent;

namespace ReleaseOps.Tests.Deploy;

/// <summary>
/// A client loop against a service's nginx while something happens to it: a few workers GET the URL back to back
/// over kept-alive connections (as browsers and service clients do) and count every request that did not answer
/// 2xx, with what went wrong. Dispose (or <see cref="StopAsync"/>) ends it.
/// </summary>
internal sealed class TrafficLoop : IAsyncDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly ConcurrentDictionary<string, int> _answers = new();
    private long _requests;

    public TrafficLoop(string url, int workers = 2)
    {
        _workers = Enumerable.Range(0, workers).Select(_ => Task.Run(() => RunAsync(url))).ToArray();
    }

    public long Requests => Interlocked.Read(ref _requests);

    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>How often each body (trimmed) was answered, e.g. v1 and v2.</summary>
    public IReadOnlyDictionary<string, int> Answers => _answers;

    /// <summary>Waits until the loop has made at least <paramref name="count"/> more requests.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        var target = Requests + count;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Requests < target && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_workers);
    }

    private async Task RunAsync(string url)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await _http.GetAsync(url, _stop.Token);
                var body = (await response.Content.ReadAsStringAsync(_stop.Token)).Trim();
                if (!response.IsSuccessStatusCode) _failures.Enqueue($"HTTP {(int)response.StatusCode}: {body}");
                else _answers.AddOrUpdate(body, 1, (_, n) => n + 1);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                _failures.Enqueue($"{ex.GetType().Name}: {ex.Message}{(ex.InnerException is null ? "" : " <- " + ex.InnerException.Message)}");
            }
            Interlocked.Increment(ref _requests);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _http.Dispose();
        _stop.Dispose();
    }
}
