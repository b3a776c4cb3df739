using System.CommandLine;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift compare</c>: trains a list of models on one split per repeat (one seed per repeat), evaluates
/// all of them on that repeat's test split, and prints the AUCC table (mean and spread over repeats, value
/// at 20 % of the cost) plus one plot with every cost curve of the first repeat.
/// </summary>
static class CompareCommand
{
    public static Command Create()
    {
        var columns = new CampaignColumns();
        var models = new Option<string>("--models")
        {
            Description = $"Models to compare, comma-separated, from: {string.Join(", ", LearnerCatalog.Names)}.",
            DefaultValueFactory = _ => "drm,crm,rlearner,duality-rlearner,tlearner,causal-forest",
        };
        var repeats = new Option<int>("--repeats") { Description = "Repeats, each with its own split and seed (seed, seed+1, ...).", DefaultValueFactory = _ => 3 };
        var plot = new Option<string?>("--plot") { Description = "Write the first repeat's cost curves to this .svg or .png (no extension: both)." };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var learnerOptions = new LearnerOptions();
        var cmd = new Command("compare", "Train several models on the same splits and compare their test AUCC (mean and spread over repeats).")
        {
            models, repeats, plot, seed, threads, json,
        };
        columns.AddTo(cmd);
        learnerOptions.AddTo(cmd);
        cmd.SetAction(r => Common.Run(() =>
        {
            var kinds = Common.SplitList(r.GetValue(models))!.Select(k => Common.ModelName(k, "--models")).ToList();
            UpliftOptionException.Check(kinds.Count > 0, "--models", "name at least one model.");
            UpliftOptionException.Check(kinds.Distinct().Count() == kinds.Count, "--models", "name each model once.");
            int n = r.GetValue(repeats);
            UpliftOptionException.Check(n is >= 1 and <= 100, "--repeats", "must be between 1 and 100.");
            var settings = learnerOptions.Build(r, kinds); // unknown names and options for none of the models fail before any work

            var (table, roles) = columns.Read(r);
            long seed0 = r.GetValue(seed);
            var progress = new ConsoleProgress();
            var results = kinds.ToDictionary(k => k, _ => new List<(double Aucc, double Value20, double Seconds)>());
            var firstCurves = new List<ScoreRow>();
            for (int rep = 0; rep < n; rep++)
            {
                long s = seed0 + rep;
                var campaign = CampaignData.FromTable(table, roles, new CampaignLoadOptions { Split = new SplitOptions { Seed = s } });
                var context = Common.Context(s, r.GetValue(threads), progress);
                foreach (var kind in kinds)
                {
                    var clock = Stopwatch.StartNew();
                    var model = LearnerCatalog.Create(kind, settings).Fit(campaign.Train, campaign.Valid, context);
                    double seconds = clock.Elapsed.TotalSeconds;
                    var test = campaign.Test;
                    var row = ScoreRow.Evaluate(kind, model.Score(test, context.MaxThreads), test.T, test.V, test.C, CostCurveOptions.Default, 0, s);
                    results[kind].Add((row.Aucc, row.ValueAt20, seconds));
                    if (rep == 0) firstCurves.Add(row);
                }
            }
            progress.Finish();
            var written = r.GetValue(plot) is { } p
                ? ScoreRow.WritePlot(p, firstCurves, "Cost curves (test split, first repeat)", $"{table.Rows} users, seed {seed0}")
                : [];

            if (r.GetValue(json))
            {
                Common.WriteJson(new JsonObject
                {
                    ["data"] = table.Source, ["rows"] = table.Rows, ["repeats"] = n, ["seed"] = seed0,
                    ["results"] = new JsonArray([.. kinds.Select(k =>
                    {
                        var xs = results[k];
                        return (JsonNode)new JsonObject
                        {
                            ["model"] = k,
                            ["test_aucc_mean"] = xs.Average(x => x.Aucc),
                            ["test_aucc_sd"] = Sd(xs.Select(x => x.Aucc)),
                            ["test_aucc"] = new JsonArray([.. xs.Select(x => (JsonNode)x.Aucc)]),
                            ["value_at_20pct_cost"] = xs.Average(x => x.Value20),
                            ["fit_seconds"] = xs.Average(x => x.Seconds),
                        };
                    })]),
                    ["plots"] = new JsonArray([.. written.Select(w => (JsonNode)JsonValue.Create(w)!)]),
                });
                return Common.ExitOk;
            }
            Console.WriteLine($"{table.Source}: {table.Rows} users; {n} repeat(s) of a 60/20/20 split, seeds {seed0}..{seed0 + n - 1}; test split AUCC:");
            var text = new TextTable("model", "test AUCC", "sd", "value@20% cost", "fit s");
            foreach (var k in kinds.OrderByDescending(k => results[k].Average(x => x.Aucc)))
            {
                var xs = results[k];
                text.Add(k, Common.F3(xs.Average(x => x.Aucc)), Common.F3(Sd(xs.Select(x => x.Aucc))),
                    Common.F3(xs.Average(x => x.Value20)), Common.F1(xs.Average(x => x.Seconds)));
            }
            Console.Write(text);
            foreach (var w in written) Console.WriteLine($"plot: {w}");
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>Sample standard deviation (0 for one value).</summary>
    static double Sd(IEnumerable<double> values)
    {
        var xs = values.ToArray();
        if (xs.Length < 2) return 0;
        double m = xs.Average();
        return Math.Sqrt(xs.Sum(x => (x - m) * (x - m)) / (xs.Length - 1));
    }
}
