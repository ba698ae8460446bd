using System.Globalization;

namespace ReleaseOps.Redis;

/// <summary>The keys, expiring keys and average TTL of one database, from INFO's keyspace section.</summary>
public sealed record RedisKeyspaceEntry(int Database, long Keys, long Expires, long AverageTtlMilliseconds);

/// <summary>
/// The reply of INFO, parsed: <c># Section</c> headers and <c>name:value</c> lines. Section names
/// and field names compare case-insensitively.
/// </summary>
public sealed record RedisInfo
{
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Sections { get; init; }

    /// <summary>The value of a field from whichever section holds it; null when absent.</summary>
    public string? this[string field] => Get(field);

    public string? Get(string field)
    {
        foreach (var section in Sections.Values)
        {
            if (section.TryGetValue(field, out var value))
            {
                return value;
            }
        }
        return null;
    }

    public IReadOnlyDictionary<string, string> Section(string name) =>
        Sections.TryGetValue(name, out var section) ? section : new Dictionary<string, string>();

    /// <summary><c>redis_version</c>, for example <c>7.0.15</c>.</summary>
    public string? Version => Get("redis_version");

    /// <summary><c>master</c> or <c>slave</c>.</summary>
    public string? Role => Get("role");

    /// <summary>Databases that hold keys, from the keyspace section (<c>db0:keys=1,expires=0,avg_ttl=0</c>).</summary>
    public IReadOnlyList<RedisKeyspaceEntry> Keyspace =>
        Section("Keyspace")
            .Where(kv => kv.Key.StartsWith("db", StringComparison.OrdinalIgnoreCase) &&
                         int.TryParse(kv.Key.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out _))
            .Select(kv => ParseKeyspace(int.Parse(kv.Key.AsSpan(2), CultureInfo.InvariantCulture), kv.Value))
            .OrderBy(e => e.Database)
            .ToArray();

    public static RedisInfo Parse(string text)
    {
        var sections = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        var current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        sections[""] = current;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }
            if (line[0] == '#')
            {
                current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                sections[line[1..].Trim()] = current;
                continue;
            }
            var colon = line.IndexOf(':');
            if (colon > 0)
            {
                current[line[..colon]] = line[(colon + 1)..];
            }
        }
        if (sections[""].Count == 0)
        {
            sections.Remove("");
        }
        return new RedisInfo { Sections = sections };
    }

    private static RedisKeyspaceEntry ParseKeyspace(int database, string value)
    {
        long keys = 0, expires = 0, ttl = 0;
        foreach (var pair in value.Split(','))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0 || !long.TryParse(pair.AsSpan(eq + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                continue;
            }
            switch (pair[..eq])
            {
                case "keys": keys = n; break;
                case "expires": expires = n; break;
                case "avg_ttl": ttl = n; break;
            }
        }
        return new RedisKeyspaceEntry(database, keys, expires, ttl);
    }
}
