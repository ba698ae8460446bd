using System.Security.Cryptography;
using System.Text;

namespace ReleaseOps.Backup;

/// <summary>
/// The checksum of a directory-format dump: each file's SHA-256 and size, and one SHA-256 over the
/// sorted lines <c>"PATH SIZE SHA256\n"</c>, which is what the manifest's <c>sha256</c> holds.
/// </summary>
internal static class DirectoryChecksum
{
    public static async Task<(string Sha256, long Size, IReadOnlyList<BackupFileChecksum> Files)> ComputeAsync(string directory,
        CancellationToken cancellation)
    {
        var files = new List<BackupFileChecksum>();
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var (sha, size) = await ChecksumStream.HashFileAsync(path, cancellation).ConfigureAwait(false);
            files.Add(new BackupFileChecksum(Path.GetRelativePath(directory, path), size, sha));
        }
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
