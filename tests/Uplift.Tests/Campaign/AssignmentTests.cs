using FsCheck;
using FsCheck.Xunit;
using Uplift.Campaign;
using Xunit;

namespace Uplift.Tests.Campaign;

public class AssignmentTests
{
    static string[] Ids(int n, string prefix = "user-") => Enumerable.Range(0, n).Select(i => prefix + i).ToArray();

    static double[] Uniform(int n, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
    }

    [Fact]
    public void Id_hash_is_fnv1a_64_of_utf8()
    {
        Assert.Equal(0xCBF29CE484222325UL, Assignment.IdHash(""));
        Assert.Equal(0xAF63DC4C8601EC8CUL, Assignment.IdHash("a"));
        Assert.Equal(0x85944171F73967E8UL, Assignment.IdHash("foobar"));
        Assert.NotEqual(Assignment.IdHash("é"), Assignment.IdHash("e"));
    }

    [Fact]
    public void Same_id_same_group_across_runs_and_row_permutations()
    {
        int n = 5000;
        var ids = Ids(n);
        var scores = Uniform(n, 3);
        var costs = Uniform(n, 4);
        var opt = new AssignmentOptions { Budget = 600, Seed = 42 };
        var a = Assignment.Assign(ids, scores, costs, opt);
        var b = Assignment.Assign(ids, scores, costs, opt);
        Assert.Equal(a.Users, b.Users);

        var perm = Enumerable.Range(0, n).ToArray();
        new Rng(9).Shuffle(perm.AsSpan());
        var p = Assignment.Assign(perm.Select(i => ids[i]).ToArray(), perm.Select(i => scores[i]).ToArray(),
            perm.Select(i => costs[i]).ToArray(), opt);
        var byId = p.Users.ToDictionary(u => u.Id, u => u.Group);
        foreach (var u in a.Users) Assert.Equal(u.Group, byId[u.Id]);
        Assert.Equal(a.ExploitCost, p.ExploitCost);
        Assert.Equal(a.ExploreTreatmentCost, p.ExploreTreatmentCost);
        Assert.True(a.ExploitCount > 0 && a.UntreatedCount > 0);
    }

    [Fact]
    public void Explore_decision_does_not_depend_on_the_other_candidates_but_on_the_seed()
    {
        var ids = Ids(4000);
        var scores = Uniform(4000, 5);
        var opt = new AssignmentOptions { Budget = 1e9, Explore = 0.2, Seed = 7 };
        var all = Assignment.Assign(ids, scores, 1.0, opt);
        var half = Assignment.Assign(ids[..2000], scores.AsSpan(0, 2000), 1.0, opt);
        static bool IsExplore(CampaignGroup g) => g is CampaignGroup.ExploreTreatment or CampaignGroup.ExploreControl;
        for (int i = 0; i < 2000; i++) Assert.Equal(all.Users[i].Group, half.Users[i].Group);
        var other = Assignment.Assign(ids, scores, 1.0, opt with { Seed = 8 });
        int differ = Enumerable.Range(0, 4000).Count(i => IsExplore(all.Users[i].Group) != IsExplore(other.Users[i].Group));
        // Independent draws under another seed: P(differ) = 2 * 0.2 * 0.8, so about 1280 of 4000 (sd about 30).
        Assert.InRange(differ, 1280 - 4 * 30, 1280 + 4 * 30);
    }

    [Theory]
    [InlineData(0.1, 0.5)]
    [InlineData(0.3, 0.2)]
    public void Explore_and_within_explore_treated_shares_match_the_rates(double explore, double treated)
    {
        int n = 20_000;
        var r = Assignment.Assign(Ids(n, "id"), Uniform(n, 11), 1.0,
            new AssignmentOptions { Budget = 1e12, Explore = explore, ExploreTreated = treated, Seed = 123 });
        int ex = r.ExploreTreatmentCount + r.ExploreControlCount;
        double sd = Math.Sqrt(n * explore * (1 - explore));
        Assert.InRange(ex, n * explore - 4 * sd, n * explore + 4 * sd);
        double sd2 = Math.Sqrt(ex * treated * (1 - treated));
        Assert.InRange(r.ExploreTreatmentCount, ex * treated - 4 * sd2, ex * treated + 4 * sd2);
        // Unlimited budget: every non-explore candidate is exploited.
        Assert.Equal(0, r.UntreatedCount);
        Assert.False(r.StoppedByBudget);
    }

