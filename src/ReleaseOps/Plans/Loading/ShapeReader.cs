using System.Globalization;
using ReleaseOps.Plans.Schema;
using ReleaseOps.Text;

namespace ReleaseOps.Plans.Loading;

/// <summary>
/// Checks a YAML tree against a <see cref="Shape"/> and converts it to typed values in one walk,
/// collecting every problem with its position instead of stopping at the first.
/// </summary>
internal sealed class ShapeReader
{
    private readonly string _file;
    private readonly VariableExpander _expander;
    private readonly Func<string, (int Offset, string Message)?> _checkCondition;
    private readonly List<PlanDiagnostic> _diagnostics;

    public ShapeReader(string file, VariableExpander expander, Func<string, (int Offset, string Message)?> checkCondition,
        List<PlanDiagnostic> diagnostics)
    {
        _file = file;
        _expander = expander;
        _checkCondition = checkCondition;
        _diagnostics = diagnostics;
    }

    public object? Read(YamlTreeNode node, Shape shape, string path) => shape switch
    {
        ScalarShape scalar => ReadScalar(node, scalar, path),
        ListShape list => ReadList(node, list, path),
        MapShape map => ReadMap(node, map, path),
        ObjectShape obj => ReadObject(node, obj.Properties, path, discriminator: null),
        TaggedShape tagged => ReadTagged(node, tagged, path),
        _ => throw new InvalidOperationException($"unknown shape {shape.GetType().Name}"),
    };

    private object? ReadTagged(YamlTreeNode node, TaggedShape shape, string path)
    {
        if (node is not YamlTreeMapping mapping)
        {
            return Expected(node, path, "a mapping");
        }
        var tag = mapping.Entries.FirstOrDefault(e => e.Key.Value == shape.Discriminator);
        if (tag.Key is null && shape.DefaultTag is { } fallback)
        {
            return ReadObject(node, shape.Common.Concat(shape.Variants[fallback]).ToArray(), path, discriminator: $"{shape.Discriminator} '{fallback}'");
        }
        if (tag.Key is null)
        {
            // Report the missing tag (and every other problem of the common keys) via the common shape.
            return ReadObject(node, shape.Common, path, discriminator: null, unknownKeysAllowed: true);
        }
        var tagValue = tag.Value is YamlTreeScalar s ? s.Value : null;
        var variant = tagValue is null
            ? null
            : shape.Variants.FirstOrDefault(v => string.Equals(v.Key, tagValue, StringComparison.OrdinalIgnoreCase)).Value;
        if (variant is null)
        {
            // The tag itself is reported as a bad enum value; settings cannot be checked without knowing the type.
            return ReadObject(node, shape.Common, path, discriminator: null, unknownKeysAllowed: true);
        }
        return ReadObject(node, shape.Common.Concat(variant).ToArray(), path, discriminator: $"{shape.Discriminator} '{tagValue}'");
    }

    private object? ReadObject(YamlTreeNode node, IReadOnlyList<Property> properties, string path, string? discriminator,
        bool unknownKeysAllowed = false)
    {
        if (node is not YamlTreeMapping mapping)
        {
            return Expected(node, path, "a mapping of keys to values");
        }
        var result = new PlanObject(Where(node));
        foreach (var (key, value) in mapping.Entries)
        {
            var property = properties.FirstOrDefault(p => p.Name == key.Value);
            var keyPath = Join(path, key.Value);
            if (property is null)
            {
                if (!unknownKeysAllowed)
                {
                    var scope = discriminator is null ? "" : $" for {discriminator}";
                    Report(key, keyPath, "UnknownKey",
                        $"unknown key '{key.Value}'{scope}{NameSuggestion.Hint(key.Value, properties.Select(p => p.Name))}");
                }
                continue;
            }
            if (property.Refused is { } why)
            {
                Report(key, keyPath, "KeyRefused", $"'{key.Value}' is not supported: {why}");
                continue;
            }
            if (value is YamlTreeScalar { IsNull: true })
            {
                if (property.Required)
                {
                    Report(value, keyPath, "MissingValue", $"'{key.Value}' needs a value ({Describe(property.Shape)})");
                }
                continue;
            }
            result.Set(key.Value, Read(value, property.Shape, keyPath));
        }
        foreach (var required in properties.Where(p => p.Required))
        {
            if (!mapping.Entries.Any(e => e.Key.Value == required.Name))
            {
                Report(node, path, "MissingKey", $"missing required key '{required.Name}'" + (path.Length > 0 ? $" in {path}" : ""));
            }
        }
        return result;
    }

