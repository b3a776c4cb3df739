using System.Text.Json.Nodes;
using Uplift.Data;
using Xunit;
using static Uplift.Tests.Data.DataTestUtil;

namespace Uplift.Tests.Data;

public class PreprocessorTests
{
    static RawTable Table(string src, int rows, params RawColumn[] cols) => new(src, rows, cols);

    /// <summary>n rows: t alternating, v = i, c = 1, plus the given feature columns.</summary>
    static RawTable WithFeatures(int n, params RawColumn[] features) => Table("camp.csv", n,
    [
        RawColumn.Numeric("t", Enumerable.Range(0, n).Select(i => (double)(i % 2)).ToArray()),
        RawColumn.Numeric("v", Enumerable.Range(0, n).Select(i => (double)i).ToArray()),
        RawColumn.Numeric("c", Enumerable.Repeat(1.0, n).ToArray()),
        .. features,
    ]);

    static readonly PreprocessOptions Small = new() { MinRowsPerArm = 1 };

    [Fact]
    public void Zscore_is_fitted_on_training_rows_only()
    {
        // train rows 0..3 have x = 1, 2, 3, 4 (mean 2.5, population sd sqrt(1.25)); test rows have x = 100, 200
        var t = WithFeatures(6, RawColumn.Numeric("x", [1, 2, 3, 4, 100, 200]));
        var pre = Preprocessor.Fit(t, Roles, [0, 1, 2, 3], Small);
        var spec = Assert.Single(pre.Specs);
        Assert.Equal(2.5, spec.Mean, 12);
        Assert.Equal(Math.Sqrt(1.25), spec.Sd, 12);
        var test = pre.Transform(t, [4, 5]);
        Assert.Equal((float)((100 - 2.5) / Math.Sqrt(1.25)), test.X[0]);
        Assert.Equal((float)((200 - 2.5) / Math.Sqrt(1.25)), test.X[1]);
        Assert.Equal([4.0, 5.0], test.V);
        Assert.Equal(["x"], pre.FeatureNames);
    }

    [Fact]
    public void Constant_feature_becomes_zero()
    {
        var t = WithFeatures(4, RawColumn.Numeric("k", [7, 7, 7, 9]));
        var pre = Preprocessor.Fit(t, Roles, [0, 1, 2], Small);
        Assert.Equal(1.0, pre.Specs[0].Sd);
        var d = pre.Transform(t);
        Assert.Equal([0f, 0f, 0f, 2f], d.X);
    }

    [Fact]
    public void One_hot_with_sorted_vocabulary_and_unseen_category_all_zero()
    {
        var t = WithFeatures(5, RawColumn.Text("country", ["FR", "DE", "FR", "ES", "IT"]), RawColumn.Numeric("age", [1, 2, 3, 4, 5]));
        var pre = Preprocessor.Fit(t, Roles, [0, 1, 2, 3], Small);
        Assert.Equal(["country=DE", "country=ES", "country=FR", "age"], pre.FeatureNames);
        var d = pre.Transform(t);
        Assert.Equal(4, d.Features);
        Assert.Equal([0f, 0f, 1f], d.Row(0)[..3].ToArray());
        Assert.Equal([1f, 0f, 0f], d.Row(1)[..3].ToArray());
        Assert.Equal([0f, 1f, 0f], d.Row(3)[..3].ToArray());
        Assert.Equal([0f, 0f, 0f], d.Row(4)[..3].ToArray()); // IT never seen in training
    }

    [Fact]
    public void Missing_text_is_all_zero()
    {
        var t = WithFeatures(3, RawColumn.Text("g", ["a", null, "b"]));
        var d = Preprocessor.Fit(t, Roles, Range(3), Small).Transform(t);
        Assert.Equal([1f, 0f, 0f, 0f, 0f, 1f], d.X);
    }

    [Fact]
    public void Capped_vocabulary_keeps_most_frequent_and_has_other_bucket()
    {
        var t = WithFeatures(8, RawColumn.Text("g", ["a", "a", "a", "b", "b", "c", "d", "zz"]));
        var pre = Preprocessor.Fit(t, Roles, Range(7), Small with { MaxCategories = 2 });
        Assert.Equal(["g=a", "g=b", "g=(other)"], pre.FeatureNames);
        var d = pre.Transform(t);
        Assert.Equal([0f, 0f, 1f], d.Row(5).ToArray()); // c: rare in training
        Assert.Equal([0f, 0f, 1f], d.Row(7).ToArray()); // zz: unseen, goes to other when capped
        Assert.Equal([1f, 0f, 0f], d.Row(0).ToArray());
    }

