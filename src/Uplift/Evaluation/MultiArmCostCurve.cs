using Uplift.Allocation;

namespace Uplift.Evaluation;

/// <summary>
/// Value of a budget on held-out users: the budget <see cref="Share"/> × the path's full cost, the path's own (planned)
/// estimate of what it buys, and the held-out estimate (<see cref="MultiArmCostCurve.Estimate"/>), with users per arm
/// (index 0 = control).
/// </summary>
public sealed record BudgetValue(double Share, double Budget, double PlannedValue, double PlannedCost, double Value, double Cost, int[] ArmCounts);

/// <summary>
/// The multi-arm cost curve and AUCC (METHOD.md section 10): the policy path (a <see cref="BudgetPath"/> built from the
/// evaluation users' estimated effects) evaluated on their observed arms and outcomes T ∈ 0..K, V, C.
/// <para>
/// A point of the path is a prefix of its upgrades; it assigns every user i an arm a(i). With G_a = {i : a(i) = a},
/// N_a = |G_a|, perc = (N − N_0) / N and the Hájek arm mean on the group's users observed in its arm,
/// m_a(V) = Σ_{i ∈ G_a, T_i = a} w_i V_i / Σ_{i ∈ G_a, T_i = a} w_i, with w_i = 1/π_a (π_a the arm's share of the
/// evaluation users: constant within the arm, so the plain mean) or w_i = 1/e_{T_i}(x_i) when propensities are given:
/// </para>
/// <para>
///   vpu = Σ_{a ≥ 1} (N_a / N) · m_a(V) + (1 − perc) · m_0(V),  or Σ_{a ≥ 1} (N_a / (N − N_0)) · m_a(V) when perc &gt; 0.99;
///   iv = vpu − v̄0 with v̄0 the (weighted) mean of V over all control users; likewise cpu and ic.
/// </para>
/// <para>
/// So a user whose observed arm differs from the assigned one counts in N_{a(i)}, the size of the group it belongs to,
/// but its outcomes enter no mean at that point: each group is read on its members that were observed in the group's
/// arm (the difference of arm means against control, iv = Σ_a share_a · (m_a − v̄0)). With K = 1 this is step 3 of
/// METHOD.md section 6 (G_1 = the top k, G_0 = the rest). Steps 4-6 (clipping, monotone iv, normalisation at the last
/// point, trapezoid) are <see cref="CostCurve"/>'s own.
/// </para>
/// <para>
/// The evaluated path is the budget path followed by a tail: every user with no arm of positive estimated value moves
/// from control to its least bad arm, all at slope 0 (the guarded ratio of a user with tau_v ≤ 0), so the last point
/// treats everyone, as section 6's k = N does. The grid runs over the M upgrades of that path (k = step, 2·step, ...,
/// step = floor(M / S); M = N when K = 1), <see cref="CostCurveResult.K"/> counts upgrades and
/// <see cref="CostCurveResult.Perc"/> is the treated share. Ties are <see cref="CostCurveOptions.Ties"/> on equal slopes:
/// a fractional block, or the user-major index (user, then hull position), or its seeded hash. With K = 1, unit weights
/// and the same options the result equals <see cref="CostCurve.Compute"/> of the guarded-ratio scores bit for bit.
/// </para>
/// </summary>
public static class MultiArmCostCurve
{
    /// <summary>Budgets quoted next to the AUCC: 25, 50 and 100 % of the budget that gives everyone their best arm (<see cref="BudgetPath.FullCost"/>).</summary>
    public static IReadOnlyList<double> StandardBudgetShares { get; } = [0.25, 0.5, 1.0];

    /// <summary>
    /// The multi-arm cost curve of <paramref name="path"/> on its users' observed arms and outcomes. <paramref name="propensity"/>
    /// (optional) is each user's probability of the arm it was observed in, e_{T_i}(x_i) in (0, 1]. Throws
    /// <see cref="UpliftDataException"/> for bad inputs or an arm with no user, <see cref="UpliftException"/> when the
    /// curve is undefined (as <see cref="CostCurve.Compute"/>).
    /// </summary>
    public static CostCurveResult Compute(BudgetPath path, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        ReadOnlySpan<double> propensity = default, CostCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= CostCurveOptions.Default;
        options.Validate();
        var w = Validate(path, t, v, c, propensity);
        var list = EvalList.Of(path);
        var rows = new int[list.Count];
        for (int u = 0; u < path.Users; u++) rows.AsSpan(list.Offsets[u], list.Offsets[u + 1] - list.Offsets[u]).Fill(u);
        return Core(list.NegSlope, list.From, list.To, rows, path.Users, path.Arms, t, v, c, w, options, new Workspace());
    }

