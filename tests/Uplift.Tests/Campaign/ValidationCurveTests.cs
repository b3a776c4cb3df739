using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Xunit;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Evaluation;
using Xunit;

namespace Uplift.Tests.Campaign;

/// <summary>The validation cost curve kept in the model file, and plans priced from it.</summary>
public class ValidationCurveTests
{
    // The evaluation users and candidate scores of the plan tests (tau_v = 1 + 2 s, tau_c = 1).
    static (double[] S, byte[] T, double[] V, double[] C) Eval(int n, ulong seed) => PlanTests.Eval(n, seed);
    static double[] Uniform(int n, ulong seed) => PlanTests.Uniform(n, seed);

    static double DiffOfMeans(byte[] t, double[] x, Func<int, bool> keep)
    {
        var idx = Enumerable.Range(0, t.Length).Where(keep).ToArray();
        return idx.Where(i => t[i] == 1).Average(i => x[i]) - idx.Where(i => t[i] == 0).Average(i => x[i]);
    }

    [Fact]
    public void Points_hold_the_cost_curve_increments_cut_offs_and_arm_counts()
    {
        var (s, t, v, c) = Eval(20_000, 1);
        var curve = ValidationCurve.Compute(s, t, v, c);
        Assert.Equal(20_000, curve.Users);
        Assert.Equal(t.Count(x => x == 1), curve.TreatedUsers);
        Assert.Equal(100, curve.Points.Count);
        var last = curve.Points[^1];
        Assert.Equal(20_000, last.K);
        Assert.Equal(1.0, last.Share);
        // Everyone: the plain differences of means.
        Assert.Equal(DiffOfMeans(t, c, _ => true), last.CostPerTreated, 9);
        Assert.Equal(DiffOfMeans(t, v, _ => true), last.ValuePerTreated, 9);
        // The same increments as CostCurve.Compute (reused, not re-derived).
        var cc = CostCurve.Compute(s, t, v, c, new CostCurveOptions { Segments = 100 });
        for (int p = 0; p < curve.Points.Count; p++)
        {
            var pt = curve.Points[p];
            Assert.Equal(cc.K[p], pt.K);
            Assert.Equal(cc.Vpu[p] - cc.V0, pt.IncrementalValue, 12);
            Assert.Equal(cc.Cpu[p] - cc.C0, pt.IncrementalCost, 12);
            int above = s.Count(x => x >= pt.Cutoff);
            Assert.Equal(pt.K, above); // no ties: the top k are the users at or above the k-th score
            Assert.Equal(Enumerable.Range(0, s.Length).Count(i => s[i] >= pt.Cutoff && t[i] == 1), pt.Treated);
            Assert.Equal(above - pt.Treated, pt.Control);
            if (p > 0) Assert.True(pt.Cutoff <= curve.Points[p - 1].Cutoff);
        }
        // The top 30 %: tau_v there averages 1 + 2 * 0.85 = 2.7; tau_c is 1 everywhere.
        var top30 = curve.Points[29];
        Assert.InRange(top30.ValuePerTreated, 2.7 - 0.25, 2.7 + 0.25);
        Assert.InRange(top30.CostPerTreated, 1 - 0.12, 1 + 0.12);
    }

    [Fact]
    public void Json_round_trip_through_text_and_in_memory()
    {
        var (s, t, v, c) = Eval(3000, 2);
        var curve = ValidationCurve.Compute(s, t, v, c);
        var text = ValidationCurve.FromJson(JsonNode.Parse(curve.ToJson().ToJsonString()))!;
        var mem = ValidationCurve.FromJson(curve.ToJson())!;
        foreach (var back in new[] { text, mem })
        {
            Assert.Equal(curve.Users, back.Users);
            Assert.Equal(curve.TreatedUsers, back.TreatedUsers);
            Assert.Equal(curve.Points, back.Points);
        }
        Assert.Null(ValidationCurve.FromJson(null));
    }

    public static TheoryData<string, string> BadCurves() => new()
    {
        { """{"k":"x"}""", "validationCurve.k" },
        { """{"users":"100"}""", "validationCurve.users" },
        { """{"cutoff":[1,2,3]}""", "validationCurve.cutoff" },
        { """{"value":null}""", "validationCurve.value" },
        { """{"k":[10,10,30]}""", "validationCurve.k[1]" },
        { """{"k":[10,20,25]}""", "validationCurve.k" },
        { """{"share":[0,0.5,1]}""", "validationCurve.share[0]" },
        { """{"cost":[1,1e400,1]}""", "validationCurve.cost[1]" },
        { """{"treated_above":[1,2,-3]}""", "validationCurve.treated_above[2]" },
        { """{"cutoff":[0.5,0.6,0.1]}""", "validationCurve.cutoff[1]" },
    };

