using FsCheck;
using FsCheck.Xunit;
using Uplift.Campaign;
using Uplift.Synthetic;
using Xunit;

namespace Uplift.Tests.Campaign;

public class PlanTests
{
    /// <summary>Evaluation users with score s ~ U(0,1), tau_v = 1 + 2 s, tau_c = 1, noise sd 1 on V and 0.5 on C, half treated.</summary>
    internal static (double[] S, byte[] T, double[] V, double[] C) Eval(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var s = new double[n]; var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = rng.NextDouble();
            t[i] = (byte)(rng.NextDouble() < 0.5 ? 1 : 0);
            v[i] = 3 + rng.NextNormal() + t[i] * (1 + 2 * s[i]);
            c[i] = 2 + 0.5 * rng.NextNormal() + t[i] * 1.0;
        }
        return (s, t, v, c);
    }

    internal static double[] Uniform(int n, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
    }

    [Fact]
    public void Spends_the_budget_and_recovers_the_true_totals_within_the_intervals()
    {
        var (s, t, v, c) = Eval(20_000, 1);
        var cand = Uniform(10_000, 2);
        var p = Plan.FromEvaluation(cand, s, t, v, c, new PlanOptions { Budget = 3000, Explore = 0.1, ExploreTreated = 0.5, Seed = 3 });
        // True: explore 10000*0.1*0.5 = 500 users at cost 1; exploit (1-0.1) k users at cost 1 -> k about 2500/0.9 = 2778.
        Assert.InRange(p.AboveCutoff, 2778 - 250, 2778 + 250);
        Assert.True(p.IncrementalCost <= 3000);
        Assert.InRange(p.IncrementalCost, 2900, 3000);
        Assert.NotNull(p.IncrementalCostCi);
        Assert.True(p.IncrementalCostCi!.Value.Contains(p.IncrementalCost));
        // True value: explore 500 * E[tau_v] = 500 * 2; exploit: users above cut-off q0 = 1 - k/N have tau_v 1 + 2 (1 + q0) / 2.
        double q0 = p.CutoffScore!.Value;
        double trueValue = 500 * 2 + p.ExpectedExploitUsers * (2 + q0);
        Assert.True(p.IncrementalValueCi!.Value.Contains(trueValue), $"true value {trueValue} not in [{p.IncrementalValueCi.Value.Low}, {p.IncrementalValueCi.Value.High}]");
        // Ratio vs random: slope of the top (2 + q0) over that of everyone (2).
        Assert.True(p.RatioVsRandomCi!.Value.Contains((2 + q0) / 2));
        Assert.True(p.RatioVsRandom > 1.3);
        Assert.Empty(p.Warnings);
    }

    [Fact]
    public void A_random_score_is_no_better_than_random()
    {
        var (_, t, v, c) = Eval(20_000, 4);
        var noise = Uniform(20_000, 5);
        var p = Plan.FromEvaluation(Uniform(5000, 6), noise, t, v, c, new PlanOptions { Budget = 1500, Explore = 0 });
        Assert.True(p.RatioVsRandomCi!.Value.Contains(1.0), $"[{p.RatioVsRandomCi.Value.Low}, {p.RatioVsRandomCi.Value.High}]");
        Assert.Equal(0, p.ExpectedExploreTreated);
    }

    [Fact]
    public void Bootstrap_is_seeded_and_independent_of_the_thread_count()
    {
        var (s, t, v, c) = Eval(5000, 7);
        var o = new PlanOptions { Budget = 800, Seed = 9, BootstrapReplicates = 200 };
        var a = Plan.FromEvaluation(s, s, t, v, c, o with { MaxThreads = 1 });
        var b = Plan.FromEvaluation(s, s, t, v, c, o with { MaxThreads = 4 });
        var d = Plan.FromEvaluation(s, s, t, v, c, o with { Seed = 10 });
        Assert.Equal(a.IncrementalCostCi, b.IncrementalCostCi);
        Assert.Equal(a.IncrementalValueCi, b.IncrementalValueCi);
        Assert.Equal(a.RatioVsRandomCi, b.RatioVsRandomCi);
        Assert.NotEqual(a.IncrementalValueCi, d.IncrementalValueCi);
        Assert.Equal(a.IncrementalValue, d.IncrementalValue); // the point estimate does not depend on the seed
    }

    /// <summary>The chosen cut-off fits the budget and the next lower usable cut-off (more users) would not.</summary>
    [Property(MaxTest = 20)]
    public bool The_cut_off_is_the_largest_that_fits(PositiveInt seed, NormalFloat budgetShare)
    {
        var (s, t, v, c) = Eval(1500, (ulong)seed.Get);
        var cand = Uniform(800, (ulong)seed.Get + 1);
        double budget = 800 * (0.1 + 0.8 * Math.Abs(Math.Sin(budgetShare.Get)));
        var o = new PlanOptions { Budget = budget, Explore = 0.1, BootstrapReplicates = 100, MinArmUsers = 10 };
        var p = Plan.FromEvaluation(cand, s, t, v, c, o);
        bool fits = p.IncrementalCost <= budget + 1e-9;
        // Brute force: the cost of treating the top k + 1 candidates, if that cut-off is usable.
        int k = p.AboveCutoff;
        bool nextFails = true;
        var sorted = cand.OrderByDescending(x => x).ToArray();
        for (int k2 = k + 1; k2 <= sorted.Length; k2++)
        {
            if (k2 < sorted.Length && sorted[k2] == sorted[k2 - 1]) continue;
            double cut = sorted[k2 - 1];
            var top = Enumerable.Range(0, s.Length).Where(i => s[i] >= cut).ToArray();
            int n1 = top.Count(i => t[i] == 1), n0 = top.Length - n1;
            if (n1 < 10 || n0 < 10) continue;
            double ateC = top.Where(i => t[i] == 1).Average(i => c[i]) - top.Where(i => t[i] == 0).Average(i => c[i]);
            nextFails = p.ExpectedExploreTreated * p.ExploreCostPerUser + 0.9 * k2 * ateC > budget;
            break; // the next usable cut-off (more users) must not fit
        }
        return fits && nextFails;
    }

    [Fact]
    public void Model_effects_plan_is_exact_arithmetic()
    {
        double[] score = [4, 3, 2, 1];
        double[] tv = [8, 3, 2, 1];
        double[] tc = [1, 1, 2, 4];
        var p = Plan.FromModelEffects(score, tv, tc, new PlanOptions { Budget = 2.5, Explore = 0 });
        Assert.Equal(2, p.AboveCutoff); // top 2 cost 2; top 3 would cost 4
        Assert.Equal(3.0, p.CutoffScore);
        Assert.Equal(11.0, p.IncrementalValue, 12);
        Assert.Equal(2.0, p.IncrementalCost, 12);
        Assert.Equal(11.0 / 2 / (14.0 / 8), p.RatioVsRandom, 12);
        Assert.Null(p.IncrementalCostCi);
        var e = Plan.FromModelEffects(score, tv, tc, new PlanOptions { Budget = 5, Explore = 0.5, ExploreTreated = 0.5 });
        // Explore: 4 * 0.25 = 1 user at mean tau_c 2 -> 2; exploit: 0.5 k users; k = 3 costs 0.5 * 4 = 2 (total 4), k = 4 costs 4 (total 6).
        Assert.Equal(3, e.AboveCutoff);
        Assert.Equal(4.0, e.IncrementalCost, 12);
    }

    [Fact]
    public void Errors_are_clear()
    {
        var (s, t, v, c) = Eval(2000, 11);
        Assert.Throws<UpliftOptionException>(() => Plan.FromEvaluation(s, s, t, v, c, new PlanOptions { Budget = -1 }));
        Assert.Throws<UpliftOptionException>(() => Plan.FromEvaluation(s, s, t, v, c, new PlanOptions { Budget = 10, Explore = 1.5 }));
        // Explore treatment alone (2000 * 0.5 * 0.5 users at cost 1) is above the budget.
        var e = Assert.Throws<UpliftOptionException>(() => Plan.FromEvaluation(s, s, t, v, c, new PlanOptions { Budget = 10, Explore = 0.5 }));
        Assert.Contains("explore", e.Message);
        Assert.Throws<UpliftDataException>(() => Plan.FromEvaluation(s, s.AsSpan(1), t, v, c, new PlanOptions { Budget = 10 }));
        var nan = (double[])s.Clone(); nan[3] = double.NaN;
        Assert.Throws<UpliftDataException>(() => Plan.FromEvaluation(nan, s, t, v, c, new PlanOptions { Budget = 10 }));
    }

    [Fact]
    public void Json_round_trip()
    {
        var (s, t, v, c) = Eval(3000, 12);
        var p = Plan.FromEvaluation(s, s, t, v, c, new PlanOptions { Budget = 500, BootstrapReplicates = 100 });
        var q = PlanResult.FromJson(System.Text.Json.Nodes.JsonNode.Parse(p.ToJson().ToJsonString())!.AsObject());
        Assert.Equal(p with { Warnings = [] }, q with { Warnings = [] });
        Assert.Equal(p.Warnings, q.Warnings);
        Assert.Throws<UpliftDataException>(() => PlanResult.FromJson(new System.Text.Json.Nodes.JsonObject { ["format"] = "other" }));
    }

    /// <summary>
    /// The whole chain on a synthetic campaign: plan, assign with the plan's costs, outcomes from the truth, read-out.
    /// One draw of 95% intervals: over the 20 seed sets (21 + 10k, 22 + 10k, assignment 5 + k) the realised-value
    /// interval held the truth 18 times and the plan's cost interval 19 times (checked with the named streams);
    /// k = 1 is the one used here.
    /// </summary>
    [Fact]
    public void Plan_assign_simulate_readout_chain_agrees_with_the_truth()
    {
        var eval = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.Linear, Rows = 20_000, Seed = 31 });
        var cand = SyntheticCampaign.Generate(new SyntheticOptions { Scenario = SyntheticScenario.Linear, Rows = 30_000, Seed = 32 });
        // Score: the oracle ranking (the chain is under test, not a learner).
        var p = Plan.FromEvaluation(cand.OracleScore, eval.OracleScore, eval.Data.T, eval.Data.V, eval.Data.C,
            new PlanOptions { Budget = 9000, Explore = 0.2, Seed = 1 });
        var ids = Enumerable.Range(0, cand.Data.Rows).Select(i => "c" + i).ToArray();
        var costs = ids.Select(id => Assignment.Draws(6, id).Explore < 0.2 ? p.ExploreCostPerUser : p.ExploitCostPerUser).ToArray();
        var a = Assignment.Assign(ids, cand.OracleScore, costs, new AssignmentOptions { Budget = 9000, Explore = 0.2, Seed = 6 });
        var sim = OutcomeSimulator.Simulate(a.Users, new CampaignTruth(ids, cand.Data.T, cand.Data.V, cand.Data.C, cand.TauV, cand.TauC));
        Assert.True(p.IncrementalCostCi!.Value.Contains(sim.TrueIncrementalCost), $"true cost {sim.TrueIncrementalCost} vs plan {p.IncrementalCostCi}");
        Assert.True(sim.TrueExploitSlope > sim.TrueExploreSlope);
        var r = Readout.Compute(a.Users, sim.Outcomes, new ReadoutOptions { BootstrapReplicates = 300 });
        Assert.True(r.RelativeGain > 0);
        Assert.True(r.RealisedCostCi!.Value.Contains(p.IncrementalCost), $"planned {p.IncrementalCost} vs realised {r.RealisedCostCi}");
        Assert.True(r.RealisedCostCi!.Value.Contains(sim.TrueIncrementalCost));
        Assert.True(r.RealisedValueCi!.Value.Contains(sim.TrueIncrementalValue), $"true value {sim.TrueIncrementalValue} vs realised {r.RealisedValueCi}");
    }
}
