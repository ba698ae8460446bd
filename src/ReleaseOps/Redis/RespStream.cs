using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ReleaseOps.Redis;

/// <summary>
/// The little of RESP2 the snapshot reader needs over a byte stream: commands written as arrays of
/// bulk strings, reply lines read from its own buffer, and a bulk payload (the RDB of a SYNC)
/// copied straight to another stream, by length or up to an end marker, never held in memory.
/// </summary>
internal sealed class RespStream
{
    private const int MaxLineLength = 1024 * 1024;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    public RespStream(Stream stream)
    {
        _stream = stream;
    }

    public async ValueTask WriteCommandAsync(IReadOnlyList<ReadOnlyMemory<byte>> arguments, CancellationToken cancellation)
    {
        var length = 16;
        foreach (var argument in arguments)
        {
            length += argument.Length + 16;
        }
        var frame = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var at = Put(frame, 0, (byte)'*', arguments.Count);
            foreach (var argument in arguments)
            {
                at = Put(frame, at, (byte)'$', argument.Length);
                argument.Span.CopyTo(frame.AsSpan(at));
                at += argument.Length;
                frame[at++] = (byte)'\r';
                frame[at++] = (byte)'\n';
            }
            await _stream.WriteAsync(frame.AsMemory(0, at), cancellation).ConfigureAwait(false);
            await _stream.FlushAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            // The frame may have carried an AUTH password.
            CryptographicOperations.ZeroMemory(frame.AsSpan(0, Math.Min(length, frame.Length)));
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    /// <summary>Reads one CRLF-terminated line (without the CRLF). A bare LF also ends a line (SYNC keep-alives).</summary>
    public async ValueTask<string> ReadLineAsync(CancellationToken cancellation)
    {
        var scanned = 0;
        while (true)
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var lf = span[scanned..].IndexOf((byte)'\n');
            if (lf >= 0)
            {
                lf += scanned;
                var lineLength = lf > 0 && span[lf - 1] == '\r' ? lf - 1 : lf;
                var line = Encoding.UTF8.GetString(span[..lineLength]);
                _start += lf + 1;
                return line;
            }
            scanned = span.Length;
            if (scanned >= MaxLineLength)
            {
                throw new InvalidDataException("RESP line longer than 1 MiB.");
            }
            await FillAsync(cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>Copies exactly <paramref name="count"/> bytes to <paramref name="destination"/>.</summary>
    public async Task CopyAsync(long count, Stream destination, Action<long>? progress,
        Func<CancellationToken> perRead, CancellationToken cancellation)
    {
        long copied = 0;
        while (copied < count)
        {
            if (_start == _end)
            {
                await FillAsync(perRead()).ConfigureAwait(false);
            }
            var take = (int)Math.Min(_end - _start, count - copied);
            await destination.WriteAsync(_buffer.AsMemory(_start, take), cancellation).ConfigureAwait(false);
            _start += take;
            copied += take;
            progress?.Invoke(copied);
        }
    }

    /// <summary>
    /// Copies bytes to <paramref name="destination"/> until <paramref name="marker"/> is seen
    /// (the end of a diskless SYNC payload); the marker itself is not copied. Returns the bytes copied.
    /// </summary>
    public async Task<long> CopyUntilMarkerAsync(byte[] marker, Stream destination, Action<long>? progress,
        Func<CancellationToken> perRead, CancellationToken cancellation)
    {
        var pending = new byte[_buffer.Length + marker.Length];
        var held = 0;
        long copied = 0;
        while (true)
        {
            if (_start == _end)
            {
                await FillAsync(perRead()).ConfigureAwait(false);
            }
            var take = _end - _start;
            _buffer.AsSpan(_start, take).CopyTo(pending.AsSpan(held));
            _start += take;
            held += take;
            if (held >= marker.Length && pending.AsSpan(held - marker.Length, marker.Length).SequenceEqual(marker))
            {
                var last = held - marker.Length;
                await destination.WriteAsync(pending.AsMemory(0, last), cancellation).ConfigureAwait(false);
                copied += last;
                progress?.Invoke(copied);
                return copied;
            }
            var keep = Math.Min(held, marker.Length);
            var write = held - keep;
            if (write > 0)
            {
                await destination.WriteAsync(pending.AsMemory(0, write), cancellation).ConfigureAwait(false);
                copied += write;
                progress?.Invoke(copied);
                pending.AsSpan(write, keep).CopyTo(pending);
                held = keep;
            }
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellation)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length)
        {
            throw new InvalidDataException("RESP read buffer full.");
        }
        var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellation).ConfigureAwait(false);
        if (n == 0)
        {
            throw new EndOfStreamException("The server closed the connection.");
        }
        _end += n;
    }

    private static int Put(byte[] frame, int at, byte prefix, int number)
    {
        frame[at++] = prefix;
        number.TryFormat(frame.AsSpan(at), out var written, default, CultureInfo.InvariantCulture);
        at += written;
        frame[at++] = (byte)'\r';
        frame[at++] = (byte)'\n';
        return at;
    }
}
