using System.Text.Json.Nodes;
using Uplift.Data;
using Xunit;
using static Uplift.Tests.Data.DataTestUtil;

namespace Uplift.Tests.Data;

/// <summary>Treatment columns with several arms (METHOD.md section 10): labels, errors, the model file, the split.</summary>
public class TreatmentArmsTests
{
    static readonly PreprocessOptions Small = new() { MinRowsPerArm = 1 };

    /// <summary>n rows whose treatment is <paramref name="label"/>(i), v = i, c = 1, x = i % 7.</summary>
    static RawTable Campaign(int n, Func<int, string> label, string src = "offers.csv") => new(src, n,
    [
        RawColumn.Text("t", Enumerable.Range(0, n).Select(label).ToArray()),
        RawColumn.Numeric("v", Enumerable.Range(0, n).Select(i => (double)i).ToArray()),
        RawColumn.Numeric("c", Enumerable.Repeat(1.0, n).ToArray()),
        RawColumn.Numeric("x", Enumerable.Range(0, n).Select(i => (double)(i % 7)).ToArray()),
    ]);

    static RawTable Numeric(int n, Func<int, double> t) => new("nums.csv", n,
    [
        RawColumn.Numeric("t", Enumerable.Range(0, n).Select(t).ToArray()),
        RawColumn.Numeric("v", Enumerable.Range(0, n).Select(i => (double)i).ToArray()),
        RawColumn.Numeric("c", Enumerable.Repeat(1.0, n).ToArray()),
        RawColumn.Numeric("x", Enumerable.Range(0, n).Select(i => (double)(i % 7)).ToArray()),
    ]);

    static readonly string[] Offers = ["none", "Small", "medium", "LARGE", "small", "None", "Large"];
    static readonly ColumnRoles WithControl = Roles with { Control = "NONE" };

    [Fact]
    public void Three_string_labels_with_control_are_three_arms_sorted_case_insensitively()
    {
        var table = Campaign(70, i => Offers[i % Offers.Length]);
        var pre = Preprocessor.Fit(table, WithControl, Range(70), Small);
        Assert.Equal(["LARGE", "medium", "Small"], pre.ArmLabels); // ordinal case-insensitive, first spelling kept
        Assert.Equal("NONE", pre.ControlLabel);
        Assert.Equal(3, pre.Arms);
        Assert.Equal([0, 3, 2, 1, -1], new[] { "none", " small ", "Medium", "large", "huge" }.Select(pre.Labels.IndexOf));
        var d = pre.Transform(table);
        Assert.Equal(3, d.Arms);
        byte[] expected = [0, 3, 2, 1, 3, 0, 1];
        Assert.All(Enumerable.Range(0, 70), i => Assert.Equal(expected[i % 7], d.T[i]));
        Assert.Equal([20, 20, 10, 20], d.ArmCounts());
        Assert.Equal(50, d.TreatedCount);
        // a subset that lacks an arm keeps K
        var noMedium = Enumerable.Range(0, 70).Where(i => i % 7 != 2).ToArray();
        Assert.Equal(3, pre.Transform(table, noMedium).Arms);
        Assert.Equal(3, pre.Transform(table, noMedium, requireOutcomes: false).Arms);
    }

