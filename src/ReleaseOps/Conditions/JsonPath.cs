using System.Text.Json;

namespace ReleaseOps.Conditions;

/// <summary>Dotted JSON paths with array indexes: <c>status</c>, <c>checks[0].name</c>, <c>data.items[2]</c>.</summary>
public static class JsonPath
{
    public static JsonElement? Find(JsonElement root, string path)
    {
        var current = root;
        if (path.Length == 0)
        {
            return current;
        }
        foreach (var segment in path.Split('.'))
        {
            var name = segment;
            var indexes = new List<int>();
            var bracket = name.IndexOf('[');
            if (bracket >= 0)
            {
                foreach (var part in name[bracket..].Split('[', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!int.TryParse(part.TrimEnd(']'), out var index))
                    {
                        return null;
                    }
                    indexes.Add(index);
                }
                name = name[..bracket];
            }
            if (name.Length > 0)
            {
                if (current.ValueKind != JsonValueKind.Object || !TryProperty(current, name, out current))
                {
                    return null;
                }
            }
            foreach (var index in indexes)
            {
                if (current.ValueKind != JsonValueKind.Array || index >= current.GetArrayLength())
                {
                    return null;
                }
                current = current[index];
            }
        }
        return current;
    }

    private static bool TryProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.TryGetProperty(name, out value))
        {
            return true;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }
        return false;
    }
}
