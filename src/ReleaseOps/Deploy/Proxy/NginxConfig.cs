using System.Text;

namespace ReleaseOps.Deploy.Proxy;

/// <summary>One directive of an nginx configuration, with where it is written; <see cref="Children"/> for a block.</summary>
internal sealed record NginxDirective(string Name, IReadOnlyList<string> Arguments, string File, int Line, IReadOnlyList<NginxDirective>? Children)
{
    public override string ToString() => $"{File}:{Line}: {Name} {string.Join(' ', Arguments)}";
}

/// <summary>
/// Reads nginx configuration text the way nginx does for what ReleaseOps needs: comments (<c>#</c> to the end of the line,
/// outside quotes) are not configuration, and <c>nginx -T</c>'s dump (every file, each after a
/// <c># configuration file PATH:</c> line) is read into a tree of directives that keep their file and line.
/// </summary>
internal static class NginxConfig
{
    /// <summary>The text with every comment removed; lines stay where they are (positions in messages stay true).</summary>
    public static string StripComments(string text)
    {
        var result = new StringBuilder(text.Length);
        char? quote = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is null && c == '#')
            {
                while (i < text.Length && text[i] != '\n') i++;
                if (i < text.Length) result.Append('\n');
                continue;
            }
            if (c == '\\' && quote is not null && i + 1 < text.Length)
            {
                result.Append(c).Append(text[++i]);
                continue;
            }
            if (c is '"' or '\'') quote = quote == c ? null : quote ?? c;
            result.Append(c);
        }
        return result.ToString();
    }

    /// <summary>The directives of an <c>nginx -T</c> dump, as nginx nests them (the files' includes already in place).</summary>
    public static IReadOnlyList<NginxDirective> ReadDump(string dump)
    {
        // nginx -T prints the main file first and every included file after it; the main file's tree is the configuration,
        // and an include directive in it stands for the included file's directives.
        var files = new List<(string File, string Text)>();
        var current = new StringBuilder();
        string? name = null;
        foreach (var line in dump.Split('\n'))
        {
            if (line.StartsWith("# configuration file ", StringComparison.Ordinal) && line.TrimEnd().EndsWith(':'))
            {
                if (name is not null) files.Add((name, current.ToString()));
                name = line.TrimEnd()["# configuration file ".Length..^1];
                current.Clear();
                continue;
            }
            if (name is not null) current.Append(line).Append('\n');
        }
        if (name is not null) files.Add((name, current.ToString()));
        if (files.Count == 0) return Array.Empty<NginxDirective>();
        var parsed = files.ToDictionary(f => f.File, f => Read(f.Text, f.File), StringComparer.Ordinal);
        return Expand(parsed[files[0].File], parsed, depth: 0);
    }

    private static IReadOnlyList<NginxDirective> Expand(IReadOnlyList<NginxDirective> directives, IReadOnlyDictionary<string, IReadOnlyList<NginxDirective>> files,
        int depth)
    {
        var result = new List<NginxDirective>();
        foreach (var d in directives)
        {
            if (d.Name == "include" && d.Arguments.Count == 1 && depth < 16)
            {
                // Wildcards expand to every dumped file they match.
                var pattern = d.Arguments[0];
                foreach (var (file, included) in files.Where(f => Matches(pattern, f.Key)))
                {
                    result.AddRange(Expand(included, files, depth + 1));
                }
                continue;
            }
            result.Add(d.Children is null ? d : d with { Children = Expand(d.Children, files, depth) });
        }
        return result;
    }

    private static bool Matches(string pattern, string file)
    {
        if (!pattern.Contains('*')) return file == pattern || file.EndsWith("/" + pattern, StringComparison.Ordinal);
        var regex = "^(.*/)?" + System.Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", "[^/]*") + "$";
        return System.Text.RegularExpressions.Regex.IsMatch(file, regex);
    }

    /// <summary>Reads one file's directives (comments stripped, quotes kept together).</summary>
    public static IReadOnlyList<NginxDirective> Read(string text, string file)
    {
        var tokens = Tokens(StripComments(text)).ToList();
        var index = 0;
        return Block(tokens, ref index, file);
    }

    private static List<NginxDirective> Block(List<(string Text, int Line)> tokens, ref int index, string file)
    {
        var result = new List<NginxDirective>();
        var words = new List<(string Text, int Line)>();
        while (index < tokens.Count)
        {
            var (text, line) = tokens[index++];
            switch (text)
            {
                case ";":
                    if (words.Count > 0) result.Add(new NginxDirective(words[0].Text, words.Skip(1).Select(w => w.Text).ToArray(), file, words[0].Line, null));
                    words.Clear();
                    break;
                case "{":
                    var children = Block(tokens, ref index, file);
                    if (words.Count > 0) result.Add(new NginxDirective(words[0].Text, words.Skip(1).Select(w => w.Text).ToArray(), file, words[0].Line, children));
                    words.Clear();
                    break;
                case "}":
                    return result;
                default:
                    words.Add((text, line));
                    break;
            }
        }
        return result;
    }

    private static IEnumerable<(string Text, int Line)> Tokens(string text)
    {
        var line = 1;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\n') line++;
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            if (c is ';' or '{' or '}')
            {
                yield return (c.ToString(), line);
                i++;
                continue;
            }
            var start = line;
            var word = new StringBuilder();
            if (c is '"' or '\'')
            {
                i++;
                while (i < text.Length && text[i] != c)
                {
                    if (text[i] == '\n') line++;
                    if (text[i] == '\\' && i + 1 < text.Length) i++;
                    word.Append(text[i++]);
                }
                i++;
                yield return (word.ToString(), start);
                continue;
            }
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not (';' or '{' or '}'))
            {
                word.Append(text[i++]);
            }
            yield return (word.ToString(), start);
        }
    }

    /// <summary>
    /// The locations that proxy to <paramref name="upstream"/> while keeping client connections alive (their effective
    /// <c>keepalive_timeout</c>, from the location up to <c>http</c>, is not 0; nginx's default is 75s).
    /// </summary>
    public static IReadOnlyList<NginxDirective> KeepAliveLocations(IReadOnlyList<NginxDirective> config, string upstream)
    {
        var found = new List<NginxDirective>();
        Walk(config, "75s");
        return found;

        void Walk(IReadOnlyList<NginxDirective> block, string inherited)
        {
            var keepAlive = block.LastOrDefault(d => d.Name == "keepalive_timeout" && d.Arguments.Count > 0)?.Arguments[0] ?? inherited;
            foreach (var d in block.Where(d => d.Children is not null))
            {
                if (d.Name == "location" && ProxiesTo(d.Children!, upstream)
                    && (d.Children!.LastOrDefault(c => c.Name == "keepalive_timeout" && c.Arguments.Count > 0)?.Arguments[0] ?? keepAlive) is not ("0" or "0s"))
                {
                    found.Add(d);
                }
                Walk(d.Children!, keepAlive);
            }
        }
    }

    private static bool ProxiesTo(IReadOnlyList<NginxDirective> location, string upstream) =>
        location.Any(d => d.Name == "proxy_pass" && d.Arguments.Count == 1 && d.Arguments[0] is var target
            && (target == $"http://{upstream}" || target.StartsWith($"http://{upstream}/", StringComparison.Ordinal)
                || target == $"https://{upstream}" || target.StartsWith($"https://{upstream}/", StringComparison.Ordinal)));
}
