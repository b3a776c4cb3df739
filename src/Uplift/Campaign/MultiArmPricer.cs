using Uplift.Allocation;

namespace Uplift.Campaign;

/// <summary>A priced prefix of a budget path: expected users, value and cost per arm (index 0 = control) and in total,
/// and the evaluation users' groups it was priced on (empty without evaluation data). <see cref="PooledArms"/>: the arms
/// whose group had too few evaluation users (in the arm or in control) and were priced at the arm's average effect.</summary>
sealed record Priced(int Upgrades, double[] Users, double[] ArmValue, double[] ArmCost, double Value, double Cost, int[] EvalGroups)
{
    public IReadOnlyList<int> PooledArms { get; init; } = [];
}

/// <summary>Bootstrap replicates of a priced prefix (NaN where a replicate left a group without users in its arm).</summary>
sealed record PlanReplicates(double[] Value, double[] Cost, double[][] ArmValue, double[][] ArmCost);

/// <summary>Prices prefixes of a budget path for <see cref="MultiArmPlan"/> (the rules are in its summary).</summary>
sealed class Pricer(double[] tauV, double[] tauC, int n, int k, MultiArmEvalData? eval, BudgetPath? evalPath, MultiArmPlanOptions options)
{
    /// <summary>Per-user effects of a random user on each arm (index 0 unused).</summary>
    public sealed record All(double[] Value, double[] Cost);

    public Pricer WithEvalPath(BudgetPath path) => new(tauV, tauC, n, k, eval, path, options);

    public All AllEffects()
    {
        var v = new double[k + 1]; var c = new double[k + 1];
        if (eval is null)
        {
            for (int i = 0; i < n; i++)
                for (int a = 1; a <= k; a++) { v[a] += tauV[i * k + a - 1]; c[a] += tauC[i * k + a - 1]; }
            for (int a = 1; a <= k; a++) { v[a] /= n; c[a] /= n; }
            return new All(v, c);
        }
        var s = new Sums(k);
        for (int i = 0; i < eval.T.Length; i++) s.AddArm(eval.T[i], eval.V[i], eval.C[i]);
        for (int a = 1; a <= k; a++) { v[a] = s.ArmMeanV(a) - s.ArmMeanV(0); c[a] = s.ArmMeanC(a) - s.ArmMeanC(0); }
        return new All(v, c);
    }

    /// <summary>Prices the first <paramref name="j"/> upgrades of <paramref name="path"/> (its arms mapped by
    /// <paramref name="armMap"/>, null = identity). A group with too few evaluation users in its arm or in control is priced
    /// at the arm's average effect over all evaluation users (recorded in <see cref="Priced.PooledArms"/>).</summary>
    public Priced? Price(BudgetPath path, int j, int[]? armMap, double exploreUsers, All all)
    {
        double keep = 1 - options.Explore;
        var (count, xv, xc) = Prefix(path, j, armMap);
        int[] groups = [];
        var pooled = new List<int>();
        if (eval is not null)
        {
            int m = 0;
            if (j > 0)
            {
                double s = path[j - 1].Slope;
                while (m < evalPath!.Count && evalPath[m].Slope >= s) m++;
            }
            var ea = evalPath!.AssignPrefix(m).Arm;
            groups = armMap is null ? ea : [.. ea.Select(a => armMap[a])];
            var sums = GroupSums(groups);
            for (int a = 1; a <= k; a++)
            {
                if (count[a] == 0) continue;
                if (sums.GroupN(a) < options.MinArmUsers || sums.GroupControlN(a) < options.MinArmUsers)
                {
                    pooled.Add(a);
                    xv[a] = count[a] * all.Value[a];
                    xc[a] = count[a] * all.Cost[a];
                    continue;
                }
                // The group's arm-a users against the group's own control users (the path selects the group on x, so
                // the mean of all control users would carry the group's baseline difference into the effect).
                xv[a] = count[a] * (sums.GroupMeanV(a) - sums.GroupControlMeanV(a));
                xc[a] = count[a] * (sums.GroupMeanC(a) - sums.GroupControlMeanC(a));
            }
        }
        return Assemble(j, count, xv, xc, keep, exploreUsers, all, groups) with { PooledArms = pooled };
    }

