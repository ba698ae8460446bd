using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Tls;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Infrastructure.Http;

/// <summary>How an <see cref="HttpProbeClient"/> connects.</summary>
public sealed record HttpProbeOptions
{
    public bool FollowRedirects { get; init; }

    /// <summary>Accept any server certificate (test endpoints); its errors are still reported.</summary>
    public bool Insecure { get; init; }

    /// <summary>Trust only these CAs for server certificates (a gate's <c>ca_file</c>); null for the system store.</summary>
    public X509Certificate2Collection? Authorities { get; init; }

    /// <summary>
    /// Keep connections open between requests (probes sampled again and again, the gates of one run).
    /// Off, every request opens its own connection. Either way every response over TLS reports the
    /// certificate of the connection that carried it. Connecting counts against the request's timeout.
    /// </summary>
    public bool KeepAlive { get; init; } = true;
}

/// <summary>One probe request. Header values and the body may hold secrets; they are revealed only into the request.</summary>
public sealed record HttpProbeRequest
{
    public required Uri Url { get; init; }
    public string Method { get; init; } = "GET";
    public IReadOnlyDictionary<string, SecretValue> Headers { get; init; } = new Dictionary<string, SecretValue>();
    public SecretValue? Body { get; init; }
    /// <summary>The body's media type; default <c>text/plain</c>.</summary>
    public string? ContentType { get; init; }
    /// <summary>For the whole exchange: connecting, the answer and its body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Secrets to keep out of errors besides the header values and the body (for example each secret a URL holds).</summary>
    public SecretRedactor? Redactor { get; init; }
}

/// <summary>
/// What came back: the status, the time the whole answer took, headers (case-insensitive, repeated
/// values joined), the body as text (at most <see cref="HttpProbeClient.MaxBodyBytes"/>), and the
/// server certificate of the TLS connection that carried the answer (a new one or a kept-alive one).
/// </summary>
public sealed record HttpProbeResponse(
    Uri RequestUri,
    Uri FinalUri,
    int Status,
    TimeSpan Elapsed,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    long BodyBytes,
    bool BodyTruncated,
    X509Certificate2? Certificate,
    SslPolicyErrors CertificateErrors)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A probe that could not get an answer. The message and fix say what to do; <see cref="Reason"/>
/// is the few words a health sample or a deployment step shows ("connection refused").
/// </summary>
public sealed class HttpProbeException : ReleaseOpsException
{
    public HttpProbeException(string errorId, FailureKind kind, string reason, string message, string target, string fix,
        Exception? inner = null)
        : base(errorId, kind, message, target, fix, inner)
    {
        Reason = reason;
    }

    public string Reason { get; }
}

/// <summary>
/// The engine's one HTTP probe, used by gates, deployment probes and smoke checks, and health
/// watches: sends a request within its timeout, reads at most <see cref="MaxBodyBytes"/> of the
/// body, and turns every transport failure into an <see cref="HttpProbeException"/> (ids
/// <c>HttpTimeout</c>, <c>HttpDnsFailure</c>, <c>HttpUnreachable</c>, <c>HttpTlsHandshakeFailed</c>,
/// <c>HttpProtocolError</c>, <c>HttpRequestFailed</c>) whose text never holds the request's secrets.
/// Thread-safe; dispose it to close its connections.
/// </summary>
public sealed class HttpProbeClient : IDisposable
{
    /// <summary>The most of a body any probe reads; a longer body is cut and flagged.</summary>
    public const int MaxBodyBytes = 4 << 20;

    private readonly HttpClient _client;
    private readonly bool _keepAlive;

    /// <summary>The request being sent in this flow: where its connection's certificate goes.</summary>
    private static readonly AsyncLocal<Exchange?> Current = new();

    /// <summary>What the TLS handshake of each connection saw, until the connection is wrapped (<see cref="TlsConnection"/>).</summary>
    private readonly ConditionalWeakTable<SslStream, Handshake> _handshakes = new();

