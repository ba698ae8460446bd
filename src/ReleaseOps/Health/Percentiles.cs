namespace ReleaseOps.Health;

/// <summary>Percentiles of a set of values, by linear interpolation between closest ranks.</summary>
public static class Percentiles
{
    /// <summary>The q-th percentile (0..100) of already sorted values; NaN when there are none.</summary>
    public static double OfSorted(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        if (sorted.Length == 1) return sorted[0];
        var position = Math.Clamp(q, 0, 100) / 100 * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    /// <summary>The q-th percentile of values in any order (they are copied and sorted).</summary>
    public static double Of(IEnumerable<double> values, double q)
    {
        var array = values.ToArray();
        Array.Sort(array);
        return OfSorted(array, q);
    }
}
