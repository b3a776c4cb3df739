using Uplift.Allocation;

namespace Uplift.Evaluation;

/// <summary>
/// Bootstrap intervals of the multi-arm AUCC (METHOD.md sections 6 and 10), as <see cref="Bootstrap"/> does for one arm:
/// users resampled with replacement, stratified by observed arm (arms 1..K, then control, each keeping its count), replicate
/// r drawn from <c>Rng.Derive(seed, RngStream.Bootstrap, r)</c>. A resampled copy of a user carries that user's upgrades,
/// so copies tie on every slope. With K = 1 the resamples, and so every replicate's AUCC, are those of
/// <see cref="Bootstrap.Aucc"/> on the guarded-ratio scores.
/// </summary>
public static class MultiArmBootstrap
{
    /// <summary>Bootstrap of the multi-arm AUCC of one path.</summary>
    public static BootstrapSummary Aucc(BudgetPath path, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        ReadOnlySpan<double> propensity = default, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= BootstrapOptions.Default;
        options.Validate();
        double estimate = MultiArmCostCurve.Compute(path, t, v, c, propensity, options.Curve).Aucc;
        var w = MultiArmCostCurve.Validate(path, t, v, c, propensity);
        var values = Run([MultiArmCostCurve.EvalList.Of(path)], path.Arms, t.ToArray(), v.ToArray(), c.ToArray(), w, options);
        return Bootstrap.Summarise(estimate, values[0], options.Replicates);
    }

    /// <summary>Paired bootstrap of two paths over the same users (two models' estimates): each AUCC and A − B on the same resamples.</summary>
    public static PairedBootstrapSummary AuccDifference(BudgetPath pathA, BudgetPath pathB, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, ReadOnlySpan<double> propensity = default, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pathA);
        ArgumentNullException.ThrowIfNull(pathB);
        if (pathA.Arms != pathB.Arms) throw new ArgumentException($"the two paths have {pathA.Arms} and {pathB.Arms} arms.");
        options ??= BootstrapOptions.Default;
        options.Validate();
        double ea = MultiArmCostCurve.Compute(pathA, t, v, c, propensity, options.Curve).Aucc;
        double eb = MultiArmCostCurve.Compute(pathB, t, v, c, propensity, options.Curve).Aucc;
        var w = MultiArmCostCurve.Validate(pathA, t, v, c, propensity);
        MultiArmCostCurve.Validate(pathB, t, v, c, propensity);
        var values = Run([MultiArmCostCurve.EvalList.Of(pathA), MultiArmCostCurve.EvalList.Of(pathB)], pathA.Arms,
            t.ToArray(), v.ToArray(), c.ToArray(), w, options);
        int r = options.Replicates;
        var diff = new double[r];
        for (int i = 0; i < r; i++) diff[i] = values[0][i] - values[1][i]; // NaN (failed) in either stays NaN
        return new PairedBootstrapSummary(Bootstrap.Summarise(ea, values[0], r), Bootstrap.Summarise(eb, values[1], r),
            Bootstrap.Summarise(ea - eb, diff, r));
    }

    /// <summary>values[p][r] = multi-arm AUCC of path p on replicate r, NaN when that replicate's curve is undefined.</summary>
    static double[][] Run(MultiArmCostCurve.EvalList[] lists, int arms, byte[] t, double[] v, double[] c, double[] w, BootstrapOptions o)
    {
        int n = t.Length, reps = o.Replicates;
        var byArm = new List<int>[arms + 1];
        for (int a = 0; a <= arms; a++) byArm[a] = [];
        for (int i = 0; i < n; i++) byArm[t[i]].Add(i);
        // Arms 1..K first, then control: with K = 1 the draw order of Bootstrap (treated, then control).
        int[][] strata = [.. Enumerable.Range(1, arms).Select(a => byArm[a].ToArray()), byArm[0].ToArray()];
        var values = lists.Select(_ => new double[reps]).ToArray();
        var po = new ParallelOptions { MaxDegreeOfParallelism = o.MaxThreads ?? Environment.ProcessorCount };

        Parallel.For(0, reps, po,
            () => new Buffers(n, w.Length > 0),
            (r, _, b) =>
            {
                var rng = Rng.Derive(o.Seed, RngStream.Bootstrap, r);
                int j = 0;
                foreach (var stratum in strata)
                    for (int q = 0; q < stratum.Length; q++) b.Rows[j++] = stratum[rng.NextInt(stratum.Length)];
                for (int q = 0; q < n; q++)
                {
                    int i = b.Rows[q]; b.T[q] = t[i]; b.V[q] = v[i]; b.C[q] = c[i];
                    if (w.Length > 0) b.W[q] = w[i];
                }
                for (int p = 0; p < lists.Length; p++)
                {
                    int m = b.Fill(lists[p]);
                    try
                    {
                        values[p][r] = MultiArmCostCurve.Core(b.NegSlope.AsSpan(0, m), b.From.AsSpan(0, m), b.To.AsSpan(0, m), b.Row.AsSpan(0, m),
                            n, arms, b.T, b.V, b.C, b.W, o.Curve, b.Work).Aucc;
                    }
                    catch (UpliftException) { values[p][r] = double.NaN; }
                }
                return b;
            },
            _ => { });
        return values;
    }

    sealed class Buffers(int n, bool weighted)
    {
        public readonly int[] Rows = new int[n];
        public readonly byte[] T = new byte[n];
        public readonly double[] V = new double[n], C = new double[n], W = weighted ? new double[n] : [];
        public double[] NegSlope = [];
        public byte[] From = [], To = [];
        public int[] Row = [];
        public readonly MultiArmCostCurve.Workspace Work = new();

        /// <summary>The replicate's evaluated path: resampled row q carries the upgrades of user Rows[q], in row order.</summary>
        public int Fill(MultiArmCostCurve.EvalList list)
        {
            int m = 0;
            foreach (int u in Rows) m += list.Offsets[u + 1] - list.Offsets[u];
            if (NegSlope.Length < m) { NegSlope = new double[m]; From = new byte[m]; To = new byte[m]; Row = new int[m]; }
            int at = 0;
            for (int q = 0; q < Rows.Length; q++)
            {
                int u = Rows[q];
                for (int e = list.Offsets[u]; e < list.Offsets[u + 1]; e++, at++)
                {
                    NegSlope[at] = list.NegSlope[e]; From[at] = list.From[e]; To[at] = list.To[e]; Row[at] = q;
                }
            }
            return m;
        }
    }
}