    /// <summary>Upgrades between two stored states of a path's prefix sums (<see cref="Prefix"/>).</summary>
    const int Stride = 1 << 15;
    readonly List<(BudgetPath Path, int[]? Map, List<double[]> States)> _prefixes = [];

    /// <summary>
    /// The candidates per arm after the first <paramref name="j"/> upgrades of <paramref name="path"/> (arms mapped by
    /// <paramref name="armMap"/>) and, without evaluation data, the sums of their own tau_v, tau_c. The path is walked once
    /// and the sums are stored every <see cref="Stride"/> upgrades, so each call walks at most that many: the plan's search
    /// prices hundreds of prefixes, and with 10 million candidates a walk over all of them per call took minutes.
    /// </summary>
    (double[] Count, double[] Xv, double[] Xc) Prefix(BudgetPath path, int j, int[]? armMap)
    {
        int w = k + 1;
        var states = _prefixes.FirstOrDefault(x => ReferenceEquals(x.Path, path) && ReferenceEquals(x.Map, armMap)).States;
        if (states is null)
        {
            states = [];
            var st = new double[3 * w];
            st[0] = n;
            states.Add((double[])st.Clone());
            for (int q = 0; q < path.Count; q++)
            {
                Step(path, q, armMap, st);
                if ((q + 1) % Stride == 0) states.Add((double[])st.Clone());
            }
            _prefixes.Add((path, armMap, states));
        }
        var s = (double[])states[j / Stride].Clone();
        for (int q = j / Stride * Stride; q < j; q++) Step(path, q, armMap, s);
        return (s[..w], s[w..(2 * w)], s[(2 * w)..]);
    }

    /// <summary>Upgrade <paramref name="q"/>: its user moves from one arm to the other (and, without evaluation data, takes
    /// its own effects along).</summary>
    void Step(BudgetPath path, int q, int[]? armMap, double[] st)
    {
        int w = k + 1;
        ref readonly var x = ref path.Entries[q];
        int a0 = armMap is null ? x.From : armMap[x.From], a1 = armMap is null ? x.To : armMap[x.To];
        st[a0]--; st[a1]++;
        if (eval is not null) return;
        long i = (long)x.User * k;
        if (a0 > 0) { st[w + a0] -= tauV[i + a0 - 1]; st[2 * w + a0] -= tauC[i + a0 - 1]; }
        if (a1 > 0) { st[w + a1] += tauV[i + a1 - 1]; st[2 * w + a1] += tauC[i + a1 - 1]; }
    }

    Priced Assemble(int j, double[] count, double[] xv, double[] xc, double keep, double exploreUsers, All all, int[] groups)
    {
        var users = new double[k + 1]; var av = new double[k + 1]; var ac = new double[k + 1];
        double value = 0, cost = 0, treated = 0;
        for (int a = 1; a <= k; a++)
        {
            users[a] = keep * count[a] + exploreUsers;
            av[a] = keep * xv[a] + exploreUsers * all.Value[a];
            ac[a] = keep * xc[a] + exploreUsers * all.Cost[a];
            value += av[a]; cost += ac[a]; treated += users[a];
        }
        users[0] = n - treated;
        return new Priced(j, users, av, ac, value, cost, groups);
    }

