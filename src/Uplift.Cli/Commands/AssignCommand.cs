using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Models;
using Uplift.Persistence;

namespace Uplift.Cli.Commands;

/// <summary>
/// <c>uplift assign</c>: the campaign file (METHOD.md section 9). One row per candidate with its id, group and score:
/// a random explore group (from the seed and the id alone, so a user keeps its group when rerun), split treatment /
/// control, and the exploit group, top scores first, within the budget left after the explore treatment.
/// The file's id column keeps the candidates' id column name (--id, else the model's). Expected costs come from the
/// first of --plan, --cost-per-user, --eval, the model's validation cost curve, the model's own tau_c; the source is
/// named in the output and in --json ("cost_source"). With --plan the budget defaults to the plan's; for a model of several
/// arms the plan file fixes the prefix of the budget path that is assigned (<see cref="MultiArmCampaign.PlanPrefix"/>). A budget that does not bind (every candidate fits) is a warning on
/// standard error and "budget_binding": false in --json.
/// </summary>
static class AssignCommand
{
    /// <summary>Multi-arm models: the plan file (--plan, from 'uplift plan --out') fixes the prefix of the candidates' budget
    /// path, else the plan is made on the fly (--eval when given, else the model's effects); the prefix assigns the non-explore
    /// candidates and the explore group is split equally across control and the arms (<see cref="MultiArmCampaign.Assign"/>).
    /// The file adds the columns <c>arm</c> and <c>policy_arm</c>.</summary>
    static int AssignMultiArm(ParseResult r, PlanCommand.PlanOptionSet set, ModelFile file, IMultiArmModel m, RawTable candidates,
        string[] ids, double[] scores, string idName, string path, MultiArmPlanOptions options, bool json, string? planPath, double? givenBudget, bool costPerUser)
    {
        if (costPerUser) throw new UpliftOptionException("--cost-per-user", "applies to binary models; a multi-arm assignment is priced per arm by its plan (--plan, or --eval for a plan made on the fly).");
        var effects = PlanCommand.MultiArm.Effects(file, m, candidates, options.MaxThreads);
        var bp = Allocation.BudgetPath.Build(effects.V, effects.C, ids.Length, m.Arms);
        var ci = CultureInfo.InvariantCulture;
        int upgrades;
        JsonObject planJson;
        double planBudget, planExplore;
        double? planCost, planValue;
        IReadOnlyList<string> warnings, notes = [];
        if (planPath is not null)
        {
            if (r.GetValue(set.Eval) is not null || options.SpendConfidence is not null)
                throw new UpliftOptionException("--plan", "the plan file fixes the assignment: --eval and --spend-confidence apply when assign plans on the fly (give them to 'uplift plan').");
            planJson = LoadJson(planPath);
            var terms = MultiArmPlanTerms.FromJson(planJson, planPath);
            upgrades = MultiArmCampaign.PlanPrefix(terms, bp, file.Preprocessor.ArmLabels, file.Preprocessor.ControlLabel, planPath);
            (planBudget, planExplore, planCost, planValue) = (terms.Budget, terms.Explore, terms.Cost, terms.Value);
            warnings = [];
            if ((givenBudget is { } g && g != terms.Budget) || terms.Explore != options.Explore)
                notes = [string.Create(ci, $"note: the plan was made for budget {terms.Budget:G6}, explore {terms.Explore}; assigning its {terms.Upgrades:N0} upgrades with explore {options.Explore}") +
                    (givenBudget is { } b && b != terms.Budget ? string.Create(ci, $" (the plan fixes the spend: --budget {b:G6} is not used).") : ".")];
        }
        else
        {
            var p = PlanCommand.MultiArm.Build(r, set, file, m, candidates, effects, options);
            upgrades = p.Upgrades;
            planJson = p.ToJson();
            (planBudget, planExplore, planCost, planValue, warnings) = (p.Budget, p.Explore, p.Cost, p.Value, p.Warnings);
        }
        var users = MultiArmCampaign.Assign(ids, scores, bp, upgrades, file.Preprocessor.ArmLabels, file.Preprocessor.ControlLabel, options.Explore, options.Seed);
        TableWriter.Write(path, CampaignFiles.AssignmentTable(path, users, idName));
        foreach (var w in warnings) Console.Error.WriteLine("warning: " + w);
        var counts = users.GroupBy(u => (u.Group, u.Arm)).OrderBy(g => g.Key.Group).ThenBy(g => g.Key.Arm, StringComparer.Ordinal)
            .Select(g => (Name: $"{CampaignFiles.GroupName(g.Key.Group)} {g.Key.Arm}", Count: g.Count())).ToList();
        string source = planPath is not null ? "plan-file" : r.GetValue(set.Eval) is not null ? "evaluation-data" : "model-effects";
        if (json)
        {
            var groups = new JsonObject();
            foreach (var (name, count) in counts) groups[name] = count;
            Common.WriteJson(new JsonObject
            {
                ["out"] = path, ["id_column"] = idName, ["candidates"] = users.Count, ["seed"] = options.Seed, ["groups"] = groups,
                ["upgrades"] = upgrades, ["plan_source"] = source, ["plan"] = planJson.DeepClone(),
                ["notes"] = new JsonArray([.. notes.Select(n => (JsonNode)JsonValue.Create(n)!)]),
            });
        }
        else
        {
            foreach (var n in notes) Console.WriteLine(n);
            Console.WriteLine(string.Create(ci, $"candidates: {users.Count:N0}, {m.Arms} arms, path prefix {upgrades:N0} upgrades ({(planPath is not null ? $"plan file {planPath}" : "plan made on the fly")})"));
            foreach (var (name, count) in counts) Console.WriteLine(string.Create(ci, $"{name}: {count:N0}"));
            Console.WriteLine(string.Create(ci, $"plan: budget {planBudget:G6}, explore {planExplore}, expected cost {planCost:G6}, expected value {planValue:G6}"));
            Console.WriteLine($"campaign: {path}");
        }
        return Common.ExitOk;
    }

