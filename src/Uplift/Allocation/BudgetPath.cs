using System.Runtime.InteropServices;

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
/// Memory: 32 bytes per upgrade (at most K per user), the same while building as once built (the sort's two 16-byte
/// buffers become the path's entries and its Δv, Δc), plus one byte per user; the inputs are the caller's.
/// </summary>
public sealed class BudgetPath
{
    readonly PathEntry[] _entry;   // sorted, first Count used
    readonly PathEntry[] _effect;  // the sort's other buffer, read as PathEffect (Δv, Δc) in path order
    readonly byte[] _leastBad;

    /// <summary>Number of users n.</summary>
    public int Users { get; }
    /// <summary>Number of arms K (control excluded).</summary>
    public int Arms { get; }
    /// <summary>Number of upgrades on the path.</summary>
    public int Count { get; }
    /// <summary>Estimated cost of the whole path: every user at the top of their hull ("everyone with their best arm").</summary>
    public double FullCost { get; }
    /// <summary>Estimated value of the whole path.</summary>
    public double FullValue { get; }

    BudgetPath(int users, int arms, int count, PathEntry[] entry, PathEntry[] effect, byte[] leastBad)
    {
        Users = users; Arms = arms; Count = count; _entry = entry; _effect = effect; _leastBad = leastBad;
        double cost = 0, value = 0;
        foreach (ref readonly var e in Effects) { cost += e.Dc; value += e.Dv; }
        FullCost = cost; FullValue = value;
    }

    /// <summary>Upgrade <paramref name="j"/> of the path (0 = first taken).</summary>
    public Upgrade this[int j]
    {
        get
        {
            ref readonly var x = ref Entries[j];
            ref readonly var e = ref Effects[j];
            return new Upgrade(e.Dv, e.Dc, SlopeSort.SlopeOf(x.Key), x.User, x.From, x.To);
        }
    }

    /// <summary>The upgrades in path order: user, arms and slope key (<see cref="SlopeSort.SlopeOf"/>).</summary>
    internal ReadOnlySpan<PathEntry> Entries => _entry.AsSpan(0, Count);
    /// <summary>Δv and Δc of the upgrades in path order.</summary>
    internal ReadOnlySpan<PathEffect> Effects => MemoryMarshal.Cast<PathEntry, PathEffect>(_effect.AsSpan(0, Count));
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

        // Pass 1: the hull of every user, in user order (user-major), as 16-byte entries; the keys' digits are counted on
        // the way. Capacity K per user, uninitialised: pages past the last upgrade are never touched.
        var entry = GC.AllocateUninitializedArray<PathEntry>(n * arms);
        var leastBad = new byte[n];
        var counts = new int[SlopeSort.Passes * SlopeSort.Buckets];
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
                ulong key = SlopeSort.Key(hs[j]);
                entry[total++] = new PathEntry { Key = key, User = u, From = (byte)(j == 0 ? 0 : ha[j - 1]), To = (byte)ha[j] };
                SlopeSort.Count(key, counts);
            }
        }

        // Pass 2: the one sort by slope descending, ties by user-major index (user, then hull position); then the other
        // buffer takes each upgrade's Δv, Δc in path order, read from the effects.
        var (sorted, spare) = SlopeSort.Sort(entry, GC.AllocateUninitializedArray<PathEntry>(total), total, counts);
        var effect = MemoryMarshal.Cast<PathEntry, PathEffect>(spare.AsSpan(0, total));
        for (int j = 0; j < total; j++)
        {
            ref readonly var x = ref sorted[j];
            int i = x.User * arms;
            double v0 = x.From == 0 ? 0.0 : tauV[i + x.From - 1], c0 = x.From == 0 ? 0.0 : tauC[i + x.From - 1];
            effect[j] = new PathEffect { Dv = tauV[i + x.To - 1] - v0, Dc = tauC[i + x.To - 1] - c0 };
        }
        return new BudgetPath(n, arms, total, sorted, spare, leastBad);
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
        var eff = Effects;
        double cost = 0;
        int j = 0;
        for (; j < eff.Length; j++)
        {
            double next = cost + eff[j].Dc;
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
        var entries = Entries; var eff = Effects;
        double cost = 0, value = 0;
        for (int j = 0; j < upgrades; j++) { arm[entries[j].User] = entries[j].To; cost += eff[j].Dc; value += eff[j].Dv; }
        return new BudgetAssignment(arm, cost, value, upgrades);
    }

    /// <summary>The path points: cumulative estimated cost and value after each upgrade (index j = after upgrade j).</summary>
    public (double[] Cost, double[] Value) Points()
    {
        var pc = new double[Count]; var pv = new double[Count];
        var eff = Effects;
        double cost = 0, value = 0;
        for (int j = 0; j < Count; j++) { cost += eff[j].Dc; value += eff[j].Dv; pc[j] = cost; pv[j] = value; }
        return (pc, pv);
    }
}
