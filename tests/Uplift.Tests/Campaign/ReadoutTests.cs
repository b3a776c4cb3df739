using Uplift.Campaign;
using Xunit;

namespace Uplift.Tests.Campaign;

public class ReadoutTests
{
    /// <summary>
    /// A simulated campaign: scores s ~ U(0, 1); tau_v(s) = 1 + 2 s; tau_c = <paramref name="tauC"/>;
    /// V = 5 + N(0, 1) + T tau_v, C = 2 + costNoise N(0, 1) + T tau_c, T = 1 for explore treatment and exploit.
    /// Cost 1 per treated user, budget <paramref name="budget"/>, explore 20 %.
    /// True effects: explore ATE_v = E[tau_v] = 2, exploit ATE_v = E[tau_v | s &gt; t] = 2 + t for cut-off t.
    /// </summary>
    static (AssignmentResult A, List<UserOutcome> Y) Simulate(int n, double tauC, double budget, ulong seed = 5, double costNoise = 0.5)
    {
        var rng = new Rng(seed);
        var ids = Enumerable.Range(0, n).Select(i => "u" + i).ToArray();
        var s = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var a = Assignment.Assign(ids, s, 1.0, new AssignmentOptions { Budget = budget, Explore = 0.2, Seed = 17 });
        var y = new List<UserOutcome>(n);
        foreach (var u in a.Users)
        {
            int t = u.Group is CampaignGroup.ExploreTreatment or CampaignGroup.ExploitTreated ? 1 : 0;
            double v = 5 + rng.NextNormal() + t * (1 + 2 * u.Score);
            double c = 2 + costNoise * rng.NextNormal() + t * tauC;
            y.Add(new UserOutcome(u.Id, v, c));
        }
        return (a, y);
    }

    [Fact]
    public void Recovers_known_effects_slopes_and_gain_within_their_intervals()
    {
        var (a, y) = Simulate(40_000, tauC: 1.0, budget: 14_000);
        var r = Readout.Compute(a.Users, y, new ReadoutOptions { ConfidenceLevel = 0.99, BootstrapReplicates = 400, Seed = 2 });
        Assert.NotNull(r.Exploit);
        double t = r.ExploitThreshold!.Value;
        Assert.Equal(a.ExploitThreshold, t);
        Assert.InRange(t, 0.55, 0.75);

        Assert.True(r.Explore.Value.Ci.Contains(2.0), $"explore ATE_v CI {r.Explore.Value.Ci}");
        Assert.True(r.Explore.Cost.Ci.Contains(1.0), $"explore ATE_c CI {r.Explore.Cost.Ci}");
        Assert.True(r.Exploit.Value.Ci.Contains(2 + t), $"exploit ATE_v CI {r.Exploit.Value.Ci} vs {2 + t}");
        Assert.True(r.Exploit.Cost.Ci.Contains(1.0), $"exploit ATE_c CI {r.Exploit.Cost.Ci}");
        Assert.True(r.Explore.SlopeCi.Contains(2.0), $"explore slope CI {r.Explore.SlopeCi}");
        Assert.True(r.Exploit.SlopeCi.Contains(2 + t), $"exploit slope CI {r.Exploit.SlopeCi}");
        Assert.True(r.RelativeGainCi!.Value.Contains(t / 2), $"gain CI {r.RelativeGainCi} vs {t / 2}");
        Assert.True(r.RelativeGainCi.Value.Low > 0, "targeting is better than random here");
        Assert.True(r.Explore.SlopeMeaningful && r.Exploit.SlopeMeaningful);
        Assert.Empty(r.Warnings);

        // The exploit control is the explore controls above the cut-off: about 10 % of the exploit region.
        int ecIn = a.Users.Count(u => u.Group == CampaignGroup.ExploreControl && u.Score >= t);
        Assert.Equal(ecIn, r.Exploit.Control);
        Assert.Equal(a.ExploitCount, r.Exploit.Treated);
        Assert.Equal(a.ExploreTreatmentCount, r.Explore.Treated);
        Assert.Equal(a.ExploreControlCount, r.Explore.Control);
    }

    [Fact]
    public void Zero_cost_effect_triggers_the_warning()
    {
        var (a, y) = Simulate(20_000, tauC: 0.0, budget: 6_000, costNoise: 0);
        var r = Readout.Compute(a.Users, y, new ReadoutOptions { BootstrapReplicates = 200 });
        Assert.Equal(0.0, r.Explore.Cost.Ate);
        Assert.Equal(200, r.InvalidReplicates);
        Assert.False(r.Explore.SlopeMeaningful);
        Assert.False(r.Exploit!.SlopeMeaningful);
        Assert.Contains(r.Warnings, w => w.StartsWith("explore: the cost effect", StringComparison.Ordinal));
        Assert.Contains(r.Warnings, w => w.StartsWith("exploit: the cost effect", StringComparison.Ordinal));
        Assert.Contains("NOT MEANINGFUL", r.ToString());
    }

