using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Allocation;
using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Experiments;

namespace Uplift.Cli.Commands;

/// <summary><c>uplift evaluate</c>: AUCC table and cost-curve plot for one or more score columns; with several arms, the
/// multi-arm AUCC and value at budgets of per-arm effect columns (METHOD.md section 10).</summary>
static class EvaluateCommand
{
    /// <summary>The budget path of effect columns <c>PREFIX_v_LABEL</c> and <c>PREFIX_c_LABEL</c> (tau_v and tau_c of each arm
    /// by its label, e.g. the truth <c>tau_v_small</c> of a simulated campaign for prefix <c>tau</c>).</summary>
    internal static BudgetPath ArmPath(RawTable table, string prefix, IReadOnlyList<string> arms)
    {
        int n = table.Rows, k = arms.Count;
        var tv = new double[n * k]; var tc = new double[n * k];
        for (int a = 0; a < k; a++)
        {
            var v = OutcomeColumns.Numbers(table, $"{prefix}_v_{arms[a]}", "effect");
            var c = OutcomeColumns.Numbers(table, $"{prefix}_c_{arms[a]}", "effect");
            for (int i = 0; i < n; i++) { tv[i * k + a] = v[i]; tc[i * k + a] = c[i]; }
        }
        return BudgetPath.Build(tv, tc, n, k);
    }

    /// <summary>The propensity column's adjustment (IPW), its overlap report, and with --trim the users kept; null without --propensity.</summary>
    sealed record ObservedColumn(Adjustment Adjustment, OverlapReport Overlap, int[]? Kept);

    static ObservedColumn? Observed(RawTable table, OutcomeColumns outcomes, string? column, double? trim)
    {
        if (column is null)
        {
            UpliftOptionException.Check(trim is null, "--trim", "needs a propensity: --propensity COL.");
            return null;
        }
        UpliftOptionException.Check(outcomes.Arms == 1, "--propensity", "is P(T = 1 | x) of a campaign with one arm; this data has several arms.");
        UpliftOptionException.Check(trim is null || (trim > 0 && trim < 0.5), "--trim", "must be in (0, 0.5).");
        var e = OutcomeColumns.Numbers(table, column, "propensity"); // checks 0 < e < 1
        var overlap = Overlap.Report(outcomes.T, e);
        int[]? kept = trim is { } p ? Overlap.Kept(e, p) : null;
        if (kept is { Length: 0 }) throw new UpliftDataException($"--trim {trim} leaves no users.", table.Source);
        var adj = new Adjustment { Propensity = kept is null ? e : Pick(e, kept), Source = $"column {column}" };
        return new ObservedColumn(adj, overlap, kept);
    }

