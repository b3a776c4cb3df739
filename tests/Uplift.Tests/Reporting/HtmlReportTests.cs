using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Reporting;
using Xunit;

namespace Uplift.Tests.Reporting;

public class HtmlReportTests
{
    static readonly DateTimeOffset Fixed = new(2025, 7, 1, 12, 30, 0, TimeSpan.Zero);

    static (Dataset Data, ReportInput Input) Example(string firstName = "ratio", int replicates = 30, long seed = 1, int? threads = null)
    {
        var data = ReportTestData.Campaign(1500, 4, seed: 11, ["x0", "x1", "region=n", "region=s"]);
        var good = new FuncModel(4, r => r[0]);
        var weak = new FuncModel(4, r => r[0] + 2 * r[1]);
        var noise = new FuncModel(4, r => r[3] + 0.01 * r[2]);
        var fi = FeatureImportance.Permutation(good, data, new PermutationOptions { Repeats = 2 });
        var oracle = Enumerable.Range(0, data.Rows).Select(i => Math.Max(0.05, 1 + 0.8 * data.X[i * 4])).ToArray();
        var input = new ReportInput
        {
            Title = "Test campaign",
            Evaluation = data,
            Source = "generated in the test",
            Models = [new ReportModel(firstName, good.Score(data), 1.5), new ReportModel("mixed", weak.Score(data)), new ReportModel("noise", noise.Score(data), 0.01)],
            OracleScores = oracle,
            FeatureImportance = new ReportFeatureImportance(firstName, fi),
            Plan = new PlanSummary(1000, 0.25, 0.3, 420, new Interval(380, 460), 990, new Interval(940, 1040)) { Model = firstName, Users = 50_000, Note = "plan note" },
            Notes = ["first note", "second note"],
            CommandLine = "uplift report --data eval.csv --out r.html",
            GeneratedAt = Fixed,
            Options = new ReportOptions { BootstrapReplicates = replicates, Seed = seed, MaxThreads = threads },
        };
        return (data, input);
    }

