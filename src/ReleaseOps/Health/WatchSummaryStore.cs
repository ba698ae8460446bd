using System.Text.Json;
using System.Text.Json.Serialization;
using ReleaseOps.Errors;

namespace ReleaseOps.Health;

/// <summary>What a finished watch leaves in the journal for the next release to compare against.</summary>
public sealed record WatchSummary
{
    public required string Application { get; init; }
    public required string Environment { get; init; }
    public string? Version { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public TimeSpan Duration { get; init; }
    public HealthStatus Status { get; init; }
    public string? BreachedCriterion { get; init; }
    public long Samples { get; init; }
    /// <summary>All HTTP and TCP latencies pooled.</summary>
    public ProbeSummary? Overall { get; init; }
    public IReadOnlyList<ProbeSummary> Probes { get; init; } = Array.Empty<ProbeSummary>();
    public IReadOnlyList<CriterionResult> Criteria { get; init; } = Array.Empty<CriterionResult>();
}

/// <summary>
/// Saves watch summaries as <c>&lt;journal&gt;/watches/&lt;app&gt;-&lt;env&gt;-&lt;time&gt;.json</c>, written to a
/// temporary file, flushed to disk and renamed into place, so a reader never sees half a file;
/// and finds the newest summary of an application and environment for a baseline.
/// </summary>
public sealed class WatchSummaryStore
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public WatchSummaryStore(string journalPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(journalPath);
        Directory = Path.Combine(Path.GetFullPath(journalPath), "watches");
    }

    public string Directory { get; }

    public async Task<string> SaveAsync(WatchSummary summary, CancellationToken cancellation)
    {
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            var name = $"{Safe(summary.Application)}-{Safe(summary.Environment)}-{summary.StartedAt.UtcDateTime:yyyyMMdd'T'HHmmssfff'Z'}-{Guid.NewGuid().ToString("N")[..6]}.json";
            var path = Path.Combine(Directory, name);
            var temporary = path + ".tmp";
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                await JsonSerializer.SerializeAsync(stream, summary, Json, cancellation).ConfigureAwait(false);
                await stream.FlushAsync(cancellation).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ReleaseOpsException("WatchSummaryNotSaved", ex is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.OperationFailed,
                $"Could not save the watch summary under {Directory}: {ex.Message}", Directory,
                "Check that the journal directory exists and is writable.", ex);
        }
    }

    /// <summary>The newest saved summary for this application and environment (and <paramref name="version"/>, if given), or null.</summary>
    public WatchSummary? LoadLatest(string application, string environment, string? version = null)
    {
        if (!System.IO.Directory.Exists(Directory)) return null;
        var prefix = $"{Safe(application)}-{Safe(environment)}-";
        foreach (var file in System.IO.Directory.EnumerateFiles(Directory, prefix + "*.json").OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal))
        {
            try
            {
                var summary = JsonSerializer.Deserialize<WatchSummary>(File.ReadAllText(file), Json);
                if (summary is not null && summary.Application == application && summary.Environment == environment
                    && (version is null || summary.Version == version))
                {
                    return summary;
                }
            }
            catch (JsonException)
            {
                // A damaged file is not a baseline; try the one before it.
            }
        }
        return null;
    }

    private static string Safe(string text) =>
        string.Concat(text.Select(c => char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_'));
}
