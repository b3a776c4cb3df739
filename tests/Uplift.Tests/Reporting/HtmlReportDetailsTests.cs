using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Models.Auto;
using Uplift.Persistence;
using Uplift.Reporting;
using Xunit;

namespace Uplift.Tests.Reporting;

/// <summary>The report's calibration, model-details and missing-value blocks (issue 12, item 6).</summary>
public class HtmlReportDetailsTests
{
    /// <summary>The text of the section with the given id (up to its closing tag).</summary>
    static string Section(string html, string id)
    {
        int a = html.IndexOf($"<section id=\"{id}\"", StringComparison.Ordinal);
        Assert.True(a >= 0, $"no section '{id}'");
        int b = html.IndexOf("</section>", a, StringComparison.Ordinal);
        return html[a..b];
    }

    static readonly string[] Columns = ["x0", "x1", "seg"];

    /// <summary>6 rows: x0 missing in rows 2 and 5, x1 never, seg (text) missing in row 5 and 6; plus T, V, C.</summary>
    static RawTable HandMade() => new("hand.csv", 6,
    [
        RawColumn.Numeric("x0", [1, double.NaN, 3, 4, double.NaN, 6]),
        RawColumn.Numeric("x1", [0.5, 1, 1.5, 2, 2.5, 3]),
        RawColumn.Text("seg", ["a", "b", "a", "b", null, null]),
        RawColumn.Numeric("T", [0, 1, 0, 1, 0, 1]),
        RawColumn.Numeric("V", [1, 2, 1, 3, 0, 2]),
        RawColumn.Numeric("C", [1, 1, 1, 2, 1, 1]),
    ]);

    [Fact]
    public void MissingSummaryCountsAHandMadeTable()
    {
        var table = HandMade();
        var pre = Preprocessor.Fit(table, new ColumnRoles("T", "V", "C"), [0, 1, 2, 3, 4, 5], new PreprocessOptions { MinRowsPerArm = 1 });
        var s = MissingValueSummary.Compute(table, [pre]);
        Assert.Equal(6, s.Rows);
        Assert.Equal(3, s.FeatureColumns);
        Assert.Equal(["x0", "seg"], s.Columns.Select(c => c.Column));
        Assert.Equal(2, s.Columns[0].Missing);
        Assert.Equal(2 / 6.0, s.Columns[0].Share, 12);
        Assert.Equal(2, s.Columns[1].Missing);
        Assert.Equal(4, s.MissingCells);
        Assert.Equal(3, s.RowsWithMissing); // rows 2, 5, 6
        Assert.Equal(4 / 18.0, s.CellShare, 12);
        Assert.Contains("training mean", s.Columns[0].Handling);
        Assert.Contains("no category", s.Columns[1].Handling);

        var plain = MissingValueSummary.Compute(table, Columns);
        Assert.Null(plain.Columns[0].Handling);
        Assert.Equal(s.MissingCells, plain.MissingCells);
    }

    static ReportInput Input(ReportModel[] models, MissingValueSummary? missing = null, Dataset? data = null) => new()
    {
        Title = "details", Evaluation = data ?? ReportTestData.Campaign(1500, 2, 21), Models = models, MissingValues = missing,
        Options = new ReportOptions { BootstrapReplicates = 20, Bands = false }, GeneratedAt = DateTimeOffset.UnixEpoch,
    };

    [Fact]
    public void MissingSectionShowsTheCountsAndTheTotal()
    {
        var table = HandMade();
        var pre = Preprocessor.Fit(table, new ColumnRoles("T", "V", "C"), [0, 1, 2, 3, 4, 5], new PreprocessOptions { MinRowsPerArm = 1 });
        var data = ReportTestData.Campaign(1500, 2, 21);
        string html = HtmlReport.Render(Input([new ReportModel("m", new FuncModel(2, r => r[0]).Score(data))], MissingValueSummary.Compute(table, [pre])));
        var sec = Section(html, "missing-values");
        Assert.Contains("<td>x0</td><td class=\"num strong\">2</td><td class=\"num\">33.3%</td>", sec);
        Assert.Contains("<td>seg</td>", sec);
        Assert.DoesNotContain("<td>x1</td>", sec);
        Assert.Contains("all 3 feature columns", sec);
        Assert.Contains("3 of 6 rows have a missing value", sec);

        var none = HtmlReport.Render(Input([new ReportModel("m", new FuncModel(2, r => r[0]).Score(data))],
            MissingValueSummary.Compute(table, ["x1"])));
        Assert.Contains("No feature column has a missing value", Section(none, "missing-values"));
        Assert.DoesNotContain("id=\"missing-values\"", HtmlReport.Render(Input([new ReportModel("m", new FuncModel(2, r => r[0]).Score(data))])));
    }

