namespace Uplift.Evaluation;

// The cost curve of observational data (METHOD.md section 11): the means of section 6 become inverse-propensity
// weighted (Hájek) means, or the prefix's increments become sums of the AIPW scores Γ (doubly robust). Without an
// adjustment, callers use Compute, whose randomized path is untouched.
public static partial class CostCurve
{
    /// <summary>
    /// The cost curve of <paramref name="score"/> adjusted by <paramref name="adjustment"/> (METHOD.md section 11).
    /// IPW: steps 1 and 3 of section 6 with every mean weighted (treated by 1/e, control by 1/(1 − e)); the rest of
    /// section 6 unchanged. Doubly robust: vpu_k − v̄0 is replaced by (1/N) Σ_{top k} Γ^V_i and cpu_k − c̄0 by
    /// (1/N) Σ_{top k} Γ^C_i, then steps 4-6. Ties follow <see cref="CostCurveTies.Fractional"/> (the only tie rule
    /// offered here); empty groups and the grid follow <paramref name="options"/>.
    /// </summary>
    public static CostCurveResult ComputeAdjusted(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, Adjustment adjustment, CostCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(adjustment);
        options ??= CostCurveOptions.Default;
        options.Validate();
        UpliftOptionException.Check(options.Ties == CostCurveTies.Fractional, "ties",
            "the weighted (observational) cost curve breaks ties by the fractional rule only.");
        ValidateInputs(score, t, v, c);
        adjustment.Check(score.Length);
        return adjustment.Kind == AdjustmentKind.Ipw
            ? Ipw(score, t, v, c, adjustment.Weights(t), options)
            : Dr(score, t, v, c, adjustment, options);
    }

    /// <summary>The grid of step 3 (<see cref="Core"/>'s).</summary>
    static List<int> GridOf(int n, CostCurveOptions o, out int segments)
    {
        segments = Math.Min(o.Segments, n);
        int step = n / segments;
        var grid = new List<int>(segments + 1);
        for (int k = step; k < n; k += step) grid.Add(k);
        if (o.Grid == CostCurveGrid.EndsAtN) grid.Add(n);
        return grid;
    }

    static CostCurveResult Ipw(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        double[] w, CostCurveOptions o)
    {
        int n = score.Length;
        var pv = RankedPrefix.Build(score, t, v, w);
        var pc = RankedPrefix.Build(score, t, c, w);
        var allV = pv.All; var allC = pc.All;
        double v0 = allV.Mean0, c0 = allC.Mean0, vMean1 = allV.Mean1, cMean1 = allC.Mean1; // step 1, weighted
        var grid = GridOf(n, o, out int segments);
        var kept = new List<int>(grid.Count); var percs = new List<double>(grid.Count);
        var vpus = new List<double>(grid.Count); var cpus = new List<double>(grid.Count);
        int skipped = 0;
        foreach (int k in grid)
        {
            var tv = pv.Top(k); var tc = pc.Top(k);
            var rv = allV - tv; var rc = allC - tc;
            double perc = (double)k / n;
            bool full = perc > FullTargetingShare;
            bool topEmpty = tv.W1 < 1e-9, restEmpty = !full && rv.W0 < 1e-9;
            if ((topEmpty || restEmpty) && o.EmptyGroup == CostCurveEmptyGroup.Skip) { skipped++; continue; }
            double mv1 = topEmpty ? vMean1 : tv.Mean1, mc1 = topEmpty ? cMean1 : tc.Mean1;
            double vpu, cpu;
            if (full) { vpu = mv1; cpu = mc1; }
            else
            {
                double mv0 = restEmpty ? v0 : rv.Mean0, mc0 = restEmpty ? c0 : rc.Mean0;
                vpu = perc * mv1 + (1 - perc) * mv0;
                cpu = perc * mc1 + (1 - perc) * mc0;
            }
            kept.Add(k); percs.Add(perc); vpus.Add(vpu); cpus.Add(cpu);
        }
        return Finish(kept, percs, vpus, cpus, v0, c0, n, segments, o.Grid, skipped);
    }

    static CostCurveResult Dr(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        Adjustment a, CostCurveOptions o)
    {
        var (gv, gc) = a.Gammas(t, v, c);
        return Increments(score, gv, gc, o);
    }

