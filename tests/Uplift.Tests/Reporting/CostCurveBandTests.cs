using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Reporting;
using Xunit;

namespace Uplift.Tests.Reporting;

/// <summary>The report's pointwise bootstrap bands of the cost curve (<see cref="CostCurveBands"/>, docs/METRICS.md).</summary>
public class CostCurveBandTests
{
    static (double[] S, byte[] T, double[] V, double[] C) Campaign(int n = 2000, long seed = 3)
    {
        var d = ReportTestData.Campaign(n, 3, seed);
        var s = new double[n];
        for (int i = 0; i < n; i++) s[i] = d.X[i * 3]; // x0 drives tau_v: an informative ranking
        return (s, d.T, d.V, d.C);
    }

    [Fact]
    public void BandContainsItsCurveAndIsOrdered()
    {
        var (s, t, v, c) = Campaign();
        var band = CostCurveBands.Compute(s, t, v, c, new BootstrapOptions { Replicates = 200, Seed = 5 });
        Assert.Equal(CostCurveBands.DefaultPoints, band.Share.Length);
        Assert.Equal(0, band.Share[0]);
        Assert.Equal(1, band.Share[^1]);
        var curve = CostCurve.Compute(s, t, v, c);
        for (int g = 0; g < band.Share.Length; g++)
        {
            double expect = g == 0 ? 0 : CostCurve.ValueAtCostShare(curve, band.Share[g]).Value;
            Assert.Equal(expect, band.Estimate[g], 12);
            Assert.True(band.Lower[g] <= band.Estimate[g] + 1e-12 && band.Estimate[g] <= band.Upper[g] + 1e-12,
                $"share {band.Share[g]}: estimate {band.Estimate[g]} outside [{band.Lower[g]}, {band.Upper[g]}]");
        }
        // a real band: not a line (somewhere in the middle it has width), and zero width where every curve is pinned (x = 0)
        Assert.Equal(0, band.Upper[0] - band.Lower[0]);
        Assert.Contains(Enumerable.Range(1, band.Share.Length - 2), g => band.Upper[g] - band.Lower[g] > 0.02);
        Assert.Equal(0, band.FailedReplicates);
    }

    [Fact]
    public void UsesTheResamplesOfTheAuccInterval()
    {
        var (s, t, v, c) = Campaign(800);
        var o = new BootstrapOptions { Replicates = 40, Seed = 9 };
        var band = CostCurveBands.Compute(s, t, v, c, o);
        var boot = Bootstrap.Aucc(s, t, v, c, o);
        Assert.Equal(boot.Values, band.AuccValues); // bit for bit: the same draws of the same rows
    }

    [Fact]
    public void SameSeedSameBandWhateverTheThreadsAnotherSeedAnotherBand()
    {
        var (s, t, v, c) = Campaign(1000);
        var one = CostCurveBands.Compute(s, t, v, c, new BootstrapOptions { Replicates = 30, Seed = 2, MaxThreads = 1 });
        var two = CostCurveBands.Compute(s, t, v, c, new BootstrapOptions { Replicates = 30, Seed = 2, MaxThreads = 2 });
        var other = CostCurveBands.Compute(s, t, v, c, new BootstrapOptions { Replicates = 30, Seed = 3, MaxThreads = 2 });
        Assert.Equal(one.Lower, two.Lower);
        Assert.Equal(one.Upper, two.Upper);
        Assert.NotEqual(one.Upper, other.Upper);
    }

    [Fact]
    public void ReportDrawsOneBandPerModelAndNoneWhenTurnedOff()
    {
        var data = ReportTestData.Campaign(1200, 2, 4);
        var a = new FuncModel(2, r => r[0]).Score(data);
        var b = new FuncModel(2, r => r[1]).Score(data);
        ReportInput Input(bool bands) => new()
        {
            Title = "bands", Evaluation = data, Models = [new ReportModel("a", a), new ReportModel("b", b)],
            Options = new ReportOptions { BootstrapReplicates = 20, Bands = bands },
            GeneratedAt = DateTimeOffset.UnixEpoch,
        };
        string with = HtmlReport.Render(Input(true)), without = HtmlReport.Render(Input(false));
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(with, "<polygon class=\"band\"").Count);
        Assert.Contains("pointwise 95% bootstrap band", with);
        Assert.DoesNotContain("class=\"band\"", without);
        Assert.DoesNotContain("pointwise 95% bootstrap band", without);
    }

    [Fact]
    public void MultiArmBandContainsItsCurveOnTheResamplesOfTheMultiArmAuccInterval()
    {
        var sim = Uplift.Synthetic.SyntheticCampaign.Generate(new Uplift.Synthetic.SyntheticOptions
        {
            Scenario = Uplift.Synthetic.SyntheticScenario.MultiArm, Rows = 2000, Seed = 4,
        });
        var d = sim.Data;
        var path = Uplift.Allocation.BudgetPath.Build(sim.ArmTauV, sim.ArmTauC, d.Rows, d.Arms);
        var o = new BootstrapOptions { Replicates = 60, Seed = 7 };
        var band = CostCurveBands.Compute(path, d.T, d.V, d.C, o);
        Assert.Equal(MultiArmBootstrap.Aucc(path, d.T, d.V, d.C, default, o).Values, band.AuccValues);
        var curve = MultiArmCostCurve.Compute(path, d.T, d.V, d.C);
        for (int g = 1; g < band.Share.Length; g++)
        {
            Assert.Equal(CostCurve.ValueAtCostShare(curve, band.Share[g]).Value, band.Estimate[g], 12);
            Assert.InRange(band.Estimate[g], band.Lower[g] - 1e-12, band.Upper[g] + 1e-12);
        }
        var two = CostCurveBands.Compute(path, d.T, d.V, d.C, o with { MaxThreads = 1 });
        Assert.Equal(band.Upper, two.Upper);
        Assert.Equal(band.Lower, two.Lower);
    }

    [Fact]
    public void RejectsABadGrid()
    {
        var (s, t, v, c) = Campaign(200);
        Assert.Throws<UpliftOptionException>(() => CostCurveBands.Compute(s, t, v, c, null, points: 1));
    }
}
