using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using ReleaseOps.Errors;
using ReleaseOps.Infrastructure.Tls;
using ReleaseOps.Secrets;
using StackExchange.Redis;

namespace ReleaseOps.Infrastructure.Redis;

/// <summary>
/// A connection to one Redis server through StackExchange.Redis: the engine's one way of sending
/// Redis commands (the Redis gate, backups' INFO, the scratch server's readiness). With a Sentinel
/// service name the library finds the primary and <see cref="Endpoint"/> names it. Server
/// commands (INFO, CONFIG GET, LASTSAVE) are allowed. Every failure is a typed error from
/// <see cref="RedisErrors"/> whose text holds no password; every call honours the caller's token.
/// </summary>
public sealed class RedisSession : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _multiplexer;
    private readonly SecretRedactor _redactor;

    private RedisSession(RedisConnectionOptions options, ConnectionMultiplexer multiplexer, IServer server)
    {
        Options = options;
        _multiplexer = multiplexer;
        _redactor = SecretRedactor.For(options.Password);
        Server = server;
        Database = multiplexer.GetDatabase(options.Database);
        var (host, port) = server.EndPoint switch
        {
            DnsEndPoint dns => (dns.Host, dns.Port),
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => (options.Host, options.Port),
        };
        Primary = options with { Host = host, Port = port, ServiceName = null, MoreEndpoints = [] };
    }

    public RedisConnectionOptions Options { get; }

    /// <summary>The server commands run on (with Sentinels: the primary they named), with the same credentials.</summary>
    public RedisConnectionOptions Primary { get; }

    /// <summary>The library's server handle, for commands this class does not wrap (run them through <see cref="RunAsync{T}"/>).</summary>
    public IServer Server { get; }

    /// <summary>The library's database handle for <see cref="RedisConnectionOptions.Database"/>.</summary>
    public IDatabase Database { get; }

    /// <summary>Connects (finding the primary through the Sentinels when a service name is given) and authenticates.</summary>
    public static async Task<RedisSession> ConnectAsync(RedisConnectionOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Host) || options.Port is <= 0 or > 65535)
        {
            throw new ReleaseOpsException("RedisEndpointInvalid", FailureKind.InvalidArgument,
                $"'{options.Endpoint}' is not a valid Redis endpoint.", target: options.Endpoint,
                fix: "Give a host name or address and a port between 1 and 65535.");
        }
        var redactor = SecretRedactor.For(options.Password);
        if (await RefusedCredentialsAsync(options, cancellation).ConfigureAwait(false) is { } refusal)
        {
            throw RedisErrors.AuthenticationFailed(options, redactor.Redact(refusal));
        }
        var connecting = ConnectionMultiplexer.ConnectAsync(Configuration(options));
        ConnectionMultiplexer multiplexer;
        try
        {
            multiplexer = await connecting.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The library cannot be stopped mid-connect: close what it makes once it is done.
            _ = connecting.ContinueWith(t => t.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
            throw;
        }
        catch (Exception ex) when (ex is RedisException or SocketException or AuthenticationException or TimeoutException)
        {
            // Of a plain server the library says only "unable to connect", whether nothing listens or a server
            // accepts and never answers: one plain connection attempt tells which.
            var probe = options.ServiceName is null && ex.FindInner<SocketException>() is null
                && ex is RedisConnectionException { FailureType: ConnectionFailureType.UnableToConnect }
                ? await TryConnectAsync(options, cancellation).ConfigureAwait(false)
                : (SocketError?)null;
            throw Translate(options, ex, "connecting", redactor, probe);
        }
        try
        {
            var server = multiplexer.GetServers().FirstOrDefault(s => s.IsConnected && !s.IsReplica)
                ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "no primary is connected");
            return new RedisSession(options, multiplexer, server);
        }
        catch (Exception ex)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
            throw ex is RedisException ? Translate(options, ex, "connecting", redactor) : ex;
        }
    }

    /// <summary>
    /// Runs library calls (named <paramref name="command"/> in errors, never with their arguments) and
    /// turns failures into typed errors; the caller's token stops the wait (the library has no way to
    /// withdraw a command already sent).
    /// </summary>
    public async Task<T> RunAsync<T>(string command, Func<IServer, IDatabase, Task<T>> call, CancellationToken cancellation = default)
    {
        try
        {
            return await call(Server, Database).WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or SocketException or TimeoutException)
        {
            throw Translate(Options, ex, command, _redactor);
        }
    }

    /// <summary>INFO (all default sections, or one such as <c>keyspace</c>) as field -> value, across sections.</summary>
    public async Task<IReadOnlyDictionary<string, string>> InfoAsync(string? section = null, CancellationToken cancellation = default)
    {
        var groups = await RunAsync("INFO", (server, _) => server.InfoAsync(section is null ? default(RedisValue) : section), cancellation)
            .ConfigureAwait(false);
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in groups.SelectMany(g => g))
        {
            fields[key] = value;
        }
        return fields;
    }

    /// <summary>CONFIG GET <paramref name="pattern"/> as name -> value.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ConfigGetAsync(string pattern, CancellationToken cancellation = default) =>
        (await RunAsync("CONFIG GET", (server, _) => server.ConfigGetAsync(pattern), cancellation).ConfigureAwait(false))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase);

    public ValueTask DisposeAsync() => _multiplexer.DisposeAsync();

    /// <summary>The library's configuration for these options; the password is revealed into it here.</summary>
    private static ConfigurationOptions Configuration(RedisConnectionOptions options)
    {
        var configuration = new ConfigurationOptions
        {
            User = options.User,
            Password = options.Password?.Reveal(),
            DefaultDatabase = options.Database,
            Ssl = options.UseTls,
            SslHost = options.TlsServerName, // else each endpoint's own host name
            ConnectTimeout = Milliseconds(options.ConnectTimeout),
            SyncTimeout = Milliseconds(options.CommandTimeout),
            AsyncTimeout = Milliseconds(options.CommandTimeout),
            ClientName = options.ClientName ?? "releaseops",
            ServiceName = options.ServiceName,
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectRetry = 1,
            SetClientLibrary = false,
        };
        configuration.EndPoints.Add(options.Host, options.Port);
        foreach (var endpoint in options.MoreEndpoints)
        {
            configuration.EndPoints.Add(endpoint);
        }
        if (options.TlsCaCertificateFile is { } caFile)
        {
            configuration.CertificateValidation += CertificateTrust.Accepting(LoadAuthorities(options, caFile), orSystemStore: true);
        }
        return configuration;
    }

    /// <summary>The CA file as trust anchors, or a configuration error naming it.</summary>
    internal static System.Security.Cryptography.X509Certificates.X509Certificate2Collection LoadAuthorities(RedisConnectionOptions options, string caFile)
    {
        try
        {
            return CertificateTrust.LoadAuthorities(caFile);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Cryptography.CryptographicException or UnauthorizedAccessException)
        {
            throw new ReleaseOpsException("RedisEndpointInvalid", FailureKind.InvalidConfiguration,
                $"The CA file {caFile} for Redis at {options.Endpoint} cannot be read: {ex.Message}", target: caFile,
                fix: "Give a readable PEM file holding the CA that signed the server's certificate.", innerException: ex);
        }
    }

    private static int Milliseconds(TimeSpan span) =>
        span == Timeout.InfiniteTimeSpan ? int.MaxValue : (int)Math.Clamp(span.TotalMilliseconds, 1, int.MaxValue);

    /// <summary>What the library threw, as the engine's typed errors; the library's own text is redacted first.</summary>
    /// <summary>
    /// Asks a plain server once, on a connection of its own, whether it takes the credentials: its error when it refuses
    /// them, else null (accepted, or no answer to go by: the library's connect then says what is wrong). The library
    /// reports a refused password as a failed handshake it retries until its connect timeout, so under load a wrong
    /// password could end as a timeout; one AUTH round trip (about a millisecond) makes it the error it is. Not for
    /// TLS or Sentinel endpoints, which the library's connect alone handles.
    /// </summary>
    private static async Task<string?> RefusedCredentialsAsync(RedisConnectionOptions options, CancellationToken cancellation)
    {
        if (options.Password is null || options.UseTls || options.ServiceName is not null)
        {
            return null;
        }
        var arguments = new List<string> { "AUTH" };
        if (options.User is { Length: > 0 } user) arguments.Add(user);
        arguments.Add(options.Password.Reveal());
        var command = new System.Text.StringBuilder().Append('*').Append(arguments.Count).Append("\r\n");
        foreach (var argument in arguments)
        {
            command.Append('$').Append(System.Text.Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }
        var request = System.Text.Encoding.UTF8.GetBytes(command.ToString());
        command.Clear();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, limit.Token).ConfigureAwait(false);
            await socket.SendAsync(request, SocketFlags.None, limit.Token).ConfigureAwait(false);
            var reply = new byte[512];
            var length = 0;
            while (length < reply.Length && (length == 0 || reply[length - 1] != (byte)'\n'))
            {
                var n = await socket.ReceiveAsync(reply.AsMemory(length), SocketFlags.None, limit.Token).ConfigureAwait(false);
                if (n == 0) return null;
                length += n;
            }
            var line = System.Text.Encoding.UTF8.GetString(reply, 0, length).TrimEnd('\r', '\n');
            return line.StartsWith("-WRONGPASS", StringComparison.Ordinal) || line.StartsWith("-ERR invalid password", StringComparison.Ordinal)
                ? line[1..] : null;
        }
        catch (Exception ex) when (ex is SocketException || ex is OperationCanceledException && !cancellation.IsCancellationRequested)
        {
            return null;
        }
        finally
        {
            Array.Clear(request);
        }
    }

    /// <summary>What a plain TCP connection to the (first) endpoint meets: <see cref="SocketError.Success"/> when it is accepted.</summary>
    private static async Task<SocketError> TryConnectAsync(RedisConnectionOptions options, CancellationToken cancellation)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, limit.Token).ConfigureAwait(false);
            return SocketError.Success;
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return SocketError.TimedOut;
        }
    }

    private static ReleaseOpsException Translate(RedisConnectionOptions options, Exception ex, string command, SecretRedactor redactor,
        SocketError? probe = null)
    {
        var text = redactor.Redact(ex.Message);
        // The library's message may echo the server's, which may quote what was sent; keep the cause only when clean.
        var inner = redactor.Redact(ex.ToString()) == ex.ToString() ? ex : null;
        var serverError = ex.FindInner<RedisServerException>();
        var code = serverError?.Message.Split(' ', 2)[0];
        if (code is "NOAUTH" or "WRONGPASS" || ex is RedisConnectionException { FailureType: ConnectionFailureType.AuthenticationFailure } && ex.FindInner<AuthenticationException>() is null)
        {
            return RedisErrors.AuthenticationFailed(options, redactor.Redact(serverError?.Message ?? "authentication failed"));
        }
        if (serverError is not null)
        {
            return new RedisCommandFailedException(command, redactor.Redact(serverError.Message), options.Endpoint);
        }
        if (ex.FindInner<AuthenticationException>() is { } tls)
        {
            return RedisErrors.TlsFailed(options, tls.Message, inner);
        }
        var socket = ex.FindInner<SocketException>()?.SocketErrorCode ?? (probe is SocketError.Success ? null : probe);
        if (ex is RedisTimeoutException or TimeoutException || text.Contains("ConnectTimeout", StringComparison.Ordinal)
            || probe is SocketError.Success or SocketError.TimedOut)
        {
            return RedisErrors.TimedOut(options, command, command == "connecting" ? options.ConnectTimeout : options.CommandTimeout, inner);
        }
        if (ex is RedisConnectionException { FailureType: ConnectionFailureType.UnableToConnect or ConnectionFailureType.UnableToResolvePhysicalConnection } connect)
        {
            return RedisErrors.Unreachable(options, socket switch
            {
                SocketError.ConnectionRefused => "refused the connection (nothing listens there)",
                SocketError.HostNotFound or SocketError.NoData => "could not be resolved",
                _ when options.ServiceName is not null && text.Contains("Sentinel", StringComparison.OrdinalIgnoreCase) => "has no reachable primary: " + text,
                _ => "could not be reached (" + connect.FailureType + ")",
            }, inner);
        }
        return RedisErrors.ConnectionLost(options, command, text, inner);
    }
}