    static JsonObject LoadJson(string path)
    {
        try { return JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new UpliftDataException("not a JSON plan file.", path); }
        catch (System.Text.Json.JsonException e) { throw new UpliftDataException($"not a JSON plan file: {e.Message}", path); }
    }

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by 'uplift train'.", Required = true };
        var data = new Option<string>("--data") { Description = "Candidate users (.csv, .csv.gz or .parquet) with the model's feature columns and an id column.", Required = true };
        var id = new Option<string?>("--id") { Description = "User id column of --data (default: the model file's id column)." };
        var budget = new Option<double?>("--budget") { Description = "Budget B on the expected incremental cost (explore treatment + exploit). Required, but with --plan (default: the plan's budget)." };
        var explore = PlanCommand.Explore();
        var exploreTreated = PlanCommand.ExploreTreated();
        var plan = new Option<string?>("--plan") { Description = "Plan file from 'uplift plan --out': its per-user incremental costs (exploit: above the cut-off; explore: a random user) price the groups; for a model of several arms it fixes the prefix of the candidates' budget path that is assigned (made for the same candidates)." };
        var costPerUser = new Option<double?>("--cost-per-user") { Description = "Expected incremental cost of treating one user, the same for everyone (instead of --plan or --eval); must be positive." };
        var output = new Option<string>("--out") { Description = "Campaign file to write (.csv or .parquet): columns <id> (named as the --id column), group, score.", Required = true };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var spend = PlanCommand.SpendConfidence();
        var set = new PlanCommand.PlanOptionSet();
        var cmd = new Command("assign",
            "Write the campaign file: every candidate's group (explore-treatment, explore-control, exploit-treated, untreated) and score. " +
            "Expected costs come from --plan, --cost-per-user, --eval (a plan made on the fly), the model's validation cost curve " +
            "(a plan made on the fly) or the model's own tau_c, in that order.")
        {
            model, data, id, budget, explore, exploreTreated, plan, costPerUser, output, seed, threads, json, spend,
        };
        set.AddTo(cmd);
        cmd.SetAction(r => Common.Run(() =>
        {
            var file = ModelFile.Load(r.GetValue(model)!);
            string idName = r.GetValue(id) ?? file.Preprocessor.Roles.Id
                ?? throw new UpliftOptionException("--id", "name the user id column (the model file has none).");
            var candidates = TableReader.Read(r.GetValue(data)!, CampaignFiles.TextIds(idName));
            var idCol = candidates.Find(idName)
                ?? throw new UpliftDataException($"missing id column '{idName}'. Columns: {candidates.DescribeColumns()}", candidates.Source, column: idName);
            var ids = new string[candidates.Rows];
            for (int i = 0; i < ids.Length; i++) ids[i] = idCol.TextAt(i) ?? "";
            var scores = file.Score(candidates, r.GetValue(threads));
            double? givenBudget = r.GetValue(budget);
            if (givenBudget is null && r.GetValue(plan) is null) throw new UpliftOptionException("--budget", "is required (or give --plan: the plan's budget is used).");
            if (PlanCommand.MultiArm.Of(file) is { } m)
                return AssignMultiArm(r, set, file, m, candidates, ids, scores, idName, r.GetValue(output)!, new MultiArmPlanOptions
                {
                    Budget = givenBudget ?? 0, Explore = r.GetValue(explore), BootstrapReplicates = r.GetValue(set.Bootstrap),
                    Seed = r.GetValue(seed), MaxThreads = r.GetValue(threads), SpendConfidence = r.GetValue(spend),
                }, r.GetValue(json), r.GetValue(plan), givenBudget, r.GetValue(costPerUser) is not null);
            var options = new AssignmentOptions
            {
                Budget = givenBudget ?? PlanCommand.Load(r.GetValue(plan)!).Budget, Explore = r.GetValue(explore), ExploreTreated = r.GetValue(exploreTreated), Seed = r.GetValue(seed),
            };
            var notes = new List<string>();
            var warnings = new List<string>();
            var (costs, costSource) = ExpectedCosts(r, set, plan, costPerUser, file, candidates, ids, scores, options, threads, notes, warnings);
            var result = Assignment.Assign(ids, scores, costs, options);
            if (BudgetWarning(result, costs) is { } w) warnings.Add(w);
            string fileId = idName;
            if (fileId is CampaignFiles.GroupColumn or CampaignFiles.ScoreColumn)
            {
                warnings.Add($"the id column '{idName}' has the name of another column of the campaign file: it is written as '{CampaignFiles.IdColumn}'.");
                fileId = CampaignFiles.IdColumn;
            }

            string path = r.GetValue(output)!;
            TableWriter.Write(path, CampaignFiles.AssignmentTable(path, result.Users, fileId));
            foreach (var x in warnings) Console.Error.WriteLine("warning: " + x);
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["out"] = path, ["id_column"] = fileId, ["candidates"] = result.Users.Count, ["seed"] = options.Seed, ["budget"] = result.Budget,
                    ["cost_source"] = costSource,
                    ["explore_treatment"] = result.ExploreTreatmentCount, ["explore_control"] = result.ExploreControlCount,
                    ["exploit_treated"] = result.ExploitCount, ["untreated"] = result.UntreatedCount,
                    ["explore_treatment_cost"] = result.ExploreTreatmentCost, ["exploit_cost"] = result.ExploitCost,
                    ["exploit_threshold"] = result.ExploitThreshold,
                    ["budget_binding"] = result.StoppedByBudget,
                    ["unspent_budget"] = result.Budget - result.ExploreTreatmentCost - result.ExploitCost,
                    ["notes"] = new JsonArray([.. notes.Select(n => (JsonNode)JsonValue.Create(n)!)]),
                    ["warnings"] = new JsonArray([.. warnings.Select(n => (JsonNode)JsonValue.Create(n)!)]),
                });
            else
            {
                foreach (var n in notes) Console.WriteLine(n);
                foreach (var line in result.ToLines()) Console.WriteLine(line);
                Console.WriteLine($"campaign file: {path}");
            }
            return Common.ExitOk;
        }));
        return cmd;
    }

    /// <summary>The warning when the budget does not bind: every non-explore candidate fit (null when the budget stopped the exploit group).</summary>
    static string? BudgetWarning(AssignmentResult result, double[] costs)
    {
        if (result.StoppedByBudget || result.Users.Count == 0) return null;
        var ci = CultureInfo.InvariantCulture;
        double used = result.ExploreTreatmentCost + result.ExploitCost;
        if (costs.All(c => c <= 0))
            return string.Create(ci, $"the expected incremental cost per treated user is not positive: the budget does not limit the campaign, every candidate outside explore is treated (expected cost {used:G6}).");
        double left = result.Budget - used;
        return left > 1e-9 * Math.Max(1, Math.Abs(result.Budget))
            ? string.Create(ci, $"the budget {result.Budget:G6} cannot be spent: treating every candidate outside explore has expected cost {used:G6}, so {left:G6} is left unspent.")
            : null;
    }

    /// <summary>Expected incremental cost of treating each candidate, from the first source given, and the source's name
    /// (plan-file, cost-per-user, evaluation-data, validation-curve, model-effects).</summary>
    static (double[] Costs, string Source) ExpectedCosts(ParseResult r, PlanCommand.PlanOptionSet set, Option<string?> planOption, Option<double?> costOption,
        ModelFile file, RawTable candidates, string[] ids, double[] scores, AssignmentOptions options, Option<int?> threads,
        List<string> notes, List<string> warnings)
    {
        var ci = CultureInfo.InvariantCulture;
        int n = ids.Length;
        var costs = new double[n];
        PlanResult? plan = null;
        string source;
        if (r.GetValue(planOption) is { } planPath)
        {
            UpliftOptionException.Check(r.GetValue(costOption) is null, "--cost-per-user", "give either --plan or --cost-per-user, not both.");
            plan = PlanCommand.Load(planPath);
            source = "plan-file";
            if (plan.Budget != options.Budget || plan.Explore != options.Explore || plan.ExploreTreated != options.ExploreTreated)
                notes.Add(string.Create(ci, $"note: the plan was made for budget {plan.Budget:G6}, explore {plan.Explore}, explore-treated {plan.ExploreTreated}; assigning with budget {options.Budget:G6}, explore {options.Explore}, explore-treated {options.ExploreTreated}."));
        }
        else if (r.GetValue(costOption) is { } c)
        {
            UpliftOptionException.Check(double.IsFinite(c) && c > 0, "--cost-per-user",
                $"must be a positive number, got {c.ToString("G6", ci)}: with a cost of 0 or less the budget cannot limit the campaign (every candidate would be treated).");
            Array.Fill(costs, c);
            notes.Add(string.Create(ci, $"expected incremental cost per treated user: {c:G6} (given)"));
            return (costs, "cost-per-user");
        }
        else if (r.GetValue(set.Eval) is not null || file.ValidationCurve is not null)
        {
            plan = set.Build(r, file, candidates, scores, new PlanOptions
            {
                Budget = options.Budget, Explore = options.Explore, ExploreTreated = options.ExploreTreated,
                BootstrapReplicates = r.GetValue(set.Bootstrap), Seed = options.Seed, MaxThreads = r.GetValue(threads),
            });
            source = PlanResult.SourceName(plan.Source);
            // The plan's own budget warning is replaced by the assignment's (made on the actual groups).
            warnings.AddRange(plan.Warnings.Where(w => !w.Contains("cannot be spent", StringComparison.Ordinal) && !w.Contains("does not limit", StringComparison.Ordinal)));
        }
        else if (file.Pipeline.PredictEffects(candidates, r.GetValue(threads)) is var (_, tauC))
        {
            tauC.CopyTo(costs, 0);
            notes.Add("expected incremental cost per treated user: the model's own tau_c estimate of each user");
            return (costs, "model-effects");
        }
        else
            throw new UpliftOptionException("--plan",
                $"this {file.Model.Kind} model file has no validation cost curve and the model no cost estimates of its own: give --plan (from 'uplift plan --out'), --eval data, or --cost-per-user.");

        // From a plan: explore users cost as a random user, the others as a user above the cut-off (section 9).
        for (int i = 0; i < n; i++)
            costs[i] = Assignment.Draws(options.Seed, ids[i]).Explore < options.Explore ? plan.ExploreCostPerUser : plan.ExploitCostPerUser;
        notes.Add(string.Create(ci, $"expected incremental cost per treated user ({(plan.Source == PlanEffectSource.ValidationCurve && source != "plan-file" ? "validation curve" : "plan")}): exploit {plan.ExploitCostPerUser:G6}, explore {plan.ExploreCostPerUser:G6}"));
        return (costs, source);
    }
}