    public HttpProbeClient(HttpProbeOptions? options = null)
    {
        options ??= new HttpProbeOptions();
        var insecure = options.Insecure;
        var authorities = options.Authorities;
        _keepAlive = options.KeepAlive;
        var ssl = new SslClientAuthenticationOptions
        {
            // The sender is the connection's SslStream: what it saw is kept with the connection, so every
            // response it carries (the first and each kept-alive one after it) reports the certificate.
            RemoteCertificateValidationCallback = (sender, certificate, _, errors) =>
            {
                // With pinned CAs the handshake already judged the chain by them (CertificateChainPolicy below).
                var seen = new Handshake(certificate is null ? null : new X509Certificate2(certificate), errors);
                if (sender is SslStream stream)
                {
                    _handshakes.AddOrUpdate(stream, seen);
                }
                // A refused handshake fails the request that is waiting for this connection: its error says why.
                Current.Value?.Saw(seen);
                return insecure || errors == SslPolicyErrors.None;
            },
        };
        if (authorities is not null)
        {
            // The handshake builds the chain against the pinned CAs only (one chain build, not a system one and a pinned one).
            ssl.CertificateChainPolicy = CertificateTrust.PinnedPolicy(authorities);
        }
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = options.FollowRedirects,
            AutomaticDecompression = DecompressionMethods.All,
            UseCookies = false,
            SslOptions = ssl,
            // After the handshake: the connection's plaintext stream is wrapped with what the handshake saw.
            PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(
                context.PlaintextStream is SslStream tls && _handshakes.TryGetValue(tls, out var seen)
                    ? new TlsConnection(tls, seen)
                    : context.PlaintextStream),
        };
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public async Task<HttpProbeResponse> SendAsync(HttpProbeRequest request, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(request);
        var own = SecretRedactor.For([.. request.Headers.Values, request.Body]);
        string Redact(string text) => own.Redact(request.Redactor?.Redact(text) ?? text);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url);
        message.Headers.ConnectionClose = !_keepAlive;
        foreach (var (name, value) in request.Headers)
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value.Reveal());
        }
        if (request.Body is not null)
        {
            message.Content = new StringContent(request.Body.Reveal(), Encoding.UTF8);
            message.Content.Headers.ContentType = new MediaTypeHeaderValue(request.ContentType ?? "text/plain") { CharSet = "utf-8" };
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(request.Timeout);
        var clock = Stopwatch.StartNew();
        var exchange = new Exchange();
        Current.Value = exchange;
        try
        {
            using var response = await _client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            var (body, bytes, truncated) = await ReadBodyAsync(response.Content, limit.Token).ConfigureAwait(false);
            var elapsed = clock.Elapsed;
            var headers = response.Headers.Concat(response.Content.Headers)
                .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
                .ToDictionary(g => g.Key, g => string.Join(", ", g.SelectMany(h => h.Value)), StringComparer.OrdinalIgnoreCase);
            var tls = exchange.Connection;
            return new HttpProbeResponse(request.Url, response.RequestMessage?.RequestUri ?? request.Url, (int)response.StatusCode, elapsed,
                headers, body, response.Content.Headers.ContentLength ?? bytes, truncated, tls?.Certificate, tls?.Errors ?? SslPolicyErrors.None);
        }
        catch (OperationCanceledException ex) when (!cancellation.IsCancellationRequested)
        {
            var within = $"no answer within {DurationText.Format(request.Timeout)}";
            throw new HttpProbeException("HttpTimeout", FailureKind.Timeout, within,
                $"{Endpoint(request.Url)} gave {within}.", request.Url.ToString(),
                "Check that the service is up and not overloaded, or allow more time.", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            var tls = exchange.Connection ?? exchange.Refused;
            throw Translate(request.Url, ex, tls?.Certificate is null ? null : tls.Errors, Redact);
        }
        finally
        {
            Current.Value = null;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The certificate a connection's server presented and how it was judged.</summary>
    private sealed record Handshake(X509Certificate2? Certificate, SslPolicyErrors Errors);

    /// <summary>One request's view of the connections it used: the last one that carried it, and a handshake refused for it.</summary>
    private sealed class Exchange
    {
        private Handshake? _connection;
        private Handshake? _refused;

        public Handshake? Connection => Volatile.Read(ref _connection);
        public Handshake? Refused => Volatile.Read(ref _refused);

        public void Carried(Handshake handshake) => Volatile.Write(ref _connection, handshake);

        public void Saw(Handshake handshake) => Volatile.Write(ref _refused, handshake);
    }

    /// <summary>
    /// A TLS connection's plaintext stream that tells each request written to it (in that request's flow)
    /// which certificate the connection was opened with. Everything else passes through.
    /// </summary>
    private sealed class TlsConnection(SslStream inner, Handshake handshake) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            Current.Value?.Carried(handshake);
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Current.Value?.Carried(handshake);
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Current.Value?.Carried(handshake);
            return inner.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Current.Value?.Carried(handshake);
            return inner.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private static async Task<(string Body, long Bytes, bool Truncated)> ReadBodyAsync(HttpContent content, CancellationToken cancellation)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        using var kept = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (kept.Length <= MaxBodyBytes && (read = await stream.ReadAsync(chunk, cancellation).ConfigureAwait(false)) > 0)
        {
            kept.Write(chunk, 0, read);
        }
        var truncated = kept.Length > MaxBodyBytes;
        var length = (int)Math.Min(kept.Length, MaxBodyBytes);
        return (Encoding.UTF8.GetString(kept.GetBuffer(), 0, length), kept.Length, truncated);
    }

    private static string Endpoint(Uri url) => $"{url.Host}:{url.Port}";

    private static HttpProbeException Translate(Uri url, Exception ex, SslPolicyErrors? certificateErrors, Func<string, string> redact)
    {
        var endpoint = Endpoint(url);
        var target = url.ToString();
        // The cause stays attached only when it holds none of the request's secrets (a server may echo them).
        var inner = redact(ex.ToString()) == ex.ToString() ? ex : null;
        var socket = ex.FindInner<SocketException>();
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => new HttpProbeException("HttpDnsFailure",
                    FailureKind.ConnectionFailed, "host name not resolved", $"The host name '{url.Host}' could not be resolved.", target,
                    "Check the host name in the URL, or the DNS/hosts entry for it.", inner),
                SocketError.ConnectionRefused => new HttpProbeException("HttpUnreachable", FailureKind.ConnectionFailed,
                    "connection refused", $"Nothing accepts connections at {endpoint} (connection refused).", target,
                    "Start the service, or correct the port in the URL.", inner),
                _ => new HttpProbeException("HttpUnreachable", FailureKind.ConnectionFailed, "socket error: " + socket.SocketErrorCode,
                    $"Could not connect to {endpoint}: {socket.SocketErrorCode}.", target, "Check that the host is up and reachable from here.", inner),
            };
        }
        if (ex.FindInner<AuthenticationException>() is not null
            || ex is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
        {
            var why = certificateErrors switch
            {
                null or SslPolicyErrors.None => "the TLS handshake failed (protocol or cipher mismatch, or the port does not speak TLS)",
                var e when e.Value.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) => $"the certificate is not valid for '{url.Host}'",
                var e when e.Value.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors) => "the certificate chain is not trusted",
                _ => "the server sent no certificate",
            };
            return new HttpProbeException("HttpTlsHandshakeFailed", FailureKind.ConnectionFailed, "TLS: " + why,
                $"TLS with {endpoint} failed: {why}.", target,
                "Trust the server's CA with ca_file: (or use the host name the certificate names); insecure: true skips validation for test endpoints.", inner);
        }
        if (ex is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse } http)
        {
            return new HttpProbeException("HttpProtocolError", FailureKind.ConnectionFailed, $"not valid HTTP ({http.HttpRequestError})",
                $"{endpoint} did not answer with valid HTTP ({http.HttpRequestError}).", target,
                "Check that the port serves HTTP (not HTTPS or another protocol) and the scheme in the URL matches.", inner);
        }
        var text = redact(ex is HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } known
            ? known.HttpRequestError.ToString()
            : ex.Message);
        var reason = ex is IOException ? "connection broken: " + text : text;
        return new HttpProbeException("HttpRequestFailed", FailureKind.ConnectionFailed, reason,
            $"The request to {target} failed: {reason}", target, "Check the URL and that the service answers.", inner);
    }
}
