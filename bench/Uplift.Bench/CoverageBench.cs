using System.Diagnostics;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Synthetic;

namespace Uplift.Bench;

/// <summary>
/// Coverage of the causal forest's little-bag intervals (<see cref="CausalForestOptions.CiGroupSize"/> = 2) on the
/// randomized synthetic scenarios: per scenario and seed, a forest pair fitted on the first <c>train</c> users of a
/// campaign and the next <c>test</c> users scored with 90 % (or <c>level</c>) normal intervals; the share of test users
/// whose interval covers the true tau_v (tau_c), the mean width, and the mean squared error of the estimate against the
/// mean estimated variance (intervals can only cover when the variance accounts for the error, bias included).
/// </summary>
static class CoverageBench
{
    public static void Run(int train, int test, int seeds, int trees, double level, Action<string> print, Action<string> log)
    {
        SyntheticScenario[] scenarios = [SyntheticScenario.Linear, SyntheticScenario.Nonlinear, SyntheticScenario.VaryingCost];
        print($"{train:N0} training users, {test:N0} test users, seeds 1..{seeds}, {trees} trees per forest in groups of 2 (grf defaults otherwise), {level:P0} normal intervals");
        print("");
        print("| scenario | seed | cover tau_v | cover tau_c | width tau_v | width tau_c | MSE / mean var tau_v | MSE / mean var tau_c | fit s |");
        print("|---|---|---|---|---|---|---|---|---|");
        var clock = Stopwatch.StartNew();
        foreach (var sc in scenarios)
        {
            var agg = new double[6];
            for (int seed = 1; seed <= seeds; seed++)
            {
                var sim = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = sc, Rows = train + test, Seed = seed });
                var trainRows = Enumerable.Range(0, train).ToArray();
                var testRows = Enumerable.Range(train, test).ToArray();
                var fitClock = Stopwatch.StartNew();
                var model = new CausalForestLearner(new CausalForestOptions { NumTrees = trees, CiGroupSize = 2 })
                    .FitModel(sim.Data.Subset(trainRows), new FitContext(seed));
                double fitSeconds = fitClock.Elapsed.TotalSeconds;
                var data = sim.Data.Subset(testRows);
                var tv = new double[test]; var tc = new double[test];
                var vlo = new double[test]; var vhi = new double[test]; var clo = new double[test]; var chi = new double[test];
                model.PredictEffects(data, tv, tc, maxThreads: 2);
                model.PredictEffectIntervals(data, level, vlo, vhi, clo, chi, maxThreads: 2);
                var r = Summarize(testRows, sim.TauV, tv, vlo, vhi, level);
                var q = Summarize(testRows, sim.TauC, tc, clo, chi, level);
                print($"| {SyntheticScenarios.Name(sc)} | {seed} | {r.Cover:P1} | {q.Cover:P1} | {r.Width:F3} | {q.Width:F3} | {r.Ratio:F2} | {q.Ratio:F2} | {fitSeconds:F1} |");
                agg[0] += r.Cover; agg[1] += q.Cover; agg[2] += r.Width; agg[3] += q.Width; agg[4] += r.Ratio; agg[5] += q.Ratio;
                log($"{SyntheticScenarios.Name(sc)} seed {seed} done, {clock.Elapsed.TotalSeconds:F0} s");
            }
            for (int j = 0; j < agg.Length; j++) agg[j] /= seeds;
            print($"| **{SyntheticScenarios.Name(sc)}, mean** | 1..{seeds} | **{agg[0]:P1}** | **{agg[1]:P1}** | {agg[2]:F3} | {agg[3]:F3} | {agg[4]:F2} | {agg[5]:F2} | |");
        }
    }

    /// <summary>Share covered, mean width, and mean squared error over the mean variance implied by the width.</summary>
    internal static (double Cover, double Width, double Ratio) Summarize(int[] rows, double[] truth, double[] est, double[] lo, double[] hi, double level)
    {
        double z = Normal.Quantile(0.5 + level / 2);
        int covered = 0, n = 0;
        double width = 0, sq = 0, var = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            if (!double.IsFinite(lo[i]) || !double.IsFinite(hi[i])) continue;
            double t = truth[rows[i]];
            n++;
            if (lo[i] <= t && t <= hi[i]) covered++;
            width += hi[i] - lo[i];
            sq += (est[i] - t) * (est[i] - t);
            double sd = (hi[i] - lo[i]) / (2 * z);
            var += sd * sd;
        }
        return n == 0 ? (double.NaN, double.NaN, double.NaN) : ((double)covered / rows.Length, width / n, sq / Math.Max(var, 1e-300));
    }
}
