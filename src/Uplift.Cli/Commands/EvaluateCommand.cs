using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Evaluation;

namespace Uplift.Cli.Commands;

/// <summary><c>uplift evaluate</c>: AUCC table and cost-curve plot for one or more score columns.</summary>
static class EvaluateCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Evaluation data with treatment, value, cost and score columns.", Required = true };
        var treatment = new Option<string>("--treatment") { Description = Common.TreatmentHelp, Required = true };
        var control = Common.Control();
        var value = new Option<string>("--value") { Description = "Value outcome column.", Required = true };
        var cost = new Option<string>("--cost") { Description = "Cost outcome column.", Required = true };
        var scores = new Option<string>("--score") { Description = "Score column(s), comma-separated; higher = treat first.", Required = true };
        var segments = new Option<int>("--segments") { Description = "Points on the cost curve (the paper: 10).", DefaultValueFactory = _ => 10 };
        var authorsGrid = new Option<bool>("--authors-grid") { Description = "Use the authors' prefix grid (k < N) to reproduce the paper's numbers exactly." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap replicates for AUCC confidence intervals (0 = none).", DefaultValueFactory = _ => 200 };
        var plot = new Option<string?>("--plot") { Description = "Write the cost curves to this .svg or .png file (no extension: both)." };
        var seed = Common.Seed();
        var json = Common.Json();
        var cmd = new Command("evaluate", "Cost curves and AUCC (METHOD.md section 6) of score columns on data with T, V, C.")
        {
            data, treatment, control, value, cost, scores, segments, authorsGrid, bootstrap, plot, seed, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var table = TableReader.Read(r.GetValue(data)!);
            var roles = new ColumnRoles(r.GetValue(treatment)!, r.GetValue(value)!, r.GetValue(cost)!) { Control = r.GetValue(control) };
            var names = Common.SplitList(r.GetValue(scores))!;
            UpliftOptionException.Check(names.Count > 0, "--score", "name at least one score column.");
            UpliftOptionException.Check(r.GetValue(bootstrap) >= 0, "--bootstrap", "must be 0 or more.");
            var outcomes = OutcomeColumns.Read(table, roles);
            var options = new CostCurveOptions
            {
                Segments = r.GetValue(segments),
                Grid = r.GetValue(authorsGrid) ? CostCurveGrid.Authors : CostCurveGrid.EndsAtN,
            };
            var rows = new List<ScoreRow>();
            foreach (var name in names)
            {
                var s = OutcomeColumns.Numbers(table, name);
                rows.Add(ScoreRow.Evaluate(name, s, outcomes.T, outcomes.V, outcomes.C, options, r.GetValue(bootstrap), r.GetValue(seed)));
            }
            var written = r.GetValue(plot) is { } p
                ? ScoreRow.WritePlot(p, rows, "Cost curves", $"{table.Rows} users, {Path.GetFileName(table.Source)}")
                : [];
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["data"] = table.Source,
                    ["rows"] = table.Rows,
                    ["results"] = new JsonArray([.. rows.Select(x => (JsonNode)x.ToJson())]),
                    ["plots"] = new JsonArray([.. written.Select(w => (JsonNode)JsonValue.Create(w)!)]),
                });
            else
            {
                Console.WriteLine($"{table.Source}: {table.Rows} users");
                Console.Write(ScoreRow.Table(rows));
                foreach (var w in written) Console.WriteLine($"plot: {w}");
            }
            return Common.ExitOk;
        }));
        return cmd;
    }
}
