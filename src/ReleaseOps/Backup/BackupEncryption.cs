using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;

namespace ReleaseOps.Backup;

/// <summary>
/// The 256-bit key for encryption at rest. Given as a <see cref="SecretValue"/> holding 32 bytes in
/// base64 (<c>openssl rand -base64 32</c>) or 64 hex digits; anything else is refused rather than
/// stretched, so a weak passphrase never passes for a key.
/// </summary>
public sealed class BackupEncryptionKey : IDisposable
{
    private readonly byte[] _key;

    private BackupEncryptionKey(byte[] key, string source)
    {
        _key = key;
        Source = source;
    }

    /// <summary>Where the key came from (<c>env:BACKUP_KEY</c>); recorded in the manifest, never the key.</summary>
    public string Source { get; }

    public static BackupEncryptionKey From(SecretValue secret)
    {
        var text = secret.Reveal().Trim();
        byte[]? key = null;
        if (text.Length == 64 && text.All(Uri.IsHexDigit))
        {
            key = Convert.FromHexString(text);
        }
        else
        {
            var buffer = new byte[48];
            if (Convert.TryFromBase64String(text, buffer, out var written) && written == 32)
            {
                key = buffer[..32];
            }
            CryptographicOperations.ZeroMemory(buffer);
        }
        if (key is null)
        {
            throw new ReleaseOpsException("EncryptionKeyInvalid", FailureKind.InvalidArgument,
                $"The backup encryption key from {secret.Source} is not 32 bytes in base64 or 64 hex digits.",
                target: secret.Source, fix: "Generate one with 'openssl rand -base64 32' and keep it in a secret store.");
        }
        return new BackupEncryptionKey(key, secret.Source);
    }

    internal byte[] DeriveFileKey(ReadOnlySpan<byte> salt) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, salt.ToArray(), BackupEncryption.KeyInfo);

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}

/// <summary>
/// The encrypted file format (documented in docs/backups.md): a 32-byte header
/// (<c>ROBKENC1</c>, version 1, 3 reserved bytes, chunk size as big-endian uint32, 16-byte random
/// salt), then chunks of [plain length uint32 BE][ciphertext][16-byte GCM tag]. Each file has its
/// own AES-256-GCM key, HKDF-SHA256(master key, salt); chunk i uses nonce 0^4 || i (uint64 BE) and
/// authenticates header || i || final-flag, so reordered, dropped or appended chunks fail and a
/// file cut at a chunk boundary is caught by its missing final chunk.
/// </summary>
public static class BackupEncryption
{
    public const string Algorithm = "AES-256-GCM";
    public const int DefaultChunkSize = 1 << 20;
    internal const int HeaderSize = 32;
    internal const int TagSize = 16;
    internal static readonly byte[] Magic = "ROBKENC1"u8.ToArray();
    internal static readonly byte[] KeyInfo = Encoding.ASCII.GetBytes("releaseops backup aes-256-gcm v1");

    internal static byte[] Nonce(long index)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), index);
        return nonce;
    }

    internal static byte[] AssociatedData(byte[] header, long index, bool final)
    {
        var aad = new byte[HeaderSize + 9];
        header.CopyTo(aad, 0);
        BinaryPrimitives.WriteInt64BigEndian(aad.AsSpan(HeaderSize), index);
        aad[HeaderSize + 8] = final ? (byte)1 : (byte)0;
        return aad;
    }

    internal static ReleaseOpsException Corrupt(string path, string what) =>
        new("BackupIntegrityFailure", FailureKind.IntegrityFailure,
            $"The encrypted backup {path} {what}; it will not be restored.", path,
            "Use another backup; check the key given matches the one the backup was taken with.");
}

/// <summary>Write-only stream that encrypts into <see cref="BackupEncryption"/>'s chunked format.</summary>
internal sealed class EncryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly byte[] _plain;
    private readonly byte[] _cipher;
    private int _filled;
    private long _index;
    private bool _headerWritten;
    private bool _finished;

    public EncryptingStream(Stream inner, BackupEncryptionKey key, int chunkSize = BackupEncryption.DefaultChunkSize)
    {
        _inner = inner;
        _header = new byte[BackupEncryption.HeaderSize];
        BackupEncryption.Magic.CopyTo(_header, 0);
        _header[8] = 1;
        BinaryPrimitives.WriteInt32BigEndian(_header.AsSpan(12), chunkSize);
        RandomNumberGenerator.Fill(_header.AsSpan(16, 16));
        var fileKey = key.DeriveFileKey(_header.AsSpan(16, 16));
        _aes = new AesGcm(fileKey, BackupEncryption.TagSize);
        CryptographicOperations.ZeroMemory(fileKey);
        _plain = new byte[chunkSize];
        _cipher = new byte[chunkSize];
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0)
        {
            if (_filled == _plain.Length)
            {
                await EmitAsync(final: false, cancellationToken).ConfigureAwait(false);
            }
            var take = Math.Min(buffer.Length, _plain.Length - _filled);
            buffer.Span[..take].CopyTo(_plain.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Writes the final chunk. Must be called once all data is written; without it the file reads as truncated.</summary>
    public async Task FinishAsync(CancellationToken cancellation)
    {
        if (!_finished)
        {
            await EmitAsync(final: true, cancellation).ConfigureAwait(false);
            _finished = true;
        }
    }

    private async Task EmitAsync(bool final, CancellationToken cancellation)
    {
        if (!_headerWritten)
        {
            await _inner.WriteAsync(_header, cancellation).ConfigureAwait(false);
            _headerWritten = true;
        }
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, _filled);
        var tag = new byte[BackupEncryption.TagSize];
        _aes.Encrypt(BackupEncryption.Nonce(_index), _plain.AsSpan(0, _filled), _cipher.AsSpan(0, _filled), tag,
            BackupEncryption.AssociatedData(_header, _index, final));
        await _inner.WriteAsync(length, cancellation).ConfigureAwait(false);
        await _inner.WriteAsync(_cipher.AsMemory(0, _filled), cancellation).ConfigureAwait(false);
        await _inner.WriteAsync(tag, cancellation).ConfigureAwait(false);
        _index++;
        _filled = 0;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
        }
        base.Dispose(disposing);
    }
}

