using System.Globalization;
using System.Text.RegularExpressions;

namespace ReleaseOps.Text;

/// <summary>Sizes as operators write them: 512, 512B, 10KB, 300MB, 1.5GB, 1GiB (KB = 1000, KiB = 1024).</summary>
public static partial class SizeText
{
    [GeneratedRegex(@"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Pattern();

    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        var m = text is null ? null : Pattern().Match(text);
        if (m is null || !m.Success)
        {
            return false;
        }
        var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        var unit = m.Groups[2].Success ? m.Groups[2].Value.ToUpperInvariant() : "B";
        double factor = unit switch
        {
            "B" => 1,
            "KB" => 1e3,
            "MB" => 1e6,
            "GB" => 1e9,
            "TB" => 1e12,
            "KIB" => 1024d,
            "MIB" => 1024d * 1024,
            "GIB" => 1024d * 1024 * 1024,
            _ => 1024d * 1024 * 1024 * 1024,
        };
        bytes = (long)(n * factor);
        return true;
    }

    public static long Parse(string text) =>
        TryParse(text, out var b) ? b : throw new FormatException($"'{text}' is not a size; write a number and a unit: 512KB, 300MB, 1GiB.");
}
