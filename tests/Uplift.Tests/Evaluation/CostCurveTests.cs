using Uplift.Models;
using Uplift.Evaluation;
using Xunit;
using Uplift.Synthetic;

namespace Uplift.Tests.Evaluation;

public class CostCurveTests
{
    // Hand-made example (8 users, S = 4, step 2). Control users have V = C = 0, so v0 = c0 = 0 and the
    // rest term is 0; treated users, best first: V = 4, 2, 1, 1, each with C = 1.
    static readonly double[] HScore = [8, 7, 6, 5, 4, 3, 2, 1];
    static readonly byte[] HT = [1, 0, 1, 0, 1, 0, 1, 0];
    static readonly double[] HV = [4, 0, 2, 0, 1, 0, 1, 0];
    static readonly double[] HC = [1, 0, 1, 0, 1, 0, 1, 0];
    static readonly CostCurveOptions S4 = new() { Segments = 4 };

    static void Close(double[] expected, double[] actual, int digits)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], digits);
    }

    [Fact]
    public void PerfectRankingOnHandExample()
    {
        var r = CostCurve.Compute(HScore, HT, HV, HC, S4);
        // k=2: perc .25, treated top mean V 4,   C 1 -> vpu 1.0,  cpu .25
        // k=4: perc .50, treated top mean V 3,   C 1 -> vpu 1.5,  cpu .50
        // k=6: perc .75, treated top mean V 7/3, C 1 -> vpu 1.75, cpu .75
        // k=8: perc 1 > .99 -> treated mean alone: V 2, C 1
        Assert.Equal([2, 4, 6, 8], r.K);
        Close([1.0, 1.5, 1.75, 2.0], r.Vpu, 12);
        Close([0.25, 0.5, 0.75, 1.0], r.Cpu, 12);
        Close([0, 0.25, 0.5, 0.75, 1.0], r.X, 12);
        Close([0, 0.5, 0.75, 0.875, 1.0], r.Y, 12);
        double expected = 0.25 / 2 * ((0 + 0.5) + (0.5 + 0.75) + (0.75 + 0.875) + (0.875 + 1)); // 0.65625
        Assert.Equal(expected, r.Aucc, 12);
        Assert.Equal(0.65625, r.Aucc, 12);
        Assert.Equal(0, r.SkippedPoints);

        // the reversed ranking is worse
        var rev = CostCurve.Compute(HScore.Select(s => -s).ToArray(), HT, HV, HC, S4);
        Assert.True(rev.Aucc < 0.5);
    }

    [Fact]
    public void AuthorsGridStopsBeforeNAndNormalisesByLastComputedPoint()
    {
        var r = CostCurve.Compute(HScore, HT, HV, HC, S4 with { Grid = CostCurveGrid.Authors });
        Assert.Equal([2, 4, 6], r.K);
        // normalised by k = 6: ic .75, iv 1.75
        Close([0, 1 / 3.0, 2 / 3.0, 1.0], r.X, 12);
        Close([0, 4 / 7.0, 6 / 7.0, 1.0], r.Y, 12);
        Assert.Equal(27.0 / 42.0, r.Aucc, 12);
    }

    [Fact]
    public void GridSizesFollowSegments()
    {
        var (truth, t, v, c) = EvalData.Campaign(1000, 1);
        foreach (int s in new[] { 10, 20, 100 })
        {
            var r = CostCurve.Compute(truth, t, v, c, new CostCurveOptions { Segments = s });
            Assert.Equal(s, r.K.Length);
            Assert.Equal(1000, r.K[^1]);
            Assert.Equal(1000 / s, r.K[0]);
            var a = CostCurve.Compute(truth, t, v, c, new CostCurveOptions { Segments = s, Grid = CostCurveGrid.Authors });
            Assert.Equal(s - 1, a.K.Length);
            Assert.Equal(1000 - 1000 / s, a.K[^1]);
        }
        // N not a multiple of S: step = floor(1003 / 10) = 100; EndsAtN adds k = N after k = 1000
        var (t2, tt, vv, cc) = EvalData.Campaign(1003, 2);
        var r2 = CostCurve.Compute(t2, tt, vv, cc);
        Assert.Equal(11, r2.K.Length);
        Assert.Equal(1000, r2.K[^2]);
        Assert.Equal(1003, r2.K[^1]);
        var a2 = CostCurve.Compute(t2, tt, vv, cc, new CostCurveOptions { Grid = CostCurveGrid.Authors });
        Assert.Equal(1000, a2.K[^1]);
    }

    [Fact]
    public void CurveShapeInvariants()
    {
        for (int seed = 0; seed < 5; seed++)
        {
            var (_, t, v, c) = EvalData.Campaign(800, seed, noise: 2);
            var score = EvalData.RandomScores(800, seed);
            var r = CostCurve.Compute(score, t, v, c, new CostCurveOptions { Segments = 20 });
            Assert.Equal((0.0, 0.0), (r.X[0], r.Y[0]));
            Assert.Equal(1.0, r.X[^1], 12);
            Assert.Equal(1.0, r.Y[^1], 12);
            for (int j = 1; j < r.Iv.Length; j++) Assert.True(r.Iv[j] >= r.Iv[j - 1]);
            for (int j = 1; j < r.Y.Length; j++) Assert.True(r.Y[j] >= r.Y[j - 1]);
            Assert.All(r.Iv, x => Assert.True(x >= CostCurve.MinIncrement));
            Assert.All(r.Ic, x => Assert.True(x >= CostCurve.MinIncrement));
            Assert.All(r.X, x => Assert.InRange(x, 0, 1));
            Assert.False(double.IsNaN(r.Aucc));
        }
    }

    [Fact]
    public void RandomRankingAveragesOneHalf()
    {
        var (_, t, v, c) = EvalData.Campaign(2000, 5);
        double sum = 0; int reps = 100;
        for (int s = 0; s < reps; s++) sum += CostCurve.Aucc(EvalData.RandomScores(2000, 1000 + s), t, v, c);
        Assert.InRange(sum / reps, 0.485, 0.515);
    }

    [Fact]
    public void TruthRankingBeatsRandom()
    {
        var (truth, t, v, c) = EvalData.Campaign(4000, 6, noise: 0.2);
        Assert.True(CostCurve.Aucc(truth, t, v, c) > 0.55);
    }

    [Fact]
    public void ConstantScoreGivesTheDiagonalWithFractionalTies()
    {
        var (_, t, v, c) = EvalData.Campaign(999, 7);
        var constant = new double[999];
        var r = CostCurve.Compute(constant, t, v, c);
        Assert.Equal(0.5, r.Aucc, 10);
        for (int j = 0; j < r.X.Length; j++) Assert.Equal(r.X[j], r.Y[j], 10);
    }

    [Fact]
    public void FractionalTiesDoNotDependOnRowOrderButRowOrderDoes()
    {
        var (_, t, v, c) = EvalData.Campaign(600, 8);
        var score = EvalData.RandomScores(600, 8).Select(s => Math.Floor(s * 3)).ToArray(); // three big tied blocks
        var perm = Enumerable.Range(0, 600).Reverse().ToArray();
        double[] P(double[] a) => perm.Select(i => a[i]).ToArray();
        byte[] Pb(byte[] a) => perm.Select(i => a[i]).ToArray();

        var frac = CostCurve.Compute(score, t, v, c).Aucc;
        var fracPerm = CostCurve.Compute(P(score), Pb(t), P(v), P(c)).Aucc;
        Assert.Equal(frac, fracPerm, 10);

        var rowOpt = new CostCurveOptions { Ties = CostCurveTies.RowOrder };
        var row = CostCurve.Compute(score, t, v, c, rowOpt).Aucc;
        var rowPerm = CostCurve.Compute(P(score), Pb(t), P(v), P(c), rowOpt).Aucc;
        Assert.NotEqual(row, rowPerm, 6);
    }

    [Fact]
    public void SeededRandomTiesAreReproducibleAndNearHalfForConstantScore()
    {
        var (_, t, v, c) = EvalData.Campaign(4000, 9);
        var constant = new double[4000];
        var o1 = new CostCurveOptions { Ties = CostCurveTies.SeededRandom, TieSeed = 1 };
        var o2 = o1 with { TieSeed = 2 };
        double a1 = CostCurve.Aucc(constant, t, v, c, o1);
        Assert.Equal(a1, CostCurve.Aucc(constant, t, v, c, o1));
        Assert.NotEqual(a1, CostCurve.Aucc(constant, t, v, c, o2));
        Assert.InRange(a1, 0.42, 0.58);
        // with distinct scores every tie policy agrees
        var score = EvalData.RandomScores(4000, 3);
        double f = CostCurve.Aucc(score, t, v, c);
        Assert.Equal(f, CostCurve.Aucc(score, t, v, c, o1), 12);
        Assert.Equal(f, CostCurve.Aucc(score, t, v, c, new CostCurveOptions { Ties = CostCurveTies.RowOrder }), 12);
    }

    [Fact]
    public void NoTreatedUserInTopPrefixIsSkippedOrUsesWholeSetMean()
    {
        // top 2 by score are control users
        double[] score = [8, 7, 6, 5, 4, 3, 2, 1];
        byte[] t = [0, 0, 1, 0, 1, 1, 1, 0];
        double[] v = [0, 0, 4, 0, 2, 1, 1, 0];
        double[] c = [0, 0, 1, 0, 1, 1, 1, 0];
        var skip = CostCurve.Compute(score, t, v, c, S4);
        Assert.Equal(1, skip.SkippedPoints);
        Assert.Equal([4, 6, 8], skip.K);
        Assert.DoesNotContain(skip.Y, double.IsNaN);

        var fill = CostCurve.Compute(score, t, v, c, S4 with { EmptyGroup = CostCurveEmptyGroup.WholeSetArmMean });
        Assert.Equal(0, fill.SkippedPoints);
        Assert.Equal([2, 4, 6, 8], fill.K);
        // k = 2: treated term = whole-set treated mean V = 2, C = 1; rest control mean 0 -> vpu .5, cpu .25
        Assert.Equal(0.5, fill.Vpu[0], 12);
        Assert.Equal(0.25, fill.Cpu[0], 12);
        Assert.False(double.IsNaN(fill.Aucc));
    }

    [Fact]
    public void NoControlUserInTheRestIsSkipped()
    {
        // the bottom 2 are treated: at k = 6 the rest has no control user
        double[] score = [8, 7, 6, 5, 4, 3, 2, 1];
        byte[] t = [1, 0, 1, 0, 0, 1, 1, 1];
        double[] v = [4, 0, 2, 0, 0, 1, 1, 1];
        double[] c = [1, 0, 1, 0, 0, 1, 1, 1];
        var skip = CostCurve.Compute(score, t, v, c, S4);
        Assert.Equal([2, 4, 8], skip.K);
        Assert.Equal(1, skip.SkippedPoints);
        var fill = CostCurve.Compute(score, t, v, c, S4 with { EmptyGroup = CostCurveEmptyGroup.WholeSetArmMean });
        Assert.Equal([2, 4, 6, 8], fill.K);
        Assert.DoesNotContain(fill.Y, double.IsNaN);
    }

    [Fact]
    public void NonPositiveIncrementalCostIsAClearError()
    {
        double[] c = [1, 1, 1, 1, 1, 1, 1, 1]; // treated and control cost the same
        var e = Assert.Throws<UpliftException>(() => CostCurve.Compute(HScore, HT, HV, c, S4));
        Assert.Contains("incremental cost is not positive", e.Message);
        double[] cNeg = HC.Select(x => -x).ToArray();
        Assert.Throws<UpliftException>(() => CostCurve.Compute(HScore, HT, HV, cNeg, S4));
    }

    [Fact]
    public void NonPositiveIncrementalValueIsAClearError()
    {
        double[] vNeg = HV.Select(x => -x).ToArray();
        var e = Assert.Throws<UpliftException>(() => CostCurve.Compute(HScore, HT, vNeg, HC, S4));
        Assert.Contains("incremental value is not positive", e.Message);
    }

    [Fact]
    public void FewerUsersThanSegmentsUsesEveryPrefix()
    {
        double[] score = [6, 5, 4, 3, 2, 1];
        byte[] t = [1, 0, 1, 0, 1, 0];
        double[] v = [3, 0, 2, 0, 1, 0];
        double[] c = [1, 0, 1, 0, 1, 0];
        var r = CostCurve.Compute(score, t, v, c); // S = 10 > N = 6
        Assert.Equal(6, r.Segments);
        Assert.Equal([1, 2, 3, 4, 5, 6], r.K);
        Assert.Equal(0, r.SkippedPoints);
        Assert.InRange(r.Aucc, 0.5, 1);
    }

    [Fact]
    public void SingleArmIsAnError()
    {
        byte[] allTreated = [1, 1, 1, 1, 1, 1, 1, 1];
        var e = Assert.Throws<UpliftDataException>(() => CostCurve.Compute(HScore, allTreated, HV, HC));
        Assert.Contains("no control users", e.Message);
        byte[] allControl = new byte[8];
        Assert.Contains("no treated users", Assert.Throws<UpliftDataException>(() => CostCurve.Compute(HScore, allControl, HV, HC)).Message);
    }

    [Fact]
    public void BadInputsAreErrorsNamingTheRow()
    {
        var score = (double[])HScore.Clone();
        score[2] = double.NaN;
        var e = Assert.Throws<UpliftDataException>(() => CostCurve.Compute(score, HT, HV, HC));
        Assert.Equal(3, e.Row);
        Assert.Contains("row 3", e.Message);
        Assert.Contains("NaN", e.Message);

        var v = (double[])HV.Clone(); v[5] = double.PositiveInfinity;
        Assert.Equal(6, Assert.Throws<UpliftDataException>(() => CostCurve.Compute(HScore, HT, v, HC)).Row);
        var t = (byte[])HT.Clone(); t[0] = 2;
        Assert.Equal(1, Assert.Throws<UpliftDataException>(() => CostCurve.Compute(HScore, t, HV, HC)).Row);
        Assert.Throws<UpliftDataException>(() => CostCurve.Compute(HScore.AsSpan(1), HT, HV, HC));
    }

    [Fact]
    public void InfiniteScoresAreRankedNotRejected()
    {
        var score = (double[])HScore.Clone();
        score[0] = double.PositiveInfinity; score[7] = double.NegativeInfinity;
        Assert.Equal(0.65625, CostCurve.Compute(score, HT, HV, HC, S4).Aucc, 12);
    }

    [Fact]
    public void OptionsAreRangeChecked()
    {
        Assert.Throws<UpliftOptionException>(() => CostCurve.Compute(HScore, HT, HV, HC, new CostCurveOptions { Segments = 0 }));
        Assert.Throws<UpliftOptionException>(() => CostCurve.Compute(HScore, HT, HV, HC, new CostCurveOptions { Ties = (CostCurveTies)42 }));
    }

    [Fact]
    public void ValueAtCostShareInterpolates()
    {
        var r = CostCurve.Compute(HScore, HT, HV, HC, S4); // X 0 .25 .5 .75 1, Y 0 .5 .75 .875 1
        var at = CostCurve.ValueAtStandardShares(r);
        Assert.Equal(0.2, at[0].Value, 12);
        Assert.Equal(2.0, at[0].LiftVsRandom, 12);
        Assert.Equal(0.4, at[1].Value, 12);
        Assert.Equal(0.5 + 0.05 / 0.25 * 0.25, at[2].Value, 12);
        Assert.Equal(0.55 / 0.3, at[2].LiftVsRandom, 12);
        Assert.Equal(1.0, CostCurve.ValueAtCostShare(r, 1.0).Value, 12);
        Assert.Throws<UpliftOptionException>(() => CostCurve.ValueAtCostShare(r, 0));
        Assert.Throws<UpliftOptionException>(() => CostCurve.ValueAtCostShare(r, 1.5));

        // a curve whose cost axis goes back: the first crossing counts
        var odd = r with { X = [0, 0.5, 0.3, 1], Y = [0, 0.6, 0.7, 1] };
        Assert.Equal(0.48, CostCurve.ValueAtCostShare(odd, 0.4).Value, 12);
    }

    [Fact]
    public void GuardedRatio()
    {
        Assert.Equal(2.0 / (1.0 + 1e-5), EffectRatio.Guarded(2, 1), 12);
        Assert.Equal(0.0, EffectRatio.Guarded(-1, 1));
        Assert.Equal(0.0, EffectRatio.Guarded(-1, -1));
        Assert.Equal(2.0 / 1e-5, EffectRatio.Guarded(2, -3), 6); // cost-saving users first
        Assert.True(EffectRatio.Guarded(0.1, -0.5) > EffectRatio.Guarded(100, 1));
        Assert.Equal(4.0, EffectRatio.Guarded(2, 0, eps: 0.5), 12);
        var s = Oracle.OracleScore([1, -1, 2], [1, 1, 0]);
        Close([1 / (1 + 1e-5), 0, 2 / 1e-5], s, 9);
    }
}
