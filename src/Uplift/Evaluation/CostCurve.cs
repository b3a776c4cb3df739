namespace Uplift.Evaluation;

/// <summary>
/// A cost curve (METHOD.md section 6). <see cref="X"/> and <see cref="Y"/> are the plotted points: the
/// normalised incremental cost and value, starting at (0,0) and ending at (1,1). The per-prefix arrays
/// (<see cref="K"/>, <see cref="Perc"/>, <see cref="Vpu"/>, <see cref="Cpu"/>, <see cref="Iv"/>, <see cref="Ic"/>)
/// have one entry per kept grid point, i.e. one fewer than X and Y.
/// </summary>
public sealed record CostCurveResult
{
    /// <summary>Normalised incremental cost x_k = min(ic_k / ic_last, 1), with the prepended 0. Not necessarily increasing.</summary>
    public required double[] X { get; init; }
    /// <summary>Normalised incremental value y_k = min(iv_k / iv_last, 1), with the prepended 0. Non-decreasing.</summary>
    public required double[] Y { get; init; }
    /// <summary>Prefix sizes k of the kept grid points.</summary>
    public required int[] K { get; init; }
    /// <summary>perc_k = k / N.</summary>
    public required double[] Perc { get; init; }
    /// <summary>Simulated value per user of "treat the top k" (step 3).</summary>
    public required double[] Vpu { get; init; }
    /// <summary>Simulated cost per user of "treat the top k" (step 3).</summary>
    public required double[] Cpu { get; init; }
    /// <summary>iv_k = max(vpu_k − v̄0, 1e-7), then forced non-decreasing (step 4).</summary>
    public required double[] Iv { get; init; }
    /// <summary>ic_k = max(cpu_k − c̄0, 1e-7) (step 4; not forced monotone).</summary>
    public required double[] Ic { get; init; }
    /// <summary>Trapezoid area under (X, Y) (step 6).</summary>
    public required double Aucc { get; init; }
    /// <summary>Number of users N.</summary>
    public required int N { get; init; }
    /// <summary>Effective number of segments (min(S, N)).</summary>
    public required int Segments { get; init; }
    public required CostCurveGrid Grid { get; init; }
    /// <summary>Grid points left out because a mean had no users (<see cref="CostCurveEmptyGroup.Skip"/>).</summary>
    public required int SkippedPoints { get; init; }
    /// <summary>Control means over the whole set (step 1).</summary>
    public required double V0 { get; init; }
    public required double C0 { get; init; }
}

/// <summary>Normalised incremental value at a share of the total incremental cost, and its lift over random (= value / share).</summary>
public readonly record struct ValueAtCost(double Share, double Value, double LiftVsRandom);

/// <summary>The paper's cost curve and AUCC (METHOD.md section 6).</summary>
public static partial class CostCurve
{
    /// <summary>Floor of the incremental value and cost (step 4).</summary>
    public const double MinIncrement = 1e-7;
    /// <summary>Above this targeted share the simulated value uses the treated mean of the top k alone (step 3).</summary>
    public const double FullTargetingShare = 0.99;
    /// <summary>The cost shares quoted next to AUCC (METHOD.md section 6: 10/20/30 %).</summary>
    public static IReadOnlyList<double> StandardShares { get; } = [0.1, 0.2, 0.3];

    /// <summary>
    /// Computes the cost curve of ranking users by <paramref name="score"/> (higher = treat first).
    /// Throws <see cref="UpliftDataException"/> for NaN inputs (naming the row, 1-based), T not 0/1, lengths
    /// that differ or an arm with no users; throws <see cref="UpliftException"/> when the whole set's
    /// incremental cost (or the best incremental value) is not positive, where the normalisation is undefined.
    /// </summary>
    public static CostCurveResult Compute(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, CostCurveOptions? options = null)
    {
        options ??= CostCurveOptions.Default;
        options.Validate();
        ValidateInputs(score, t, v, c);
        var ws = new Workspace(score.Length);
        return Core(score, t, v, c, options, ws);
    }

    /// <summary>The AUCC alone (same rules as <see cref="Compute"/>).</summary>
    public static double Aucc(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, CostCurveOptions? options = null) => Compute(score, t, v, c, options).Aucc;

    /// <summary>
    /// The normalised incremental value where the curve first reaches <paramref name="share"/> of the total
    /// incremental cost, by linear interpolation between the curve's points (x need not be monotone: the
    /// first segment, from (0,0), whose x-range contains the share is used). Lift vs random = value / share.
    /// </summary>
    public static ValueAtCost ValueAtCostShare(CostCurveResult curve, double share)
    {
        ArgumentNullException.ThrowIfNull(curve);
        UpliftOptionException.Check(share > 0 && share <= 1, "share", $"must be in (0, 1], got {share}.");
        var x = curve.X; var y = curve.Y;
        for (int i = 1; i < x.Length; i++)
        {
            double x0 = x[i - 1], x1 = x[i];
            if (share < Math.Min(x0, x1) || share > Math.Max(x0, x1)) continue;
            double value = x1 == x0 ? Math.Max(y[i - 1], y[i]) : y[i - 1] + (share - x0) / (x1 - x0) * (y[i] - y[i - 1]);
            return new ValueAtCost(share, value, value / share);
        }
        // Unreachable for a curve from Compute (it ends at x = 1); kept total for hand-made curves.
        return new ValueAtCost(share, y[^1], y[^1] / share);
    }

