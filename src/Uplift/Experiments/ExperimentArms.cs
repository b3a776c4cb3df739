using Uplift.Allocation;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;

namespace Uplift.Experiments;

/// <summary>One budget along a path, split by arm (index 0 = control): the users assigned to each arm and their
/// planned (estimated) spend on it. <see cref="Share"/> is the budget as a share of <see cref="BudgetPath.FullCost"/>.</summary>
public sealed record ArmSplitPoint(double Share, double Budget, int[] Users, double[] Spend);

/// <summary>
/// What a campaign with K &gt; 1 arms adds to a <see cref="RankingEvaluation"/> (METHOD.md section 10): the budget path
/// built from the model's per-arm effects on the evaluated users, the value at fixed budgets
/// (<see cref="MultiArmCostCurve.ValueAtBudgets"/>: 25, 50 and 100 % of the budget that gives everyone their best arm) and
/// how the budget splits across arms as it grows (<see cref="Split"/>, at <see cref="Experiment.ArmSplitShares"/>).
/// </summary>
public sealed record MultiArmEvaluation(int Arms, BudgetPath Path, IReadOnlyList<BudgetValue> ValueAtBudgets, IReadOnlyList<ArmSplitPoint> Split);

// The multi-arm half of the evaluation (METHOD.md section 10): a model's budget path on held-out users, its multi-arm
// cost curve and AUCC, the value at fixed budgets and the paired bootstraps. With K = 1 the experiment keeps the binary
// path (section 6) so that every number stays as it was; MultiArmCostCurve equals it there (a test checks).
public static partial class Experiment
{
    /// <summary>Budget shares of <see cref="MultiArmEvaluation.Split"/>: 5, 10, ..., 100 % of the full path's cost.</summary>
    public static IReadOnlyList<double> ArmSplitShares { get; } = [.. Enumerable.Range(1, 20).Select(k => k / 20.0)];

    /// <summary>The budget path of <paramref name="model"/> on <paramref name="data"/>'s users: its per-arm effects
    /// (<see cref="IMultiArmModel.PredictArmEffects"/>) through <see cref="BudgetPath.Build"/>. Throws
    /// <see cref="UpliftException"/> when the model does not estimate effects for <paramref name="data"/>'s K arms.</summary>
    public static BudgetPath ArmPath(IUpliftModel model, Dataset data, int? maxThreads = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (model is not IMultiArmModel m || m.Arms != data.Arms)
            throw new UpliftException($"a {model.Kind} model of {(model as IMultiArmModel)?.Arms ?? 1} arm(s) cannot be evaluated on data with {data.Arms} arms.");
        int n = data.Rows, k = m.Arms;
        var tv = new double[(long)n * k]; var tc = new double[(long)n * k];
        m.PredictArmEffects(data, tv, tc, maxThreads);
        return BudgetPath.Build(tv, tc, n, k);
    }

    /// <summary>
    /// Evaluates a budget path on its users' observed arms and outcomes T ∈ 0..K, V, C: the multi-arm cost curve and AUCC
    /// (<see cref="MultiArmCostCurve.Compute"/>), the value at each of <see cref="EvaluationOptions.CostShares"/> on that
    /// curve, with bootstrap replicates the interval (<see cref="MultiArmBootstrap.Aucc"/>, seed as in
    /// <see cref="Evaluate"/>), and <see cref="RankingEvaluation.Arms"/>: the value at fixed budgets and the per-arm split.
    /// </summary>
    public static RankingEvaluation EvaluateArms(BudgetPath path, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        EvaluationOptions? options = null, long seed = 1)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= EvaluationOptions.Default;
        ArgumentNullException.ThrowIfNull(options.Curve);
        var curve = MultiArmCostCurve.Compute(path, t, v, c, options: options.Curve);
        options.Validate();
        var at = options.CostShares.Select(s => CostCurve.ValueAtCostShare(curve, s)).ToArray();
        var ci = options.BootstrapReplicates > 0 ? MultiArmBootstrap.Aucc(path, t, v, c, options: options.Bootstrap(seed)) : null;
        var budgets = MultiArmCostCurve.ValueAtBudgets(path, t, v, c);
        return new RankingEvaluation(curve, at, ci) { Arms = new MultiArmEvaluation(path.Arms, path, budgets, SplitByArm(path, ArmSplitShares)) };
    }

    /// <summary>
    /// Paired bootstraps of several paths against path <paramref name="reference"/> on the same users, as
    /// <see cref="Paired"/> does for one arm (<see cref="MultiArmBootstrap.AuccDifference"/>, the same resamples).
    /// </summary>
    public static (BootstrapSummary[] Bootstrap, PairedComparison?[] Differences) PairedArms(IReadOnlyList<(string Name, BudgetPath Path)> models,
        int reference, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, BootstrapOptions boot)
    {
        ArgumentNullException.ThrowIfNull(boot);
        byte[] ta = t.ToArray(); double[] va = v.ToArray(), ca = c.ToArray();
        return PairedCore(models, reference, (a, r) => MultiArmBootstrap.AuccDifference(a, r, ta, va, ca, options: boot),
            r => MultiArmBootstrap.Aucc(r, ta, va, ca, options: boot));
    }

    /// <summary>
    /// The path's assignment at each budget share × <see cref="BudgetPath.FullCost"/> (as <see cref="BudgetPath.Assign"/>:
    /// walked in order, stopping before the first upgrade that would cross the budget), split by arm: users and planned
    /// spend per arm. One pass over the path (shares ascending).
    /// </summary>
    public static ArmSplitPoint[] SplitByArm(BudgetPath path, IReadOnlyList<double> shares)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(shares);
        int k1 = path.Arms + 1;
        var userCost = new double[path.Users];
        var users = new int[k1]; var spend = new double[k1];
        users[0] = path.Users;
        double cost = 0, last = double.NegativeInfinity;
        int j = 0;
        var result = new ArmSplitPoint[shares.Count];
        for (int s = 0; s < shares.Count; s++)
        {
            double share = shares[s];
            UpliftOptionException.Check(share > 0 && share <= 1 && share >= last, "shares", $"must be ascending in (0, 1], got {share}.");
            last = share;
            double budget = share * path.FullCost;
            for (; j < path.Count && cost + path[j].Dc <= budget; j++)
            {
                var u = path[j];
                cost += u.Dc;
                users[u.From]--; users[u.To]++;
                spend[u.From] -= userCost[u.User];
                userCost[u.User] += u.Dc;
                spend[u.To] += userCost[u.User];
            }
            result[s] = new ArmSplitPoint(share, budget, [.. users], [.. spend]);
        }
        return result;
    }
}
