using System.Buffers.Binary;

namespace ReleaseOps.Docker;

/// <summary>Which stream a piece of container output came from.</summary>
public enum DockerOutputStream
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,
}

/// <summary>
/// Reads Docker's multiplexed stream format (logs, attach and exec without a TTY): frames of an 8-byte header
/// (stream type, three zero bytes, big-endian payload length) followed by the payload. For TTY containers the
/// stream is raw and everything counts as stdout. Reads frame by frame; never buffers the whole body.
/// </summary>
public sealed class DockerStreamDemultiplexer
{
    private const int MaxFrame = 64 * 1024 * 1024;
    private readonly Stream _stream;
    private readonly bool _raw;
    private readonly byte[] _header = new byte[8];
    private byte[] _buffer = new byte[16 * 1024];

    public DockerStreamDemultiplexer(Stream stream, bool raw)
    {
        _stream = stream;
        _raw = raw;
    }

    /// <summary>
    /// The next frame, or null at the end of the stream. The memory is valid until the next call.
    /// </summary>
    public async ValueTask<(DockerOutputStream Stream, ReadOnlyMemory<byte> Payload)?> ReadFrameAsync(CancellationToken cancellation)
    {
        if (_raw)
        {
            var read = await _stream.ReadAsync(_buffer, cancellation).ConfigureAwait(false);
            return read == 0 ? null : (DockerOutputStream.Stdout, _buffer.AsMemory(0, read));
        }
        if (!await ReadExactlyOrEndAsync(_header, cancellation).ConfigureAwait(false))
        {
            return null;
        }
        var kind = _header[0] switch
        {
            0 => DockerOutputStream.Stdin,
            2 => DockerOutputStream.Stderr,
            _ => DockerOutputStream.Stdout,
        };
        var length = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(4));
        if (length > MaxFrame)
        {
            throw new InvalidDataException($"A Docker stream frame claims {length} bytes; the stream is not in the multiplexed format.");
        }
        if (_buffer.Length < length)
        {
            _buffer = new byte[length];
        }
        var payload = _buffer.AsMemory(0, (int)length);
        if (!await ReadExactlyOrEndAsync(payload, cancellation).ConfigureAwait(false) && length > 0)
        {
            throw new EndOfStreamException("The Docker stream ended inside a frame.");
        }
        return (kind, payload);
    }

    private async ValueTask<bool> ReadExactlyOrEndAsync(Memory<byte> target, CancellationToken cancellation)
    {
        var total = 0;
        while (total < target.Length)
        {
            var read = await _stream.ReadAsync(target[total..], cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                if (total == 0)
                {
                    return false;
                }
                throw new EndOfStreamException("The Docker stream ended inside a frame header.");
            }
            total += read;
        }
        return true;
    }
}

/// <summary>Turns frames into text lines per stream, keeping partial lines until their end arrives.</summary>
internal sealed class DockerLineSplitter
{
    private readonly System.Text.Decoder[] _decoders = [System.Text.Encoding.UTF8.GetDecoder(), System.Text.Encoding.UTF8.GetDecoder(), System.Text.Encoding.UTF8.GetDecoder()];
    private readonly System.Text.StringBuilder[] _partial = [new(), new(), new()];

    public IEnumerable<(DockerOutputStream Stream, string Line)> Add(DockerOutputStream stream, ReadOnlyMemory<byte> payload)
    {
        var index = (int)stream;
        var chars = new char[System.Text.Encoding.UTF8.GetMaxCharCount(payload.Length)];
        var count = _decoders[index].GetChars(payload.Span, chars, flush: false);
        var lines = new List<(DockerOutputStream, string)>();
        var start = 0;
        for (var i = 0; i < count; i++)
        {
            if (chars[i] == '\n')
            {
                _partial[index].Append(chars, start, i - start);
                var line = _partial[index].ToString();
                _partial[index].Clear();
                lines.Add((stream, line.EndsWith('\r') ? line[..^1] : line));
                start = i + 1;
            }
        }
        _partial[index].Append(chars, start, count - start);
        return lines;
    }

    /// <summary>What is left after the stream ended (a last line without a newline).</summary>
    public IEnumerable<(DockerOutputStream Stream, string Line)> Flush()
    {
        for (var i = 0; i < _partial.Length; i++)
        {
            if (_partial[i].Length > 0)
            {
                yield return ((DockerOutputStream)i, _partial[i].ToString());
                _partial[i].Clear();
            }
        }
    }
}