    /// <summary>A valid three-point curve with one field replaced is refused, naming the field.</summary>
    [Theory]
    [MemberData(nameof(BadCurves))]
    public void Malformed_curves_are_refused_naming_the_field(string patch, string field)
    {
        var good = JsonNode.Parse("""
            {"users":30,"treated":15,"k":[10,20,30],"share":[0.3333,0.6667,1],"cutoff":[0.9,0.5,0.1],
             "value":[1,1.5,2],"cost":[0.3,0.6,1],"treated_above":[5,10,15],"control_above":[5,10,15]}
            """)!.AsObject();
        Assert.NotNull(ValidationCurve.FromJson(good.DeepClone()));
        var bad = JsonNode.Parse(patch)!.AsObject();
        var o = good.DeepClone().AsObject();
        foreach (var (k, val) in bad) o[k] = val?.DeepClone();
        var e = Assert.Throws<UpliftDataException>(() => ValidationCurve.FromJson(o, "m.json"));
        Assert.Contains(field, e.Message);
        Assert.StartsWith("m.json", e.Message);
        Assert.Throws<UpliftDataException>(() => ValidationCurve.FromJson(new JsonArray(), "m.json"));
    }

    [Fact]
    public void Undefined_curve_is_null_not_an_error()
    {
        var (s, t, v, _) = Eval(1000, 3);
        var zeroCost = new double[s.Length]; // no incremental cost: the cost curve is undefined
        Assert.Null(ValidationCurve.TryCompute(s, t, v, zeroCost));
    }

    [Fact]
    public void Plan_from_the_curve_spends_the_budget_like_a_plan_from_the_same_data()
    {
        var (s, t, v, c) = Eval(20_000, 4);
        var cand = Uniform(10_000, 5);
        var o = new PlanOptions { Budget = 3000, Explore = 0.1, ExploreTreated = 0.5, Seed = 3, BootstrapReplicates = 100 };
        var p = Plan.FromValidationCurve(cand, ValidationCurve.Compute(s, t, v, c), o);
        var e = Plan.FromEvaluation(cand, s, t, v, c, o);
        Assert.Equal(PlanEffectSource.ValidationCurve, p.Source);
        // True: 500 explore users at cost 1; exploit 0.9 k at cost 1 -> k about 2778.
        Assert.InRange(p.AboveCutoff, 2778 - 250, 2778 + 250);
        Assert.InRange(p.IncrementalCost, 2900, 3000);
        Assert.True(p.BudgetBinding);
        Assert.InRange(p.CutoffScore!.Value, e.CutoffScore!.Value - 0.03, e.CutoffScore.Value + 0.03);
        Assert.InRange(p.ExploitValuePerUser, e.ExploitValuePerUser - 0.1, e.ExploitValuePerUser + 0.1);
        Assert.InRange(p.EvaluationUsersAboveCutoff, e.EvaluationUsersAboveCutoff * 0.95, e.EvaluationUsersAboveCutoff * 1.05);
        Assert.Null(p.IncrementalCostCi);
        Assert.Contains(p.Warnings, w => w.Contains("validation cost curve"));
        var back = PlanResult.FromJson(JsonNode.Parse(p.ToJson().ToJsonString())!.AsObject());
        Assert.Equal(PlanEffectSource.ValidationCurve, back.Source);
        Assert.Equal("validation-curve", (string?)p.ToJson()["source"]);
    }

    /// <summary>Whatever the budget, the plan's expected cost stays within it, and the budget binds unless every candidate fits.</summary>
    [Property(MaxTest = 12)]
    public bool Plan_from_the_curve_never_exceeds_the_budget(PositiveInt seed, NormalFloat budgetShare)
    {
        var (s, t, v, c) = Eval(2000, (ulong)seed.Get);
        var cand = Uniform(1000, (ulong)seed.Get + 7);
        double budget = 1000 * (0.06 + 1.2 * Math.Abs(Math.Sin(budgetShare.Get)));
        var p = Plan.FromValidationCurve(cand, ValidationCurve.Compute(s, t, v, c), new PlanOptions { Budget = budget, Explore = 0.1 });
        bool within = p.IncrementalCost <= budget + 1e-9;
        bool binding = p.BudgetBinding == (p.AboveCutoff < 1000);
        bool warned = p.BudgetBinding || p.Warnings.Any(w => w.Contains("cannot be spent") || w.Contains("not positive"));
        return within && binding && warned;
    }

