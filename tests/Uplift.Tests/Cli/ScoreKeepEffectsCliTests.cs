using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models;
using Uplift.Persistence;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary><c>score --keep/--effects</c> then <c>evaluate</c> on the scored file (one arm and three arms), <c>assign --plan</c>
/// for several arms and <c>report --plan-budget</c> for several arms.</summary>
[Collection("cli")]
public class ScoreKeepEffectsCliTests
{
    readonly string _dir = CliRunner.TempDir();

    string P(string name) => Path.Combine(_dir, name);

    static string[] Roles(string data, params string[] more) =>
        ["--data", data, "--treatment", "treatment", "--value", "value", "--cost", "cost", .. more];

    [Fact]
    public void Binary_score_keeps_columns_unchanged_writes_effects_and_evaluate_reads_the_scored_file()
    {
        CliRunner.Ok("simulate", "--scenario", "linear", "--rows", "2000", "--seed", "4", "--out", P("h.csv"));
        CliRunner.Ok(["train", .. Roles(P("h.csv"), "--id", "user_id"), "--exclude", "tau_v,tau_c,propensity,oracle_score", "--model", "tlearner", "--out", P("t.json")]);
        var sj = CliRunner.Json("score", "--model", P("t.json"), "--data", P("h.csv"), "--out", P("s.csv"), "--effects", "--keep", "cost,treatment,value", "--chunk-rows", "300");
        Assert.Equal(["tau_v", "tau_c"], sj["effect_columns"]!.AsArray().Select(x => (string)x!));
        var lines = File.ReadAllLines(P("s.csv"));
        Assert.Equal("user_id,score,tau_v,tau_c,treatment,value,cost", lines[0]); // kept columns in the input's order, after the scores
        var input = File.ReadAllLines(P("h.csv"));
        var head = input[0].Split(',');
        int[] at = [Array.IndexOf(head, "treatment"), Array.IndexOf(head, "value"), Array.IndexOf(head, "cost")];
        for (int i = 1; i < input.Length; i++)
        {
            var a = input[i].Split(','); var b = lines[i].Split(',');
            Assert.Equal(a[0], b[0]);
            Assert.Equal(at.Select(j => a[j]), b[4..]); // the cells' text, unchanged
        }

        var file = ModelFile.Load(P("t.json"));
        var table = TableReader.Read(P("h.csv"));
        var (tv, tc) = file.Pipeline.PredictEffects(table)!.Value;
        var scored = TableReader.Read(P("s.csv"));
        Assert.Equal(tv, scored["tau_v"].Numbers!);
        Assert.Equal(tc, scored["tau_c"].Numbers!);

        var ev = CliRunner.Json(["evaluate", .. Roles(P("s.csv")), "--score", "score,tau_v", "--bootstrap", "0"]);
        var o = OutcomeColumns.Read(table, new ColumnRoles("treatment", "value", "cost"));
        var opts = new CostCurveOptions { Segments = 10, Grid = CostCurveGrid.EndsAtN };
        Assert.Equal(CostCurve.Compute(file.Score(table), o.T, o.V, o.C, opts).Aucc, (double)ev["results"]![0]!["aucc"]!, 12);
        Assert.Equal(CostCurve.Compute(tv, o.T, o.V, o.C, opts).Aucc, (double)ev["results"]![1]!["aucc"]!, 12);

        // Errors: an unknown column, a clash with an output column, effects of a model that has none.
        var e1 = CliRunner.Run("score", "--model", P("t.json"), "--data", P("h.csv"), "--out", P("x.csv"), "--keep", "treatment,nosuch");
        Assert.Equal(2, e1.ExitCode);
        Assert.Contains("no column 'nosuch' to keep", e1.Err);
        foreach (var clash in new[] { "score", "user_id", "tau_v" })
        {
            var e2 = CliRunner.Run("score", "--model", P("t.json"), "--data", P("h.csv"), "--out", P("x.csv"), "--effects", "--keep", clash);
            Assert.Equal(2, e2.ExitCode);
            Assert.Contains($"'{clash}' is already an output column", e2.Err);
        }
        Assert.False(File.Exists(P("x.csv")));
        CliRunner.Ok(["train", .. Roles(P("h.csv"), "--id", "user_id"), "--exclude", "tau_v,tau_c,propensity,oracle_score", "--model", "drm",
            "--steps", "20", "--restarts", "1", "--out", P("d.json")]);
        var e3 = CliRunner.Run("score", "--model", P("d.json"), "--data", P("h.csv"), "--out", P("x.csv"), "--effects");
        Assert.Equal(2, e3.ExitCode);
        Assert.Contains("a drm model does not estimate tau_v and tau_c", e3.Err);
    }