    [Fact]
    public void Too_many_distinct_text_values_suggests_features_option()
    {
        int n = 60;
        var t = WithFeatures(n, RawColumn.Text("user", Enumerable.Range(0, n).Select(i => "u" + i).ToArray()));
        Throws(() => Preprocessor.Fit(t, Roles, Range(n), Small with { MaxDistinctCategories = 50 }),
            "camp.csv", "column 'user'", "more than 50 distinct", "--features");
    }

    [Fact]
    public void Missing_numeric_is_imputed_with_training_mean_by_default()
    {
        Assert.Equal(MissingNumericPolicy.ImputeMean, PreprocessOptions.DefaultMissingNumeric);
        var t = WithFeatures(4, RawColumn.Numeric("x", [1, double.NaN, 3, double.NaN]));
        var pre = Preprocessor.Fit(t, Roles, [0, 1, 2], Small);
        Assert.Equal(2.0, pre.Specs[0].Mean); // missing values are left out of the statistics
        var d = pre.Transform(t);
        Assert.Equal(0f, d.X[1]);
        Assert.Equal(0f, d.X[3]);
        Assert.Equal(-1f, d.X[0]);
    }

    [Fact]
    public void Missing_numeric_error_policy_names_row_and_column()
    {
        var t = WithFeatures(4, RawColumn.Numeric("x", [1, 2, 3, double.NaN]));
        var opts = Small with { MissingNumeric = MissingNumericPolicy.Error };
        var pre = Preprocessor.Fit(t, Roles, [0, 1, 2], opts);
        Throws(() => pre.Transform(t), "camp.csv", "row 4", "column 'x'", "missing");
        Throws(() => Preprocessor.Fit(t, Roles, Range(4), opts), "camp.csv", "row 4", "column 'x'", "missing");
    }

    [Fact]
    public void Text_in_a_numeric_feature_of_the_model_names_row_and_column()
    {
        var train = WithFeatures(4, RawColumn.Numeric("spend", [1, 2, 3, 4]));
        var pre = Preprocessor.Fit(train, Roles, Range(4), Small);
        var score = Table("score.csv", 3, RawColumn.Text("spend", ["1.5", null, "abc"]));
        Throws(() => pre.Transform(score, requireOutcomes: false), "score.csv", "row 3", "column 'spend'", "'abc' is not a number");
    }

    [Fact]
    public void Infinite_feature_is_an_error()
    {
        var t = WithFeatures(3, RawColumn.Numeric("x", [1, double.PositiveInfinity, 2]));
        Throws(() => Preprocessor.Fit(t, Roles, Range(3), Small), "row 2", "column 'x'", "not finite");
    }

    [Fact]
    public void A_feature_value_beyond_the_model_file_bound_is_an_error_and_the_bound_itself_loads()
    {
        var big = WithFeatures(3, RawColumn.Numeric("x", [1, 1e200, 2]));
        Throws(() => Preprocessor.Fit(big, Roles, Range(3), Small), "row 2", "column 'x'", "beyond ±1e30", "rescale");
        var edge = WithFeatures(3, RawColumn.Numeric("x", [-1e30, 1e30, 0]));
        var pre = Preprocessor.Fit(edge, Roles, Range(3), Small);
        var back = Preprocessor.FromJson(pre.ToJson()); // within the loader's bounds
        Assert.Equal(pre.Specs.Single(s => s.Column == "x").Sd, back.Specs.Single(s => s.Column == "x").Sd);
    }

