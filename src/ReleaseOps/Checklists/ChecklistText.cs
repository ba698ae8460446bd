using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ReleaseOps.Checklists;

/// <summary>The text rules behind item ids, text matches, sign-off lines and encoding repair.</summary>
public static partial class ChecklistText
{
    /// <summary>Glyphs a team types as an empty box in plain text.</summary>
    internal static readonly char[] BoxGlyphs = { '\u25A1', '\u2610', '\u25FB' };

    [GeneratedRegex(@"^\s*(?<role>[\p{L}][\p{L}\p{N} &/().'-]{1,60}?)\s*:\s*_{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex SignOffLine();

    [GeneratedRegex(@"^\s*(?:(?:step|phase|part)\s+)?\d+(?:\.\d+)*[.):]\s+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex LeadingNumber();

    [GeneratedRegex(@"^\s*step\s+\d+\s*[:.)-]\s*(?<title>\S.*)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex StepHeading();

    [GeneratedRegex(@"_{3,}", RegexOptions.CultureInvariant)]
    private static partial Regex Blanks();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Space();

    /// <summary>
    /// Lower case, accents and punctuation dropped, words joined with '-': the form ids are made of
    /// and text matches compare. Emoji and markup characters disappear.
    /// </summary>
    public static string Slug(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var builder = new StringBuilder(decomposed.Length);
        var dash = false;
        foreach (var c in decomposed)
        {
            // Accents and apostrophes join their word: "won't" is one word, as "don't" is.
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark || c is '\'' or '\u2019')
            {
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                if (dash && builder.Length > 0)
                {
                    builder.Append('-');
                }
                builder.Append(char.ToLowerInvariant(c));
                dash = false;
            }
            else
            {
                dash = true;
            }
        }
        return builder.ToString();
    }

    /// <summary>A heading or step text without its numbering ("1. Security" -> "Security", "Phase 2: Database" -> "Database").</summary>
    public static string WithoutNumbering(string text) => LeadingNumber().Replace(text, "", 1);

    /// <summary>Whitespace collapsed to single spaces and blank lines shortened to "____".</summary>
    public static string Tidy(string text) => Blanks().Replace(Space().Replace(text, " "), "____").Trim();

    /// <summary>The role of a sign-off line ("Deployment Lead: ______ Date: ____" -> "Deployment Lead"), or null.</summary>
    public static string? SignOffRole(string line)
    {
        var match = SignOffLine().Match(line);
        return match.Success ? Tidy(match.Groups["role"].Value) : null;
    }

    /// <summary>The title of a heading that names a procedure step ("Step 1: Emergency Build Fixes"), or null.</summary>
    public static string? StepTitle(string heading)
    {
        var match = StepHeading().Match(heading);
        return match.Success ? match.Groups["title"].Value.Trim() : null;
    }

    /// <summary>The text after a box glyph at the start of a line ("□ Swarm initialised" -> "Swarm initialised"), or null.</summary>
    public static string? BoxedLine(string line)
    {
        var trimmed = line.TrimStart();
        return trimmed.Length > 1 && Array.IndexOf(BoxGlyphs, trimmed[0]) >= 0 ? trimmed[1..].Trim() : null;
    }

    /// <summary>True when <paramref name="match"/> occurs in the item's text, comparing slugs (case, accents and punctuation ignored).</summary>
    public static bool Matches(ChecklistItem item, string match)
    {
        var wanted = Slug(match);
        if (wanted.Length == 0)
        {
            return false;
        }
        return Contains(Slug(item.Text), wanted) || item.Role is not null && Contains(Slug(item.Role), wanted);
    }

    // Whole words only: "lead" matches "deployment-lead" but not "leader".
    private static bool Contains(string slug, string wanted) =>
        $"-{slug}-".Contains($"-{wanted}-", StringComparison.Ordinal);

    /// <summary>
    /// Undoes the most common mis-encoding of Markdown files: UTF-8 read once as Mac OS Roman and
    /// saved again as UTF-8 ("□" became "‚ñ°", emoji became "üîê"). The text is repaired only
    /// when every character maps back to a Mac OS Roman byte and those bytes are valid UTF-8;
    /// ordinary text (which has no such sequences) is returned unchanged.
    /// </summary>
    public static string RepairMacRomanMojibake(string text, out bool repaired)
    {
        repaired = false;
        if (!text.Any(c => c >= 0x80))
        {
            return text;
        }
        var macRoman = CodePagesEncodingProvider.Instance.GetEncoding(10000, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        if (macRoman is null)
        {
            return text;
        }
        try
        {
            var bytes = macRoman.GetBytes(text);
            var decoded = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
            if (decoded == text)
            {
                return text;
            }
            repaired = true;
            return decoded;
        }
        catch (Exception ex) when (ex is EncoderFallbackException or DecoderFallbackException or ArgumentException)
        {
            return text;
        }
    }
}
