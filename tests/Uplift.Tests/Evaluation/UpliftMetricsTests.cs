using FsCheck.Xunit;
using Uplift.Evaluation;
using Xunit;

namespace Uplift.Tests.Evaluation;

/// <summary>The metrics other tools report (docs/METRICS.md) against hand-computed small cases, and their laws.</summary>
public class UpliftMetricsTests
{
    // Four users by score 4 > 3 > 2 > 1: T = 1, 0, 1, 0 and V = 3, 1, 2, 2 (hand computations in each test).
    static readonly double[] S = [4, 3, 2, 1];
    static readonly byte[] T = [1, 0, 1, 0];
    static readonly double[] V = [3, 1, 2, 2];

    [Fact]
    public void UpliftCurveMatchesTheHandComputation()
    {
        // k = 1: no control user -> 0; k = 2: 2/4 (3 − 1) = 1; k = 3: 3/4 (2.5 − 1) = 1.125; k = 4: 2.5 − 1.5 = 1.
        var u = UpliftCurve.Compute(S, T, V);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1], u.X);
        Assert.Equal([0, 0, 1, 1.125, 1], u.Y);
        Assert.Equal(0.65625, u.Area, 12);
        Assert.Equal(0.15625, u.AreaAboveRandom, 12);
    }

    [Fact]
    public void QiniMatchesTheHandComputation()
    {
        // Radcliffe: k = 3: Y1 = 5, Y0 = 1, n1 = 2, n0 = 1 -> 5 − 1·2 = 3, per treated user (n1 = 2) 1.5.
        var q = Qini.Compute(S, T, V);
        Assert.Equal([0, 0, 1, 1.5, 1], q.Y);
        Assert.Equal(0.75, q.Area, 12);
        Assert.Equal(0.25, Qini.Coefficient(S, T, V), 12);
    }

    [Fact]
    public void DecilesAndUpliftAtKMatchTheHandComputation()
    {
        var c = new double[] { 1, 0, 2, 0 };
        var g = Deciles.Compute(S, T, V, c, groups: 2);
        Assert.Equal(2, g[0].Value.Effect, 12);   // top half: 3 − 1
        Assert.Equal(1, g[0].Cost.Effect, 12);    // 1 − 0
        Assert.Equal(2, g[0].Ratio, 12);
        Assert.True(double.IsNaN(g[0].Value.Se)); // one user per arm: no standard error
        Assert.Equal(0, g[1].Value.Effect, 12);   // 2 − 2
        Assert.Equal(1, g[1].Treated); Assert.Equal(1, g[1].Control);
        var at = Deciles.UpliftAt(S, T, V, c, 0.75);
        Assert.Equal(1.5, at.Value.Effect, 12);   // (3 + 2)/2 − 1

        // Welch: treated V = 1, 3 (s² = 2), control 0, 2 (s² = 2): effect 1, se = sqrt(2/2 + 2/2).
        var one = Deciles.Compute([1, 1, 1, 1], [1, 1, 0, 0], [1, 3, 0, 2], [1, 1, 1, 1], groups: 1)[0];
        Assert.Equal(1, one.Value.Effect, 12);
        Assert.Equal(Math.Sqrt(2), one.Value.Se, 12);
        Assert.Equal(1 + 1.959963984540054 * Math.Sqrt(2), one.Value.Upper, 9);
    }

    [Fact]
    public void TiesShareTheirBlock()
    {
        // A tie block of users 1 and 2 (score 5): the top 1 takes half of each arm's sums -> means 3 and 1, so u(1) = 1/4 · 2.
        var u = UpliftCurve.Compute([5, 5, 2, 1], T, V);
        Assert.Equal(0.5, u.Y[1], 12);
    }

    [Fact]
    public void RateMatchesTheHandComputation()
    {
        // Γ = 3, 0, 0: ATE 1; TOC = 2, 0.5, 0; AUTOC = 2.5 / 3; QINI = (1·2 + 2·0.5) / 9.
        double[] gamma = [3, 0, 0];
        var autoc = Rate.Compute([3, 2, 1], gamma, new RateOptions { Replicates = 0 });
        Assert.Equal(2.5 / 3, autoc.Estimate, 12);
        Assert.True(double.IsNaN(autoc.Se));
        Assert.Equal(3.0 / 9, Rate.Compute([3, 2, 1], gamma, new RateOptions { Replicates = 0, Target = RateTarget.Qini }).Estimate, 12);
        // A tie between the first two shares their mean Γ (grf): TOC = 0.5, 0.5, 0.
        Assert.Equal(1.0 / 3, Rate.Compute([2, 2, 1], gamma, new RateOptions { Replicates = 0 }).Estimate, 12);
    }

    [Fact]
    public void RatePairedDifferenceOfARankingWithItselfIsExactlyZero()
    {
        var (truth, t, v, _) = EvalData.Campaign(400, 3);
        var g = DrScores.Randomized(t, v);
        var cmp = Rate.Compare(truth, truth, g, new RateOptions { Replicates = 50, Seed = 7 });
        Assert.Equal(0, cmp.Difference.Estimate);
        Assert.Equal(0, cmp.Difference.Se);
        Assert.True(cmp.A.Se > 0);
        // Same seed, same numbers whatever the thread count.
        var one = Rate.Compare(truth, EvalData.RandomScores(400, 1), g, new RateOptions { Replicates = 50, Seed = 7, MaxThreads = 1 });
        var two = Rate.Compare(truth, EvalData.RandomScores(400, 1), g, new RateOptions { Replicates = 50, Seed = 7, MaxThreads = 2 });
        Assert.Equal(one.Difference.Se, two.Difference.Se);
        Assert.True(one.Difference.Estimate > 0); // the truth ranks better than a random score
    }

    [Fact]
    public void CalibrationMatchesTheHandComputation()
    {
        // τ̂ = 1, 2, 3 (τ̄ = 2, d = −1, 0, 1), Γ = 2, 1, 4: a = (7/3)/2, b = (−2 + 4)/2 = 1; residuals 2/3, −4/3, 2/3,
        // leverages 5/6, 1/3, 5/6; HC3 weights 16, 4, 16: se(a) = sqrt(36·4)/(3·4) = 1, se(b) = sqrt(32)/2.
        var r = Calibration.Test([1, 2, 3], [2, 1, 4]);
        Assert.Equal(7.0 / 6, r.Mean.Estimate, 12);
        Assert.Equal(1, r.Differential.Estimate, 12);
        Assert.Equal(1, r.Mean.Se, 12);
        Assert.Equal(Math.Sqrt(32) / 2, r.Differential.Se, 12);
        Assert.Equal(1 - Normal.Cdf(1 / (Math.Sqrt(32) / 2)), r.Differential.PValue, 12);
        Assert.Throws<UpliftException>(() => Calibration.Test([1, 1, 1], [2, 1, 4]));
    }

    [Fact]
    public void CalibrationOfTheTrueEffectsIsNearOneAndOfNoiseNearZero()
    {
        var rng = TestRng.Tagged(5, 3);
        var tau = Enumerable.Range(0, 20_000).Select(_ => 1 + rng.NextNormal()).ToArray();
        var gamma = tau.Select(x => x + 2 * rng.NextNormal()).ToArray();
        var r = Calibration.Test(tau, gamma);
        Assert.InRange(r.Mean.Estimate, 0.95, 1.05);
        Assert.InRange(r.Differential.Estimate, 0.9, 1.1);
        Assert.True(r.Differential.PValue < 1e-6);
        var noise = Enumerable.Range(0, 20_000).Select(_ => 1 + rng.NextNormal()).ToArray(); // unrelated to the effects
        var z = Calibration.Test(noise, gamma);
        Assert.InRange(z.Differential.Estimate, -0.1, 0.1);
        Assert.InRange(z.Mean.Estimate, 0.9, 1.1);
    }

    [Fact]
    public void NormalCdfMatchesKnownValues()
    {
        Assert.Equal(0.5, Normal.Cdf(0), 7);
        Assert.Equal(0.975, Normal.Cdf(1.959963984540054), 6);
        Assert.Equal(0.841344746, Normal.Cdf(1), 6);
        Assert.Equal(1 - 0.841344746, Normal.Cdf(-1), 6);
    }

    [Fact]
    public void DrScoresMatchTheFormula()
    {
        // Γ = μ1 − μ0 + T (Y − μ1)/e − (1 − T)(Y − μ0)/(1 − e): 1 + 1/0.5 = 3 and 1 − 0 = 1.
        Assert.Equal([3, 1], DrScores.Compute([1, 0], [3, 1], [0.5, 0.5], [2, 2], [1, 1]));
        // Randomized: the mean of Γ is the difference in means exactly.
        var g = DrScores.Randomized(T, V);
        Assert.Equal(1, g.Average(), 12);
    }

    [Property(MaxTest = 30)]
    public bool AConstantScoreHasQiniCoefficientAndUpliftGainZero(int seed)
    {
        var (_, t, v, _) = EvalData.Campaign(200, seed);
        var flat = new double[200];
        return Math.Abs(Qini.Coefficient(flat, t, v)) < 1e-12 && Math.Abs(UpliftCurve.Compute(flat, t, v).AreaAboveRandom) < 1e-12;
    }

    [Property(MaxTest = 30)]
    public bool MetricsDoNotDependOnTheRowOrder(int seed)
    {
        var (truth, t, v, c) = EvalData.Campaign(150, seed);
        var score = truth.Select(x => Math.Round(x, 1)).ToArray(); // ties
        var perm = Enumerable.Range(0, 150).Reverse().ToArray();
        double[] P(double[] a) => [.. perm.Select(i => a[i])];
        var a = UpliftMetrics.Compute(score, t, v, c, new UpliftMetricsOptions { Rate = new RateOptions { Replicates = 0 } });
        var b = UpliftMetrics.Compute(P(score), [.. perm.Select(i => t[i])], P(v), P(c), new UpliftMetricsOptions { Rate = new RateOptions { Replicates = 0 } });
        return Math.Abs(a.QiniValue.AreaAboveRandom - b.QiniValue.AreaAboveRandom) < 1e-9
            && Math.Abs(a.Groups[3].Cost.Effect - b.Groups[3].Cost.Effect) < 1e-9
            && Math.Abs(a.RateValue.Estimate - b.RateValue.Estimate) < 1e-9;
    }

    [Fact]
    public void ARandomRankingsQiniCoefficientIsAboutZeroAndTheTruthsIsPositive()
    {
        var (truth, t, v, _) = EvalData.Campaign(4000, 11);
        var random = Enumerable.Range(0, 20).Select(s => Qini.Coefficient(EvalData.RandomScores(4000, s), t, v)).ToArray();
        double good = Qini.Coefficient(truth, t, v);
        Assert.True(good > 0.05, $"truth {good}");
        Assert.InRange(random.Average(), -good / 4, good / 4);
    }
}