    [Theory]
    [InlineData("t", "abc", "treatment must be 0/1, true/false, yes/no, t/f, treatment/control or treated/control")]
    [InlineData("v", "abc", "'abc' is not a number")]
    [InlineData("c", "abc", "'abc' is not a number")]
    [InlineData("t", "", "missing treatment")]
    [InlineData("v", "", "missing value")]
    [InlineData("c", "NaN", "missing cost")]
    [InlineData("v", "Infinity", "not a finite number")]
    [InlineData("c", "-inf", "not a finite number")]
    [InlineData("t", "0.5", "got '0.5'")]
    [InlineData("t", "maybe", "got 'maybe'")]
    public void Bad_outcome_values_name_file_row_and_column(string column, string bad, string expected)
    {
        using var dir = new TempDir();
        var lines = CampaignCsv(60).Split('\n');
        var cells = lines[17].Split(','); // data row 17
        cells[Array.IndexOf(lines[0].Split(','), column)] = bad;
        lines[17] = string.Join(',', cells);
        var path = dir.File("data.csv", string.Join('\n', lines));
        // (the reader itself refuses an infinity, naming the same row and column; the preprocessor the other cases)
        var e = Throws(() => Preprocessor.Fit(TableReader.Read(path), Roles, Range(60)), "data.csv", "row 17", $"column '{column}'", expected);
        Assert.Equal(17, e.Row);
        Assert.Equal(column, e.Column);
        Throws(() => CampaignData.Load(path, Roles), "data.csv", "row 17", $"column '{column}'", expected);
    }

    [Fact]
    public void One_arm_empty_is_an_error()
    {
        var t = Table("arm.csv", 20,
            RawColumn.Numeric("t", new double[20]), RawColumn.Numeric("v", new double[20]), RawColumn.Numeric("c", new double[20]),
            RawColumn.Numeric("x", new double[20]));
        Throws(() => Preprocessor.Fit(t, Roles, Range(20)), "arm.csv", "no treated rows");
        Throws(() => CampaignData.FromTable(t, Roles), "arm.csv", "no treated rows");
        var ones = Table("arm1.csv", 20,
            RawColumn.Numeric("t", Enumerable.Repeat(1.0, 20).ToArray()), RawColumn.Numeric("v", new double[20]),
            RawColumn.Numeric("c", new double[20]), RawColumn.Numeric("x", new double[20]));
        Throws(() => Preprocessor.Fit(ones, Roles, Range(20)), "arm1.csv", "no control rows");
    }

    [Fact]
    public void Too_few_rows_per_arm_says_how_many_are_needed()
    {
        var t = WithFeatures(12, RawColumn.Numeric("x", new double[12]));
        Throws(() => Preprocessor.Fit(t, Roles, Range(12)), "camp.csv", "6 treated and 6 control", "at least 10 per arm");
        Assert.NotNull(Preprocessor.Fit(t, Roles, Range(12), new PreprocessOptions { MinRowsPerArm = 6 }));
    }

    [Fact]
    public void Propensity_and_weight_are_range_checked_and_carried()
    {
        var roles = Roles with { Propensity = "p", Weight = "w", Features = ["x"] };
        var t = WithFeatures(3, RawColumn.Numeric("x", [1, 2, 3]), RawColumn.Numeric("p", [0.5, 0.2, 1]), RawColumn.Numeric("w", [1, 0, 2]));
        Throws(() => Preprocessor.Fit(t, roles, Range(3), Small), "row 3", "column 'p'", "strictly between 0 and 1");
        var d = Preprocessor.Fit(t, roles, [0, 1], Small).Transform(t, [0, 1]);
        Assert.Equal([0.5, 0.2], d.Propensity!);
        Assert.Equal([1.0, 0], d.Weight!);
        var tw = WithFeatures(3, RawColumn.Numeric("x", [1, 2, 3]), RawColumn.Numeric("p", [0.5, 0.5, 0.5]), RawColumn.Numeric("w", [1, -1, 2]));
        Throws(() => Preprocessor.Fit(tw, roles, Range(3), Small), "row 2", "column 'w'", "weight must be >= 0");
    }

    [Fact]
    public void Scoring_data_without_outcomes_and_missing_feature_columns()
    {
        var train = WithFeatures(4, RawColumn.Numeric("age", [1, 2, 3, 4]), RawColumn.Text("country", ["a", "b", "a", "b"]));
        var pre = Preprocessor.Fit(train, Roles, Range(4), Small);
        var score = Table("new.csv", 2, RawColumn.Text("country", ["b", "a"]), RawColumn.Numeric("age", [2.5, 4]));
        var d = pre.Transform(score, requireOutcomes: false);
        Assert.False(d.HasOutcomes);
        Assert.Equal(2, d.Rows);
        Assert.Equal(0f, d.X[0]);
        Assert.Equal([0f, 1f], d.Row(0)[1..].ToArray());
        var bad = Table("new.csv", 1, RawColumn.Numeric("x", [1]));
        Throws(() => pre.Transform(bad, requireOutcomes: false),
            "new.csv", "data does not match the model: missing column(s) 'age', 'country'");
        Throws(() => pre.Transform(score, requireOutcomes: true), "missing column(s) 't', 'v', 'c'");
    }

