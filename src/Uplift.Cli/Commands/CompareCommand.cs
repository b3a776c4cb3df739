using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Experiments;
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

            var roles = columns.Roles(r);
            var load = columns.LoadOptions(r);
            var table = CampaignData.ReadTable(columns.Data(r), roles, load.Read);
            long seed0 = r.GetValue(seed);
            var progress = new ConsoleProgress();
            var result = Experiment.Run(table, roles, [.. kinds.Select(k => ExperimentLearner.FromCatalog(k, settings))],
                new ExperimentOptions { Repeats = n, FirstSeed = seed0, ScoreValidation = false },
                Common.Context(seed0, r.GetValue(threads), progress), load);
            progress.Finish();
            var firstCurves = result.Repeats[0].Runs.Select(x => ScoreRow.From(x.Learner, x.Test!)).ToList();
            var written = r.GetValue(plot) is { } p
                ? ScoreRow.WritePlot(p, firstCurves, "Cost curves (test split, first repeat)", $"{table.Rows} users, seed {seed0}")
                : [];

            if (r.GetValue(json))
            {
                Common.WriteJson(new JsonObject
                {
                    ["data"] = table.Source, ["rows"] = table.Rows, ["repeats"] = n, ["seed"] = seed0,
                    ["results"] = new JsonArray([.. result.Learners.Select(x => (JsonNode)new JsonObject
                    {
                        ["model"] = x.Learner,
                        ["test_aucc_mean"] = x.TestAuccMean,
                        ["test_aucc_sd"] = x.TestAuccSd,
                        ["test_aucc"] = new JsonArray([.. x.TestAucc.Select(a => (JsonNode)a)]),
                        ["value_at_20pct_cost"] = Value20(x),
                        ["fit_seconds"] = x.FitSecondsMean,
                    })]),
                    ["plots"] = new JsonArray([.. written.Select(w => (JsonNode)JsonValue.Create(w)!)]),
                });
                return Common.ExitOk;
            }
            Console.WriteLine($"{table.Source}: {table.Rows} users; {n} repeat(s) of a 60/20/20 split, seeds {seed0}..{seed0 + n - 1}; test split AUCC:");
            var text = new TextTable("model", "test AUCC", "sd", "value@20% cost", "fit s");
            foreach (var x in result.Learners.OrderByDescending(x => x.TestAuccMean))
                text.Add(x.Learner, Common.F3(x.TestAuccMean), Common.F3(x.TestAuccSd), Common.F3(Value20(x)), Common.F1(x.FitSecondsMean));
            Console.Write(text);
            foreach (var w in written) Console.WriteLine($"plot: {w}");
            return Common.ExitOk;
        }));
        return cmd;
    }

    static double Value20(LearnerSummary x) => x.ValueAtMean[1].Value; // the standard shares are 10, 20 and 30 %
}
