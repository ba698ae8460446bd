using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Docker.DotNet;
using Docker.DotNet.Handler.Abstractions;
using Docker.DotNet.NativeHttp;
using Docker.DotNet.X509;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Tls;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>
/// ReleaseOps's adapter over Docker.DotNet.Enhanced: one Docker engine, the way the engine's
/// capabilities use it. It resolves nothing itself (<see cref="DockerEndpoint"/> does), builds the
/// library's client for the endpoint (unix socket or TCP, TLS with client certificates and a
/// private CA), reads <c>/version</c> once per endpoint and pins the client to the lower of the
/// daemon's newest API and the library's (the library does not negotiate), bounds every call in
/// time, and turns every failure into a <see cref="ReleaseOpsException"/> with an id from
/// <see cref="DockerErrorIds"/> whose text holds no secret. Results are the library's models.
/// Thread-safe.
/// </summary>
public sealed partial class DockerEngine : IDisposable
{
    /// <summary>What each daemon said about its API versions, by endpoint: read once per process.</summary>
    private static readonly ConcurrentDictionary<string, (DockerApiVersion Newest, DockerApiVersion? Oldest)> DaemonVersions = new();

    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly IAuthProvider? _tls;
    private volatile DockerClient? _api;
    private bool _disposed;

    public DockerEngine(DockerEndpoint endpoint, DockerClientOptions? options = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        Options = options ?? DockerClientOptions.Default;
        _tls = endpoint.Transport == DockerTransport.TcpTls ? Credentials(endpoint) : null;
    }

    public DockerEndpoint Endpoint { get; }

    public DockerClientOptions Options { get; }

    /// <summary>The API version the client is pinned to, or null before the first call settled it.</summary>
    public DockerApiVersion? ApiVersion { get; private set; }

    /// <summary>Settles the API version (reading <c>/version</c> unless this endpoint's daemon was asked before) and returns it.</summary>
    public Task<DockerApiVersion> ConnectAsync(CancellationToken cancellation = default) =>
        GuardAsync(Endpoint.Address, "connecting", async token =>
        {
            await ApiAsync(token).ConfigureAwait(false);
            return ApiVersion!.Value;
        }, cancellation);

    /// <summary>
    /// Runs one call of the library's client (pinned to the negotiated version) within
    /// <paramref name="timeout"/> (default <see cref="DockerClientOptions.RequestTimeout"/>;
    /// <see cref="Timeout.InfiniteTimeSpan"/> for none), turning failures into typed errors about
    /// <paramref name="target"/>. <paramref name="secrets"/> (values the request carries) are scrubbed
    /// from the daemon's messages. For calls this adapter does not wrap.
    /// </summary>
    public Task<T> CallAsync<T>(string target, Func<IDockerClient, CancellationToken, Task<T>> call, CancellationToken cancellation,
        TimeSpan? timeout = null, IEnumerable<SecretValue>? secrets = null) =>
        GuardAsync(target, "the request", async token => await call(await ApiAsync(token).ConfigureAwait(false), token).ConfigureAwait(false),
            cancellation, timeout, secrets);

    /// <inheritdoc cref="CallAsync{T}(string, Func{IDockerClient, CancellationToken, Task{T}}, CancellationToken, TimeSpan?, IEnumerable{SecretValue}?)"/>
    public Task CallAsync(string target, Func<IDockerClient, CancellationToken, Task> call, CancellationToken cancellation,
        TimeSpan? timeout = null, IEnumerable<SecretValue>? secrets = null) =>
        CallAsync<bool>(target, async (api, token) =>
        {
            await call(api, token).ConfigureAwait(false);
            return true;
        }, cancellation, timeout, secrets);

