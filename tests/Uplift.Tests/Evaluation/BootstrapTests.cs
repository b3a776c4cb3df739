using Uplift.Evaluation;
using Xunit;

namespace Uplift.Tests.Evaluation;

public class BootstrapTests
{
    [Fact]
    public void ResultsDoNotDependOnThreadCount()
    {
        var (truth, t, v, c) = EvalData.Campaign(3000, 1);
        var one = Bootstrap.Aucc(truth, t, v, c, new BootstrapOptions { Replicates = 40, Seed = 5, MaxThreads = 1 });
        var two = Bootstrap.Aucc(truth, t, v, c, new BootstrapOptions { Replicates = 40, Seed = 5, MaxThreads = 2 });
        Assert.Equal(one.Values, two.Values);
        Assert.Equal(one, two with { Values = one.Values });
        var other = Bootstrap.Aucc(truth, t, v, c, new BootstrapOptions { Replicates = 40, Seed = 6 });
        Assert.NotEqual(one.Values, other.Values);
    }

    [Fact]
    public void SummaryIsConsistent()
    {
        var (truth, t, v, c) = EvalData.Campaign(3000, 2);
        var b = Bootstrap.Aucc(truth, t, v, c, new BootstrapOptions { Replicates = 60, Seed = 1 });
        Assert.Equal(CostCurve.Aucc(truth, t, v, c), b.Estimate);
        Assert.Equal(0, b.FailedReplicates);
        Assert.Equal(60, b.Values.Length);
        Assert.Equal(b.Values.Average(), b.Mean, 12);
        Assert.True(b.StdDev > 0 && b.StdDev < 0.1);
        Assert.True(b.Lower <= b.Mean && b.Mean <= b.Upper);
        Assert.InRange(b.Estimate, b.Lower - 0.05, b.Upper + 0.05);
        Assert.Equal(b.Values.Min(), Bootstrap.Percentile([.. b.Values.Order()], 0));
        Assert.Equal(2.5, Bootstrap.Percentile([1, 2, 3, 4], 0.5));
    }

    [Fact]
    public void PairedUsesTheSameResamples()
    {
        var (truth, t, v, c) = EvalData.Campaign(2000, 3);
        var random = EvalData.RandomScores(2000, 3);
        var o = new BootstrapOptions { Replicates = 30, Seed = 9 };
        var p = Bootstrap.AuccDifference(truth, random, t, v, c, o);
        Assert.Equal(Bootstrap.Aucc(truth, t, v, c, o).Values, p.A.Values);
        Assert.Equal(Bootstrap.Aucc(random, t, v, c, o).Values, p.B.Values);
        for (int r = 0; r < 30; r++) Assert.Equal(p.A.Values[r] - p.B.Values[r], p.Difference.Values[r], 15);
        Assert.Equal(p.A.Estimate - p.B.Estimate, p.Difference.Estimate, 15);
        Assert.True(p.Difference.Lower > 0); // the truth beats random scores clearly

        var same = Bootstrap.AuccDifference(truth, truth, t, v, c, o);
        Assert.All(same.Difference.Values, d => Assert.Equal(0.0, d));
    }

    [Fact]
    public void StratifiedResamplingKeepsArmSizes()
    {
        // with one treated user of cost 1 and many controls, an unstratified resample could lose the treated arm;
        // stratified resampling never does, so no replicate fails
        int n = 200;
        var t = new byte[n]; var v = new double[n]; var c = new double[n]; var s = new double[n];
        t[0] = 1; v[0] = 5; c[0] = 1;
        for (int i = 0; i < n; i++) s[i] = i;
        var b = Bootstrap.Aucc(s, t, v, c, new BootstrapOptions { Replicates = 20 });
        Assert.Equal(0, b.FailedReplicates);
    }

    [Fact]
    public void OptionsAreChecked()
    {
        var (truth, t, v, c) = EvalData.Campaign(100, 1);
        Assert.Throws<UpliftOptionException>(() => Bootstrap.Aucc(truth, t, v, c, new BootstrapOptions { Replicates = 1 }));
        Assert.Throws<UpliftOptionException>(() => Bootstrap.Aucc(truth, t, v, c, new BootstrapOptions { MaxThreads = 0 }));
    }
}
