using Uplift.Allocation;

namespace Uplift.Campaign;

/// <summary>Evaluation users with outcomes for pricing a multi-arm plan: the model's effects on them (row-major n x K) and T (0..K), V, C.</summary>
public sealed record MultiArmEvalData(double[] TauV, double[] TauC, byte[] T, double[] V, double[] C);

/// <summary>
/// Multi-arm budget plan (METHOD.md sections 9 and 10). The candidates' estimated effects (row-major n x K) give the budget
/// path (<see cref="BudgetPath"/>); a plan is a prefix of j upgrades of it: the candidates with an arm after them are the
/// exploit users (scaled by 1 − ε, the explore share), and the explore group (ε N) is split equally across control and
/// the K arms.
/// <para>Pricing a prefix. Without evaluation data: each arm's exploit value and cost are the sums of the model's own
/// tau_v,k, tau_c,k over the candidates assigned k; the explore arm k users cost the candidates' mean tau_c,k. With
/// evaluation data: the evaluation users' own path (from the model's effects on them) is cut at the same slope as the
/// candidates' (upgrades with slope &gt;= the j-th candidate upgrade's slope), giving groups G_a; arm a's per-user effect is
/// m_a − m_0,a: the mean outcome of G_a's users observed in arm a minus the mean of G_a's users observed in control (the
/// group's own comparison: the path selects G_a on x, so the mean over all control users would add G_a's baseline
/// difference to the effect; that version underestimated the true spend by a third in tests/campaign/run-multiarm.sh);
/// the explore arm k users take mean(· | T = k) − mean(· | T = 0). A prefix is priced only when every assigned group has
/// <see cref="PlanSettings.MinArmUsers"/> users observed in its arm and as many observed in control; a smaller
/// group is priced at the arm's average effect over all evaluation users, with a warning.</para>
/// <para>Search: the largest prefix whose expected cost (explore + exploit) fits the budget, scanned over a grid of at
/// most 200 prefixes from the top, then refined by bisection between the largest fitting grid point and the next.</para>
/// <para>Intervals (evaluation data only): percentile bootstrap over evaluation users, stratified by observed arm, the
/// groups kept fixed. <b>Spend confidence P</b>: when the upper P-quantile of the bootstrap spend at the chosen prefix is
/// above the budget, the prefix is shrunk (bisection over shorter prefixes) to the largest one whose upper P-quantile
/// fits; <see cref="MultiArmPlanResult.HeldBack"/> is the point spend given up.</para>
/// <para>References at the same budget: the best single-arm policy (for each k, every user eligible for arm k only, the
/// path by tau_v,k / tau_c,k, priced alike; the best value) and random allocation (the plan's arm mix given at random:
/// its value per cost is Σ_a N_a ATE_v,a / Σ_a N_a ATE_c,a over all users).</para>
/// </summary>
public static class MultiArmPlan
{
    const int Grid = 200;

