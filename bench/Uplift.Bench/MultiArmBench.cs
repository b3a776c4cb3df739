using System.Diagnostics;
using System.Globalization;
using System.Text;
using Uplift.Allocation;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Synthetic;

namespace Uplift.Bench;

/// <summary>
/// One learner x budget of <see cref="MultiArmBench"/>, each a list over seeds of TRUE values as shares of the oracle's
/// true value at the same budget: the learner's plan (<see cref="Plan"/>), its true cost as a share of the budget
/// (<see cref="CostShare"/>), the value of the learner's path walked until its TRUE cost would pass the budget
/// (<see cref="AtTrueSpend"/>: the ranking's quality without its cost error), the best single arm picked by true value (<see cref="BestArm"/>) and by estimated value on
/// the pricing users (<see cref="ValidArm"/>, with the arm chosen per seed in <see cref="ValidArms"/>), the best single
/// arm's path walked until its true cost would pass the budget (<see cref="BestArmAtTrueSpend"/>) and random
/// allocation (<see cref="Random"/>); <see cref="OracleSingleArm"/> is the best single arm ranked by the TRUE effects
/// (what one arm alone can reach at best; the same for every learner). <see cref="Priced"/> and <see cref="PricedCost"/>
/// are the plan priced on the pricing users (<see cref="MultiArmPlan.Build"/> with evaluation data, no explore group),
/// <see cref="Confident"/> and <see cref="ConfidentCost"/> the same with spend confidence 0.9.
/// </summary>
public sealed record MultiArmRow(string Learner, string Budget, int Rows, int Seeds, List<double> Plan, List<double> CostShare,
    List<double> AtTrueSpend, List<double> BestArm, List<int> BestArms, List<double> ValidArm, List<int> ValidArms,
    List<double> BestArmAtTrueSpend, List<int> BestArmsAtTrueSpend, List<double> Random, List<double> OracleSingleArm,
    List<double> Priced, List<double> PricedCost, List<double> Confident, List<double> ConfidentCost);

/// <summary>A learner's fit seconds on the K-arm campaign and on the binary <c>linear</c> campaign of the same size, seed 1, one after the other.</summary>
public sealed record MultiArmSpeedRow(string Learner, int Arms, double MultiSeconds, double BinarySeconds);

/// <summary>
/// Quality of the budget path across arms (METHOD.md section 10, issue 11) on the <c>multiarm</c> synthetic campaign:
/// for seeds 1..S, the campaign (K = 3, 10 features) is split 60/20/20 by <see cref="DataSplit.Stratified"/> (same seed),
/// each learner is fitted on the training users with the validation users, and on the test users the path built from its
/// per-arm effects is assigned at three budgets and valued with the true effects (<see cref="Policy.TruePolicyValue"/>).
/// <para>Budgets: the oracle path is <see cref="BudgetPath.Build"/> on the test users' true effects; budget "1/3"
/// is its (true) cost after the shortest prefix of upgrades at which at least a third of the test users are treated,
/// "2/3" the same with two thirds; "full/2" is the oracle's spend at half its full cost (METHOD.md section 10: by then
/// most of its upgrades are to bigger arms). The oracle's value is that prefix's value.</para>
/// <para>References, at the same budget: the best single arm (for each arm k the binary path on the learner's
/// (tau_v,k, tau_c,k) alone, everyone treated getting arm k), kept by true test value (hindsight) or by the estimated
/// value (<see cref="MultiArmCostCurve.Estimate"/>) of the same rule on the pricing users at the budget scaled to
/// their number (what a user could do); random allocation: test users in a seeded random order, each given an arm
/// drawn uniformly from 1..K, taken while the TRUE cost stays within the budget (so it never overspends).</para>
/// <para>A path assigned at the budget spends it in estimated cost and may overspend in truth; so each path (plan and best
/// single arm) is also walked in its own order until its TRUE cost would pass the budget, which measures its ranking alone.</para>
/// <para>Priced on fresh users (what <c>uplift plan --eval</c> does with held-out users): <see cref="MultiArmPlan.Build"/> with the test users
/// as candidates (the learner's effects on them) and the pricing users (a fresh campaign of a fifth of the users, seed + <see cref="PricingSeedOffset"/>, never seen by the fit) as evaluation data (the learner's effects on
/// them and their T, V, C), explore share 0, at the same budget, once without and once with spend confidence
/// <see cref="SpendConfidence"/>; the plan's prefix of the candidates' path is assigned and valued with the true effects.</para>
/// </summary>
public static class MultiArmBench
{
    /// <summary>The budgets: "1/3" and "2/3" are the oracle path's cost when it has treated that share of the test users;
    /// "full/2" is half of the oracle path's full cost (everyone at the top of their true hull), where the bigger arms pay.</summary>
    public static IReadOnlyList<(string Name, double TreatedShare, double FullCostShare)> Budgets { get; } =
        [("1/3", 1.0 / 3, 0), ("2/3", 2.0 / 3, 0), ("full/2", 0, 0.5)];

