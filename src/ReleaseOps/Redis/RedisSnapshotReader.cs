using System.Diagnostics;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using ReleaseOps.Infrastructure.Redis;
using ReleaseOps.Infrastructure.Tls;
using ReleaseOps.Secrets;

namespace ReleaseOps.Redis;

/// <summary>What an RDB transfer moved: bytes, whether the master sent it diskless (EOF-marked), and how long it took.</summary>
public sealed record RedisRdbTransfer(long Bytes, bool Diskless, TimeSpan Elapsed);

/// <summary>
/// Takes an RDB snapshot over the network as <c>redis-cli --rdb</c> does, the one job no Redis
/// client library does (StackExchange.Redis cannot act as a replica): a connection of its own
/// (TLS when asked), AUTH, then <c>REPLCONF rdb-only 1</c> (Redis 7+; ignored by older servers),
/// optionally <c>REPLCONF capa eof</c> so a master with <c>repl-diskless-sync yes</c> streams the
/// RDB straight from its fork, and <c>SYNC</c>; it waits through the master's keep-alive newlines
/// while it forks, then copies the payload (<c>$LENGTH</c> or diskless <c>$EOF:&lt;40-byte mark&gt;</c>)
/// to the destination as it arrives. The connection is closed afterwards (the master would stream
/// replication next). Each read has the options' command timeout as its inactivity limit. Errors
/// come from <see cref="RedisErrors"/>; the password is revealed only into the AUTH frame.
/// </summary>
public static class RedisSnapshotReader
{
    /// <param name="options">The server (a primary; with Sentinels, the one a <see cref="RedisSession"/> found) and credentials.</param>
    /// <param name="destination">Receives the RDB bytes as they arrive.</param>
    /// <param name="progress">Receives the bytes copied so far.</param>
    /// <param name="acceptDiskless">Announce <c>capa eof</c>, so a diskless master need not write the RDB to its disk first.</param>
    public static async Task<RedisRdbTransfer> ReadAsync(RedisConnectionOptions options, Stream destination, Action<long>? progress = null,
        bool acceptDiskless = true, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(destination);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await using var stream = await ConnectAsync(options, socket, cancellation).ConfigureAwait(false);
        var resp = new RespStream(stream);
        var redactor = SecretRedactor.For(options.Password);
        await AuthenticateAsync(options, resp, cancellation).ConfigureAwait(false);

        var rdbOnly = await CommandAsync(options, resp, "REPLCONF", cancellation, "REPLCONF", "rdb-only", "1").ConfigureAwait(false);
        if (!rdbOnly.StartsWith("-ERR", StringComparison.Ordinal))
        {
            // Redis before 7.0 answers ERR and then sends the replication stream after the RDB, which is never read.
            ExpectOk(options, "REPLCONF", rdbOnly, redactor);
        }
        if (acceptDiskless)
        {
            ExpectOk(options, "REPLCONF", await CommandAsync(options, resp, "REPLCONF", cancellation, "REPLCONF", "capa", "eof").ConfigureAwait(false), redactor);
        }

        var clock = Stopwatch.StartNew();
        var header = await GuardAsync(options, "SYNC", async (token, perRead) =>
        {
            await resp.WriteCommandAsync([Encoding.ASCII.GetBytes("SYNC")], token).ConfigureAwait(false);
            // The master sends bare newlines while it forks and writes the RDB: each one restarts the limit.
            while (true)
            {
                var line = await resp.ReadLineAsync(perRead()).ConfigureAwait(false);
                if (line.Length > 0)
                {
                    return line;
                }
            }
        }, cancellation).ConfigureAwait(false);

        if (header.StartsWith('-'))
        {
            throw new RedisCommandFailedException("SYNC", redactor.Redact(header[1..]), options.Endpoint);
        }
        if (header.StartsWith("$EOF:", StringComparison.Ordinal))
        {
            var marker = Encoding.ASCII.GetBytes(header[5..]);
            if (marker.Length != 40)
            {
                throw RedisErrors.Protocol(options, "SYNC sent a diskless end marker that is not 40 bytes long");
            }
            var copied = await GuardAsync(options, "SYNC", (token, perRead) => resp.CopyUntilMarkerAsync(marker, destination, progress, perRead, token),
                cancellation).ConfigureAwait(false);
            return new RedisRdbTransfer(copied, Diskless: true, clock.Elapsed);
        }
        if (!header.StartsWith('$') || !long.TryParse(header.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            throw RedisErrors.Protocol(options, $"SYNC answered '{Truncate(redactor.Redact(header))}' instead of a bulk payload");
        }
        await GuardAsync(options, "SYNC", async (token, perRead) =>
        {
            await resp.CopyAsync(length, destination, progress, perRead, token).ConfigureAwait(false);
            return 0;
        }, cancellation).ConfigureAwait(false);
        return new RedisRdbTransfer(length, Diskless: false, clock.Elapsed);
    }

    private static async Task<Stream> ConnectAsync(RedisConnectionOptions options, Socket socket, CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(options.Host, options.Port, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw RedisErrors.Unreachable(options, $"did not accept a connection within {options.ConnectTimeout.TotalSeconds:0.#} s", null);
        }
        catch (SocketException ex)
        {
            throw RedisErrors.Unreachable(options, ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "refused the connection (nothing listens there)",
                SocketError.HostNotFound or SocketError.NoData => "could not be resolved",
                _ => ex.Message,
            }, ex);
        }
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (!options.UseTls)
        {
            return stream;
        }
        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = options.TlsServerName ?? options.Host,
                RemoteCertificateValidationCallback = options.TlsCaCertificateFile is { } caFile
                    ? CertificateTrust.Accepting(RedisSession.LoadAuthorities(options, caFile), orSystemStore: true)
                    : null,
            }, limit.Token).ConfigureAwait(false);
            return tls;
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw RedisErrors.TlsFailed(options, ex.Message, ex);
        }
    }

    private static async Task AuthenticateAsync(RedisConnectionOptions options, RespStream resp, CancellationToken cancellation)
    {
        if (options.Password is not { } password)
        {
            return;
        }
        var secret = password.RevealUtf8();
        try
        {
            var arguments = new List<ReadOnlyMemory<byte>> { Encoding.ASCII.GetBytes("AUTH") };
            if (options.User is not null)
            {
                arguments.Add(Encoding.UTF8.GetBytes(options.User));
            }
            arguments.Add(secret);
            var reply = await GuardAsync(options, "AUTH", async (token, _) =>
            {
                await resp.WriteCommandAsync(arguments, token).ConfigureAwait(false);
                return await resp.ReadLineAsync(token).ConfigureAwait(false);
            }, cancellation).ConfigureAwait(false);
            if (reply.StartsWith('-'))
            {
                throw RedisErrors.AuthenticationFailed(options, SecretRedactor.For(password).Redact(reply[1..]));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Sends one command of text arguments and returns its reply line (<c>+OK</c>, <c>-ERR ...</c>).</summary>
    private static Task<string> CommandAsync(RedisConnectionOptions options, RespStream resp, string name, CancellationToken cancellation,
        params string[] arguments) =>
        GuardAsync(options, name, async (token, _) =>
        {
            await resp.WriteCommandAsync(arguments.Select(a => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(a)).ToArray(), token).ConfigureAwait(false);
            return await resp.ReadLineAsync(token).ConfigureAwait(false);
        }, cancellation);

    private static void ExpectOk(RedisConnectionOptions options, string command, string reply, SecretRedactor redactor)
    {
        if (reply.StartsWith('-'))
        {
            var message = redactor.Redact(reply[1..]);
            throw message.StartsWith("NOAUTH", StringComparison.Ordinal)
                ? RedisErrors.AuthenticationFailed(options, message)
                : new RedisCommandFailedException(command, message, options.Endpoint);
        }
    }

    /// <summary>
    /// One exchange under the command timeout, its socket, stream and timeout failures as typed errors. The
    /// exchange's second argument restarts the limit and gives its token: a long transfer calls it before
    /// each read, so the limit is on inactivity, not on the whole transfer.
    /// </summary>
    private static async Task<T> GuardAsync<T>(RedisConnectionOptions options, string command,
        Func<CancellationToken, Func<CancellationToken>, Task<T>> exchange, CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var timeout = options.CommandTimeout;
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            limit.CancelAfter(timeout);
        }
        CancellationToken PerRead()
        {
            if (timeout != Timeout.InfiniteTimeSpan)
            {
                limit.CancelAfter(timeout);
            }
            return limit.Token;
        }
        try
        {
            return await exchange(limit.Token, PerRead).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellation.IsCancellationRequested)
        {
            throw RedisErrors.TimedOut(options, command, timeout, ex);
        }
        catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
            throw RedisErrors.ConnectionLost(options, command, ex.Message, ex);
        }
        catch (InvalidDataException ex)
        {
            throw RedisErrors.Protocol(options, $"{command} got a reply that is not valid RESP ({ex.Message})");
        }
    }

    private static string Truncate(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
