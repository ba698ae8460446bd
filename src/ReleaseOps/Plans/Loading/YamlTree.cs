using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ReleaseOps.Plans.Loading;

/// <summary>A YAML node with the position it starts at (1-based line and column).</summary>
internal abstract record YamlTreeNode(int Line, int Column);

internal sealed record YamlTreeScalar(int Line, int Column, string Value, ScalarStyle Style) : YamlTreeNode(Line, Column)
{
    /// <summary>An unquoted empty value, ~ or null.</summary>
    public bool IsNull => Style is ScalarStyle.Plain && Value is "" or "~" or "null" or "Null" or "NULL";

    public bool IsQuoted => Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted;
}

internal sealed record YamlTreeSequence(int Line, int Column, IReadOnlyList<YamlTreeNode> Items) : YamlTreeNode(Line, Column);

internal sealed record YamlTreeMapping(int Line, int Column, IReadOnlyList<KeyValuePair<YamlTreeScalar, YamlTreeNode>> Entries)
    : YamlTreeNode(Line, Column);

/// <summary>
/// Reads YAML into a tree that keeps every node's position, from YamlDotNet's parser events.
/// Duplicate keys and non-scalar keys are reported here, with positions, instead of failing the
/// load; anchors and aliases resolve to the anchored node.
/// </summary>
internal sealed class YamlTreeReader
{
    private readonly Dictionary<string, YamlTreeNode> _anchors = new(StringComparer.Ordinal);
    private readonly List<(int Line, int Column, string Code, string Message)> _problems = new();

    public IReadOnlyList<(int Line, int Column, string Code, string Message)> Problems => _problems;

    /// <summary>Parses the text; throws <see cref="YamlException"/> for malformed YAML.</summary>
    public YamlTreeNode? Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        if (parser.TryConsume<StreamEnd>(out _))
        {
            return null;
        }
        parser.Consume<DocumentStart>();
        var root = ReadNode(parser);
        parser.Consume<DocumentEnd>();
        if (parser.Accept<DocumentStart>(out var next))
        {
            _problems.Add(((int)next.Start.Line, (int)next.Start.Column, "MultipleDocuments",
                "a plan file holds one YAML document; remove the second '---' document or put it in its own file"));
        }
        return root;
    }

    private YamlTreeNode ReadNode(IParser parser)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            return _anchors.TryGetValue(alias.Value.Value, out var target)
                ? target
                : throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value} refers to no anchor defined before it");
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            return Remember(scalar.Anchor, new YamlTreeScalar((int)scalar.Start.Line, (int)scalar.Start.Column, scalar.Value, scalar.Style));
        }
        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YamlTreeNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser));
            }
            return Remember(sequenceStart.Anchor, new YamlTreeSequence((int)sequenceStart.Start.Line, (int)sequenceStart.Start.Column, items));
        }
        var mappingStart = parser.Consume<MappingStart>();
        var entries = new List<KeyValuePair<YamlTreeScalar, YamlTreeNode>>();
        var seen = new Dictionary<string, YamlTreeScalar>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser);
            var value = ReadNode(parser);
            if (keyNode is not YamlTreeScalar key)
            {
                _problems.Add((keyNode.Line, keyNode.Column, "ComplexKey", "a key must be a plain name, not a list or mapping"));
                continue;
            }
            if (seen.TryGetValue(key.Value, out var first))
            {
                _problems.Add((key.Line, key.Column, "DuplicateKey",
                    $"duplicate key '{key.Value}' (first defined at line {first.Line}, column {first.Column})"));
                continue;
            }
            seen[key.Value] = key;
            entries.Add(new(key, value));
        }
        return Remember(mappingStart.Anchor, new YamlTreeMapping((int)mappingStart.Start.Line, (int)mappingStart.Start.Column, entries));
    }

    private YamlTreeNode Remember(YamlDotNet.Core.AnchorName anchor, YamlTreeNode node)
    {
        if (!anchor.IsEmpty)
        {
            _anchors[anchor.Value] = node;
        }
        return node;
    }
}
