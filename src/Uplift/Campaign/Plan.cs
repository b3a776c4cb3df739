using System.Globalization;
using Uplift.Evaluation;

namespace Uplift.Campaign;

/// <summary>
/// Budget plan (METHOD.md section 9): which score cut-off spends the budget, and what it buys.
/// <para>Campaign shape (as <see cref="Assignment"/> builds it): of N candidates a random share epsilon is explore, of
/// which a share rho is treated; the other candidates scoring at or above the cut-off are exploit-treated.
/// With k candidates at or above the cut-off, the expected totals are</para>
/// <para>cost = N epsilon rho ATE_c(all) + (1 - epsilon) k ATE_c(top),  value likewise with ATE_v,</para>
/// <para>where ATE(top) is the incremental effect per treated user above the cut-off and ATE(all) that of a random user.</para>
/// <para>From evaluation data (<see cref="FromEvaluation"/>): ATE(top) = mean(V | s &gt;= cut-off, T=1) − mean(V | s &gt;= cut-off, T=0)
/// on evaluation users scored by the same model (the cost curve of the model at that cut-off), ATE(all) the plain
/// difference of means. The cut-off is a candidate score (the k-th highest), so the evaluation users "above it" are those
/// above the same score, not the same quantile. The plan takes the largest k whose expected cost fits the budget
/// (only cut-offs leaving <see cref="PlanSettings.MinArmUsers"/> per arm above them on the evaluation set are considered).
/// Intervals: percentile bootstrap over evaluation users, stratified by arm, at the chosen cut-off.</para>
/// <para>From the model's validation cost curve (<see cref="FromValidationCurve"/>, no evaluation data needed): the curve
/// holds, for 100 score cut-offs, the incremental value and cost per treated validation user scoring at or above each
/// (<see cref="ValidationCurvePoint.ValuePerTreated"/>, <see cref="ValidationCurvePoint.CostPerTreated"/>). The candidates
/// are mapped to it by score threshold, as with evaluation data: ATE(top) at a candidate cut-off score s is interpolated
/// linearly in the score between the two curve points whose cut-offs bracket s (above the highest cut-off: the top point;
/// below the lowest: everyone), and ATE(all) is the curve's last point. Cut-offs whose bracketing point above them has
/// fewer than <see cref="PlanSettings.MinArmUsers"/> treated or control validation users are not considered. No interval.</para>
/// <para>From model effects (<see cref="FromModelEffects"/>): ATE(top) = mean of the model's tau estimates over the
/// top k candidates, ATE(all) their mean over all candidates; no interval.</para>
/// <para>Every source warns when the budget does not bind (every candidate fits: the budget is at least the expected cost
/// of treating everyone, or the expected cost per treated user is not positive), and <see cref="PlanResult.BudgetBinding"/>
/// is then false.</para>
/// </summary>
public static partial class Plan
{
    /// <summary>Plan from an evaluation set with outcomes, scored by the same model as the candidates.</summary>
    public static PlanResult FromEvaluation(ReadOnlySpan<double> candidateScores, ReadOnlySpan<double> evalScores,
        ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = evalScores.Length, nCand = candidateScores.Length;
        if (t.Length != n || v.Length != n || c.Length != n)
            throw new UpliftDataException($"the evaluation set has {n} scores but {t.Length} treatments, {v.Length} values and {c.Length} costs.");
        CheckFinite(candidateScores, "candidate score");
        CheckFinite(evalScores, "evaluation score");
        CheckFinite(v, "value");
        CheckFinite(c, "cost");
        int n1 = 0;
        for (int i = 0; i < n; i++)
        {
            if (t[i] > 1) throw new UpliftDataException($"treatment is {t[i]}; it must be 0 or 1.", row: i + 1, column: "treatment");
            n1 += t[i];
        }
        if (n1 < options.MinArmUsers || n - n1 < options.MinArmUsers)
            throw new UpliftDataException($"the evaluation set needs at least {options.MinArmUsers} treated and {options.MinArmUsers} control users (has {n1} and {n - n1}).");

        // Evaluation users by score, descending, with prefix sums per arm: the top group of any cut-off is a prefix.
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var es = evalScores.ToArray();
        Array.Sort(order, (a, b) => es[b].CompareTo(es[a]) is var r && r != 0 ? r : a.CompareTo(b));
        var sorted = new double[n];
        var p = new Prefix(n);
        for (int j = 0; j < n; j++)
        {
            int i = order[j];
            sorted[j] = es[i];
            p.Add(j, t[i] == 1, v[i], c[i]);
        }
        var all = p.Effect(n);

        var cand = Descending(candidateScores);
        double exploreUsers = ExploreUsers(nCand, all, options);
        double exploreCost = exploreUsers * all.Cost;

        // Largest k whose expected cost fits (section 9: the threshold that spends the budget).
        int bestK = 0, bestM = 0;
        Effect top = default;
        for (int k = nCand; k >= 1; k--)
        {
            if (k < nCand && cand[k] == cand[k - 1]) continue; // a cut-off treats every candidate tied at it
            int m = CountAtLeast(sorted, cand[k - 1]);
            if (p.N1[m] < options.MinArmUsers || p.N0[m] < options.MinArmUsers) continue;
            var e = p.Effect(m);
            if (exploreCost + (1 - options.Explore) * k * e.Cost <= options.Budget) { bestK = k; bestM = m; top = e; break; }
        }
        var warnings = new List<string>();
        if (bestK == 0)
        {
            warnings.Add("no cut-off fits the budget with enough evaluation users above it: the plan is explore only.");
            top = all;
        }
        if (all.Cost <= 0) warnings.Add("the incremental cost of a random user is not positive on the evaluation set: the ratio against random has no clear sense.");

        double exploitUsers = (1 - options.Explore) * bestK;
        double value = exploreUsers * all.Value + exploitUsers * top.Value;
        double cost = exploreCost + exploitUsers * top.Cost;
        WarnIfNotBinding(warnings, bestK, nCand, options.Budget, cost, top.Cost);
        double ratio = Ratio(top, all);

        // Bootstrap over evaluation users, stratified by arm, at the chosen cut-off.
        int reps = options.BootstrapReplicates;
        var bv = new double[reps]; var bc = new double[reps]; var br = new double[reps];
        var tr = new List<int>(n1); var co = new List<int>(n - n1);
        for (int j = 0; j < n; j++) (t[order[j]] == 1 ? tr : co).Add(j); // positions in score order
        int[] trA = [.. tr], coA = [.. co];
        var vs = new double[n]; var cs = new double[n];
        for (int j = 0; j < n; j++) { vs[j] = v[order[j]]; cs[j] = c[order[j]]; }
        int cutM = bestK == 0 ? n : bestM;
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, reps, po, b =>
        {
            var rng = Rng.Derive(options.Seed, RngStream.PlanBootstrap, b);
            Sums allS = default, topS = default;
            foreach (var (arm, treated) in new[] { (trA, true), (coA, false) })
                for (int q = 0; q < arm.Length; q++)
                {
                    int j = arm[rng.NextInt(arm.Length)];
                    allS.Add(treated, vs[j], cs[j]);
                    if (j < cutM) topS.Add(treated, vs[j], cs[j]);
                }
            var ea = allS.Effect();
            var et = topS.Effect();
            bv[b] = exploreUsers * ea.Value + exploitUsers * et.Value;
            bc[b] = exploreUsers * ea.Cost + exploitUsers * et.Cost;
            br[b] = Ratio(et, ea);
        });
        var valueCi = Readout.PercentileInterval(bv, options.ConfidenceLevel, out int inv1);
        var costCi = Readout.PercentileInterval(bc, options.ConfidenceLevel, out int inv2);
        var ratioCi = Readout.PercentileInterval(br, options.ConfidenceLevel, out _);
        int invalid = Math.Max(inv1, inv2);
        if (invalid > 0) warnings.Add($"{invalid} of {reps} bootstrap replicates had an empty arm above the cut-off and were left out.");
        if (bestK > 0 && bestM < 200)
            warnings.Add($"only {bestM} evaluation users score above the cut-off: the per-user effects there are noisy.");

