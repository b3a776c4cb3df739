using System.Globalization;
using System.Text.Json.Nodes;

namespace Uplift.Campaign;

/// <summary>One arm of a multi-arm plan: expected users (explore + exploit), incremental value and cost, with intervals (evaluation data only).</summary>
public sealed record ArmPlan(string Label, double Users, double Value, double Cost, Interval? ValueCi, Interval? CostCi);

/// <summary>The multi-arm plan (<see cref="MultiArmPlan"/>), for the CLI to print. <c>Upgrades</c> is the prefix of the
/// candidates' budget path the plan takes (what <c>assign</c> walks), <c>CutoffSlope</c> the slope of its last upgrade,
/// <c>ControlUsers</c> the expected users left in control, <c>HeldBack</c> the expected spend given up for
/// <c>SpendConfidence</c>, <c>BestSingleArm*</c> the best single-arm policy at the same spend, <c>RandomValuePerCost</c>
/// the value per cost of the plan's arm mix given at random.</summary>
public sealed record MultiArmPlanResult(
    PlanEffectSource Source, double Budget, int Candidates, double Explore, string ControlLabel, int Upgrades, double? CutoffSlope,
    double ControlUsers, IReadOnlyList<ArmPlan> Arms, double Value, Interval? ValueCi, double Cost, Interval? CostCi,
    double? SpendConfidence, double HeldBack, string? BestSingleArm, double BestSingleArmValue, double BestSingleArmCost,
    double ValuePerCost, double RandomValuePerCost, int EvaluationUsers, double ConfidenceLevel, IReadOnlyList<string> Warnings)
{
    /// <summary>The plan's value per cost over random allocation's with the same arm mix.</summary>
    public double RatioVsRandom => ValuePerCost / RandomValuePerCost;

    /// <summary>Human-readable lines for the CLI: the per-arm table and the totals.</summary>
    public IReadOnlyList<string> ToLines()
    {
        var ci = CultureInfo.InvariantCulture;
        static string Iv(Interval? i) => i is { } x ? string.Create(CultureInfo.InvariantCulture, $" [{x.Low:G6}, {x.High:G6}]") : "";
        var lines = new List<string>
        {
            string.Create(ci, $"effects: {(Source == PlanEffectSource.EvaluationData ? $"evaluation data ({EvaluationUsers:N0} users, {ConfidenceLevel:P0} bootstrap intervals)" : "the model's own estimates (no interval)")}"),
            string.Create(ci, $"candidates: {Candidates:N0}, {Arms.Count} arms, explore share {Explore:0.###} (split equally across '{ControlLabel}' and the arms)"),
            string.Create(ci, $"budget {Budget:G6}: path prefix {Upgrades:N0} upgrades{(CutoffSlope is { } s ? string.Create(ci, $", cut-off slope {s:G6}") : "")}"),
            string.Create(ci, $"{"arm",-12} {"users",10} {"value",12} {"cost",12}  intervals"),
        };
        foreach (var a in Arms)
            lines.Add(string.Create(ci, $"{a.Label,-12} {a.Users,10:F0} {a.Value,12:G6} {a.Cost,12:G6} {(a.ValueCi is null ? "" : $" value{Iv(a.ValueCi)} cost{Iv(a.CostCi)}")}"));
        lines.Add(string.Create(ci, $"{ControlLabel,-12} {ControlUsers,10:F0}"));
        lines.Add(string.Create(ci, $"expected incremental value {Value:G6}{Iv(ValueCi)}"));
        lines.Add(string.Create(ci, $"expected incremental cost {Cost:G6}{Iv(CostCi)}"));
        if (SpendConfidence is { } p) lines.Add(string.Create(ci, $"spend confidence {p:0.###}: held back {HeldBack:G6}"));
        if (BestSingleArm is not null)
            lines.Add(string.Create(ci, $"best single arm ({BestSingleArm}) at the same spend: value {BestSingleArmValue:G6}, cost {BestSingleArmCost:G6}"));
        lines.Add(string.Create(ci, $"value per cost {ValuePerCost:G4}; random allocation with the same arm mix {RandomValuePerCost:G4}; ratio vs random {RatioVsRandom:0.###}"));
        return lines;
    }

    public JsonObject ToJson()
    {
        static JsonNode? I(Interval? i) => i is { } x && double.IsFinite(x.Low) && double.IsFinite(x.High) ? new JsonArray(x.Low, x.High) : null;
        static double? F(double x) => double.IsFinite(x) ? x : null;
        return new JsonObject
        {
            ["source"] = Source == PlanEffectSource.EvaluationData ? "evaluation-data" : "model-effects",
            ["budget"] = Budget, ["candidates"] = Candidates, ["explore"] = Explore, ["control_label"] = ControlLabel,
            ["upgrades"] = Upgrades, ["cutoff_slope"] = CutoffSlope, ["control_users"] = ControlUsers,
            ["arms"] = new JsonArray([.. Arms.Select(a => (JsonNode)new JsonObject
            {
                ["label"] = a.Label, ["users"] = a.Users, ["value"] = F(a.Value), ["cost"] = F(a.Cost), ["value_ci"] = I(a.ValueCi), ["cost_ci"] = I(a.CostCi),
            })]),
            ["incremental_value"] = F(Value), ["incremental_value_ci"] = I(ValueCi),
            ["incremental_cost"] = F(Cost), ["incremental_cost_ci"] = I(CostCi),
            ["spend_confidence"] = SpendConfidence, ["held_back"] = HeldBack,
            ["best_single_arm"] = BestSingleArm, ["best_single_arm_value"] = F(BestSingleArmValue), ["best_single_arm_cost"] = F(BestSingleArmCost),
            ["value_per_cost"] = F(ValuePerCost), ["random_value_per_cost"] = F(RandomValuePerCost), ["ratio_vs_random"] = F(RatioVsRandom),
            ["evaluation_users"] = EvaluationUsers, ["confidence_level"] = ConfidenceLevel,
            ["warnings"] = new JsonArray([.. Warnings.Select(w => (JsonNode)JsonValue.Create(w)!)]),
        };
    }
}
