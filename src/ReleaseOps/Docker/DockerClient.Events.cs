using System.Runtime.CompilerServices;
using System.Text.Json;

namespace ReleaseOps.Docker;

public sealed partial class DockerClient
{
    /// <summary>
    /// GET /events as a stream: each event is yielded as the daemon sends it, one JSON line at a time. Without
    /// <see cref="DockerEventFilter.Until"/> the stream lasts until <paramref name="cancellation"/> fires.
    /// </summary>
    public async IAsyncEnumerable<DockerEvent> GetEventsAsync(DockerEventFilter? filter = null,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        filter ??= new DockerEventFilter();
        var filters = new List<KeyValuePair<string, string>>();
        filters.AddRange(filter.Types.Select(t => new KeyValuePair<string, string>("type", t)));
        filters.AddRange(filter.Actions.Select(a => new KeyValuePair<string, string>("event", a)));
        filters.AddRange(filter.Containers.Select(c => new KeyValuePair<string, string>("container", c)));
        filters.AddRange(filter.Services.Select(s => new KeyValuePair<string, string>("service", s)));
        AddLabelFilters(filters, filter.Labels);
        var query = new DockerQuery()
            .Add("since", UnixTime(filter.Since))
            .Add("until", UnixTime(filter.Until))
            .Add("filters", DockerJson.Filters(filters));
        using var response = await SendAsync(HttpMethod.Get, "events", query, null, "events", cancellation).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (true)
        {
            string? line;
            try
            {
                line = await reader.ReadLineAsync(cancellation).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw BrokenStream("events", ex);
            }
            if (line is null)
            {
                yield break;
            }
            if (line.Length == 0)
            {
                continue;
            }
            DockerEvent? item;
            try
            {
                item = JsonSerializer.Deserialize<DockerEvent>(line, DockerJson.Options);
            }
            catch (JsonException ex)
            {
                throw BrokenStream("events", ex);
            }
            if (item is not null)
            {
                yield return item;
            }
        }
    }

    private static string? UnixTime(DateTimeOffset? moment)
    {
        if (moment is not { } value)
        {
            return null;
        }
        var nanos = (value.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        var seconds = nanos / 1_000_000_000;
        var fraction = nanos % 1_000_000_000;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{seconds}.{fraction:D9}");
    }
}
