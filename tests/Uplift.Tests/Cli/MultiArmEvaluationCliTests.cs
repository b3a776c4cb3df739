using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models;
using Uplift.Persistence;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>train, evaluate, compare, score and report on a small simulated campaign with three arms (METHOD.md section 10).</summary>
[Collection("cli")]
public class MultiArmEvaluationCliTests
{
    readonly string _dir = CliRunner.TempDir();

    string Simulate()
    {
        string path = Path.Combine(_dir, "offers.csv");
        CliRunner.Ok("simulate", "--scenario", "multiarm", "--rows", "2000", "--seed", "3", "--out", path);
        return path;
    }

    static string[] Columns(string data) =>
        ["--data", data, "--treatment", "treatment", "--control", "none", "--value", "value", "--cost", "cost", "--id", "user_id"];

    [Fact]
    public void Train_evaluate_compare_score_and_report_run_on_three_arms_and_print_the_multi_arm_aucc()
    {
        string data = Simulate();
        string tl = Path.Combine(_dir, "t.json"), drm = Path.Combine(_dir, "d.json");
        var text = CliRunner.Ok(["train", .. Columns(data), "--model", "tlearner", "--out", tl]);
        Assert.Contains("validation multi-arm AUCC", text);
        Assert.Contains("test multi-arm AUCC", text);
        Assert.Contains("arms: large, medium, small against control 'none'", text);
        Assert.Contains("50% of the full budget", text);
        var j = CliRunner.Json(["train", .. Columns(data), "--model", "drm", "--steps", "30", "--restarts", "1", "--out", drm]);
        Assert.True((bool)j["multiarm"]!);
        Assert.Equal(3, (int)j["arms"]!);
        Assert.Equal(["large", "medium", "small"], j["arm_labels"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("none", (string)j["control_label"]!);
        Assert.InRange((double)j["test_aucc"]!, 0.0, 1.0);
        Assert.InRange((double)j["valid_aucc"]!, 0.0, 1.0);
        var budgets = j["test_value_at_budgets"]!.AsArray();
        Assert.Equal([0.25, 0.5, 1.0], budgets.Select(b => (double)b!["share"]!));
        Assert.Equal(["none", "large", "medium", "small"], budgets[0]!["users"]!.AsObject().Select(kv => kv.Key));
        var file = ModelFile.Load(drm);
        Assert.Null(file.ValidationCurve); // a multi-arm plan reads the model's own effects

        var ev = CliRunner.Json("evaluate", "--data", data, "--treatment", "treatment", "--control", "none", "--value", "value",
            "--cost", "cost", "--score", "tau", "--bootstrap", "20");
        var r0 = ev["results"]!.AsArray()[0]!;
        Assert.True((bool)r0["multiarm"]!);
        Assert.InRange((double)r0["aucc"]!, 0.5, 1.0);
        Assert.True(r0["aucc_ci_low"] is not null && r0["value_at_budgets"]!.AsArray().Count == 3);
        Assert.Contains("multi-arm AUCC", CliRunner.Ok("evaluate", "--data", data, "--treatment", "treatment", "--control", "none",
            "--value", "value", "--cost", "cost", "--score", "tau", "--bootstrap", "0"));
        var missing = CliRunner.Run("evaluate", "--data", data, "--treatment", "treatment", "--control", "none", "--value", "value",
            "--cost", "cost", "--score", "oracle_score");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("oracle_score_v_large", missing.Err);

        var cmp = CliRunner.Json(["compare", .. Columns(data), "--models", "tlearner,drm", "--steps", "30", "--restarts", "1", "--repeats", "1"]);
        Assert.True((bool)cmp["multiarm"]!);
        Assert.Equal(["large", "medium", "small"], cmp["arm_labels"]!.AsArray().Select(a => (string)a!));
        foreach (var row in cmp["results"]!.AsArray())
        {
            Assert.InRange((double)row!["test_aucc_mean"]!, 0.0, 1.0);
            Assert.Equal(3, row["value_at_budgets"]!.AsArray().Count);
        }
        Assert.Contains("test multi-arm AUCC", CliRunner.Ok(["compare", .. Columns(data), "--models", "tlearner", "--repeats", "1"]));

        // score: 'score' as for one arm, and the label of each user's first upgrade, whose guarded ratio is the score.
        string scored = Path.Combine(_dir, "scores.csv");
        var sj = CliRunner.Json("score", "--model", drm, "--data", data, "--out", scored);
        Assert.True((bool)sj["arm_column"]!);
        var out_ = TableReader.Read(scored);
        Assert.Equal(["user_id", "score", "arm"], out_.ColumnNames);
        var labels = new[] { "large", "medium", "small" };
        var d = file.Pipeline.Transform(TableReader.Read(data));
        var m = (IMultiArmModel)file.Model;
        var tv = new double[d.Rows * 3]; var tc = new double[d.Rows * 3];
        m.PredictArmEffects(d, tv, tc);
        var arm = out_["arm"].Strings!;
        var score = out_["score"].Numbers!;
        for (int i = 0; i < d.Rows; i++)
        {
            if (arm[i] == "none") { Assert.True(Enumerable.Range(0, 3).All(a => tv[i * 3 + a] <= 0)); continue; }
            int a = Array.IndexOf(labels, arm[i]);
            Assert.True(a >= 0, arm[i]);
            Assert.Equal(score[i], EffectRatio.Guarded(tv[i * 3 + a], tc[i * 3 + a]), 9);
        }

        string html = Path.Combine(_dir, "report.html");
        CliRunner.Ok("report", "--data", data, "--model", tl, "--model", drm, "--oracle", "tau", "--bootstrap", "20", "--out", html);
        var page = File.ReadAllText(html);
        Assert.Contains("Multi-arm cost curves", page);
        Assert.Contains("id=\"value-at-budget\"", page);
        Assert.Contains("id=\"arm-split\"", page);
        Assert.Contains("oracle: users per arm by budget", page);
    }
}