    /// <summary>Values at 10, 20 and 30 % of the total incremental cost.</summary>
    public static ValueAtCost[] ValueAtStandardShares(CostCurveResult curve) =>
        StandardShares.Select(s => ValueAtCostShare(curve, s)).ToArray();

    internal static void ValidateInputs(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c)
    {
        int n = score.Length;
        if (t.Length != n || v.Length != n || c.Length != n)
            throw new UpliftDataException($"score, T, V and C must have the same length (got {n}, {t.Length}, {v.Length}, {c.Length}).");
        int n1 = 0;
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(score[i])) throw new UpliftDataException("the score is NaN; every user needs a score to be ranked.", row: i + 1, column: "score");
            if (t[i] > 1) throw new UpliftDataException($"T must be 0 or 1, got {t[i]}.", row: i + 1, column: "T");
            if (!double.IsFinite(v[i])) throw new UpliftDataException($"V is {v[i]}; the cost curve needs finite outcomes.", row: i + 1, column: "V");
            if (!double.IsFinite(c[i])) throw new UpliftDataException($"C is {c[i]}; the cost curve needs finite outcomes.", row: i + 1, column: "C");
            n1 += t[i];
        }
        if (n1 == 0) throw new UpliftDataException("the evaluation set has no treated users (T = 1); the cost curve needs both arms.");
        if (n1 == n) throw new UpliftDataException("the evaluation set has no control users (T = 0); the cost curve needs both arms.");
    }

    /// <summary>Reusable buffers (one per bootstrap worker).</summary>
    internal sealed class Workspace(int n)
    {
        public double[] Keys = new double[n];
        public int[] Order = new int[n];
        public ulong[] TieKeys = [];
        public void Ensure(int n)
        {
            if (Keys.Length < n) { Keys = new double[n]; Order = new int[n]; }
        }
    }

    /// <summary>Steps 1-6 of METHOD.md section 6 on validated inputs.</summary>
    internal static CostCurveResult Core(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, CostCurveOptions o, Workspace ws)
    {
        int n = score.Length;

        // Step 1: arm totals; control means over the whole set.
        double n1 = 0, sv1 = 0, sc1 = 0, n0 = 0, sv0 = 0, sc0 = 0;
        for (int i = 0; i < n; i++)
        {
            if (t[i] == 1) { n1++; sv1 += v[i]; sc1 += c[i]; }
            else { n0++; sv0 += v[i]; sc0 += c[i]; }
        }
        double v0 = sv0 / n0, c0 = sc0 / n0;
        double vMean1 = sv1 / n1, cMean1 = sc1 / n1;

        // Step 2: sort by score descending; ties per the policy.
        ws.Ensure(n);
        var keys = ws.Keys.AsSpan(0, n);
        var order = ws.Order.AsSpan(0, n);
        for (int i = 0; i < n; i++) { keys[i] = -score[i]; order[i] = i; }
        keys.Sort(order);
        bool fractional = o.Ties == CostCurveTies.Fractional;
        if (!fractional) BreakTies(keys, order, o, ws);

        // Step 3: the prefix grid.
        int segments = Math.Min(o.Segments, n);
        int step = n / segments;
        var grid = new List<int>(segments + 1);
        for (int k = step; k < n; k += step) grid.Add(k);
        if (o.Grid == CostCurveGrid.EndsAtN) grid.Add(n);

        var kept = new List<int>(grid.Count);
        var percs = new List<double>(grid.Count);
        var vpus = new List<double>(grid.Count);
        var cpus = new List<double>(grid.Count);
        int skipped = 0;

        // One sweep over blocks of tied users (blocks of one user unless Fractional); a prefix ending inside
        // a block takes the fraction f of the block's counts and sums.
        double a1 = 0, av1 = 0, ac1 = 0, a0 = 0, av0 = 0, ac0 = 0; // totals before the block
        int gi = 0, start = 0;
        while (start < n && gi < grid.Count)
        {
            int end = start + 1;
            if (fractional) while (end < n && keys[end] == keys[start]) end++;
            double b1 = 0, bv1 = 0, bc1 = 0, b0 = 0, bv0 = 0, bc0 = 0;
            for (int p = start; p < end; p++)
            {
                int i = order[p];
                if (t[i] == 1) { b1++; bv1 += v[i]; bc1 += c[i]; }
                else { b0++; bv0 += v[i]; bc0 += c[i]; }
            }
            while (gi < grid.Count && grid[gi] <= end)
            {
                int k = grid[gi++];
                double f = end - start == 1 ? 1.0 : (double)(k - start) / (end - start);
                double perc = (double)k / n;
                // top k, treated arm
                double tn1 = a1 + f * b1, tv1 = av1 + f * bv1, tc1 = ac1 + f * bc1;
                // the rest, control arm
                double rn0 = n0 - (a0 + f * b0), rv0 = sv0 - (av0 + f * bv0), rc0 = sc0 - (ac0 + f * bc0);
                bool full = perc > FullTargetingShare;
                bool topEmpty = tn1 < 1e-9, restEmpty = !full && rn0 < 1e-9;
                if ((topEmpty || restEmpty) && o.EmptyGroup == CostCurveEmptyGroup.Skip) { skipped++; continue; }
                double mv1 = topEmpty ? vMean1 : tv1 / tn1, mc1 = topEmpty ? cMean1 : tc1 / tn1;
                double vpu, cpu;
                if (full) { vpu = mv1; cpu = mc1; }
                else
                {
                    double mv0 = restEmpty ? v0 : rv0 / rn0, mc0 = restEmpty ? c0 : rc0 / rn0;
                    vpu = perc * mv1 + (1 - perc) * mv0;
                    cpu = perc * mc1 + (1 - perc) * mc0;
                }
                kept.Add(k); percs.Add(perc); vpus.Add(vpu); cpus.Add(cpu);
            }
            a1 += b1; av1 += bv1; ac1 += bc1; a0 += b0; av0 += bv0; ac0 += bc0;
            start = end;
        }

        return Finish(kept, percs, vpus, cpus, v0, c0, n, segments, o.Grid, skipped);
    }

    /// <summary>
    /// Steps 4-6 of METHOD.md section 6 on the kept grid points (prefix sizes, perc, vpu, cpu): increments clipped,
    /// iv forced non-decreasing, normalised by the last point, trapezoid area. Shared with the multi-arm cost curve
    /// (METHOD.md section 10), where a point is a prefix of the budget path's upgrades.
    /// </summary>
    internal static CostCurveResult Finish(List<int> kept, List<double> percs, List<double> vpus, List<double> cpus,
        double v0, double c0, int n, int segments, CostCurveGrid gridKind, int skipped)
    {
        int m = kept.Count;
        if (m == 0)
            throw new UpliftException($"the cost curve has no usable point: every prefix of the {gridKind} grid with {n} users lacks treated users in the top or control users in the rest.");

        // Step 4: increments, clipped; iv forced non-decreasing.
        var iv = new double[m];
        var ic = new double[m];
        double run = 0;
        for (int j = 0; j < m; j++)
        {
            run = Math.Max(run, Math.Max(vpus[j] - v0, MinIncrement));
            iv[j] = run;
            ic[j] = Math.Max(cpus[j] - c0, MinIncrement);
        }
        double icLast = ic[m - 1], ivLast = iv[m - 1];
        if (cpus[m - 1] - c0 <= MinIncrement)
            throw new UpliftException(
                $"the evaluation set's incremental cost is not positive (treated-minus-control mean cost at k = {kept[m - 1]} of {n}: {cpus[m - 1] - c0:G6}); " +
                "the cost curve normalises by it, so it is undefined. Check the sign of the cost column.");
        if (ivLast <= MinIncrement)
            throw new UpliftException(
                $"the evaluation set's incremental value is not positive at any point of the curve (at k = {kept[m - 1]} of {n}: {vpus[m - 1] - v0:G6}); " +
                "the cost curve normalises by it, so it is undefined. Check the sign of the value column.");

        // Step 5: normalise by the last point, cap at 1, prepend (0,0). Step 6: trapezoid.
        var x = new double[m + 1];
        var y = new double[m + 1];
        double area = 0;
        for (int j = 0; j < m; j++)
        {
            x[j + 1] = Math.Min(ic[j] / icLast, 1.0);
            y[j + 1] = Math.Min(iv[j] / ivLast, 1.0);
            area += (x[j + 1] - x[j]) * (y[j + 1] + y[j]) * 0.5;
        }

        return new CostCurveResult
        {
            X = x, Y = y, K = [.. kept], Perc = [.. percs], Vpu = [.. vpus], Cpu = [.. cpus], Iv = iv, Ic = ic,
            Aucc = area, N = n, Segments = segments, Grid = gridKind, SkippedPoints = skipped, V0 = v0, C0 = c0,
        };
    }

    /// <summary>Orders each run of equal scores by row index or by a seeded hash of the row index.</summary>
    internal static void BreakTies(Span<double> keys, Span<int> order, CostCurveOptions o, Workspace ws)
    {
        int n = keys.Length;
        ulong salt = Rng.Key(o.TieSeed, RngStream.TieBreak);
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            int len = end - start;
            if (len > 1)
            {
                var run = order.Slice(start, len);
                if (o.Ties == CostCurveTies.RowOrder) run.Sort();
                else
                {
                    if (ws.TieKeys.Length < len) ws.TieKeys = new ulong[Math.Max(len, 16)];
                    var tk = ws.TieKeys.AsSpan(0, len);
                    run.Sort(); // a canonical start so the result does not depend on the sort's handling of equal keys
                    for (int j = 0; j < len; j++) tk[j] = Rng.Hash(salt ^ (ulong)run[j]);
                    tk.Sort(run);
                }
            }
            start = end;
        }
    }
}
