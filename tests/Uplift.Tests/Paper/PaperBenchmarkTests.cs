using Uplift.Evaluation;
using System.Text.Json.Nodes;
using Uplift.Paper;
using Uplift.Cli.Commands;
using Xunit;

namespace Uplift.Tests.Paper;

public sealed class PaperBenchmarkTests : IDisposable
{
    readonly FixtureFiles _files = new();
    public void Dispose() => _files.Dispose();

    /// <summary>
    /// A synthetic covtype.data (55 integer columns, no header) with a heterogeneous pseudo-effect: rows close
    /// to water (the treatment column) are closer to fire points (the value) when Aspect &lt; 180, and are more
    /// often Spruce-Fir (the cost) when Slope &gt; 20.
    /// </summary>
    static List<string> Covtype(int rows, ulong seed)
    {
        var rng = new Rng(seed);
        var lines = new List<string>(rows);
        var r = new int[55];
        for (int i = 0; i < rows; i++)
        {
            Array.Clear(r);
            int hyd = rng.NextInt(1000), aspect = rng.NextInt(360), slope = rng.NextInt(40);
            bool near = hyd < 500;
            r[0] = 2500 + rng.NextInt(1000);
            r[1] = aspect; r[2] = slope; r[3] = hyd; r[4] = rng.NextInt(200) - 50;
            r[5] = rng.NextInt(5000);
            r[6] = rng.NextInt(255); r[7] = rng.NextInt(255); r[8] = rng.NextInt(255);
            int fire = rng.NextInt(3000) - (near && aspect < 180 ? 1200 : 0);
            r[9] = Math.Max(fire, 0);
            r[10 + rng.NextInt(4)] = 1;
            r[14 + rng.NextInt(40)] = 1;
            double spruce = 0.4 + (near ? (slope > 20 ? 0.4 : 0.1) : 0);
            r[54] = rng.NextDouble() < spruce ? 1 : 2;
            if (rng.NextDouble() < 0.1) r[54] = 3 + rng.NextInt(5); // other cover types, dropped
            lines.Add(string.Join(",", r));
        }
        return lines;
    }

    static PaperBenchmarkOptions Tiny => new()
    {
        Seeds = 1, Steps = 40, Restarts = 1, CausalForestTrees = 4, BootstrapReplicates = 20, MaxThreads = 2,
    };

    [Fact]
    public void Covertype_run_has_every_method_with_sane_values_and_json_rows()
    {
        string path = _files.Write("covtype.data.gz", Covtype(2400, 7), gzip: true);
        var result = PaperBenchmark.Run(Tiny with { CovertypePath = path });

        var d = Assert.Single(result.Datasets);
        Assert.Equal("covertype", d.Dataset);
        Assert.Equal(["random", "rlearner", "duality-rlearner", "causal-forest", "drm", "crm", "best"], d.Methods.Select(m => m.Method));
        foreach (var m in d.Methods)
        {
            Assert.Equal([1], m.Seeds);
            Assert.InRange(m.TestAuccMean, 0.0, 1.0);
            Assert.InRange(m.ValidAuccMean, 0.0, 1.0);
            Assert.InRange(m.ValueAt20Mean, 0.0, 1.0);
            Assert.True(m.FitSecondsMean >= 0);
            Assert.True(double.IsNaN(m.TestAuccSd)); // one seed: no spread
            Assert.Equal(m.Method == "best" ? null : PaperReference.Aucc("covertype", m.Method), m.PaperAucc);
        }
        // The best row is the candidate with the highest judging AUCC; the candidates include every faithful method.
        var best = d.Methods[^1];
        var names = d.BestCandidates.Select(c => c.Name).ToList();
        Assert.Equal(["rlearner", "duality-rlearner", "causal-forest", "drm", "crm"], names.Take(5));
        Assert.Contains(PaperBenchmark.EnsembleName, names);
        var chosen = d.BestCandidates.Single(c => c.Name == Assert.Single(best.Chosen!));
        Assert.All(d.BestCandidates, c => Assert.True(chosen.JudgeAuccMean >= c.JudgeAuccMean));
        Assert.Equal(chosen.JudgeAuccMean, best.ValidAuccMean, 12);

        // CRM minus each other method, paired: the per-seed difference is the difference of the rows.
        Assert.Equal(6, d.Differences.Count);
        foreach (var x in d.Differences)
        {
            var other = d.Methods.Single(m => m.Method == x.Other);
            Assert.Equal(d.Methods.Single(m => m.Method == "crm").TestAucc[0] - other.TestAucc[0], x.PerSeed[0], 12);
            Assert.True(double.IsNaN(x.Lower)); // no t-interval from one seed
        }
        Assert.Equal(d.Methods.Select(m => m.Method), d.Curves.Select(c => c.Name));
        Assert.Equal(d.Summary.TestRows, d.Curves[0].Curve.N);

        // JSON rows carry the required keys with the CLI's method names.
        foreach (var m in d.Methods)
        {
            JsonObject o = BenchCommand.RowJson(m);
            foreach (var key in new[] { "dataset", "method", "test_aucc_mean", "test_aucc_sd", "valid_aucc_mean", "value_at_20pct_cost", "fit_seconds" })
                Assert.True(o.ContainsKey(key), key);
            Assert.Equal("covertype", (string?)o["dataset"]);
            Assert.Equal(m.Method, (string?)o["method"]);
            Assert.Equal(m.TestAuccMean, (double)o["test_aucc_mean"]!);
        }
        string md = BenchCommand.Markdown(result, Tiny, "uplift bench paper --covertype x", DateTime.UtcNow);
        foreach (var m in d.Methods) Assert.Contains($"| {m.Method} |", md);
        Assert.Contains("covertype-cost-curves.svg", md);
    }

