using Uplift.Evaluation;
using Xunit;

namespace Uplift.Tests.Evaluation;

public sealed class StatsTests
{
    [Fact]
    public void Mean_and_sd_are_the_in_order_sums_bit_for_bit()
    {
        var rng = new Rng(3);
        var x = Enumerable.Range(0, 37).Select(_ => rng.NextNormal() * 1e3 + 0.1).ToArray();
        double m = x.Average();
        Assert.Equal(m, Stats.Mean(x));
        Assert.Equal(Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (x.Length - 1)), Stats.SampleSd(x));
        Assert.True(double.IsNaN(Stats.Mean([])));
        Assert.True(double.IsNaN(Stats.SampleSd([1.0])));
        Assert.Equal(0.0, Stats.SampleSd([1.0], whenFewerThanTwo: 0));
    }

    [Fact]
    public void Difference_of_means_is_treated_mean_minus_control_mean()
    {
        Assert.Equal(3.0 - 1.5, Stats.DifferenceOfMeans([1, 0, 1, 0], [2.0, 1.0, 4.0, 2.0]));
        Assert.True(double.IsNaN(Stats.DifferenceOfMeans([1, 1], [2.0, 1.0])));
        Assert.Throws<ArgumentException>(() => Stats.DifferenceOfMeans([1, 0], [2.0]));
    }
}
