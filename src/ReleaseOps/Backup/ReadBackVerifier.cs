using System.IO.Hashing;

namespace ReleaseOps.Backup;

/// <summary>
/// Verifies a backup file while it is written instead of re-reading it afterwards: the writer hands
/// each chunk over once the OS has it (<see cref="Written"/>), and a reader on a second handle reads the
/// file back behind the writer. Both sides hash with XXH3-64 (a corruption check, not the backup's
/// checksum: the manifest's SHA-256 is computed once, on the bytes written). <see cref="CompleteAsync"/>
/// reads the tail, then compares the hashes and lengths: what the file system returns is what was written.
/// The read-back overlaps pg_dump's streaming, so it no longer adds a whole pass over the file at the end.
/// </summary>
internal sealed class ReadBackVerifier : IAsyncDisposable
{
    private readonly XxHash3 _written = new();
    private readonly XxHash3 _read = new();
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly FileStream _reader;
    private readonly CancellationTokenSource _stop;
    private readonly Task<long> _loop;
    private const long WakeEvery = 1 << 20;
    private long _available;
    private long _wokenAt;
    private volatile bool _finished;

    public ReadBackVerifier(string path, CancellationToken cancellation)
    {
        _reader = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite,
            BufferSize = 0,
            Options = FileOptions.SequentialScan,
        });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        // A thread of its own with blocking reads, like the writer's: no thread-pool worker woken per step.
        _loop = Task.Factory.StartNew(() => Read(_stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Bytes the writer handed over (they are in the OS: the writer's stream is unbuffered).</summary>
    public long WrittenBytes => Interlocked.Read(ref _available);

    /// <summary>Called by the writer after each write has reached the OS.</summary>
    public void Written(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length == 0) return;
        _written.Append(bytes);
        var available = Interlocked.Add(ref _available, bytes.Length);
        // The reader follows in steps of a megabyte or more: one wake-up per pipe read would cost more CPU than the reading.
        if (available - _wokenAt >= WakeEvery)
        {
            _wokenAt = available;
            Wake();
        }
    }

    /// <summary>The writer is done: reads what is left and compares. Returns null when the file reads back as written, else what differs.</summary>
    public async Task<string?> CompleteAsync()
    {
        _finished = true;
        Wake();
        var read = await _loop.ConfigureAwait(false);
        var written = WrittenBytes;
        var onDisk = _reader.Length;
        if (read != written || onDisk != written)
        {
            return $"{read:N0} bytes read back, {onDisk:N0} on disk, {written:N0} written";
        }
        return _read.GetCurrentHashAsUInt64() == _written.GetCurrentHashAsUInt64() ? null : "the bytes read back differ from the bytes written";
    }

    private void Wake()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    private long Read(CancellationToken cancellation)
    {
        var buffer = new byte[1 << 20];
        long position = 0;
        while (true)
        {
            // Finished first, then the count: once finished is seen, the count read after it is final.
            var finished = _finished;
            var available = Interlocked.Read(ref _available);
            while (position < available)
            {
                cancellation.ThrowIfCancellationRequested();
                var n = _reader.Read(buffer, 0, (int)Math.Min(buffer.Length, available - position));
                if (n == 0)
                {
                    return position; // shorter than written: CompleteAsync reports it
                }
                _read.Append(buffer.AsSpan(0, n));
                position += n;
            }
            if (finished)
            {
                return position;
            }
            _signal.Wait(cancellation);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The backup already failed or was discarded; what matters is that the handle is closed.
        }
        await _reader.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _signal.Dispose();
    }
}
