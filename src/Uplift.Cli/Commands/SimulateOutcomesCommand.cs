using System.CommandLine;
using System.Text.Json.Nodes;
using Uplift.Campaign;
using Uplift.Data;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift simulate-outcomes</c>: the outcomes a campaign file would have produced on synthetic candidates, from the
/// known truth (tau_v, tau_c) of a file written by <c>uplift simulate</c>: the simulated treatment is swapped for the
/// assigned one (see <see cref="OutcomeSimulator"/>).
/// </summary>
static class SimulateOutcomesCommand
{
    public static Command Create()
    {
        var assignments = new Option<string>("--assignments") { Description = "Campaign file written by 'uplift assign' (id, group, score).", Required = true };
        var truth = new Option<string>("--truth") { Description = "The candidates as written by 'uplift simulate' (with treatment, value, cost, tau_v, tau_c).", Required = true };
        var id = new Option<string>("--id") { Description = "User id column of --truth.", DefaultValueFactory = _ => "user_id" };
        var treatment = new Option<string>("--treatment") { Description = "Simulated treatment column of --truth.", DefaultValueFactory = _ => "treatment" };
        var value = new Option<string>("--value") { Description = "Simulated value column of --truth.", DefaultValueFactory = _ => "value" };
        var cost = new Option<string>("--cost") { Description = "Simulated cost column of --truth.", DefaultValueFactory = _ => "cost" };
        var tauV = new Option<string>("--tau-v") { Description = "True value effect column of --truth.", DefaultValueFactory = _ => "tau_v" };
        var tauC = new Option<string>("--tau-c") { Description = "True cost effect column of --truth.", DefaultValueFactory = _ => "tau_c" };
        var output = new Option<string>("--out") { Description = "Outcome file to write (.csv or .parquet): the assignment file's id column and the --value and --cost columns.", Required = true };
        var control = Common.Control();
        var json = Common.Json();
        var cmd = new Command("simulate-outcomes",
            "Synthetic data only: the outcomes of an assigned campaign from the known truth (V - T tau_v + A tau_v, likewise C, " +
            "A = the assigned treatment), and the campaign's true incremental value and cost.")
        {
            assignments, truth, id, treatment, value, cost, control, tauV, tauC, output, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var (users, assignedId) = CampaignFiles.ReadAssignmentFile(r.GetValue(assignments)!);
            string idName = r.GetValue(id)!;
            var table = TableReader.Read(r.GetValue(truth)!, CampaignFiles.TextIds(idName));
            var idCol = table.Find(idName)
                ?? throw new UpliftDataException($"missing id column '{idName}'. Columns: {table.DescribeColumns()}", table.Source, column: idName);
            if (users.Count > 0 && users[0].Arm is not null)
                return MultiArm(users, assignedId, table, idCol, r.GetValue(treatment)!, r.GetValue(value)!, r.GetValue(cost)!,
                    r.GetValue(control) ?? users.FirstOrDefault(u => u.Group == CampaignGroup.ExploreControl).Arm, r.GetValue(output)!, r.GetValue(json));
            var o = OutcomeColumns.Read(table, new ColumnRoles(r.GetValue(treatment)!, r.GetValue(value)!, r.GetValue(cost)!) { Control = r.GetValue(control) });
            var t = new CampaignTruth(Enumerable.Range(0, table.Rows).Select(i => idCol.TextAt(i) ?? "").ToArray(), o.T, o.V, o.C,
                OutcomeColumns.Numbers(table, r.GetValue(tauV)!, "tau_v"), OutcomeColumns.Numbers(table, r.GetValue(tauC)!, "tau_c"));
            var sim = OutcomeSimulator.Simulate(users, t);

            string path = r.GetValue(output)!;
            TableWriter.Write(path, new RawTable(path, sim.Outcomes.Count,
            [
                RawColumn.Text(assignedId, sim.Outcomes.Select(x => (string?)x.Id).ToArray()),
                RawColumn.Numeric(r.GetValue(value)!, sim.Outcomes.Select(x => x.Value).ToArray()),
                RawColumn.Numeric(r.GetValue(cost)!, sim.Outcomes.Select(x => x.Cost).ToArray()),
            ]));
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["out"] = path, ["users"] = sim.Outcomes.Count,
                    ["true_incremental_value"] = sim.TrueIncrementalValue, ["true_incremental_cost"] = sim.TrueIncrementalCost,
                    ["true_explore_slope"] = Finite(sim.TrueExploreSlope), ["true_exploit_slope"] = Finite(sim.TrueExploitSlope),
                });
            else
            {
                foreach (var line in sim.ToLines()) Console.WriteLine(line);
                Console.WriteLine($"outcomes: {path}");
            }
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>A multi-arm campaign file (with an arm column): the truth per arm is in <c>tau_v_&lt;label&gt;</c>, <c>tau_c_&lt;label&gt;</c>.</summary>
    static int MultiArm(List<AssignedUser> users, string assignedId, RawTable table, RawColumn idCol, string treatment, string value, string cost,
        string? control, string path, bool json)
    {
        var o = OutcomeColumns.Read(table, new ColumnRoles(treatment, value, cost) { Control = control });
        var labels = o.Labels.ArmLabels;
        int n = table.Rows, k = labels.Count;
        var tv = new double[n * k]; var tc = new double[n * k];
        for (int a = 0; a < k; a++)
        {
            var cv = OutcomeColumns.Numbers(table, $"tau_v_{labels[a]}", "tau_v"); var cc = OutcomeColumns.Numbers(table, $"tau_c_{labels[a]}", "tau_c");
            for (int i = 0; i < n; i++) { tv[i * k + a] = cv[i]; tc[i * k + a] = cc[i]; }
        }
        var ids = Enumerable.Range(0, n).Select(i => idCol.TextAt(i) ?? "").ToArray();
        var (outcomes, truth) = MultiArmCampaign.Simulate(users, ids, o.T, o.V, o.C, tv, tc, labels, o.Labels.ControlLabel);
        TableWriter.Write(path, new RawTable(path, outcomes.Length,
        [
            RawColumn.Text(assignedId, outcomes.Select(x => (string?)x.Id).ToArray()),
            RawColumn.Numeric(value, outcomes.Select(x => x.Value).ToArray()),
            RawColumn.Numeric(cost, outcomes.Select(x => x.Cost).ToArray()),
        ]));
        if (json)
            Common.WriteJson(new JsonObject
            {
                ["out"] = path, ["users"] = outcomes.Length, ["true_incremental_value"] = truth.Value, ["true_incremental_cost"] = truth.Cost,
                ["true_explore_slope"] = Finite(truth.ExploreSlope), ["true_exploit_slope"] = Finite(truth.ExploitSlope),
                ["arms"] = new JsonArray([.. truth.Arms.Select(a => (JsonNode)new JsonObject
                {
                    ["label"] = a.Label, ["explore_users"] = a.ExploreUsers, ["exploit_users"] = a.ExploitUsers, ["true_value"] = a.Value, ["true_cost"] = a.Cost,
                })]),
            });
        else
        {
            Console.WriteLine($"simulated outcomes of {outcomes.Length:N0} users from the known truth ({k} arms)");
            foreach (var line in truth.ToLines("true")) Console.WriteLine(line);
            Console.WriteLine($"outcomes: {path}");
        }
        return Common.ExitOk;
    }

    static double? Finite(double x) => double.IsFinite(x) ? x : null;
}
