using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Ranking;
using Uplift.Tests.Engine;
using Xunit;

namespace Uplift.Tests.Models.Ranking;

/// <summary>
/// Laws of the ranking models that hold on any data, fast and exact (the quality margins against the oracle,
/// which need many users and several seeds, are in bench/Uplift.Bench, <c>quality</c>).
/// </summary>
public class RankingLawTests
{
    static Dataset Rescaled(Dataset d, double a, double b) =>
        d.WithOutcomes([.. d.V.Select(v => a * v)], [.. d.C.Select(c => b * c)]);

    public static TheoryData<string, bool, bool> Settings => new()
    {
        { "drm", false, true }, { "drm", true, true }, { "drm", true, false }, { "crm", true, true },
    };

    static IUpliftModel Fit(string kind, bool mlp, bool baseline, Dataset train, Dataset valid)
    {
        var o = new DrmOptions
        {
            Scorer = mlp ? ScorerKind.Mlp : ScorerKind.Linear, HiddenSizes = [8], Steps = 40, Restarts = 1, EvalEvery = 10,
            Baseline = baseline ? OutcomeBaseline.Linear : OutcomeBaseline.None,
        };
        IUpliftLearner learner = kind == "crm" ? new CrmLearner(new CrmOptions { Drm = o }) : new DrmLearner(o);
        return learner.Fit(train, valid, new FitContext(5));
    }

    /// <summary>
    /// V → aV and C → bC (a, b &gt; 0) change nothing: the losses work in units of each outcome's standard deviation,
    /// the linear baseline is linear in the outcome, and the validation AUCC that picks the snapshot is invariant
    /// too. With powers of two every step is exact in floating point, so the scores are bit-identical; with other
    /// factors the scaled outcomes differ from the unscaled ones in the last bits of a double only, below the float
    /// the network works in (measured: no difference at all here), so 1e-4 is a wide margin. Fails if an outcome
    /// enters the fit in its own units (without the σ of RankingTrainer.Scale, every case here differs).
    /// </summary>
    [Theory]
    [MemberData(nameof(Settings))]
    public void ScoresAreInvariantToRescalingValueAndCostByPositiveConstants(string kind, bool mlp, bool baseline)
    {
        var train = TestData.Campaign(1500, 4, seed: 31, noise: 0.5);
        var valid = TestData.Campaign(500, 4, seed: 32, noise: 0.5);
        var s = Fit(kind, mlp, baseline, train, valid).Score(train);
        var exact = Fit(kind, mlp, baseline, Rescaled(train, 4, 0.5), Rescaled(valid, 4, 0.5)).Score(train);
        Assert.Equal(s, exact);
        var near = Fit(kind, mlp, baseline, Rescaled(train, 3, 0.7), Rescaled(valid, 3, 0.7)).Score(train);
        double maxDiff = s.Zip(near, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(maxDiff < 1e-4, $"max score difference {maxDiff}");
    }
}