    [Fact]
    public void CalibrationBlockForAnEffectLearnerAndNotForARanker()
    {
        var data = ReportTestData.Campaign(1500, 2, 21);
        int n = data.Rows;
        // the true effects of ReportTestData.Campaign (tau_v = max(0.05, 1 + 0.8 x0), tau_c = 1) plus a little spread on tau_c
        var tv = new double[n]; var tc = new double[n];
        for (int i = 0; i < n; i++) { tv[i] = Math.Max(0.05, 1 + 0.8 * data.X[i * 2]); tc[i] = 1 + 0.1 * data.X[i * 2 + 1]; }
        var score = tv.Zip(tc, (a, b) => a / b).ToArray();
        var ranker = new FuncModel(2, r => r[0]).Score(data);
        string html = HtmlReport.Render(Input([new ReportModel("effects", score) { Effects = new ReportEffects(tv, tc) }, new ReportModel("drm-like", ranker)]));
        var sec = Section(html, "calibration");
        int e = sec.IndexOf("effects</h3>", StringComparison.Ordinal), r = sec.IndexOf("drm-like</h3>", StringComparison.Ordinal);
        Assert.True(e >= 0 && r > e);
        var effectPart = sec[e..r]; var rankerPart = sec[r..];
        Assert.Contains("<table class=\"calibration\">", effectPart);
        Assert.DoesNotContain("<table", rankerPart);
        Assert.Contains("Not an effect estimator", rankerPart);
        Assert.DoesNotContain("Not an effect estimator", effectPart);
        // the numbers are those of Calibration.Test on the randomized DR scores
        var cv = Calibration.Test(tv, DrScores.Randomized(data.T, data.V));
        Assert.Contains($"differential prediction</td><td class=\"num strong\">{HtmlReport.A3(cv.Differential.Estimate)}</td>", effectPart);
        Assert.InRange(cv.Differential.Estimate, 0.6, 1.4); // true effects: calibrated
    }

    [Fact]
    public void CalibrationThatIsNotDefinedSaysWhy()
    {
        var data = ReportTestData.Campaign(600, 2, 21);
        var flat = Enumerable.Repeat(1.0, data.Rows).ToArray();
        string html = HtmlReport.Render(Input([new ReportModel("flat", flat) { Effects = new ReportEffects(flat, flat) }], data: data));
        var sec = Section(html, "calibration");
        Assert.Contains("Not defined: tau_v: the calibration test is not defined: the predicted effects do not vary.", sec);
        Assert.Throws<UpliftDataException>(() => HtmlReport.Render(Input([new ReportModel("short", flat) { Effects = new ReportEffects([1, 2], [1, 2]) }], data: data)));
    }

    static Preprocessor Pre(Dataset d)
    {
        var table = new RawTable("t", d.Rows, [
            RawColumn.Numeric("x0", [.. Enumerable.Range(0, d.Rows).Select(i => (double)d.X[i * 2])]),
            RawColumn.Numeric("x1", [.. Enumerable.Range(0, d.Rows).Select(i => (double)d.X[i * 2 + 1])]),
            RawColumn.Numeric("T", [.. d.T.Select(x => (double)x)]), RawColumn.Numeric("V", d.V), RawColumn.Numeric("C", d.C)]);
        return Preprocessor.Fit(table, new ColumnRoles("T", "V", "C"), [.. Enumerable.Range(0, d.Rows)]);
    }

