using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Persistence;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift readout</c>: joins a campaign file with its observed outcomes and compares the efficiency of exploit
/// (targeted by the model) with explore (random), METHOD.md section 9. With --plan, also holds the plan's expected
/// incremental cost against the realised one. The last line, "check: ...", is meant for scripts.
/// Column names of --outcomes: a flag wins; else the value and cost columns recorded in the plan (--plan), else in the
/// model (--model), else "value" and "cost"; the id column is named as the assignment file's id column.
/// </summary>
static class ReadoutCommand
{
    public static Command Create()
    {
        var assignments = new Option<string>("--assignments") { Description = "Campaign file written by 'uplift assign' (id, group, score).", Required = true };
        var outcomes = new Option<string>("--outcomes") { Description = "Observed outcomes: one row per user with an id, a value and a cost.", Required = true };
        var id = new Option<string?>("--id") { Description = "User id column of --outcomes (default: the assignment file's id column)." };
        var value = new Option<string?>("--value") { Description = "Value column of --outcomes (default: the one recorded in --plan or --model, else 'value')." };
        var cost = new Option<string?>("--cost") { Description = "Cost column of --outcomes (default: the one recorded in --plan or --model, else 'cost')." };
        var plan = new Option<string?>("--plan") { Description = "Plan file from 'uplift plan --out': compare its expected incremental cost and value with the realised ones." };
        var model = new Option<string?>("--model") { Description = "Model file the campaign was planned with: its value and cost column names are the defaults of --value and --cost." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "Bootstrap replicates of the slope, gain and total intervals (100 or more).", DefaultValueFactory = _ => 1000 };
        var allowMissing = new Option<bool>("--allow-missing") { Description = "Leave out explore and exploit users without an outcome (with a warning) instead of failing." };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var cmd = new Command("readout",
            "Online read-out of a campaign: ATE on value and cost for explore and exploit, their slopes ATE_v / ATE_c, and the " +
            "relative efficiency gain of exploit over explore with a bootstrap interval.")
        {
            assignments, outcomes, id, value, cost, plan, model, bootstrap, allowMissing, seed, threads, json,
        };
        cmd.SetAction(r => Common.Run(() =>
        {
            var (users0, _) = CampaignFiles.ReadAssignmentFile(r.GetValue(assignments)!);
            bool multi = users0.Count > 0 && users0[0].Arm is not null;
            var p = !multi && r.GetValue(plan) is { } path ? PlanCommand.Load(path) : null;
            var roles = r.GetValue(model) is { } m ? ModelFile.Load(m).Preprocessor.Roles : null;
            var (users, assignedId) = CampaignFiles.ReadAssignmentFile(r.GetValue(assignments)!);
            string idName = r.GetValue(id) ?? assignedId;
            string valueName = r.GetValue(value) ?? p?.Columns?.Value ?? roles?.Value ?? "value";
            string costName = r.GetValue(cost) ?? p?.Columns?.Cost ?? roles?.Cost ?? "cost";
            var observed = CampaignFiles.ReadOutcomes(TableReader.Read(r.GetValue(outcomes)!, CampaignFiles.TextIds(idName)),
                idName, valueName, costName);
            if (users.Count > 0 && users[0].Arm is not null)
                return MultiArm(users, observed, r.GetValue(plan), new ReadoutOptions
                {
                    BootstrapReplicates = r.GetValue(bootstrap), Seed = r.GetValue(seed), MaxThreads = r.GetValue(threads),
                    DropMissingOutcomes = r.GetValue(allowMissing), AllowMissingHint = "pass --allow-missing to leave them out (with a warning)",
                }, r.GetValue(json));
            var result = Readout.Compute(users, observed, new ReadoutOptions
            {
                BootstrapReplicates = r.GetValue(bootstrap), Seed = r.GetValue(seed), MaxThreads = r.GetValue(threads),
                DropMissingOutcomes = r.GetValue(allowMissing),
                AllowMissingHint = "pass --allow-missing to leave them out (with a warning)",
            });
            var check = Check(result, p);

            if (r.GetValue(json))
            {
                var o = ToJson(result);
                o["columns"] = new JsonObject { ["id"] = idName, ["value"] = valueName, ["cost"] = costName };
                if (p is not null) o["plan"] = p.ToJson();
                o["check"] = check.ToJson();
                Common.WriteJson(o);
                return Common.ExitOk;
            }
            foreach (var line in result.ToLines()) Console.WriteLine(line);
            foreach (var line in check.Lines) Console.WriteLine(line);
            Console.WriteLine(check.Summary);
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>Multi-arm read-out (<see cref="MultiArmReadout"/>); with --plan (a multi-arm plan's JSON) the planned spend
    /// per arm and in total against the realised one. The last line, "check: ...", is for scripts.</summary>
    static int MultiArm(List<AssignedUser> users, List<UserOutcome> observed, string? planPath, ReadoutOptions options, bool json)
    {
        var ci = CultureInfo.InvariantCulture;
        var t = MultiArmReadout.Compute(users, observed, options);
        JsonObject? plan = null;
        if (planPath is not null)
        {
            try { plan = JsonNode.Parse(File.ReadAllText(planPath)) as JsonObject; }
            catch (System.Text.Json.JsonException e) { throw new UpliftDataException($"not a JSON plan file: {e.Message}", planPath); }
            if (plan?["arms"] is not JsonArray || plan["incremental_cost"] is null) throw new UpliftDataException("not a multi-arm plan file (from 'uplift plan --out' on a multi-arm model).", planPath);
        }
        bool beats = t.ExploitSlope > t.ExploreSlope;
        var lines = new List<string>();
        bool? within = null;
        if (plan is not null)
        {
            double pc = (double)plan["incremental_cost"]!;
            within = t.CostCi is { } rci && rci.Contains(pc);
            foreach (var a in plan["arms"]!.AsArray())
            {
                var real = t.Arms.FirstOrDefault(x => string.Equals(x.Label, (string?)a!["label"], StringComparison.OrdinalIgnoreCase));
                lines.Add(string.Create(ci, $"plan arm {(string?)a!["label"]}: planned cost {(double?)a["cost"]:G6}, realised {real?.Cost:G6}; planned value {(double?)a["value"]:G6}, realised {real?.Value:G6}"));
            }
            lines.Add(string.Create(ci, $"planned spend {pc:G6} vs realised {t.Cost:G6} [{t.CostCi?.Low:G6}, {t.CostCi?.High:G6}]: {(within.Value ? "within" : "OUTSIDE")} the realised interval"));
        }
        string check = $"check: exploit_beats_explore={(beats ? "yes" : "no")} planned_cost_in_realised_ci={(within is null ? "n/a" : within.Value ? "yes" : "no")}";
        if (json)
        {
            static JsonNode? I(Interval? i) => i is { } x && double.IsFinite(x.Low) && double.IsFinite(x.High) ? new JsonArray(x.Low, x.High) : null;
            static double? F(double x) => double.IsFinite(x) ? x : null;
            Common.WriteJson(new JsonObject
            {
                ["arms"] = new JsonArray([.. t.Arms.Select(a => (JsonNode)new JsonObject
                {
                    ["label"] = a.Label, ["explore_users"] = a.ExploreUsers, ["exploit_users"] = a.ExploitUsers,
                    ["explore_ate_value"] = a.ExploreAteV, ["explore_ate_cost"] = a.ExploreAteC, ["exploit_ate_value"] = a.ExploitAteV, ["exploit_ate_cost"] = a.ExploitAteC,
                    ["realised_value"] = F(a.Value), ["realised_value_ci"] = I(a.ValueCi), ["realised_cost"] = F(a.Cost), ["realised_cost_ci"] = I(a.CostCi),
                })]),
                ["realised_value"] = F(t.Value), ["realised_value_ci"] = I(t.ValueCi), ["realised_cost"] = F(t.Cost), ["realised_cost_ci"] = I(t.CostCi),
                ["explore_slope"] = F(t.ExploreSlope), ["exploit_slope"] = F(t.ExploitSlope),
                ["plan"] = plan?.DeepClone(),
                ["check"] = new JsonObject { ["exploit_beats_explore"] = beats, ["planned_cost_in_realised_ci"] = within },
                ["warnings"] = new JsonArray([.. t.Warnings.Select(w => (JsonNode)JsonValue.Create(w)!)]),
            });
            return Common.ExitOk;
        }
        foreach (var line in t.ToLines("realised")) Console.WriteLine(line);
        foreach (var line in lines) Console.WriteLine(line);
        Console.WriteLine(check);
        return Common.ExitOk;
    }

    /// <summary>The comparisons a script wants to know: exploit more efficient than explore, planned spend against realised.</summary>
    /// <remarks><c>CostIntervalsOverlap</c> is the agreement check that counts both estimates' noise: the plan's point
    /// estimate against the realised interval alone (<c>PlannedCostInRealisedCi</c>) ignores the plan's own uncertainty and
    /// fails far more often than its level says when the plan is right (5 of 20 seed sets of tests/campaign in one sweep).</remarks>
    sealed record CheckResult(bool? ExploitBeatsExplore, bool? GainSignificant, bool? PlannedCostInRealisedCi, bool? RealisedCostInPlannedCi,
        bool? CostIntervalsOverlap, List<string> Lines)
    {
        static string YesNo(bool? b) => b is null ? "n/a" : b.Value ? "yes" : "no";

        public string Summary =>
            $"check: exploit_beats_explore={YesNo(ExploitBeatsExplore)} gain_ci_above_zero={YesNo(GainSignificant)} " +
            $"planned_cost_in_realised_ci={YesNo(PlannedCostInRealisedCi)} realised_cost_in_planned_ci={YesNo(RealisedCostInPlannedCi)} " +
            $"cost_intervals_overlap={YesNo(CostIntervalsOverlap)}";

        public JsonObject ToJson() => new()
        {
            ["exploit_beats_explore"] = ExploitBeatsExplore,
            ["gain_ci_above_zero"] = GainSignificant,
            ["planned_cost_in_realised_ci"] = PlannedCostInRealisedCi,
            ["realised_cost_in_planned_ci"] = RealisedCostInPlannedCi,
            ["cost_intervals_overlap"] = CostIntervalsOverlap,
        };
    }

    static CheckResult Check(ReadoutResult r, PlanResult? plan)
    {
        var ci = CultureInfo.InvariantCulture;
        bool? beats = r.RelativeGain is { } g ? g > 0 : null;
        bool? significant = r.RelativeGainCi is { } gci ? gci.Low > 0 : null;
        bool? plannedIn = null, realisedIn = null, overlap = null;
        var lines = new List<string>();
        if (plan is not null)
        {
            string Iv(Interval? i) => i is { } x ? string.Create(ci, $" [{x.Low:G6}, {x.High:G6}]") : "";
            lines.Add(string.Create(ci, $"plan: expected incremental cost {plan.IncrementalCost:G6}{Iv(plan.IncrementalCostCi)}, value {plan.IncrementalValue:G6}{Iv(plan.IncrementalValueCi)}, ratio vs random {plan.RatioVsRandom:0.###}{Iv(plan.RatioVsRandomCi)}"));
            if (r.RealisedCost is { } rc && r.RealisedCostCi is { } rci)
            {
                plannedIn = rci.Contains(plan.IncrementalCost);
                if (plan.IncrementalCostCi is { } pci)
                {
                    realisedIn = pci.Contains(rc);
                    overlap = pci.Low <= rci.High && rci.Low <= pci.High;
                }
                lines.Add(string.Create(ci, $"planned spend {plan.IncrementalCost:G6} vs realised {rc:G6}{Iv(rci)}: {(plannedIn.Value ? "within" : "OUTSIDE")} the realised interval"));
            }
            if (r.RelativeGain is { } gain)
                lines.Add(string.Create(ci, $"planned gain (ratio - 1) {plan.RatioVsRandom - 1:+0.###;-0.###;0} vs read-out gain {gain:+0.###;-0.###;0}"));
        }
        return new CheckResult(beats, significant, plannedIn, realisedIn, overlap, lines);
    }

    static JsonObject ToJson(ReadoutResult r)
    {
        static JsonNode? I(Interval? i) => i is { } x && double.IsFinite(x.Low) && double.IsFinite(x.High) ? new JsonArray(x.Low, x.High) : null;
        static double? F(double x) => double.IsFinite(x) ? x : null;
        static JsonObject E(EffectEstimate e) => new() { ["ate"] = F(e.Ate), ["se"] = F(e.StandardError), ["ci"] = I(e.Ci) };
        static JsonObject? A(ArmReadout? a) => a is null ? null : new JsonObject
        {
            ["treated"] = a.Treated, ["control"] = a.Control, ["value"] = E(a.Value), ["cost"] = E(a.Cost),
            ["slope"] = double.IsFinite(a.Slope) ? a.Slope : null, ["slope_ci"] = I(a.SlopeCi), ["slope_meaningful"] = a.SlopeMeaningful,
        };
        return new JsonObject
        {
            ["joined_users"] = r.JoinedUsers, ["dropped_without_outcome"] = r.DroppedWithoutOutcome,
            ["outcomes_without_assignment"] = r.OutcomesWithoutAssignment,
            ["explore"] = A(r.Explore), ["exploit"] = A(r.Exploit),
            ["relative_gain"] = r.RelativeGain is { } g ? F(g) : null, ["relative_gain_ci"] = I(r.RelativeGainCi),
            ["realised_value"] = r.RealisedValue, ["realised_value_ci"] = I(r.RealisedValueCi),
            ["realised_cost"] = r.RealisedCost, ["realised_cost_ci"] = I(r.RealisedCostCi),
            ["exploit_threshold"] = r.ExploitThreshold, ["replicates"] = r.Replicates, ["invalid_replicates"] = r.InvalidReplicates,
            ["confidence_level"] = r.ConfidenceLevel,
            ["warnings"] = new JsonArray([.. r.Warnings.Select(w => (JsonNode)JsonValue.Create(w)!)]),
        };
    }
}
