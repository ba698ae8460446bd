using System.Globalization;
using System.Text.Json;
using ReleaseOps.Errors;

namespace ReleaseOps.Gates.Checks;

/// <summary>The facts about one backup the postgres gate needs, read from its manifest.</summary>
internal sealed record BackupFacts(string Id, string? Database, string Source, DateTimeOffset FinishedAt, bool? Verified, string ManifestPath);

/// <summary>
/// Reads the backup capability's manifests (<c>ID.manifest.json</c> in a backup directory,
/// camelCase JSON: id, kind, database, source, finishedAt, lastVerification.passed; see
/// docs/backups.md) without depending on the backup engine: a gate only needs their ages.
/// A data file without a manifest is an unfinished backup and does not count.
/// </summary>
internal static class BackupManifestReader
{
    public const string Suffix = ".manifest.json";

    public static async Task<IReadOnlyList<BackupFacts>> ReadPostgresAsync(string directory, CancellationToken cancellation)
    {
        if (!Directory.Exists(directory))
        {
            throw new ReleaseOpsException("BackupDirectoryNotFound", FailureKind.NotFound, $"The backup directory {directory} does not exist.",
                target: directory, fix: "Point backup_directory at the plan's backup destination.");
        }
        var found = new List<BackupFacts>();
        foreach (var path in Directory.EnumerateFiles(directory, "*" + Suffix))
        {
            try
            {
                await using var file = File.OpenRead(path);
                using var json = await JsonDocument.ParseAsync(file, cancellationToken: cancellation).ConfigureAwait(false);
                var root = json.RootElement;
                if (!string.Equals(Text(root, "kind"), "postgres", StringComparison.OrdinalIgnoreCase) ||
                    !DateTimeOffset.TryParse(Text(root, "finishedAt"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var finished))
                {
                    continue;
                }
                bool? verified = root.TryGetProperty("lastVerification", out var v) && v.ValueKind == JsonValueKind.Object &&
                                 v.TryGetProperty("passed", out var passed) && passed.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? passed.GetBoolean()
                    : null;
                found.Add(new BackupFacts(Text(root, "id") ?? Path.GetFileName(path), Text(root, "database"), Text(root, "source") ?? "",
                    finished, verified, path));
            }
            catch (JsonException)
            {
                // A damaged manifest is not a backup anyone can trust; it does not count.
            }
        }
        return found.OrderByDescending(b => b.FinishedAt).ToArray();
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
