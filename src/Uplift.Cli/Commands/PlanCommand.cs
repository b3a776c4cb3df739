using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Models;
using Uplift.Persistence;
using Uplift.IO;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift plan</c>: scores the candidates and picks the score cut-off whose expected incremental cost spends the
/// budget (METHOD.md section 9), with the expected incremental value and cost, their bootstrap intervals and the ratio
/// against random targeting. The per-user effects come from evaluation data (--eval, with T, V, C) scored by the same
/// model, else from the model's validation cost curve (kept in the model file by 'uplift train'), else from the model's
/// own tau_v, tau_c estimates when it has them. The source is in the output ("effects: ...") and in --json ("source").
/// Warnings (e.g. a budget that cannot be spent) go to standard error and to the plan's "warnings".
/// </summary>
static class PlanCommand
{
    /// <summary>The options shared by plan, assign and report for building a plan.</summary>
    internal sealed class PlanOptionSet
    {
        public readonly Option<string?> Eval = new("--eval")
        {
            Description = "Evaluation data with treatment, value and cost (held-out users of a past randomized campaign) on which the " +
                          "per-user incremental value and cost above each cut-off are estimated (with bootstrap intervals). Without it " +
                          "the model's validation cost curve prices the plan (models trained by 'uplift train' with a validation split), " +
                          "else the model's own effect estimates (R-learner on both outcomes, T-learner, causal forest).",
        };
        public readonly Option<string?> Treatment = new("--treatment") { Description = "Treatment column of --eval (default: the model file's)." };
        public readonly Option<string?> Value = new("--value") { Description = "Value column of --eval (default: the model file's)." };
        public readonly Option<string?> Cost = new("--cost") { Description = "Cost column of --eval (default: the model file's)." };
        public readonly Option<string?> Control = Common.Control();
        public readonly Option<int> Bootstrap = new("--bootstrap") { Description = "Bootstrap replicates of the plan's intervals (100 or more).", DefaultValueFactory = _ => 500 };

        public void AddTo(Command cmd)
        {
            foreach (var o in new Option[] { Eval, Treatment, Value, Cost, Control, Bootstrap }) cmd.Options.Add(o);
        }

        /// <summary>Scores of the --eval users and their T, V, C (null when --eval is not given).</summary>
        public (double[] Scores, OutcomeColumns Outcomes)? ReadEval(ParseResult r, ModelFile file, int? maxThreads = null)
        {
            if (r.GetValue(Eval) is not { } path) return null;
            var table = TableReader.Read(path);
            return (file.Score(table, maxThreads), OutcomeColumns.Read(table, Roles(r, file)));
        }

        public ColumnRoles Roles(ParseResult r, ModelFile file)
        {
            var stored = file.Preprocessor.Roles;
            return new ColumnRoles(r.GetValue(Treatment) ?? stored.Treatment, r.GetValue(Value) ?? stored.Value, r.GetValue(Cost) ?? stored.Cost)
            {
                Control = r.GetValue(Control) ?? stored.Control,
            };
        }

        /// <summary>True when <see cref="Build"/> can price a plan without --eval (a stored validation curve or the model's own effects).</summary>
        public static bool CanPlanWithoutEval(ModelFile file) => file.ValidationCurve is not null || file.Model is IEffectModel;

        /// <summary>The plan for these candidates: from --eval when given, else from the model's validation cost curve,
        /// else from the model's own effects; it records the column names (the model's, after --treatment/--value/--cost).</summary>
        public PlanResult Build(ParseResult r, ModelFile file, RawTable candidates, double[] candidateScores, PlanOptions options)
        {
            var roles = Roles(r, file);
            var columns = new PlanColumns(file.Preprocessor.Roles.Id, roles.Treatment, roles.Value, roles.Cost);
            if (ReadEval(r, file, options.MaxThreads) is { } eval)
                return Plan.FromEvaluation(candidateScores, eval.Scores, eval.Outcomes.T, eval.Outcomes.V, eval.Outcomes.C, options) with { Columns = columns };
            if (file.ValidationCurve is { } curve)
                return Plan.FromValidationCurve(candidateScores, curve, options) with { Columns = columns };
            if (file.Pipeline.PredictEffects(candidates, options.MaxThreads) is var (tv, tc))
                return Plan.FromModelEffects(candidateScores, tv, tc, options) with { Columns = columns };
            throw new UpliftOptionException("--eval",
                $"this {file.Model.Kind} model file has no validation cost curve and the model no effect estimates of its own: give " +
                "evaluation data with treatment, value and cost (e.g. the held-out users of the past campaign), or retrain it with " +
                "'uplift train' (which keeps the validation curve).");
        }
    }

    /// <summary>Multi-arm campaigns (the model has K &gt; 1 arms; chosen by the data, never by a flag).</summary>
    internal static class MultiArm
    {
        public static IMultiArmModel? Of(ModelFile file) => file.Model is IMultiArmModel { Arms: > 1 } m ? m : null;

        /// <summary>The model's effects on a table's rows, row-major n x K.</summary>
        public static (double[] V, double[] C) Effects(ModelFile file, IMultiArmModel m, RawTable table, int? threads)
        {
            var ds = file.Pipeline.Transform(table);
            var v = new double[ds.Rows * m.Arms]; var c = new double[ds.Rows * m.Arms];
            m.PredictArmEffects(ds, v, c, threads);
            return (v, c);
        }

