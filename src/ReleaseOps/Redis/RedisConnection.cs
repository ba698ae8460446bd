using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;

namespace ReleaseOps.Redis;

/// <summary>
/// One connection to a Redis server speaking RESP2, over TCP or TLS. It authenticates (password
/// or ACL user + password), selects the database and checks the server answers, all in
/// <see cref="ConnectAsync"/>. Commands run one at a time; each has the options' time limit and
/// honours the caller's token. A connection whose command timed out, was cancelled or lost its
/// socket is broken and refuses further commands (the reply stream can no longer be trusted).
/// Errors are <see cref="ReleaseOpsException"/>s: <c>RedisUnreachable</c>,
/// <c>RedisAuthenticationFailed</c>, <c>RedisTimeout</c>, <c>RedisConnectionLost</c>,
/// <c>RedisProtocolError</c>, and <see cref="RedisCommandException"/> (<c>RedisCommandFailed</c>)
/// for error replies. No message ever contains the password.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable, IDisposable
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly RespStream _resp;
    private readonly SecretRedactor _redactor;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _broken;
    private bool _disposed;

    private RedisConnection(RedisConnectionOptions options, Socket socket, Stream stream)
    {
        Options = options;
        _socket = socket;
        _stream = stream;
        _resp = new RespStream(stream);
        _redactor = SecretRedactor.For(options.Password);
        Database = options.Database;
    }

    public RedisConnectionOptions Options { get; }

    /// <summary><c>host:port</c>.</summary>
    public string Endpoint => Options.Endpoint;

    /// <summary>The database commands currently run against.</summary>
    public int Database { get; private set; }

    /// <summary>True after a timeout, cancellation or lost socket: the connection takes no more commands.</summary>
    public bool IsBroken => _broken;

    /// <summary>Connects, sets up TLS if asked, authenticates, selects the database and pings.</summary>
    public static async Task<RedisConnection> ConnectAsync(RedisConnectionOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Host) || options.Port is <= 0 or > 65535)
        {
            throw new ReleaseOpsException("RedisEndpointInvalid", FailureKind.InvalidArgument,
                $"'{options.Endpoint}' is not a valid Redis endpoint.", target: options.Endpoint,
                fix: "Give a host name or address and a port between 1 and 65535.");
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            using (var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation))
            {
                limit.CancelAfter(options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(options.Host, options.Port, limit.Token).ConfigureAwait(false);
                    stream = new NetworkStream(socket, ownsSocket: false);
                    if (options.UseTls)
                    {
                        stream = await StartTlsAsync(options, stream, limit.Token).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    throw Unreachable(options, $"did not accept a connection within {options.ConnectTimeout.TotalSeconds:0.#} s", null);
                }
                catch (SocketException ex)
                {
                    throw Unreachable(options, ex.SocketErrorCode switch
                    {
                        SocketError.ConnectionRefused => "refused the connection (nothing listens there)",
                        SocketError.HostNotFound or SocketError.NoData => "could not be resolved",
                        _ => ex.Message,
                    }, ex);
                }
                catch (IOException ex)
                {
                    throw Unreachable(options, "closed the connection during the TLS handshake", ex);
                }
            }
            var connection = new RedisConnection(options, socket, stream);
            try
            {
                await connection.HandshakeAsync(cancellation).ConfigureAwait(false);
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }
            return connection;
        }
        catch
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command given as text arguments (<c>"GET", "key"</c>) and returns its reply.</summary>
    public Task<RedisValue> ExecuteAsync(params string[] arguments) => ExecuteAsync(arguments, CancellationToken.None);

    /// <summary>Runs a command given as text arguments and returns its reply; an error reply throws <see cref="RedisCommandException"/>.</summary>
    public Task<RedisValue> ExecuteAsync(IEnumerable<string> arguments, CancellationToken cancellation) =>
        ExecuteAsync(arguments.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a)).ToArray(), cancellation);

    /// <summary>Runs a command given as binary-safe arguments and returns its reply.</summary>
    public async Task<RedisValue> ExecuteAsync(IReadOnlyList<ReadOnlyMemory<byte>> arguments, CancellationToken cancellation = default)
    {
        var reply = await RoundTripAsync(arguments, cancellation).ConfigureAwait(false);
        if (reply is RedisErrorReply error)
        {
            throw new RedisCommandException(CommandName(arguments), _redactor.Redact(error.Message), Endpoint);
        }
        return reply;
    }

    /// <summary>PING; returns the round-trip time.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        var reply = await ExecuteAsync(new[] { "PING" }, cancellation).ConfigureAwait(false);
        if (reply.AsString() != "PONG")
        {
            throw Protocol($"PING answered '{reply}' instead of PONG");
        }
        return clock.Elapsed;
    }

    /// <summary>SELECT: later commands run against <paramref name="database"/>.</summary>
    public async Task SelectAsync(int database, CancellationToken cancellation = default)
    {
        if (database < 0)
        {
            throw new ReleaseOpsException("RedisDatabaseInvalid", FailureKind.InvalidArgument,
                $"Redis database {database} is not valid.", target: Endpoint, fix: "Give a database number of 0 or more.");
        }
        await ExecuteAsync(new[] { "SELECT", database.ToString(CultureInfo.InvariantCulture) }, cancellation).ConfigureAwait(false);
        Database = database;
    }

    /// <summary>INFO (all default sections, or one section such as <c>keyspace</c> or <c>persistence</c>), parsed.</summary>
    public async Task<RedisInfo> InfoAsync(string? section = null, CancellationToken cancellation = default)
    {
        var arguments = section is null ? new[] { "INFO" } : new[] { "INFO", section };
        var reply = await ExecuteAsync(arguments, cancellation).ConfigureAwait(false);
        return RedisInfo.Parse(reply.AsString() ?? string.Empty);
    }

    /// <summary>CONFIG GET <paramref name="pattern"/> as a name -> value dictionary.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ConfigGetAsync(string pattern, CancellationToken cancellation = default)
    {
        var reply = await ExecuteAsync(new[] { "CONFIG", "GET", pattern }, cancellation).ConfigureAwait(false);
        var items = reply.AsArray();
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < items.Count; i += 2)
        {
            result[items[i].AsString() ?? string.Empty] = items[i + 1].AsString() ?? string.Empty;
        }
        return result;
    }

    /// <summary>DBSIZE of the selected database.</summary>
    public async Task<long> DbSizeAsync(CancellationToken cancellation = default) =>
        (await ExecuteAsync(new[] { "DBSIZE" }, cancellation).ConfigureAwait(false)).AsInt64();

    /// <summary>
    /// Takes an RDB snapshot over the network as <c>redis-cli --rdb</c> does: announces itself as an
    /// RDB-only replica (<c>REPLCONF rdb-only 1</c>, Redis 7+; ignored by older servers), sends
    /// <c>SYNC</c>, waits through the master's keep-alive newlines while it forks, then copies the
    /// payload (<c>$LENGTH</c> or diskless <c>$EOF:MARK</c>) to <paramref name="destination"/> as it
    /// arrives. The connection is spent afterwards (the master would stream replication next) and
    /// is closed. <paramref name="progress"/> receives the bytes copied so far.
    /// </summary>
    public Task<RedisRdbTransfer> ReadRdbSnapshotAsync(Stream destination, Action<long>? progress = null,
        CancellationToken cancellation = default) =>
        ReadRdbSnapshotAsync(destination, progress, acceptDiskless: true, cancellation);

    /// <summary>
    /// As <see cref="ReadRdbSnapshotAsync(Stream, Action{long}?, CancellationToken)"/>; with
    /// <paramref name="acceptDiskless"/> the client also announces <c>REPLCONF capa eof</c>, so a master with
    /// <c>repl-diskless-sync yes</c> streams the RDB straight from its fork instead of writing it to its disk
    /// first (after <c>repl-diskless-sync-delay</c>).
    /// </summary>
    public async Task<RedisRdbTransfer> ReadRdbSnapshotAsync(Stream destination, Action<long>? progress, bool acceptDiskless,
        CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(destination);
        try
        {
            try
            {
                await ExecuteAsync(new[] { "REPLCONF", "rdb-only", "1" }, cancellation).ConfigureAwait(false);
            }
            catch (RedisCommandException ex) when (ex.ServerErrorCode == "ERR")
            {
                // Redis before 7.0 does not know rdb-only; it then sends the replication stream after the RDB, which we never read.
            }
            if (acceptDiskless)
            {
                await ExecuteAsync(new[] { "REPLCONF", "capa", "eof" }, cancellation).ConfigureAwait(false);
            }
            await _gate.WaitAsync(cancellation).ConfigureAwait(false);
            try
            {
                ThrowIfUnusable();
                _broken = true; // whatever happens next, this connection cannot take commands again
                var clock = Stopwatch.StartNew();
                await Guard("SYNC", async token =>
                {
                    await _resp.WriteCommandAsync(new ReadOnlyMemory<byte>[] { "SYNC"u8.ToArray() }, token).ConfigureAwait(false);
                    return 0;
                }, cancellation).ConfigureAwait(false);

                var header = await Guard("SYNC", async token =>
                {
                    var stillAlive = IdleToken(token);
                    while (true)
                    {
                        var line = await _resp.ReadLineAsync(stillAlive()).ConfigureAwait(false);
                        if (line.Length > 0)
                        {
                            return line;
                        }
                    }
                }, cancellation, idleOnly: true).ConfigureAwait(false);

                if (header.StartsWith('-'))
                {
                    throw new RedisCommandException("SYNC", _redactor.Redact(header[1..]), Endpoint);
                }
                if (!header.StartsWith('$'))
                {
                    throw Protocol($"SYNC answered '{Truncate(header)}' instead of a bulk payload");
                }
                long bytes;
                bool diskless;
                if (header.StartsWith("$EOF:", StringComparison.Ordinal))
                {
                    var marker = Encoding.ASCII.GetBytes(header[5..]);
                    if (marker.Length != 40)
                    {
                        throw Protocol("SYNC sent a diskless end marker that is not 40 bytes long");
                    }
                    diskless = true;
                    bytes = await Guard("SYNC", token => _resp.CopyUntilMarkerAsync(marker, destination, progress, IdleToken(token), token),
                        cancellation, idleOnly: true).ConfigureAwait(false);
                }
                else
                {
                    if (!long.TryParse(header.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                    {
                        throw Protocol($"SYNC sent a malformed payload length '{Truncate(header)}'");
                    }
                    diskless = false;
                    await Guard("SYNC", async token =>
                    {
                        await _resp.CopyAsync(length, destination, progress, IdleToken(token), token).ConfigureAwait(false);
                        return 0;
                    }, cancellation, idleOnly: true).ConfigureAwait(false);
                    bytes = length;
                }
                return new RedisRdbTransfer(bytes, diskless, clock.Elapsed);
            }
            finally
            {
                _gate.Release();
            }
        }
        finally
        {
            await DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _broken = true;
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _broken = true;
        _stream.Dispose();
        _socket.Dispose();
    }

    public override string ToString() => Options.ToString();

    private async Task HandshakeAsync(CancellationToken cancellation)
    {
        if (Options.Password is { } password)
        {
            var passwordBytes = password.RevealUtf8();
            try
            {
                var arguments = new List<ReadOnlyMemory<byte>> { "AUTH"u8.ToArray() };
                if (Options.User is not null)
                {
                    arguments.Add(Encoding.UTF8.GetBytes(Options.User));
                }
                arguments.Add(passwordBytes);
                var reply = await RoundTripAsync(arguments, cancellation).ConfigureAwait(false);
                if (reply is RedisErrorReply error)
                {
                    throw AuthenticationFailed(_redactor.Redact(error.Message), Options.User is null
                        ? "Check the Redis password (requirepass) given for this server."
                        : $"Check the password of ACL user '{Options.User}' and that the user is enabled (ACL GETUSER {Options.User}).");
                }
            }
            finally
            {
                CryptographicOperations.ZeroMemory(passwordBytes);
            }
        }
        if (Options.ClientName is { Length: > 0 } name)
        {
            await ExecuteChecked(new[] { "CLIENT", "SETNAME", name }, cancellation).ConfigureAwait(false);
        }
        if (Options.Database != 0)
        {
            await ExecuteChecked(new[] { "SELECT", Options.Database.ToString(CultureInfo.InvariantCulture) }, cancellation).ConfigureAwait(false);
        }
        await ExecuteChecked(new[] { "PING" }, cancellation).ConfigureAwait(false);
    }

    private async Task ExecuteChecked(string[] arguments, CancellationToken cancellation)
    {
        try
        {
            await ExecuteAsync(arguments, cancellation).ConfigureAwait(false);
        }
        catch (RedisCommandException ex) when (ex.ServerErrorCode is "NOAUTH" or "WRONGPASS")
        {
            throw AuthenticationFailed(ex.ServerMessage, Options.Password is null
                ? "The server requires a password: give one (and the ACL user if one is used)."
                : "Check the Redis password and ACL user given for this server.");
        }
    }

    private async Task<RedisValue> RoundTripAsync(IReadOnlyList<ReadOnlyMemory<byte>> arguments, CancellationToken cancellation)
    {
        if (arguments.Count == 0)
        {
            throw new ArgumentException("A Redis command needs at least its name.", nameof(arguments));
        }
        await _gate.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            ThrowIfUnusable();
            return await Guard(CommandName(arguments), async token =>
            {
                await _resp.WriteCommandAsync(arguments, token).ConfigureAwait(false);
                return await _resp.ReadValueAsync(token).ConfigureAwait(false);
            }, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Runs one exchange with the command time limit (or, with <paramref name="idleOnly"/>, with the
    /// limit applied to each read separately through <see cref="IdleToken"/>), and turns socket,
    /// protocol and timeout failures into typed errors that break the connection.
    /// </summary>
    private async Task<T> Guard<T>(string command, Func<CancellationToken, Task<T>> exchange, CancellationToken cancellation,
        bool idleOnly = false)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        if (Options.CommandTimeout != Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(Options.CommandTimeout);
        }
        _idleSource = idleOnly ? limit : null;
        try
        {
            return await exchange(limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            _broken = true;
            throw;
        }
        catch (OperationCanceledException ex)
        {
            _broken = true;
            throw new ReleaseOpsException("RedisTimeout", FailureKind.Timeout,
                $"Redis at {Endpoint} did not answer {command} within {Options.CommandTimeout.TotalSeconds:0.###} s.",
                target: Endpoint, fix: "Check the server's load (SLOWLOG, INFO) or allow a longer command timeout.", innerException: ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
            _broken = true;
            throw new ReleaseOpsException("RedisConnectionLost", FailureKind.ConnectionFailed,
                $"The connection to Redis at {Endpoint} was lost during {command}: {_redactor.Redact(ex.Message)}",
                target: Endpoint, fix: "Check that the server is running and not restarting, and the network between.", innerException: ex);
        }
        catch (InvalidDataException ex)
        {
            _broken = true;
            throw Protocol($"{command} got a reply that is not valid RESP2 ({ex.Message})");
        }
        finally
        {
            _idleSource = null;
        }
    }

    private CancellationTokenSource? _idleSource;

    /// <summary>Gives each read of a long transfer its own inactivity limit.</summary>
    private Func<CancellationToken> IdleToken(CancellationToken overall) => () =>
    {
        if (Options.CommandTimeout != Timeout.InfiniteTimeSpan)
        {
            _idleSource?.CancelAfter(Options.CommandTimeout);
        }
        return overall;
    };

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_broken)
        {
            throw new ReleaseOpsException("RedisConnectionBroken", FailureKind.ConnectionFailed,
                $"The connection to Redis at {Endpoint} was broken by an earlier timeout, cancellation or error.",
                target: Endpoint, fix: "Open a new connection.");
        }
    }

    private ReleaseOpsException AuthenticationFailed(string serverMessage, string fix) =>
        new("RedisAuthenticationFailed", FailureKind.AuthenticationFailed,
            $"Redis at {Endpoint} refused the credentials{(Options.User is null ? "" : $" of ACL user '{Options.User}'")}: {serverMessage}",
            target: Endpoint, fix: fix);

    private ReleaseOpsException Protocol(string what) =>
        new("RedisProtocolError", FailureKind.VersionMismatch, $"Redis at {Endpoint}: {_redactor.Redact(what)}.",
            target: Endpoint, fix: "Check that the endpoint is a Redis server (and whether it expects TLS).");

    private static ReleaseOpsException Unreachable(RedisConnectionOptions options, string what, Exception? inner) =>
        new("RedisUnreachable", FailureKind.ConnectionFailed, $"Redis at {options.Endpoint} {what}.",
            target: options.Endpoint,
            fix: $"Check that redis-server runs and listens on {options.Endpoint} (bind, port, firewall){(options.UseTls ? " and speaks TLS" : "")}.",
            innerException: inner);

    private static async Task<Stream> StartTlsAsync(RedisConnectionOptions options, Stream inner, CancellationToken cancellation)
    {
        X509Certificate2Collection? trusted = null;
        if (options.TlsCaCertificateFile is { } caFile)
        {
            trusted = new X509Certificate2Collection();
            trusted.ImportFromPemFile(caFile);
        }
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var authentication = new SslClientAuthenticationOptions
        {
            TargetHost = options.TlsServerName ?? options.Host,
            RemoteCertificateValidationCallback = trusted is null ? null : (_, certificate, _, errors) =>
                errors == SslPolicyErrors.None || (certificate is not null && ChainsTo(certificate, trusted, errors)),
        };
        try
        {
            await ssl.AuthenticateAsClientAsync(authentication, cancellation).ConfigureAwait(false);
        }
        catch (AuthenticationException ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new ReleaseOpsException("RedisTlsFailed", FailureKind.ConnectionFailed,
                $"The TLS handshake with Redis at {options.Endpoint} failed: {ex.Message}", target: options.Endpoint,
                fix: "Check the server certificate's name and issuer, or give the CA file that signed it.", innerException: ex);
        }
        return ssl;
    }

    private static bool ChainsTo(X509Certificate certificate, X509Certificate2Collection trusted, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return false;
        }
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }

    private static string CommandName(IReadOnlyList<ReadOnlyMemory<byte>> arguments)
    {
        var name = Encoding.UTF8.GetString(arguments[0].Span).ToUpperInvariant();
        return arguments.Count > 1 && name is "CONFIG" or "CLIENT" or "ACL" or "INFO"
            ? name + " " + Truncate(Encoding.UTF8.GetString(arguments[1].Span).ToUpperInvariant())
            : name;
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}

/// <summary>What an RDB transfer moved: bytes, whether the master sent it diskless (EOF-marked), and how long it took.</summary>
public sealed record RedisRdbTransfer(long Bytes, bool Diskless, TimeSpan Elapsed);
