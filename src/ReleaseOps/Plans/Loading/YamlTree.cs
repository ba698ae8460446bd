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
/// load; anchors and aliases resolve to the anchored node. Nesting deeper than the reader's bound, and
/// more nodes than its bound (aliases counted at every use: "billion laughs"), are malformed YAML at the
/// node that crosses the bound, never a stack overflow or a process out of memory.
/// </summary>
internal sealed class YamlTreeReader
{
    private readonly Dictionary<string, YamlTreeNode> _anchors = new(StringComparer.Ordinal);
    private readonly Dictionary<YamlTreeNode, long> _sizes = new(ReferenceEqualityComparer.Instance);
    private readonly List<(int Line, int Column, string Code, string Message)> _problems = new();
    private readonly int _maxDepth;
    private readonly long _maxNodes;
    private long _nodes;

    public YamlTreeReader(int maxDepth = 64, long maxNodes = 100_000)
    {
        _maxDepth = maxDepth;
        _maxNodes = maxNodes;
    }

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

    private YamlTreeNode ReadNode(IParser parser, int depth = 1)
    {
        if (parser.Current is { } at && depth > _maxDepth)
        {
            throw new YamlException(at.Start, at.End, $"nesting deeper than {_maxDepth} levels; a release plan nests far less");
        }
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            var target = _anchors.TryGetValue(alias.Value.Value, out var anchored)
                ? anchored
                : throw new YamlException(alias.Start, alias.End, $"alias *{alias.Value} refers to no anchor defined before it");
            Count(_sizes.TryGetValue(target, out var size) ? size : 1, alias.Start, alias.End);
            return target;
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            Count(1, scalar.Start, scalar.End);
            return Remember(scalar.Anchor, new YamlTreeScalar((int)scalar.Start.Line, (int)scalar.Start.Column, scalar.Value, scalar.Style), 1);
        }
        var before = _nodes;
        if (parser.TryConsume<SequenceStart>(out var sequenceStart))
        {
            var items = new List<YamlTreeNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, depth + 1));
            }
            Count(1, sequenceStart.Start, sequenceStart.End);
            return Remember(sequenceStart.Anchor, new YamlTreeSequence((int)sequenceStart.Start.Line, (int)sequenceStart.Start.Column, items),
                _nodes - before);
        }
        var mappingStart = parser.Consume<MappingStart>();
        var entries = new List<KeyValuePair<YamlTreeScalar, YamlTreeNode>>();
        var seen = new Dictionary<string, YamlTreeScalar>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, depth + 1);
            var value = ReadNode(parser, depth + 1);
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
        Count(1, mappingStart.Start, mappingStart.End);
        return Remember(mappingStart.Anchor, new YamlTreeMapping((int)mappingStart.Start.Line, (int)mappingStart.Start.Column, entries),
            _nodes - before);
    }

    /// <summary>Counts nodes as the plan's readers will walk them (an alias as many times as its anchor's subtree holds).</summary>
    private void Count(long nodes, Mark start, Mark end)
    {
        _nodes += nodes;
        if (_nodes > _maxNodes)
        {
            throw new YamlException(start, end, $"the plan holds more than {_maxNodes} values (aliases counted at each use); a release plan holds far fewer");
        }
    }

    private YamlTreeNode Remember(YamlDotNet.Core.AnchorName anchor, YamlTreeNode node, long size)
    {
        if (!anchor.IsEmpty)
        {
            _sizes[node] = size;
            _anchors[anchor.Value] = node;
        }
        return node;
    }
}