    [Fact]
    public void Numbers_0_to_3_without_control_are_control_and_arms_1_to_3()
    {
        var table = Numeric(40, i => i % 4);
        var pre = Preprocessor.Fit(table, Roles, Range(40), Small);
        Assert.Equal(["1", "2", "3"], pre.ArmLabels);
        Assert.Equal("0", pre.ControlLabel);
        var d = pre.Transform(table);
        Assert.Equal(Enumerable.Range(0, 40).Select(i => (byte)(i % 4)), d.T);
        Assert.Equal(3, d.Arms);
        // the same numbers as text, in other spellings
        var text = Campaign(40, i => new[] { "0", "1.0", " 2 ", "3e0" }[i % 4]);
        Assert.Equal(d.T, Preprocessor.Fit(text, Roles, Range(40), Small).Transform(text).T);
        // with --control the other numbers are sorted numerically
        var tens = Numeric(30, i => new[] { 0.0, 10, 2 }[i % 3]);
        var pc = Preprocessor.Fit(tens, Roles with { Control = "0" }, Range(30), Small);
        Assert.Equal(["2", "10"], pc.ArmLabels);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (byte)new[] { 0, 2, 1 }[i % 3]), pc.Transform(tens).T);
    }

    [Fact]
    public void Binary_columns_read_and_save_as_before()
    {
        foreach (var (t, c) in new[] { ("1", "0"), ("yes", "no"), ("treatment", "control"), ("TRUE", "false") })
        {
            var table = Campaign(20, i => i % 2 == 0 ? t : c);
            var pre = Preprocessor.Fit(table, Roles, Range(20), Small);
            Assert.Equal(1, pre.Arms);
            Assert.Equal(["1"], pre.ArmLabels);
            Assert.Equal("0", pre.ControlLabel);
            var roles = pre.ToJson()["roles"]!.AsObject();
            Assert.Equal(["treatment", "value", "cost", "propensity", "weight", "id"], roles.Select(p => p.Key)); // no arms: files unchanged
            Assert.Equal(pre.ToJson().ToJsonString(), Preprocessor.FromJson(pre.ToJson()).ToJson().ToJsonString());
            Assert.Equal(1, pre.Transform(table).Arms);
        }
        // mixed spellings of the known pair stay binary
        var mixed = Campaign(8, i => new[] { "yes", "NO", " Yes ", "no", "1", "0.0", "true", "f" }[i]);
        Assert.Equal([1, 0, 1, 0, 1, 0, 1, 0], Preprocessor.Fit(mixed, Roles, Range(8), Small).Transform(mixed).T);
    }

    [Fact]
    public void Binary_with_control_records_the_treated_label_and_old_files_still_load()
    {
        var table = Campaign(20, i => i % 2 == 0 ? "offer" : "holdout");
        var pre = Preprocessor.Fit(table, Roles with { Control = "holdout" }, Range(20), Small);
        Assert.Equal(["offer"], pre.ArmLabels);
        Assert.Equal("holdout", pre.ControlLabel);
        var json = pre.ToJson();
        Assert.Equal("[\"offer\"]", json["roles"]!["arms"]!.ToJsonString());
        Assert.Equal(json.ToJsonString(), Preprocessor.FromJson(json).ToJson().ToJsonString());
        // at evaluation, another treated label is one the model does not know
        var other = Campaign(20, i => i % 2 == 0 ? "promo" : "holdout", "eval.csv");
        Throws(() => pre.Transform(other), "eval.csv", "row 1", "column 't'", "'promo' is not one the model knows", "'offer'");
        // a file written before the arms were recorded: binary, read as before
        var old = (JsonObject)json.DeepClone();
        old["roles"]!.AsObject().Remove("arms");
        var back = Preprocessor.FromJson(old);
        Assert.Equal(1, back.Arms);
        Assert.Equal("holdout", back.ControlLabel);
        Assert.Equal(pre.Transform(table).T, back.Transform(table).T);
        Assert.Equal(old.ToJsonString(), back.ToJson().ToJsonString());
    }

    [Fact]
    public void The_arms_round_trip_through_the_preprocessor_json()
    {
        var table = Campaign(70, i => Offers[i % Offers.Length]);
        var pre = Preprocessor.Fit(table, WithControl, Range(70), Small);
        var json = pre.ToJson();
        Assert.Equal("[\"LARGE\",\"medium\",\"Small\"]", json["roles"]!["arms"]!.ToJsonString());
        var back = Preprocessor.FromJson(JsonNode.Parse(json.ToJsonString())!.AsObject());
        Assert.Equal(pre.ArmLabels, back.ArmLabels);
        Assert.Equal(pre.ControlLabel, back.ControlLabel);
        Assert.Equal(json.ToJsonString(), back.ToJson().ToJsonString());
        Assert.Equal(pre.Transform(table).T, back.Transform(table).T);
        // numbers: no control label in the file, the arms 1..K
        var nums = Numeric(40, i => i % 4);
        var pn = Preprocessor.Fit(nums, Roles, Range(40), Small);
        var jn = pn.ToJson();
        Assert.Null(jn["roles"]!["control"]);
        Assert.Equal("[\"1\",\"2\",\"3\"]", jn["roles"]!["arms"]!.ToJsonString());
        Assert.Equal(pn.Transform(nums).T, Preprocessor.FromJson(jn).Transform(nums).T);
    }

    [Theory]
    [InlineData("[]", "1 to 16")]
    [InlineData("[\"small\",\"SMALL\"]", "repeats the label")]
    [InlineData("[\"none\",\"small\"]", "is the control label")]
    [InlineData("[\" small\"]", "surrounding spaces")]
    [InlineData("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\",\"o\",\"p\",\"q\"]", "1 to 16")]
    public void Bad_arms_in_a_model_file_are_named(string arms, string expected)
    {
        var pre = Preprocessor.Fit(Campaign(70, i => Offers[i % Offers.Length]), WithControl, Range(70), Small);
        var json = pre.ToJson();
        json["roles"]!["arms"] = JsonNode.Parse(arms);
        var e = Assert.ThrowsAny<UpliftException>(() => Preprocessor.FromJson(json));
        Assert.Contains("arms", e.Message);
        Assert.Contains(expected, e.Message);
        // without a control label the arms must be 1..K
        var jn = Preprocessor.Fit(Numeric(40, i => i % 4), Roles, Range(40), Small).ToJson();
        jn["roles"]!["arms"] = JsonNode.Parse("[\"1\",\"3\"]");
        Assert.Contains("must be 2", Assert.ThrowsAny<UpliftException>(() => Preprocessor.FromJson(jn)).Message);
    }

    [Fact]
    public void Three_labels_without_control_ask_for_it_listing_the_labels()
    {
        var table = Campaign(30, i => new[] { "none", "small", "large" }[i % 3]);
        Throws(() => Preprocessor.Fit(table, Roles, Range(30), Small),
            "offers.csv", "column 't'", "3 labels ('none', 'small', 'large')", "--control");
        // a known pair with a stray label: named at its row, as before, now listing the labels
        var stray = Campaign(30, i => i == 16 ? "maybe" : i % 2 == 0 ? "yes" : "no");
        Throws(() => Preprocessor.Fit(stray, Roles, Range(30), Small), "row 17", "got 'maybe'", "--control", "'yes', 'no', 'maybe'");
        // numbers that are not 0..K
        Throws(() => Preprocessor.Fit(Numeric(30, i => new[] { 0, 1, 3.0 }[i % 3]), Roles, Range(30), Small), "arm 2 has no users", "--control");
        Throws(() => Preprocessor.Fit(Numeric(30, i => new[] { 1, 2, 3.0 }[i % 3]), Roles, Range(30), Small), "no control rows");
        Throws(() => Preprocessor.Fit(Numeric(30, i => new[] { 0, 1, 2.5 }[i % 3]), Roles, Range(30), Small), "got '2.5'");
    }

    [Fact]
    public void An_absent_control_label_and_too_many_arms_are_errors()
    {
        var table = Campaign(30, i => new[] { "a", "b", "c" }[i % 3]);
        Throws(() => Preprocessor.Fit(table, Roles with { Control = "none" }, Range(30), Small),
            "offers.csv", "the control label 'none' (--control) does not occur", "'a', 'b', 'c'");
        var many = Campaign(40, i => i % 2 == 0 ? "none" : "offer" + (i % 19));
        Throws(() => Preprocessor.Fit(many, WithControl, Range(40), Small), "column 't'", "more than 16 arms", "at most 16");
        var sixteen = Campaign(34, i => i % 2 == 0 ? "none" : "offer" + (i % 32 / 2));
        Assert.Equal(16, Preprocessor.Fit(sixteen, WithControl, Range(34), Small).Arms);
        Throws(() => Preprocessor.Fit(Numeric(40, i => i % 18), Roles, Range(40), Small), "more than 16 arms");
    }

    [Fact]
    public void An_arm_without_enough_training_users_is_named()
    {
        var table = Campaign(70, i => Offers[i % Offers.Length]);
        Throws(() => Preprocessor.Fit(table, WithControl, Range(63)), "too few rows in the training rows", "18 control", "9 'medium'", "at least 10 per arm");
        // an arm the file has but the training rows lack
        var labels = Preprocessor.FindLabels(table, "t", Range(70), "none");
        var train = Enumerable.Range(0, 70).Where(i => i % 7 != 2).ToArray();
        Throws(() => Preprocessor.FitWithLabels(table, WithControl, train, Small, labels), "the arm 'medium' has no users in the training rows");
        // a stray 2 in a 0/1 column is a third arm, with one user
        var stray = Numeric(60, i => i == 16 ? 2 : i % 2);
        Throws(() => Preprocessor.Fit(stray, Roles, Range(60)), "too few rows", "1 '2'");
        Throws(() => CampaignData.FromTable(stray, Roles), "too few rows", "1 '2'");
    }

    [Fact]
    public void An_unknown_label_at_evaluation_names_its_row()
    {
        var pre = Preprocessor.Fit(Campaign(70, i => Offers[i % Offers.Length]), WithControl, Range(70), Small);
        var eval = Campaign(10, i => i == 4 ? "huge" : Offers[i % 3], "eval.csv");
        var e = Throws(() => pre.Transform(eval), "eval.csv", "row 5", "column 't'", "'huge' is not one the model knows", "'LARGE', 'medium', 'Small'");
        Assert.Equal(5, e.Row);
        Assert.Equal(3, pre.Transform(eval, requireOutcomes: false).Arms); // scoring data: the treatment is not read
        var nums = Preprocessor.Fit(Numeric(40, i => i % 4), Roles, Range(40), Small);
        Throws(() => nums.Transform(Numeric(10, i => i == 3 ? 7 : i % 4)), "row 4", "'7' is not one the model knows");
        Throws(() => nums.Transform(Numeric(10, i => i % 2 + 1)), "no control rows");
        Throws(() => nums.Transform(Numeric(10, _ => 0)), "no treated rows");
    }

    [Fact]
    public void Campaign_data_and_outcome_columns_read_several_arms()
    {
        var table = Campaign(700, i => Offers[i % Offers.Length]);
        var data = CampaignData.FromTable(table, WithControl);
        Assert.Equal(3, data.Preprocessor.Arms);
        foreach (var part in new[] { data.Train, data.Valid, data.Test }) Assert.Equal(3, part.Arms);
        // the stratified split keeps every arm's share: round(0.6 n_k) training rows per arm
        var all = data.All().ArmCounts();
        Assert.Equal(all.Select(n => (int)Math.Round(0.6 * n, MidpointRounding.AwayFromZero)), data.Train.ArmCounts());
        Assert.Equal(all.Select(n => (int)Math.Round(0.2 * n, MidpointRounding.AwayFromZero)), data.Valid.ArmCounts());
        var o = OutcomeColumns.Read(table, WithControl);
        Assert.Equal(3, o.Arms);
        Assert.Equal(data.All().T, o.T);
        Assert.Equal(1, OutcomeColumns.Read(Numeric(20, i => i % 2), Roles).Arms);
    }

    [Fact]
    public void The_stratified_split_keeps_each_arms_share()
    {
        var t = Enumerable.Range(0, 1000).Select(i => (byte)(i % 10 < 4 ? 0 : i % 10 < 7 ? 1 : i % 10 < 9 ? 2 : 3)).ToArray();
        var s = DataSplit.Stratified(t, 0.6, 0.2, seed: 5);
        int[] Count(int[] rows) => Dataset.CountArms(rows.Select(i => t[i]).ToArray(), 3);
        Assert.Equal([240, 180, 120, 60], Count(s.Train));
        Assert.Equal([80, 60, 40, 20], Count(s.Valid));
        Assert.Equal([80, 60, 40, 20], Count(s.Test));
        // arms 0 and 1 are split as in a binary campaign: their rows do not depend on the other arms
        var b01 = DataSplit.Stratified(t.Where(b => b <= 1).ToArray(), 0.6, 0.2, seed: 5);
        var idx = Enumerable.Range(0, 1000).Where(i => t[i] <= 1).ToArray();
        Assert.Equal(b01.Train.Select(k => idx[k]), s.Train.Where(i => t[i] <= 1));
        Assert.Equal(b01.Test.Select(k => idx[k]), s.Test.Where(i => t[i] <= 1));
    }
}
