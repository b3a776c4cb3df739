using System.Globalization;
using System.Text.Json.Nodes;

namespace Uplift.Campaign;

/// <summary>Where the plan's per-user incremental value and cost come from.</summary>
public enum PlanEffectSource
{
    /// <summary>Differences of means on an evaluation set with T, V, C scored by the same model (with bootstrap intervals).</summary>
    EvaluationData,
    /// <summary>The model's own tau_v(x), tau_c(x) estimates on the candidates (no interval).</summary>
    ModelEffects,
    /// <summary>The model's cost curve on its validation users, kept in the model file (no interval).</summary>
    ValidationCurve,
}

/// <summary>The spelling of <see cref="PlanEffectSource"/> in the plan file and in --json.</summary>
public static class PlanNames
{
    public static NameTable<PlanEffectSource> Source { get; } = new(
        (PlanEffectSource.EvaluationData, "evaluation-data"), (PlanEffectSource.ModelEffects, "model-effects"),
        (PlanEffectSource.ValidationCurve, "validation-curve"));
}

/// <summary>The column names a plan was made with (the model's roles, after any override), recorded in the plan file so
/// that <c>uplift readout --plan</c> needs no repeat of them.</summary>
public sealed record PlanColumns(string? Id, string? Treatment, string? Value, string? Cost)
{
    internal JsonObject ToJson() => new() { ["id"] = Id, ["treatment"] = Treatment, ["value"] = Value, ["cost"] = Cost };

    internal static PlanColumns? FromJson(JsonNode? n, string source)
    {
        if (n is null) return null;
        if (n is not JsonObject o) throw new UpliftDataException("the plan's 'columns' must be a JSON object.", source);
        string? S(string k) => o[k] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => (string?)v,
            _ => throw new UpliftDataException($"the plan's 'columns.{k}' must be a string.", source),
        };
        return new PlanColumns(S("id"), S("treatment"), S("value"), S("cost"));
    }
}

