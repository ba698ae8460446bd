using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ReleaseOps.Secrets;

namespace ReleaseOps.Docker;

/// <summary>JSON settings and small pieces shared by the Docker client's requests and records.</summary>
internal static class DockerJson
{
    public static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>();

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<PortBindingInfo>?> EmptyPorts =
        new Dictionary<string, IReadOnlyList<PortBindingInfo>?>();

    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        PropertyNameCaseInsensitive = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new DockerTimestampConverter() },
    };

    /// <summary>Docker's filter syntax: <c>{"label":["a=b"],"name":["x"]}</c>, or null when empty.</summary>
    public static string? Filters(IEnumerable<KeyValuePair<string, string>> filters)
    {
        var map = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in filters)
        {
            if (!map.TryGetValue(key, out var values))
            {
                map[key] = values = new List<string>();
            }
            values.Add(value);
        }
        return map.Count == 0 ? null : JsonSerializer.Serialize(map);
    }

    /// <summary><c>NAME=value</c> entries; secret values are revealed here, into the request body only.</summary>
    public static List<string> Environment(IReadOnlyDictionary<string, string> env, IReadOnlyDictionary<string, SecretValue> secretEnv) =>
        env.Select(e => $"{e.Key}={e.Value}").Concat(secretEnv.Select(e => $"{e.Key}={e.Value.Reveal()}")).ToList();

    public static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    public static JsonObject Map(IEnumerable<KeyValuePair<string, string>> values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values)
        {
            map[key] = value;
        }
        return map;
    }

    public static long Nanoseconds(TimeSpan value) => value.Ticks * 100;

    public static TimeSpan FromNanoseconds(long value) => TimeSpan.FromTicks(value / 100);
}

/// <summary>
/// Docker writes timestamps in RFC 3339 with nanoseconds and uses <c>0001-01-01T00:00:00Z</c> for "never";
/// both read as <see cref="DateTimeOffset"/> (the zero value for never).
/// </summary>
internal sealed class DockerTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64());
        }
        var text = reader.GetString();
        if (string.IsNullOrEmpty(text))
        {
            return default;
        }
        // .NET keeps 7 fractional digits; Docker sends up to 9.
        var dot = text.IndexOf('.');
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }
            if (end - dot - 1 > 7)
            {
                text = string.Concat(text.AsSpan(0, dot + 8), text.AsSpan(end));
            }
        }
        return DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture));
}

/// <summary>Durations Docker expresses in nanoseconds (healthcheck intervals, update delays).</summary>
internal sealed class NanosecondsConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DockerJson.FromNanoseconds(reader.GetInt64());

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
        writer.WriteNumberValue(DockerJson.Nanoseconds(value));
}
