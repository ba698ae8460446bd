namespace ReleaseOps.Health;

/// <summary>Which direction of difference a test looks for.</summary>
public enum TestAlternative
{
    /// <summary>The two distributions differ in either direction.</summary>
    TwoSided,
    /// <summary>The first sample tends to be larger than the second.</summary>
    Greater,
    /// <summary>The first sample tends to be smaller than the second.</summary>
    Less,
}

/// <summary>How a p-value was computed.</summary>
public enum TestMethod
{
    /// <summary>From the exact permutation distribution of U (small samples without ties).</summary>
    Exact,
    /// <summary>From the normal approximation with tie and continuity correction.</summary>
    Normal,
}

/// <summary>The outcome of a Mann-Whitney U test of sample X against sample Y.</summary>
/// <param name="U">U of the first sample: the number of (x, y) pairs with x &gt; y, ties counting one half.</param>
/// <param name="UOther">U of the second sample; <c>U + UOther = n1 * n2</c>.</param>
/// <param name="Z">The standardized statistic (normal method only; 0 for exact).</param>
public sealed record MannWhitneyResult(
    double U,
    double UOther,
    int N1,
    int N2,
    double Z,
    double PValue,
    TestMethod Method,
    TestAlternative Alternative);

/// <summary>
/// The Mann-Whitney U (Wilcoxon rank-sum) test for two independent samples. Exact p-values come
/// from the permutation distribution of U when both samples have fewer than
/// <see cref="ExactLimit"/> points and no value is tied; otherwise the normal approximation is
/// used, with the variance corrected for ties and a continuity correction of one half.
/// </summary>
public static class MannWhitneyU
{
    /// <summary>Both samples must be smaller than this for the exact distribution to be used.</summary>
    public const int ExactLimit = 50;

    public static MannWhitneyResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y,
        TestAlternative alternative = TestAlternative.TwoSided, TestMethod? method = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count == 0 || y.Count == 0)
        {
            throw new ArgumentException("Both samples need at least one value for a Mann-Whitney U test.");
        }
        if (x.Any(double.IsNaN) || y.Any(double.IsNaN))
        {
            throw new ArgumentException("The samples of a Mann-Whitney U test may not contain NaN.");
        }

        int n1 = x.Count, n2 = y.Count, n = n1 + n2;
        var pooled = new (double Value, bool First)[n];
        for (var i = 0; i < n1; i++) pooled[i] = (x[i], true);
        for (var j = 0; j < n2; j++) pooled[n1 + j] = (y[j], false);
        Array.Sort(pooled, (a, b) => a.Value.CompareTo(b.Value));

        // Midranks for ties, and the tie term sum(t^3 - t) for the variance.
        double rankSumX = 0, tieTerm = 0;
        for (var start = 0; start < n;)
        {
            var end = start;
            while (end + 1 < n && pooled[end + 1].Value == pooled[start].Value) end++;
            var midrank = (start + end + 2) / 2.0;
            for (var k = start; k <= end; k++)
            {
                if (pooled[k].First) rankSumX += midrank;
            }
            double t = end - start + 1;
            tieTerm += t * t * t - t;
            start = end + 1;
        }

        var u1 = rankSumX - n1 * (n1 + 1) / 2.0;
        var u2 = (double)n1 * n2 - u1;
        var useExact = method ?? (tieTerm == 0 && n1 < ExactLimit && n2 < ExactLimit ? TestMethod.Exact : TestMethod.Normal);
        if (useExact == TestMethod.Exact && tieTerm != 0)
        {
            throw new ArgumentException("The exact Mann-Whitney distribution assumes no ties; use the normal method for tied data.");
        }

        return useExact == TestMethod.Exact
            ? new MannWhitneyResult(u1, u2, n1, n2, 0, ExactP(u1, n1, n2, alternative), TestMethod.Exact, alternative)
            : Normal(u1, u2, n1, n2, tieTerm, alternative);
    }

    private static MannWhitneyResult Normal(double u1, double u2, int n1, int n2, double tieTerm, TestAlternative alternative)
    {
        double n = n1 + n2;
        var mean = n1 * (double)n2 / 2;
        var variance = n1 * (double)n2 / 12 * (n + 1 - tieTerm / (n * (n - 1)));
        if (variance <= 0)
        {
            // Every value is the same: no evidence of any difference.
            return new MannWhitneyResult(u1, u2, n1, n2, 0, 1, TestMethod.Normal, alternative);
        }
        var sigma = Math.Sqrt(variance);
        double z, p;
        switch (alternative)
        {
            case TestAlternative.Greater:
                z = (u1 - mean - 0.5) / sigma;
                p = NormalDistribution.UpperTail(z);
                break;
            case TestAlternative.Less:
                z = (u1 - mean + 0.5) / sigma;
                p = NormalDistribution.UpperTail(-z);
                break;
            default:
                var distance = Math.Max(Math.Abs(u1 - mean) - 0.5, 0);
                z = distance / sigma * Math.Sign(u1 - mean);
                p = Math.Min(1, 2 * NormalDistribution.UpperTail(Math.Abs(z)));
                break;
        }
        return new MannWhitneyResult(u1, u2, n1, n2, z, p, TestMethod.Normal, alternative);
    }

    /// <summary>P-value from the exact null distribution of U (all orderings equally likely).</summary>
    private static double ExactP(double u, int n1, int n2, TestAlternative alternative)
    {
        var counts = ExactCounts(n1, n2);
        var total = counts.Sum();
        var k = (int)Math.Round(u);
        double atMost = 0, atLeast = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (i <= k) atMost += counts[i];
            if (i >= k) atLeast += counts[i];
        }
        atMost /= total;
        atLeast /= total;
        return alternative switch
        {
            TestAlternative.Greater => atLeast,
            TestAlternative.Less => atMost,
            _ => Math.Min(1, 2 * Math.Min(atMost, atLeast)),
        };
    }

    /// <summary>
    /// How many arrangements of n1 x-values among n2 y-values give each U = 0..n1*n2, from the
    /// recurrence c(m, n, u) = c(m - 1, n, u - n) + c(m, n - 1, u): the largest value is either an x
    /// (it beats all n y-values) or a y (it adds nothing).
    /// </summary>
    private static double[] ExactCounts(int n1, int n2)
    {
        var max = n1 * n2;
        // table[m] holds the counts for (m, current n).
        var table = new double[n1 + 1][];
        for (var m = 0; m <= n1; m++)
        {
            table[m] = new double[max + 1];
            table[m][0] = 1; // n = 0: only U = 0.
        }
        for (var nn = 1; nn <= n2; nn++)
        {
            for (var m = 1; m <= n1; m++)
            {
                var row = table[m];
                var shorter = table[m - 1];
                // c(m, nn, u) = c(m - 1, nn, u - nn) + c(m, nn - 1, u); table[m - 1] already holds nn.
                for (var uu = m * nn; uu >= 0; uu--)
                {
                    row[uu] += uu >= nn ? shorter[uu - nn] : 0;
                }
            }
        }
        return table[n1];
    }
}

/// <summary>The standard normal distribution's tail, for the tests' p-values.</summary>
public static class NormalDistribution
{
    /// <summary>P(Z &gt; z) for a standard normal Z.</summary>
    public static double UpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>
    /// The complementary error function, by the Chebyshev-fitted exponential form (fractional
    /// error below 1.2e-7 everywhere), which is ample for p-values.
    /// </summary>
    public static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + 0.5 * z);
        var r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
            t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
            t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
