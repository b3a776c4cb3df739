using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Uplift.Cli;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>
/// The general command-line contract (issue 9, item 4 and 5): short errors on standard error, no .NET type names,
/// case-insensitive names, no silently ignored option, treatment labels as exports write them, imputation counts,
/// snake_case JSON keys, and the tool's own name and version.
/// </summary>
[Collection("cli")]
public class CliContractTests : IDisposable
{
    readonly string _dir = CliRunner.TempDir();
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string P(string name) => Path.Combine(_dir, name);

    /// <summary>
    /// A small campaign: id, two numeric features (age may be blank), a text feature, T as 0/1, V, C. The value effect
    /// (about 1, some 4 standard errors of a 120-user test set) keeps the test set's incremental value positive whatever the split.
    /// </summary>
    string WriteCampaign(string name, int n = 600, int seed = 3, Func<int, string>? treatment = null, int blankAgeEvery = 0, bool emptyColumn = false)
    {
        treatment ??= t => t.ToString(CultureInfo.InvariantCulture);
        var rng = new Rng((ulong)seed);
        var sb = new StringBuilder("customer,arm,revenue,spend,age,tenure,country" + (emptyColumn ? ",score_2019" : "") + "\n");
        string[] countries = ["FR", "DE", "US"];
        for (int i = 0; i < n; i++)
        {
            double age = 40 + 10 * rng.NextNormal(), tenure = 100 * rng.NextDouble();
            string country = countries[rng.NextInt(3)];
            int t = rng.NextDouble() < 0.5 ? 1 : 0;
            double v = 5 + 0.1 * age + t * (1.0 + 0.03 * (age - 40)) + rng.NextNormal();
            double c = 1 + t * (1 + 0.01 * tenure) + 0.3 * rng.NextNormal();
            string ageText = blankAgeEvery > 0 && i % blankAgeEvery == 0 ? "" : age.ToString("0.#", CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"C{i:0000},{treatment(t)},{v:0.###},{c:0.###},{ageText},{tenure:0.#},{country}");
            sb.Append(emptyColumn ? ",\n" : "\n");
        }
        File.WriteAllText(P(name), sb.ToString());
        return P(name);
    }

    string[] Train(string data, string model, params string[] extra) =>
        ["train", "--data", data, "--treatment", "arm", "--value", "revenue", "--cost", "spend", "--id", "customer", "--out", model, .. extra];

    // ---- 1. errors: one or two lines on stderr, no help, nothing on stdout ----

