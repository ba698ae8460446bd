using System.Security.Cryptography;

namespace ReleaseOps.Backup;

/// <summary>
/// Passes bytes through to (or from) another stream and computes their SHA-256 and count on the
/// way, so a backup is hashed while it is written and verified while it is read, in one pass.
/// </summary>
internal sealed class ChecksumStream : Stream
{
    private readonly Stream _inner;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly bool _leaveOpen;
    private readonly Action<long>? _progress;
    private readonly ReadBackVerifier? _readBack;

    /// <param name="readBack">When writing: told of each chunk once the inner stream has written it (the inner stream must be unbuffered).</param>
    public ChecksumStream(Stream inner, bool leaveOpen = false, Action<long>? progress = null, ReadBackVerifier? readBack = null)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _progress = progress;
        _readBack = readBack;
    }

    public long BytesSeen { get; private set; }

    /// <summary>The hex SHA-256 of everything read or written so far.</summary>
    public string CurrentHash() => Convert.ToHexString(_hash.GetCurrentHash()).ToLowerInvariant();

    public override bool CanRead => _inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => _inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => BytesSeen; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = _inner.Read(buffer, offset, count);
        Account(buffer.AsSpan(offset, n));
        return n;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span);
        _readBack?.Written(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _inner.Write(buffer, offset, count);
        Account(buffer.AsSpan(offset, count));
        _readBack?.Written(buffer.AsSpan(offset, count));
    }

    public override void Flush() => _inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Reads a whole file and returns its SHA-256 and size.</summary>
    public static async Task<(string Sha256, long Size)> HashFileAsync(string path, CancellationToken cancellation, Action<long>? progress = null)
    {
        await using var file = BackupFiles.OpenRead(path);
        await using var check = new ChecksumStream(file, progress: progress);
        var buffer = new byte[1 << 20];
        while (await check.ReadAsync(buffer, cancellation).ConfigureAwait(false) > 0)
        {
        }
        return (check.CurrentHash(), check.BytesSeen);
    }

    private void Account(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }
        _hash.AppendData(bytes);
        BytesSeen += bytes.Length;
        _progress?.Invoke(BytesSeen);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        if (!_leaveOpen)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        GC.SuppressFinalize(this);
    }
}