        return new PlanResult(PlanEffectSource.EvaluationData, options.Budget, nCand, options.Explore, options.ExploreTreated,
            bestK, bestK == 0 ? null : cand[bestK - 1], exploitUsers, exploreUsers, top.Value, top.Cost, all.Value, all.Cost,
            value, valueCi, cost, costCi, ratio, ratioCi, n, bestK == 0 ? 0 : bestM, options.ConfidenceLevel, invalid, warnings);
    }

    /// <summary>Plan from the model's own effect estimates tau_v(x), tau_c(x) on the candidates (no evaluation data, no interval).</summary>
    public static PlanResult FromModelEffects(ReadOnlySpan<double> candidateScores, ReadOnlySpan<double> tauV,
        ReadOnlySpan<double> tauC, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = candidateScores.Length;
        if (tauV.Length != n || tauC.Length != n)
            throw new UpliftDataException($"{n} candidate scores but {tauV.Length} tau_v and {tauC.Length} tau_c estimates.");
        if (n == 0) throw new UpliftDataException("no candidates.");
        CheckFinite(candidateScores, "candidate score");
        CheckFinite(tauV, "tau_v");
        CheckFinite(tauC, "tau_c");
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var s = candidateScores.ToArray();
        Array.Sort(order, (a, b) => s[b].CompareTo(s[a]) is var r && r != 0 ? r : a.CompareTo(b));
        var sv = new double[n + 1]; var sc = new double[n + 1];
        for (int j = 0; j < n; j++) { sv[j + 1] = sv[j] + tauV[order[j]]; sc[j + 1] = sc[j] + tauC[order[j]]; }
        var all = new Effect(sv[n] / n, sc[n] / n);
        double exploreUsers = ExploreUsers(n, all, options);
        double exploreCost = exploreUsers * all.Cost;
        int bestK = 0;
        for (int k = n; k >= 1; k--)
        {
            if (k < n && s[order[k]] == s[order[k - 1]]) continue;
            if (exploreCost + (1 - options.Explore) * sc[k] <= options.Budget) { bestK = k; break; }
        }
        var warnings = new List<string>();
        var top = bestK == 0 ? all : new Effect(sv[bestK] / bestK, sc[bestK] / bestK);
        if (bestK == 0) warnings.Add("no cut-off fits the budget: the plan is explore only.");
        warnings.Add("the model's own effect estimates carry no interval; plan with --eval data for bootstrap intervals.");
        double exploitUsers = (1 - options.Explore) * bestK;
        WarnIfNotBinding(warnings, bestK, n, options.Budget, exploreCost + exploitUsers * top.Cost, top.Cost);
        return new PlanResult(PlanEffectSource.ModelEffects, options.Budget, n, options.Explore, options.ExploreTreated,
            bestK, bestK == 0 ? null : s[order[bestK - 1]], exploitUsers, exploreUsers, top.Value, top.Cost, all.Value, all.Cost,
            exploreUsers * all.Value + exploitUsers * top.Value, null, exploreCost + exploitUsers * top.Cost, null,
            Ratio(top, all), null, 0, 0, options.ConfidenceLevel, 0, warnings);
    }

    /// <summary>Plan from the model's cost curve on its validation users (kept in the model file by <c>uplift train</c>):
    /// no evaluation data, no interval. The candidates are mapped to the curve by score threshold (see the class summary).</summary>
    public static PlanResult FromValidationCurve(ReadOnlySpan<double> candidateScores, ValidationCurve curve, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = candidateScores.Length;
        if (n == 0) throw new UpliftDataException("no candidates.");
        CheckFinite(candidateScores, "candidate score");
        var pts = curve.Points;
        var last = pts[^1];
        if (last.Treated < options.MinArmUsers || last.Control < options.MinArmUsers)
            throw new UpliftDataException($"the model's validation curve has {last.Treated} treated and {last.Control} control users; planning needs at least " +
                $"{options.MinArmUsers} of each: give --eval data (held-out users with treatment, value and cost).");
        var all = new Effect(last.ValuePerTreated, last.CostPerTreated);
        var cand = Descending(candidateScores);
        double exploreUsers = ExploreUsers(n, all, options);
        double exploreCost = exploreUsers * all.Cost;

        int bestK = 0;
        Effect top = all;
        double aboveUsers = 0;
        for (int k = n; k >= 1; k--)
        {
            if (k < n && cand[k] == cand[k - 1]) continue; // a cut-off treats every candidate tied at it
            if (AtScore(pts, cand[k - 1], options.MinArmUsers) is not { } at) continue;
            if (exploreCost + (1 - options.Explore) * k * at.Effect.Cost <= options.Budget) { bestK = k; top = at.Effect; aboveUsers = at.Users; break; }
        }
        var warnings = new List<string>();
        if (bestK == 0) warnings.Add("no cut-off fits the budget with enough validation users above it: the plan is explore only.");
        warnings.Add(string.Create(CultureInfo.InvariantCulture, $"priced by the model's validation cost curve ({curve.Users:N0} validation users, no interval)") +
            "; they also took part in fitting the model (restarts, stopping), so its effects above the cut-off may be optimistic: " +
            "plan with --eval held-out data for bootstrap intervals.");
        if (all.Cost <= 0) warnings.Add("the incremental cost of a random user is not positive on the validation users: the ratio against random has no clear sense.");
        double exploitUsers = (1 - options.Explore) * bestK;
        double cost = exploreCost + exploitUsers * top.Cost;
        WarnIfNotBinding(warnings, bestK, n, options.Budget, cost, top.Cost);
        return new PlanResult(PlanEffectSource.ValidationCurve, options.Budget, n, options.Explore, options.ExploreTreated,
            bestK, bestK == 0 ? null : cand[bestK - 1], exploitUsers, exploreUsers, top.Value, top.Cost, all.Value, all.Cost,
            exploreUsers * all.Value + exploitUsers * top.Value, null, cost, null,
            Ratio(top, all), null, curve.Users, bestK == 0 ? 0 : (int)Math.Round(aboveUsers), options.ConfidenceLevel, 0, warnings);
    }

    /// <summary>Per-treated effects of the validation users scoring at or above <paramref name="s"/>, interpolated linearly
    /// in the score between the bracketing curve points, and their (interpolated) number; null when the point above
    /// <paramref name="s"/> has fewer than <paramref name="minArm"/> users in an arm.</summary>
    static (Effect Effect, double Users)? AtScore(IReadOnlyList<ValidationCurvePoint> pts, double s, int minArm)
    {
        // j = the last point whose cut-off is >= s (its users all score >= s); j + 1 has a cut-off below s.
        int lo = 0, hi = pts.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (pts[mid].Cutoff >= s) lo = mid + 1; else hi = mid;
        }
        int j = lo - 1;
        var a = pts[Math.Max(j, 0)];
        if (a.Treated < minArm || a.Control < minArm) return null;
        if (j < 0 || j == pts.Count - 1 || a.Cutoff == s) return (new Effect(a.ValuePerTreated, a.CostPerTreated), a.K);
        var b = pts[j + 1];
        double w = (a.Cutoff - s) / (a.Cutoff - b.Cutoff); // in (0, 1]: 0 at a's cut-off, 1 at b's
        return (new Effect(a.ValuePerTreated + w * (b.ValuePerTreated - a.ValuePerTreated), a.CostPerTreated + w * (b.CostPerTreated - a.CostPerTreated)),
            a.K + w * (b.K - a.K));
    }
}
