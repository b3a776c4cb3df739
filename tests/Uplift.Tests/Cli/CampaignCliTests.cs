using System.Text.Json.Nodes;
using Uplift.Campaign;
using Uplift.Cli;
using Uplift.Data;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>Synthetic files and two trained models shared by the campaign CLI tests (a few seconds once).</summary>
public sealed class CampaignCliFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("uplift-campaign-cli-").FullName;
    public string P(string name) => Path.Combine(Dir, name);

    public CampaignCliFixture()
    {
        CliRunner.Ok("simulate", "--scenario", "linear", "--rows", "4000", "--seed", "1", "--out", P("history.csv"));
        CliRunner.Ok("simulate", "--scenario", "linear", "--rows", "6000", "--seed", "2", "--out", P("eval.csv"));
        CliRunner.Ok("simulate", "--scenario", "linear", "--rows", "8000", "--seed", "3", "--out", P("candidates.csv"));
        string[] common = ["train", "--data", P("history.csv"), "--treatment", "treatment", "--value", "value", "--cost", "cost",
            "--id", "user_id", "--exclude", "tau_v,tau_c,propensity,oracle_score", "--test-fraction", "0"];
        CliRunner.Ok([.. common, "--model", "drm", "--steps", "300", "--restarts", "1", "--out", P("drm.json")]);
        CliRunner.Ok([.. common, "--model", "rlearner", "--outcome", "both", "--base", "ridge", "--out", P("rl.json")]);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

[Collection("cli")]
public class CampaignCliTests(CampaignCliFixture f) : IClassFixture<CampaignCliFixture>
{
    static Dictionary<string, string> Groups(string path)
    {
        var users = CampaignFiles.ReadAssignmentFile(path).Users;
        return users.ToDictionary(u => u.Id, u => CampaignFiles.GroupName(u.Group));
    }

    [Fact]
    public void Plan_spends_the_budget_with_intervals_and_writes_the_plan_file()
    {
        var j = CliRunner.Json("plan", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--eval", f.P("eval.csv"),
            "--budget", "2500", "--explore", "0.1", "--bootstrap", "200", "--out", f.P("plan-a.json"));
        double cost = (double)j["incremental_cost"]!;
        var ci = j["incremental_cost_ci"]!.AsArray();
        Assert.True(cost <= 2500 && cost > 2300, $"cost {cost}");
        Assert.True((double)ci[0]! <= cost && cost <= (double)ci[1]!);
        Assert.True((double)j["ratio_vs_random"]! > 1.2); // the linear scenario rewards targeting
        Assert.Equal("evaluation-data", (string?)j["source"]);
        Assert.True(File.Exists(f.P("plan-a.json")));
        // Human-readable output names the totals and the ratio.
        string text = CliRunner.Ok("plan", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--eval", f.P("eval.csv"), "--budget", "2500");
        Assert.Contains("expected incremental cost", text);
        Assert.Contains("ratio against random", text);
    }

    [Fact]
    public void Plan_without_eval_uses_the_validation_curve_then_the_model_effects_or_asks_for_eval()
    {
        // Both model files keep their validation cost curve (trained with a validation split): it comes before the model's own effects.
        var j = CliRunner.Json("plan", "--model", f.P("rl.json"), "--data", f.P("candidates.csv"), "--budget", "2500");
        Assert.Equal("validation-curve", (string?)j["source"]);
        Assert.True((double)j["incremental_cost"]! <= 2500);
        var rl = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f.P("rl.json")))!.AsObject();
        rl.Remove("validationCurve");
        File.WriteAllText(f.P("rl-nocurve.json"), rl.ToJsonString());
        j = CliRunner.Json("plan", "--model", f.P("rl-nocurve.json"), "--data", f.P("candidates.csv"), "--budget", "2500");
        Assert.Equal("model-effects", (string?)j["source"]);
        Assert.True((double)j["incremental_cost"]! <= 2500);
        var drm = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f.P("drm.json")))!.AsObject();
        drm.Remove("validationCurve");
        File.WriteAllText(f.P("drm-nocurve.json"), drm.ToJsonString());
        var (code, _, err) = CliRunner.Run("plan", "--model", f.P("drm-nocurve.json"), "--data", f.P("candidates.csv"), "--budget", "2500");
        Assert.Equal(2, code);
        Assert.Contains("--eval", err);
    }

    [Fact]
    public void Same_seed_same_group_for_every_user_even_with_rows_reordered()
    {
        string[] args = ["assign", "--model", f.P("drm.json"), "--id", "user_id", "--budget", "2000", "--explore", "0.2", "--cost-per-user", "1", "--seed", "7"];
        CliRunner.Ok([.. args, "--data", f.P("candidates.csv"), "--out", f.P("run1.csv")]);
        CliRunner.Ok([.. args, "--data", f.P("candidates.csv"), "--out", f.P("run2.csv")]);
        Assert.Equal(File.ReadAllText(f.P("run1.csv")), File.ReadAllText(f.P("run2.csv")));

        // The candidates in reverse order: the same id keeps its group.
        var lines = File.ReadAllLines(f.P("candidates.csv"));
        File.WriteAllLines(f.P("candidates-rev.csv"), [lines[0], .. lines.Skip(1).Reverse()]);
        CliRunner.Ok([.. args, "--data", f.P("candidates-rev.csv"), "--out", f.P("run3.csv")]);
        var a = Groups(f.P("run1.csv"));
        var b = Groups(f.P("run3.csv"));
        Assert.Equal(8000, a.Count);
        foreach (var (id, g) in a) Assert.Equal(g, b[id]);

        // Another seed moves users between explore and the rest.
        CliRunner.Ok([.. args[..^1], "8", "--data", f.P("candidates.csv"), "--out", f.P("run4.csv")]);
        var c = Groups(f.P("run4.csv"));
        Assert.True(a.Count(kv => kv.Value.StartsWith("explore") != c[kv.Key].StartsWith("explore")) > 500);
    }

    [Fact]
    public void Explore_share_and_its_treated_share_match_the_requested_rates()
    {
        CliRunner.Ok("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--id", "user_id", "--budget", "1e9",
            "--explore", "0.3", "--explore-treated", "0.25", "--cost-per-user", "1", "--seed", "3", "--out", f.P("shares.csv"));
        var g = Groups(f.P("shares.csv")).Values.ToList();
        int n = g.Count, et = g.Count(x => x == "explore-treatment"), ec = g.Count(x => x == "explore-control");
        int ex = et + ec;
        double sd = Math.Sqrt(n * 0.3 * 0.7);
        Assert.InRange(ex, n * 0.3 - 4 * sd, n * 0.3 + 4 * sd);
        double sd2 = Math.Sqrt(ex * 0.25 * 0.75);
        Assert.InRange(et, ex * 0.25 - 4 * sd2, ex * 0.25 + 4 * sd2);
        Assert.Equal(n - ex, g.Count(x => x == "exploit-treated")); // unlimited budget: every other candidate is exploited
    }

    [Fact]
    public void Assign_simulate_outcomes_readout_chain_with_the_plan()
    {
        CliRunner.Ok("plan", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--eval", f.P("eval.csv"),
            "--budget", "3000", "--explore", "0.2", "--out", f.P("plan-b.json"));
        var a = CliRunner.Json("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--id", "user_id",
            "--budget", "3000", "--explore", "0.2", "--plan", f.P("plan-b.json"), "--seed", "5", "--out", f.P("campaign.csv"));
        Assert.True((double)a["explore_treatment_cost"]! + (double)a["exploit_cost"]! <= 3000);
        Assert.True((int)a["exploit_treated"]! > 0);
        var truth = CliRunner.Json("simulate-outcomes", "--assignments", f.P("campaign.csv"), "--truth", f.P("candidates.csv"), "--out", f.P("outcomes.csv"));
        Assert.True((double)truth["true_exploit_slope"]! > (double)truth["true_explore_slope"]!);

        var r = CliRunner.Json("readout", "--assignments", f.P("campaign.csv"), "--outcomes", f.P("outcomes.csv"), "--plan", f.P("plan-b.json"),
            "--bootstrap", "300");
        Assert.True((double)r["relative_gain"]! > 0);
        Assert.True((bool)r["check"]!["exploit_beats_explore"]!);
        var rc = r["realised_cost_ci"]!.AsArray();
        Assert.True((double)rc[0]! <= (double)truth["true_incremental_cost"]! && (double)truth["true_incremental_cost"]! <= (double)rc[1]!);
        string text = CliRunner.Ok("readout", "--assignments", f.P("campaign.csv"), "--outcomes", f.P("outcomes.csv"), "--plan", f.P("plan-b.json"));
        Assert.Contains("check: exploit_beats_explore=yes", text);
        Assert.Contains("relative efficiency gain", text);
    }

    [Fact]
    public void Readout_refuses_missing_outcomes_unless_allowed()
    {
        CliRunner.Ok("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--id", "user_id", "--budget", "2000",
            "--cost-per-user", "1", "--seed", "9", "--out", f.P("c9.csv"));
        CliRunner.Ok("simulate-outcomes", "--assignments", f.P("c9.csv"), "--truth", f.P("candidates.csv"), "--out", f.P("o9.csv"));
        var lines = File.ReadAllLines(f.P("o9.csv"));
        File.WriteAllLines(f.P("o9-half.csv"), lines.Take(lines.Length / 2));
        var (code, _, err) = CliRunner.Run("readout", "--assignments", f.P("c9.csv"), "--outcomes", f.P("o9-half.csv"));
        Assert.Equal(2, code);
        Assert.Contains("no outcome", err);
        string text = CliRunner.Ok("readout", "--assignments", f.P("c9.csv"), "--outcomes", f.P("o9-half.csv"), "--allow-missing");
        Assert.Contains("warning:", text);
    }

    [Fact]
    public void Report_writes_one_self_contained_page_with_plan_and_importance()
    {
        var j = CliRunner.Json("report", "--data", f.P("eval.csv"), "--model", f.P("drm.json"), "--model", f.P("rl.json"),
            "--names", "DRM,R-learner", "--oracle", "oracle_score", "--importance", "DRM", "--plan-budget", "1500",
            "--bootstrap", "50", "--out", f.P("report.html"));
        Assert.Equal(2, j["models"]!.AsArray().Count);
        string html = File.ReadAllText(f.P("report.html"));
        Assert.Contains("Budget plan", html);
        Assert.Contains("Permutation feature importance", html);
        Assert.Contains("R-learner", html);
        Assert.Contains("<svg", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("src=\"http", html);
        var (code, _, err) = CliRunner.Run("report", "--data", f.P("eval.csv"), "--model", f.P("drm.json"), "--importance", "nope", "--out", f.P("r2.html"));
        Assert.Equal(2, code);
        Assert.Contains("--importance", err);
    }
}