    /// <summary>Builds the plan for <paramref name="n"/> candidates and K = <paramref name="labels"/>.Count arms.</summary>
    public static MultiArmPlanResult Build(double[] tauV, double[] tauC, int n, IReadOnlyList<string> labels, string controlLabel,
        MultiArmEvalData? eval, MultiArmPlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int k = labels.Count;
        if (n == 0) throw new UpliftDataException("no candidates.");
        if (options.SpendConfidence is not null && eval is null)
            throw new UpliftOptionException("spend-confidence", "needs evaluation data (--eval): the spend interval comes from the bootstrap over evaluation users.");
        var path = BudgetPath.Build(tauV, tauC, n, k);
        Pricer pricer = eval is null ? new Pricer(tauV, tauC, n, k, null, null, options)
            : new Pricer(tauV, tauC, n, k, eval, BudgetPath.Build(eval.TauV, eval.TauC, eval.T.Length, k), options);
        var warnings = new List<string>();
        if (eval is null) warnings.Add("priced by the model's own effect estimates: no interval; plan with --eval data for bootstrap intervals.");

        var all = pricer.AllEffects();
        double exploreUsers = n * options.Explore / (k + 1);
        double exploreCost = 0;
        for (int a = 1; a <= k; a++) exploreCost += exploreUsers * all.Cost[a];
        if (exploreCost > options.Budget)
            throw new UpliftOptionException("budget", FormattableString.Invariant(
                $"the explore treatment alone has expected cost {exploreCost:G6}, above the budget {options.Budget:G6}; lower the explore share or raise the budget."));

        var main = Search(path, [.. Enumerable.Range(0, k + 1)], pricer, exploreUsers, all, options.Budget);
        if (main.Upgrades == 0 && path.Count > 0) warnings.Add("no budget point fits: the plan is explore only.");
        foreach (int a in main.PooledArms)
            warnings.Add(FormattableString.Invariant(
                $"arm {labels[a - 1]}: fewer than {options.MinArmUsers} evaluation users of its group in the arm or in control; priced at the arm's average effect over all evaluation users (a rough price: give more --eval users)."));
        if (main.Upgrades == path.Count && path.Count > 0 && options.Budget - main.Cost > 1e-9 * Math.Max(1, options.Budget))
            warnings.Add(FormattableString.Invariant($"the budget {options.Budget:G6} cannot be spent: the whole path costs {main.Cost:G6}."));

        double heldBack = 0;
        var boot = eval is null ? null : pricer.Bootstrap(main, exploreUsers);
        if (options.SpendConfidence is { } p && boot is not null && Quantile(boot.Cost, p) > options.Budget)
        {
            int lo = 0, hi = main.Upgrades; // lo fits at confidence p (0 upgrades: explore only, assumed), hi does not
            while (hi - lo > 1)
            {
                int mid = (lo + hi) >>> 1;
                var m = pricer.Price(path, mid, null, exploreUsers, all);
                if (m is not null && Quantile(pricer.Bootstrap(m, exploreUsers).Cost, p) <= options.Budget) lo = mid; else hi = mid;
            }
            var shrunk = pricer.Price(path, lo, null, exploreUsers, all) ?? pricer.Price(path, 0, null, exploreUsers, all)!;
            heldBack = main.Cost - shrunk.Cost;
            warnings.Add(FormattableString.Invariant($"spend confidence {p:0.###}: {heldBack:G6} of the expected spend held back so that the upper {p:P0} bootstrap quantile of the spend stays within the budget."));
            main = shrunk;
            boot = pricer.Bootstrap(main, exploreUsers);
        }

        // References at the same budget: the best single arm, and random allocation with the plan's arm mix.
        string? bestLabel = null; Priced? best = null;
        for (int a = 1; a <= k; a++)
        {
            var (sv, sc) = Column(tauV, tauC, n, k, a);
            var single = BudgetPath.Build(sv, sc, n, 1);
            Pricer sp = pricer;
            if (eval is not null)
            {
                var (ev, ec) = Column(eval.TauV, eval.TauC, eval.T.Length, k, a);
                sp = pricer.WithEvalPath(BudgetPath.Build(ev, ec, eval.T.Length, 1));
            }
            var s = Search(single, [0, a], sp, exploreUsers, all, main.Cost);
            if (best is null || s.Value > best.Value) { best = s; bestLabel = labels[a - 1]; }
        }
        double rv = 0, rc = 0;
        for (int a = 1; a <= k; a++) { rv += main.Users[a] * all.Value[a]; rc += main.Users[a] * all.Cost[a]; }
        double randomRatio = rc == 0 ? double.NaN : rv / rc;

        var arms = new List<ArmPlan>(k);
        var lv = options.ConfidenceLevel;
        for (int a = 1; a <= k; a++)
            arms.Add(new ArmPlan(labels[a - 1], main.Users[a], main.ArmValue[a], main.ArmCost[a],
                boot is null ? null : Readout.PercentileInterval(boot.ArmValue[a], lv, out _),
                boot is null ? null : Readout.PercentileInterval(boot.ArmCost[a], lv, out _)));
        return new MultiArmPlanResult(eval is null ? PlanEffectSource.ModelEffects : PlanEffectSource.EvaluationData, options.Budget, n,
            options.Explore, controlLabel, main.Upgrades, main.Upgrades == 0 ? null : path[main.Upgrades - 1].Slope, n - main.Users.Skip(1).Sum(),
            arms, main.Value, boot is null ? null : Readout.PercentileInterval(boot.Value, lv, out _),
            main.Cost, boot is null ? null : Readout.PercentileInterval(boot.Cost, lv, out _),
            options.SpendConfidence, heldBack, bestLabel, best?.Value ?? 0, best?.Cost ?? 0,
            main.Cost == 0 ? double.NaN : main.Value / main.Cost, randomRatio, eval?.T.Length ?? 0, lv, warnings);
    }

    /// <summary>The largest prefix of <paramref name="path"/> whose expected cost fits <paramref name="budget"/> (grid, then bisection).</summary>
    static Priced Search(BudgetPath path, int[] armMap, Pricer pricer, double exploreUsers, Pricer.All all, double budget)
    {
        int m = path.Count, g = Math.Min(m, Grid);
        Priced? Fit(int j) => pricer.Price(path, j, armMap, exploreUsers, all) is { } p && p.Cost <= budget ? p : null;
        Priced? found = null; int at = 0, next = -1;
        for (int q = g; q >= 1; q--)
        {
            int j = (int)((long)q * m / g);
            if (Fit(j) is { } p) { found = p; at = j; next = q == g ? -1 : (int)((long)(q + 1) * m / g); break; }
        }
        if (found is null) return pricer.Price(path, 0, armMap, exploreUsers, all)!;
        if (next > at)
        {
            int lo = at, hi = next;
            while (hi - lo > 1)
            {
                int mid = (lo + hi) >>> 1;
                if (Fit(mid) is { } p) { lo = mid; found = p; } else hi = mid;
            }
        }
        return found;
    }

    /// <summary>Column <paramref name="arm"/> (1-based) of row-major n x K effects.</summary>
    static (double[] V, double[] C) Column(double[] tauV, double[] tauC, int n, int k, int arm)
    {
        var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++) { v[i] = tauV[i * k + arm - 1]; c[i] = tauC[i * k + arm - 1]; }
        return (v, c);
    }

    /// <summary>The <paramref name="p"/>-quantile of the finite values (the ceil(p R)-th smallest).</summary>
    internal static double Quantile(double[] values, double p)
    {
        var s = values.Where(double.IsFinite).Order().ToArray();
        return s.Length == 0 ? double.NaN : s[Math.Clamp((int)Math.Ceiling(p * s.Length) - 1, 0, s.Length - 1)];
    }
}
