using System.Text;
using System.Text.RegularExpressions;

namespace ReleaseOps.Plans.Loading;

/// <summary>
/// Substitutes <c>${env:NAME}</c> and <c>${var:NAME}</c> in plan values at load time and checks
/// that every <c>${secret:NAME}</c> is declared; secret references stay in the text, to be
/// expanded only when an operation uses them.
/// </summary>
internal sealed partial class VariableExpander
{
    private readonly IReadOnlyDictionary<string, string> _variables;
    private readonly IReadOnlySet<string> _secrets;
    private readonly Func<string, string?> _environment;

    public VariableExpander(IReadOnlyDictionary<string, string> variables, IReadOnlySet<string> secrets,
        Func<string, string?> environment)
    {
        _variables = variables;
        _secrets = secrets;
        _environment = environment;
    }

    [GeneratedRegex(@"\$\{([^}:]*)(?::([^}]*))?\}", RegexOptions.CultureInvariant)]
    private static partial Regex Reference();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Name();

    /// <summary>Expands the text; each problem is reported with its offset in the text.</summary>
    public string Expand(string text, Action<int, string, string> problem, bool allowVariables = true)
    {
        if (!text.Contains("${", StringComparison.Ordinal))
        {
            return text;
        }
        var result = new StringBuilder();
        var last = 0;
        foreach (Match m in Reference().Matches(text))
        {
            result.Append(text, last, m.Index - last);
            last = m.Index + m.Length;
            var kind = m.Groups[1].Value;
            var name = m.Groups[2].Value;
            if (!m.Groups[2].Success || !Name().IsMatch(name))
            {
                problem(m.Index, "BadReference",
                    $"'{m.Value}' is not a reference; write ${{env:NAME}}, ${{var:NAME}} or ${{secret:NAME}}");
                continue;
            }
            switch (kind)
            {
                case "env":
                    var env = _environment(name);
                    if (env is null)
                    {
                        problem(m.Index, "UnresolvedVariable",
                            $"unresolved variable ${{env:{name}}}: environment variable {name} is not set");
                    }
                    result.Append(env);
                    break;
                case "var" when !allowVariables:
                    problem(m.Index, "BadReference", $"'{m.Value}': variables may use ${{env:NAME}} but not other variables");
                    break;
                case "var":
                    if (_variables.TryGetValue(name, out var value))
                    {
                        result.Append(value);
                    }
                    else
                    {
                        problem(m.Index, "UnresolvedVariable",
                            $"unresolved variable ${{var:{name}}}: define it under 'variables:' or pass it as a parameter{NameSuggestion.Hint(name, _variables.Keys)}");
                    }
                    break;
                case "secret":
                    if (!_secrets.Contains(name))
                    {
                        problem(m.Index, "UndeclaredSecret",
                            $"secret '{name}' is not declared under 'secrets:'{NameSuggestion.Hint(name, _secrets)}");
                    }
                    result.Append(m.Value);
                    break;
                default:
                    problem(m.Index, "BadReference",
                        $"unknown reference kind '{kind}' in '{m.Value}'; write ${{env:NAME}}, ${{var:NAME}} or ${{secret:NAME}}");
                    break;
            }
        }
        result.Append(text, last, text.Length - last);
        return result.ToString();
    }
}