    /// <summary>
    /// The cost curve of <paramref name="score"/> from per-user increments: the prefix's incremental value and cost are
    /// (1/N) Σ_{top k} of <paramref name="incV"/> and <paramref name="incC"/>, then steps 4-6 of section 6. With the AIPW scores
    /// Γ it is the doubly robust curve (<see cref="ComputeAdjusted"/>); with the true tau_v, tau_c of synthetic users it is the
    /// ranking's TRUE cost curve and AUCC (what the estimates are judged against). Ties: fractional.
    /// </summary>
    public static CostCurveResult FromIncrements(ReadOnlySpan<double> score, ReadOnlySpan<double> incV, ReadOnlySpan<double> incC,
        CostCurveOptions? options = null)
    {
        options ??= CostCurveOptions.Default;
        options.Validate();
        int n = score.Length;
        if (incV.Length != n || incC.Length != n)
            throw new UpliftDataException($"score and increments must have the same length (got {n}, {incV.Length}, {incC.Length}).");
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(score[i])) throw new UpliftDataException("the score is NaN; every user needs a score to be ranked.", row: i + 1, column: "score");
            if (!double.IsFinite(incV[i]) || !double.IsFinite(incC[i])) throw new UpliftDataException("the increment is not finite.", row: i + 1);
        }
        return Increments(score, incV, incC, options);
    }

    static CostCurveResult Increments(ReadOnlySpan<double> score, ReadOnlySpan<double> gv, ReadOnlySpan<double> gc, CostCurveOptions o)
    {
        int n = score.Length;
        var ones = new byte[n];
        Array.Fill(ones, (byte)1);
        // with every user in the "treated" slot, S1 of a prefix is the sum of its increments
        var pv = RankedPrefix.Build(score, ones, gv);
        var pc = RankedPrefix.Build(score, ones, gc);
        var grid = GridOf(n, o, out int segments);
        var kept = new List<int>(grid.Count); var percs = new List<double>(grid.Count);
        var vpus = new List<double>(grid.Count); var cpus = new List<double>(grid.Count);
        foreach (int k in grid)
        {
            kept.Add(k); percs.Add((double)k / n);
            vpus.Add(pv.Top(k).S1 / n); cpus.Add(pc.Top(k).S1 / n);
        }
        return Finish(kept, percs, vpus, cpus, 0, 0, n, segments, o.Grid, 0);
    }

    /// <summary>
    /// Bootstrap of the adjusted AUCC of each score on the same resamples (users resampled with replacement within each
    /// arm, with their propensities and outcome models, as <see cref="Bootstrap"/>; replicate r draws from
    /// <c>Rng.Derive(seed, RngStream.Bootstrap, r)</c>). values[s][r] is NaN where the replicate's curve is undefined.
    /// </summary>
    internal static BootstrapSummary[] BootstrapAdjusted(IReadOnlyList<double[]> scores, byte[] t, double[] v, double[] c,
        Adjustment a, BootstrapOptions o, out double[][] values)
    {
        o.Validate();
        int n = t.Length, reps = o.Replicates;
        var est = scores.Select(s => ComputeAdjusted(s, t, v, c, a, o.Curve).Aucc).ToArray();
        var tr = Enumerable.Range(0, n).Where(i => t[i] == 1).ToArray();
        var co = Enumerable.Range(0, n).Where(i => t[i] == 0).ToArray();
        var vals = scores.Select(_ => new double[reps]).ToArray();
        var po = new ParallelOptions { MaxDegreeOfParallelism = o.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, reps, po, r =>
        {
            var rng = Rng.Derive(o.Seed, RngStream.Bootstrap, r);
            var rows = new int[n];
            for (int j = 0; j < tr.Length; j++) rows[j] = tr[rng.NextInt(tr.Length)];
            for (int j = 0; j < co.Length; j++) rows[tr.Length + j] = co[rng.NextInt(co.Length)];
            var bt = rows.Select(i => t[i]).ToArray(); var bv = rows.Select(i => v[i]).ToArray(); var bc = rows.Select(i => c[i]).ToArray();
            var ba = a.Pick(rows);
            for (int s = 0; s < scores.Count; s++)
            {
                var sc = scores[s];
                var bs = rows.Select(i => sc[i]).ToArray();
                try { vals[s][r] = ComputeAdjusted(bs, bt, bv, bc, ba, o.Curve).Aucc; }
                catch (UpliftException) { vals[s][r] = double.NaN; }
            }
        });
        values = vals;
        return [.. est.Select((e, s) => Bootstrap.Summarise(e, vals[s], reps))];
    }

    /// <summary>The adjusted AUCC's bootstrap (<c>BootstrapAdjusted</c>) of one score.</summary>
    public static BootstrapSummary BootstrapAdjusted(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, Adjustment adjustment, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(adjustment);
        return BootstrapAdjusted([score.ToArray()], t.ToArray(), v.ToArray(), c.ToArray(), adjustment, options ?? BootstrapOptions.Default, out _)[0];
    }

    /// <summary>Paired bootstrap of two scores' adjusted AUCC on the same resamples and of their difference A − B.</summary>
    public static PairedBootstrapSummary BootstrapAdjustedDifference(ReadOnlySpan<double> scoreA, ReadOnlySpan<double> scoreB,
        ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, Adjustment adjustment, BootstrapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(adjustment);
        var o = options ?? BootstrapOptions.Default;
        var s = BootstrapAdjusted([scoreA.ToArray(), scoreB.ToArray()], t.ToArray(), v.ToArray(), c.ToArray(), adjustment, o, out var vals);
        var diff = new double[o.Replicates];
        for (int r = 0; r < diff.Length; r++) diff[r] = vals[0][r] - vals[1][r];
        return new PairedBootstrapSummary(s[0], s[1], Bootstrap.Summarise(s[0].Estimate - s[1].Estimate, diff, o.Replicates));
    }
}