    [Fact]
    public void Covertype_seeds_reshuffle_the_split_and_results_repeat_for_the_same_seed()
    {
        string path = _files.Write("covtype.data", Covtype(1600, 3));
        var o = Tiny with { CovertypePath = path, Seeds = 2, Best = false, BootstrapReplicates = 0 };
        var a = PaperBenchmark.Run(o).Datasets[0];
        var b = PaperBenchmark.Run(o with { MaxThreads = 1 }).Datasets[0];
        Assert.Equal(a.Methods.Select(m => m.TestAucc.ToArray()), b.Methods.Select(m => m.TestAucc.ToArray()));
        Assert.Equal(6, a.Methods.Count);
        Assert.Contains("reshuffles", a.SeedNote);
        Assert.Equal(2, a.Differences[0].PerSeed.Count);
        Assert.False(double.IsNaN(a.Differences[0].Lower));
        Assert.True(a.Differences[0].Lower <= a.Differences[0].Mean && a.Differences[0].Mean <= a.Differences[0].Upper);
        // Different seeds, different splits: the random ranking's AUCC differs between the two seeds.
        Assert.NotEqual(a.Methods[0].TestAucc[0], a.Methods[0].TestAucc[1]);
    }

    [Fact]
    public void Census_run_uses_the_file_order_split_for_every_seed()
    {
        string header = string.Join(",", CensusHeader);
        var rng = new Rng(5);
        var lines = new List<string> { header };
        for (int i = 0; i < 1500; i++)
        {
            var row = new Dictionary<string, int>();
            foreach (var name in CensusHeader) row[name] = rng.NextInt(5);
            row["caseid"] = 10000 + i;
            row["iCitizen"] = i % 7 == 0 ? 1 : 0;
            row["dAge"] = rng.NextInt(6);
            row["iFertil"] = 1 + rng.NextInt(5);
            int hours = rng.NextInt(5);
            row["dHour89"] = hours;
            row["iFertil"] = Math.Max(1, row["iFertil"] - (hours >= 3 && row["iSex"] > 1 ? 1 : 0)); // more hours, fewer children
            row["dIncome1"] = rng.NextInt(3) + (hours >= 3 && row["iClass"] > 2 ? 2 : 0);
            lines.Add(string.Join(",", CensusHeader.Select(n => row[n])));
        }
        string path = _files.Write("census.txt", lines);
        var d = PaperBenchmark.Run(Tiny with { CensusPath = path, Seeds = 2, Best = false, BootstrapReplicates = 0, Steps = 20 }).Datasets[0];
        Assert.Equal("census", d.Dataset);
        Assert.Contains("file order", d.Summary.SplitDescription);
        Assert.Contains("only the learners' seeds vary", d.SeedNote);
        Assert.Equal(PaperBenchmark.PaperMethods, d.Methods.Select(m => m.Method));
        Assert.All(d.Methods, m => Assert.All(m.TestAucc, x => Assert.InRange(x, 0.0, 1.0)));
        Assert.Contains("MLP 92", d.Methods.Single(m => m.Method == "crm").Settings);
    }

    static readonly string[] CensusHeader = (
        "caseid,dAge,dAncstry1,dAncstry2,iAvail,iCitizen,iClass,dDepart,iDisabl1,iDisabl2,iEnglish,iFeb55,iFertil," +
        "dHispanic,dHour89,dHours,iImmigr,dIncome1,dIncome2,dIncome3,dIncome4,dIncome5,dIncome6,dIncome7,dIncome8," +
        "dIndustry,iKorean,iLang1,iLooking,iMarital,iMay75880,iMeans,iMilitary,iMobility,iMobillim,dOccup,iOthrserv," +
        "iPerscare,dPOB,dPoverty,dPwgt1,iRagechld,dRearning,iRelat1,iRelat2,iRemplpar,iRiders,iRlabor,iRownchld," +
        "dRpincome,iRPOB,iRrelchld,iRspouse,iRvetserv,iSchool,iSept80,iSex,iSubfam1,iSubfam2,iTmpabsnt,dTravtime," +
        "iVietnam,dWeek89,iWork89,iWorklwk,iWWII,iYearsch,iYearwrk,dYrsserv").Split(',');