/// <summary>Read-only stream that decrypts <see cref="BackupEncryption"/>'s format and fails on any tampering or truncation.</summary>
internal sealed class DecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly BackupEncryptionKey _key;
    private readonly string _path;
    private byte[] _header = Array.Empty<byte>();
    private AesGcm? _aes;
    private byte[] _plain = Array.Empty<byte>();
    private byte[] _cipher = Array.Empty<byte>();
    private int _chunkSize;
    private int _plainStart;
    private int _plainEnd;
    private long _index;
    private bool _sawFinal;

    public DecryptingStream(Stream inner, BackupEncryptionKey key, string path)
    {
        _inner = inner;
        _key = key;
        _path = path;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_plainStart == _plainEnd)
        {
            if (_sawFinal)
            {
                if (await _inner.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
                {
                    throw BackupEncryption.Corrupt(_path, "has data after its final chunk");
                }
                return 0;
            }
            await NextChunkAsync(cancellationToken).ConfigureAwait(false);
        }
        var take = Math.Min(buffer.Length, _plainEnd - _plainStart);
        _plain.AsMemory(_plainStart, take).CopyTo(buffer);
        _plainStart += take;
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    private async Task NextChunkAsync(CancellationToken cancellation)
    {
        if (_aes is null)
        {
            _header = new byte[BackupEncryption.HeaderSize];
            if (!await FillAsync(_header, cancellation).ConfigureAwait(false) ||
                !_header.AsSpan(0, 8).SequenceEqual(BackupEncryption.Magic) || _header[8] != 1)
            {
                throw BackupEncryption.Corrupt(_path, "does not start with a ReleaseOps encryption header");
            }
            _chunkSize = BinaryPrimitives.ReadInt32BigEndian(_header.AsSpan(12));
            if (_chunkSize is <= 0 or > 64 << 20)
            {
                throw BackupEncryption.Corrupt(_path, "has an invalid chunk size");
            }
            var fileKey = _key.DeriveFileKey(_header.AsSpan(16, 16));
            _aes = new AesGcm(fileKey, BackupEncryption.TagSize);
            CryptographicOperations.ZeroMemory(fileKey);
            _plain = new byte[_chunkSize];
            _cipher = new byte[_chunkSize];
        }
        var lengthBytes = new byte[4];
        if (!await FillAsync(lengthBytes, cancellation).ConfigureAwait(false))
        {
            throw BackupEncryption.Corrupt(_path, "is truncated (its final chunk is missing)");
        }
        var length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
        if (length < 0 || length > _chunkSize)
        {
            throw BackupEncryption.Corrupt(_path, $"has a damaged chunk header at chunk {_index}");
        }
        var tag = new byte[BackupEncryption.TagSize];
        if (!await FillAsync(_cipher.AsMemory(0, length), cancellation).ConfigureAwait(false) ||
            !await FillAsync(tag, cancellation).ConfigureAwait(false))
        {
            throw BackupEncryption.Corrupt(_path, "is truncated inside a chunk");
        }
        // A short chunk can only be the final one; a full chunk is tried as non-final first.
        var final = length < _chunkSize;
        if (!TryDecrypt(length, tag, final) && !(final == false && TryDecrypt(length, tag, final = true)))
        {
            throw BackupEncryption.Corrupt(_path, $"fails authentication at chunk {_index} (damaged, or a different key)");
        }
        _sawFinal = final;
        _plainStart = 0;
        _plainEnd = length;
        _index++;
    }

    private bool TryDecrypt(int length, byte[] tag, bool final)
    {
        try
        {
            _aes!.Decrypt(BackupEncryption.Nonce(_index), _cipher.AsSpan(0, length), tag, _plain.AsSpan(0, length),
                BackupEncryption.AssociatedData(_header, _index, final));
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private async Task<bool> FillAsync(Memory<byte> target, CancellationToken cancellation)
    {
        var filled = 0;
        while (filled < target.Length)
        {
            var n = await _inner.ReadAsync(target[filled..], cancellation).ConfigureAwait(false);
            if (n == 0)
            {
                return false;
            }
            filled += n;
        }
        return true;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes?.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
        }
        base.Dispose(disposing);
    }
}
