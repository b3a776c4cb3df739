using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Experiments;
using Uplift.Persistence;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift check</c>: is a model's measured gain an accident? Scores --data with the model file and runs the refuters
/// of <see cref="Refuters"/> (placebo, random common cause, data subset, sensitivity to hidden confounding), printing a
/// verdict per check. With --propensity the AUCC is inverse-propensity weighted (METHOD.md section 11).
/// </summary>
static class CheckCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by 'uplift train'.", Required = true };
        var data = new Option<string>("--data") { Description = "Evaluation users with treatment, value and cost (held out from training).", Required = true };
        var treatment = new Option<string?>("--treatment") { Description = "Treatment column (default: the model file's)." };
        var control = Common.Control();
        var value = new Option<string?>("--value") { Description = "Value column (default: the model file's)." };
        var cost = new Option<string?>("--cost") { Description = "Cost column (default: the model file's)." };
        var propensity = new Option<string?>("--propensity") { Description = "Known propensity column P(T=1|x): the checks weight by it." };
        var replicates = new Option<int>("--replicates") { Description = "Bootstrap replicates of the intervals.", DefaultValueFactory = _ => 200 };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var cmd = new Command("check", "Check that a model's measured gain is not an accident: placebo, random common cause, data subset and sensitivity to hidden confounding, a verdict each.")
        {
            model, data, treatment, control, value, cost, propensity, replicates, seed, threads, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var file = ModelFile.Load(r.GetValue(model)!);
            var table = TableReader.Read(r.GetValue(data)!);
            var stored = file.Preprocessor.Roles;
            var roles = new ColumnRoles(r.GetValue(treatment) ?? stored.Treatment, r.GetValue(value) ?? stored.Value, r.GetValue(cost) ?? stored.Cost)
            {
                Control = r.GetValue(control) ?? stored.Control,
            };
            var outcomes = OutcomeColumns.Read(table, roles);
            UpliftOptionException.Check(outcomes.Arms == 1, "--data", "the checks are available for two arms (treated and control) only.");
            double[]? e = null;
            if (r.GetValue(propensity) is { } pc)
            {
                var col = table[pc];
                if (col.Numbers is null) throw new UpliftDataException("the propensity column must be numeric.", table.Source, column: pc);
                e = col.Numbers;
            }
            var x = file.Pipeline.Transform(table);
            var ds = new Dataset(x.X, x.Rows, x.Features, x.FeatureNames, outcomes.T, outcomes.V, outcomes.C, propensity: e);
            int? th = r.GetValue(threads);
            var scores = file.Model.Score(ds, th);
            var checks = Refuters.All(scores, ds, new RefuterOptions { Replicates = r.GetValue(replicates), Seed = r.GetValue(seed), MaxThreads = th });
            if (r.GetValue(json))
            {
                Common.WriteJson(new JsonObject
                {
                    ["data"] = table.Source, ["rows"] = table.Rows, ["model"] = file.Model.Kind, ["weighted"] = e is not null,
                    ["checks"] = new JsonArray([.. checks.Select(c => (JsonNode)new JsonObject
                    {
                        ["check"] = c.Name, ["pass"] = c.Pass, ["verdict"] = c.Verdict,
                        ["numbers"] = new JsonObject(c.Numbers.Select(n => KeyValuePair.Create(n.Name, double.IsFinite(n.Value) ? JsonValue.Create(n.Value) : (JsonNode?)null))),
                    })]),
                });
                return Common.ExitOk;
            }
            Console.WriteLine($"{table.Source}: {table.Rows} users, model {file.Model.Kind}{(e is null ? "" : ", inverse-propensity weighted")}");
            foreach (var c in checks) Console.WriteLine($"{c.Name}: {c.Verdict}");
            return Common.ExitOk;
        }));
        return cmd;
    }
}
