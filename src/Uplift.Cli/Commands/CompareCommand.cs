using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Experiments;
using Uplift.Models;
using Uplift.Models.Auto;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift compare</c>: trains a list of models on one split per repeat (one seed per repeat), evaluates
/// all of them on that repeat's test split, and prints the AUCC table (mean and spread over repeats, value
/// at 20 % of the cost) plus one plot with every cost curve of the first repeat. With several arms in the data every
/// AUCC and curve is the multi-arm one of the model's budget path (METHOD.md section 10), with the value at 25/50/100 %
/// of the full budget.
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
        var reference = new Option<string?>("--reference")
        {
            Description = "Also print each model's test AUCC minus this model's, paired by repeat, with its 95 % t-interval over the repeats (e.g. --reference auto).",
        };
        var plot = new Option<string?>("--plot") { Description = "Write the first repeat's cost curves to this .svg or .png (no extension: both)." };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var learnerOptions = new LearnerOptions();
        var observational = new ObservationalFlags();
        var cmd = new Command("compare", "Train several models on the same splits and compare their test AUCC (mean and spread over repeats).")
        {
            models, repeats, reference, plot, seed, threads, json,
        };
        columns.AddTo(cmd);
        learnerOptions.AddTo(cmd);
        observational.AddTo(cmd);
        cmd.SetAction(r => Common.Run(() =>
        {
            var kinds = Common.SplitList(r.GetValue(models))!.Select(k => Common.ModelName(k, "--models")).ToList();
            UpliftOptionException.Check(kinds.Count > 0, "--models", "name at least one model.");
            UpliftOptionException.Check(kinds.Distinct().Count() == kinds.Count, "--models", "name each model once.");
            int n = r.GetValue(repeats);
            UpliftOptionException.Check(n is >= 1 and <= 100, "--repeats", "must be between 1 and 100.");
            string? refName = r.GetValue(reference) is { } rn ? Common.ModelName(rn, "--reference") : null;
            UpliftOptionException.Check(refName is null || kinds.Contains(refName), "--reference", $"'{refName}' is not one of --models.");
            var settings = learnerOptions.Build(r, kinds); // unknown names and options for none of the models fail before any work

            var roles = columns.Roles(r);
            var obs = observational.Build(r, roles.Propensity is not null);
            var load = columns.LoadOptions(r);
            var table = CampaignData.ReadTable(columns.Data(r), roles, load.Read);
            long seed0 = r.GetValue(seed);
            var progress = new ConsoleProgress();
            var result = Experiment.Run(table, roles, [.. kinds.Select(k => ExperimentLearner.FromCatalog(k, settings))],
                new ExperimentOptions { Repeats = n, FirstSeed = seed0, ScoreValidation = false, Observational = obs, Reference = refName },
                Common.Context(seed0, r.GetValue(threads), progress), load);
            progress.Finish();
            var firstCurves = result.Repeats[0].Runs.Select(x => ScoreRow.From(x.Learner, x.Test!)).ToList();
            var written = r.GetValue(plot) is { } p
                ? ScoreRow.WritePlot(p, firstCurves, "Cost curves (test split, first repeat)", $"{table.Rows} users, seed {seed0}")
                : [];

            // Several arms (from the data): every AUCC is the multi-arm AUCC of the model's budget path (METHOD.md section 10).
            var pre = result.Repeats[0].Split.Campaign!.Preprocessor;
            bool arms = pre.Arms > 1;
            // The metrics other tools report (docs/METRICS.md), on the first repeat's test users, in the order of --models.
            var first = result.Repeats[0];
            var metricRows = first.Runs.Select((x, i) => (x.Learner, Eval: x.Test!, VsFirst: i > 0 && i < first.RateVsFirst.Count ? first.RateVsFirst[i] : null)).ToList();
            if (r.GetValue(json))
            {
                var o = new JsonObject
                {
                    ["data"] = table.Source, ["rows"] = table.Rows, ["repeats"] = n, ["seed"] = seed0,
                    ["results"] = new JsonArray([.. result.Learners.Select(x =>
                    {
                        var row = new JsonObject
                        {
                            ["model"] = x.Learner,
                            ["test_aucc_mean"] = x.TestAuccMean,
                            ["test_aucc_sd"] = x.TestAuccSd,
                            ["test_aucc"] = new JsonArray([.. x.TestAucc.Select(a => (JsonNode)a)]),
                            ["value_at_20pct_cost"] = Value20(x),
                            ["fit_seconds"] = x.FitSecondsMean,
                        };
                        if (arms) row["value_at_budgets"] = BudgetMeans(result, x.Learner);
                        var autos = result.Runs(x.Learner).Select(f => f.Model).OfType<AutoModel>().ToList();
                        if (autos.Count > 0) row["auto_per_repeat"] = new JsonArray([.. autos.Select(a => (JsonNode)TrainCommand.AutoJson(a))]);
                        var mr = metricRows.First(m => m.Learner == x.Learner);
                        if (MetricsJson.Of(mr.Eval, mr.VsFirst, kinds[0]) is { } mj) row["metrics_first_repeat"] = mj;
                        return (JsonNode)row;
                    })]),
                    ["plots"] = new JsonArray([.. written.Select(w => (JsonNode)JsonValue.Create(w)!)]),
                };
                if (refName is not null)
                    o["paired"] = new JsonArray([.. result.Paired.Select(d => (JsonNode)new JsonObject
                    {
                        ["model"] = d.Model, ["reference"] = d.Reference, ["mean"] = d.Mean,
                        ["lower"] = double.IsNaN(d.Lower) ? null : d.Lower, ["upper"] = double.IsNaN(d.Upper) ? null : d.Upper,
                        ["per_repeat"] = new JsonArray([.. d.PerRepeat.Select(v => (JsonNode)v)]),
                    })]);
                if (ObservationalFlags.Json(first.Observed) is { } oj) o["observational_first_repeat"] = oj;
                if (arms)
                {
                    o["arms"] = pre.Arms;
                    o["multiarm"] = true;
                    o["arm_labels"] = new JsonArray([.. pre.ArmLabels.Select(a => (JsonNode)JsonValue.Create(a)!)]);
                    o["control_label"] = pre.ControlLabel;
                }
                Common.WriteJson(o);
                return Common.ExitOk;
            }
            string aucc = arms ? "multi-arm AUCC" : "AUCC";
            Console.WriteLine($"{table.Source}: {table.Rows} users; {n} repeat(s) of a 60/20/20 split, seeds {seed0}..{seed0 + n - 1}; test split {aucc}:");
            if (arms) Console.WriteLine($"arms: {ArmsJson.Labels(pre)} against control '{pre.ControlLabel}'");
            var text = arms
                ? new TextTable("model", "test multi-arm AUCC", "sd", "value@20% cost", "value@50% budget", "fit s")
                : new TextTable("model", "test AUCC", "sd", "value@20% cost", "fit s");
            foreach (var x in result.Learners.OrderByDescending(x => x.TestAuccMean))
                if (arms)
                    text.Add(x.Learner, Common.F3(x.TestAuccMean), Common.F3(x.TestAuccSd), Common.F3(Value20(x)),
                        Common.F3((double)BudgetMeans(result, x.Learner)[1]!["value"]!), Common.F1(x.FitSecondsMean));
                else
                    text.Add(x.Learner, Common.F3(x.TestAuccMean), Common.F3(x.TestAuccSd), Common.F3(Value20(x)), Common.F1(x.FitSecondsMean));
            Console.Write(text);
            if (refName is not null)
            {
                Console.WriteLine($"test {aucc} minus {refName}'s, paired by repeat (95 % t-interval over the repeats):");
                var pt = new TextTable("model", "mean", "95% interval");
                foreach (var d in result.Paired)
                    pt.Add(d.Model, Common.F3(d.Mean), double.IsNaN(d.Lower) ? "n/a (one repeat)" : $"({Common.F3(d.Lower)}, {Common.F3(d.Upper)})");
                Console.Write(pt);
            }
            foreach (var x in result.Learners)
            {
                var autos = result.Runs(x.Learner).Select(f => f.Model).OfType<AutoModel>().ToList();
                if (autos.Count > 0)
                    Console.WriteLine($"{x.Learner} chose, per repeat: " + string.Join("; ", autos.Select((a, i) =>
                        $"{i + 1}: {a.ChosenName} (judge AUCC {Common.F3(a.Candidates.First(c => c.Name == a.ChosenName).JudgeAucc!.Value)}, {a.Candidates.Count(c => c.Ran)} of {a.Candidates.Count} ran)")));
            }
            foreach (var line in ObservationalFlags.Lines(first.Observed)) Console.WriteLine(line);
            if (metricRows.Any(m => m.Eval.Metrics is not null))
            {
                Console.WriteLine($"metrics of the first repeat's test users (value V; RATE on doubly robust scores; the RATE difference against '{kinds[0]}' is paired; calib. b: grf's differential coefficient, 1 = calibrated):");
                Console.Write(MetricsJson.Table(metricRows));
            }
            foreach (var w in written) Console.WriteLine($"plot: {w}");
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>The held-out value and cost at 25/50/100 % of the full budget (<see cref="MultiArmEvaluation.ValueAtBudgets"/>), mean over the repeats.</summary>
    static JsonArray BudgetMeans(ExperimentResult result, string learner)
    {
        var evals = result.Runs(learner).Select(x => x.Test?.Arms).OfType<MultiArmEvaluation>().ToArray();
        if (evals.Length == 0) return [];
        return new JsonArray([.. evals[0].ValueAtBudgets.Select((b, i) => (JsonNode)new JsonObject
        {
            ["share"] = b.Share,
            ["value"] = evals.Average(e => e.ValueAtBudgets[i].Value),
            ["cost"] = evals.Average(e => e.ValueAtBudgets[i].Cost),
            ["budget"] = evals.Average(e => e.ValueAtBudgets[i].Budget),
        })]);
    }

    static double Value20(LearnerSummary x) => x.ValueAtMean[1].Value; // the standard shares are 10, 20 and 30 %
}
