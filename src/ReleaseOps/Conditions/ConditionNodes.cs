using System.Text.RegularExpressions;

namespace ReleaseOps.Conditions;

/// <summary>What evaluating one node found: the verdict, the deciding observation and its sentence.</summary>
internal readonly record struct NodeResult(bool Passed, string? Observed, string Message, string? Problem = null);

internal abstract class ConditionNode
{
    public abstract NodeResult Evaluate(IConditionValues values);

    public abstract void CollectNames(List<string> names);
}

internal enum CompareOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Contains,
    Matches,
    In,
    NotIn,
    Exists,
    Truthy,
}

/// <summary>A value in a condition: a literal or a name looked up at evaluation.</summary>
internal abstract class Operand
{
    public abstract string Text { get; }

    public abstract bool TryGet(IConditionValues values, out ConditionValue value);

    public virtual void CollectNames(List<string> names)
    {
    }
}

internal sealed class LiteralOperand : Operand
{
    public LiteralOperand(ConditionValue value, string text)
    {
        Value = value;
        Text = text;
    }

    public ConditionValue Value { get; }

    public override string Text { get; }

    public override bool TryGet(IConditionValues values, out ConditionValue value)
    {
        value = Value;
        return true;
    }
}

internal sealed class NameOperand : Operand
{
    public NameOperand(string name) => Text = name;

    public override string Text { get; }

    public override bool TryGet(IConditionValues values, out ConditionValue value) => values.TryResolve(Text, out value);

    public override void CollectNames(List<string> names) => names.Add(Text);
}

/// <summary>A node made of parts (and, or): the names it reads are its parts' names.</summary>
internal abstract class CompositeNode : ConditionNode
{
    protected CompositeNode(IEnumerable<ConditionNode> parts) => Parts = parts.ToArray();

    protected ConditionNode[] Parts { get; }

    public override void CollectNames(List<string> names)
    {
        foreach (var part in Parts)
        {
            part.CollectNames(names);
        }
    }
}

internal sealed class AndNode : CompositeNode
{
    public AndNode(IEnumerable<ConditionNode> parts)
        : base(parts)
    {
    }

    public override NodeResult Evaluate(IConditionValues values)
    {
        var passed = new List<NodeResult>();
        foreach (var part in Parts)
        {
            var result = part.Evaluate(values);
            if (!result.Passed)
            {
                return result;
            }
            passed.Add(result);
        }
        return new NodeResult(true, passed[0].Observed, string.Join(" and ", passed.Select(r => r.Message)));
    }
}

internal sealed class OrNode : CompositeNode
{
    public OrNode(IEnumerable<ConditionNode> parts)
        : base(parts)
    {
    }

    public override NodeResult Evaluate(IConditionValues values)
    {
        var failed = new List<NodeResult>();
        foreach (var part in Parts)
        {
            var result = part.Evaluate(values);
            if (result.Passed)
            {
                return result;
            }
            failed.Add(result);
        }
        var problem = failed.Select(r => r.Problem).FirstOrDefault(p => p is not null);
        return new NodeResult(false, failed[0].Observed, string.Join(" and ", failed.Select(r => r.Message)), problem);
    }
}

internal sealed class NotNode : ConditionNode
{
    private readonly ConditionNode _inner;

    public NotNode(ConditionNode inner) => _inner = inner;

    public override NodeResult Evaluate(IConditionValues values)
    {
        var inner = _inner.Evaluate(values);
        if (inner.Problem is not null)
        {
            // A value that could not be judged does not become a pass by negation.
            return inner;
        }
        // The sentence states the fact ("body contains \"error\""); only the verdict flips.
        return inner with { Passed = !inner.Passed };
    }

    public override void CollectNames(List<string> names) => _inner.CollectNames(names);
}