    [Fact]
    public void Ids_keep_their_original_text()
    {
        using var dir = new TempDir();
        var path = dir.File("ids.csv", CampaignCsv(40, i => i == 0 ? "007" : (1000 + i).ToString(), "uid"));
        var data = CampaignData.Load(path, Roles with { Id = "uid" }, new CampaignLoadOptions { Preprocess = Small });
        var all = data.All();
        Assert.Equal("007", all.Ids![0]);
        Assert.Equal("1001", all.Ids![1]);
        Assert.DoesNotContain("uid", data.Preprocessor.FeatureNames);
        // a numeric id column read without the text option still prints integers without ".0"
        var table = TableReader.Read(path);
        var d = Preprocessor.Fit(table, Roles with { Id = "uid" }, Range(40), Small).Transform(table);
        Assert.Equal("7", d.Ids![0]);
        Assert.Equal("1039", d.Ids![39]);
    }

    [Fact]
    public void Json_round_trip_gives_the_same_transform()
    {
        var t = WithFeatures(8, RawColumn.Numeric("x", [1, 2, double.NaN, 4, 5, 6, 7, 0.1]),
            RawColumn.Text("g", ["a", "a", "b", "c", null, "é,\"q\"", "a", "b"]));
        var pre = Preprocessor.Fit(t, Roles with { Id = null }, Range(6), Small with { MaxCategories = 2, MissingNumeric = MissingNumericPolicy.ImputeMean });
        string json = pre.ToJson().ToJsonString();
        var back = Preprocessor.FromJson(JsonNode.Parse(json)!.AsObject());
        Assert.Equal(json, back.ToJson().ToJsonString());
        Assert.Equal(pre.FeatureNames, back.FeatureNames);
        Assert.Equal(pre.Specs[0].Mean, back.Specs[0].Mean); // doubles round-trip exactly
        Assert.Equal(pre.Specs[0].Sd, back.Specs[0].Sd);
        Assert.Equal(pre.Roles.Features, back.Roles.Features);
        Assert.Equal(pre.Transform(t).X, back.Transform(t).X);

        var err = Preprocessor.Fit(t, Roles, Range(2), Small with { MissingNumeric = MissingNumericPolicy.Error });
        Assert.Equal(MissingNumericPolicy.Error, Preprocessor.FromJson(err.ToJson()).MissingNumeric);
    }

    [Fact]
    public void Malformed_json_is_a_clear_error()
    {
        var t = WithFeatures(4, RawColumn.Numeric("x", [1, 2, 3, 4]));
        var json = Preprocessor.Fit(t, Roles, Range(4), Small).ToJson();
        json["featureNames"] = new JsonArray("other");
        Assert.Contains("invalid preprocessor", Assert.ThrowsAny<UpliftException>(() => Preprocessor.FromJson(json)).Message);
        Assert.Contains("invalid preprocessor", Assert.ThrowsAny<UpliftException>(() => Preprocessor.FromJson(new JsonObject { ["kind"] = "x" })).Message);
        var noRoles = Preprocessor.Fit(t, Roles, Range(4), Small).ToJson();
        noRoles.Remove("roles");
        Assert.Contains("invalid preprocessor", Assert.ThrowsAny<UpliftException>(() => Preprocessor.FromJson(noRoles)).Message);
    }

    [Fact]
    public void Options_are_range_checked()
    {
        var t = WithFeatures(4, RawColumn.Numeric("x", [1, 2, 3, 4]));
        Assert.Contains("MinRowsPerArm", Assert.Throws<UpliftOptionException>(() => Preprocessor.Fit(t, Roles, Range(4), new PreprocessOptions { MinRowsPerArm = 0 })).Message);
        Assert.Contains("MaxCategories", Assert.Throws<UpliftOptionException>(() => Preprocessor.Fit(t, Roles, Range(4), new PreprocessOptions { MaxCategories = 0 })).Message);
    }
}
