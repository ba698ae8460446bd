namespace ReleaseOps.Plans.Loading;

/// <summary>"Did you mean ...?" for misspelt keys, enum values and variable names.</summary>
internal static class NameSuggestion
{
    public static string? Closest(string given, IEnumerable<string> candidates)
    {
        var normalizedGiven = Normalize(given);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            // batchSize, batch-size and BATCH_SIZE all mean batch_size.
            if (Normalize(candidate) == normalizedGiven)
            {
                return candidate;
            }
            var a = given.ToLowerInvariant();
            var b = candidate.ToLowerInvariant();
            // hostname for host, port_number for port: a longer or shorter form of the same word.
            var distance = Math.Min(a.Length, b.Length) >= 3 && (a.StartsWith(b, StringComparison.Ordinal) || b.StartsWith(a, StringComparison.Ordinal))
                ? 1
                : Distance(a, b);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }
        var allowed = Math.Max(2, given.Length / 3);
        return bestDistance <= allowed ? best : null;
    }

    public static string Hint(string given, IEnumerable<string> candidates) =>
        Closest(given, candidates) is { } match ? $"; did you mean '{match}'?" : string.Empty;

    private static string Normalize(string name) =>
        new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
