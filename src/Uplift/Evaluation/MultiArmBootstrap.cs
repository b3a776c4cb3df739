using Uplift.Allocation;

namespace Uplift.Evaluation;

/// <summary>Bootstrap of an assignment's held-out value and cost, and (when a second assignment is given) the paired differences A − B.</summary>
public sealed record PolicyBootstrapSummary(BootstrapSummary Value, BootstrapSummary Cost, BootstrapSummary? ValueDifference, BootstrapSummary? CostDifference);

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

    /// <summary>
    /// Bootstrap of an assignment's held-out incremental value and cost (<see cref="MultiArmCostCurve.Estimate"/>, totals
    /// scaled to the N evaluation users) on the same stratified resamples: a resampled copy keeps its user's arm. With
    /// <paramref name="assignmentB"/> the paired difference A − B of the value and of the cost is returned too (else null).
    /// </summary>
    public static PolicyBootstrapSummary PolicyValue(ReadOnlySpan<int> assignmentA, ReadOnlySpan<int> assignmentB, int arms,
        ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, ReadOnlySpan<double> propensity = default, BootstrapOptions? options = null)
    {
        options ??= BootstrapOptions.Default;
        options.Validate();
        bool paired = !assignmentB.IsEmpty;
        var ea = MultiArmCostCurve.Estimate(assignmentA, arms, t, v, c, propensity);
        var eb = paired ? MultiArmCostCurve.Estimate(assignmentB, arms, t, v, c, propensity) : default;
        int n = t.Length, reps = options.Replicates;
        int[] a = assignmentA.ToArray(), b = assignmentB.ToArray();
        byte[] ta = t.ToArray(); double[] va = v.ToArray(), ca = c.ToArray(), pa = propensity.ToArray();
        var strata = Strata(ta, arms);
        var vals = new double[4][];
        for (int q = 0; q < 4; q++) vals[q] = new double[reps];
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, reps, po, () => new Buffers(n, pa.Length > 0), (r, _, buf) =>
        {
            Draw(buf, strata, options.Seed, r, ta, va, ca, pa);
            var ra = new int[n]; var rb = paired ? new int[n] : [];
            var rp = pa.Length > 0 ? new double[n] : [];
            for (int q = 0; q < n; q++)
            {
                int i = buf.Rows[q]; ra[q] = a[i];
                if (paired) rb[q] = b[i];
                if (rp.Length > 0) rp[q] = pa[i];
            }
            var x = MultiArmCostCurve.Estimate(ra, arms, buf.T, buf.V, buf.C, rp);
            vals[0][r] = x.Value; vals[1][r] = x.Cost;
            if (paired) { var y = MultiArmCostCurve.Estimate(rb, arms, buf.T, buf.V, buf.C, rp); vals[2][r] = x.Value - y.Value; vals[3][r] = x.Cost - y.Cost; }
            return buf;
        }, _ => { });
        return new PolicyBootstrapSummary(Bootstrap.Summarise(ea.Value, vals[0], reps), Bootstrap.Summarise(ea.Cost, vals[1], reps),
            paired ? Bootstrap.Summarise(ea.Value - eb.Value, vals[2], reps) : null, paired ? Bootstrap.Summarise(ea.Cost - eb.Cost, vals[3], reps) : null);
    }

    /// <summary>Row indices by observed arm, arms 1..K then control (with K = 1 the draw order of <see cref="Bootstrap"/>).</summary>
    static int[][] Strata(byte[] t, int arms)
    {
        var byArm = new List<int>[arms + 1];
        for (int a = 0; a <= arms; a++) byArm[a] = [];
        for (int i = 0; i < t.Length; i++) byArm[t[i]].Add(i);
        return [.. Enumerable.Range(1, arms).Select(a => byArm[a].ToArray()), byArm[0].ToArray()];
    }

    /// <summary>Replicate r's rows (each stratum keeps its count) and their T, V, C and weights.</summary>
    static void Draw(Buffers b, int[][] strata, long seed, int r, byte[] t, double[] v, double[] c, double[] w)
    {
        var rng = Rng.Derive(seed, RngStream.Bootstrap, r);
        int j = 0;
        foreach (var stratum in strata)
            for (int q = 0; q < stratum.Length; q++) b.Rows[j++] = stratum[rng.NextInt(stratum.Length)];
        for (int q = 0; q < b.Rows.Length; q++)
        {
            int i = b.Rows[q]; b.T[q] = t[i]; b.V[q] = v[i]; b.C[q] = c[i];
            if (w.Length > 0) b.W[q] = w[i];
        }
    }

    /// <summary>values[p][r] = multi-arm AUCC of path p on replicate r, NaN when that replicate's curve is undefined.</summary>
    static double[][] Run(MultiArmCostCurve.EvalList[] lists, int arms, byte[] t, double[] v, double[] c, double[] w, BootstrapOptions o)
    {
        var values = lists.Select(_ => new double[o.Replicates]).ToArray();
        Curves(lists, arms, t, v, c, w, o, (p, r, curve) => values[p][r] = curve?.Aucc ?? double.NaN);
        return values;
    }

    /// <summary>The multi-arm cost curve of <paramref name="path"/> on every bootstrap replicate (the resamples of <see cref="Aucc"/>):
    /// <paramref name="each"/>(r, curve), curve null when undefined, called from the worker threads.</summary>
    internal static void Curves(BudgetPath path, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, BootstrapOptions o,
        Action<int, CostCurveResult?> each)
    {
        var w = MultiArmCostCurve.Validate(path, t, v, c, default);
        Curves([MultiArmCostCurve.EvalList.Of(path)], path.Arms, t.ToArray(), v.ToArray(), c.ToArray(), w, o, (_, r, curve) => each(r, curve));
    }

    /// <summary>The resampling of every multi-arm AUCC bootstrap: <paramref name="each"/>(p, r, curve) gets path p's curve on replicate r.</summary>
    static void Curves(MultiArmCostCurve.EvalList[] lists, int arms, byte[] t, double[] v, double[] c, double[] w, BootstrapOptions o,
        Action<int, int, CostCurveResult?> each)
    {
        int n = t.Length, reps = o.Replicates;
        var strata = Strata(t, arms);
        var po = new ParallelOptions { MaxDegreeOfParallelism = o.MaxThreads ?? Environment.ProcessorCount };

        Parallel.For(0, reps, po,
            () => new Buffers(n, w.Length > 0),
            (r, _, b) =>
            {
                Draw(b, strata, o.Seed, r, t, v, c, w);
                for (int p = 0; p < lists.Length; p++)
                {
                    int m = b.Fill(lists[p]);
                    CostCurveResult? curve;
                    try
                    {
                        curve = MultiArmCostCurve.Core(b.NegSlope.AsSpan(0, m), b.From.AsSpan(0, m), b.To.AsSpan(0, m), b.Row.AsSpan(0, m),
                            n, arms, b.T, b.V, b.C, b.W, o.Curve, b.Work);
                    }
                    catch (UpliftException) { curve = null; }
                    each(p, r, curve);
                }
                return b;
            },
            _ => { });
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
