using System.Diagnostics;
using Uplift.Evaluation;
using Uplift.Models.Propensity;
using Uplift.Synthetic;

namespace Uplift.Bench;

/// <summary>
/// The observational cost curve (METHOD.md section 11) on the <c>confounded</c> synthetic campaign: for three fixed
/// rankings, the true AUCC (from the true tau_v, tau_c of each prefix) against the naive AUCC of section 6, the IPW and
/// doubly robust AUCC with the true propensity, and with a cross-fitted logistic propensity (and ridge outcome models).
/// One row per ranking and estimator: the mean and the largest absolute error over the seeds.
/// </summary>
static class ObservationalBench
{
    public static void Run(int users, int seeds, Action<string> print, Action<string> log)
    {
        string[] estimators = ["naive", "ipw (true e)", "dr (true e)", "ipw (logistic)", "dr (logistic)"];
        string[] rankings = ["oracle tau_v/tau_c", "tau_v", "cheap first (-x3)"];
        var err = new Dictionary<(int, int), List<double>>();
        var truths = new Dictionary<int, List<double>>();
        var clock = Stopwatch.StartNew();
        for (int seed = 1; seed <= seeds; seed++)
        {
            var s = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.Confounded, Rows = users, Seed = seed });
            var d = s.Data;
            var x3 = new double[d.Rows];
            for (int i = 0; i < d.Rows; i++) x3[i] = -d.X[i * d.Features + 3];
            double[][] scores = [s.OracleScore, s.TauV, x3];
            var trueIpw = new Adjustment { Propensity = s.Propensity };
            var trueDr = CrossFitted.WithOutcomes(d, s.Propensity, new CrossFitOptions(), seed);
            var fitIpw = CrossFitted.Fit(d, new CrossFitOptions(), seed);
            var fitDr = CrossFitted.Fit(d, new CrossFitOptions { Outcomes = true }, seed);
            for (int r = 0; r < rankings.Length; r++)
            {
                var sc = scores[r];
                double truth = CostCurve.FromIncrements(sc, s.TauV, s.TauC).Aucc;
                (truths.TryGetValue(r, out var tl) ? tl : truths[r] = []).Add(truth);
                double[] est =
                [
                    CostCurve.Compute(sc, d.T, d.V, d.C).Aucc,
                    CostCurve.ComputeAdjusted(sc, d.T, d.V, d.C, trueIpw).Aucc,
                    CostCurve.ComputeAdjusted(sc, d.T, d.V, d.C, trueDr).Aucc,
                    CostCurve.ComputeAdjusted(sc, d.T, d.V, d.C, fitIpw).Aucc,
                    CostCurve.ComputeAdjusted(sc, d.T, d.V, d.C, fitDr).Aucc,
                ];
                for (int e = 0; e < est.Length; e++)
                    (err.TryGetValue((r, e), out var l) ? l : err[(r, e)] = []).Add(est[e] - truth);
            }
            log($"seed {seed} done, {clock.Elapsed.TotalSeconds:F0} s");
        }
        print($"`confounded` campaign, {users:N0} users, seeds 1..{seeds}; AUCC error = estimate − true AUCC (mean, and largest |error|)");
        print("");
        print("| ranking | true AUCC (mean) | " + string.Join(" | ", estimators) + " |");
        print("|---|---|" + string.Concat(estimators.Select(_ => "---|")));
        for (int r = 0; r < rankings.Length; r++)
            print($"| {rankings[r]} | {truths[r].Average():F4} | " +
                string.Join(" | ", estimators.Select((_, e) => $"{err[(r, e)].Average():+0.0000;-0.0000} (max {err[(r, e)].Max(Math.Abs):F4})")) + " |");
    }
}