        /// <summary>The multi-arm plan for the candidates (priced on --eval when given).</summary>
        public static MultiArmPlanResult Build(ParseResult r, PlanOptionSet set, ModelFile file, IMultiArmModel m, RawTable candidates,
            (double[] V, double[] C) effects, MultiArmPlanOptions options)
        {
            MultiArmEvalData? eval = null;
            if (r.GetValue(set.Eval) is { } path)
            {
                var table = TableReader.Read(path);
                var o = OutcomeColumns.Read(table, set.Roles(r, file));
                if (!o.Labels.ArmLabels.SequenceEqual(file.Preprocessor.ArmLabels, StringComparer.OrdinalIgnoreCase))
                    throw new UpliftDataException($"the arms of --eval ({string.Join(", ", o.Labels.ArmLabels)}) differ from the model's ({string.Join(", ", file.Preprocessor.ArmLabels)}).", path);
                var (ev, ec) = Effects(file, m, table, options.MaxThreads);
                eval = new MultiArmEvalData(ev, ec, o.T, o.V, o.C);
            }
            return MultiArmPlan.Build(effects.V, effects.C, candidates.Rows, file.Preprocessor.ArmLabels, file.Preprocessor.ControlLabel, eval, options);
        }
    }

    public static Option<double> Explore() => new("--explore")
    {
        Description = "Share of candidates drawn into the random explore group (half treated by default), whose data train the next model.",
        DefaultValueFactory = _ => 0.1,
    };

    public static Option<double?> SpendConfidence() => new("--spend-confidence")
    {
        Description = "Multi-arm models: hold budget back so that the spend stays within the budget at this confidence (e.g. 0.9): the plan " +
                      "shrinks until the upper quantile of the bootstrap spend over --eval users is within the budget.",
    };

    public static Option<double> ExploreTreated() => new("--explore-treated")
    {
        Description = "Share of the explore group that is treated.",
        DefaultValueFactory = _ => 0.5,
    };

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by 'uplift train'.", Required = true };
        var data = new Option<string>("--data") { Description = "Candidate users to plan for (.csv, .csv.gz or .parquet) with the model's feature columns.", Required = true };
        var budget = new Option<double>("--budget") { Description = "Budget B on the campaign's expected incremental cost (explore treatment + exploit).", Required = true };
        var explore = Explore();
        var exploreTreated = ExploreTreated();
        var output = new Option<string?>("--out") { Description = "Write the plan (JSON) here, for 'uplift assign --plan' and 'uplift readout --plan'." };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var spend = SpendConfidence();
        var set = new PlanOptionSet();
        var cmd = new Command("plan",
            "Choose the score cut-off whose expected incremental cost spends the budget; print the expected incremental value and cost " +
            "with bootstrap intervals and the ratio against random targeting.")
        {
            model, data, budget, explore, exploreTreated, output, seed, threads, json, spend,
        };
        set.AddTo(cmd);
        cmd.SetAction(r => Common.Run(() =>
        {
            var file = ModelFile.Load(r.GetValue(model)!);
            var candidates = TableReader.Read(r.GetValue(data)!);
            if (MultiArm.Of(file) is { } m)
            {
                var mp = MultiArm.Build(r, set, file, m, candidates, MultiArm.Effects(file, m, candidates, r.GetValue(threads)), new MultiArmPlanOptions
                {
                    Budget = r.GetValue(budget), Explore = r.GetValue(explore), BootstrapReplicates = r.GetValue(set.Bootstrap),
                    Seed = r.GetValue(seed), MaxThreads = r.GetValue(threads), SpendConfidence = r.GetValue(spend),
                });
                if (r.GetValue(output) is { } mpath) AtomicFile.WriteAllText(mpath, mp.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
                foreach (var w in mp.Warnings) Console.Error.WriteLine("warning: " + w);
                if (r.GetValue(json)) Common.WriteJson(mp.ToJson());
                else foreach (var line in mp.ToLines()) Console.WriteLine(line);
                return Common.ExitOk;
            }
            if (r.GetValue(spend) is not null)
                throw new UpliftOptionException("--spend-confidence", "applies to multi-arm models only (a binary plan's interval is in its output).");
            var scores = file.Score(candidates, r.GetValue(threads));
            var options = new PlanOptions
            {
                Budget = r.GetValue(budget), Explore = r.GetValue(explore), ExploreTreated = r.GetValue(exploreTreated),
                BootstrapReplicates = r.GetValue(set.Bootstrap), Seed = r.GetValue(seed), MaxThreads = r.GetValue(threads),
            };
            var plan = set.Build(r, file, candidates, scores, options);
            if (r.GetValue(output) is { } path) Save(path, plan);
            foreach (var w in plan.Warnings) Console.Error.WriteLine("warning: " + w);
            if (r.GetValue(json)) Common.WriteJson(plan.ToJson());
            else
            {
                foreach (var line in plan.ToLines()) Console.WriteLine(line);
                if (r.GetValue(output) is { } p) Console.WriteLine($"plan: {p}");
            }
            return Common.ExitOk;
        }));
        return cmd;
    }

    internal static void Save(string path, PlanResult plan) =>
        AtomicFile.WriteAllText(path, plan.ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    internal static PlanResult Load(string path)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(File.ReadAllText(path)); }
        catch (JsonException e) { throw new UpliftDataException($"not a JSON plan file: {e.Message}", path); }
        return node is JsonObject o ? PlanResult.FromJson(o, path) : throw new UpliftDataException("not a JSON plan file.", path);
    }
}
