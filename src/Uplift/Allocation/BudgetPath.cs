namespace Uplift.Allocation;

/// <summary>
/// One upgrade of the budget path: user <see cref="User"/> moves from arm <see cref="From"/> to arm <see cref="To"/>
/// (0 = control), adding <see cref="Dv"/> estimated value at <see cref="Dc"/> estimated cost (real costs, may be negative
/// for a first upgrade); <see cref="Slope"/> is the sort key (<see cref="Hull"/>'s geometry: the guarded ratio for a first upgrade).
/// </summary>
public readonly record struct Upgrade(int User, int From, int To, double Dv, double Dc, double Slope);

/// <summary>An assignment read off the path: arm per user (0 = control), its estimated spend and value, and how many upgrades it took.</summary>
public sealed record BudgetAssignment(int[] Arm, double Cost, double Value, int Upgrades);

/// <summary>Options of <see cref="BudgetPath.Build"/>.</summary>
public sealed record BudgetPathOptions
{
    /// <summary>ε of the guarded ratio (METHOD.md section 5): control sits at (−ε, 0) in the hull. Default 1e-5, the value
    /// of <c>Models.EffectRatio.DefaultEpsilon</c> (a test checks they agree). Must be positive and finite.</summary>
    public double Epsilon { get; init; } = 1e-5;

    public static BudgetPathOptions Default { get; } = new();

    internal void Validate()
    {
        UpliftOptionException.Check(double.IsFinite(Epsilon) && Epsilon > 0, "epsilon", $"must be positive and finite, got {Epsilon}.");
    }
}

/// <summary>
/// The budget path across K arms (METHOD.md section 10): the LP relaxation of the multiple-choice knapsack solved greedily,
/// as maq does, but on estimated effects. Each user's arms make an upper convex hull (<see cref="Hull"/>); its segments are
/// upgrades with decreasing slopes; all users' upgrades are sorted once by slope, descending, ties by user index (then hull
/// position, which never ties within a user), so the order is a total order (single-threaded: measured fast enough, see bench allocation). Walking the order
/// spends the budget. With K = 1 each user has at most one upgrade and the order is the ranking by the guarded ratio
/// relu(tau_v) / (relu(tau_c) + ε) of METHOD.md sections 1 and 5; users with tau_v ≤ 0 never appear.
/// Memory: 30 bytes per upgrade once built; while building, 14 bytes per user and arm plus 34 per upgrade.
/// </summary>
public sealed class BudgetPath
{
    readonly int[] _user;
    readonly byte[] _from, _to;
    readonly double[] _dv, _dc, _slope;
    readonly byte[] _leastBad;

    /// <summary>Number of users n.</summary>
    public int Users { get; }
    /// <summary>Number of arms K (control excluded).</summary>
    public int Arms { get; }
    /// <summary>Number of upgrades on the path.</summary>
    public int Count => _user.Length;
    /// <summary>Estimated cost of the whole path: every user at the top of their hull ("everyone with their best arm").</summary>
    public double FullCost { get; }
    /// <summary>Estimated value of the whole path.</summary>
    public double FullValue { get; }

    BudgetPath(int users, int arms, int[] user, byte[] from, byte[] to, double[] dv, double[] dc, double[] slope, byte[] leastBad)
    {
        Users = users; Arms = arms; _user = user; _from = from; _to = to; _dv = dv; _dc = dc; _slope = slope; _leastBad = leastBad;
        double cost = 0, value = 0;
        for (int j = 0; j < dv.Length; j++) { cost += dc[j]; value += dv[j]; }
        FullCost = cost; FullValue = value;
    }

    /// <summary>Upgrade <paramref name="j"/> of the path (0 = first taken).</summary>
    public Upgrade this[int j] => new(_user[j], _from[j], _to[j], _dv[j], _dc[j], _slope[j]);

    internal ReadOnlySpan<int> UserOf => _user;
    internal ReadOnlySpan<byte> FromOf => _from;
    internal ReadOnlySpan<byte> ToOf => _to;
    internal ReadOnlySpan<double> SlopeOf => _slope;
    /// <summary><see cref="Hull.LeastBadArm"/> of each user (used only by evaluation paths that end with everyone treated).</summary>
    internal ReadOnlySpan<byte> LeastBadOf => _leastBad;