    /// <summary>Like <see cref="CallAsync{T}"/>, but null when the daemon says the object does not exist.</summary>
    private async Task<T?> TryCallAsync<T>(string target, Func<IDockerClient, CancellationToken, Task<T>> call, CancellationToken cancellation)
        where T : class
    {
        try
        {
            return await CallAsync(target, call, cancellation).ConfigureAwait(false);
        }
        catch (ReleaseOpsException ex) when (ex.ErrorId == DockerErrorIds.ObjectNotFound)
        {
            return null;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _api?.Dispose();
        _connecting.Dispose();
    }

    private async Task<T> GuardAsync<T>(string target, string what, Func<CancellationToken, Task<T>> work, CancellationToken cancellation,
        TimeSpan? timeout = null, IEnumerable<SecretValue>? secrets = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var limit = timeout ?? Options.RequestTimeout;
        using var timer = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timer.Token);
        if (limit != Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(limit);
        }
        try
        {
            return await work(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (timer.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            throw DockerErrors.TimedOut(Endpoint, what, target, limit, ex);
        }
        catch (DockerApiException ex)
        {
            throw DockerErrors.FromResponse(ex, target, Endpoint, ApiVersion, DockerErrors.Redaction(Options.Redactor, secrets));
        }
        catch (JsonException ex)
        {
            throw DockerErrors.NotJson(Endpoint, target, ex);
        }
        catch (Exception ex) when (DockerErrors.IsTransport(ex))
        {
            throw DockerErrors.Unreachable(ex, Endpoint, DockerErrors.Redaction(Options.Redactor, secrets));
        }
    }

    /// <summary>The library's client, pinned: DOCKER_API_VERSION or the options' pin, else negotiated from <c>/version</c>.</summary>
    private async Task<IDockerClient> ApiAsync(CancellationToken cancellation)
    {
        if (_api is { } ready)
        {
            return ready;
        }
        await _connecting.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            if (_api is { } settled)
            {
                return settled;
            }
            var version = Options.PinnedApiVersion ?? Endpoint.PinnedApiVersion;
            if (version is null)
            {
                var key = $"{Endpoint.Address} {Endpoint.Transport} {Endpoint.CertPath}";
                if (!DaemonVersions.TryGetValue(key, out var daemon))
                {
                    daemon = await ReadDaemonVersionsAsync(cancellation).ConfigureAwait(false);
                    DaemonVersions[key] = daemon;
                }
                version = DockerApiVersion.Negotiate(daemon.Newest, daemon.Oldest, Options.MinimumApiVersion, Options.MaximumApiVersion,
                    Endpoint.Address);
            }
            var api = Build(version);
            ApiVersion = version;
            _api = api;
            return api;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async Task<(DockerApiVersion, DockerApiVersion?)> ReadDaemonVersionsAsync(CancellationToken cancellation)
    {
        using var unversioned = Build(null);
        var answer = await unversioned.System.GetVersionAsync(cancellation).ConfigureAwait(false);
        if (!DockerApiVersion.TryParse(answer.APIVersion, out var newest))
        {
            throw new ReleaseOpsException(DockerErrorIds.RequestFailed, FailureKind.VersionMismatch,
                $"The Docker daemon at {Endpoint} did not say which API version it speaks.",
                target: Endpoint.Address, fix: "Check that DOCKER_HOST points at a Docker engine.");
        }
        return (newest, DockerApiVersion.TryParse(answer.MinAPIVersion, out var oldest) ? oldest : null);
    }

    /// <summary>
    /// The library's native transport (pooled keep-alive connections); a unix socket is reached through
    /// the handler's connect callback, TLS through the X509 package's credentials.
    /// </summary>
    private DockerClient Build(DockerApiVersion? version)
    {
        var socket = Endpoint.SocketPath;
        var builder = new DockerClientBuilder()
            .WithEndpoint(new Uri(Endpoint.Transport == DockerTransport.UnixSocket ? "http://docker" : Endpoint.Address))
            .WithApiVersion(version?.ToVersion())
            .WithTimeout(Timeout.InfiniteTimeSpan) // every call is bounded here, so a timeout is told from a cancellation
            .WithHeader("User-Agent", "ReleaseOps");
        if (_tls is not null)
        {
            builder = builder.WithAuthProvider(_tls);
        }
        var connectTimeout = Options.ConnectTimeout;
        return builder.WithTransportOptions(new NativeHttpTransportOptions
        {
            ConfigureHandler = handler =>
            {
                handler.ConnectTimeout = connectTimeout;
                handler.UseProxy = false;
                handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30);
                if (socket is not null)
                {
                    handler.ConnectCallback = (_, token) => ConnectUnixAsync(socket, token);
                }
            },
        }).Build();
    }

    private static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancellation)
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
    }

    /// <summary>
    /// The TLS side of a <c>tcp://</c> endpoint: the client certificate from cert.pem + key.pem when both
    /// exist; with verification, the daemon's chain checked against ca.pem only (and its host name);
    /// without (DOCKER_TLS alone), any daemon certificate is accepted, as the docker CLI does.
    /// </summary>
    private static IAuthProvider Credentials(DockerEndpoint endpoint)
    {
        X509Certificate2? client = null;
        if (endpoint.ClientCertificateFile is { } certFile && endpoint.ClientKeyFile is { } keyFile
            && File.Exists(certFile) && File.Exists(keyFile))
        {
            try
            {
                client = DockerTlsCertificates.LoadCertificateFromPemFiles(certFile, keyFile);
            }
            catch (CryptographicException ex)
            {
                throw new ReleaseOpsException(DockerErrorIds.EndpointInvalid, FailureKind.InvalidConfiguration,
                    $"The TLS client certificate for {endpoint} ({certFile} with {keyFile}) cannot be loaded: {ex.Message}",
                    target: certFile, fix: "Point DOCKER_CERT_PATH at a directory with a PEM cert.pem and its unencrypted key.pem.",
                    innerException: ex);
            }
        }
        var credentials = new CertificateCredentials(client);
        if (!endpoint.TlsVerify)
        {
            credentials.ServerCertificateValidationCallback = (_, _, _, _) => true;
            return credentials;
        }
        var caFile = endpoint.CaCertificateFile;
        if (caFile is null || !File.Exists(caFile))
        {
            throw new ReleaseOpsException(DockerErrorIds.EndpointInvalid, FailureKind.InvalidConfiguration,
                $"DOCKER_TLS_VERIFY is set for {endpoint}, but the CA certificate {caFile ?? "ca.pem"} does not exist.",
                target: caFile ?? endpoint.Address, fix: "Set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem and key.pem.");
        }
        try
        {
            credentials.ServerCertificateValidationCallback = CertificateTrust.Accepting(CertificateTrust.LoadAuthorities(caFile));
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
        {
            throw new ReleaseOpsException(DockerErrorIds.EndpointInvalid, FailureKind.InvalidConfiguration,
                $"The CA certificate {caFile} for {endpoint} cannot be read: {ex.Message}",
                target: caFile, fix: "Point DOCKER_CERT_PATH at a directory whose ca.pem holds the daemon's CA in PEM.", innerException: ex);
        }
        return credentials;
    }

    internal static string ContainerTarget(string container) => $"container '{container}'";

    internal static string ServiceTarget(string service) => $"service '{service}'";
}
