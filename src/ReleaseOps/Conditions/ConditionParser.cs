using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ReleaseOps.Text;

namespace ReleaseOps.Conditions;

/// <summary>
/// Recursive-descent parser for the condition language. Grammar:
/// <code>
/// or         := and ("or" and)*
/// and        := unary ("and" unary)*
/// unary      := "not" unary | "(" or ")" | comparison
/// comparison := operand [ ("=="|"!="|"&lt;"|"&lt;="|"&gt;"|"&gt;="|"contains"|"matches") operand
///                       | ["not"] "in" "[" operand ("," operand)* "]" | "exists" ]
/// operand    := name | number[unit] | string | true | false | null
/// </code>
/// </summary>
internal sealed class ConditionParser
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private static readonly string[] Keywords = { "and", "or", "not", "contains", "matches", "in", "exists" };
    private const string ValueHint = "a name (status, json.status), a number, a \"string\", a duration (500ms), a percentage (5%) or a size (300MB)";
    private const string OperatorHint = "an operator (==, !=, <, <=, >, >=, contains, matches, in, exists), 'and', 'or' or the end";

    private readonly string _text;
    private int _pos;

    private ConditionParser(string text) => _text = text;

    private sealed class SyntaxFailure : Exception
    {
        public SyntaxFailure(int offset, string message)
            : base(message) => Offset = offset;

        public int Offset { get; }
    }

    public static bool TryParse(string text, out ConditionNode? root, out ConditionSyntaxError? error)
    {
        var parser = new ConditionParser(text);
        try
        {
            parser.SkipSpace();
            if (parser.AtEnd)
            {
                throw new SyntaxFailure(0, "expected a condition, for example status == 200; the text is empty");
            }
            root = parser.ParseOr();
            parser.SkipSpace();
            if (!parser.AtEnd)
            {
                throw new SyntaxFailure(parser._pos, $"expected {OperatorHint}, found '{parser.Peek()}'");
            }
            error = null;
            return true;
        }
        catch (SyntaxFailure failure)
        {
            root = null;
            error = new ConditionSyntaxError(Math.Min(failure.Offset, text.Length), failure.Message);
            return false;
        }
    }

    private bool AtEnd => _pos >= _text.Length;

    private string Peek()
    {
        var end = _pos;
        while (end < _text.Length && !char.IsWhiteSpace(_text[end]) && end - _pos < 20)
        {
            end++;
        }
        return end == _pos ? string.Empty : _text[_pos..end];
    }

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    /// <summary>True (and consumes it) when the next word is <paramref name="keyword"/> as a whole word.</summary>
    private bool TryKeyword(string keyword)
    {
        SkipSpace();
        if (_pos + keyword.Length > _text.Length ||
            string.Compare(_text, _pos, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) != 0)
        {
            return false;
        }
        var after = _pos + keyword.Length;
        if (after < _text.Length && IsNameChar(_text[after]))
        {
            return false;
        }
        _pos = after;
        return true;
    }

    private bool TrySymbol(string symbol)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, symbol, 0, symbol.Length) == 0)
        {
            _pos += symbol.Length;
            return true;
        }
        return false;
    }

    private ConditionNode ParseOr()
    {
        var parts = new List<ConditionNode> { ParseAnd() };
        while (TryKeyword("or") || TrySymbol("||"))
        {
            parts.Add(ParseAnd());
        }
        return parts.Count == 1 ? parts[0] : new OrNode(parts);
    }

    private ConditionNode ParseAnd()
    {
        var parts = new List<ConditionNode> { ParseUnary() };
        while (TryKeyword("and") || TrySymbol("&&"))
        {
            parts.Add(ParseUnary());
        }
        return parts.Count == 1 ? parts[0] : new AndNode(parts);
    }

    private ConditionNode ParseUnary()
    {
        SkipSpace();
        if (TryKeyword("not") || (!AtEnd && _text[_pos] == '!' && (_pos + 1 >= _text.Length || _text[_pos + 1] != '=') && TrySymbol("!")))
        {
            return new NotNode(ParseUnary());
        }
        if (TrySymbol("("))
        {
            var inner = ParseOr();
            SkipSpace();
            if (!TrySymbol(")"))
            {
                throw new SyntaxFailure(_pos, AtEnd ? "expected ')' to close the '(' (the text ended)" : $"expected ')' or {OperatorHint}, found '{Peek()}'");
            }
            return inner;
        }
        return ParseComparison();
    }

    private ConditionNode ParseComparison()
    {
        var left = ParseOperand();
        SkipSpace();
        var opStart = _pos;
        CompareOperator? op = null;
        foreach (var (symbol, kind) in new (string, CompareOperator)[]
                 {
                     ("==", CompareOperator.Equal), ("!=", CompareOperator.NotEqual), ("<=", CompareOperator.LessOrEqual),
                     (">=", CompareOperator.GreaterOrEqual), ("<", CompareOperator.Less), (">", CompareOperator.Greater),
                 })
        {
            if (TrySymbol(symbol))
            {
                op = kind;
                break;
            }
        }
        if (op is null && !AtEnd && _text[_pos] == '=' )
        {
            throw new SyntaxFailure(_pos, "expected '==' to compare (a single '=' is not an operator)");
        }
        if (op is null)
        {
            if (TryKeyword("contains"))
            {
                op = CompareOperator.Contains;
            }
            else if (TryKeyword("matches"))
            {
                op = CompareOperator.Matches;
            }
            else if (TryKeyword("exists"))
            {
                return new ComparisonNode(left, CompareOperator.Exists, null);
            }
            else if (TryKeyword("in"))
            {
                return new ComparisonNode(left, CompareOperator.In, null, ParseList());
            }
            else
            {
                var save = _pos;
                if (TryKeyword("not"))
                {
                    if (TryKeyword("in"))
                    {
                        return new ComparisonNode(left, CompareOperator.NotIn, null, ParseList());
                    }
                    if (TryKeyword("exists"))
                    {
                        return new NotNode(new ComparisonNode(left, CompareOperator.Exists, null));
                    }
                    throw new SyntaxFailure(save, "expected 'not in [..]' or 'not exists' after a value; to negate a condition put 'not' before it");
                }
                _pos = save;
                if (left is LiteralOperand literal && literal.Value.Kind != ConditionValueKind.Boolean)
                {
                    throw new SyntaxFailure(opStart, $"expected {OperatorHint} after {left.Text}");
                }
                if (!AtEnd && _text[_pos] != ')' && !LooksLikeKeyword())
                {
                    throw new SyntaxFailure(_pos, $"expected {OperatorHint} after {left.Text}, found '{Peek()}'");
                }
                return new ComparisonNode(left, CompareOperator.Truthy, null);
            }
        }
        SkipSpace();
        var rightStart = _pos;
        var right = ParseOperand();
        Regex? regex = null;
        if (op == CompareOperator.Matches && right is LiteralOperand { Value.Kind: ConditionValueKind.String } pattern)
        {
            try
            {
                regex = new Regex(pattern.Value.ToText(), RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException ex)
            {
                throw new SyntaxFailure(rightStart, $"expected a valid regular expression: {ex.Message}");
            }
        }
        return new ComparisonNode(left, op.Value, right, regex: regex);
    }

    private bool LooksLikeKeyword()
    {
        var save = _pos;
        var result = TryKeyword("and") || TryKeyword("or") || TrySymbol("&&") || TrySymbol("||");
        _pos = save;
        return result;
    }

    private IReadOnlyList<Operand> ParseList()
    {
        SkipSpace();
        if (!TrySymbol("["))
        {
            throw new SyntaxFailure(_pos, "expected '[' to start the list, for example status in [200, 204]");
        }
        var items = new List<Operand>();
        SkipSpace();
        if (TrySymbol("]"))
        {
            throw new SyntaxFailure(_pos - 1, "expected at least one value in the list");
        }
        while (true)
        {
            items.Add(ParseOperand());
            SkipSpace();
            if (TrySymbol("]"))
            {
                return items;
            }
            if (!TrySymbol(","))
            {
                throw new SyntaxFailure(_pos, AtEnd ? "expected ']' to close the list (the text ended)" : $"expected ',' or ']' in the list, found '{Peek()}'");
            }
        }
    }

    private Operand ParseOperand()
    {
        SkipSpace();
        if (AtEnd)
        {
            throw new SyntaxFailure(_pos, $"expected {ValueHint} (the text ended)");
        }
        var c = _text[_pos];
        if (c is '"' or '\'')
        {
            return ParseString(c);
        }
        if (char.IsAsciiDigit(c) || ((c is '-' or '+' or '.') && _pos + 1 < _text.Length && (char.IsAsciiDigit(_text[_pos + 1]) || _text[_pos + 1] == '.')))
        {
            return ParseNumber();
        }
        if (char.IsAsciiLetter(c) || c == '_')
        {
            return ParseName();
        }
        throw new SyntaxFailure(_pos, $"expected {ValueHint}, found '{Peek()}'");
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.';

    private Operand ParseName()
    {
        var start = _pos;
        while (!AtEnd)
        {
            var c = _text[_pos];
            if (char.IsAsciiLetterOrDigit(c) || c is '_')
            {
                _pos++;
            }
            else if (c is '-' or '.' && _pos + 1 < _text.Length && (char.IsAsciiLetterOrDigit(_text[_pos + 1]) || _text[_pos + 1] == '_'))
            {
                _pos++;
            }
            else if (c == '[' && _pos + 1 < _text.Length && char.IsAsciiDigit(_text[_pos + 1]))
            {
                // An index into a JSON array: json.items[0].id
                var close = _text.IndexOf(']', _pos);
                if (close < 0 || !_text.AsSpan(_pos + 1, close - _pos - 1).ToString().All(char.IsAsciiDigit))
                {
                    throw new SyntaxFailure(_pos, "expected an index like [0] after the name");
                }
                _pos = close + 1;
            }
            else
            {
                break;
            }
        }
        var word = _text[start.._pos];
        switch (word.ToLowerInvariant())
        {
            case "true":
                return new LiteralOperand(ConditionValue.True, word);
            case "false":
                return new LiteralOperand(ConditionValue.False, word);
            case "null":
                return new LiteralOperand(ConditionValue.Null, word);
        }
        if (Keywords.Contains(word, StringComparer.OrdinalIgnoreCase))
        {
            throw new SyntaxFailure(start, $"expected {ValueHint}, found the keyword '{word}'");
        }
        return new NameOperand(word);
    }

    private Operand ParseString(char quote)
    {
        var start = _pos;
        _pos++;
        var builder = new StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw new SyntaxFailure(start, $"expected a closing {quote} for the string that starts here");
            }
            var c = _text[_pos++];
            if (c == quote)
            {
                break;
            }
            if (c == '\\' && !AtEnd)
            {
                var next = _text[_pos++];
                builder.Append(next switch
                {
                    'n' => '\n',
                    't' => '\t',
                    '"' or '\'' or '\\' => next,
                    // Keep other escapes as written, so regular expressions read naturally: "v\d+"
                    _ => '\0',
                });
                if (builder[^1] == '\0')
                {
                    builder.Length--;
                    builder.Append('\\').Append(next);
                }
                continue;
            }
            builder.Append(c);
        }
        return new LiteralOperand(ConditionValue.String(builder.ToString()), _text[start.._pos]);
    }

    private Operand ParseNumber()
    {
        var start = _pos;
        if (_text[_pos] is '-' or '+')
        {
            _pos++;
        }
        while (!AtEnd && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '.'))
        {
            _pos++;
        }
        var numberText = _text[start.._pos];
        if (!double.TryParse(numberText, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            throw new SyntaxFailure(start, $"expected a number, found '{numberText}'");
        }
        var unitStart = _pos;
        while (!AtEnd && (char.IsAsciiLetter(_text[_pos]) || _text[_pos] == '%'))
        {
            _pos++;
        }
        var unit = _text[unitStart.._pos];
        var text = _text[start.._pos];
        ConditionValue value = unit switch
        {
            "" => ConditionValue.Number(number),
            "%" => ConditionValue.Percent(number),
            "ms" => ConditionValue.Duration(TimeSpan.FromMilliseconds(number)),
            "s" => ConditionValue.Duration(TimeSpan.FromSeconds(number)),
            "m" => ConditionValue.Duration(TimeSpan.FromMinutes(number)),
            "h" => ConditionValue.Duration(TimeSpan.FromHours(number)),
            "d" => ConditionValue.Duration(TimeSpan.FromDays(number)),
            _ => SizeText.TryParse(numberText.TrimStart('+') + unit, out var bytes) && !numberText.StartsWith('-')
                ? ConditionValue.Size(bytes)
                : throw new SyntaxFailure(unitStart,
                    $"expected a unit: ms, s, m, h, d (durations), % or B, KB, MB, GB, TB, KiB, MiB, GiB (sizes); '{unit}' is not one"),
        };
        if (!AtEnd && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            throw new SyntaxFailure(_pos, $"expected a space or an operator after {text}");
        }
        return new LiteralOperand(value, text);
    }
}
