namespace Uplift.Evaluation;

/// <summary>
/// The small statistics every table and report shares: mean, sample standard deviation, the 95 % t-interval of a
/// mean over a handful of repeats, and the difference in means between the arms (the overall incremental effect).
/// Sums run in index order, so the same values give the same bits wherever they are used.
/// </summary>
public static class Stats
{
    /// <summary>The mean, summed in order; NaN for no values.</summary>
    public static double Mean(IReadOnlyList<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count == 0) return double.NaN;
        double s = 0;
        for (int i = 0; i < x.Count; i++) s += x[i];
        return s / x.Count;
    }

    /// <summary>
    /// Sample standard deviation (divides by n − 1); <paramref name="whenFewerThanTwo"/> (default NaN) for fewer than
    /// two values (tables that print one repeat as a spread of 0 pass 0).
    /// </summary>
    public static double SampleSd(IReadOnlyList<double> x, double whenFewerThanTwo = double.NaN)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count < 2) return whenFewerThanTwo;
        double m = Mean(x), ss = 0;
        for (int i = 0; i < x.Count; i++) ss += (x[i] - m) * (x[i] - m);
        return Math.Sqrt(ss / (x.Count - 1));
    }

    /// <summary>The 97.5 % quantile of Student's t with <paramref name="df"/> degrees of freedom (table to 30, then a series).</summary>
    public static double T975(int df)
    {
        ReadOnlySpan<double> table =
        [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
            2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
        ];
        if (df < 1) return double.NaN;
        if (df <= table.Length) return table[df - 1];
        // Cornish-Fisher expansion around the normal quantile; within 1e-3 beyond 30 degrees of freedom.
        const double z = 1.959964;
        double z3 = z * z * z, z5 = z3 * z * z;
        return z + (z3 + z) / (4.0 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96.0 * df * df);
    }

    /// <summary>95 % t-interval of the mean: mean ± t(n−1) · sd / √n; NaNs for fewer than two values.</summary>
    public static (double Lower, double Upper) TInterval(IReadOnlyList<double> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Count < 2) return (double.NaN, double.NaN);
        double half = T975(x.Count - 1) * SampleSd(x) / Math.Sqrt(x.Count);
        double m = Mean(x);
        return (m - half, m + half);
    }

    /// <summary>
    /// Difference in means, mean of <paramref name="y"/> over T = 1 minus mean over T = 0: the overall incremental
    /// effect (ATE) of a randomized campaign on that outcome (METHOD.md section 6, step 1). NaN when an arm is empty.
    /// </summary>
    public static double DifferenceOfMeans(ReadOnlySpan<byte> t, ReadOnlySpan<double> y)
    {
        if (t.Length != y.Length) throw new ArgumentException($"{t.Length} treatments for {y.Length} outcomes.", nameof(y));
        double s1 = 0, s0 = 0; long n1 = 0, n0 = 0;
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] == 1) { s1 += y[i]; n1++; } else { s0 += y[i]; n0++; }
        }
        if (n1 == 0 || n0 == 0) return double.NaN;
        return s1 / n1 - s0 / n0;
    }
}