    static T[] Pick<T>(IReadOnlyList<T> a, int[] rows) => [.. rows.Select(i => a[i])];

    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Evaluation data with treatment, value, cost and score columns.", Required = true };
        var treatment = new Option<string>("--treatment") { Description = Common.TreatmentHelp, Required = true };
        var control = Common.Control();
        var value = new Option<string>("--value") { Description = "Value outcome column.", Required = true };
        var cost = new Option<string>("--cost") { Description = "Cost outcome column.", Required = true };
        var scores = new Option<string>("--score")
        {
            Description = "Score column(s), comma-separated; higher = treat first. With several arms in --treatment, each name is a prefix P of " +
                "effect columns P_v_LABEL and P_c_LABEL per arm (tau_v and tau_c, e.g. tau for a simulated campaign's truth), evaluated by their budget path.",
            Required = true,
        };
        var segments = new Option<int>("--segments") { Description = "Points on the cost curve (the paper: 10).", DefaultValueFactory = _ => 10 };
        var authorsGrid = new Option<bool>("--authors-grid") { Description = "Use the authors' prefix grid (k < N) to reproduce the paper's numbers exactly." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap replicates for AUCC confidence intervals (0 = none).", DefaultValueFactory = _ => 200 };
        var plot = new Option<string?>("--plot") { Description = "Write the cost curves to this .svg or .png file (no extension: both)." };
        var propensity = new Option<string?>("--propensity")
        {
            Description = "Propensity column e(x) = P(T = 1 | x), in (0, 1), of an observational (non-randomized) campaign: the cost curves, AUCC " +
                "and metrics become inverse-propensity weighted (METHOD.md section 11) and the overlap is reported. One arm only.",
        };
        var trim = new Option<double?>("--trim") { Description = "With --propensity, leave out users whose propensity is outside [P, 1-P] (e.g. 0.02)." };
        var noMetrics = new Option<bool>("--no-metrics") { Description = "Leave out the metrics other tools report (Qini, AUUC, uplift at k %, deciles, RATE; docs/METRICS.md)." };
        var seed = Common.Seed();
        var json = Common.Json();
        var cmd = new Command("evaluate", "Cost curves and AUCC (METHOD.md section 6) of score columns on data with T, V, C, and the metrics other tools report.")
        {
            data, treatment, control, value, cost, scores, segments, authorsGrid, bootstrap, plot, propensity, trim, noMetrics, seed, json,
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
            var arms = outcomes.Labels.ArmLabels;
            var observed = Observed(table, outcomes, r.GetValue(propensity), r.GetValue(trim));
            foreach (var name in names)
            {
                if (outcomes.Arms > 1)
                {
                    rows.Add(ScoreRow.From(name, Experiment.EvaluateArms(ArmPath(table, name, arms), outcomes.T, outcomes.V, outcomes.C,
                        new EvaluationOptions { Curve = options, BootstrapReplicates = r.GetValue(bootstrap) }, r.GetValue(seed))));
                    continue;
                }
                var s = OutcomeColumns.Numbers(table, name);
                var (ss, ts, vs, cs) = observed is { Kept: { } kept } ? (Pick(s, kept), Pick(outcomes.T, kept), Pick(outcomes.V, kept), Pick(outcomes.C, kept))
                    : (s, outcomes.T, outcomes.V, outcomes.C);
                rows.Add(ScoreRow.Evaluate(name, ss, ts, vs, cs, options, r.GetValue(bootstrap), r.GetValue(seed), observed?.Adjustment, metrics: !r.GetValue(noMetrics)));
            }
            var labels = outcomes.Arms > 1 ? (arms, outcomes.Labels.ControlLabel) : ((IReadOnlyList<string>, string)?)null;
            var written = r.GetValue(plot) is { } p
                ? ScoreRow.WritePlot(p, rows, "Cost curves", $"{table.Rows} users, {Path.GetFileName(table.Source)}")
                : [];
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["data"] = table.Source,
                    ["rows"] = table.Rows,
                    ["results"] = new JsonArray([.. rows.Select(x => (JsonNode)x.ToJson(labels))]),
                    ["plots"] = new JsonArray([.. written.Select(w => (JsonNode)JsonValue.Create(w)!)]),
                    ["observational"] = observed is null ? null : new JsonObject
                    {
                        ["adjustment"] = "ipw", ["propensity"] = observed.Adjustment.Source, ["kept_users"] = observed.Adjustment.Propensity.Length,
                        ["outside_0.02_0.98"] = observed.Overlap.Treated.Outside + observed.Overlap.Control.Outside, ["warning"] = observed.Overlap.Warning,
                    },
                });
            else
            {
                Console.WriteLine($"{table.Source}: {table.Rows} users" + (labels is { } l
                    ? $"; arms {string.Join(", ", l.Item1)} against control '{l.Item2}'; multi-arm AUCC of each budget path (METHOD.md section 10)" : ""));
                Console.Write(ScoreRow.Table(rows));
                if (observed is not null)
                {
                    Console.WriteLine($"observational evaluation: inverse-propensity weighted (METHOD.md section 11), propensity {observed.Adjustment.Source}, {observed.Adjustment.Propensity.Length} users kept");
                    foreach (var line in ObservationalFlags.OverlapLines(observed.Overlap)) Console.WriteLine(line);
                }
                if (rows.Any(x => x.Eval?.Metrics is not null))
                {
                    Console.WriteLine("metrics (value V; docs/METRICS.md; RATE on doubly robust scores; calib. b needs effects: '-'):");
                    Console.Write(MetricsJson.Table([.. rows.Where(x => x.Eval is not null).Select(x => (x.Name, x.Eval!, (RateComparison?)null))]));
                }
                foreach (var x in rows.Where(x => x.Arms is not null))
                {
                    Console.WriteLine($"{x.Name}: value at fixed budgets");
                    foreach (var line in ArmsJson.BudgetLines(x.Arms!, arms, outcomes.Labels.ControlLabel)) Console.WriteLine(line);
                }
                foreach (var w in written) Console.WriteLine($"plot: {w}");
            }
            return Common.ExitOk;
        }));
        return cmd;
    }
}