    [Fact]
    public void Bootstrap_is_seeded_and_independent_of_the_thread_count()
    {
        var (a, y) = Simulate(8_000, tauC: 1.0, budget: 3_000);
        var o = new ReadoutOptions { BootstrapReplicates = 300, Seed = 9 };
        var r1 = Readout.Compute(a.Users, y, o with { MaxThreads = 1 });
        var r2 = Readout.Compute(a.Users, y, o with { MaxThreads = 2 });
        var r3 = Readout.Compute(a.Users, y, o with { Seed = 10 });
        Assert.Equal(r1.RelativeGainCi, r2.RelativeGainCi);
        Assert.Equal(r1.Explore.SlopeCi, r2.Explore.SlopeCi);
        Assert.NotEqual(r1.RelativeGainCi, r3.RelativeGainCi);
        // Outcome order does not matter.
        var shuffled = y.ToArray(); new Rng(1).Shuffle(shuffled.AsSpan());
        var r4 = Readout.Compute(a.Users, shuffled, o);
        Assert.Equal(r1.RelativeGainCi, r4.RelativeGainCi);
    }

    [Fact]
    public void Exploit_region_edge_and_ties_follow_the_assignment_order()
    {
        // Exploit users at 0.9 and 0.8 (id "b"): region = ranks at or above (0.8, "b").
        AssignedUser[] a =
        [
            new("x1", 0.9, CampaignGroup.ExploitTreated), new("b", 0.8, CampaignGroup.ExploitTreated),
            new("c0", 0.95, CampaignGroup.ExploreControl), new("a", 0.8, CampaignGroup.ExploreControl),
            new("c", 0.8, CampaignGroup.ExploreControl), new("c1", 0.5, CampaignGroup.ExploreControl),
            new("t1", 0.3, CampaignGroup.ExploreTreatment), new("t2", 0.7, CampaignGroup.ExploreTreatment),
            new("u", 0.1, CampaignGroup.Untreated),
        ];
        var y = a.Select((u, i) => new UserOutcome(u.Id, i, i % 3)).ToList();
        var r = Readout.Compute(a, y, new ReadoutOptions { BootstrapReplicates = 100 });
        Assert.Equal(2, r.Exploit!.Control);   // c0 and a, not c (same score, id after "b") nor c1
        Assert.Equal(4, r.Explore.Control);
        Assert.Equal(0.8, r.ExploitThreshold);
        // Exploit ATE_v = mean(0, 1) - mean(2, 3) = -2.
        Assert.Equal(-2.0, r.Exploit.Value.Ate, 12);
        Assert.Equal(8, r.JoinedUsers);
    }

    [Fact]
    public void Missing_outcomes_are_an_error_unless_dropping_is_allowed()
    {
        var (a, y) = Simulate(4_000, tauC: 1.0, budget: 1_500);
        var firstExplore = a.Users.First(u => u.Group == CampaignGroup.ExploreControl).Id;
        var fewer = y.Where(o => o.Id != firstExplore).ToList();
        var e = Assert.Throws<UpliftDataException>(() => Readout.Compute(a.Users, fewer));
        Assert.Contains(firstExplore, e.Message);
        var r = Readout.Compute(a.Users, fewer, new ReadoutOptions { DropMissingOutcomes = true, BootstrapReplicates = 100 });
        Assert.Equal(1, r.DroppedWithoutOutcome);
        Assert.Contains(r.Warnings, w => w.Contains("without an outcome"));

        var extra = y.Append(new UserOutcome("stranger", 1, 1)).ToList();
        Assert.Equal(1, Readout.Compute(a.Users, extra, new ReadoutOptions { BootstrapReplicates = 100 }).OutcomesWithoutAssignment);

        var dup = y.Append(y[0]).ToList();
        Assert.Throws<UpliftDataException>(() => Readout.Compute(a.Users, dup));
    }

    [Fact]
    public void Without_exploit_only_explore_is_read_out()
    {
        var (a, y) = Simulate(4_000, tauC: 1.0, budget: 600); // explore treatment takes about 400, exploit the rest
        var none = a.Users.Select(u => u.Group == CampaignGroup.ExploitTreated ? u with { Group = CampaignGroup.Untreated } : u).ToList();
        var r = Readout.Compute(none, y, new ReadoutOptions { BootstrapReplicates = 100 });
        Assert.Null(r.Exploit);
        Assert.Null(r.RelativeGain);
        Assert.Contains(r.Warnings, w => w.Contains("no exploit user"));
    }

    [Fact]
    public void Options_are_range_checked()
    {
        var (a, y) = Simulate(1_000, 1.0, 300);
        Assert.Throws<UpliftOptionException>(() => Readout.Compute(a.Users, y, new ReadoutOptions { BootstrapReplicates = 5 }));
        Assert.Throws<UpliftOptionException>(() => Readout.Compute(a.Users, y, new ReadoutOptions { ConfidenceLevel = 1.0 }));
        Assert.Throws<UpliftOptionException>(() => Readout.Compute(a.Users, y, new ReadoutOptions { MaxThreads = 0 }));
    }

    [Fact]
    public void Normal_quantile_matches_known_values()
    {
        Assert.Equal(1.959963985, Readout.NormalQuantile(0.975), 6);
        Assert.Equal(2.575829304, Readout.NormalQuantile(0.995), 6);
        Assert.Equal(-1.644853627, Readout.NormalQuantile(0.05), 6);
        Assert.Equal(0.0, Readout.NormalQuantile(0.5), 9);
    }
}
