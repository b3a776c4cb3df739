using Uplift.Models;
using Uplift.Evaluation;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Synthetic;

public class SyntheticCampaignTests
{
    static SyntheticData Gen(SyntheticScenario s, int rows = 20_000, long seed = 3, int? threads = null, int features = 10) =>
        SyntheticCampaign.Generate(new SyntheticOptions { Scenario = s, Rows = rows, Seed = seed, MaxThreads = threads, Features = features });

    [Theory]
    [InlineData(SyntheticScenario.Linear)]
    [InlineData(SyntheticScenario.Nonlinear)]
    [InlineData(SyntheticScenario.VaryingCost)]
    [InlineData(SyntheticScenario.ObservationalPropensity)]
    public void DeterministicForASeedWhateverTheThreadCount(SyntheticScenario s)
    {
        var a = Gen(s, rows: 20_000, threads: 1);
        var b = Gen(s, rows: 20_000, threads: 2);
        Assert.Equal(a.Data.X, b.Data.X);
        Assert.Equal(a.Data.T, b.Data.T);
        Assert.Equal(a.Data.V, b.Data.V);
        Assert.Equal(a.Data.C, b.Data.C);
        Assert.Equal(a.TauV, b.TauV);
        Assert.Equal(a.TauC, b.TauC);
        Assert.Equal(a.OracleScore, b.OracleScore);
        var other = Gen(s, rows: 20_000, seed: 4);
        Assert.NotEqual(a.Data.V, other.Data.V);
    }

    [Theory]
    [InlineData(SyntheticScenario.Linear)]
    [InlineData(SyntheticScenario.Nonlinear)]
    [InlineData(SyntheticScenario.VaryingCost)]
    public void DifferenceInMeansMatchesTheTrueAverageEffect(SyntheticScenario s)
    {
        var d = Gen(s, rows: 60_000);
        var ds = d.Data;
        Check(ds.V, d.TauV);
        Check(ds.C, d.TauC);

        void Check(double[] y, double[] tau)
        {
            var y1 = Enumerable.Range(0, ds.Rows).Where(i => ds.T[i] == 1).Select(i => y[i]).ToArray();
            var y0 = Enumerable.Range(0, ds.Rows).Where(i => ds.T[i] == 0).Select(i => y[i]).ToArray();
            double diff = y1.Average() - y0.Average();
            double se = Math.Sqrt(Var(y1) / y1.Length + Var(y0) / y0.Length);
            Assert.InRange(diff - tau.Average(), -4 * se, 4 * se);
        }
    }

    static double Var(double[] a) { double m = a.Average(); return a.Sum(x => (x - m) * (x - m)) / (a.Length - 1); }

    [Fact]
    public void TruthColumnsAreConsistent()
    {
        foreach (var s in Enum.GetValues<SyntheticScenario>().Where(s => s != SyntheticScenario.MultiArm)) // multiarm: MultiArmCampaignTests
        {
            var d = Gen(s, rows: 5000);
            Assert.Equal(EffectRatio.Guarded(d.TauV[7], d.TauC[7]), d.OracleScore[7]);
            Assert.Equal(5000, d.TauV.Length);
            Assert.All(d.Data.X, x => Assert.True(float.IsFinite(x)));
            Assert.All(Enumerable.Range(0, 5000), i => Assert.True(d.Data.X[i * 10 + 4] is 0f or 1f)); // x4 is binary
            double negC = d.TauC.Count(x => x < 0) / 5000.0;
            if (s == SyntheticScenario.VaryingCost)
            {
                Assert.InRange(negC, 0.02, 0.25);
                Assert.True(d.TauC.Min() > -0.11); // only slightly negative
            }
            else Assert.True(negC < 0.001);
            if (s is SyntheticScenario.ObservationalPropensity or SyntheticScenario.Confounded)
            {
                Assert.NotNull(d.Data.Propensity);
                Assert.Equal(d.Propensity, d.Data.Propensity);
                Assert.True(d.Propensity.Max() - d.Propensity.Min() > 0.3);
                Assert.InRange(d.Data.TreatedCount / 5000.0 - d.Propensity.Average(), -0.03, 0.03);
            }
            else
            {
                Assert.Null(d.Data.Propensity);
                Assert.All(d.Propensity, e => Assert.Equal(0.5, e));
                Assert.InRange(d.Data.TreatedCount / 5000.0, 0.47, 0.53);
            }
        }
    }