    /// <summary>The multi-arm AUCC alone (same rules as <see cref="Compute"/>).</summary>
    public static double Aucc(BudgetPath path, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        ReadOnlySpan<double> propensity = default, CostCurveOptions? options = null) => Compute(path, t, v, c, propensity, options).Aucc;

    /// <summary>
    /// Held-out estimate of an assignment's incremental value and cost, as totals over its N users: N · (vpu − v̄0) and
    /// N · (cpu − c̄0) with vpu = Σ_a (N_a / N) · m_a(V) (the class formula without the 0.99 rule). A group with users but
    /// none observed in its arm takes its arm's mean over the whole set (no information from the assignment).
    /// </summary>
    public static PolicyTotals Estimate(ReadOnlySpan<int> assignment, int arms, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, ReadOnlySpan<double> propensity = default)
    {
        var w = ValidateOutcomes(assignment.Length, arms, t, v, c, propensity);
        int n = t.Length;
        var size = new double[arms + 1];
        var gw = new double[arms + 1]; var gv = new double[arms + 1]; var gc = new double[arms + 1];
        var aw = new double[arms + 1]; var av = new double[arms + 1]; var ac = new double[arms + 1];
        for (int i = 0; i < n; i++)
        {
            int a = assignment[i];
            if ((uint)a > (uint)arms) throw new ArgumentException($"user {i + 1} is assigned arm {a}, outside 0..{arms}.", nameof(assignment));
            double wi = w.Length == 0 ? 1.0 : w[i];
            size[a]++;
            aw[t[i]] += wi; av[t[i]] += wi * v[i]; ac[t[i]] += wi * c[i];
            if (t[i] == a) { gw[a] += wi; gv[a] += wi * v[i]; gc[a] += wi * c[i]; }
        }
        double vpu = 0, cpu = 0;
        for (int a = 0; a <= arms; a++)
        {
            if (size[a] == 0) continue;
            bool empty = gw[a] < 1e-9;
            vpu += size[a] / n * (empty ? av[a] / aw[a] : gv[a] / gw[a]);
            cpu += size[a] / n * (empty ? ac[a] / aw[a] : gc[a] / gw[a]);
        }
        return new PolicyTotals(n * (vpu - av[0] / aw[0]), n * (cpu - ac[0] / aw[0]));
    }

    /// <summary>
    /// The value at fixed budgets: for each share (default <see cref="StandardBudgetShares"/>) the path's assignment at
    /// share × <see cref="BudgetPath.FullCost"/> (<see cref="BudgetPath.Assign"/>, stopping before the crossing upgrade),
    /// its planned value and cost, and its held-out estimate.
    /// </summary>
    public static BudgetValue[] ValueAtBudgets(BudgetPath path, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        ReadOnlySpan<double> propensity = default, IReadOnlyList<double>? shares = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        shares ??= StandardBudgetShares;
        Validate(path, t, v, c, propensity);
        var result = new BudgetValue[shares.Count];
        for (int s = 0; s < shares.Count; s++)
        {
            double share = shares[s];
            UpliftOptionException.Check(share > 0 && share <= 1, "share", $"must be in (0, 1], got {share}.");
            double budget = share * path.FullCost;
            var plan = path.Assign(budget);
            var est = Estimate(plan.Arm, path.Arms, t, v, c, propensity);
            var counts = new int[path.Arms + 1];
            foreach (int a in plan.Arm) counts[a]++;
            result[s] = new BudgetValue(share, budget, plan.Value, plan.Cost, est.Value, est.Cost, counts);
        }
        return result;
    }

    /// <summary>Checks the labelled users against the path; returns the weights 1/e (empty = unit weights).</summary>
    internal static double[] Validate(BudgetPath path, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, ReadOnlySpan<double> propensity) =>
        ValidateOutcomes(path.Users, path.Arms, t, v, c, propensity);

