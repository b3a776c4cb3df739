using System.Diagnostics;
using Uplift.Models;
using Uplift.Models.Ranking;
using Uplift.Synthetic;

namespace Uplift.Bench;

/// <summary>
/// Trains the same DRM (linear and MLP(64)) on 100,000 users x 50 features with 1 and with 2 threads and
/// checks that the saved weights are bit-identical (the same seed must give the same model whatever the
/// thread count).
/// </summary>
static class DeterminismBench
{
    public static void Run(Action<string> print)
    {
        var sim = SyntheticCampaign.Generate(new SyntheticOptions { Rows = 100_000, Features = 50, Scenario = SyntheticScenario.Nonlinear, Seed = 3 });
        print("| scorer | steps | 1 thread s | 2 threads s | weights bit-identical |");
        print("|---|---|---|---|---|");
        foreach (var scorer in new[] { ScorerKind.Linear, ScorerKind.Mlp })
        {
            var options = new DrmOptions { Scorer = scorer, HiddenSizes = [64], Steps = 300, Restarts = 1 };
            var (m1, s1) = Fit(options, sim, 1);
            var (m2, s2) = Fit(options, sim, 2);
            bool same = m1.Weights.AsSpan().SequenceEqual(m2.Weights) && m1.Save().ToJsonString() == m2.Save().ToJsonString();
            print($"| {(scorer == ScorerKind.Linear ? "linear" : "mlp(64)")} | {options.Steps} | {s1:F1} | {s2:F1} | {(same ? "yes" : "NO")} |");
        }
    }

    static (RankingModel, double) Fit(DrmOptions options, SyntheticData sim, int threads)
    {
        var clock = Stopwatch.StartNew();
        var model = new DrmLearner(options).FitRanking(sim.Data, null, new FitContext(Seed: 11, MaxThreads: threads));
        return (model, clock.Elapsed.TotalSeconds);
    }
}
