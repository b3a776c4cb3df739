using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>Synthetic files and two DRM models trained with the default validation split (one on renamed outcome columns).</summary>
public sealed class CampaignContractFixture : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("uplift-campaign-contract-").FullName;
    public string P(string name) => Path.Combine(Dir, name);

    public CampaignContractFixture()
    {
        CliRunner.Ok("simulate", "--scenario", "linear", "--rows", "4000", "--seed", "1", "--out", P("history.csv"));
        CliRunner.Ok("simulate", "--scenario", "linear", "--rows", "8000", "--seed", "3", "--out", P("candidates.csv"));
        // The default split (validation 0.2, test 0.2): the model file keeps its validation cost curve.
        CliRunner.Ok("train", "--data", P("history.csv"), "--treatment", "treatment", "--value", "value", "--cost", "cost",
            "--id", "user_id", "--exclude", "tau_v,tau_c,propensity,oracle_score", "--model", "drm", "--out", P("drm.json"));
        // The same campaign with the outcome columns named as a growth team might: revenue and spend.
        Rename(P("history.csv"), P("history-rev.csv"));
        Rename(P("candidates.csv"), P("candidates-rev.csv"));
        CliRunner.Ok("train", "--data", P("history-rev.csv"), "--treatment", "treatment", "--value", "revenue", "--cost", "spend",
            "--id", "user_id", "--exclude", "tau_v,tau_c,propensity,oracle_score", "--model", "drm", "--steps", "300", "--restarts", "1",
            "--out", P("drm-rev.json"));
    }

    static void Rename(string from, string to)
    {
        var lines = File.ReadAllLines(from);
        var header = lines[0].Split(',').Select(h => h switch { "value" => "revenue", "cost" => "spend", _ => h });
        File.WriteAllLines(to, [string.Join(',', header), .. lines.Skip(1)]);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The command-line contract of plan, assign, simulate-outcomes and readout (issue 9, "the command-line contract").</summary>
[Collection("cli")]
public class CampaignContractTests(CampaignContractFixture f) : IClassFixture<CampaignContractFixture>
{
    [Fact]
    public void Assign_with_a_budget_works_with_only_the_model()
    {
        // Exactly the command: a DRM trained with the default validation split, no --eval, no --plan.
        var (code, output, err) = CliRunner.Run("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--id", "user_id",
            "--budget", "1500", "--explore", "0.1", "--seed", "5", "--out", f.P("a.csv"));
        Assert.True(code == 0, err);
        Assert.Contains("validation curve", output);
        Assert.Contains("validation cost curve", err); // the warning that names the source and suggests --eval
        var lines = File.ReadAllLines(f.P("a.csv"));
        Assert.Equal("user_id,group,score", lines[0]); // the user's id column name is kept
        Assert.Equal(8001, lines.Length);
        Assert.Contains(lines, l => l.Contains(",exploit-treated,"));

        var j = CliRunner.Json("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--id", "user_id",
            "--budget", "1500", "--explore", "0.1", "--seed", "5", "--out", f.P("a2.csv"));
        Assert.Equal("validation-curve", (string?)j["cost_source"]);
        Assert.Equal("user_id", (string?)j["id_column"]);
        double spent = (double)j["explore_treatment_cost"]! + (double)j["exploit_cost"]!;
        Assert.InRange(spent, 1400, 1500);
        Assert.True((bool)j["budget_binding"]!);
        Assert.True((int)j["exploit_treated"]! > 500);
        Assert.Equal(File.ReadAllText(f.P("a.csv")), File.ReadAllText(f.P("a2.csv")));
    }

    [Fact]
    public void Plan_prices_from_the_validation_curve_and_says_so()
    {
        var j = CliRunner.Json("plan", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--budget", "1500", "--explore", "0.1");
        Assert.Equal("validation-curve", (string?)j["source"]);
        Assert.InRange((double)j["incremental_cost"]!, 1300, 1500);
        Assert.True((bool)j["budget_binding"]!);
        Assert.True((double)j["ratio_vs_random"]! > 1); // the linear scenario rewards targeting
        Assert.Equal("value", (string?)j["columns"]!["value"]);
        string text = CliRunner.Ok("plan", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--budget", "1500");
        Assert.Contains("effects: the model's validation cost curve", text);

        // A model file without the curve (e.g. from an older version) and without effect estimates asks for --eval.
        var m = JsonNode.Parse(File.ReadAllText(f.P("drm.json")))!.AsObject();
        m.Remove("validationCurve");
        File.WriteAllText(f.P("drm-nocurve.json"), m.ToJsonString());
        var (code, _, err) = CliRunner.Run("plan", "--model", f.P("drm-nocurve.json"), "--data", f.P("candidates.csv"), "--budget", "1500");
        Assert.Equal(2, code);
        Assert.Contains("--eval", err);
        (code, _, err) = CliRunner.Run("assign", "--model", f.P("drm-nocurve.json"), "--data", f.P("candidates.csv"), "--budget", "1500", "--out", f.P("x.csv"));
        Assert.Equal(2, code);
        Assert.Contains("--plan", err);

        // A damaged curve is a clear error naming the field, not a crash.
        m = JsonNode.Parse(File.ReadAllText(f.P("drm.json")))!.AsObject();
        m["validationCurve"]!["cost"] = "cheap";
        File.WriteAllText(f.P("drm-bad.json"), m.ToJsonString());
        (code, _, err) = CliRunner.Run("plan", "--model", f.P("drm-bad.json"), "--data", f.P("candidates.csv"), "--budget", "1500");
        Assert.Equal(2, code);
        Assert.Contains("validationCurve.cost", err);
    }

    [Fact]
    public void A_budget_that_cannot_be_spent_is_said_never_silent()
    {
        var (code, output, err) = CliRunner.Run("plan", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--budget", "1e7", "--json");
        Assert.Equal(0, code);
        var j = JsonNode.Parse(output)!.AsObject(); // stdout stays valid JSON; the warning is on stderr
        Assert.False((bool)j["budget_binding"]!);
        Assert.True((double)j["unspent_budget"]! > 9e6);
        Assert.Contains(j["warnings"]!.AsArray(), w => ((string?)w)!.Contains("cannot be spent"));
        Assert.Contains("warning: the budget", err);
        Assert.Contains("cannot be spent", err);

        (code, output, err) = CliRunner.Run("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--budget", "1e7",
            "--out", f.P("all.csv"), "--json");
        Assert.Equal(0, code);
        j = JsonNode.Parse(output)!.AsObject();
        Assert.False((bool)j["budget_binding"]!);
        Assert.Equal(8000, (int)j["exploit_treated"]! + (int)j["explore_treatment"]! + (int)j["explore_control"]!);
        Assert.Single(j["warnings"]!.AsArray(), w => ((string?)w)!.Contains("cannot be spent"));
        Assert.Contains("cannot be spent", err);

        // A constant cost of 0 or less leaves the budget nothing to limit: refused, naming the option.
        foreach (var c in new[] { "0", "-1" })
        {
            (code, _, err) = CliRunner.Run("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--budget", "100",
                "--cost-per-user", c, "--out", f.P("zero.csv"));
            Assert.Equal(2, code);
            Assert.Contains("--cost-per-user", err);
            Assert.Contains("positive", err);
        }
        Assert.False(File.Exists(f.P("zero.csv")));
    }

    [Fact]
    public void Readout_takes_the_column_names_from_the_plan_or_the_model()
    {
        CliRunner.Ok("plan", "--model", f.P("drm-rev.json"), "--data", f.P("candidates-rev.csv"), "--budget", "1500", "--out", f.P("plan-rev.json"));
        var plan = JsonNode.Parse(File.ReadAllText(f.P("plan-rev.json")))!;
        Assert.Equal("revenue", (string?)plan["columns"]!["value"]);
        Assert.Equal("spend", (string?)plan["columns"]!["cost"]);
        Assert.Equal("user_id", (string?)plan["columns"]!["id"]);
        // No --id: the model's id column, kept in the campaign file.
        CliRunner.Ok("assign", "--model", f.P("drm-rev.json"), "--data", f.P("candidates-rev.csv"), "--budget", "1500",
            "--plan", f.P("plan-rev.json"), "--seed", "2", "--out", f.P("campaign-rev.csv"));
        Assert.StartsWith("user_id,group,score", File.ReadAllText(f.P("campaign-rev.csv")));
        CliRunner.Ok("simulate-outcomes", "--assignments", f.P("campaign-rev.csv"), "--truth", f.P("candidates-rev.csv"),
            "--value", "revenue", "--cost", "spend", "--out", f.P("outcomes-rev.csv"));
        Assert.StartsWith("user_id,revenue,spend", File.ReadAllText(f.P("outcomes-rev.csv")));

        string[] readout = ["readout", "--assignments", f.P("campaign-rev.csv"), "--outcomes", f.P("outcomes-rev.csv"), "--bootstrap", "100"];
        var fromPlan = CliRunner.Json([.. readout, "--plan", f.P("plan-rev.json")]);
        Assert.Equal("revenue", (string?)fromPlan["columns"]!["value"]);
        Assert.Equal("user_id", (string?)fromPlan["columns"]!["id"]);
        Assert.True((double)fromPlan["realised_cost"]! > 0);
        var fromModel = CliRunner.Json([.. readout, "--model", f.P("drm-rev.json")]);
        Assert.Equal((double)fromPlan["realised_cost"]!, (double)fromModel["realised_cost"]!);
        // Flags still win; with neither plan nor model the defaults 'value' and 'cost' are looked for and named.
        var (code, _, err) = CliRunner.Run(readout);
        Assert.Equal(2, code);
        Assert.Contains("'value'", err);
        var flags = CliRunner.Json([.. readout, "--value", "revenue", "--cost", "spend"]);
        Assert.Equal((double)fromPlan["realised_cost"]!, (double)flags["realised_cost"]!);
        (code, _, err) = CliRunner.Run([.. readout, "--plan", f.P("plan-rev.json"), "--value", "nope"]);
        Assert.Equal(2, code);
        Assert.Contains("'nope'", err);
    }

    [Fact]
    public void Missing_outcomes_message_names_the_flag_that_drops_them()
    {
        CliRunner.Ok("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--budget", "1500", "--seed", "4", "--out", f.P("c4.csv"));
        CliRunner.Ok("simulate-outcomes", "--assignments", f.P("c4.csv"), "--truth", f.P("candidates.csv"), "--out", f.P("o4.csv"));
        var lines = File.ReadAllLines(f.P("o4.csv"));
        File.WriteAllLines(f.P("o4-half.csv"), lines.Take(lines.Length / 2));
        var (code, _, err) = CliRunner.Run("readout", "--assignments", f.P("c4.csv"), "--outcomes", f.P("o4-half.csv"), "--bootstrap", "100");
        Assert.Equal(2, code);
        Assert.Contains("no outcome", err);
        Assert.Contains("--allow-missing", err);
        var j = CliRunner.Json("readout", "--assignments", f.P("c4.csv"), "--outcomes", f.P("o4-half.csv"), "--bootstrap", "100", "--allow-missing");
        Assert.True((int)j["dropped_without_outcome"]! > 0);
    }

    static readonly Regex Snake = new("^[a-z][a-z0-9_]*$");

    static void AssertSnakeCase(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    Assert.True(Snake.IsMatch(k), $"key '{k}' at {path} is not snake_case");
                    AssertSnakeCase(v, path + "." + k);
                }
                break;
            case JsonArray a:
                foreach (var v in a) AssertSnakeCase(v, path + "[]");
                break;
        }
    }

    [Fact]
    public void Json_keys_of_the_campaign_commands_are_snake_case()
    {
        string[] planArgs = ["plan", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--budget", "1500", "--out", f.P("plan-j.json")];
        AssertSnakeCase(CliRunner.Json(planArgs), "plan");
        AssertSnakeCase(JsonNode.Parse(File.ReadAllText(f.P("plan-j.json"))), "plan file");
        AssertSnakeCase(CliRunner.Json("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--budget", "1500",
            "--plan", f.P("plan-j.json"), "--out", f.P("cj.csv")), "assign");
        // Without --budget, assign takes the plan's: the same file.
        var noBudget = CliRunner.Json("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--plan", f.P("plan-j.json"), "--out", f.P("cj2.csv"));
        Assert.Equal(1500, (double)noBudget["budget"]!);
        Assert.Equal(File.ReadAllBytes(f.P("cj.csv")), File.ReadAllBytes(f.P("cj2.csv")));
        var neither = CliRunner.Run("assign", "--model", f.P("drm.json"), "--data", f.P("candidates.csv"), "--out", f.P("cj3.csv"));
        Assert.Equal(2, neither.ExitCode);
        Assert.Contains("--budget", neither.Err);
        AssertSnakeCase(CliRunner.Json("simulate-outcomes", "--assignments", f.P("cj.csv"), "--truth", f.P("candidates.csv"), "--out", f.P("oj.csv")), "simulate-outcomes");
        AssertSnakeCase(CliRunner.Json("readout", "--assignments", f.P("cj.csv"), "--outcomes", f.P("oj.csv"), "--plan", f.P("plan-j.json"),
            "--bootstrap", "100"), "readout");
    }
}