    static double[] ValidateOutcomes(int users, int arms, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, ReadOnlySpan<double> propensity)
    {
        int n = t.Length;
        if (users != n || v.Length != n || c.Length != n || (!propensity.IsEmpty && propensity.Length != n))
            throw new UpliftDataException($"the path's users, T, V, C (and propensities) must have the same length (got {users}, {n}, {v.Length}, {c.Length}, {propensity.Length}).");
        var count = new int[arms + 1];
        for (int i = 0; i < n; i++)
        {
            if (t[i] > arms) throw new UpliftDataException($"T must be an arm 0..{arms}, got {t[i]}.", row: i + 1, column: "T");
            if (!double.IsFinite(v[i])) throw new UpliftDataException($"V is {v[i]}; the cost curve needs finite outcomes.", row: i + 1, column: "V");
            if (!double.IsFinite(c[i])) throw new UpliftDataException($"C is {c[i]}; the cost curve needs finite outcomes.", row: i + 1, column: "C");
            if (!propensity.IsEmpty && !(propensity[i] > 0 && propensity[i] <= 1))
                throw new UpliftDataException($"the propensity of the observed arm must be in (0, 1], got {propensity[i]}.", row: i + 1, column: "propensity");
            count[t[i]]++;
        }
        for (int a = 0; a <= arms; a++)
            if (count[a] == 0)
                throw new UpliftDataException(a == 0
                    ? "the evaluation set has no control users (T = 0); the cost curve needs every arm."
                    : $"the evaluation set has no users in arm {a}; the cost curve needs every arm.");
        if (propensity.IsEmpty) return [];
        var w = new double[n];
        for (int i = 0; i < n; i++) w[i] = 1.0 / propensity[i];
        return w;
    }

    /// <summary>The evaluated path in user-major order: each user's upgrades in hull order, or its tail upgrade (slope 0).</summary>
    internal sealed class EvalList
    {
        public required int[] Offsets { get; init; }
        public required double[] NegSlope { get; init; }
        public required byte[] From { get; init; }
        public required byte[] To { get; init; }
        public int Count => NegSlope.Length;

        public static EvalList Of(BudgetPath path)
        {
            int n = path.Users;
            var up = path.Entries;
            var offsets = new int[n + 1];
            foreach (ref readonly var x in up) offsets[x.User + 1]++;
            for (int u = 0; u < n; u++) offsets[u + 1] += offsets[u + 1] == 0 ? 1 : 0; // the tail upgrade
            for (int u = 0; u < n; u++) offsets[u + 1] += offsets[u];
            int m = offsets[n];
            var negSlope = new double[m]; var from = new byte[m]; var to = new byte[m];
            var fill = offsets.AsSpan(0, n).ToArray();
            foreach (ref readonly var x in up) // path order = hull order within a user
            {
                int p = fill[x.User]++;
                negSlope[p] = -SlopeSort.SlopeOf(x.Key); from[p] = x.From; to[p] = x.To;
            }
            var least = path.LeastBadOf;
            for (int u = 0; u < n; u++)
                if (fill[u] == offsets[u]) { negSlope[offsets[u]] = -0.0; from[offsets[u]] = 0; to[offsets[u]] = least[u]; }
            return new EvalList { Offsets = offsets, NegSlope = negSlope, From = from, To = to };
        }
    }

    /// <summary>Reusable buffers (one per bootstrap worker).</summary>
    internal sealed class Workspace
    {
        public double[] Keys = [];
        public int[] Order = [];
        public readonly CostCurve.Workspace Ties = new(0);
        public void Ensure(int m)
        {
            if (Keys.Length < m) { Keys = new double[m]; Order = new int[m]; }
        }
    }

