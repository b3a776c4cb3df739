using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;
using Uplift.Models;
using Uplift.Persistence;
using Uplift.Reporting;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift report</c>: one self-contained HTML page (no network access needed) comparing one or more model files on
/// evaluation data: cost curves, AUCC with bootstrap intervals, paired differences, value at fixed cost shares, an
/// optional budget plan and permutation feature importance, and the data summary. With several arms in the data each model
/// is shown by its budget path (multi-arm cost curve and AUCC, value at fixed budgets, how the budget splits across arms), and
/// the plan (--plan-budget) is the multi-arm plan of the first model (<see cref="MultiArmPlan"/>, priced on --data).
/// </summary>
static class ReportCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Evaluation data with treatment, value and cost (held-out users of a randomized campaign).", Required = true };
        var models = new Option<string[]>("--model")
        {
            Description = "Model file(s) written by 'uplift train'; repeat the option for several models.",
            Required = true, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = true,
        };
        var names = new Option<string?>("--names") { Description = "Display names of the models, comma-separated, in --model order (default: the file names)." };
        var treatment = new Option<string?>("--treatment") { Description = "Treatment column of --data (default: the first model file's)." };
        var control = Common.Control();
        control.Description += " Default: the first model file's (when it was trained with --control).";
        var value = new Option<string?>("--value") { Description = "Value column of --data (default: the first model file's)." };
        var cost = new Option<string?>("--cost") { Description = "Cost column of --data (default: the first model file's)." };
        var oracle = new Option<string?>("--oracle")
        {
            Description = "Column of oracle scores (true tau_v / tau_c, synthetic data only, e.g. oracle_score); with several arms, the prefix P of the " +
                "true effect columns P_v_LABEL and P_c_LABEL (e.g. tau).",
        };
        var importance = new Option<string?>("--importance") { Description = "Add the permutation feature importance of this model (a name from --names or a file name)." };
        var repeats = new Option<int>("--importance-repeats") { Description = "Shuffles per feature for --importance.", DefaultValueFactory = _ => 3 };
        var planBudget = new Option<double?>("--plan-budget") { Description = "Add a budget plan for the first model with this budget on the incremental cost (with several arms: the budget path across arms, per arm with intervals, against the best single arm and random allocation)." };
        var planExplore = new Option<double>("--plan-explore") { Description = "Explore share of the plan.", DefaultValueFactory = _ => 0.1 };
        var planSpend = new Option<double?>("--plan-spend-confidence")
        {
            Description = "Several arms: hold budget back so that the plan's spend stays within --plan-budget at this confidence (as 'uplift plan --spend-confidence').",
        };
        var candidates = new Option<string?>("--candidates") { Description = "Candidates the plan is made for (default: the users of --data)." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap replicates of every interval.", DefaultValueFactory = _ => 200 };
        var title = new Option<string>("--title") { Description = "Title of the page.", DefaultValueFactory = _ => "Uplift report" };
        var output = new Option<string>("--out") { Description = "HTML file to write.", Required = true };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var cmd = new Command("report",
            "Write one self-contained HTML report: cost curves, AUCC with bootstrap intervals and paired differences, value at fixed " +
            "cost shares, an optional budget plan and feature importance, and the data summary.")
        {
            data, models, names, treatment, control, value, cost, oracle, importance, repeats, planBudget, planExplore, planSpend, candidates,
            bootstrap, title, output, seed, threads, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var paths = r.GetValue(models) ?? [];
            UpliftOptionException.Check(paths.Length > 0, "--model", "name at least one model file.");
            var shown = Common.SplitList(r.GetValue(names))?.ToArray() ?? paths.Select(DefaultName).ToArray();
            UpliftOptionException.Check(shown.Length == paths.Length, "--names", $"give one name per model ({paths.Length}), got {shown.Length}.");
            UpliftOptionException.Check(shown.Distinct(StringComparer.Ordinal).Count() == shown.Length, "--names",
                "the model names must differ (give --names when two files share a name).");
            long s = r.GetValue(seed);
            int? th = r.GetValue(threads);
            int reps = r.GetValue(bootstrap);

            var table = TableReader.Read(r.GetValue(data)!);
            var files = paths.Select(p => ModelFile.Load(p)).ToArray();
            var stored = files[0].Preprocessor.Roles;
            var roles = new ColumnRoles(r.GetValue(treatment) ?? stored.Treatment, r.GetValue(value) ?? stored.Value, r.GetValue(cost) ?? stored.Cost)
            {
                Control = r.GetValue(control) ?? stored.Control,
            };
            var outcomes = OutcomeColumns.Read(table, roles);
            // Each model sees the data through its own preprocessing; T, V, C are the same for all.
            var datasets = files.Select(f =>
            {
                var d = f.Pipeline.Transform(table);
                return new Dataset(d.X, d.Rows, d.Features, d.FeatureNames, outcomes.T, outcomes.V, outcomes.C, arms: outcomes.Arms);
            }).ToArray();
            var scores = files.Select((f, k) => f.Model.Score(datasets[k], th)).ToArray();
            // One arm: the effects of the learners that estimate them, for the calibration test (DRM/CRM only rank).
            var effects = files.Select((f, k) =>
            {
                if (outcomes.Arms > 1 || f.Model is not IEffectModel em) return null;
                var tv = new double[datasets[k].Rows]; var tc = new double[datasets[k].Rows];
                em.PredictEffects(datasets[k], tv, tc, th);
                return new ReportEffects(tv, tc);
            }).ToArray();
            // Several arms (from the data): each model is shown by its budget path (METHOD.md section 10).
            bool multi = outcomes.Arms > 1;
            var armLabels = outcomes.Labels.ArmLabels;
            var armPaths = new Uplift.Allocation.BudgetPath?[files.Length];
            if (multi)
            {
                UpliftOptionException.Check(r.GetValue(importance) is null, "--importance", "the permutation importance is for one arm; it is not available with several arms yet.");
                for (int k = 0; k < files.Length; k++)
                {
                    var known = files[k].Preprocessor.ArmLabels;
                    if (known.Count != armLabels.Count || !known.Zip(armLabels).All(x => string.Equals(x.First, x.Second, StringComparison.OrdinalIgnoreCase)))
                        throw new UpliftDataException($"model '{shown[k]}' knows the arms {string.Join(", ", known)}, the data has {string.Join(", ", armLabels)}.", table.Source, column: roles.Treatment);
                    int m = k;
                    armPaths[k] = Experiment.Named(shown[k], () => Experiment.ArmPath(files[m].Model, datasets[m], th));
                }
            }

            ReportFeatureImportance? fi = null;
            if (r.GetValue(importance) is { } imp)
            {
                int k = Array.IndexOf(shown, imp);
                UpliftOptionException.Check(k >= 0, "--importance", $"'{imp}' is not one of the models: {string.Join(", ", shown)}.");
                fi = new ReportFeatureImportance(shown[k], FeatureImportance.Permutation(files[k].Model, datasets[k],
                    new PermutationOptions { Repeats = r.GetValue(repeats), Seed = s, MaxThreads = th }));
            }

            PlanSummary? planSummary = null;
            ArmPlanSummary? armPlan = null;
            if (r.GetValue(planSpend) is not null && !(multi && r.GetValue(planBudget) is not null))
                throw new UpliftOptionException("--plan-spend-confidence", "applies to the plan of a campaign with several arms (--plan-budget on data with several arms).");
            if (multi && r.GetValue(planBudget) is { } armBudget)
            {
                // The first model's budget path on the candidates, priced on the evaluation users (--data) per arm (MultiArmPlan).
                var m0 = (IMultiArmModel)files[0].Model;
                var cands = r.GetValue(candidates) is { } cp ? TableReader.Read(cp) : table;
                var (cv, cc) = PlanCommand.MultiArm.Effects(files[0], m0, cands, th);
                var (ev, ec) = PlanCommand.MultiArm.Effects(files[0], m0, table, th);
                var mp = MultiArmPlan.Build(cv, cc, cands.Rows, files[0].Preprocessor.ArmLabels, files[0].Preprocessor.ControlLabel,
                    new MultiArmEvalData(ev, ec, outcomes.T, outcomes.V, outcomes.C), new MultiArmPlanOptions
                    {
                        Budget = armBudget, Explore = r.GetValue(planExplore), BootstrapReplicates = Math.Max(100, reps), Seed = s, MaxThreads = th,
                        SpendConfidence = r.GetValue(planSpend),
                    });
                armPlan = new ArmPlanSummary(shown[0], mp);
            }
            else if (r.GetValue(planBudget) is { } budget)
            {
                double[] candidateScores = r.GetValue(candidates) is { } cpath ? files[0].Score(TableReader.Read(cpath), th) : scores[0];
                var plan = Plan.FromEvaluation(candidateScores, scores[0], outcomes.T, outcomes.V, outcomes.C, new PlanOptions
                {
                    Budget = budget, Explore = r.GetValue(planExplore), BootstrapReplicates = Math.Max(100, reps), Seed = s, MaxThreads = th,
                });
                planSummary = new PlanSummary(plan.Budget, plan.CutoffScore ?? double.PositiveInfinity, plan.ShareTreated,
                    plan.IncrementalValue, plan.IncrementalValueCi!.Value, plan.IncrementalCost, plan.IncrementalCostCi!.Value)
                {
                    Model = shown[0],
                    Users = plan.Candidates,
                    ConfidenceLevel = plan.ConfidenceLevel,
                    Note = string.Create(CultureInfo.InvariantCulture,
                        $"Explore share {plan.Explore:0.###} (half treated) plus exploit above the cut-off; per-user effects estimated on the {plan.EvaluationUsers:N0} evaluation users ({plan.EvaluationUsersAboveCutoff:N0} above the cut-off), intervals by a bootstrap stratified by arm. Ratio against random targeting: {plan.RatioVsRandom:0.###}{(plan.RatioVsRandomCi is { } rc ? string.Create(CultureInfo.InvariantCulture, $" (CI [{rc.Low:0.###}, {rc.High:0.###}])") : "")}.{(plan.Warnings.Count > 0 ? " " + string.Join(" ", plan.Warnings) : "")}"),
                };
            }

            var input = new ReportInput
            {
                Title = r.GetValue(title)!,
                Evaluation = datasets[0],
                Source = table.Source,
                Models = shown.Select((n, k) => new ReportModel(n, scores[k])
                {
                    ArmPath = armPaths[k], Effects = effects[k], Details = ReportModelDetails.FromModelFile(files[k]),
                }).ToArray(),
                MissingValues = MissingValueSummary.Compute(table, [.. files.Select(f => f.Preprocessor)]),
                OracleScores = !multi && r.GetValue(oracle) is { } oc ? OutcomeColumns.Numbers(table, oc, "oracle") : null,
                OraclePath = multi && r.GetValue(oracle) is { } prefix ? EvaluateCommand.ArmPath(table, prefix, armLabels) : null,
                ArmLabels = multi ? armLabels : null,
                ControlLabel = multi ? outcomes.Labels.ControlLabel : "control",
                Options = new ReportOptions { BootstrapReplicates = reps, Seed = s, MaxThreads = th },
                FeatureImportance = fi,
                Plan = planSummary,
                ArmPlan = armPlan,
                CommandLine = "uplift " + string.Join(' ', r.Tokens.Select(t => t.Value)),
            };
            string path = r.GetValue(output)!;
            HtmlReport.Write(path, input);
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["out"] = path, ["rows"] = table.Rows,
                    ["models"] = new JsonArray([.. shown.Select(n => (JsonNode)JsonValue.Create(n)!)]),
                    ["plan"] = planSummary is not null || armPlan is not null, ["importance"] = fi?.ModelName,
                    ["arm_plan"] = armPlan?.Plan.ToJson(),
                });
            else
                Console.WriteLine($"report of {shown.Length} model(s) on {table.Rows} users -> {path}");
            return Common.ExitOk;
        }));
        return cmd;
    }

    static string DefaultName(string path)
    {
        string name = Path.GetFileName(path);
        foreach (var ext in new[] { ".json", ".model" })
            if (name.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) name = name[..^ext.Length];
        return name;
    }
}
