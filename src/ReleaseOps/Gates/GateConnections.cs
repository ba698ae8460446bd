using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ReleaseOps.Infrastructure.Http;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Infrastructure.Tls;

namespace ReleaseOps.Gates;

/// <summary>
/// What the gates of one run share instead of each opening its own: one Redis session per distinct
/// connection (endpoint, credentials, database, TLS and timeouts alike), the answer to "does this
/// server take commands without a password?" per server, one HTTP connection pool per distinct
/// redirect/TLS setting (http, security-headers, cors, prometheus and alertmanager gates), and each
/// <c>ca_file</c> read once. A run of many gates against the same Redis
/// connected twice per gate before (a library multiplexer each, and one more unauthenticated), which
/// made the Redis gates the largest cost of a 1,000-gate run. A failed connect is not kept: the next
/// gate tries again. Everything is closed when the run ends.
/// </summary>
internal sealed class GateConnections : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<RedisSession>>> _redis = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<bool>>> _answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<X509Certificate2Collection>> _authorities = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(bool FollowRedirects, bool Insecure, X509Certificate2Collection? Authorities), Lazy<HttpProbeClient>> _http = new();
    private readonly CancellationToken _run;

    /// <param name="run">The run's token: a shared connect is not tied to the gate that happened to start it.</param>
    public GateConnections(CancellationToken run)
    {
        _run = run;
    }

    /// <summary>The run's session for these options (connected on first use; never disposed by a gate).</summary>
    public Task<RedisSession> RedisAsync(RedisConnectionOptions options, CancellationToken cancellation) =>
        SharedAsync(_redis, Key(options), () => RedisSession.ConnectAsync(options, _run), cancellation);

    /// <summary>A yes/no question about a server asked once per run (<paramref name="question"/> names it).</summary>
    public Task<bool> OnceAsync(string question, RedisConnectionOptions options, Func<CancellationToken, Task<bool>> ask,
        CancellationToken cancellation) =>
        SharedAsync(_answers, question + "|" + Key(options), () => ask(_run), cancellation);

    /// <summary>The CA certificates of a <c>ca_file</c>, read once per run (a file that cannot be read is tried again by the next gate).</summary>
    public X509Certificate2Collection Authorities(string path)
    {
        var entry = _authorities.GetOrAdd(path, p => new Lazy<X509Certificate2Collection>(() => CertificateTrust.LoadAuthorities(p)));
        try
        {
            return entry.Value;
        }
        catch
        {
            _authorities.TryRemove(new KeyValuePair<string, Lazy<X509Certificate2Collection>>(path, entry));
            throw;
        }
    }

    /// <summary>
    /// The run's HTTP client for these options: one connection pool (kept-alive connections) per distinct
    /// redirect and TLS setting, so gates against the same server reuse connections instead of each opening,
    /// handshaking and closing its own. A pinned CA is one pool per <c>ca_file</c> (the collections come from
    /// <see cref="Authorities"/>, one object per file). Timeouts stay per request; never disposed by a gate.
    /// </summary>
    public HttpProbeClient Http(HttpProbeOptions options) =>
        _http.GetOrAdd((options.FollowRedirects, options.Insecure, options.Authorities),
            _ => new Lazy<HttpProbeClient>(() => new HttpProbeClient(options with { KeepAlive = true }))).Value;

    private static async Task<T> SharedAsync<T>(ConcurrentDictionary<string, Lazy<Task<T>>> cache, string key, Func<Task<T>> create,
        CancellationToken cancellation)
    {
        var entry = cache.GetOrAdd(key, _ => new Lazy<Task<T>>(create, LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return await entry.Value.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch when (entry.Value.IsFaulted || entry.Value.IsCanceled)
        {
            cache.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, entry));
            throw;
        }
    }

    /// <summary>Every option that changes the connection; the password only as a hash, never as text.</summary>
    internal static string Key(RedisConnectionOptions o)
    {
        var password = o.Password is null
            ? "-"
            : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(o.Password.Reveal())));
        return string.Join('\u001f', o.Host, o.Port, string.Join(',', o.MoreEndpoints), o.ServiceName, o.User, password, o.Database,
            o.UseTls, o.TlsServerName, o.TlsCaCertificateFile, o.ConnectTimeout.Ticks, o.CommandTimeout.Ticks, o.ClientName);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var entry in _redis.Values.Where(e => e.IsValueCreated))
        {
            try
            {
                await (await entry.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // A connect that failed has nothing to close; its gate reported the failure.
            }
        }
        foreach (var client in _http.Values.Where(e => e.IsValueCreated))
        {
            client.Value.Dispose();
        }
        foreach (var authorities in _authorities.Values.Where(e => e.IsValueCreated))
        {
            try
            {
                foreach (var certificate in authorities.Value)
                {
                    certificate.Dispose();
                }
            }
            catch (Exception)
            {
                // A file that could not be read left nothing to close.
            }
        }
        _redis.Clear();
        _answers.Clear();
        _http.Clear();
        _authorities.Clear();
    }
}
