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
/// </summary>
static class AssignCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file written by 'uplift train'.", Required = true };
        var data = new Option<string>("--data") { Description = "Candidate users (.csv, .csv.gz or .parquet) with the model's feature columns and an id column.", Required = true };
        var id = new Option<string?>("--id") { Description = "User id column of --data (default: the model file's id column)." };
        var budget = new Option<double>("--budget") { Description = "Budget B on the expected incremental cost (explore treatment + exploit).", Required = true };
        var explore = PlanCommand.Explore();
        var exploreTreated = PlanCommand.ExploreTreated();
        var plan = new Option<string?>("--plan") { Description = "Plan file from 'uplift plan --out': its per-user incremental costs (exploit: above the cut-off; explore: a random user) price the groups." };
        var costPerUser = new Option<double?>("--cost-per-user") { Description = "Expected incremental cost of treating one user, the same for everyone (instead of --plan or --eval)." };
        var output = new Option<string>("--out") { Description = "Campaign file to write (.csv or .parquet): columns id, group, score.", Required = true };
        var seed = Common.Seed();
        var threads = Common.Threads();
        var json = Common.Json();
        var set = new PlanCommand.PlanOptionSet();
        var cmd = new Command("assign",
            "Write the campaign file: every candidate's group (explore-treatment, explore-control, exploit-treated, untreated) and score. " +
            "Expected costs come from --plan, --cost-per-user, --eval (a plan made on the fly) or the model's own tau_c, in that order.")
        {
            model, data, id, budget, explore, exploreTreated, plan, costPerUser, output, seed, threads, json,
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
            var scores = file.Score(candidates);
            var options = new AssignmentOptions
            {
                Budget = r.GetValue(budget), Explore = r.GetValue(explore), ExploreTreated = r.GetValue(exploreTreated), Seed = r.GetValue(seed),
            };
            var notes = new List<string>();
            double[] costs = ExpectedCosts(r, set, plan, costPerUser, file, candidates, ids, scores, options, threads, notes);
            var result = Assignment.Assign(ids, scores, costs, options);

            string path = r.GetValue(output)!;
            TableWriter.Write(path, CampaignFiles.AssignmentTable(path, result.Users));
            if (r.GetValue(json))
                Common.WriteJson(new JsonObject
                {
                    ["out"] = path, ["candidates"] = result.Users.Count, ["seed"] = options.Seed, ["budget"] = result.Budget,
                    ["explore_treatment"] = result.ExploreTreatmentCount, ["explore_control"] = result.ExploreControlCount,
                    ["exploit_treated"] = result.ExploitCount, ["untreated"] = result.UntreatedCount,
                    ["explore_treatment_cost"] = result.ExploreTreatmentCost, ["exploit_cost"] = result.ExploitCost,
                    ["exploit_threshold"] = result.ExploitThreshold, ["notes"] = new JsonArray([.. notes.Select(n => (JsonNode)JsonValue.Create(n)!)]),
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

    /// <summary>Expected incremental cost of treating each candidate, from the first source given.</summary>
    static double[] ExpectedCosts(ParseResult r, PlanCommand.PlanOptionSet set, Option<string?> planOption, Option<double?> costOption,
        ModelFile file, RawTable candidates, string[] ids, double[] scores, AssignmentOptions options, Option<int?> threads, List<string> notes)
    {
        var ci = CultureInfo.InvariantCulture;
        int n = ids.Length;
        var costs = new double[n];
        PlanResult? plan = null;
        if (r.GetValue(planOption) is { } planPath)
        {
            UpliftOptionException.Check(r.GetValue(costOption) is null, "--cost-per-user", "give either --plan or --cost-per-user, not both.");
            plan = PlanCommand.Load(planPath);
            if (plan.Budget != options.Budget || plan.Explore != options.Explore || plan.ExploreTreated != options.ExploreTreated)
                notes.Add(string.Create(ci, $"note: the plan was made for budget {plan.Budget:G6}, explore {plan.Explore}, explore-treated {plan.ExploreTreated}; assigning with budget {options.Budget:G6}, explore {options.Explore}, explore-treated {options.ExploreTreated}."));
        }
        else if (r.GetValue(costOption) is { } c)
        {
            Array.Fill(costs, c);
            notes.Add(string.Create(ci, $"expected incremental cost per treated user: {c:G6} (given)"));
            return costs;
        }
        else if (r.GetValue(set.Eval) is not null)
        {
            plan = set.Build(r, file, candidates, scores, new PlanOptions
            {
                Budget = options.Budget, Explore = options.Explore, ExploreTreated = options.ExploreTreated,
                BootstrapReplicates = r.GetValue(set.Bootstrap), Seed = options.Seed, MaxThreads = r.GetValue(threads),
            });
        }
        else if (file.Model is IEffectModel effects)
        {
            var d = file.Preprocessor.Transform(candidates, requireOutcomes: false);
            var tv = new double[n];
            effects.PredictEffects(d, tv, costs);
            notes.Add("expected incremental cost per treated user: the model's own tau_c estimate of each user");
            return costs;
        }
        else
            throw new UpliftOptionException("--plan",
                $"a {file.Model.Kind} model has no cost estimates of its own: give --plan (from 'uplift plan --out'), --eval data, or --cost-per-user.");

        // From a plan: explore users cost as a random user, the others as a user above the cut-off (section 9).
        for (int i = 0; i < n; i++)
            costs[i] = Assignment.Draws(options.Seed, ids[i]).Explore < options.Explore ? plan.ExploreCostPerUser : plan.ExploitCostPerUser;
        notes.Add(string.Create(ci, $"expected incremental cost per treated user (plan): exploit {plan.ExploitCostPerUser:G6}, explore {plan.ExploreCostPerUser:G6}"));
        return costs;
    }
}
