using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models;
using Uplift.Models.Auto;
using Uplift.Persistence;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift train</c>: data + column names + model options -> model file. Splits the rows (seeded,
/// stratified by arm) into train / validation / test, fits the preprocessing on train only, trains, and
/// reports validation and test AUCC (with several arms, the multi-arm AUCC of the model's budget path, METHOD.md
/// section 10, and the test value at 25/50/100 % of the full budget).
/// </summary>
static class TrainCommand
{
    public static Command Create()
    {
        var columns = new CampaignColumns();
        var model = new Option<string>("--model") { Description = $"Learner: {string.Join(", ", LearnerCatalog.Names)}.", Required = true };
        var validFraction = new Option<double>("--valid-fraction") { Description = "Share of rows for validation (restarts, hyper-parameters).", DefaultValueFactory = _ => 0.2 };
        var testFraction = new Option<double>("--test-fraction") { Description = "Share of rows held out for the test AUCC (0 = none).", DefaultValueFactory = _ => 0.2 };
        var output = new Option<string>("--out") { Description = "Model file to write (JSON).", Required = true };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var learnerOptions = new LearnerOptions();
        var observational = new ObservationalFlags();
        var cluster = new ClusterFlags();
        var cmd = new Command("train", "Train a model on a past randomized campaign and write the model file.")
        {
            model, validFraction, testFraction, output, seed, threads, json,
        };
        columns.AddTo(cmd);
        learnerOptions.AddTo(cmd);
        observational.AddTo(cmd);
        cluster.AddTo(cmd);
        cmd.SetAction(r => Common.Run(() =>
        {
            long s = r.GetValue(seed);
            double vf = r.GetValue(validFraction), tf = r.GetValue(testFraction);
            UpliftOptionException.Check(vf is > 0 and < 1, "--valid-fraction", "must be in (0, 1).");
            UpliftOptionException.Check(tf is >= 0 and < 1 && vf + tf < 1, "--test-fraction", "must be in [0, 1) and leave rows for training.");
            string kind = Common.ModelName(r.GetValue(model)!);
            var learner = LearnerCatalog.Create(kind, learnerOptions.Build(r, [kind]));

            var roles = columns.Roles(r);
            // Several files (a folder or a pattern) or --cluster: the partitioned training (docs/CLUSTER.md).
            if (cluster.Partitioned(r, columns.Data(r)))
                return PartitionedCommands.Train(r, cluster, columns.Data(r), roles, columns.LoadOptions(r).ExcludeFeatures, kind, learner, 1 - vf - tf, vf, s, r.GetValue(threads),
                    r.GetValue(output)!, r.GetValue(json));
            var obs = observational.Build(r, roles.Propensity is not null); // validation and test AUCC of observational data (METHOD.md section 11)
            var load = columns.LoadOptions(r);
            var table = CampaignData.ReadTable(columns.Data(r), roles, load.Read);
            var progress = new ConsoleProgress();
            int? th = r.GetValue(threads);
            var repeat = Experiment.Run(table, roles, [new ExperimentLearner(kind, learner)],
                new ExperimentOptions { TrainFraction = 1 - vf - tf, ValidFraction = vf, FirstSeed = s, Observational = obs },
                Common.Context(s, th, progress), load).Repeats[0];
            progress.Finish();
            var campaign = repeat.Split.Campaign!;
            var run = repeat.Runs[0];
            var fitted = run.Model;
            double fitSeconds = run.FitSeconds;

            // Missing feature values of the whole file (training, validation and test rows are all imputed the same way).
            var imputed = campaign.Preprocessor.Specs
                .Select(sp => (sp.Column, sp.Kind, Count: CountMissing(table[sp.Column])))
                .Where(x => x.Count > 0).ToList();

            var metrics = new JsonObject
            {
                ["fit_seconds"] = fitSeconds,
                ["train_rows"] = campaign.Train.Rows,
                ["valid_rows"] = campaign.Valid.Rows,
                ["test_rows"] = campaign.Test.Rows,
                ["valid_aucc"] = run.ValidAucc,
                ["train_rows_by_arm"] = TrainRowsByArm(campaign.Train.T, campaign.Preprocessor),
            };
            if (run.Test is { } test) metrics["test_aucc"] = test.Aucc;
            if (fitted is AutoModel auto) metrics["auto"] = AutoJson(auto);   // the choice with each candidate's fit seconds
            if (ObservationalFlags.Json(repeat.Observed) is { } oj) metrics["observational"] = oj;
            // Several arms: the AUCCs are the multi-arm AUCC of the model's budget path (METHOD.md section 10).
            int arms = campaign.Preprocessor.Arms;
            if (arms > 1)
            {
                metrics["arms"] = arms;
                metrics["multiarm"] = true;
                if (run.Test?.Arms is { } ma) metrics["test_value_at_budgets"] = ArmsJson.Budgets(ma, campaign.Preprocessor);
            }
            var options = new JsonObject
            {
                ["model"] = kind,
                ["args"] = string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
                ["valid_fraction"] = vf,
                ["test_fraction"] = tf,
            };
            string path = r.GetValue(output)!;
            // The validation cost curve prices 'plan'/'assign --budget' without --eval (null when undefined on these users).
            // A multi-arm model stores none: its plan reads the model's own per-arm effects (or --eval).
            var curve = arms > 1 ? null : ValidationCurve.TryCompute(run.ValidScores, campaign.Valid.T, campaign.Valid.V, campaign.Valid.C);
            new ModelFile(fitted, campaign.Preprocessor, s, options, metrics) { ValidationCurve = curve }.Save(path);

            if (r.GetValue(json))
            {
                var o = new JsonObject { ["model"] = kind, ["out"] = path, ["seed"] = s, ["features"] = campaign.Preprocessor.FeatureNames.Count };
                foreach (var (k, v) in metrics) o[k] = v?.DeepClone();
                if (arms > 1)
                {
                    o["arm_labels"] = new JsonArray([.. campaign.Preprocessor.ArmLabels.Select(a => (JsonNode)JsonValue.Create(a)!)]);
                    o["control_label"] = campaign.Preprocessor.ControlLabel;
                }
                o["imputed"] = new JsonArray([.. imputed.Select(x => (JsonNode)new JsonObject
                {
                    ["column"] = x.Column, ["count"] = x.Count, ["rows"] = table.Rows,
                    ["with"] = x.Kind == FeatureKind.Numeric ? "training mean" : "no category (all zeros)",
                })]);
                Common.WriteJson(o);
            }
            else
            {
                Console.WriteLine($"{kind}: trained on {campaign.Train.Rows} users ({campaign.Preprocessor.FeatureNames.Count} features) in {fitSeconds:0.0} s");
                string aucc = arms > 1 ? "multi-arm AUCC" : "AUCC";
                if (arms > 1) Console.WriteLine($"arms: {ArmsJson.Labels(campaign.Preprocessor)} against control '{campaign.Preprocessor.ControlLabel}'");
                Console.WriteLine($"validation {aucc} {Common.F3((double)metrics["valid_aucc"]!)} ({campaign.Valid.Rows} users)" +
                    (metrics["test_aucc"] is { } t ? $", test {aucc} {Common.F3((double)t)} ({campaign.Test.Rows} users)" : ""));
                foreach (var line in ObservationalFlags.Lines(repeat.Observed)) Console.WriteLine(line);
                if (fitted is AutoModel am) Console.Write(AutoText(am));
                if (run.Test?.Arms is { } ma)
                    foreach (var line in ArmsJson.BudgetLines(ma, campaign.Preprocessor.ArmLabels, campaign.Preprocessor.ControlLabel)) Console.WriteLine(line);
                if (imputed.Count > 0)
                    Console.WriteLine("imputed missing feature values: " + string.Join(", ", imputed.Select(x =>
                        $"{x.Column} {x.Count} of {table.Rows} ({(x.Kind == FeatureKind.Numeric ? "training mean" : "no category")})")));
                Console.WriteLine($"model: {path}");
            }
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>The choice of an auto fit and the runners-up, best judging-half AUCC first, skipped candidates last.</summary>
    internal static string AutoText(AutoModel m)
    {
        var ran = m.Candidates.Where(c => c.Ran).OrderByDescending(c => c.JudgeAucc!.Value).ToList();
        var skipped = m.Candidates.Where(c => !c.Ran).ToList();
        string limit = m.TimeLimitSeconds > 0 ? $"time limit {Common.F1(m.TimeLimitSeconds)} s" : "no time limit";
        var text = new System.Text.StringBuilder();
        text.AppendLine($"auto chose: {m.ChosenName} ({m.Chosen.Kind}), the highest AUCC on the judging half of the validation users; " +
            $"{ran.Count} of {m.Candidates.Count} candidates ran ({limit}):");
        var table = new TextTable("candidate", "tune AUCC", "judge AUCC", "fit s", "settings");
        foreach (var c in ran)
            table.Add((c.Name == m.ChosenName ? "* " : "  ") + c.Name, Common.F3(c.TuneAucc!.Value), Common.F3(c.JudgeAucc!.Value),
                Common.F1(c.Seconds ?? 0), c.Settings);
        foreach (var c in skipped)
            table.Add("  " + c.Name, "-", "-", c.Seconds is { } s ? Common.F1(s) : "-",
                c.Stopped ? "stopped at the time limit" : "not started: time limit spent");
        text.Append(table);
        return text.ToString();
    }

    /// <summary>The choice of an auto fit and every candidate, in run order, for --json.</summary>
    internal static JsonObject AutoJson(AutoModel m) => new()
    {
        ["chosen"] = m.ChosenName,
        ["chosen_kind"] = m.Chosen.Kind,
        ["time_limit_seconds"] = m.TimeLimitSeconds,
        ["candidates"] = new JsonArray([.. m.Candidates.Select(c => (JsonNode)new JsonObject
        {
            ["name"] = c.Name, ["kind"] = c.Kind, ["settings"] = c.Settings, ["ran"] = c.Ran, ["stopped"] = c.Stopped,
            ["tune_aucc"] = c.TuneAucc, ["judge_aucc"] = c.JudgeAucc, ["fit_seconds"] = c.Seconds,
        })]),
    };

    /// <summary>Training users per group, control first then the arms in label order: [{label, rows}, ...].</summary>
    static JsonArray TrainRowsByArm(byte[] t, Preprocessor pre)
    {
        var n = new int[pre.Arms + 1];
        foreach (var b in t) if (b < n.Length) n[b]++;
        return new JsonArray([.. Enumerable.Range(0, n.Length).Select(k => (JsonNode)new JsonObject
        {
            ["label"] = k == 0 ? pre.ControlLabel : pre.ArmLabels[k - 1], ["rows"] = n[k],
        })]);
    }

    static int CountMissing(RawColumn col)
    {
        int n = 0;
        for (int i = 0; i < col.Length; i++) if (col.IsMissing(i)) n++;
        return n;
    }
}
