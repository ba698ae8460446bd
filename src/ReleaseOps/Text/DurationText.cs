using System.Globalization;
using System.Text.RegularExpressions;

namespace ReleaseOps.Text;

/// <summary>
/// Durations as operators write them: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c>,
/// and combinations such as <c>1h30m</c>.
/// </summary>
public static partial class DurationText
{
    [GeneratedRegex(@"^(?:(\d+(?:\.\d+)?)(ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Whole();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)", RegexOptions.CultureInvariant)]
    private static partial Regex Part();

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text) || !Whole().IsMatch(text.Trim()))
        {
            return false;
        }
        try
        {
            foreach (Match m in Part().Matches(text.Trim()))
            {
                var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
                duration += m.Groups[2].Value switch
                {
                    "ms" => TimeSpan.FromMilliseconds(n),
                    "s" => TimeSpan.FromSeconds(n),
                    "m" => TimeSpan.FromMinutes(n),
                    "h" => TimeSpan.FromHours(n),
                    _ => TimeSpan.FromDays(n),
                };
            }
        }
        catch (OverflowException)
        {
            // Longer than a TimeSpan holds (about 29,000 years): not a duration anyone means.
            duration = TimeSpan.Zero;
            return false;
        }
        return true;
    }

    public static TimeSpan Parse(string text) =>
        TryParse(text, out var d)
            ? d
            : throw new FormatException($"'{text}' is not a duration; write a number and a unit: 500ms, 30s, 5m, 2h, 1d.");

    /// <summary>The shortest text that parses back to the same value: 90s -> 1m30s.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }
        if (value < TimeSpan.Zero)
        {
            return "-" + Format(value.Negate());
        }
        var parts = new List<string>();
        if (value.Days > 0) parts.Add($"{value.Days}d");
        if (value.Hours > 0) parts.Add($"{value.Hours}h");
        if (value.Minutes > 0) parts.Add($"{value.Minutes}m");
        if (value.Seconds > 0) parts.Add($"{value.Seconds}s");
        // Milliseconds with a fraction below one (a TimeSpan made from ticks), rather than nothing at all.
        var milliseconds = (value - new TimeSpan(value.Days, value.Hours, value.Minutes, value.Seconds)).TotalMilliseconds;
        if (milliseconds > 0) parts.Add(milliseconds.ToString("0.####", CultureInfo.InvariantCulture) + "ms");
        return string.Concat(parts);
    }
}