    /// <summary>The pricing campaign's seed is the seed plus this (a fresh campaign of a fifth of the users).</summary>
    public const long PricingSeedOffset = 1_000_000;

    /// <summary>Spend confidence of the second priced plan.</summary>
    public const double SpendConfidence = 0.9;

    /// <summary>A true cost within this multiple of the budget counts as "within budget" in <see cref="Format"/>.</summary>
    public const double Tolerance = 1.05;

    static readonly string[] Labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <param name="rows">Users per campaign.</param>
    /// <param name="seeds">Seeds 1..seeds (campaign, split and learner seed).</param>
    /// <param name="learners">Learner labels of <see cref="QualityBench.AllLearners"/> or <see cref="QualityBench.ExtraLearners"/> (default: all of the first).</param>
    /// <param name="arms">K.</param>
    /// <param name="log">Receives one line per fit.</param>
    public static (IReadOnlyList<MultiArmRow> Rows, IReadOnlyList<MultiArmSpeedRow> Speed) Run(int rows = 100_000, int seeds = 5,
        IReadOnlyList<string>? learners = null, int arms = 3, Action<string>? log = null)
    {
        learners ??= QualityBench.AllLearners;
        foreach (var l in learners)
            if (!QualityBench.AllLearners.Contains(l) && !QualityBench.ExtraLearners.Contains(l))
                throw new ArgumentException($"unknown learner '{l}'; known: {string.Join(", ", QualityBench.AllLearners.Concat(QualityBench.ExtraLearners))}");
        var result = learners.SelectMany(l => Budgets.Select(b => new MultiArmRow(l, b.Name, rows, seeds, [], [], [], [], [], [], [], [], [], [], [], [], [], [], []))).ToList();
        var multiSecs = learners.ToDictionary(l => l, _ => new List<double>());
        var binarySecs = learners.ToDictionary(l => l, _ => new List<double>());
        for (long seed = 1; seed <= seeds; seed++)
        {
            var sim = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.MultiArm, Rows = rows, Arms = arms, Seed = seed });
            var split = DataSplit.Stratified(sim.Data.T, 0.6, 0.2, seed);
            // The plan's evaluation users: a fresh campaign the learner never saw (its validation users serve the fit:
            // snapshot selection and the heads' calibration, so pricing on them would reuse their noise).
            var pricing = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.MultiArm, Rows = rows / 5, Arms = arms, Seed = seed + PricingSeedOffset }).Data;
            var (train, valid, test) = (sim.Data.Subset(split.Train), sim.Data.Subset(split.Valid), sim.Data.Subset(split.Test));
            var trueV = PickRows(sim.ArmTauV, split.Test, arms);
            var trueC = PickRows(sim.ArmTauC, split.Test, arms);
            int n = test.Rows;
            var oracle = BudgetPath.Build(trueV, trueC, n, arms);
            var budgets = Budgets.Select(b => b.TreatedShare > 0 ? OracleBudget(oracle, n, b.TreatedShare) : AtCost(oracle, b.FullCostShare * oracle.FullCost)).ToArray();
            var random = budgets.Select(b => RandomAllocation(trueV, trueC, n, arms, b.Budget, seed)).ToArray();
            var oracleSingle = budgets.Select(b => Enumerable.Range(1, arms)
                .Max(k => Policy.TruePolicyValue(SingleArm(trueV, trueC, n, arms, k, b.Budget), trueV, trueC).Value) / b.Value).ToArray();
            // How well the test users' outcomes price the oracle's own assignment at each budget (held-out difference of arm means).
            var costError = budgets.Select(b => MultiArmCostCurve.Estimate(oracle.Assign(b.Budget).Arm, arms, test.T, test.V, test.C).Cost / b.Budget - 1).ToArray();
            log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"multiarm seed {seed}: budgets {string.Join(", ", budgets.Select(b => $"{b.Budget:F0} (oracle value {b.Value:F0})"))}; oracle's best single arm {string.Join(", ", oracleSingle.Select(x => $"{x:F3}"))} of the oracle; the oracle assignment's cost estimated on the test users {string.Join(", ", costError.Select(x => $"{x:+0.000;-0.000}"))} of the budget"));
            (Dataset Train, Dataset Valid)? binary = null; // the binary campaign of the same size, timed on seed 1 only
            if (seed == 1)
            {
                var binarySim = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.Linear, Rows = rows, Seed = seed });
                var binarySplit = DataSplit.Stratified(binarySim.Data.T, 0.6, 0.2, seed);
                binary = (binarySim.Data.Subset(binarySplit.Train), binarySim.Data.Subset(binarySplit.Valid));
            }
            foreach (var l in learners)
            {
                var clock = Stopwatch.StartNew();
                var model = QualityBench.Create(l, SyntheticScenario.MultiArm).Fit(train, valid, new FitContext(seed)) as IMultiArmModel
                    ?? throw new InvalidOperationException($"{l} did not fit a multi-arm model");
                multiSecs[l].Add(clock.Elapsed.TotalSeconds);
                if (binary is var (binaryTrain, binaryValid)) // the binary fit is timed on the first seed only (it is 40 % of the bench's time otherwise)
                {
                    clock.Restart();
                    QualityBench.Create(l, SyntheticScenario.Linear).Fit(binaryTrain, binaryValid, new FitContext(seed));
                    binarySecs[l].Add(clock.Elapsed.TotalSeconds);
                }

                var (estV, estC) = Effects(model, test, arms);
                var (validV, validC) = Effects(model, pricing, arms);
                var path = BudgetPath.Build(estV, estC, n, arms);
                var evalData = new MultiArmEvalData(validV, validC, pricing.T, pricing.V, pricing.C);
                var labels = Labels.Take(arms).ToArray();
                for (int b = 0; b < budgets.Length; b++)
                {
                    var row = result.First(r => r.Learner == l && r.Budget == Budgets[b].Name);
                    var (budget, oracleValue) = budgets[b];
                    var plan = Policy.TruePolicyValue(path.Assign(budget).Arm, trueV, trueC);
                    row.Plan.Add(plan.Value / oracleValue);
                    row.CostShare.Add(plan.Cost / budget);
                    row.AtTrueSpend.Add(ValueAtTrueSpend(path, trueV, trueC, arms, budget) / oracleValue);
                    var single = Enumerable.Range(1, arms).Select(k => Policy.TruePolicyValue(SingleArm(estV, estC, n, arms, k, budget), trueV, trueC).Value).ToArray();
                    int best = Array.IndexOf(single, single.Max());
                    row.BestArm.Add(single[best] / oracleValue);
                    row.BestArms.Add(best + 1);
                    double validBudget = budget * pricing.Rows / n;
                    var validEstimate = Enumerable.Range(1, arms).Select(k =>
                        MultiArmCostCurve.Estimate(SingleArm(validV, validC, pricing.Rows, arms, k, validBudget), arms, pricing.T, pricing.V, pricing.C).Value).ToArray();
                    int chosen = Array.IndexOf(validEstimate, validEstimate.Max());
                    row.ValidArm.Add(single[chosen] / oracleValue);
                    row.ValidArms.Add(chosen + 1);
                    var singleTrue = Enumerable.Range(1, arms).Select(k =>
                        ValueAtTrueSpend(SingleArmPath(estV, estC, n, arms, k), trueV, trueC, arms, budget, onlyArm: k)).ToArray();
                    int bestTrue = Array.IndexOf(singleTrue, singleTrue.Max());
                    row.BestArmAtTrueSpend.Add(singleTrue[bestTrue] / oracleValue);
                    row.BestArmsAtTrueSpend.Add(bestTrue + 1);
                    row.Random.Add(random[b] / oracleValue);
                    row.OracleSingleArm.Add(oracleSingle[b]);
                    foreach (var (confidence, value, cost) in new[] { ((double?)null, row.Priced, row.PricedCost), (SpendConfidence, row.Confident, row.ConfidentCost) })
                    {
                        var planned = MultiArmPlan.Build(estV, estC, n, labels, "0", evalData,
                            new MultiArmPlanOptions { Budget = budget, Explore = 0, SpendConfidence = confidence, Seed = seed });
                        var truth = Policy.TruePolicyValue(path.AssignPrefix(planned.Upgrades).Arm, trueV, trueC);
                        value.Add(truth.Value / oracleValue);
                        cost.Add(truth.Cost / budget);
                    }
                    log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                        $"  {l,-18} {Budgets[b].Name}: plan {plan.Value / oracleValue:F3} of oracle, cost {plan.Cost / budget:F3} of budget, at true spend {row.AtTrueSpend[^1]:F3} (best arm {row.BestArmAtTrueSpend[^1]:F3}); best arm {best + 1} {single[best] / oracleValue:F3}; valid arm {chosen + 1} {single[chosen] / oracleValue:F3}; random {random[b] / oracleValue:F3}; priced on fresh users {row.Priced[^1]:F3} (cost {row.PricedCost[^1]:F3}), spend confidence {SpendConfidence} {row.Confident[^1]:F3} (cost {row.ConfidentCost[^1]:F3})"));
                }
                log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"  {l,-18} fit {multiSecs[l][^1]:F1} s ({arms} arms){(seed == 1 ? $", {binarySecs[l][^1]:F1} s (binary)" : "")}"));
            }
        }
        var speed = learners.Select(l => new MultiArmSpeedRow(l, arms, multiSecs[l][0], binarySecs[l][0])).ToList(); // seed 1: side by side
        return (result, speed);
    }

    /// <summary>The budget of a treated share: the oracle path's cost after the shortest prefix treating at least
    /// <paramref name="treatedShare"/> of the users, and the oracle's (true) value there.</summary>
    static (double Budget, double Value) OracleBudget(BudgetPath oracle, int n, double treatedShare)
    {
        int target = (int)Math.Ceiling(treatedShare * n), treated = 0, j = 0;
        while (j < oracle.Count && treated < target)
        {
            if (oracle[j].From == 0) treated++;
            j++;
        }
        var a = oracle.AssignPrefix(j);
        return (a.Cost, a.Value);
    }

    /// <summary>True value of the path's longest prefix whose true cost stays within the budget (the path's own order, true effects).</summary>
    /// With <paramref name="onlyArm"/> &gt; 0 the path is a single-arm path whose arm 1 is that arm.
    static double ValueAtTrueSpend(BudgetPath path, double[] trueV, double[] trueC, int arms, double budget, int onlyArm = 0)
    {
        double cost = 0, value = 0;
        for (int j = 0; j < path.Count; j++)
        {
            var u = path[j];
            int to = onlyArm > 0 && u.To != 0 ? onlyArm : u.To, from = onlyArm > 0 && u.From != 0 ? onlyArm : u.From;
            double dc = TrueEffect(trueC, u.User, to, arms) - TrueEffect(trueC, u.User, from, arms);
            if (cost + dc > budget) break;
            cost += dc;
            value += TrueEffect(trueV, u.User, to, arms) - TrueEffect(trueV, u.User, from, arms);
        }
        return value;
    }

    static double TrueEffect(double[] tau, int user, int arm, int arms) => arm == 0 ? 0 : tau[user * arms + arm - 1];

    /// <summary>The oracle path assigned at a budget: the budget it spends (its estimated cost is the true cost) and its value.</summary>
    static (double Budget, double Value) AtCost(BudgetPath oracle, double budget)
    {
        var a = oracle.Assign(budget);
        return (a.Cost, a.Value);
    }

    /// <summary>The single-arm assignment: the binary path on arm <paramref name="arm"/>'s estimated effects, at the budget,
    /// every treated user given that arm.</summary>
    static int[] SingleArm(double[] tauV, double[] tauC, int n, int arms, int arm, double budget)
    {
        var a = SingleArmPath(tauV, tauC, n, arms, arm).Assign(budget).Arm;
        for (int i = 0; i < n; i++) if (a[i] != 0) a[i] = arm;
        return a;
    }

    /// <summary>The binary path (K = 1) on arm <paramref name="arm"/>'s estimated effects alone.</summary>
    static BudgetPath SingleArmPath(double[] tauV, double[] tauC, int n, int arms, int arm)
    {
        var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++) { v[i] = tauV[i * arms + arm - 1]; c[i] = tauC[i * arms + arm - 1]; }
        return BudgetPath.Build(v, c, n, 1);
    }

    /// <summary>True value of random allocation: users in a seeded random order, a uniform arm each, while the true cost fits.</summary>
    static double RandomAllocation(double[] trueV, double[] trueC, int n, int arms, double budget, long seed)
    {
        var rng = new Random((int)seed);
        var order = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(order);
        double cost = 0, value = 0;
        foreach (int i in order)
        {
            int k = rng.Next(arms);
            double c = trueC[i * arms + k];
            if (cost + c > budget) break;
            cost += c; value += trueV[i * arms + k];
        }
        return value;
    }

    static (double[] V, double[] C) Effects(IMultiArmModel model, Dataset data, int arms)
    {
        var v = new double[data.Rows * arms]; var c = new double[data.Rows * arms];
        model.PredictArmEffects(data, v, c);
        return (v, c);
    }

    static double[] PickRows(double[] a, int[] rows, int arms)
    {
        var r = new double[rows.Length * arms];
        for (int i = 0; i < rows.Length; i++) Array.Copy(a, rows[i] * arms, r, i * arms, arms);
        return r;
    }

    /// <summary>The quality rows (as planned, then at true spend) and the speed rows as three Markdown tables.</summary>
    public static string Format(IReadOnlyList<MultiArmRow> rows, IReadOnlyList<MultiArmSpeedRow> speed)
    {
        var sb = new StringBuilder();
        sb.AppendLine("As planned (each path spends the budget in ESTIMATED cost); true value as a share of the oracle's at the budget:");
        sb.AppendLine();
        sb.AppendLine("| learner | budget | plan value / oracle | plan true cost / budget | best single arm (hindsight) | best single arm (pricing users) | plan − best arm (hindsight), paired 95 % CI | plan − best arm (pricing users), paired 95 % CI |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Learner} | {r.Budget} | {Ms(r.Plan)} | {Ms(r.CostShare)} | {Ms(r.BestArm)} (arm {Arms(r.BestArms)}) | {Ms(r.ValidArm)} (arm {Arms(r.ValidArms)}) | {Ci(r.Plan, r.BestArm)} | {Ci(r.Plan, r.ValidArm)} |"));
        sb.AppendLine();
        sb.AppendLine("At true spend (each path walked in its own order until its TRUE cost would pass the budget); share of the oracle's value:");
        sb.AppendLine();
        sb.AppendLine("| learner | budget | plan | best single arm (hindsight) | plan − best arm, paired 95 % CI | random (uniform arms) | oracle's best single arm |");
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Learner} | {r.Budget} | {Ms(r.AtTrueSpend)} | {Ms(r.BestArmAtTrueSpend)} (arm {Arms(r.BestArmsAtTrueSpend)}) | {Ci(r.AtTrueSpend, r.BestArmAtTrueSpend)} | {Ms(r.Random)} | {Ms(r.OracleSingleArm)} |"));
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Priced on fresh users (MultiArmPlan.Build, test users as candidates, a fresh campaign of a fifth of the users as evaluation data, explore 0); true value / oracle and true cost / budget; seeds with true cost <= {Tolerance} x budget and within ±{Tolerance - 1:P0} of it; the priced plan against the best single arm walked to the budget in TRUE cost (hindsight on both the arm and the spend):"));
        sb.AppendLine();
        sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"| learner | budget | as planned: cost / budget | priced: value / oracle | cost / budget | cost <= {Tolerance}x, within ±{Tolerance - 1:P0} | priced − best arm at true spend, paired 95 % CI | spend confidence {SpendConfidence}: value / oracle | cost / budget | cost <= {Tolerance}x, within ±{Tolerance - 1:P0} |"));
        sb.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Learner} | {r.Budget} | {Ms(r.CostShare)} | {Ms(r.Priced)} | {Ms(r.PricedCost)} | {Within(r.PricedCost)} | {Ci(r.Priced, r.BestArmAtTrueSpend)} | {Ms(r.Confident)} | {Ms(r.ConfidentCost)} | {Within(r.ConfidentCost)} |"));
        sb.AppendLine();
        sb.AppendLine("| learner | K-arm fit s (seed 1) | binary fit s, linear scenario, same users (seed 1) | ratio | at most K? |");
        sb.AppendLine("|---|---:|---:|---:|---|");
        foreach (var s in speed)
        {
            double ratio = s.MultiSeconds / s.BinarySeconds;
            sb.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {s.Learner} | {s.MultiSeconds:F1} | {s.BinarySeconds:F1} | {ratio:F2} | {(ratio <= s.Arms ? "yes" : "no")} |"));
        }
        return sb.ToString();
    }

    /// <summary>"m/S, w/S": the seeds whose true cost share is at most <see cref="Tolerance"/>, and within ±(Tolerance − 1) of 1.</summary>
    static string Within(List<double> costShare) =>
        string.Create(CultureInfo.InvariantCulture, $"{costShare.Count(c => c <= Tolerance)}/{costShare.Count}, {costShare.Count(c => Math.Abs(c - 1) <= Tolerance - 1 + 1e-12)}/{costShare.Count}");

    static string Ms(List<double> x) => string.Create(CultureInfo.InvariantCulture, $"{x.Average():F3} ± {BenchStats.Sd(x):F3}");

    /// <summary>Mean of the per-seed differences a − b and its 95 % t-interval over seeds.</summary>
    static string Ci(List<double> a, List<double> b)
    {
        var d = a.Zip(b, (x, y) => x - y).ToList();
        var (lo, hi) = Stats.TInterval(d);
        return $"{Signed(d.Average())} [{Signed(lo)}, {Signed(hi)}]";
    }

    /// <summary>A signed number with three decimals; a value that rounds to zero prints +0.000.</summary>
    static string Signed(double x)
    {
        double r = Math.Round(x, 3);
        return (r == 0 ? 0.0 : r).ToString("+0.000;-0.000", CultureInfo.InvariantCulture);
    }

    /// <summary>The arms chosen over the seeds, e.g. "1" or "1,1,2,1,1" when they differ.</summary>
    static string Arms(List<int> a) => a.Distinct().Count() == 1 ? a[0].ToString(CultureInfo.InvariantCulture) : string.Join(",", a);
}