internal sealed class ComparisonNode : ConditionNode
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    private readonly Operand _left;
    private readonly CompareOperator _operator;
    private readonly Operand? _right;
    private readonly IReadOnlyList<Operand> _list;
    private readonly Regex? _regex;

    public ComparisonNode(Operand left, CompareOperator op, Operand? right, IReadOnlyList<Operand>? list = null, Regex? regex = null)
    {
        _left = left;
        _operator = op;
        _right = right;
        _list = list ?? Array.Empty<Operand>();
        _regex = regex;
    }

    public override void CollectNames(List<string> names)
    {
        _left.CollectNames(names);
        _right?.CollectNames(names);
        foreach (var item in _list)
        {
            item.CollectNames(names);
        }
    }

    private static string Symbol(CompareOperator op) => op switch
    {
        CompareOperator.Equal => "==",
        CompareOperator.NotEqual => "!=",
        CompareOperator.Less => "<",
        CompareOperator.LessOrEqual => "<=",
        CompareOperator.Greater => ">",
        CompareOperator.GreaterOrEqual => ">=",
        CompareOperator.Contains => "contains",
        CompareOperator.Matches => "matches",
        CompareOperator.In => "in",
        CompareOperator.NotIn => "not in",
        _ => "",
    };

    public override NodeResult Evaluate(IConditionValues values)
    {
        var present = _left.TryGet(values, out var left);
        var subject = _left is NameOperand ? _left.Text + " " : string.Empty;
        if (_operator == CompareOperator.Exists)
        {
            return present
                ? new NodeResult(true, left.ToText(), $"{_left.Text} exists ({left})")
                : new NodeResult(false, null, $"{_left.Text} does not exist");
        }
        if (!present)
        {
            return new NodeResult(false, null, $"{_left.Text} has no value (expected {Expectation()})",
                $"{_left.Text} has no value");
        }
        var observed = left.ToText();
        if (_operator == CompareOperator.Truthy)
        {
            var truth = left.Coerce(ConditionValueKind.Boolean)?.AsBoolean;
            return truth is null
                ? new NodeResult(false, observed, $"{subject}{left} is not true or false", $"{_left.Text} is not a boolean")
                : new NodeResult(truth.Value, observed, truth.Value ? $"{_left.Text} is true" : $"{_left.Text} is false");
        }
        if (_operator is CompareOperator.In or CompareOperator.NotIn)
        {
            var items = new List<ConditionValue>();
            foreach (var operand in _list)
            {
                if (!operand.TryGet(values, out var item))
                {
                    return new NodeResult(false, observed, $"{operand.Text} has no value", $"{operand.Text} has no value");
                }
                items.Add(item);
            }
            var found = items.Any(item => Compare(left, item, out var c) is null && c == 0);
            var passed = _operator == CompareOperator.In ? found : !found;
            var listText = "[" + string.Join(", ", items) + "]";
            return new NodeResult(passed, observed, found ? $"{subject}{left} is in {listText}" : $"{subject}{left} is not in {listText}");
        }
        if (!_right!.TryGet(values, out var right))
        {
            return new NodeResult(false, observed, $"{_right.Text} has no value", $"{_right.Text} has no value");
        }
        switch (_operator)
        {
            case CompareOperator.Contains:
                return EvaluateContains(left, right, subject, observed);
            case CompareOperator.Matches:
            {
                var regex = _regex ?? new Regex(right.ToText(), RegexOptions.CultureInvariant, RegexTimeout);
                bool matched;
                try
                {
                    matched = regex.IsMatch(left.ToText());
                }
                catch (RegexMatchTimeoutException)
                {
                    return new NodeResult(false, Shorten(observed), $"{subject}matching {right} took too long",
                        "the regular expression timed out");
                }
                return new NodeResult(matched, Shorten(observed),
                    matched ? $"{subject}{Shorten(left.ToString())} matches {right}" : $"{subject}{Shorten(left.ToString())} does not match {right}");
            }
        }
        var problem = Compare(left, right, out var order);
        if (problem is not null)
        {
            return new NodeResult(false, observed, $"{subject}{left} cannot be compared with {right}: {problem}", problem);
        }
        var ok = _operator switch
        {
            CompareOperator.Equal => order == 0,
            CompareOperator.NotEqual => order != 0,
            CompareOperator.Less => order < 0,
            CompareOperator.LessOrEqual => order <= 0,
            CompareOperator.Greater => order > 0,
            _ => order >= 0,
        };
        var symbol = Symbol(_operator);
        return new NodeResult(ok, observed,
            ok ? $"{subject}{Shorten(left.ToString())} {symbol} {right}" : $"{subject}{Shorten(left.ToString())} is not {symbol} {right}");
    }

    private string Expectation() => _operator switch
    {
        CompareOperator.In or CompareOperator.NotIn => $"{Symbol(_operator)} [{string.Join(", ", _list.Select(o => o.Text))}]",
        CompareOperator.Truthy => "true",
        _ => $"{Symbol(_operator)} {_right?.Text}",
    };

    private static NodeResult EvaluateContains(ConditionValue left, ConditionValue right, string subject, string observed)
    {
        bool found;
        if (left.Kind == ConditionValueKind.List)
        {
            found = left.AsList.Any(item => Compare(item, right, out var c) is null && c == 0);
        }
        else
        {
            found = left.ToText().Contains(right.ToText(), StringComparison.Ordinal);
        }
        var shown = Shorten(left.ToString());
        return new NodeResult(found, Shorten(observed),
            found ? $"{subject}{shown} contains {right}" : $"{subject}{shown} does not contain {right}");
    }

    /// <summary>Orders two values by their units; returns why they cannot be compared, or null.</summary>
    internal static string? Compare(ConditionValue left, ConditionValue right, out int order)
    {
        order = 0;
        if (left.Kind == ConditionValueKind.Null || right.Kind == ConditionValueKind.Null)
        {
            order = left.Kind == right.Kind ? 0 : 1;
            return null;
        }
        // Bring both sides to one kind: prefer the unit-bearing side, reading text as that unit.
        var target = Rank(left.Kind) >= Rank(right.Kind) ? left.Kind : right.Kind;
        var a = left.Coerce(target);
        var b = right.Coerce(target);
        if (a is null || b is null)
        {
            if (left.Kind == ConditionValueKind.String || right.Kind == ConditionValueKind.String)
            {
                order = string.CompareOrdinal(left.ToText(), right.ToText());
                return null;
            }
            return $"a {Describe(left.Kind)} does not compare with a {Describe(right.Kind)}" +
                   (right.Kind == ConditionValueKind.Number && left.Kind is ConditionValueKind.Duration
                       ? " (write a unit, for example 500ms)"
                       : string.Empty);
        }
        switch (target)
        {
            case ConditionValueKind.Duration:
                order = a.AsDuration!.Value.CompareTo(b.AsDuration!.Value);
                return null;
            case ConditionValueKind.Number or ConditionValueKind.Percent or ConditionValueKind.Size:
                order = a.AsNumber!.Value.CompareTo(b.AsNumber!.Value);
                if (order != 0 && Math.Abs(a.AsNumber.Value - b.AsNumber.Value) < 1e-9)
                {
                    order = 0;
                }
                return null;
            case ConditionValueKind.Boolean:
                order = a.AsBoolean!.Value.CompareTo(b.AsBoolean!.Value);
                return null;
            case ConditionValueKind.List:
                order = a.Equals(b) ? 0 : 1;
                return null;
            default:
                order = string.CompareOrdinal(a.ToText(), b.ToText());
                return null;
        }
    }

    private static int Rank(ConditionValueKind kind) => kind switch
    {
        ConditionValueKind.String => 0,
        ConditionValueKind.Number => 1,
        ConditionValueKind.Boolean => 2,
        ConditionValueKind.List => 3,
        _ => 4, // Duration, Percent, Size carry units
    };

    private static string Describe(ConditionValueKind kind) => kind switch
    {
        ConditionValueKind.Percent => "percentage",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..117] + "...";
}