    [Fact]
    public void A_budget_that_cannot_be_spent_is_reported_by_every_source()
    {
        var (s, t, v, c) = Eval(5000, 6);
        var cand = Uniform(2000, 7);
        var o = new PlanOptions { Budget = 1e6, Explore = 0.1, BootstrapReplicates = 100 };
        var tauV = cand.Select(x => 1 + 2 * x).ToArray();
        PlanResult[] plans =
        [
            Plan.FromEvaluation(cand, s, t, v, c, o),
            Plan.FromValidationCurve(cand, ValidationCurve.Compute(s, t, v, c), o),
            Plan.FromModelEffects(cand, tauV, cand.Select(_ => 1.0).ToArray(), o),
        ];
        foreach (var p in plans)
        {
            Assert.False(p.BudgetBinding);
            Assert.Equal(2000, p.AboveCutoff);
            Assert.Contains(p.Warnings, w => w.Contains("cannot be spent"));
            Assert.True(p.UnspentBudget > 1e6 - 3000);
            var j = p.ToJson();
            Assert.False((bool)j["budget_binding"]!);
            Assert.True((double)j["unspent_budget"]! > 0);
            Assert.Contains(p.ToLines(), l => l.StartsWith("budget not binding"));
        }
        // A non-positive expected cost: the budget cannot limit anything.
        var free = Plan.FromModelEffects(cand, tauV, cand.Select(_ => -0.5).ToArray(), new PlanOptions { Budget = 10, Explore = 0.1 });
        Assert.False(free.BudgetBinding);
        Assert.Contains(free.Warnings, w => w.Contains("not positive"));
        // A binding budget: no such warning.
        var bound = Plan.FromModelEffects(cand, tauV, cand.Select(_ => 1.0).ToArray(), new PlanOptions { Budget = 500, Explore = 0.1 });
        Assert.True(bound.BudgetBinding);
        Assert.DoesNotContain(bound.Warnings, w => w.Contains("cannot be spent"));
    }

    [Fact]
    public void Curve_with_too_few_users_per_arm_is_refused()
    {
        var (s, t, v, c) = Eval(30, 8);
        var curve = ValidationCurve.Compute(s, t, v, c);
        var e = Assert.Throws<UpliftDataException>(() => Plan.FromValidationCurve(Uniform(100, 9), curve, new PlanOptions { Budget = 10 }));
        Assert.Contains("--eval", e.Message);
    }

    [Fact]
    public void Plan_file_records_its_columns()
    {
        var p = Plan.FromModelEffects([3.0, 2, 1], [1.0, 1, 1], [1.0, 1, 1], new PlanOptions { Budget = 2, Explore = 0 })
            with { Columns = new PlanColumns("user_id", "treated", "revenue", "spend") };
        var back = PlanResult.FromJson(JsonNode.Parse(p.ToJson().ToJsonString())!.AsObject());
        Assert.Equal(p.Columns, back.Columns);
        var j = p.ToJson();
        j["columns"] = new JsonObject { ["value"] = 3 };
        var e = Assert.Throws<UpliftDataException>(() => PlanResult.FromJson(JsonNode.Parse(j.ToJsonString())!.AsObject(), "plan.json"));
        Assert.Contains("columns.value", e.Message);
    }

    [Fact]
    public void Assignment_file_keeps_the_id_column_name_and_finds_it_again()
    {
        AssignedUser[] users = [new("007", 1.5, CampaignGroup.ExploreTreatment), new("x", -2, CampaignGroup.Untreated)];
        var table = CampaignFiles.AssignmentTable("t", users, "user_id");
        Assert.Equal(["user_id", "group", "score"], table.ColumnNames);
        Assert.Equal(users, CampaignFiles.ReadAssignments(table));
        Assert.Throws<UpliftOptionException>(() => CampaignFiles.AssignmentTable("t", users, "group"));
        // Old files (column 'id') still read; a file with two candidate id columns names them.
        Assert.Equal("id", CampaignFiles.AssignmentIdColumn(["id", "group", "score"], "t"));
        Assert.Equal("id", CampaignFiles.AssignmentIdColumn(["id", "extra", "group", "score"], "t"));
        var e = Assert.Throws<UpliftDataException>(() => CampaignFiles.AssignmentIdColumn(["a", "b", "group", "score"], "t"));
        Assert.Contains("'a', 'b'", e.Message);

        var dir = Directory.CreateTempSubdirectory("uplift-vc-").FullName;
        try
        {
            string path = Path.Combine(dir, "a.csv");
            TableWriter.Write(path, table);
            var (back, id) = CampaignFiles.ReadAssignmentFile(path);
            Assert.Equal("user_id", id);
            Assert.Equal("007", back[0].Id); // read as text: the zeros stay
        }
        finally { Directory.Delete(dir, true); }
    }
}