    [Fact]
    public void NoiseScaleZeroGivesExactOutcomes()
    {
        var d = SyntheticCampaign.Generate(new SyntheticOptions { Rows = 2000, NoiseScale = 0, TreatedShare = 0.3 });
        var ds = d.Data;
        Assert.InRange(ds.TreatedCount / 2000.0, 0.27, 0.33);
        // the baseline of the linear scenario is mu_c = 2 + x1 + 0.8 x3 + 0.5 x4: C - T tau_c reproduces it exactly
        for (int i = 0; i < ds.Rows; i++)
        {
            var x = ds.Row(i);
            double muC = 2 + (double)x[1] + 0.8 * x[3] + 0.5 * x[4];
            Assert.Equal(muC, ds.C[i] - ds.T[i] * d.TauC[i], 12);
        }
    }

    [Fact]
    public void OracleRankingIsMeaningfulAndNonlinearBeatsLinearFit()
    {
        var lin = Gen(SyntheticScenario.Linear, rows: 40_000);
        double oracleLin = CostCurve.Aucc(lin.OracleScore, lin.Data.T, lin.Data.V, lin.Data.C);
        Assert.InRange(oracleLin, 0.65, 0.80);

        var non = Gen(SyntheticScenario.Nonlinear, rows: 40_000);
        double oracleNon = CostCurve.Aucc(non.OracleScore, non.Data.T, non.Data.V, non.Data.C);
        double linFit = CostCurve.Aucc(LeastSquaresFit(non), non.Data.T, non.Data.V, non.Data.C);
        Assert.InRange(oracleNon, 0.65, 0.85);
        Assert.True(oracleNon - linFit > 0.08, $"oracle {oracleNon}, linear fit {linFit}");
        // in the linear scenario a linear fit of the oracle score nearly reaches the oracle
        double linFitLin = CostCurve.Aucc(LeastSquaresFit(lin), lin.Data.T, lin.Data.V, lin.Data.C);
        Assert.True(oracleLin - linFitLin < 0.03, $"oracle {oracleLin}, linear fit {linFitLin}");
    }

    /// <summary>Ordinary least squares of the oracle score on the features (with intercept), fitted values.</summary>
    public static double[] LeastSquaresFit(SyntheticData d)
    {
        var ds = d.Data; int p = ds.Features + 1;
        var a = new double[p, p]; var b = new double[p]; var row = new double[p];
        for (int i = 0; i < ds.Rows; i++)
        {
            row[0] = 1;
            for (int j = 1; j < p; j++) row[j] = ds.X[i * ds.Features + j - 1];
            for (int r = 0; r < p; r++) { b[r] += row[r] * d.OracleScore[i]; for (int q = 0; q < p; q++) a[r, q] += row[r] * row[q]; }
        }
        for (int k = 0; k < p; k++)
            for (int r = k + 1; r < p; r++)
            {
                double f = a[r, k] / a[k, k];
                for (int q = k; q < p; q++) a[r, q] -= f * a[k, q];
                b[r] -= f * b[k];
            }
        var w = new double[p];
        for (int k = p - 1; k >= 0; k--)
        {
            double s = b[k];
            for (int q = k + 1; q < p; q++) s -= a[k, q] * w[q];
            w[k] = s / a[k, k];
        }
        var fit = new double[ds.Rows];
        for (int i = 0; i < ds.Rows; i++)
        {
            double s = w[0];
            for (int j = 1; j < p; j++) s += w[j] * ds.X[i * ds.Features + j - 1];
            fit[i] = s;
        }
        return fit;
    }

    [Fact]
    public void ScenarioNamesParse()
    {
        foreach (var s in Enum.GetValues<SyntheticScenario>())
            Assert.Equal(s, SyntheticScenarios.Parse(SyntheticScenarios.Name(s)));
        Assert.Equal(SyntheticScenario.VaryingCost, SyntheticScenarios.Parse(" Varying-Cost "));
        Assert.Equal(["linear", "nonlinear", "varying-cost", "observational", "multiarm", "confounded"], SyntheticScenarios.Names);
        var e = Assert.Throws<UpliftOptionException>(() => SyntheticScenarios.Parse("quadratic"));
        Assert.Contains("linear, nonlinear, varying-cost, observational", e.Message);
    }

    [Fact]
    public void OptionsAreRangeChecked()
    {
        Assert.Throws<UpliftOptionException>(() => SyntheticCampaign.Generate(new SyntheticOptions { Rows = 0 }));
        Assert.Throws<UpliftOptionException>(() => SyntheticCampaign.Generate(new SyntheticOptions { Features = 4 }));
        Assert.Throws<UpliftOptionException>(() => SyntheticCampaign.Generate(new SyntheticOptions { TreatedShare = 1 }));
        Assert.Throws<UpliftOptionException>(() => SyntheticCampaign.Generate(new SyntheticOptions { NoiseScale = -1 }));
        var d = SyntheticCampaign.Generate(new SyntheticOptions { Rows = 10, Features = 5 });
        Assert.Equal(["x0", "x1", "x2", "x3", "x4"], d.Data.FeatureNames);
    }
}
