using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Ranking;
using Uplift.Tests.Engine;
using Xunit;

namespace Uplift.Tests.Models.Ranking;

/// <summary>
/// The laws of the ranking models' defaults (outcome baseline, L2). How close the defaults come to the oracle, and
/// how far the raw setting (no baseline, no L2) stays behind, is measured over seeds in bench/Uplift.Bench
/// (<c>quality</c>, learners <c>drm</c> and <c>drm-raw</c>), not asserted on one seed here.
/// </summary>
public class RankingQualityTests
{
    [Fact]
    public void TheLinearBaselineMakesTheModelBlindToLinearShiftsOfTheOutcomes()
    {
        // V + a·x0 − b·x2 and C + c·x1 differ from V and C by linear functions of x: after the baseline the
        // training outcomes are the same (up to rounding), so the model is the same; without it, it is not.
        var train = TestData.Campaign(3000, 5, seed: 7, noise: 0.5);
        int d = train.Features;
        var v = new double[train.Rows]; var c = new double[train.Rows];
        for (int i = 0; i < train.Rows; i++)
        {
            v[i] = train.V[i] + 3.0 * train.X[i * d] - 2.0 * train.X[i * d + 2] + 5;
            c[i] = train.C[i] + 1.5 * train.X[i * d + 1] - 4;
        }
        var shifted = train.WithOutcomes(v, c);
        var o = new DrmOptions { Scorer = ScorerKind.Mlp, HiddenSizes = [8], Steps = 60, Restarts = 1 };
        var a = new DrmLearner(o).FitRanking(train, null, new FitContext(3)).Score(train);
        var b = new DrmLearner(o).FitRanking(shifted, null, new FitContext(3)).Score(train);
        double maxDiff = a.Zip(b, (x, y) => Math.Abs(x - y)).Max();
        Assert.True(maxDiff < 1e-3, $"max score difference {maxDiff}");
        var raw = o with { Baseline = OutcomeBaseline.None };
        var ra = new DrmLearner(raw).FitRanking(train, null, new FitContext(3)).Score(train);
        var rb = new DrmLearner(raw).FitRanking(shifted, null, new FitContext(3)).Score(train);
        Assert.True(ra.Zip(rb, (x, y) => Math.Abs(x - y)).Max() > 0.01);
    }

    [Fact]
    public void BaselineIsRecordedAndSkippedForVeryWideData()
    {
        var train = TestData.Campaign(400, 3, seed: 8);
        var m = new DrmLearner(new DrmOptions { Steps = 5, Restarts = 1 }).FitRanking(train, null, new FitContext(1));
        Assert.True(m.FitInfo!.OutcomeBaselineApplied);
        Assert.Equal("linear", m.Options["baseline"]!.GetValue<string>());
        var none = new DrmLearner(new DrmOptions { Steps = 5, Restarts = 1, Baseline = OutcomeBaseline.None }).FitRanking(train, null, new FitContext(1));
        Assert.False(none.FitInfo!.OutcomeBaselineApplied);
        // One feature past the limit: the linear baseline is asked for but skipped, so the fit is the raw fit.
        var wide = TestData.Campaign(60, DrmOptions.MaxBaselineFeatures + 1, seed: 8);
        var skipped = new DrmLearner(new DrmOptions { Steps = 5, Restarts = 1 }).FitRanking(wide, null, new FitContext(1));
        Assert.False(skipped.FitInfo!.OutcomeBaselineApplied);
        Assert.Equal("linear", skipped.Options["baseline"]!.GetValue<string>());
        var raw = new DrmLearner(new DrmOptions { Steps = 5, Restarts = 1, Baseline = OutcomeBaseline.None }).FitRanking(wide, null, new FitContext(1));
        Assert.Equal(raw.Score(wide), skipped.Score(wide));
        Assert.Throws<UpliftOptionException>(() => new DrmLearner(new DrmOptions { Baseline = (OutcomeBaseline)7 }).Fit(train, null, new FitContext()));
    }

    [Fact]
    public void L2DefaultsDependOnTheScorer()
    {
        Assert.Equal(0.0, new DrmOptions().ResolvedL2);
        Assert.Equal(DrmOptions.DefaultMlpL2, new DrmOptions { Scorer = ScorerKind.Mlp }.ResolvedL2);
        Assert.Equal(0.0, new DrmOptions { Scorer = ScorerKind.Mlp, L2 = 0 }.ResolvedL2);
        Assert.Equal(0.5, new DrmOptions { L2 = 0.5 }.ResolvedL2);
        Assert.Throws<UpliftOptionException>(() => new DrmOptions { L2 = -1 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new DrmOptions { L2 = double.NaN }.Validate());
    }
}