    /// <summary>
    /// The curve of an evaluated path given user-major (negated slope, from, to, row) entries over <paramref name="n"/>
    /// labelled rows with unit weights (empty <paramref name="w"/>) or weights 1/e. Mirrors <see cref="CostCurve"/>'s
    /// Core step by step, so that with K = 1 every number is the same.
    /// </summary>
    internal static CostCurveResult Core(ReadOnlySpan<double> negSlope, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, ReadOnlySpan<int> row,
        int n, int arms, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, ReadOnlySpan<double> w,
        CostCurveOptions o, Workspace ws)
    {
        int m = negSlope.Length, k1 = arms + 1;
        // Step 1: arm totals over the whole set; control means.
        var tw = new double[k1]; var tv = new double[k1]; var tc = new double[k1];
        for (int i = 0; i < n; i++)
        {
            double wi = w.IsEmpty ? 1.0 : w[i];
            tw[t[i]] += wi; tv[t[i]] += wi * v[i]; tc[t[i]] += wi * c[i];
        }
        double v0 = tv[0] / tw[0], c0 = tc[0] / tw[0];

        // Step 2: the upgrades by slope, descending (the same sort as CostCurve's on the same keys); ties per the policy.
        ws.Ensure(m);
        var keys = ws.Keys.AsSpan(0, m);
        var order = ws.Order.AsSpan(0, m);
        for (int e = 0; e < m; e++) { keys[e] = negSlope[e]; order[e] = e; }
        keys.Sort(order);
        bool fractional = o.Ties == CostCurveTies.Fractional;
        if (!fractional) CostCurve.BreakTies(keys, order, o, ws.Ties);

        // Step 3: the grid over the path's upgrades.
        int segments = Math.Min(o.Segments, m);
        int step = m / segments;
        var grid = new List<int>(segments + 1);
        for (int k = step; k < m; k += step) grid.Add(k);
        if (o.Grid == CostCurveGrid.EndsAtN) grid.Add(m);
        var kept = new List<int>(grid.Count);
        var percs = new List<double>(grid.Count);
        var vpus = new List<double>(grid.Count);
        var cpus = new List<double>(grid.Count);
        int skipped = 0;

        // Per group: users observed in the group's arm that entered (In) and left (Out), weights and sums; group sizes.
        var s = new Sums(k1); var b = new Sums(k1);
        double treated = 0;
        int gi = 0, start = 0;
        var mv = new double[k1]; var mc = new double[k1]; var size = new double[k1];
        while (start < m && gi < grid.Count)
        {
            int end = start + 1;
            if (fractional) while (end < m && keys[end] == keys[start]) end++;
            b.Clear();
            double bTreated = 0;
            for (int p = start; p < end; p++)
            {
                int e = order[p], i = row[e], fa = from[e], ta = to[e];
                double wi = w.IsEmpty ? 1.0 : w[i];
                if (fa == 0) bTreated++;
                b.N[ta]++; b.N[fa]--;
                if (t[i] == ta) { b.InW[ta] += wi; b.InV[ta] += wi * v[i]; b.InC[ta] += wi * c[i]; }
                if (t[i] == fa) { b.OutW[fa] += wi; b.OutV[fa] += wi * v[i]; b.OutC[fa] += wi * c[i]; }
            }
            int len = end - start;
            while (gi < grid.Count && grid[gi] <= end)
            {
                int k = grid[gi++];
                double f = len == 1 ? 1.0 : (double)(k - start) / len;
                double nTr = treated + (double)(k - start) * bTreated / len;
                double perc = nTr / n;
                bool full = perc > CostCurve.FullTargetingShare;
                bool anyEmpty = false;
                for (int a = 0; a < k1; a++)
                {
                    size[a] = s.N[a] + (double)(k - start) * b.N[a] / len;
                    if (a == 0 ? full : size[a] < 1e-9) { size[a] = 0; continue; }
                    // Control starts with everyone and only loses users; an arm's group = entered − left (0 for K = 1).
                    double gw = a == 0 ? tw[0] - (s.OutW[0] + f * b.OutW[0]) : (s.InW[a] + f * b.InW[a]) - (s.OutW[a] + f * b.OutW[a]);
                    double gv = a == 0 ? tv[0] - (s.OutV[0] + f * b.OutV[0]) : (s.InV[a] + f * b.InV[a]) - (s.OutV[a] + f * b.OutV[a]);
                    double gc = a == 0 ? tc[0] - (s.OutC[0] + f * b.OutC[0]) : (s.InC[a] + f * b.InC[a]) - (s.OutC[a] + f * b.OutC[a]);
                    bool empty = gw < 1e-9;
                    anyEmpty |= empty;
                    mv[a] = empty ? tv[a] / tw[a] : gv / gw;
                    mc[a] = empty ? tc[a] / tw[a] : gc / gw;
                }
                if (anyEmpty && o.EmptyGroup == CostCurveEmptyGroup.Skip) { skipped++; continue; }
                double vpu = 0, cpu = 0;
                for (int a = 1; a < k1; a++)
                {
                    if (size[a] == 0) continue;
                    double share = full ? size[a] / nTr : size[a] / n;
                    vpu += share * mv[a]; cpu += share * mc[a];
                }
                if (!full) { vpu += (1 - perc) * mv[0]; cpu += (1 - perc) * mc[0]; }
                kept.Add(k); percs.Add(perc); vpus.Add(vpu); cpus.Add(cpu);
            }
            s.Add(b);
            treated += bTreated;
            start = end;
        }
        return CostCurve.Finish(kept, percs, vpus, cpus, v0, c0, n, segments, o.Grid, skipped);
    }

    sealed class Sums(int k1)
    {
        public readonly double[] N = new double[k1], InW = new double[k1], InV = new double[k1], InC = new double[k1],
            OutW = new double[k1], OutV = new double[k1], OutC = new double[k1];
        public void Clear()
        {
            foreach (var x in new[] { N, InW, InV, InC, OutW, OutV, OutC }) Array.Clear(x);
        }
        public void Add(Sums o)
        {
            for (int a = 0; a < N.Length; a++)
            {
                N[a] += o.N[a]; InW[a] += o.InW[a]; InV[a] += o.InV[a]; InC[a] += o.InC[a];
                OutW[a] += o.OutW[a]; OutV[a] += o.OutV[a]; OutC[a] += o.OutC[a];
            }
        }
    }
}