    static void CheckBudgetLaw(string[] ids, double[] scores, double[] costs, AssignmentResult r)
    {
        Assert.True(r.ExploreTreatmentCost + r.ExploitCost <= r.Budget + 1e-9);
        double et = 0, xt = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            if (r.Users[i].Group == CampaignGroup.ExploreTreatment) et += costs[i];
            if (r.Users[i].Group == CampaignGroup.ExploitTreated) xt += costs[i];
        }
        Assert.Equal(et, r.ExploreTreatmentCost, 9);
        Assert.Equal(xt, r.ExploitCost, 9);
        // Exploit is a top prefix of the non-explore candidates in (score desc, id) order...
        var rest = Enumerable.Range(0, ids.Length)
            .Where(i => r.Users[i].Group is CampaignGroup.ExploitTreated or CampaignGroup.Untreated)
            .OrderByDescending(i => scores[i]).ThenBy(i => ids[i], StringComparer.Ordinal).ToList();
        int k = rest.TakeWhile(i => r.Users[i].Group == CampaignGroup.ExploitTreated).Count();
        Assert.Equal(r.ExploitCount, k);
        // ...and the next candidate would have exceeded the budget.
        if (k < rest.Count)
        {
            Assert.True(r.StoppedByBudget);
            Assert.True(r.ExploreTreatmentCost + r.ExploitCost + costs[rest[k]] > r.Budget);
        }
    }

    [Fact]
    public void Budget_is_respected_and_the_next_user_would_exceed_it()
    {
        int n = 10_000;
        var ids = Ids(n);
        var scores = Uniform(n, 21);
        var costs = Uniform(n, 22).Select(u => 0.5 + u).ToArray();
        var r = Assignment.Assign(ids, scores, costs, new AssignmentOptions { Budget = 2500, Seed = 3 });
        CheckBudgetLaw(ids, scores, costs, r);
        Assert.True(r.StoppedByBudget);
        Assert.InRange(r.ExploitCount, 1000, 2500);
        Assert.Equal(r.Users.Where(u => u.Group == CampaignGroup.ExploitTreated).Min(u => u.Score), r.ExploitThreshold);
    }

    [Property(MaxTest = 40)]
    public bool Budget_law_holds_for_any_budget_and_seed(PositiveInt budget, int seed)
    {
        int n = 500;
        var ids = Ids(n);
        var scores = Uniform(n, (ulong)seed);
        var costs = Uniform(n, (ulong)seed + 1).Select(u => u * 2 - 0.2).ToArray(); // some negative costs
        double b = budget.Get % 400;
        double exploreCost = 0;
        for (int i = 0; i < n; i++)
        {
            var (u1, u2) = Assignment.Draws(seed, ids[i]);
            if (u1 < 0.1 && u2 < 0.5) exploreCost += costs[i];
        }
        AssignmentResult r;
        try { r = Assignment.Assign(ids, scores, costs, new AssignmentOptions { Budget = b, Seed = seed }); }
        catch (UpliftOptionException) { return exploreCost > b; } // refused only when explore alone exceeds B
        CheckBudgetLaw(ids, scores, costs, r);
        return exploreCost <= b + 1e-9;
    }

    [Fact]
    public void Explore_treatment_alone_above_the_budget_is_refused()
    {
        var e = Assert.Throws<UpliftOptionException>(() =>
            Assignment.Assign(Ids(1000), Uniform(1000, 1), 1.0, new AssignmentOptions { Budget = 10, Explore = 0.5 }));
        Assert.Contains("Budget", e.Message);
    }

    [Fact]
    public void Bad_input_is_rejected_with_clear_errors()
    {
        var dup = Assert.Throws<UpliftDataException>(() =>
            Assignment.Assign(["a", "b", "a"], [0.1, 0.2, 0.3], 1.0, new AssignmentOptions { Budget = 1 }));
        Assert.Contains("duplicate user id 'a'", dup.Message);
        Assert.Equal(3, dup.Row);
        Assert.Throws<UpliftDataException>(() => Assignment.Assign(["a", "b"], [0.1, double.NaN], 1.0, new AssignmentOptions { Budget = 1 }));
        Assert.Throws<UpliftDataException>(() => Assignment.Assign(["a", "b"], [0.1], 1.0, new AssignmentOptions { Budget = 1 }));
        Assert.Throws<UpliftOptionException>(() => Assignment.Assign(["a"], [0.1], 1.0, new AssignmentOptions { Budget = -1 }));
        Assert.Throws<UpliftOptionException>(() => Assignment.Assign(["a"], [0.1], 1.0, new AssignmentOptions { Budget = 1, Explore = 1.5 }));
        Assert.Throws<UpliftOptionException>(() => Assignment.Assign(["a"], [0.1], 1.0, new AssignmentOptions { Budget = 1, ExploreTreated = -0.1 }));
    }

    [Fact]
    public void Score_ties_are_broken_by_id_whatever_the_row_order()
    {
        // Ten users with the same score and cost 1, budget 3 without explore: exploit = the 3 smallest ids.
        var ids = new[] { "j", "c", "a", "h", "b", "e", "d", "g", "f", "i" };
        var r = Assignment.Assign(ids, new double[10], 1.0, new AssignmentOptions { Budget = 3, Explore = 0 });
        var chosen = r.Users.Where(u => u.Group == CampaignGroup.ExploitTreated).Select(u => u.Id).Order().ToArray();
        Assert.Equal(["a", "b", "c"], chosen);
    }
}
