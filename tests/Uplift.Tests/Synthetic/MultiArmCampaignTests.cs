using Uplift.Data;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Synthetic;

public class MultiArmCampaignTests
{
    static SyntheticData Gen(int rows = 40_000, long seed = 3, int? threads = null, int arms = 3, double noise = 1) =>
        SyntheticCampaign.Generate(new SyntheticOptions
        {
            Scenario = SyntheticScenario.MultiArm, Rows = rows, Seed = seed, MaxThreads = threads, Arms = arms, NoiseScale = noise,
        });

    [Fact]
    public void Arms_are_drawn_with_the_documented_unequal_shares()
    {
        var d = Gen(rows: 100_000);
        Assert.Equal([0.4, 0.3, 0.2, 0.1], d.ArmShares.Select(p => Math.Round(p, 12)));
        Assert.Equal(3, d.Arms);
        Assert.Equal(3, d.Data.Arms);
        var counts = d.Data.ArmCounts();
        for (int k = 0; k <= 3; k++) Assert.InRange(counts[k] / 100_000.0, d.ArmShares[k] - 0.006, d.ArmShares[k] + 0.006);
        Assert.All(Enumerable.Range(0, d.Data.Rows), i => Assert.Equal(d.ArmShares[d.Data.T[i]], d.Propensity[i]));
        Assert.Null(d.Data.Propensity);
        Assert.Equal(["small", "medium", "large"], d.ArmLabels);
        Assert.Equal("none", d.ControlLabel);
        Assert.Equal(["offer1", "offer2", "offer3", "offer4", "offer5"], Gen(rows: 100, arms: 5).ArmLabels);
        var twelve = MultiArmCampaign.ArmLabels(12);
        Assert.Equal("offer01", twelve[0]);
        Assert.Equal(twelve, twelve.Order(StringComparer.OrdinalIgnoreCase)); // sorted labels follow the offer size
        var five = MultiArmCampaign.Shares(5);
        Assert.Equal(1.0, five.Sum(), 12);
        Assert.True(five.Skip(1).Zip(five.Skip(2)).All(p => p.First > p.Second)); // bigger offers are rarer
    }

    [Fact]
    public void Reproducible_with_the_seed_and_bit_identical_for_one_and_two_threads()
    {
        var a = Gen(rows: 20_000, threads: 1);
        var b = Gen(rows: 20_000, threads: 2);
        Assert.Equal(a.Data.X, b.Data.X);
        Assert.Equal(a.Data.T, b.Data.T);
        Assert.Equal(a.Data.V, b.Data.V);
        Assert.Equal(a.Data.C, b.Data.C);
        Assert.Equal(a.ArmTauV, b.ArmTauV);
        Assert.Equal(a.ArmTauC, b.ArmTauC);
        Assert.Equal(a.Propensity, b.Propensity);
        Assert.NotEqual(a.Data.V, Gen(rows: 20_000, seed: 4).Data.V);
    }

    [Fact]
    public void The_truth_per_arm_follows_the_formulas_and_the_outcomes_add_it()
    {
        var d = Gen(rows: 3000, noise: 0);
        var ds = d.Data;
        Assert.Equal(3000 * 3, d.ArmTauV.Length);
        for (int i = 0; i < ds.Rows; i++)
        {
            var x = ds.Row(i);
            for (int k = 1; k <= 3; k++)
            {
                var (tv, tc) = MultiArmCampaign.Effects(x, k, 3);
                Assert.Equal(tv, d.ArmTauV[i * 3 + k - 1]);
                Assert.Equal(tc, d.ArmTauC[i * 3 + k - 1]);
            }
            double muC = 0.5 + 0.1 * x[1] + 0.1 * x[3];
            int t = ds.T[i];
            Assert.Equal(t == 0 ? 0 : d.ArmTauC[i * 3 + t - 1], d.TauC[i]); // the user's own arm
            Assert.Equal(muC + d.TauC[i], ds.C[i], 12);
        }
    }

    [Fact]
    public void Returns_diminish_and_the_best_arm_differs_across_users()
    {
        var d = Gen(rows: 40_000);
        int n = d.Data.Rows, K = d.Arms;
        var meanV = new double[K];
        var meanC = new double[K];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < K; k++) { meanV[k] += d.ArmTauV[i * K + k] / n; meanC[k] += d.ArmTauC[i * K + k] / n; }
        for (int k = 1; k < K; k++)
        {
            Assert.True(meanV[k] > meanV[k - 1], $"mean tau_v of arm {k + 1} above arm {k}");
            Assert.True(meanC[k] > 1.5 * meanC[k - 1], $"mean tau_c of arm {k + 1} much above arm {k}");
        }
        for (int i = 0; i < n; i++)
        {
            var x = d.Data.Row(i);
            if (x[4] == 0) // regulars: value per cost falls with the offer's size (diminishing returns)
                for (int k = 1; k < K; k++)
                    Assert.True(d.ArmTauV[i * K + k] * d.ArmTauC[i * K + k - 1] <= d.ArmTauV[i * K + k - 1] * d.ArmTauC[i * K + k] + 1e-12 || d.ArmTauV[i * K + k - 1] < 0);
            else // deal seekers: the smallest offer (1/3 < the threshold 0.4) buys nothing, the biggest up to twice a regular's
                Assert.Equal(0.0, d.ArmTauV[i * K]);
        }
        // For some users the small offer is as good as the big one.
        int saturated = Enumerable.Range(0, n).Count(i => d.Data.Row(i)[4] == 0 && d.ArmTauV[i * K] == d.ArmTauV[i * K + K - 1]);
        Assert.InRange(saturated / (double)n, 0.05, 0.2);
        // The best arm at a price of cost (argmax over 0..K of tau_v - lambda tau_c) differs across users.
        foreach (double lambda in new[] { 0.5, 1.0 })
        {
            var best = new int[K + 1];
            for (int i = 0; i < n; i++)
            {
                int arg = 0; double top = 0;
                for (int k = 0; k < K; k++)
                {
                    double g = d.ArmTauV[i * K + k] - lambda * d.ArmTauC[i * K + k];
                    if (g > top) { top = g; arg = k + 1; }
                }
                best[arg]++;
            }
            // at the lower price every option (none, small, medium, large) is some users' best; at the higher one, at least three are
            Assert.True(best.Count(b => b > 0.03 * n) >= (lambda == 0.5 ? K + 1 : 3), $"lambda {lambda}: best-arm counts {string.Join(", ", best)}");
        }
    }

    [Fact]
    public void The_arms_option_is_range_checked_and_the_binary_scenarios_keep_their_truth()
    {
        Assert.Throws<UpliftOptionException>(() => Gen(rows: 10, arms: 0));
        Assert.Throws<UpliftOptionException>(() => Gen(rows: 10, arms: TreatmentLabels.MaxArms + 1));
        Assert.Equal(TreatmentLabels.MaxArms, Gen(rows: 10, arms: TreatmentLabels.MaxArms).Arms);
        var lin = SyntheticCampaign.Generate(new SyntheticOptions { Rows = 500, Seed = 2 });
        Assert.Same(lin.TauV, lin.ArmTauV);
        Assert.Same(lin.TauC, lin.ArmTauC);
        Assert.Equal([0.5, 0.5], lin.ArmShares);
        Assert.Equal(1, lin.Arms);
        Assert.Equal(SyntheticScenario.MultiArm, SyntheticScenarios.Parse("MultiArm"));
    }
}