    [Theory]
    [InlineData("train", "--bogus")]
    [InlineData("train", "--data", "x.csv")]                     // required options missing
    [InlineData("score", "--model", "m.json", "--json", "extra")] // stray argument
    [InlineData("trian")]                                          // unknown command
    [InlineData("simulate", "--rows", "many", "--json")]
    public void A_bad_command_line_is_one_message_and_a_pointer_to_help(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out); // no help, and with --json no half document
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.InRange(lines.Length, 1, 2);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Matches(@"^see 'uplift( [a-z-]+)? --help'$", lines[^1].TrimEnd('\r'));
        Assert.DoesNotContain("Usage:", r.Err);
    }

    [Fact]
    public void Errors_name_the_problem_in_the_users_terms()
    {
        var missing = CliRunner.Run("train", "--data", "x.csv");
        Assert.Contains("missing required options --model, --out, --treatment, --value, --cost", missing.Err);
        Assert.Contains("see 'uplift train --help'", missing.Err);
        var typo = CliRunner.Run("train", "--trese", "5");
        Assert.Contains("unknown option '--trese'", typo.Err);
        Assert.Contains("did you mean --trees?", typo.Err);
        var command = CliRunner.Run("trian");
        Assert.Contains("did you mean train?", command.Err);
        Assert.Contains("--rows expects a whole number, got 'x'", CliRunner.Run("simulate", "--rows", "x", "--out", P("s.csv")).Err);
        // A decimal comma or a thousands separator is never read as another number (the default parser reads 1,5 as 15).
        foreach (var bad in new[] { "1,5", "1,234.5", "1_000", "NaN", "Infinity", "0.5\0" })
        {
            var r = CliRunner.Run("simulate", "--noise", bad, "--out", P("s.csv"));
            Assert.Equal(1, r.ExitCode);
            Assert.Contains($"--noise expects a number", r.Err);
            Assert.False(File.Exists(P("s.csv")));
        }
        Assert.Contains("--rows expects a whole number up to 2147483647, got '99999999999'",
            CliRunner.Run("simulate", "--rows", "99999999999", "--out", P("s.csv")).Err);
        Assert.Contains("--rows expects a whole number, got '1,000'", CliRunner.Run("simulate", "--rows", "1,000", "--out", P("s.csv")).Err);
    }

    [Fact]
    public void A_user_error_with_json_leaves_stdout_empty()
    {
        var r = CliRunner.Run("train", "--data", P("nowhere.csv"), "--treatment", "t", "--value", "v", "--cost", "c",
            "--model", "drm", "--out", P("m.json"), "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Equal("see 'uplift train --help'", lines[1].TrimEnd());
    }

    // ---- 2. every typed option of every command, given a non-number: no .NET type name ----

    [Fact]
    public void Every_typed_option_of_every_command_rejects_a_non_number_without_a_type_name()
    {
        int runs = 0;
        foreach (var (path, command) in Commands(UpliftCli.Create(), []))
        {
            if (command.Action is null) continue;
            foreach (var option in command.Options)
            {
                var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
                if (type == typeof(string) || type == typeof(string[]) || option.Arity.MaximumNumberOfValues == 0) continue;
                var r = CliRunner.Run([.. path, option.Name, "x1"]);
                string what = $"uplift {string.Join(' ', path)} {option.Name} x1";
                Assert.True(r.ExitCode == 1, $"{what}: exit {r.ExitCode}, {r.Err}");
                Assert.DoesNotContain("System.", r.Err);
                Assert.Equal("", r.Out);
                if (type != typeof(bool)) Assert.Contains($"{option.Name} expects a", r.Err);
                runs++;
            }
        }
        Assert.True(runs >= 40, $"only {runs} typed options found");
    }

    static IEnumerable<(string[] Path, Command Command)> Commands(Command c, string[] path)
    {
        yield return (path, c);
        foreach (var sub in c.Subcommands)
            foreach (var x in Commands(sub, [.. path, sub.Name]))
                yield return x;
    }

    // ---- 3. names and values case-insensitive ----

    [Fact]
    public void Model_names_and_option_values_ignore_case()
    {
        string data = WriteCampaign("c.csv");
        var j = CliRunner.Json(Train(data, P("drm.json"), "--model", "DRM", "--objective", "Ratio", "--selection", "AUCC",
            "--steps", "30", "--restarts", "1"));
        Assert.Equal("drm", (string)j["model"]!);
        Assert.Matches("\"selection\":\\s*\"aucc\"", File.ReadAllText(P("drm.json")));
        var cmp = CliRunner.Json("compare", "--data", data, "--treatment", "arm", "--value", "revenue", "--cost", "spend",
            "--id", "customer", "--models", "Drm,TLearner", "--steps", "30", "--restarts", "1", "--base", "RIDGE", "--repeats", "1");
        Assert.Equal(["drm", "tlearner"], cmp["results"]!.AsArray().Select(x => (string)x!["model"]!));
        var sim = CliRunner.Json("simulate", "--scenario", "NonLinear", "--rows", "200", "--out", P("sim.csv"));
        Assert.Equal("nonlinear", (string)sim["scenario"]!);
        var curvy = CliRunner.Run("simulate", "--scenario", "curvy", "--rows", "200", "--out", P("sim2.csv"));
        Assert.Equal(2, curvy.ExitCode);
        Assert.Contains("option --scenario: 'curvy': use linear, nonlinear, varying-cost, observational, multiarm or confounded.", curvy.Err);
        Assert.Equal(Uplift.Models.Ranking.ModelSelection.ValidationObjective, Uplift.Models.Ranking.RankingNames.Selection.Parse("OBJECTIVE", "--selection"));
        var bad = CliRunner.Run(Train(data, P("x.json"), "--model", "drm", "--objective", "ratioo"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--objective", bad.Err);
        Assert.Contains("use ratio, softplus-ratio, smooth-abs-ratio or lagrangian", bad.Err);
        Assert.EndsWith("see 'uplift train --help'", bad.Err.TrimEnd());
    }

    // ---- 4. an option for another learner is an error ----

    static readonly Dictionary<string, string> Values = new()
    {
        ["--hidden"] = "8", ["--steps"] = "10", ["--restarts"] = "1", ["--selection"] = "aucc", ["--objective"] = "ratio",
        ["--learning-rate"] = "0.01", ["--l1"] = "0", ["--l2"] = "0", ["--lambda"] = "0.1", ["--top-fraction"] = "0.3",
        ["--budget-fraction"] = "0.5", ["--outcome"] = "value", ["--base"] = "ridge", ["--folds"] = "3",
        ["--propensity-model"] = "constant", ["--lambdas"] = "0.1,0.2", ["--preset"] = "paper", ["--trees"] = "10",
        ["--min-node-size"] = "5", ["--alpha"] = "0.1", ["--sample-fraction"] = "0.5", ["--mtry"] = "2", ["--forest-score"] = "ratio",
        ["--arm-loss"] = "joint", ["--arm-model"] = "heads", ["--ci-group-size"] = "1", ["--time-limit"] = "60",
    };

    [Fact]
    public void An_option_of_another_learner_is_an_error_naming_the_learners_it_applies_to()
    {
        var mapping = new LearnerOptions().Mapping.ToList();
        Assert.Equal(Values.Keys.Order(), mapping.Select(m => m.Option).Order()); // every learner option is covered here
        int refused = 0, accepted = 0;
        foreach (var (option, models) in mapping)
            foreach (var kind in Uplift.Models.LearnerCatalog.Names)
            {
                var r = CliRunner.Run(Train(P("nowhere.csv"), P("m.json"), "--model", kind, option, Values[option]));
                if (models.Contains(kind))
                {
                    // Passes the check and fails later, on the missing file.
                    Assert.DoesNotContain("applies to", r.Err);
                    Assert.Contains("nowhere.csv", r.Err);
                    accepted++;
                }
                else
                {
                    Assert.True(r.ExitCode == 2, $"{option} with {kind}: exit {r.ExitCode} {r.Err}");
                    Assert.Contains($"option {option}: applies to ", r.Err);
                    foreach (var m in models) Assert.Contains(m, r.Err);
                    Assert.Contains($"not to {kind}", r.Err);
                    refused++;
                }
            }
        Assert.True(refused > 60 && accepted > 20, $"{refused} refused, {accepted} accepted");

        // compare: an option is fine when it applies to at least one of the models.
        string[] cmp = ["compare", "--data", P("nowhere.csv"), "--treatment", "t", "--value", "v", "--cost", "c"];
        var none = CliRunner.Run([.. cmp, "--models", "drm,tlearner", "--trees", "10"]);
        Assert.Equal(2, none.ExitCode);
        Assert.Contains("option --trees: applies to causal-forest only, not to drm and tlearner", none.Err);
        Assert.DoesNotContain("applies to", CliRunner.Run([.. cmp, "--models", "drm,causal-forest", "--trees", "10"]).Err);
        var forest = CliRunner.Run(Train(P("nowhere.csv"), P("m.json"), "--model", "rlearner", "--propensity-model", "forest"));
        Assert.Equal(2, forest.ExitCode);
        Assert.Contains("forest applies to causal-forest only", forest.Err);
    }

    // ---- 5. treatment labels ----

    [Theory]
    [InlineData("yes", "no")]
    [InlineData("TRUE", "false")]
    [InlineData("t", "F")]
    [InlineData("treatment", "control")]
    [InlineData("Treated", "Control")]
    [InlineData("1.0", "0")]
    [InlineData(" 1 ", " 0 ")]
    public void Treatment_labels_of_exports_read_as_the_same_0_1_column(string treated, string control)
    {
        string plain = WriteCampaign("plain.csv", seed: 4);
        string labelled = WriteCampaign("labelled.csv", seed: 4, treatment: t => t == 1 ? treated : control);
        string[] opts = ["--model", "tlearner", "--base", "ridge"];
        var a = CliRunner.Json(Train(plain, P("a.json"), opts));
        var b = CliRunner.Json(Train(labelled, P("b.json"), opts));
        foreach (var key in new[] { "train_rows", "valid_rows", "test_rows", "valid_aucc", "test_aucc" })
            Assert.Equal(a[key]!.ToJsonString(), b[key]!.ToJsonString());
        // And evaluate reads the labels too: the same AUCC as on the 0/1 file.
        string[] ev = ["evaluate", "--treatment", "arm", "--value", "revenue", "--cost", "spend", "--score", "age", "--bootstrap", "0"];
        Assert.Equal(
            CliRunner.Json([.. ev, "--data", plain])["results"]![0]!["aucc"]!.ToJsonString(),
            CliRunner.Json([.. ev, "--data", labelled])["results"]![0]!["aucc"]!.ToJsonString());
    }

    [Fact]
    public void Treatment_labels_in_the_library()
    {
        var text = new Uplift.Data.RawTable("x.csv", 6, [Uplift.Data.RawColumn.Text("arm", ["yes", "NO", " Yes ", "no", "1", "0.0"])]);
        Assert.Equal([1, 0, 1, 0, 1, 0], Uplift.Data.Preprocessor.Treatment(text, "arm", [0, 1, 2, 3, 4, 5]));
        var labels = new Uplift.Data.RawTable("x.csv", 4, [Uplift.Data.RawColumn.Text("arm", ["B", "A", "a", "b"])]);
        Assert.Equal([0, 1, 1, 0], Uplift.Data.Preprocessor.Treatment(labels, "arm", [0, 1, 2, 3], control: "b"));
        var e = Assert.Throws<UpliftDataException>(() => Uplift.Data.Preprocessor.Treatment(labels, "arm", [0, 1, 2, 3]));
        Assert.Contains("'B' and 'A'", e.Message);
        // A numeric column with --control: the control value is 0, the other one 1 (here flipped).
        var nums = new Uplift.Data.RawTable("x.csv", 3, [Uplift.Data.RawColumn.Numeric("arm", [0, 1, 1])]);
        Assert.Equal([1, 0, 0], Uplift.Data.Preprocessor.Treatment(nums, "arm", [0, 1, 2], control: "1.0"));
        var missing = new Uplift.Data.RawTable("x.csv", 2, [Uplift.Data.RawColumn.Text("arm", ["yes", null])]);
        Assert.Contains("row 2", Assert.Throws<UpliftDataException>(() => Uplift.Data.Preprocessor.Treatment(missing, "arm", [0, 1])).Message);
    }

    [Fact]
    public void Two_unknown_labels_need_control_which_is_saved_with_the_model()
    {
        string plain = WriteCampaign("plain.csv", seed: 6);
        string data = WriteCampaign("offer.csv", seed: 6, treatment: t => t == 1 ? "offer" : "holdout");
        string[] opts = ["--model", "tlearner", "--base", "ridge"];
        var r = CliRunner.Run(Train(data, P("m.json"), opts));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'offer' and 'holdout'", r.Err);
        Assert.Contains("--control", r.Err);
        Assert.Contains("offer.csv", r.Err);
        Assert.False(File.Exists(P("m.json")));

        var a = CliRunner.Json(Train(plain, P("a.json"), opts));
        var b = CliRunner.Json(Train(data, P("m.json"), [.. opts, "--control", "HOLDOUT"]));
        Assert.Equal(a["test_aucc"]!.ToJsonString(), b["test_aucc"]!.ToJsonString());
        var file = Uplift.Persistence.ModelFile.Load(P("m.json"));
        Assert.Equal("HOLDOUT", file.Preprocessor.Roles.Control);
        Assert.Null(Uplift.Persistence.ModelFile.Load(P("a.json")).Preprocessor.Roles.Control);
        Assert.DoesNotContain("\"control\"", File.ReadAllText(P("a.json"))); // 0/1 model files are unchanged

        // report takes the control label from the model; a wrong label is named with the column's labels.
        CliRunner.Ok("report", "--data", data, "--model", P("m.json"), "--bootstrap", "10", "--out", P("r.html"));
        var wrong = CliRunner.Run(Train(data, P("w.json"), [.. opts, "--control", "placebo"]));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("'placebo'", wrong.Err);
        Assert.Contains("'offer', 'holdout'", wrong.Err);
        // A third label with --control is a second arm (METHOD.md section 10): here one user, too few to learn from.
        string three = WriteCampaign("three.csv", seed: 6, treatment: t => t == 1 ? "offer" : "holdout");
        var lines = File.ReadAllLines(three);
        lines[5] = lines[5].Replace(",offer,", ",promo,", StringComparison.Ordinal).Replace(",holdout,", ",promo,", StringComparison.Ordinal);
        File.WriteAllLines(three, lines);
        var t3 = CliRunner.Run(Train(three, P("t3.json"), [.. opts, "--control", "holdout"]));
        Assert.Equal(2, t3.ExitCode);
        Assert.Contains("too few rows", t3.Err);
        Assert.Contains("1 'promo'", t3.Err);
    }

    // ---- 6. missing feature values ----

    [Fact]
    public void Train_reports_imputed_values_per_column_and_refuses_an_all_missing_column()
    {
        string data = WriteCampaign("gaps.csv", blankAgeEvery: 7, emptyColumn: true);
        var r = CliRunner.Run(Train(data, P("m.json"), "--model", "tlearner", "--base", "ridge"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("column 'score_2019'", r.Err);
        Assert.Contains("entirely missing", r.Err);
        Assert.Contains("--exclude score_2019", r.Err);

        var j = CliRunner.Json(Train(data, P("m.json"), "--model", "tlearner", "--base", "ridge", "--exclude", "score_2019"));
        var imputed = j["imputed"]!.AsArray();
        var age = Assert.Single(imputed);
        Assert.Equal("age", (string)age!["column"]!);
        Assert.Equal(Enumerable.Range(0, 600).Count(i => i % 7 == 0), (int)age["count"]!);
        Assert.Equal(600, (int)age["rows"]!);
        string text = CliRunner.Ok(Train(data, P("m.json"), "--model", "tlearner", "--base", "ridge", "--exclude", "score_2019"));
        Assert.Contains($"imputed missing feature values: age {(int)age["count"]!} of 600 (training mean)", text);
    }

    // ---- 7. JSON keys in one style ----

    [Fact]
    public void Json_keys_are_snake_case_in_every_command()
    {
        string data = WriteCampaign("c.csv");
        var outputs = new List<JsonNode>
        {
            CliRunner.Json("simulate", "--rows", "300", "--out", P("sim.csv")),
            CliRunner.Json(Train(data, P("m.json"), "--model", "drm", "--steps", "20", "--restarts", "1")),
            CliRunner.Json("score", "--model", P("m.json"), "--data", data, "--out", P("s.csv")),
            CliRunner.Json("evaluate", "--data", data, "--treatment", "arm", "--value", "revenue", "--cost", "spend", "--score", "age", "--bootstrap", "5"),
            CliRunner.Json("report", "--data", data, "--model", P("m.json"), "--bootstrap", "5", "--out", P("r.html")),
            CliRunner.Json("compare", "--data", data, "--treatment", "arm", "--value", "revenue", "--cost", "spend", "--id", "customer",
                "--models", "tlearner", "--base", "ridge", "--repeats", "1"),
        };
        Assert.True(outputs[2]["rows_per_second"] is not null);
        foreach (var o in outputs)
            foreach (var key in Keys(o))
                Assert.Matches("^[a-z][a-z0-9_]*$", key);
    }

    static IEnumerable<string> Keys(JsonNode? n)
    {
        if (n is JsonObject o)
            foreach (var (k, v) in o)
            {
                yield return k;
                foreach (var x in Keys(v)) yield return x;
            }
        else if (n is JsonArray a)
            foreach (var v in a)
                foreach (var x in Keys(v))
                    yield return x;
    }

    // ---- 8. identity ----

    [Fact]
    public void Help_and_version_say_uplift_also_in_process()
    {
        var help = CliRunner.Run("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Matches(@"Usage:\s+uplift \[command\] \[options\]", help.Out);
        Assert.DoesNotContain("Uplift.Cli", help.Out);
        Assert.DoesNotContain("testhost", help.Out);
        var train = CliRunner.Run("train", "--help");
        Assert.Equal(0, train.ExitCode);
        Assert.Matches(@"Usage:\s+uplift train \[options\]", train.Out);
        Assert.Contains("--control", train.Out);
        var version = CliRunner.Run("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Out.Trim());
        Assert.Equal(UpliftCli.Version, version.Out.Trim());
        Assert.StartsWith(typeof(UpliftCli).Assembly.GetName().Version!.ToString(3), version.Out.Trim());
    }

    [Fact]
    public void Expected_value_words_cover_every_option_type()
    {
        Assert.Equal("a whole number", CommandLineErrors.Expected(typeof(int?)));
        Assert.Equal("a number", CommandLineErrors.Expected(typeof(double)));
        Assert.Equal("true or false", CommandLineErrors.Expected(typeof(bool)));
        Assert.Equal("one of ascending, descending", CommandLineErrors.Expected(typeof(SortDirection)));
        Assert.DoesNotMatch(new Regex("System"), CommandLineErrors.Expected(typeof(Guid)));
    }

    enum SortDirection { Ascending, Descending }
}
