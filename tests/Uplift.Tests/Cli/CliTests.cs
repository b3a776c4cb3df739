using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>
/// The command-line contract scripts rely on, on a CSV the project did not write (its own column names,
/// a text column, an id column, a free-text column to exclude).
/// </summary>
[Collection("cli")]
public class CliTests : IDisposable
{
    readonly string _dir = CliRunner.TempDir();
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A campaign in a shape a growth team might export: tau_v grows with age and for US users.</summary>
    string WriteCampaign(int n = 3000, int seed = 5)
    {
        var rng = new Rng((ulong)seed);
        var sb = new StringBuilder("customer,got_coupon,revenue,spend,age,country,tenure_days,notes\n");
        string[] countries = ["FR", "DE", "US", "ES"];
        for (int i = 0; i < n; i++)
        {
            double age = 40 + 12 * rng.NextNormal();
            double tenure = 300 * -Math.Log(1 - rng.NextDouble());
            string country = countries[rng.NextInt(4)];
            int t = rng.NextDouble() < 0.5 ? 1 : 0;
            double tauV = 0.5 + 0.04 * (age - 40) + (country == "US" ? 0.8 : 0);
            double v = 10 + 0.1 * age + tauV * t + rng.NextNormal();
            double c = 2 + t * (1 + 0.0005 * tenure) + 0.5 * rng.NextNormal();
            sb.Append(CultureInfo.InvariantCulture, $"C{i:00000},{t},{v:0.###},{c:0.###},{age:0.#},{country},{tenure:0},\"free text, {i}\"\n");
        }
        string path = Path.Combine(_dir, "campaign.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public void Train_score_evaluate_on_a_foreign_csv_with_user_column_names()
    {
        string data = WriteCampaign();
        string model = Path.Combine(_dir, "m.json");
        var train = CliRunner.Run("train", "--data", data, "--treatment", "got_coupon", "--value", "revenue", "--cost", "spend",
            "--id", "customer", "--exclude", "notes", "--model", "drm", "--steps", "300", "--restarts", "1", "--out", model, "--json");
        Assert.True(train.ExitCode == 0, train.Err);
        var json = JsonNode.Parse(train.Out)!;
        double testAucc = (double)json["test_aucc"]!;
        Assert.InRange(testAucc, 0.0, 1.0);
        Assert.Equal(6, (int)json["features"]!); // age, country one-hot (4 columns), tenure_days
        Assert.True(File.Exists(model));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        string scores = Path.Combine(_dir, "scores.csv");
        var score = CliRunner.Run("score", "--model", model, "--data", data, "--out", scores);
        Assert.True(score.ExitCode == 0, score.Err);
        var lines = File.ReadAllLines(scores);
        Assert.Equal("customer,score", lines[0]);
        Assert.Equal(3001, lines.Length);
        Assert.StartsWith("C00000,", lines[1]);
        Assert.StartsWith("C02999,", lines[^1]);

        // Evaluate the score column next to the outcomes, with --json holding the AUCC.
        var rows = File.ReadAllLines(data);
        var joined = new StringBuilder("got_coupon,revenue,spend,score\n");
        for (int i = 1; i < rows.Length; i++)
        {
            var f = rows[i].Split(',');
            joined.Append(f[1]).Append(',').Append(f[2]).Append(',').Append(f[3]).Append(',').Append(lines[i].Split(',')[1]).Append('\n');
        }
        string eval = Path.Combine(_dir, "eval.csv");
        File.WriteAllText(eval, joined.ToString());
        string plot = Path.Combine(_dir, "curves.svg");
        var ev = CliRunner.Run("evaluate", "--data", eval, "--treatment", "got_coupon", "--value", "revenue", "--cost", "spend",
            "--score", "score", "--bootstrap", "50", "--plot", plot, "--json");
        Assert.True(ev.ExitCode == 0, ev.Err);
        var res = JsonNode.Parse(ev.Out)!["results"]![0]!;
        Assert.Equal("score", (string)res["name"]!);
        Assert.InRange((double)res["aucc"]!, 0.55, 1.0); // the model ranks better than random on this campaign
        Assert.True((double)res["aucc_ci_low"]! <= (double)res["aucc"]!);
        Assert.Contains("<svg", File.ReadAllText(plot));
    }

    [Theory]
    [InlineData("crm")]
    [InlineData("rlearner")]
    [InlineData("duality-rlearner")]
    [InlineData("tlearner")]
    [InlineData("causal-forest")]
    public void Every_model_kind_trains_saves_and_scores(string kind)
    {
        string data = WriteCampaign(1500);
        string model = Path.Combine(_dir, kind + ".json");
        // Fast settings, each only for the learners it applies to (another learner's option is an error).
        string[] fast = kind switch
        {
            "crm" => ["--steps", "100", "--restarts", "1"],
            "causal-forest" => ["--trees", "20"],
            _ => [],
        };
        var train = CliRunner.Run(["train", "--data", data, "--treatment", "got_coupon", "--value", "revenue", "--cost", "spend",
            "--id", "customer", "--exclude", "notes", "--model", kind, .. fast, "--out", model, "--json"]);
        Assert.True(train.ExitCode == 0, train.Err);
        Assert.Equal(kind, (string)JsonNode.Parse(train.Out)!["model"]!);
        string scores = Path.Combine(_dir, kind + ".parquet");
        var score = CliRunner.Run("score", "--model", model, "--data", data, "--out", scores);
        Assert.True(score.ExitCode == 0, score.Err);
        var table = Uplift.Data.TableReader.Read(scores);
        Assert.Equal(1500, table.Rows);
        Assert.Equal(["customer", "score"], table.ColumnNames);
    }

    [Fact]
    public void Missing_column_is_a_clear_error_with_exit_code_2()
    {
        string data = WriteCampaign(200);
        var r = CliRunner.Run("train", "--data", data, "--treatment", "treated", "--value", "revenue", "--cost", "spend",
            "--model", "drm", "--out", Path.Combine(_dir, "m.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("treated", r.Err);
        Assert.Contains("campaign.csv", r.Err);
        Assert.DoesNotContain("   at ", r.Err); // no stack trace
    }

    [Fact]
    public void Scoring_data_without_the_model_columns_is_a_clear_error()
    {
        string data = WriteCampaign(600);
        string model = Path.Combine(_dir, "m.json");
        Assert.Equal(0, CliRunner.Run("train", "--data", data, "--treatment", "got_coupon", "--value", "revenue", "--cost", "spend",
            "--features", "age,country", "--model", "drm", "--steps", "50", "--restarts", "1", "--out", model).ExitCode);
        string other = Path.Combine(_dir, "other.csv");
        File.WriteAllText(other, "customer,age\nA,30\nB,40\n");
        var r = CliRunner.Run("score", "--model", model, "--data", other, "--out", Path.Combine(_dir, "s.csv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("country", r.Err);
        Assert.False(File.Exists(Path.Combine(_dir, "s.csv")));
    }

    [Fact]
    public void Selection_flag_reaches_the_model_and_a_bad_value_is_a_clear_error()
    {
        string data = WriteCampaign(600);
        string model = Path.Combine(_dir, "sel.json");
        string[] common = ["train", "--data", data, "--treatment", "got_coupon", "--value", "revenue", "--cost", "spend",
            "--features", "age,country", "--model", "crm", "--steps", "40", "--restarts", "1", "--out", model];
        Assert.Equal(0, CliRunner.Run([.. common, "--selection", "objective"]).ExitCode);
        Assert.Matches("\"selection\":\\s*\"objective\"", File.ReadAllText(model));
        var r = CliRunner.Run([.. common, "--selection", "best"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--selection", r.Err);
    }

    [Fact]
    public void A_damaged_model_file_is_a_clear_error()
    {
        string model = Path.Combine(_dir, "bad.json");
        File.WriteAllText(model, "{\"format\": \"uplift-model\", \"formatVersion\": 1, \"kind\": \"dr");
        var r = CliRunner.Run("score", "--model", model, "--data", WriteCampaign(50), "--out", Path.Combine(_dir, "s.csv"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("bad.json", r.Err);
    }

    [Fact]
    public void Unknown_model_and_bad_options_fail_before_reading_data()
    {
        var r = CliRunner.Run("train", "--data", "nowhere.csv", "--treatment", "t", "--value", "v", "--cost", "c",
            "--model", "xgboost", "--out", Path.Combine(_dir, "m.json"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("xgboost", r.Err);
        var s = CliRunner.Run("train", "--data", "nowhere.csv", "--treatment", "t", "--value", "v", "--cost", "c",
            "--model", "drm", "--hidden", "64,x", "--out", Path.Combine(_dir, "m.json"));
        Assert.Equal(2, s.ExitCode);
        Assert.Contains("--hidden", s.Err);
    }

    [Fact]
    public void Simulate_writes_the_truth_columns()
    {
        string path = Path.Combine(_dir, "sim.csv");
        var r = CliRunner.Run("simulate", "--scenario", "varying-cost", "--rows", "500", "--seed", "3", "--out", path, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var table = Uplift.Data.TableReader.Read(path);
        Assert.Equal(500, table.Rows);
        foreach (var col in new[] { "user_id", "treatment", "value", "cost", "tau_v", "tau_c", "propensity", "oracle_score" })
            Assert.True(table.Contains(col), col);
        Assert.Equal(500, (int)JsonNode.Parse(r.Out)!["rows"]!);
    }

    [Fact]
    public void Compare_reports_every_model_over_repeats()
    {
        string data = WriteCampaign(2000);
        string plot = Path.Combine(_dir, "cmp.svg");
        var r = CliRunner.Run("compare", "--data", data, "--treatment", "got_coupon", "--value", "revenue", "--cost", "spend",
            "--id", "customer", "--exclude", "notes", "--models", "drm,rlearner", "--steps", "100", "--restarts", "1",
            "--repeats", "2", "--plot", plot, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        var results = JsonNode.Parse(r.Out)!["results"]!.AsArray();
        Assert.Equal(["drm", "rlearner"], results.Select(x => (string)x!["model"]!));
        foreach (var x in results)
        {
            var auccs = x!["test_aucc"]!.AsArray().Select(a => (double)a!).ToArray();
            Assert.Equal(2, auccs.Length);
            Assert.Equal(auccs.Average(), (double)x["test_aucc_mean"]!, 12);
        }
        Assert.True(File.Exists(plot));
    }

    [Fact]
    public void Help_lists_every_command()
    {
        var r = CliRunner.Run("--help");
        Assert.Equal(0, r.ExitCode);
        foreach (var c in new[] { "demo", "simulate", "train", "score", "evaluate", "compare" })
            Assert.Contains(c, r.Out);
    }
}
