using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReleaseOps.Journal;

/// <summary>The JSON form of journal records, shared by the file and PostgreSQL stores.</summary>
internal static class JournalSerializer
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Read<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("empty journal document");
}
