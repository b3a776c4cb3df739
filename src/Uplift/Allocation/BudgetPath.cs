namespace Uplift.Allocation;

/// <summary>
/// One upgrade of the budget path: user <see cref="User"/> moves from arm <see cref="From"/> to arm <see cref="To"/>
/// (0 = control), adding <see cref="Dv"/> estimated value at <see cref="Dc"/> estimated cost (real costs, may be negative
/// for a first upgrade); <see cref="Slope"/> is the sort key (<see cref="Hull"/>'s geometry: the guarded ratio for a first upgrade).
/// </summary>
public readonly record struct Upgrade(double Dv, double Dc, double Slope, int User, byte From, byte To)
{
    /// <summary>An upgrade of <paramref name="user"/> from arm <paramref name="from"/> to arm <paramref name="to"/>.</summary>
    public Upgrade(int user, int from, int to, double dv, double dc, double slope) : this(dv, dc, slope, user, (byte)from, (byte)to) { }
}

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
/// position, which never ties within a user), a total order (<see cref="SlopeSort"/>, a stable radix sort). Walking the order
/// spends the budget. With K = 1 each user has at most one upgrade and the order is the ranking by the guarded ratio
/// relu(tau_v) / (relu(tau_c) + ε) of METHOD.md sections 1 and 5; users with tau_v ≤ 0 never appear.
/// The oracle policy is this path built on the true effects (<see cref="Policy.TruePolicyValue"/> values any assignment).
/// Memory: one 32-byte <see cref="Upgrade"/> per upgrade once built (at most K per user); while building, 32 bytes per
/// user and arm of capacity (only the upgrades' pages touched) plus 56 per upgrade.
/// </summary>
public sealed class BudgetPath
{
    readonly Upgrade[] _up;
    readonly byte[] _leastBad;

    /// <summary>Number of users n.</summary>
    public int Users { get; }
    /// <summary>Number of arms K (control excluded).</summary>
    public int Arms { get; }
    /// <summary>Number of upgrades on the path.</summary>
    public int Count => _up.Length;
    /// <summary>Estimated cost of the whole path: every user at the top of their hull ("everyone with their best arm").</summary>
    public double FullCost { get; }
    /// <summary>Estimated value of the whole path.</summary>
    public double FullValue { get; }

    BudgetPath(int users, int arms, Upgrade[] up, byte[] leastBad)
    {
        Users = users; Arms = arms; _up = up; _leastBad = leastBad;
        double cost = 0, value = 0;
        foreach (ref readonly var u in up.AsSpan()) { cost += u.Dc; value += u.Dv; }
        FullCost = cost; FullValue = value;
    }

    /// <summary>Upgrade <paramref name="j"/> of the path (0 = first taken).</summary>
    public Upgrade this[int j] => _up[j];

    /// <summary>The upgrades in path order.</summary>
    internal ReadOnlySpan<Upgrade> Upgrades => _up;
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

        // Pass 1: the hull of every user, in user order (user-major).
        var up = new Upgrade[n * arms]; // capacity: at most K upgrades per user (pages past the last upgrade are never touched)
        var leastBad = new byte[n];
        Span<int> ha = stackalloc int[arms];
        Span<double> hs = stackalloc double[arms], hc = stackalloc double[arms], hv = stackalloc double[arms];
        int total = 0;
        for (int u = 0; u < n; u++)
        {
            var uv = tauV.Slice(u * arms, arms); var uc = tauC.Slice(u * arms, arms);
            int h = Hull.Build(uv, uc, options.Epsilon, ha, hs, hc, hv);
            if (h == 0) { leastBad[u] = (byte)Hull.LeastBadArm(uv, uc); continue; }
            for (int j = 0; j < h; j++)
            {
                int a = j == 0 ? 0 : ha[j - 1], b = ha[j];
                up[total++] = new Upgrade(u, a, b, uv[b - 1] - (a == 0 ? 0.0 : uv[a - 1]), uc[b - 1] - (a == 0 ? 0.0 : uc[a - 1]), hs[j]);
            }
        }

        // Pass 2: one sort by slope descending, ties by user-major index (user, then hull position); then the upgrades
        // are gathered in that order (independent loads: much faster than permuting in place along the cycles).
        var order = SlopeSort.Order(up.AsSpan(0, total));
        var path = new Upgrade[total];
        for (int j = 0; j < total; j++) path[j] = up[order[j]];
        return new BudgetPath(n, arms, path, leastBad);
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
        for (; j < _up.Length; j++)
        {
            double next = cost + _up[j].Dc;
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
        for (int j = 0; j < upgrades; j++) { ref readonly var u = ref _up[j]; arm[u.User] = u.To; cost += u.Dc; value += u.Dv; }
        return new BudgetAssignment(arm, cost, value, upgrades);
    }

    /// <summary>The path points: cumulative estimated cost and value after each upgrade (index j = after upgrade j).</summary>
    public (double[] Cost, double[] Value) Points()
    {
        var pc = new double[Count]; var pv = new double[Count];
        double cost = 0, value = 0;
        for (int j = 0; j < Count; j++) { cost += _up[j].Dc; value += _up[j].Dv; pc[j] = cost; pv[j] = value; }
        return (pc, pv);
    }
}