    /// <summary>
    /// Builds the path from estimated effects, row-major n x K: user i's arm k (1-based) at <c>i * K + (k - 1)</c>, as
    /// <c>Models.IMultiArmModel.PredictArmEffects</c> writes them. K is 1 to 255 and n·K below 2^31. Throws
    /// <see cref="UpliftDataException"/> for a non-finite effect (naming the 1-based user and the arm).
    /// </summary>
    public static BudgetPath Build(ReadOnlySpan<double> tauV, ReadOnlySpan<double> tauC, int n, int arms, BudgetPathOptions? options = null)
    {
        options ??= BudgetPathOptions.Default;
        options.Validate();
        UpliftOptionException.Check(arms is >= 1 and <= 255, "arms", $"must be between 1 and 255, got {arms}.");
        UpliftOptionException.Check(n >= 0 && (long)n * arms < int.MaxValue, "users", $"n x K must be below 2^31, got {n} x {arms}.");
        if (tauV.Length != n * arms || tauC.Length != n * arms)
            throw new ArgumentException($"tauV and tauC must hold n x K = {n} x {arms} values (got {tauV.Length} and {tauC.Length}).");
        for (int i = 0; i < tauV.Length; i++)
        {
            if (!double.IsFinite(tauV[i])) throw new UpliftDataException($"tau_v is {tauV[i]}; the budget path needs finite effects.", row: i / arms + 1, column: $"tau_v,{i % arms + 1}");
            if (!double.IsFinite(tauC[i])) throw new UpliftDataException($"tau_c is {tauC[i]}; the budget path needs finite effects.", row: i / arms + 1, column: $"tau_c,{i % arms + 1}");
        }

        // Pass 1: the hull of every user, in user order (user-major; capacity n·K, at most K upgrades per user).
        var negSlope = new double[n * arms]; var userUm = new int[n * arms]; var fromUm = new byte[n * arms]; var toUm = new byte[n * arms];
        var leastBad = new byte[n];
        Span<int> ha = stackalloc int[arms];
        Span<double> hs = stackalloc double[arms], hc = stackalloc double[arms], hv = stackalloc double[arms];
        int total = 0;
        for (int u = 0; u < n; u++)
        {
            var uv = tauV.Slice(u * arms, arms); var uc = tauC.Slice(u * arms, arms);
            int h = Hull.Build(uv, uc, options.Epsilon, ha, hs, hc, hv);
            if (h == 0) leastBad[u] = (byte)Hull.LeastBadArm(uv, uc);
            for (int j = 0; j < h; j++, total++)
            {
                negSlope[total] = -hs[j]; userUm[total] = u;
                fromUm[total] = (byte)(j == 0 ? 0 : ha[j - 1]); toUm[total] = (byte)ha[j];
            }
        }

        // Pass 2: one sort by slope descending; ties by user-major index (user, then hull position).
        var order = new int[total];
        for (int j = 0; j < total; j++) order[j] = j;
        SortBySlope(negSlope.AsSpan(0, total), order);

        var user = new int[total]; var from = new byte[total]; var to = new byte[total];
        var dv = new double[total]; var dc = new double[total]; var slope = new double[total];
        for (int j = 0; j < total; j++)
        {
            int e = order[j], u = userUm[e], a = fromUm[e], b = toUm[e];
            user[j] = u; from[j] = (byte)a; to[j] = (byte)b;
            dv[j] = tauV[u * arms + b - 1] - (a == 0 ? 0.0 : tauV[u * arms + a - 1]);
            dc[j] = tauC[u * arms + b - 1] - (a == 0 ? 0.0 : tauC[u * arms + a - 1]);
            slope[j] = -negSlope[j];
        }
        return new BudgetPath(n, arms, user, from, to, dv, dc, slope, leastBad);
    }

    /// <summary>
    /// Sorts keys ascending (the negated slopes, so slopes descending) with their user-major indices, then each run of
    /// equal keys by index: a total order, the same whatever the sort does with equal keys.
    /// </summary>
    internal static void SortBySlope(Span<double> negSlope, Span<int> order)
    {
        negSlope.Sort(order);
        int start = 0, n = negSlope.Length;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && negSlope[end] == negSlope[start]) end++;
            if (end - start > 1) order.Slice(start, end - start).Sort();
            start = end;
        }
    }

    /// <summary>
    /// The assignment that spends at most <paramref name="budget"/> (estimated cost): the path is walked in order and
    /// stops before the first upgrade that would take the spend above the budget, so assignments are nested as the budget
    /// grows (the LP's last, fractional upgrade is left out). With <paramref name="takeCrossing"/> that upgrade is taken
    /// too, overspending by at most its cost. Upgrades after the stop are not taken even if they would fit.
    /// </summary>
    public BudgetAssignment Assign(double budget, bool takeCrossing = false)
    {
        UpliftOptionException.Check(!double.IsNaN(budget), "budget", "must be a number, got NaN.");
        double cost = 0;
        int j = 0;
        for (; j < _dc.Length; j++)
        {
            double next = cost + _dc[j];
            if (next > budget) { if (takeCrossing) j++; break; }
            cost = next;
        }
        return AssignPrefix(j);
    }

    /// <summary>The assignment after the first <paramref name="upgrades"/> upgrades of the path.</summary>
    public BudgetAssignment AssignPrefix(int upgrades)
    {
        UpliftOptionException.Check(upgrades >= 0 && upgrades <= Count, "upgrades", $"must be between 0 and {Count}, got {upgrades}.");
        var arm = new int[Users];
        double cost = 0, value = 0;
        for (int j = 0; j < upgrades; j++) { arm[_user[j]] = _to[j]; cost += _dc[j]; value += _dv[j]; }
        return new BudgetAssignment(arm, cost, value, upgrades);
    }

    /// <summary>The path points: cumulative estimated cost and value after each upgrade (index j = after upgrade j).</summary>
    public (double[] Cost, double[] Value) Points()
    {
        var pc = new double[Count]; var pv = new double[Count];
        double cost = 0, value = 0;
        for (int j = 0; j < Count; j++) { cost += _dc[j]; value += _dv[j]; pc[j] = cost; pv[j] = value; }
        return (pc, pv);
    }
}
