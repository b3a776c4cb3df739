namespace Uplift.Data;

/// <summary>
/// Count, mean and sum of squared deviations from the mean of a set of numbers, and their merge: what a standard
/// deviation over several partitions needs (docs/CLUSTER.md). <see cref="Merge"/> is Chan, Golub and LeVeque's pairwise
/// update; merging into an empty set copies, so one set merged alone gives its own numbers exactly.
/// </summary>
internal readonly record struct Moments(double N, double Mean, double SS)
{
    /// <summary>The moments of <paramref name="y"/> in two passes (mean, then squared deviations), in order.</summary>
    public static Moments Of(ReadOnlySpan<double> y)
    {
        double mean = 0;
        foreach (var v in y) mean += v;
        mean = y.Length == 0 ? 0 : mean / y.Length;
        double ss = 0;
        foreach (var v in y) ss += (v - mean) * (v - mean);
        return new Moments(y.Length, mean, ss);
    }

    /// <summary>The moments of the union of this set and <paramref name="b"/>.</summary>
    public Moments Merge(in Moments b)
    {
        if (b.N == 0) return this;
        if (N == 0) return b;
        double n = N + b.N, delta = b.Mean - Mean;
        return new Moments(n, Mean + delta * b.N / n, SS + b.SS + delta * delta * (N * b.N / n));
    }

    /// <summary>The population standard deviation √(SS / N) (0 for an empty set).</summary>
    public double Sd => N == 0 ? 0 : Math.Sqrt(SS / N);
}