    /// <summary>Replicates of <paramref name="p"/>: evaluation users resampled within each observed arm, the groups fixed.</summary>
    public PlanReplicates Bootstrap(Priced p, double exploreUsers)
    {
        var e = eval!;
        int reps = options.BootstrapReplicates, ne = e.T.Length;
        var strata = Enumerable.Range(0, k + 1).Select(a => Enumerable.Range(0, ne).Where(i => e.T[i] == a).ToArray()).ToArray();
        var count = new double[k + 1];
        for (int a = 1; a <= k; a++) count[a] = (p.Users[a] - exploreUsers) / (1 - options.Explore);
        var rv = new double[reps]; var rc = new double[reps];
        var rav = new double[k + 1][]; var rac = new double[k + 1][];
        for (int a = 0; a <= k; a++) { rav[a] = new double[reps]; rac[a] = new double[reps]; }
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, reps, po, b =>
        {
            var rng = Rng.Derive(options.Seed, RngStream.PlanBootstrap, b);
            var s = new Sums(k);
            foreach (var st in strata)
                for (int q = 0; q < st.Length; q++) { int i = st[rng.NextInt(st.Length)]; s.Add(p.EvalGroups[i], e.T[i], e.V[i], e.C[i]); }
            var xv = new double[k + 1]; var xc = new double[k + 1];
            var all = new All(new double[k + 1], new double[k + 1]);
            for (int a = 1; a <= k; a++)
            {
                all.Value[a] = s.ArmMeanV(a) - s.ArmMeanV(0); all.Cost[a] = s.ArmMeanC(a) - s.ArmMeanC(0);
                if (count[a] == 0) continue;
                if (p.PooledArms.Contains(a)) { xv[a] = count[a] * all.Value[a]; xc[a] = count[a] * all.Cost[a]; continue; }
                xv[a] = count[a] * (s.GroupMeanV(a) - s.GroupControlMeanV(a)); xc[a] = count[a] * (s.GroupMeanC(a) - s.GroupControlMeanC(a));
            }
            var r = Assemble(p.Upgrades, count, xv, xc, 1 - options.Explore, exploreUsers, all, []);
            rv[b] = r.Value; rc[b] = r.Cost;
            for (int a = 1; a <= k; a++) { rav[a][b] = r.ArmValue[a]; rac[a][b] = r.ArmCost[a]; }
        });
        return new PlanReplicates(rv, rc, rav, rac);
    }

    Sums GroupSums(int[] groups)
    {
        var s = new Sums(k);
        for (int i = 0; i < eval!.T.Length; i++) s.Add(groups[i], eval.T[i], eval.V[i], eval.C[i]);
        return s;
    }

    /// <summary>Sums per observed arm, and per group over its users observed in the group's arm.</summary>
    sealed class Sums(int k)
    {
        readonly double[] _an = new double[k + 1], _av = new double[k + 1], _ac = new double[k + 1];
        readonly double[] _gn = new double[k + 1], _gv = new double[k + 1], _gc = new double[k + 1];
        readonly double[] _hn = new double[k + 1], _hv = new double[k + 1], _hc = new double[k + 1];
        public void AddArm(int t, double v, double c) { _an[t]++; _av[t] += v; _ac[t] += c; }
        public void Add(int group, int t, double v, double c)
        {
            AddArm(t, v, c);
            if (group == t) { _gn[t]++; _gv[t] += v; _gc[t] += c; }
            else if (t == 0 && group > 0) { _hn[group]++; _hv[group] += v; _hc[group] += c; }
        }
        /// <summary>Users of group a (the path gives them arm a) observed in control: the group's own comparison.</summary>
        public double GroupControlN(int a) => _hn[a];
        public double GroupControlMeanV(int a) => _hn[a] == 0 ? double.NaN : _hv[a] / _hn[a];
        public double GroupControlMeanC(int a) => _hn[a] == 0 ? double.NaN : _hc[a] / _hn[a];
        public double GroupN(int a) => _gn[a];
        public double GroupMeanV(int a) => _gn[a] == 0 ? double.NaN : _gv[a] / _gn[a];
        public double GroupMeanC(int a) => _gn[a] == 0 ? double.NaN : _gc[a] / _gn[a];
        public double ArmMeanV(int a) => _an[a] == 0 ? double.NaN : _av[a] / _an[a];
        public double ArmMeanC(int a) => _an[a] == 0 ? double.NaN : _ac[a] / _an[a];
    }
}