/// <summary>
/// A budget plan (METHOD.md section 9): treat the non-explore candidates scoring at or above <see cref="CutoffScore"/>,
/// plus the random explore treatment, with the expected incremental value and cost of doing so.
/// </summary>
/// <param name="Source">How the per-user effects were estimated.</param>
/// <param name="Budget">The budget B.</param>
/// <param name="Candidates">N, the number of candidates.</param>
/// <param name="Explore">Explore share epsilon.</param>
/// <param name="ExploreTreated">Treated share rho within explore.</param>
/// <param name="AboveCutoff">k, candidates scoring at or above the cut-off (explore or not).</param>
/// <param name="CutoffScore">The k-th highest candidate score; null when k = 0 (no exploit).</param>
/// <param name="ExpectedExploitUsers">(1 - epsilon) k: the non-explore candidates above the cut-off.</param>
/// <param name="ExpectedExploreTreated">N epsilon rho.</param>
/// <param name="ExploitValuePerUser">Estimated incremental value per treated user above the cut-off (ATE_v of the top group).</param>
/// <param name="ExploitCostPerUser">Estimated incremental cost per treated user above the cut-off (ATE_c of the top group);
/// the expected cost per exploit user that <c>uplift assign</c> uses.</param>
/// <param name="ExploreValuePerUser">Estimated incremental value per random user (ATE_v of everyone).</param>
/// <param name="ExploreCostPerUser">Estimated incremental cost per random user (ATE_c of everyone).</param>
/// <param name="IncrementalValue">Expected incremental value of the campaign: explore treatment + exploit.</param>
/// <param name="IncrementalValueCi">Bootstrap interval of <paramref name="IncrementalValue"/> (null for model effects).</param>
/// <param name="IncrementalCost">Expected incremental cost of the campaign (at most the budget).</param>
/// <param name="IncrementalCostCi">Bootstrap interval of <paramref name="IncrementalCost"/> (null for model effects).</param>
/// <param name="RatioVsRandom">Value of the exploit spend over the value of the same spend on random users:
/// (ATE_v / ATE_c of the top group) / (ATE_v / ATE_c of everyone); the readout's slope_exploit / slope_explore is its online check.</param>
/// <param name="RatioVsRandomCi">Bootstrap interval of the ratio (null for model effects).</param>
/// <param name="EvaluationUsers">Users of the evaluation set (0 for model effects).</param>
/// <param name="EvaluationUsersAboveCutoff">Evaluation users scoring at or above the cut-off (0 for model effects).</param>
/// <param name="ConfidenceLevel">Level of the intervals.</param>
/// <param name="InvalidReplicates">Bootstrap replicates left out (a top group without a treated or control user).</param>
/// <param name="Warnings">What may make the plan unreliable.</param>
public sealed record PlanResult(
    PlanEffectSource Source,
    double Budget,
    int Candidates,
    double Explore,
    double ExploreTreated,
    int AboveCutoff,
    double? CutoffScore,
    double ExpectedExploitUsers,
    double ExpectedExploreTreated,
    double ExploitValuePerUser,
    double ExploitCostPerUser,
    double ExploreValuePerUser,
    double ExploreCostPerUser,
    double IncrementalValue,
    Interval? IncrementalValueCi,
    double IncrementalCost,
    Interval? IncrementalCostCi,
    double RatioVsRandom,
    Interval? RatioVsRandomCi,
    int EvaluationUsers,
    int EvaluationUsersAboveCutoff,
    double ConfidenceLevel,
    int InvalidReplicates,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Share of all candidates treated (explore treatment + exploit).</summary>
    public double ShareTreated => Candidates == 0 ? 0 : (ExpectedExploitUsers + ExpectedExploreTreated) / Candidates;

    /// <summary>True when the budget limits the campaign (some candidate is left below the cut-off); false when every
    /// candidate fits, i.e. the budget is at least the expected cost of treating everyone and cannot be spent.</summary>
    public bool BudgetBinding => AboveCutoff < Candidates;

    /// <summary>Budget minus the expected incremental cost (what the plan leaves unspent).</summary>
    public double UnspentBudget => Budget - IncrementalCost;

    /// <summary>The column names the plan was made with (null when not recorded).</summary>
    public PlanColumns? Columns { get; init; }

    /// <summary>The source's name in the plan file and in --json: evaluation-data, validation-curve or model-effects.</summary>
    public static string SourceName(PlanEffectSource s) => PlanNames.Source.Name(s);

    static string SourceLine(PlanEffectSource s, int evalUsers, int above) => s switch
    {
        PlanEffectSource.EvaluationData => string.Create(CultureInfo.InvariantCulture,
            $"effects estimated on {evalUsers:N0} evaluation users ({above:N0} above the cut-off)"),
        PlanEffectSource.ValidationCurve => string.Create(CultureInfo.InvariantCulture,
            $"effects: the model's validation cost curve ({evalUsers:N0} validation users, about {above:N0} above the cut-off; no interval)"),
        _ => "effects: the model's own tau_v, tau_c estimates on the candidates (no interval)",
    };

    /// <summary>Human-readable lines for the CLI (the <see cref="Warnings"/> are not among them: the CLI prints them on
    /// standard error).</summary>
    public IReadOnlyList<string> ToLines()
    {
        var ci = CultureInfo.InvariantCulture;
        string Ci(Interval? i) => i is { } x ? string.Create(ci, $" ({ConfidenceLevel:P0} CI [{x.Low:G6}, {x.High:G6}])") : "";
        var lines = new List<string>
        {
            string.Create(ci, $"candidates: {Candidates:N0}; budget {Budget:G6}; explore {Explore:0.###} (treated share {ExploreTreated:0.###})"),
            SourceLine(Source, EvaluationUsers, EvaluationUsersAboveCutoff),
            string.Create(ci, $"cut-off score: {(CutoffScore is { } s ? s.ToString("G6", ci) : "none (no exploit)")}; {AboveCutoff:N0} candidates at or above it"),
            string.Create(ci, $"exploit: about {ExpectedExploitUsers:N0} users, per user value {ExploitValuePerUser:G4}, cost {ExploitCostPerUser:G4}"),
            string.Create(ci, $"explore treatment: about {ExpectedExploreTreated:N0} users, per user value {ExploreValuePerUser:G4}, cost {ExploreCostPerUser:G4}"),
            string.Create(ci, $"expected incremental value: {IncrementalValue:G6}{Ci(IncrementalValueCi)}"),
            string.Create(ci, $"expected incremental cost:  {IncrementalCost:G6}{Ci(IncrementalCostCi)}"),
            string.Create(ci, $"ratio against random targeting (exploit value per unit of cost / random): {RatioVsRandom:0.###}{Ci(RatioVsRandomCi)}"),
        };
        if (!BudgetBinding) lines.Add(string.Create(ci, $"budget not binding: every candidate fits, {UnspentBudget:G6} of the budget is left unspent"));
        return lines;
    }

    /// <summary>The plan as JSON (the plan file that <c>uplift assign --plan</c> and <c>uplift readout --plan</c> read).</summary>
    public JsonObject ToJson()
    {
        static JsonNode? I(Interval? i) => i is { } x && double.IsFinite(x.Low) && double.IsFinite(x.High) ? new JsonArray(x.Low, x.High) : null;
        static double? F(double x) => double.IsFinite(x) ? x : null; // JSON has no NaN: null stands for "undefined"
        return new JsonObject
        {
            ["format"] = "uplift-plan",
            ["source"] = SourceName(Source),
            ["budget"] = Budget,
            ["budget_binding"] = BudgetBinding,
            ["unspent_budget"] = F(UnspentBudget),
            ["candidates"] = Candidates,
            ["explore"] = Explore,
            ["explore_treated"] = ExploreTreated,
            ["above_cutoff"] = AboveCutoff,
            ["cutoff_score"] = CutoffScore,
            ["expected_exploit_users"] = ExpectedExploitUsers,
            ["expected_explore_treated"] = ExpectedExploreTreated,
            ["exploit_value_per_user"] = F(ExploitValuePerUser),
            ["exploit_cost_per_user"] = F(ExploitCostPerUser),
            ["explore_value_per_user"] = F(ExploreValuePerUser),
            ["explore_cost_per_user"] = F(ExploreCostPerUser),
            ["incremental_value"] = F(IncrementalValue),
            ["incremental_value_ci"] = I(IncrementalValueCi),
            ["incremental_cost"] = F(IncrementalCost),
            ["incremental_cost_ci"] = I(IncrementalCostCi),
            ["ratio_vs_random"] = F(RatioVsRandom),
            ["ratio_vs_random_ci"] = I(RatioVsRandomCi),
            ["evaluation_users"] = EvaluationUsers,
            ["evaluation_users_above_cutoff"] = EvaluationUsersAboveCutoff,
            ["confidence_level"] = ConfidenceLevel,
            ["invalid_replicates"] = InvalidReplicates,
            ["warnings"] = new JsonArray([.. Warnings.Select(w => (JsonNode)JsonValue.Create(w)!)]),
            ["columns"] = Columns?.ToJson(),
        };
    }

    /// <summary>Reads a plan written by <see cref="ToJson"/>.</summary>
    public static PlanResult FromJson(JsonObject o, string source = "plan")
    {
        try
        {
            if ((string?)o["format"] != "uplift-plan") throw new UpliftDataException("not a plan file (format is not 'uplift-plan').", source);
            static Interval? I(JsonNode? n) => n is JsonArray a ? new Interval((double)a[0]!, (double)a[1]!) : null;
            double D(string k) => o.ContainsKey(k) ? (double?)o[k] ?? double.NaN : throw new UpliftDataException($"the plan lacks '{k}'.", source);
            return new PlanResult(
                PlanNames.Source.TryParse((string?)o["source"], out var planSource) ? planSource : PlanEffectSource.EvaluationData,
                D("budget"), (int)D("candidates"), D("explore"), D("explore_treated"), (int)D("above_cutoff"), (double?)o["cutoff_score"],
                D("expected_exploit_users"), D("expected_explore_treated"), D("exploit_value_per_user"), D("exploit_cost_per_user"),
                D("explore_value_per_user"), D("explore_cost_per_user"),
                D("incremental_value"), I(o["incremental_value_ci"]), D("incremental_cost"), I(o["incremental_cost_ci"]),
                D("ratio_vs_random"), I(o["ratio_vs_random_ci"]), (int)D("evaluation_users"), (int)D("evaluation_users_above_cutoff"),
                D("confidence_level"), (int)D("invalid_replicates"),
                (o["warnings"] as JsonArray)?.Select(w => (string?)w ?? "").ToArray() ?? [])
            { Columns = PlanColumns.FromJson(o["columns"], source) };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidCastException)
        {
            throw new UpliftDataException($"the plan file is malformed: {e.Message}", source);
        }
    }
}