    static XDocument ParseXml(string html)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        return XDocument.Load(reader);
    }

    static int Count(string s, string sub) => Regex.Matches(s, Regex.Escape(sub)).Count;

    [Fact]
    public void IsOneWellFormedSelfContainedPage()
    {
        var (_, input) = Example();
        string html = HtmlReport.Render(input);

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Equal(1, Count(html, "<html"));
        Assert.Equal(1, Count(html, "</html>"));
        Assert.Equal(Count(html, "<table"), Count(html, "</table>"));
        Assert.Equal(Count(html, "<svg"), Count(html, "</svg>"));
        Assert.True(Count(html, "<svg") >= 1 + 4 + 2 + 3, "plot, AUCC intervals, differences, importance bars");
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html);
        // the only URLs are the SVG namespace
        string stripped = html.Replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        Assert.DoesNotContain("http://", stripped);
        Assert.DoesNotContain("https://", stripped);
        Assert.DoesNotContain("//cdn", stripped);

        var doc = ParseXml(html);
        Assert.Equal("html", doc.Root!.Name.LocalName);
        Assert.Equal("Test campaign", doc.Descendants("title").Single().Value);
        var ids = doc.Descendants("section").Select(s => (string?)s.Attribute("id")).Where(x => x is not null).ToList();
        Assert.Equal(["data", "curves", "aucc", "differences", "value-at-cost", "deciles", "calibration", "plan", "importance", "how-to-read", "notes"], ids);
        Assert.Contains(HtmlReport.LibraryVersion, html);
        Assert.Contains("2025-07-01 12:30 UTC", html);
        Assert.Contains("uplift report --data eval.csv --out r.html", doc.Descendants("code").Single().Value);
    }

    [Fact]
    public void AuccTableShowsEachModelWithItsAucc()
    {
        var (data, input) = Example();
        var doc = ParseXml(HtmlReport.Render(input));
        var rows = doc.Descendants("section").Single(s => (string?)s.Attribute("id") == "aucc").Descendants("tbody").Single().Elements("tr").ToList();
        Assert.Equal(input.Models.Count + 2, rows.Count); // models, oracle, random
        foreach (var m in input.Models.Append(new ReportModel("oracle", input.OracleScores!)))
        {
            double aucc = CostCurve.Aucc(m.Scores, data.T, data.V, data.C);
            var row = rows.Single(r => r.Elements("td").First().Value.StartsWith(m.Name, StringComparison.Ordinal));
            var cells = row.Elements("td").Select(td => td.Value).ToList();
            Assert.Equal(aucc.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), cells[1]);
            // the interval is an interval around the estimate's neighbourhood
            var ci = Regex.Match(cells[2], @"^\[([0-9.]+), ([0-9.]+)\]$");
            Assert.True(ci.Success, cells[2]);
            Assert.True(double.Parse(ci.Groups[1].Value) < double.Parse(ci.Groups[2].Value));
        }
        Assert.Equal("0.500", rows[^1].Elements("td").ElementAt(1).Value);
    }

    [Fact]
    public void DifferencesAreAgainstTheReference()
    {
        var (data, input) = Example();
        string html = HtmlReport.Render(input);
        var doc = ParseXml(html);
        var sec = doc.Descendants("section").Single(s => (string?)s.Attribute("id") == "differences");
        Assert.Equal("Paired differences against ratio", sec.Element("h2")!.Value);
        var rows = sec.Descendants("tbody").Single().Elements("tr").ToList();
        Assert.Equal(["mixed", "noise"], rows.Select(r => r.Elements("td").First().Value));
        var noise = input.Models[2].Scores; var ratio = input.Models[0].Scores;
        var p = Bootstrap.AuccDifference(noise, ratio, data.T, data.V, data.C, new BootstrapOptions { Replicates = 30, Seed = 1 });
        var cells = rows[1].Elements("td").Select(td => td.Value).ToList();
        Assert.Equal("\u2212" + Math.Abs(p.Difference.Estimate).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture), cells[1]);
        Assert.Equal("worse", cells[^1]);

        // by name, and "best by AUCC" (ratio is the best here, so both pick it; "mixed" by name changes the header)
        var byName = HtmlReport.Render(input with { Options = input.Options with { ReferenceModel = "mixed" } });
        Assert.Contains("Paired differences against mixed", byName);
        var best = HtmlReport.Render(input with { Models = [.. input.Models.Reverse()], Options = input.Options with { Reference = ReportReference.BestAucc } });
        Assert.Contains("Paired differences against ratio", best);
    }

    /// <summary>The "best" badge only when the top model beats every other by the paired bootstrap interval (issue 12):
    /// a copy of the same ranking under another name ties with it, so neither gets the badge.</summary>
    [Fact]
    public void BestBadgeOnlyWhenThePairedIntervalExcludesZero()
    {
        var (_, input) = Example(replicates: 100);
        var clear = ReportNumbers.Compute(input);
        Assert.Equal("ratio", clear.Best.Name);
        Assert.True(clear.BestIsClear);
        Assert.Contains("<span class=\"badge\">best</span>", HtmlReport.Render(input));

        var twin = input with { Models = [.. input.Models, new ReportModel("ratio-copy", input.Models[0].Scores)] };
        var tied = ReportNumbers.Compute(twin);
        Assert.False(tied.BestIsClear);
        string html = HtmlReport.Render(twin);
        Assert.DoesNotContain("<span class=\"badge\">best</span>", html);
        Assert.Contains("not better than every other model", html);
    }

    /// <summary>The decile chart and the Qini curve: one row per model, ten bars and one curve each, on the metrics the evaluation computed; the best
    /// ranking's top decile above its bottom one.</summary>
    [Fact]
    public void DecileChartShowsTenBarsPerModel()
    {
        var (_, input) = Example();
        var m = ReportNumbers.Compute(input);
        var g = m.Models[0].Metrics!.Groups;
        Assert.Equal(10, g.Count);
        Assert.True(g[0].Value.Effect > g[^1].Value.Effect);
        string html = HtmlReport.Render(input);
        Assert.Contains("<section id=\"deciles\">", html);
        var section = html[html.IndexOf("<section id=\"deciles\">")..];
        section = section[..(section.IndexOf("</section>") + 10)];
        Assert.Equal(10 * input.Models.Count, Count(section, "<rect "));
        Assert.Equal(input.Models.Count, Count(section, "<polyline "));
        Assert.Contains(A3(m.Models[0].Metrics!.QiniValue.AreaAboveRandom), section);
        ParseXml(html);
    }

    static string A3(double v) => HtmlReport.A3(v);

    [Fact]
    public void EscapesEveryText()
    {
        var (_, input) = Example(firstName: "<script>alert(1)</script>");
        input = input with
        {
            Title = "Q3 <b>bold</b> & \"quoted\"",
            Source = "<img src=x onerror=alert(1)>",
            Notes = ["<iframe src='https://evil'></iframe>"],
            CommandLine = "uplift report --title '<x>'",
        };
        string html = HtmlReport.Render(input);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<iframe", html);
        Assert.DoesNotContain("<b>bold", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("Q3 &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;", html);
        Assert.Contains("--title &#39;&lt;x&gt;&#39;", html);
        var doc = ParseXml(html); // still well-formed
        Assert.Contains(doc.Descendants("td"), td => td.Value.StartsWith("<script>alert(1)</script>", StringComparison.Ordinal));
    }

    [Fact]
    public void SameSeedSameReportWhateverTheThreadCount()
    {
        string a = HtmlReport.Render(Example(threads: 1).Input);
        string b = HtmlReport.Render(Example(threads: 3).Input);
        string c = HtmlReport.Render(Example(seed: 2).Input);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c); // the bootstrap intervals follow the seed
    }

    [Fact]
    public void OptionalSectionsAreLeftOut()
    {
        var (_, input) = Example();
        input = input with { Models = [input.Models[0]], OracleScores = null, FeatureImportance = null, Plan = null, Notes = [], CommandLine = null };
        var doc = ParseXml(HtmlReport.Render(input));
        var ids = doc.Descendants("section").Select(s => (string?)s.Attribute("id")).Where(x => x is not null).ToList();
        Assert.Equal(["data", "curves", "aucc", "value-at-cost", "deciles", "calibration", "how-to-read"], ids);
        Assert.Empty(doc.Descendants("code"));
    }

    [Fact]
    public void WritesAtomically()
    {
        var dir = Path.Combine(Path.GetTempPath(), "uplift-report-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (_, input) = Example(replicates: 10);
            var path = Path.Combine(dir, "sub", "report.html");
            HtmlReport.Write(path, input);
            Assert.Equal(HtmlReport.Render(input), File.ReadAllText(path));
            HtmlReport.Write(path, input with { Title = "Second" }); // overwrite
            Assert.Contains("<title>Second</title>", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(Path.Combine(dir, "sub")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RejectsInconsistentInput()
    {
        var (data, input) = Example(replicates: 10);
        var s = input.Models[0].Scores;
        Assert.Throws<UpliftOptionException>(() => HtmlReport.Render(input with { Models = [] }));
        Assert.Throws<UpliftOptionException>(() => HtmlReport.Render(input with { Models = [new("a", s), new("a", s)] }));
        Assert.Throws<UpliftDataException>(() => HtmlReport.Render(input with { Models = [new("a", s[..10])] }));
        Assert.Throws<UpliftDataException>(() => HtmlReport.Render(input with { OracleScores = s[..10] }));
        Assert.Throws<UpliftOptionException>(() => HtmlReport.Render(input with { Options = input.Options with { ReferenceModel = "nope" } }));
        Assert.Throws<UpliftOptionException>(() => HtmlReport.Render(input with { Options = input.Options with { BootstrapReplicates = 1 } }));
        var noOutcomes = new Dataset(data.X, data.Rows, data.Features, data.FeatureNames);
        Assert.Throws<UpliftDataException>(() => HtmlReport.Render(input with { Evaluation = noOutcomes }));
    }
}
