using System.Security.Cryptography;
using System.Text;

namespace ReleaseOps.Backup;

/// <summary>
/// The checksum of a directory-format dump: each file's SHA-256 and size, and one SHA-256 over the
/// sorted lines <c>"PATH SIZE SHA256\n"</c>, which is what the manifest's <c>sha256</c> holds.
/// </summary>
internal static class DirectoryChecksum
{
    /// <param name="parallelism">Files hashed at a time (the dump's jobs: its files are independent).</param>
    public static async Task<(string Sha256, long Size, IReadOnlyList<BackupFileChecksum> Files)> ComputeAsync(string directory,
        CancellationToken cancellation, int parallelism = 1)
    {
        var paths = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        var files = new BackupFileChecksum[paths.Length];
        // The largest first, so that one big table file does not start last and leave the other workers idle.
        var order = Enumerable.Range(0, paths.Length).OrderByDescending(i => new FileInfo(paths[i]).Length).ToArray();
        await Parallel.ForEachAsync(order, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellation },
            async (i, token) =>
            {
                var (sha, size) = await ChecksumStream.HashFileAsync(paths[i], token).ConfigureAwait(false);
                files[i] = new BackupFileChecksum(Path.GetRelativePath(directory, paths[i]), size, sha);
            }).ConfigureAwait(false);
        return (Combine(files), files.Sum(f => f.SizeBytes), files);
    }

    public static string Combine(IEnumerable<BackupFileChecksum> files)
    {
        var text = new StringBuilder();
        foreach (var file in files.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            text.Append(file.Path).Append(' ').Append(file.SizeBytes).Append(' ').Append(file.Sha256).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))).ToLowerInvariant();
    }
}
