using System.Text.RegularExpressions;
using ReleaseOps.Tests.Plans;

namespace ReleaseOps.Tests.Metadata;

/// <summary>The parts of ReleaseOps.psd1 the tests check, read as text (there is no PowerShell here to import it).</summary>
public sealed partial class ModuleManifest
{
    public static ModuleManifest Load() => new(File.ReadAllText(Path.Combine(ExamplePlanTests.RepositoryRoot, "ReleaseOps.psd1")));

    private readonly string _text;

    private ModuleManifest(string text)
    {
        _text = Regex.Replace(text, @"#[^\n]*", "");
    }

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex Quoted();

    public string Value(string key)
    {
        var m = Regex.Match(_text, $@"(?m)^\s*{key}\s*=\s*'([^']*)'");
        return m.Success ? m.Groups[1].Value : throw new InvalidOperationException($"{key} not found in ReleaseOps.psd1");
    }

    public IReadOnlyList<string> List(string key)
    {
        var m = Regex.Match(_text, $@"(?s)^\s*{key}\s*=\s*@\((.*?)\)", RegexOptions.Multiline);
        return m.Success
            ? Quoted().Matches(m.Groups[1].Value).Select(q => q.Groups[1].Value).ToArray()
            : throw new InvalidOperationException($"{key} not found in ReleaseOps.psd1");
    }

    public bool Mentions(string text) => _text.Contains(text, StringComparison.Ordinal);
}
