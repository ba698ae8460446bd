using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReleaseOps.Checklists;
using ReleaseOps.Errors;

namespace ReleaseOps.Records;

/// <summary>The forms a release record is written in.</summary>
[Flags]
public enum ReleaseRecordFormat
{
    Json = 1,
    Markdown = 2,
    Html = 4,
    All = Json | Markdown | Html,
}

/// <summary>Writes a <see cref="ReleaseArchive"/> as JSON, Markdown and one self-contained HTML page.</summary>
public static class ReleaseArchiveWriter
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Writes the chosen forms into <paramref name="directory"/> as <c>APP-ENV-VERSION-RELEASE.json|md|html</c>; returns their paths.</summary>
    public static async Task<IReadOnlyList<string>> WriteAsync(ReleaseArchive archive, string directory, ReleaseRecordFormat formats,
        CancellationToken cancellation)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var stem = Path.Combine(directory, Safe($"{archive.Application}-{archive.Environment}-{archive.Release.Version}-{archive.Release.Id}"));
            var written = new List<string>();
            foreach (var (format, extension, render) in new (ReleaseRecordFormat, string, Func<ReleaseArchive, string>)[]
                     {
                         (ReleaseRecordFormat.Json, ".json", ToJson), (ReleaseRecordFormat.Markdown, ".md", MarkdownRecord.Write),
                         (ReleaseRecordFormat.Html, ".html", HtmlRecord.Write),
                     })
            {
                if (!formats.HasFlag(format)) continue;
                await File.WriteAllTextAsync(stem + extension, render(archive), new UTF8Encoding(false), cancellation).ConfigureAwait(false);
                written.Add(stem + extension);
            }
            return written;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReleaseOpsException("ReleaseRecordNotWritten", ex is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.OperationFailed,
                $"The release record could not be written to {directory}: {ex.Message}", directory, "Give a directory that exists (or can be created) and is writable.", ex);
        }
    }

    public static string ToJson(ReleaseArchive archive) => JsonSerializer.Serialize(archive, Json) + "\n";

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    internal static string State(ChecklistItemState state) => state switch
    {
        ChecklistItemState.NotApplicable => "not applicable",
        _ => state.ToString().ToLowerInvariant(),
    };

    internal static string When(DateTimeOffset? at) =>
        at is null ? "" : at.Value.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Span(TimeSpan? duration) =>
        duration is null ? "" : duration.Value.TotalSeconds < 1 ? $"{duration.Value.TotalMilliseconds:0} ms" : $"{duration.Value.TotalSeconds:0.0} s";
}
