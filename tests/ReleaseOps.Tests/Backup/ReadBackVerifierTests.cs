using System.Text;
using ReleaseOps.Backup;
using Xunit;

namespace ReleaseOps.Tests.Backup;

/// <summary>The backup's read-back, which follows the writer instead of re-reading the whole file at the end.</summary>
public class ReadBackVerifierTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ro-bkp-readback-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Bytes_read_back_as_written_pass_across_many_chunks()
    {
        var path = Path.Combine(_dir, "ok.partial");
        await using var file = BackupFiles.CreatePrivate(path, bufferSize: 0, shareRead: true);
        await using var verifier = new ReadBackVerifier(path, CancellationToken.None);
        await using var check = new ChecksumStream(file, leaveOpen: true, readBack: verifier);
        var chunk = new byte[70_000];
        for (var i = 0; i < 40; i++)
        {
            Random.Shared.NextBytes(chunk);
            await check.WriteAsync(chunk);
            if (i % 7 == 0) await Task.Yield();
        }
        Assert.Null(await verifier.CompleteAsync());
        Assert.Equal(40L * chunk.Length, verifier.WrittenBytes);
        Assert.Equal((check.CurrentHash(), check.BytesSeen), await ChecksumStream.HashFileAsync(path, CancellationToken.None));
    }

    [Fact]
    public async Task A_file_that_reads_back_other_bytes_or_fewer_bytes_is_reported()
    {
        var path = Path.Combine(_dir, "bad.partial");
        await using (var file = BackupFiles.CreatePrivate(path, bufferSize: 0, shareRead: true))
        {
            await using var verifier = new ReadBackVerifier(path, CancellationToken.None);
            await file.WriteAsync(Encoding.ASCII.GetBytes("the bytes on disk"));
            verifier.Written(Encoding.ASCII.GetBytes("the bytes in hand")); // what the file system should have returned
            Assert.Equal("the bytes read back differ from the bytes written", await verifier.CompleteAsync());
        }

        var shortPath = Path.Combine(_dir, "short.partial");
        await using (var file = BackupFiles.CreatePrivate(shortPath, bufferSize: 0, shareRead: true))
        {
            await using var verifier = new ReadBackVerifier(shortPath, CancellationToken.None);
            await file.WriteAsync(new byte[100]);
            verifier.Written(new byte[150]);
            Assert.Contains("100 bytes read back, 100 on disk, 150 written", await verifier.CompleteAsync());
        }
    }
}