    private object? ReadList(YamlTreeNode node, ListShape shape, string path)
    {
        if (node is not YamlTreeSequence sequence)
        {
            if (shape.AcceptsSingle && node is YamlTreeScalar)
            {
                return new List<object?> { Read(node, shape.Item, path) };
            }
            return Expected(node, path, $"a list of {Describe(shape.Item)}");
        }
        var items = new List<object?>();
        var names = new Dictionary<string, YamlTreeNode>(StringComparer.Ordinal);
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = sequence.Items[i];
            var itemPath = $"{path}[{i}]";
            items.Add(Read(item, shape.Item, itemPath));
            if (shape.UniqueKey is { } uniqueKey && item is YamlTreeMapping mapping
                && mapping.Entries.FirstOrDefault(e => e.Key.Value == uniqueKey).Value is YamlTreeScalar nameNode)
            {
                if (names.TryGetValue(nameNode.Value, out var first))
                {
                    Report(nameNode, itemPath, "DuplicateName",
                        $"duplicate {uniqueKey} '{nameNode.Value}' in {path} (first used at line {first.Line}, column {first.Column})");
                }
                else
                {
                    names[nameNode.Value] = nameNode;
                }
            }
        }
        return items;
    }

    private object? ReadMap(YamlTreeNode node, MapShape shape, string path)
    {
        if (node is not YamlTreeMapping mapping)
        {
            return Expected(node, path, $"a mapping of names to {Describe(shape.Value)}");
        }
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            result[key.Value] = value is YamlTreeScalar { IsNull: true } && shape.Value is ScalarShape
                ? null
                : Read(value, shape.Value, Join(path, key.Value));
        }
        return result;
    }

    private object? ReadScalar(YamlTreeNode node, ScalarShape shape, string path)
    {
        if (node is not YamlTreeScalar scalar)
        {
            return Expected(node, path, Describe(shape));
        }
        // The variables block was expanded (and its problems reported) before the walk.
        var text = path.StartsWith("variables.", StringComparison.Ordinal)
            ? scalar.Value
            : _expander.Expand(scalar.Value, (offset, code, message) => Report(scalar, path, code, message, offset));
        var value = text.Trim();
        switch (shape.Kind)
        {
            case ScalarKind.String:
                return text;
            case ScalarKind.Integer:
            case ScalarKind.Port:
                if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer))
                {
                    return Invalid(scalar, path, value, Describe(shape));
                }
                var (min, max) = shape.Kind == ScalarKind.Port ? (1L, 65535L) : (shape.Minimum, shape.Maximum);
                if (integer < min || integer > max)
                {
                    return Invalid(scalar, path, value, Describe(shape));
                }
                return integer;
            case ScalarKind.Number:
                return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? number
                    : Invalid(scalar, path, value, "a number");
            case ScalarKind.Boolean:
                return value.ToLowerInvariant() switch
                {
                    "true" => true,
                    "false" => false,
                    _ => Invalid(scalar, path, value, "true or false"),
                };
            case ScalarKind.Duration:
                return DurationText.TryParse(value, out var duration)
                    ? duration
                    : Invalid(scalar, path, value, "a duration such as 500ms, 30s, 5m, 2h or 1d");
            case ScalarKind.Size:
                return SizeText.TryParse(value, out var size)
                    ? size
                    : Invalid(scalar, path, value, "a size such as 512KB, 300MB or 1GiB");
            case ScalarKind.Url:
                // A ${secret:NAME} is checked when it is read; here it stands for a URL (or the part it replaces).
                var url = Plans.SecretCatalog.Reference().Replace(value, m => m.Index == 0 && m.Length == value.Length ? "https://secret.invalid" : "secret");
                return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                    ? value
                    : Invalid(scalar, path, value, "an absolute http:// or https:// URL");
            case ScalarKind.Enum:
                var match = shape.Allowed.FirstOrDefault(a => string.Equals(a, value, StringComparison.OrdinalIgnoreCase));
                if (match is null && shape.Retired.FirstOrDefault(r => string.Equals(r.Key, value, StringComparison.OrdinalIgnoreCase)) is { Key: not null } retired)
                {
                    Report(scalar, path, "RetiredValue", $"'{value}' is no longer valid for {LastKey(path)}: {retired.Value}");
                }
                else if (match is null)
                {
                    Report(scalar, path, "InvalidValue",
                        $"'{value}' is not valid for {LastKey(path)}: expected one of {string.Join(", ", shape.Allowed)}{NameSuggestion.Hint(value, shape.Allowed)}");
                }
                return match;
            case ScalarKind.Condition:
                if (value.Length == 0)
                {
                    return Invalid(scalar, path, value, "a condition such as status == 200");
                }
                if (_checkCondition(value) is { } error)
                {
                    Report(scalar, path, "InvalidCondition", $"condition '{value}': {error.Message}", error.Offset);
                }
                return value;
            default:
                throw new InvalidOperationException($"unknown scalar kind {shape.Kind}");
        }
    }

    private object? Invalid(YamlTreeScalar scalar, string path, string value, string expected)
    {
        Report(scalar, path, "InvalidValue", $"'{value}' is not valid for {LastKey(path)}: expected {expected}");
        return null;
    }

    private object? Expected(YamlTreeNode node, string path, string expected)
    {
        var found = node switch
        {
            YamlTreeMapping => "a mapping",
            YamlTreeSequence => "a list",
            YamlTreeScalar s => $"'{s.Value}'",
            _ => "something else",
        };
        Report(node, path, "WrongType", $"{LastKey(path)} must be {expected}, not {found}");
        return null;
    }

    private void Report(YamlTreeNode node, string path, string code, string message, int offset = 0)
    {
        // Inside a one-line scalar, point at the offending character (quotes shift it by one).
        var column = node.Column;
        if (offset > 0 && node is YamlTreeScalar scalar && !scalar.Value.Contains('\n'))
        {
            column += offset + (scalar.IsQuoted ? 1 : 0);
        }
        _diagnostics.Add(new PlanDiagnostic(_file, node.Line, column, DiagnosticSeverity.Error, code, message) { Path = path });
    }

    private SourceLocation Where(YamlTreeNode node) => new(_file, node.Line, node.Column);

    private static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    private static string LastKey(string path) => path.Length == 0 ? "the plan" : $"'{path}'";

    internal static string Describe(Shape shape) => shape switch
    {
        ScalarShape { Kind: ScalarKind.Integer, Minimum: { } min, Maximum: { } max } => $"a whole number from {min} to {max}",
        ScalarShape { Kind: ScalarKind.Integer, Minimum: { } min } => $"a whole number of at least {min}",
        ScalarShape { Kind: ScalarKind.Integer } => "a whole number",
        ScalarShape { Kind: ScalarKind.Port } => "a port number from 1 to 65535",
        ScalarShape { Kind: ScalarKind.Enum } s => "one of " + string.Join(", ", s.Allowed),
        ScalarShape s => "a " + s.Kind.ToString().ToLowerInvariant(),
        ListShape l => "a list of " + Describe(l.Item),
        MapShape m => "a mapping of names to " + Describe(m.Value),
        _ => "a mapping",
    };
}
