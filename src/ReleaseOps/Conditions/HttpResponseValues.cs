using System.Text;
using System.Text.Json;

namespace ReleaseOps.Conditions;

/// <summary>
/// The named values an HTTP response offers to conditions, the same for gates, deployment probes
/// and health probes: <c>status</c>, <c>response_time</c>, <c>body</c>, <c>size</c>,
/// <c>header.NAME</c> and <c>json.PATH</c> (the body parsed once, on first use).
/// </summary>
public static class HttpResponseValues
{
    public static ConditionValues Create(int status, TimeSpan elapsed, string body, IReadOnlyDictionary<string, string> headers) =>
        new ConditionValues()
            .Set("status", status)
            .Set("response_time", elapsed)
            .Set("body", body)
            .Set("size", ConditionValue.Size(Encoding.UTF8.GetByteCount(body)))
            .AddResolver(Resolver(body, headers));

    /// <summary>Resolves <c>header.NAME</c> (case-insensitive) and <c>json.PATH</c>; null for other names or a body that is not JSON.</summary>
    public static Func<string, ConditionValue?> Resolver(string body, IReadOnlyDictionary<string, string> headers)
    {
        JsonDocument? json = null;
        var parsed = false;
        return name =>
        {
            if (name.StartsWith("header.", StringComparison.OrdinalIgnoreCase))
            {
                var header = name[7..];
                var value = headers.FirstOrDefault(h => string.Equals(h.Key, header, StringComparison.OrdinalIgnoreCase));
                return value.Key is null ? null : ConditionValue.String(value.Value);
            }
            if (!name.StartsWith("json.", StringComparison.OrdinalIgnoreCase) && !name.Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            if (!parsed)
            {
                parsed = true;
                try
                {
                    json = JsonDocument.Parse(body);
                }
                catch (JsonException)
                {
                    json = null;
                }
            }
            return json is not null && JsonPath.Find(json.RootElement, name.Length > 4 ? name[5..] : "") is { } element
                ? ConditionValue.FromJson(element)
                : null;
        };
    }
}
