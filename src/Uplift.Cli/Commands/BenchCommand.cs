using Uplift.Models.Ranking;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Uplift.Paper;
using Uplift.Evaluation;
using Uplift.IO;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift bench paper</c>: the paper's experiments on Covertype and US Census (METHOD.md sections 7-8)
/// through <see cref="PaperBenchmark"/>. Prints each construction's summary and the table next to the
/// paper's numbers, the paired CRM differences, writes one cost-curve plot per data set and a Markdown report.
/// </summary>
static class BenchCommand
{
    public static Command Create() => new("bench", "Benchmarks.") { PaperCommand() };

    static Command PaperCommand()
    {
        var covertype = new Option<string?>("--covertype") { Description = "UCI covtype.data (plain or gzip)." };
        var census = new Option<string?>("--census") { Description = "UCI USCensus1990.data.txt (plain or gzip)." };
        var seeds = new Option<int>("--seeds") { Description = "Seeds per data set (Covertype: split and learners; US Census: learners only).", DefaultValueFactory = _ => 5 };
        var firstSeed = new Option<int>("--first-seed") { Description = "The first seed; the others follow.", DefaultValueFactory = _ => 1 };
        var segments = new Option<int>("--segments") { Description = "Cost-curve segments (the paper: 10).", DefaultValueFactory = _ => 10 };
        var steps = new Option<int>("--steps") { Description = "Adam steps of every DRM and CRM fit.", DefaultValueFactory = _ => 1500 };
        var restarts = new Option<int>("--restarts") { Description = "Restarts of every DRM and CRM fit (the 2020 code's 5).", DefaultValueFactory = _ => 5 };
        var selection = new Option<string?>("--selection") { Description = "How every DRM and CRM fit keeps its parameters: aucc (validation AUCC, default) or objective (validation objective, METHOD.md as written)." };
        var evalEvery = new Option<int?>("--eval-every") { Description = "Steps between validation snapshots of every DRM and CRM fit (0 = final parameters only)." };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Adam learning rate of every DRM and CRM fit (default 0.01)." };
        var baseline = new Option<string?>("--baseline") { Description = "Outcome baseline of every DRM and CRM fit: none (default, the papers' raw outcomes) or linear." };
        var forestTrees = new Option<int?>("--forest-trees") { Description = "Trees of each causal forest (default: the paper's 60)." };
        var noBest = new Option<bool>("--no-best") { Description = "Skip the 'best' search (only the paper's methods)." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Paired bootstrap replicates on the first seed's test set (0 = none).", DefaultValueFactory = _ => 200 };
        var covCost = new Option<string>("--covertype-cost") { Description = "Covertype cost: auto (positive incremental cost), lodgepole (paper's text), spruce-fir (authors' code).", DefaultValueFactory = _ => "auto" };
        var cenCost = new Option<string>("--census-cost") { Description = "US Census cost: minus-children (1 - iFertil) or authors (2 - iFertil).", DefaultValueFactory = _ => "minus-children" };
        var constructOnly = new Option<bool>("--construct-only") { Description = "Only build the constructions and print their summaries (no training)." };
        var outDir = new Option<string>("--out-dir") { Description = "Folder for the plots and report.md.", DefaultValueFactory = _ => "bench-paper" };
        var threads = Common.Threads();
        var json = Common.Json();
        var cmd = new Command("paper", "Reproduce the paper's table on Covertype and/or US Census (5 seeds), next to the paper's numbers, plus our best.")
        {
            covertype, census, seeds, firstSeed, segments, steps, restarts, selection, evalEvery, learningRate, baseline, forestTrees, noBest, bootstrap, covCost, cenCost, constructOnly, outDir, threads, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var progress = new ConsoleProgress();
            var options = new PaperBenchmarkOptions
            {
                CovertypePath = r.GetValue(covertype),
                CensusPath = r.GetValue(census),
                Seeds = r.GetValue(seeds),
                FirstSeed = r.GetValue(firstSeed),
                Segments = r.GetValue(segments),
                Steps = r.GetValue(steps),
                Restarts = r.GetValue(restarts),
                EvalEvery = r.GetValue(evalEvery),
                LearningRate = r.GetValue(learningRate),
                Baseline = r.GetValue(baseline) is { } b ? RankingNames.Baseline.Parse(b, "--baseline") : null,
                Selection = r.GetValue(selection) is { } sel ? RankingNames.Selection.Parse(sel, "--selection") : null,
                CausalForestTrees = r.GetValue(forestTrees),
                Best = !r.GetValue(noBest),
                BootstrapReplicates = r.GetValue(bootstrap),
                CovertypeCost = PaperNames.CovertypeCost.Parse(r.GetValue(covCost)!, "--covertype-cost"),
                CensusCost = PaperNames.CensusCost.Parse(r.GetValue(cenCost)!, "--census-cost"),
                MaxThreads = r.GetValue(threads),
                Progress = progress,
            };
            UpliftOptionException.Check(options.CovertypePath is not null || options.CensusPath is not null, "--covertype/--census",
                "give at least one data set (either may be omitted, not both).");
            if (r.GetValue(constructOnly)) return PrintConstructions(options, r.GetValue(json));
            var started = DateTime.UtcNow;
            var result = PaperBenchmark.Run(options);
            progress.Finish();

            string dir = r.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            var plots = new List<string>();
            foreach (var d in result.Datasets) plots.AddRange(WritePlots(dir, d));
            string command = "uplift " + string.Join(" ", Environment.GetCommandLineArgs().Skip(1).Select(Quote));
            string report = Path.Combine(dir, "report.md");
            AtomicFile.WriteAllText(report, Markdown(result, options, command, started));

            if (r.GetValue(json))
            {
                Common.WriteJson(new JsonArray([.. result.Rows.Select(x => (JsonNode)RowJson(x))]));
                return Common.ExitOk;
            }
            foreach (var d in result.Datasets)
            {
                foreach (var line in d.Summary.ToLines()) Console.WriteLine(line);
                Console.WriteLine($"  seeds: {d.SeedNote}");
                Console.WriteLine();
                Console.Write(Table(d).ToString());
                Console.WriteLine();
                Console.Write(DifferenceTable(d).ToString());
                if (d.Methods.FirstOrDefault(m => m.Chosen is not null) is { } best)
                    Console.WriteLine($"best = {best.Chosen![0]} (the highest AUCC on the judging half of the validation users, mean over the seeds)");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{d.Dataset}: {d.Seconds:0} s in all"));
                Console.WriteLine();
            }
            Console.WriteLine("AUCC: area under the cost curve on the test split (METHOD.md section 6); random = 0.5. sd over seeds; " +
                              "CRM - other: paired per seed, 95 % t-interval over seeds, and a paired bootstrap on the first seed's test set.");
            Console.WriteLine($"plots: {string.Join(", ", plots)}");
            Console.WriteLine($"report: {report}");
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>--construct-only: builds each construction (first seed's split) and prints its summary.</summary>
    static int PrintConstructions(PaperBenchmarkOptions o, bool json)
    {
        var summaries = new List<ConstructionSummary>();
        if (o.CovertypePath is { } cov)
            summaries.Add(CovertypeConstruction.Load(cov, new CovertypeOptions { Cost = o.CovertypeCost, Seed = o.FirstSeed }).Summary);
        if (o.CensusPath is { } cen)
            summaries.Add(CensusConstruction.Load(cen, new CensusOptions { Cost = o.CensusCost }).Summary);
        if (json)
        {
            Common.WriteJson(new JsonArray([.. summaries.Select(s => (JsonNode)new JsonObject
            {
                ["name"] = s.Name,
                ["file"] = s.File,
                ["rows_read"] = s.RowsRead,
                ["filters"] = new JsonArray([.. s.Filters.Select(f => (JsonNode)new JsonObject { ["step"] = f.Description, ["rows_kept"] = f.RowsKept })]),
                ["rows_kept"] = s.RowsKept,
                ["treated_share"] = s.TreatedShare,
                ["incremental_value"] = s.IncrementalValue,
                ["incremental_cost"] = s.IncrementalCost,
                ["cost_convention"] = s.CostConvention,
                ["train_rows"] = s.TrainRows, ["validation_rows"] = s.ValidationRows, ["test_rows"] = s.TestRows,
            })]));
            return Common.ExitOk;
        }
        foreach (var s in summaries)
        {
            foreach (var line in s.ToLines()) Console.WriteLine(line);
            Console.WriteLine();
        }
        return Common.ExitOk;
    }

    static string Quote(string a) => a.Length > 0 && a.All(ch => char.IsLetterOrDigit(ch) || "-_./=:,".Contains(ch)) ? a : $"'{a}'";

    static string F3(double x) => Common.F3(x);
    static string Signed(double x) => double.IsNaN(x) ? "n/a" : x.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture);
    static string Interval(double lo, double hi) => double.IsNaN(lo) ? "n/a" : $"[{Signed(lo)}, {Signed(hi)}]";
    static string MeanSd(PaperMethodResult m) =>
        double.IsNaN(m.TestAuccSd) ? F3(m.TestAuccMean) : $"{F3(m.TestAuccMean)} ± {F3(m.TestAuccSd)}";

    static TextTable Table(PaperDatasetResult d)
    {
        var t = new TextTable("method", "paper", "test AUCC (mean ± sd)", "valid AUCC", "value@20% cost", "fit s");
        foreach (var m in d.Methods)
            t.Add(m.Method, m.PaperAucc is { } p ? F3(p) : "-", MeanSd(m), F3(m.ValidAuccMean), F3(m.ValueAt20Mean), Common.F1(m.FitSecondsMean));
        return t;
    }

    static TextTable DifferenceTable(PaperDatasetResult d)
    {
        var t = new TextTable("CRM - other", "mean over seeds", "95% t-interval", "bootstrap 95% (seed 1)", "CRM ahead in seeds");
        foreach (var x in d.Differences)
            t.Add(x.Other, Signed(x.Mean), Interval(x.Lower, x.Upper),
                x.FirstSeedBootstrap is { } b ? Interval(b.Lower, b.Upper) : "n/a",
                $"{x.PerSeed.Count(v => v > 0)}/{x.PerSeed.Count}");
        return t;
    }

    static IEnumerable<string> WritePlots(string dir, PaperDatasetResult d)
    {
        var curves = d.Curves.Where(c => c.Name != "random").ToList();
        var seed = d.Methods[0].Seeds[0];
        var options = CostCurvePlotOptions.Default with
        {
            Subtitle = $"{d.Summary.Name}, test split of seed {seed} ({d.Summary.TestRows:N0} users)",
        };
        string title = $"Cost curves: {d.Summary.Name}";
        string svg = Path.Combine(dir, $"{d.Dataset}-cost-curves.svg"), png = Path.Combine(dir, $"{d.Dataset}-cost-curves.png");
        CostCurvePlot.WriteSvg(svg, curves, title, options);
        CostCurvePlot.WritePng(png, curves, title, options);
        return [svg, png];
    }

    internal static JsonObject RowJson(PaperMethodResult m) => new()
    {
        ["dataset"] = m.Dataset,
        ["method"] = m.Method,
        ["test_aucc_mean"] = m.TestAuccMean,
        ["test_aucc_sd"] = double.IsNaN(m.TestAuccSd) ? null : m.TestAuccSd,
        ["valid_aucc_mean"] = m.ValidAuccMean,
        ["value_at_20pct_cost"] = m.ValueAt20Mean,
        ["fit_seconds"] = m.FitSecondsMean,
        ["paper_aucc"] = m.PaperAucc,
        ["seeds"] = new JsonArray([.. m.Seeds.Select(s => (JsonNode)s)]),
        ["test_aucc_per_seed"] = new JsonArray([.. m.TestAucc.Select(s => (JsonNode)s)]),
        ["chosen"] = m.Chosen is null ? null : new JsonArray([.. m.Chosen.Select(s => (JsonNode)s)]),
    };

    /// <summary>The Markdown report: construction summaries, tables, differences, plots and the command.</summary>
    internal static string Markdown(PaperBenchmarkResult result, PaperBenchmarkOptions options, string command, DateTime startedUtc)
    {
        var sb = new StringBuilder();
        var ci = CultureInfo.InvariantCulture;
        sb.AppendLine("# Paper benchmark (METHOD.md sections 7-8)").AppendLine();
        sb.AppendLine($"Command: `{command}`  ").AppendLine(string.Create(ci, $"Started {startedUtc:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, {options.Seeds} seed(s) from {options.FirstSeed}, {options.Segments} cost-curve segments."));
        sb.AppendLine();
        foreach (var d in result.Datasets)
        {
            sb.AppendLine($"## {d.Summary.Name}").AppendLine();
            sb.AppendLine("```");
            foreach (var line in d.Summary.ToLines()) sb.AppendLine(line);
            sb.AppendLine($"  seeds: {d.SeedNote}");
            sb.AppendLine("```").AppendLine();
            sb.AppendLine("| method | paper | test AUCC mean ± sd | valid AUCC | value at 20 % cost | fit s | settings |");
            sb.AppendLine("|---|---:|---:|---:|---:|---:|---|");
            foreach (var m in d.Methods)
                sb.AppendLine(string.Create(ci,
                    $"| {m.Method} | {(m.PaperAucc is { } p ? F3(p) : "-")} | {MeanSd(m)} | {F3(m.ValidAuccMean)} | {F3(m.ValueAt20Mean)} | {m.FitSecondsMean:0.0} | {m.Settings} |"));
            sb.AppendLine();
            sb.AppendLine("Per-seed test AUCC:").AppendLine();
            sb.AppendLine("| method | " + string.Join(" | ", d.Methods[0].Seeds.Select(s => $"seed {s}")) + " |");
            sb.AppendLine("|---|" + string.Concat(d.Methods[0].Seeds.Select(_ => "---:|")));
            foreach (var m in d.Methods) sb.AppendLine($"| {m.Method} | " + string.Join(" | ", m.TestAucc.Select(F3)) + " |");
            sb.AppendLine();
            sb.AppendLine("Paired differences of test AUCC, CRM minus the other method (same split and users within a seed):").AppendLine();
            sb.AppendLine("| other | mean | 95 % t-interval over seeds | paired bootstrap 95 % (first seed) | CRM ahead in seeds |");
            sb.AppendLine("|---|---:|---:|---:|---:|");
            foreach (var x in d.Differences)
                sb.AppendLine($"| {x.Other} | {Signed(x.Mean)} | {Interval(x.Lower, x.Upper)} | " +
                              $"{(x.FirstSeedBootstrap is { } b ? Interval(b.Lower, b.Upper) : "n/a")} | {x.PerSeed.Count(v => v > 0)}/{x.PerSeed.Count} |");
            sb.AppendLine();
            if (d.Methods.FirstOrDefault(m => m.Chosen is not null) is { } best)
            {
                sb.AppendLine("\"best\": every candidate is fitted with one half of the validation users (its snapshots, restarts or lambda) and judged");
                sb.AppendLine("on the other half (stratified, seeded); the candidate with the highest judging AUCC averaged over the seeds is the row. Its fit time");
                sb.AppendLine("is the whole search; its valid AUCC is on the judging half.");
                sb.AppendLine();
                sb.AppendLine("| candidate | judging AUCC (mean over seeds) |");
                sb.AppendLine("|---|---:|");
                foreach (var c in d.BestCandidates)
                    sb.AppendLine($"| {c.Name}{(c.Name == best.Chosen![0] ? " (chosen)" : "")} | {F3(c.JudgeAuccMean)} |");
                sb.AppendLine();
            }
            sb.AppendLine($"![cost curves]({d.Dataset}-cost-curves.svg)").AppendLine();
            sb.AppendLine(string.Create(ci, $"Wall time for {d.Summary.Name}: {d.Seconds:0} s.")).AppendLine();
        }
        return sb.ToString();
    }
}