    [Fact]
    public void ModelDetailsShowWhatTheFileRecordsAndNothingElse()
    {
        var data = ReportTestData.Campaign(1500, 2, 21);
        var pre = Pre(data);
        var withMetrics = new ModelFile(new FuncModel(2, r => r[0]), pre, 1,
            new JsonObject { ["model"] = "test", ["args"] = "train --model test --out m.json" },
            new JsonObject { ["train_rows"] = 3600, ["valid_rows"] = 1200, ["valid_aucc"] = 0.6789,
                ["train_rows_by_arm"] = new JsonArray(new JsonObject { ["label"] = "control", ["rows"] = 1790 }, new JsonObject { ["label"] = "offer", ["rows"] = 1810 }) });
        var bare = new ModelFile(new FuncModel(2, r => r[1]), pre, 1);
        var d1 = ReportModelDetails.FromModelFile(withMetrics);
        var d2 = ReportModelDetails.FromModelFile(bare);
        Assert.Equal((3600, 1200, 0.6789), (d1.TrainRows!.Value, d1.ValidRows!.Value, d1.ValidationAucc!.Value));
        Assert.Equal([new("control", 1790), new("offer", 1810)], d1.TrainRowsPerArm!);
        Assert.Null(d2.TrainRowsPerArm);   // not recorded
        Assert.Null(d2.TrainRows); Assert.Null(d2.ValidationAucc); Assert.Null(d2.TrainedWith); Assert.Null(d2.Settings);

        string html = HtmlReport.Render(Input([
            new ReportModel("recorded", withMetrics.Model.Score(data)) { Details = d1 },
            new ReportModel("bare", bare.Model.Score(data)) { Details = d2 }]));
        var sec = Section(html, "model-details");
        int a = sec.IndexOf("recorded</h3>", StringComparison.Ordinal), b = sec.IndexOf("bare</h3>", StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a);
        var rec = sec[a..b]; var bar = sec[b..];
        Assert.Contains("0.679</span> <span class=\"ci\">on 1,200 validation users", rec);
        Assert.Contains("<td>3,600</td>", rec);
        Assert.Contains("<code>uplift train --model test --out m.json</code>", rec);
        Assert.Equal(1, CountOf(rec, "not recorded")); // settings (the test model stores none)
        Assert.Contains("Training users per arm</th><td>control 1,790 · offer 1,810", rec);
        Assert.Equal(5, CountOf(bar, "not recorded")); // settings, trained with, users, per arm, validation AUCC
    }

    static int CountOf(string s, string sub) => System.Text.RegularExpressions.Regex.Matches(s, System.Text.RegularExpressions.Regex.Escape(sub)).Count;

    [Fact]
    public void AutoModelShowsTheChoiceAndTheRunnersUp()
    {
        var data = ReportTestData.Campaign(1500, 2, 21);
        AutoCandidateResult[] cands =
        [
            new("drm linear", "drm", "linear scorer", 0.61, 0.62, 1.0),
            new("causal-forest", "causal-forest", "2000 trees", 0.70, 0.71, 5.0),
            new("boosted tlearner", "tlearner", "boosted", null, null, null),
        ];
        var auto = AutoModel.Create(new FuncModel(2, r => r[0]), "causal-forest", cands, 20);
        var file = new ModelFile(auto, Pre(data), 1);
        var d = ReportModelDetails.FromModelFile(file);
        Assert.Equal("auto", d.Learner);
        Assert.Equal("causal-forest", d.AutoChosen);
        string html = HtmlReport.Render(Input([new ReportModel("auto", auto.Score(data)) { Details = d }]));
        var sec = Section(html, "model-details");
        Assert.Contains("auto <span class=\"ci\">chose</span> <span class=\"strong\">causal-forest</span>", sec);
        Assert.Contains("<td>causal-forest <span class=\"badge\">chosen</span></td>", sec);
        Assert.Contains("<td>drm linear</td>", sec);
        Assert.Contains("0.620", sec);
        Assert.Contains("skipped (time limit)", sec);
    }

    [Fact]
    public void SettingsAreTheScalarsOfTheModelSection()
    {
        var s = ReportModelDetails.SettingsOf(new JsonObject
        {
            ["kind"] = "drm", ["features"] = 3, ["scorer"] = "mlp", ["hiddenSizes"] = new JsonArray(64, 32), ["steps"] = 1500L,
            ["weights"] = new JsonArray([.. Enumerable.Range(0, 20).Select(i => (JsonNode)i)]),
            ["options"] = new JsonObject { ["scorer"] = "mlp", ["l2"] = 0.001 },
        })!;
        Assert.Equal(["scorer", "hiddenSizes", "steps", "l2"], s.Select(x => x.Key));
        Assert.Equal(["mlp", "[64, 32]", "1500", "0.001"], s.Select(x => x.Value));
        Assert.Null(ReportModelDetails.SettingsOf(new JsonObject { ["kind"] = "x", ["features"] = 2 }));
    }
}