    static string[] ArmRoles(string data) =>
        ["--data", data, "--treatment", "treatment", "--control", "none", "--value", "value", "--cost", "cost", "--id", "user_id"];

    [Fact]
    public void Several_arms_effects_per_arm_evaluate_on_the_scored_file_and_assign_with_the_plan_file()
    {
        CliRunner.Ok("simulate", "--scenario", "multiarm", "--rows", "3000", "--seed", "5", "--out", P("h.csv"));
        CliRunner.Ok("simulate", "--scenario", "multiarm", "--rows", "2000", "--seed", "6", "--out", P("e.csv"));
        CliRunner.Ok("simulate", "--scenario", "multiarm", "--rows", "1500", "--seed", "7", "--out", P("c.csv"));
        const string truth = "tau_v_small,tau_c_small,tau_v_medium,tau_c_medium,tau_v_large,tau_c_large,propensity";
        CliRunner.Ok(["train", .. ArmRoles(P("h.csv")), "--exclude", truth, "--model", "tlearner", "--out", P("t.json")]);
        CliRunner.Ok(["train", .. ArmRoles(P("h.csv")), "--exclude", truth, "--model", "drm", "--steps", "20", "--restarts", "1", "--out", P("d.json")]);

        foreach (var model in new[] { "t.json", "d.json" }) // effect heads, and calibrated ranking heads
        {
            CliRunner.Ok("score", "--model", P(model), "--data", P("e.csv"), "--out", P("s.csv"), "--effects", "--keep", "value,treatment,cost");
            var scored = TableReader.Read(P("s.csv"));
            Assert.Equal(["user_id", "score", "arm", "tau_v_large", "tau_c_large", "tau_v_medium", "tau_c_medium", "tau_v_small", "tau_c_small",
                "treatment", "value", "cost"], scored.ColumnNames);
            var file = ModelFile.Load(P(model));
            var table = TableReader.Read(P("e.csv"));
            var d = file.Pipeline.Transform(table);
            var m = (IMultiArmModel)file.Model;
            var tv = new double[d.Rows * 3]; var tc = new double[d.Rows * 3];
            m.PredictArmEffects(d, tv, tc);
            string[] labels = ["large", "medium", "small"];
            for (int a = 0; a < 3; a++)
            {
                Assert.Equal(Enumerable.Range(0, d.Rows).Select(i => tv[i * 3 + a]), scored[$"tau_v_{labels[a]}"].Numbers!);
                Assert.Equal(Enumerable.Range(0, d.Rows).Select(i => tc[i * 3 + a]), scored[$"tau_c_{labels[a]}"].Numbers!);
            }
            // evaluate on the scored file: the multi-arm AUCC of the model's budget path, as the experiment computes it.
            var ev = CliRunner.Json("evaluate", "--data", P("s.csv"), "--treatment", "treatment", "--control", "none", "--value", "value",
                "--cost", "cost", "--score", "tau", "--bootstrap", "0");
            var o = OutcomeColumns.Read(table, new ColumnRoles("treatment", "value", "cost") { Control = "none" });
            var ds = new Dataset(d.X, d.Rows, d.Features, d.FeatureNames, o.T, o.V, o.C, arms: o.Arms);
            var direct = Experiment.EvaluateArms(Experiment.ArmPath(m, ds), o.T, o.V, o.C, new EvaluationOptions { BootstrapReplicates = 0 }, 1);
            Assert.True((bool)ev["results"]![0]!["multiarm"]!);
            Assert.Equal(direct.Curve.Aucc, (double)ev["results"]![0]!["aucc"]!, 12);
        }

        // assign --plan: the plan's prefix of the budget path, the same file as assign with the plan's numbers by hand.
        string[] plan = ["plan", "--model", P("t.json"), "--data", P("c.csv"), "--eval", P("e.csv"), "--budget", "200", "--spend-confidence", "0.9",
            "--seed", "3", "--bootstrap", "100"];
        var pj = CliRunner.Json([.. plan, "--out", P("plan.json")]);
        var aj = CliRunner.Json("assign", "--model", P("t.json"), "--data", P("c.csv"), "--id", "user_id", "--plan", P("plan.json"), "--seed", "3", "--out", P("a1.csv"));
        CliRunner.Ok("assign", "--model", P("t.json"), "--data", P("c.csv"), "--id", "user_id", "--eval", P("e.csv"), "--budget", "200",
            "--spend-confidence", "0.9", "--bootstrap", "100", "--seed", "3", "--out", P("a2.csv"));
        Assert.Equal(File.ReadAllBytes(P("a2.csv")), File.ReadAllBytes(P("a1.csv")));
        Assert.Equal((int)pj["upgrades"]!, (int)aj["upgrades"]!);
        Assert.True((int)aj["upgrades"]! > 0);
        Assert.Equal("plan-file", (string)aj["plan_source"]!);
        // With --budget given as well, the plan still fixes the spend (a note says so).
        var aj3 = CliRunner.Json("assign", "--model", P("t.json"), "--data", P("c.csv"), "--id", "user_id", "--plan", P("plan.json"), "--budget", "999",
            "--seed", "3", "--out", P("a3.csv"));
        Assert.Equal(File.ReadAllBytes(P("a1.csv")), File.ReadAllBytes(P("a3.csv")));
        Assert.Contains("is not used", (string)aj3["notes"]![0]!);
        // A plan made for other candidates is refused.
        var other = CliRunner.Run("assign", "--model", P("t.json"), "--data", P("e.csv"), "--id", "user_id", "--plan", P("plan.json"), "--seed", "3", "--out", P("a4.csv"));
        Assert.Equal(2, other.ExitCode);
        Assert.Contains("make the plan for these candidates", other.Err);
        var both = CliRunner.Run("assign", "--model", P("t.json"), "--data", P("c.csv"), "--id", "user_id", "--plan", P("plan.json"), "--eval", P("e.csv"), "--out", P("a4.csv"));
        Assert.Equal(2, both.ExitCode);
        File.WriteAllText(P("bad.json"), "{\"budget\": 1}");
        var bad = CliRunner.Run("assign", "--model", P("t.json"), "--data", P("c.csv"), "--id", "user_id", "--plan", P("bad.json"), "--out", P("a4.csv"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("not a multi-arm plan file", bad.Err);

        // report --plan-budget: the same plan as 'uplift plan' on the report's data, laid out per arm with the references.
        var rj = CliRunner.Json("report", "--data", P("e.csv"), "--model", P("t.json"), "--candidates", P("c.csv"), "--plan-budget", "200",
            "--plan-spend-confidence", "0.9", "--bootstrap", "100", "--seed", "3", "--out", P("r.html"));
        var rp = rj["arm_plan"]!;
        foreach (var key in new[] { "upgrades", "incremental_value", "incremental_cost", "best_single_arm_value", "random_value_per_cost" })
            Assert.Equal(pj[key]!.ToJsonString(), rp[key]!.ToJsonString());
        Assert.Equal(pj["incremental_cost_ci"]!.ToJsonString(), rp["incremental_cost_ci"]!.ToJsonString());
        var page = File.ReadAllText(P("r.html"));
        Assert.Contains("Budget plan across arms", page);
        Assert.Contains("id=\"plan-arms\"", page);
        foreach (var arm in new[] { "large", "medium", "small" }) Assert.Contains($"{arm}</td>", page);
        Assert.Contains("Best single arm (", page);
        Assert.Contains("Random allocation, same arm mix", page);
        Assert.Contains("held back", page);
    }
}
