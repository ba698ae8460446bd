using System.Text;
using System.Text.RegularExpressions;
using ReleaseOps.Errors;
using ReleaseOps.Secrets;

namespace ReleaseOps.Plans;

/// <summary>
/// The secrets a plan declares (<c>secrets:</c>), by name, and the expansion of
/// <c>${secret:NAME}</c> references at the moment of use. Values are read when asked for, never kept.
/// </summary>
public sealed partial class SecretCatalog
{
    public static readonly SecretCatalog Empty = new(new Dictionary<string, SecretSource>());

    private readonly IReadOnlyDictionary<string, SecretSource> _sources;

    public SecretCatalog(IReadOnlyDictionary<string, SecretSource> sources)
    {
        _sources = new Dictionary<string, SecretSource>(sources, StringComparer.Ordinal);
    }

    [GeneratedRegex(@"\$\{secret:([A-Za-z_][A-Za-z0-9_.-]*)\}", RegexOptions.CultureInvariant)]
    internal static partial Regex Reference();

    public IEnumerable<SecretSource> Sources => _sources.Values;

    /// <summary>The secrets' names and where each is read from; never a value.</summary>
    public override string ToString() => _sources.Count == 0 ? "(none)" : string.Join(", ", _sources.Values.Select(s => $"{s.Name} ({s.Describe()})"));

    public bool Contains(string name) => _sources.ContainsKey(name);

    /// <summary>True when the text holds at least one secret reference.</summary>
    public static bool HasReference(string? text) => text is not null && Reference().IsMatch(text);

    public SecretCatalog With(SecretSource source)
    {
        var copy = new Dictionary<string, SecretSource>(_sources, StringComparer.Ordinal) { [source.Name] = source };
        return new SecretCatalog(copy);
    }

    public SecretValue Resolve(string name) =>
        _sources.TryGetValue(name, out var source)
            ? source.Resolve()
            : throw new ReleaseOpsException("SecretNotDeclared", FailureKind.InvalidConfiguration,
                $"Secret '{name}' is used but not declared under 'secrets:' in the plan.", target: name,
                fix: $"Declare it, for example: secrets: {{ {name}: {{ env: {name.ToUpperInvariant()} }} }}");

    /// <summary>
    /// Expands <paramref name="template"/> and adds each secret it references, and the whole value, to
    /// <paramref name="masking"/>, so that they are masked wherever they show up, not only as this whole value.
    /// </summary>
    public SecretValue? Expand(string? template, SecretRedactor masking)
    {
        var value = Expand(template);
        if (template is not null && HasReference(template))
        {
            foreach (Match reference in Reference().Matches(template))
            {
                masking.Add(Resolve(reference.Groups[1].Value));
            }
            masking.Add(value);
        }
        return value;
    }

    /// <summary>
    /// Expands every <c>${secret:NAME}</c> in <paramref name="template"/>. Null in, null out;
    /// the result is a <see cref="SecretValue"/> even when the text held no reference.
    /// </summary>
    public SecretValue? Expand(string? template)
    {
        if (template is null)
        {
            return null;
        }
        var builder = new StringBuilder();
        var last = 0;
        foreach (Match m in Reference().Matches(template))
        {
            builder.Append(template, last, m.Index - last);
            builder.Append(Resolve(m.Groups[1].Value).Reveal());
            last = m.Index + m.Length;
        }
        builder.Append(template, last, template.Length - last);
        var sources = Reference().Matches(template).Select(m => m.Groups[1].Value).ToArray();
        return new SecretValue(builder.ToString()) { Source = sources.Length == 0 ? "inline" : string.Join(",", sources) };
    }
}
