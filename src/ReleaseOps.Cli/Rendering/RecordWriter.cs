using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ReleaseOps.Plans;
using ReleaseOps.Secrets;
using ReleaseOps.Text;

namespace ReleaseOps.Cli.Rendering;

public enum OutputFormat
{
    Table,
    Json,
}

/// <summary>
/// Renders engine records for the terminal: an aligned table of chosen columns, or JSON
/// (<c>--output json</c>) for scripts. The same records the cmdlets emit, so both hosts agree.
/// </summary>
public static class RecordWriter
{
    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        options.Converters.Add(new MaskedSecretConverter());
        options.Converters.Add(new GateSettingsConverter());
        options.Converters.Add(new TimeSpanTextConverter());
        return options;
    }

    public static void WriteJson(TextWriter writer, object? value) =>
        writer.WriteLine(JsonSerializer.Serialize(value, value?.GetType() ?? typeof(object), Json));

    /// <summary>Writes records as a table with the named columns (property names), or as a JSON array.</summary>
    public static void Write<T>(TextWriter writer, IReadOnlyCollection<T> records, OutputFormat format, params string[] columns)
    {
        if (format == OutputFormat.Json)
        {
            WriteJson(writer, records);
            return;
        }
        if (records.Count == 0)
        {
            return;
        }
        var properties = columns.Select(c => typeof(T).GetProperty(c, BindingFlags.Public | BindingFlags.Instance)
            ?? throw new ArgumentException($"{typeof(T).Name} has no property {c}")).ToArray();
        var rows = records.Select(r => properties.Select(p => Cell(p.GetValue(r))).ToArray()).ToList();
        var widths = properties.Select((p, i) => Math.Max(p.Name.Length, rows.Max(r => r[i].Length))).ToArray();
        writer.WriteLine(string.Join("  ", properties.Select((p, i) => p.Name.PadRight(widths[i]))).TrimEnd());
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            writer.WriteLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }
    }

    public static string Cell(object? value) => value switch
    {
        null => "",
        string s => s,
        TimeSpan t => DurationText.Format(t),
        DateTimeOffset d => d.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTime d => d.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        double d => d.ToString("0.###", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable e => string.Join(", ", e.Cast<object?>().Select(Cell)),
        _ => value.ToString() ?? "",
    };

    private sealed class MaskedSecretConverter : JsonConverter<SecretValue>
    {
        public override SecretValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("Secrets are never read from JSON.");

        public override void Write(Utf8JsonWriter writer, SecretValue value, JsonSerializerOptions options) =>
            writer.WriteStringValue(SecretValue.Mask);
    }

    private sealed class GateSettingsConverter : JsonConverter<GateSettings>
    {
        public override GateSettings Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException();

        public override void Write(Utf8JsonWriter writer, GateSettings value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.ToDictionary(), options);
    }

    private sealed class TimeSpanTextConverter : JsonConverter<TimeSpan>
    {
        public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DurationText.Parse(reader.GetString()!);

        public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options) =>
            writer.WriteStringValue(DurationText.Format(value));
    }
}
