using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReleaseOps.Errors;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>
/// A client for the Docker Engine REST API over a unix socket or TCP (optionally TLS with client
/// certificates). It negotiates the API version on first use: the lower of the daemon's newest and
/// <see cref="DockerClientOptions.MaximumApiVersion"/>, refusing daemons older than
/// <see cref="DockerClientOptions.MinimumApiVersion"/>. Every failure is a
/// <see cref="ReleaseOpsException"/> with an id from <see cref="DockerErrorIds"/>; thread-safe.
/// </summary>
public sealed partial class DockerClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _negotiation = new(1, 1);
    // Boxed so that readers on other threads see the whole value or nothing.
    private volatile object? _apiVersion;
    private bool _disposed;

    public DockerClient(DockerEndpoint endpoint, DockerClientOptions? options = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        Options = options ?? DockerClientOptions.Default;
        _apiVersion = Options.PinnedApiVersion;
        _http = new HttpClient(CreateHandler(endpoint, Options), disposeHandler: true)
        {
            BaseAddress = endpoint.Transport switch
            {
                DockerTransport.UnixSocket => new Uri("http://docker/"),
                DockerTransport.TcpTls => new Uri($"https://{FormatHost(endpoint.TcpHost!)}:{endpoint.TcpPort}/"),
                _ => new Uri($"http://{FormatHost(endpoint.TcpHost!)}:{endpoint.TcpPort}/"),
            },
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ReleaseOps", "0.1"));
    }

    /// <summary>A client for the engine the plan names, falling back to DOCKER_HOST and friends.</summary>
    public static DockerClient For(DockerEndpointDefinition? definition, DockerClientOptions? options = null) =>
        new(DockerEndpoint.Resolve(definition), options);

    /// <summary>A client for the engine the environment names (DOCKER_HOST, ...), as the docker CLI would use.</summary>
    public static DockerClient FromEnvironment(DockerClientOptions? options = null) =>
        new(DockerEndpoint.Resolve(), options);

    public DockerEndpoint Endpoint { get; }

    public DockerClientOptions Options { get; }

    /// <summary>The API version in use, or null before the first request negotiated it.</summary>
    public DockerApiVersion? ApiVersion => _apiVersion as DockerApiVersion?;

    /// <summary>Asks the daemon for its API versions (once) and settles the version this client talks.</summary>
    public async Task<DockerApiVersion> NegotiateApiVersionAsync(CancellationToken cancellation = default)
    {
        if (ApiVersion is { } known)
        {
            return known;
        }
        await _negotiation.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (ApiVersion is { } settled)
            {
                return settled;
            }
            var version = await GetJsonAsync<DockerVersionInfo>("version", null, Endpoint.Address, cancellation, versioned: false)
                .ConfigureAwait(false);
            if (!DockerApiVersion.TryParse(version.ApiVersion, out var daemonMaximum))
            {
                throw new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.VersionMismatch,
                    $"The Docker daemon at {Endpoint} did not say which API version it speaks.",
                    target: Endpoint.Address, fix: "Check that DOCKER_HOST points at a Docker engine.");
            }
            DockerApiVersion? daemonMinimum = DockerApiVersion.TryParse(version.MinApiVersion, out var oldest) ? oldest : null;
            var negotiated = DockerApiVersion.Negotiate(daemonMaximum, daemonMinimum,
                Options.MinimumApiVersion, Options.MaximumApiVersion, Endpoint.Address);
            _apiVersion = negotiated;
            return negotiated;
        }
        finally
        {
            _negotiation.Release();
        }
    }

    /// <summary>GET /_ping: proves the daemon answers and reports the API version it offers.</summary>
    public async Task<DockerPingResult> PingAsync(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        using var response = await SendAsync(HttpMethod.Get, "_ping", null, null, Endpoint.Address, cancellation, versioned: false)
            .ConfigureAwait(false);
        DockerApiVersion? version = response.Headers.TryGetValues("API-Version", out var values)
            && DockerApiVersion.TryParse(values.FirstOrDefault(), out var parsed) ? parsed : null;
        var osType = response.Headers.TryGetValues("OSType", out var os) ? os.FirstOrDefault() : null;
        bool? swarm = response.Headers.TryGetValues("Swarm", out var sw)
            ? sw.FirstOrDefault()?.StartsWith("active", StringComparison.OrdinalIgnoreCase) : null;
        return new DockerPingResult(Endpoint.Address, version, osType, swarm, clock.Elapsed);
    }

    /// <summary>GET /version.</summary>
    public Task<DockerVersionInfo> GetVersionAsync(CancellationToken cancellation = default) =>
        GetJsonAsync<DockerVersionInfo>("version", null, Endpoint.Address, cancellation);

    /// <summary>GET /info.</summary>
    public Task<DockerSystemInfo> GetSystemInfoAsync(CancellationToken cancellation = default) =>
        GetJsonAsync<DockerSystemInfo>("info", null, Endpoint.Address, cancellation);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _http.Dispose();
        _negotiation.Dispose();
    }

    // ---- transport ----------------------------------------------------------------------------

    internal async Task<T> GetJsonAsync<T>(string path, DockerQuery? query, string target, CancellationToken cancellation,
        bool versioned = true, TimeSpan? timeout = null)
    {
        using var response = await SendAsync(HttpMethod.Get, path, query, null, target, cancellation, versioned, timeout)
            .ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, target, cancellation).ConfigureAwait(false);
    }

    internal async Task<T> PostJsonAsync<T>(string path, DockerQuery? query, JsonNode? body, string target,
        CancellationToken cancellation, TimeSpan? timeout = null)
    {
        using var response = await SendAsync(HttpMethod.Post, path, query, body, target, cancellation, timeout: timeout)
            .ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, target, cancellation).ConfigureAwait(false);
    }

    /// <summary>A POST whose body holds secret values: <paramref name="redactor"/> scrubs them from daemon messages.</summary>
    internal async Task<T> PostJsonAsync<T>(string path, DockerQuery? query, JsonNode? body, string target,
        CancellationToken cancellation, SecretRedactor? redactor)
    {
        using var response = await SendAsync(HttpMethod.Post, path, query, body, target, cancellation, redactor: redactor)
            .ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, target, cancellation).ConfigureAwait(false);
    }

    /// <summary>Sends a request whose answer has no body worth reading; returns the status (204, 200 or 304).</summary>
    internal async Task<HttpStatusCode> SendForStatusAsync(HttpMethod method, string path, DockerQuery? query, JsonNode? body,
        string target, CancellationToken cancellation, TimeSpan? timeout = null)
    {
        using var response = await SendAsync(method, path, query, body, target, cancellation, true, timeout).ConfigureAwait(false);
        return response.StatusCode;
    }

    /// <summary>
    /// Sends one request and returns the response once its headers arrived; error statuses become typed
    /// exceptions. <paramref name="timeout"/> limits the time to the response headers (default
    /// <see cref="DockerClientOptions.RequestTimeout"/>; <see cref="Timeout.InfiniteTimeSpan"/> for none).
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, DockerQuery? query, JsonNode? body,
        string target, CancellationToken cancellation, bool versioned = true, TimeSpan? timeout = null,
        SecretRedactor? redactor = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var prefix = "";
        if (versioned)
        {
            var version = await NegotiateApiVersionAsync(cancellation).ConfigureAwait(false);
            prefix = $"v{version}/";
        }
        using var request = new HttpRequestMessage(method, prefix + path + (query?.ToString() ?? ""));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body.ToJsonString()));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        else if (method == HttpMethod.Post)
        {
            // The daemon rejects some POSTs without a content type; an empty JSON body is harmless.
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        var limit = timeout ?? Options.RequestTimeout;
        using var timer = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timer.Token);
        if (limit != Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(limit);
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timer.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw TimedOut($"{method} /{path}", target, limit, ex);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
        if ((int)response.StatusCode < 400)
        {
            return response;
        }
        using (response)
        {
            throw await ErrorFromResponseAsync(response, target, redactor, cancellation).ConfigureAwait(false);
        }
    }

    internal async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, string target, CancellationToken cancellation)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
            var value = await JsonSerializer.DeserializeAsync<T>(stream, DockerJson.Options, cancellation).ConfigureAwait(false);
            return value ?? throw new JsonException("empty body");
        }
        catch (JsonException ex)
        {
            throw new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.OperationFailed,
                $"The Docker daemon at {Endpoint} sent an answer about {target} that is not the expected JSON: {ex.Message}",
                target: target, fix: "Check that the endpoint is a Docker engine of a supported version.", innerException: ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            throw BrokenStream(target, ex);
        }
    }

    internal ReleaseOpsException BrokenStream(string target, Exception ex) =>
        new(DockerErrorIds.RequestFailed, FailureKind.ConnectionFailed,
            $"The connection to the Docker daemon at {Endpoint} broke while reading the answer about {target}: {ex.Message}",
            target: target, fix: "Check that dockerd is still running (it may have restarted) and retry.", innerException: ex);

    internal ReleaseOpsException TimedOut(string what, string target, TimeSpan limit, Exception? inner = null) =>
        new(DockerErrorIds.Timeout, FailureKind.Timeout,
            $"The Docker daemon at {Endpoint} did not answer {what} for {target} within {limit.TotalSeconds:0.#} s.",
            target: target, fix: "Check that dockerd is responsive (docker info), or allow more time.", innerException: inner);

    private async Task<ReleaseOpsException> ErrorFromResponseAsync(HttpResponseMessage response, string target,
        SecretRedactor? redactor, CancellationToken cancellation)
    {
        string message;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            message = ExtractMessage(text);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            message = "(no message: " + ex.Message + ")";
        }
        message = Options.Redactor?.Redact(message) ?? message;
        message = redactor?.Redact(message) ?? message;
        var status = (int)response.StatusCode;
        if (message.Contains("update out of sequence", StringComparison.OrdinalIgnoreCase))
        {
            // Swarm answers 500 when the version index is stale: someone changed the object in between.
            return new ReleaseOpsException(DockerErrorIds.Conflict, FailureKind.Conflict,
                $"Docker refused the update of {target}: it was changed since the version given ({message}).",
                target: target, fix: "Inspect it again and retry with its current version index.");
        }
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => new ReleaseOpsException(DockerErrorIds.ObjectNotFound, FailureKind.NotFound,
                $"Docker has no {target} (daemon at {Endpoint}: {message}).",
                target: target, fix: "Check the name or id; list what exists with docker ps -a / docker images / docker service ls."),
            HttpStatusCode.Conflict => new ReleaseOpsException(DockerErrorIds.Conflict, FailureKind.Conflict,
                $"Docker refused the request for {target}: {message}",
                target: target, fix: "Remove or rename the object in the way, or stop it first, then retry."),
            HttpStatusCode.BadRequest => new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.InvalidArgument,
                $"Docker rejected the request for {target} as invalid: {message}",
                target: target, fix: "Correct the specification the daemon complained about."),
            HttpStatusCode.ServiceUnavailable => new ReleaseOpsException(DockerErrorIds.SwarmUnavailable, FailureKind.OperationFailed,
                $"Docker at {Endpoint} cannot serve {target}: {message}",
                target: target, fix: "Run it against a swarm manager (docker swarm init, or point DOCKER_HOST at a manager)."),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new ReleaseOpsException(DockerErrorIds.RequestFailed,
                FailureKind.PermissionDenied, $"Docker refused the request for {target} ({status}): {message}",
                target: target, fix: "Check the daemon's authorization plugin or TLS client certificate."),
            _ => new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.OperationFailed,
                $"Docker failed the request for {target} ({status}): {message}",
                target: target, fix: "Read the daemon's message; docker info and the daemon log tell more."),
        };
    }

    private static string ExtractMessage(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "(no message)";
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message)
                && message.ValueKind == JsonValueKind.String)
            {
                return message.GetString()!.Trim();
            }
        }
        catch (JsonException)
        {
        }
        text = text.Trim();
        return text.Length > 500 ? text[..500] + "..." : text;
    }

    private ReleaseOpsException Unreachable(HttpRequestException ex)
    {
        var socketError = FindInner<SocketException>(ex)?.SocketErrorCode;
        var tls = FindInner<AuthenticationException>(ex);
        var fix = "Start dockerd (or the Docker service), or set DOCKER_HOST to the address the daemon listens on.";
        var kind = FailureKind.ConnectionFailed;
        string why;
        if (tls is not null)
        {
            why = "the TLS handshake failed: " + tls.Message;
            fix = "Check DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) and DOCKER_TLS_VERIFY against the daemon's TLS setup.";
            kind = FailureKind.AuthenticationFailed;
        }
        else if (socketError is SocketError.ConnectionRefused)
        {
            why = "the connection was refused";
        }
        else if (socketError is SocketError.AccessDenied)
        {
            why = "permission to the socket was denied";
            fix = "Run as a member of the socket's group (usually docker) or as root.";
            kind = FailureKind.PermissionDenied;
        }
        else if (Endpoint.Transport == DockerTransport.UnixSocket && !Path.Exists(Endpoint.SocketPath))
        {
            why = $"the socket {Endpoint.SocketPath} does not exist";
        }
        else if (ex.HttpRequestError is HttpRequestError.NameResolutionError)
        {
            why = "the host name does not resolve";
            fix = "Correct the host in DOCKER_HOST (or the plan's docker.host).";
        }
        else if (ex.HttpRequestError is HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse)
        {
            why = "it did not answer as a Docker engine (" + ex.Message + ")";
            fix = "Check that DOCKER_HOST points at a Docker engine, with TLS only if the daemon expects it.";
        }
        else
        {
            why = ex.InnerException?.Message ?? ex.Message;
        }
        return new ReleaseOpsException(DockerErrorIds.DaemonUnreachable, kind,
            $"Cannot reach the Docker daemon at {Endpoint} (from {Endpoint.Origin}): {why}.",
            target: Endpoint.Address, fix: fix, innerException: ex);
    }

    private static T? FindInner<T>(Exception ex) where T : Exception
    {
        for (Exception? current = ex; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }
        return null;
    }

    private static string FormatHost(string host) => host.Contains(':') ? $"[{host}]" : host;

    private static SocketsHttpHandler CreateHandler(DockerEndpoint endpoint, DockerClientOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        };
        if (endpoint.Transport == DockerTransport.UnixSocket)
        {
            var path = endpoint.SocketPath!;
            handler.ConnectCallback = async (_, cancellation) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellation).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }
        else if (endpoint.Transport == DockerTransport.TcpTls)
        {
            handler.SslOptions = CreateTlsOptions(endpoint);
        }
        return handler;
    }

    private static SslClientAuthenticationOptions CreateTlsOptions(DockerEndpoint endpoint)
    {
        var tls = new SslClientAuthenticationOptions { TargetHost = endpoint.TcpHost };
        var certFile = endpoint.ClientCertificateFile;
        var keyFile = endpoint.ClientKeyFile;
        if (certFile is not null && keyFile is not null && File.Exists(certFile) && File.Exists(keyFile))
        {
            try
            {
                tls.ClientCertificates = new X509CertificateCollection { X509Certificate2.CreateFromPemFile(certFile, keyFile) };
            }
            catch (CryptographicException ex)
            {
                throw new ReleaseOpsException(DockerErrorIds.EndpointInvalid, FailureKind.InvalidConfiguration,
                    $"The TLS client certificate for {endpoint} ({certFile} with {keyFile}) cannot be loaded: {ex.Message}",
                    target: certFile, fix: "Point DOCKER_CERT_PATH at a directory with a PEM cert.pem and its unencrypted key.pem.",
                    innerException: ex);
            }
        }
        if (!endpoint.TlsVerify)
        {
            // DOCKER_TLS without DOCKER_TLS_VERIFY: encrypted, the daemon's certificate is not checked (as the docker CLI).
            tls.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            return tls;
        }
        var caFile = endpoint.CaCertificateFile;
        if (caFile is null || !File.Exists(caFile))
        {
            throw new ReleaseOpsException(DockerErrorIds.EndpointInvalid, FailureKind.InvalidConfiguration,
                $"DOCKER_TLS_VERIFY is set for {endpoint}, but the CA certificate {caFile ?? "ca.pem"} does not exist.",
                target: caFile ?? endpoint.Address, fix: "Set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem.");
        }
        var authority = new X509Certificate2Collection();
        authority.ImportFromPemFile(caFile);
        tls.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
        {
            if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch)
                || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            {
                return false;
            }
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(authority);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var presented = new X509Certificate2(certificate);
            return chain.Build(presented);
        };
        return tls;
    }
}

/// <summary>A query string built from name/value pairs, escaped; null values are left out.</summary>
internal sealed class DockerQuery
{
    private readonly List<KeyValuePair<string, string>> _values = new();

    public DockerQuery Add(string name, string? value)
    {
        if (value is not null)
        {
            _values.Add(new(name, value));
        }
        return this;
    }

    public DockerQuery Add(string name, bool value) => Add(name, value ? "1" : "0");

    public DockerQuery Add(string name, long? value) =>
        Add(name, value?.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public override string ToString() =>
        _values.Count == 0
            ? ""
            : "?" + string.Join('&', _values.Select(v => Uri.EscapeDataString(v.Key) + "=" + Uri.EscapeDataString(v.Value)));
}