    [Fact]
    public void Options_are_checked()
    {
        Assert.Throws<UpliftOptionException>(() => PaperBenchmark.Run(new PaperBenchmarkOptions()));
        Assert.Throws<UpliftOptionException>(() => new PaperBenchmarkOptions { Seeds = 0 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new PaperBenchmarkOptions { BootstrapReplicates = 1 }.Validate());
        Assert.Throws<UpliftOptionException>(() => new PaperBenchmarkOptions { CausalForestTrees = 0 }.Validate());
        new PaperBenchmarkOptions { BootstrapReplicates = 0 }.Validate();
    }

    [Fact]
    public void Faithful_settings_follow_the_paper()
    {
        var cov = PaperBenchmark.FaithfulSettings(PaperDataset.Covertype, new PaperBenchmarkOptions());
        var cen = PaperBenchmark.FaithfulSettings(PaperDataset.Census, new PaperBenchmarkOptions());
        Assert.Equal(Uplift.Models.Ranking.ScorerKind.Linear, cov.Get<Uplift.Models.Ranking.CrmOptions>().Drm.Scorer);
        Assert.Equal(Uplift.Models.Ranking.ScorerKind.Mlp, cen.Get<Uplift.Models.Ranking.DrmOptions>().Scorer);
        Assert.Equal([92], cen.Get<Uplift.Models.Ranking.CrmOptions>().Drm.HiddenSizes);
        Assert.Equal(0.4, cov.Get<Uplift.Models.Ranking.CrmOptions>().TopFraction);
        Assert.Equal(Uplift.Engine.Objective.Ratio, cov.Get<Uplift.Models.Ranking.DrmOptions>().Objective);
        Assert.Equal([0.001, 0.005, 0.01, 0.05], cov.Get<Uplift.Models.Meta.DualityRLearnerOptions>().Lambdas);
        Assert.Equal(Uplift.Models.Meta.BaseLearnerKind.Ridge, cov.Get<Uplift.Models.Meta.RLearnerOptions>().BaseLearner);
        Assert.Equal(Uplift.Models.Meta.RLearnerOutcome.Value, cov.Get<Uplift.Models.Meta.RLearnerOptions>().Outcome);
        Assert.Equal(60, cov.Get<Uplift.Models.Forest.CausalForestOptions>().NumTrees);
        Assert.Equal(0.2, cov.Get<Uplift.Models.Forest.CausalForestOptions>().Alpha);
        Assert.Equal(3, cov.Get<Uplift.Models.Forest.CausalForestOptions>().MinNodeSize);
    }

    [Fact]
    public void Paper_reference_is_method_section_8()
    {
        Assert.Equal(0.915, PaperReference.Aucc("covertype", "crm"));
        Assert.Equal(0.687, PaperReference.Aucc("census", "crm"));
        Assert.Equal(0.510, PaperReference.Aucc("census", "causal-forest"));
        Assert.Equal(0.779, PaperReference.Aucc("covertype", "rlearner"));
        Assert.Null(PaperReference.Aucc("covertype", "best"));
    }

    [Fact]
    public void Seed_statistics()
    {
        Assert.Equal(2.776, Stats.T975(4));
        Assert.InRange(Stats.T975(60), 1.999, 2.001); // 2.000 in tables
        Assert.Equal(Math.Sqrt(2.5), Stats.SampleSd([1, 2, 3, 4, 5]), 12);
        var (lo, hi) = Stats.TInterval([1, 2, 3, 4, 5]);
        Assert.Equal(3 - 2.776 * Math.Sqrt(2.5) / Math.Sqrt(5), lo, 12);
        Assert.Equal(3 + 2.776 * Math.Sqrt(2.5) / Math.Sqrt(5), hi, 12);
        Assert.True(double.IsNaN(Stats.TInterval([0.3]).Lower));
    }

    [Fact]
    public void Rank_average_is_the_mean_normalised_rank_with_ties_averaged()
    {
        var r = PaperBenchmark.RankAverage([[0.1, 0.5, 0.9], [3.0, 1.0, 2.0]]);
        Assert.Equal([0.5, 0.25, 0.75], r.Select(x => Math.Round(x, 12)));
        var ties = PaperBenchmark.RankAverage([[1.0, 1.0, 2.0, 0.0]]);
        Assert.Equal([0.5, 0.5, 1.0, 0.0], ties.Select(x => Math.Round(x, 12)));
    }
}
