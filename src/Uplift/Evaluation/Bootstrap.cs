namespace Uplift.Evaluation;

/// <summary>Options of <see cref="Bootstrap"/>.</summary>
public sealed record BootstrapOptions
{
    /// <summary>Number of bootstrap replicates. Default 200, range 2 to 100,000.</summary>
    public int Replicates { get; init; } = 200;
    /// <summary>Seed of the resampling. Default 1. Replicate r uses <c>Rng.Derive(Seed, RngStream.Bootstrap, r)</c>, so results do not depend on the thread count.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Cap on worker threads (null = all cores). Results never depend on it.</summary>
    public int? MaxThreads { get; init; }
    /// <summary>Cost curve options used for the point estimate and every replicate. Default <see cref="CostCurveOptions.Default"/>.</summary>
    public CostCurveOptions Curve { get; init; } = CostCurveOptions.Default;

    public static BootstrapOptions Default { get; } = new();

    internal void Validate()
    {
        UpliftOptionException.Check(Replicates is >= 2 and <= 100_000, "replicates", $"must be between 2 and 100000, got {Replicates}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", $"must be at least 1, got {MaxThreads}.");
        ArgumentNullException.ThrowIfNull(Curve);
        Curve.Validate();
    }
}

/// <summary>
/// Summary of a bootstrap distribution. <see cref="Estimate"/> is the statistic on the original data;
/// mean, standard deviation and the 2.5 / 97.5 % percentiles (linear interpolation between order
/// statistics) are over the replicates whose cost curve was defined; <see cref="FailedReplicates"/>
/// counts those where it was not (for example a resample whose incremental cost is not positive).
/// </summary>
public sealed record BootstrapSummary(double Estimate, double Mean, double StdDev, double Lower, double Upper,
    int Replicates, int FailedReplicates, double[] Values);

/// <summary>Paired bootstrap of two scores on the same resamples: each AUCC and their difference A − B.</summary>
public sealed record PairedBootstrapSummary(BootstrapSummary A, BootstrapSummary B, BootstrapSummary Difference);

/// <summary>
/// Bootstrap confidence intervals of the AUCC (METHOD.md section 6, companion numbers): users resampled
/// with replacement, stratified by arm (each replicate keeps the treated and control counts).
/// </summary>
public static class Bootstrap
{
    /// <summary>Bootstrap of the AUCC of one score.</summary>
    public static BootstrapSummary Aucc(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, BootstrapOptions? options = null)
    {
        options ??= BootstrapOptions.Default;
        options.Validate();
        CostCurve.ValidateInputs(score, t, v, c);
        double estimate = CostCurve.Compute(score, t, v, c, options.Curve).Aucc;
        var values = Run([score.ToArray()], t.ToArray(), v.ToArray(), c.ToArray(), options);
        return Summarise(estimate, values[0], options.Replicates);
    }

    /// <summary>Paired bootstrap: the AUCC of <paramref name="scoreA"/> and <paramref name="scoreB"/> on the same resamples, and the CI of A − B.</summary>
    public static PairedBootstrapSummary AuccDifference(ReadOnlySpan<double> scoreA, ReadOnlySpan<double> scoreB,
        ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, BootstrapOptions? options = null)
    {
        options ??= BootstrapOptions.Default;
        options.Validate();
        CostCurve.ValidateInputs(scoreA, t, v, c);
        CostCurve.ValidateInputs(scoreB, t, v, c);
        double ea = CostCurve.Compute(scoreA, t, v, c, options.Curve).Aucc;
        double eb = CostCurve.Compute(scoreB, t, v, c, options.Curve).Aucc;
        var values = Run([scoreA.ToArray(), scoreB.ToArray()], t.ToArray(), v.ToArray(), c.ToArray(), options);
        int r = options.Replicates;
        var diff = new double[r];
        for (int i = 0; i < r; i++) diff[i] = values[0][i] - values[1][i]; // NaN (failed) in either stays NaN
        return new PairedBootstrapSummary(Summarise(ea, values[0], r), Summarise(eb, values[1], r), Summarise(ea - eb, diff, r));
    }

    /// <summary>values[s][r] = AUCC of score s on replicate r, NaN when the curve of that replicate is undefined.</summary>
    static double[][] Run(double[][] scores, byte[] t, double[] v, double[] c, BootstrapOptions o)
    {
        var values = scores.Select(_ => new double[o.Replicates]).ToArray();
        Curves(scores, t, v, c, o, (s, r, curve) => values[s][r] = curve?.Aucc ?? double.NaN);
        return values;
    }

    /// <summary>The resampling of every bootstrap of this class: <paramref name="each"/>(s, r, curve) gets the cost curve of
    /// score s on replicate r (null when it is undefined), called from the worker threads (each (s, r) once).</summary>
    internal static void Curves(double[][] scores, byte[] t, double[] v, double[] c, BootstrapOptions o, Action<int, int, CostCurveResult?> each)
    {
        int n = t.Length, reps = o.Replicates;
        var treated = new List<int>(); var control = new List<int>();
        for (int i = 0; i < n; i++) (t[i] == 1 ? treated : control).Add(i);
        int[] tr = [.. treated], co = [.. control];
        var po = new ParallelOptions { MaxDegreeOfParallelism = o.MaxThreads ?? Environment.ProcessorCount };

        Parallel.For(0, reps, po,
            () => new Buffers(n),
            (r, _, b) =>
            {
                // Replicate r: its own generator, treated rows first then control rows (stratified by arm).
                var rng = Rng.Derive(o.Seed, RngStream.Bootstrap, r);
                for (int j = 0; j < tr.Length; j++) b.Rows[j] = tr[rng.NextInt(tr.Length)];
                for (int j = 0; j < co.Length; j++) b.Rows[tr.Length + j] = co[rng.NextInt(co.Length)];
                for (int j = 0; j < n; j++) { int i = b.Rows[j]; b.T[j] = t[i]; b.V[j] = v[i]; b.C[j] = c[i]; }
                for (int s = 0; s < scores.Length; s++)
                {
                    var sc = scores[s];
                    for (int j = 0; j < n; j++) b.S[j] = sc[b.Rows[j]];
                    CostCurveResult? curve;
                    try { curve = CostCurve.Core(b.S, b.T, b.V, b.C, o.Curve, b.Work); }
                    catch (UpliftException) { curve = null; }
                    each(s, r, curve);
                }
                return b;
            },
            _ => { });
    }

    sealed class Buffers(int n)
    {
        public readonly int[] Rows = new int[n];
        public readonly double[] S = new double[n];
        public readonly byte[] T = new byte[n];
        public readonly double[] V = new double[n];
        public readonly double[] C = new double[n];
        public readonly CostCurve.Workspace Work = new(n);
    }

    internal static BootstrapSummary Summarise(double estimate, double[] values, int reps)
    {
        var ok = values.Where(x => !double.IsNaN(x)).ToArray();
        int failed = reps - ok.Length;
        if (ok.Length < 2)
            throw new UpliftException($"the bootstrap failed: the cost curve was undefined on {failed} of {reps} resamples (incremental cost or value not positive).");
        double mean = Stats.Mean(ok), sd = Stats.SampleSd(ok);
        var sorted = (double[])ok.Clone();
        Array.Sort(sorted);
        return new BootstrapSummary(estimate, mean, sd, Percentile(sorted, 0.025), Percentile(sorted, 0.975), reps, failed, values);
    }

    /// <summary>Percentile of sorted data, linear interpolation between order statistics (position p·(n−1)).</summary>
    internal static double Percentile(double[] sorted, double p)
    {
        double pos = p * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
