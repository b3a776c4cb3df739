using System.Text.Json.Nodes;
using Uplift.Evaluation;
using Uplift.Experiments;

namespace Uplift.Cli;

/// <summary>
/// The JSON and the compact console table of the metrics other tools report (<see cref="UpliftMetrics"/>, calibration,
/// RATE against another ranking): one place, so 'compare' and 'evaluate' print them the same way. Definitions in
/// docs/METRICS.md.
/// </summary>
static class MetricsJson
{
    /// <summary>The metrics of one evaluation (null when it has none).</summary>
    public static JsonObject? Of(RankingEvaluation e, RateComparison? vsFirst = null, string? firstName = null)
    {
        if (e.Metrics is not { } m) return null;
        var o = new JsonObject
        {
            ["qini_coefficient"] = m.QiniValue.AreaAboveRandom,
            ["qini_coefficient_cost"] = m.QiniCost.AreaAboveRandom,
            ["auuc"] = m.UpliftValue.Area,
            ["auuc_above_random"] = m.UpliftValue.AreaAboveRandom,
            ["auuc_cost"] = m.UpliftCost.Area,
            ["uplift_at"] = new JsonArray([.. m.TopShares.Select(g => (JsonNode)Group(g))]),
            ["deciles"] = new JsonArray([.. m.Groups.Select(g => (JsonNode)Group(g))]),
            ["rate_autoc"] = Rate(m.RateValue),
            ["rate_autoc_cost"] = Rate(m.RateCost),
            ["qini_curve"] = Curve(m.QiniValue),
            ["uplift_curve"] = Curve(m.UpliftValue),
        };
        if (e.Adjusted is { } a) o["adjustment"] = a == AdjustmentKind.Ipw ? "ipw" : "doubly-robust";
        if (vsFirst is not null && firstName is not null)
            o["rate_autoc_vs_first"] = new JsonObject { ["reference"] = firstName, ["difference"] = vsFirst.Difference.Estimate, ["se"] = vsFirst.Difference.Se };
        if (e.CalibrationValue is not null || e.CalibrationCost is not null || e.CalibrationNote is not null)
            o["calibration"] = new JsonObject
            {
                ["value"] = Calib(e.CalibrationValue), ["cost"] = Calib(e.CalibrationCost), ["note"] = e.CalibrationNote,
            };
        return o;
    }

    static JsonObject Group(ScoreGroup g) => new()
    {
        ["from"] = g.From, ["to"] = g.To, ["treated"] = g.Treated, ["control"] = g.Control,
        ["value"] = Effect(g.Value), ["cost"] = Effect(g.Cost), ["ratio"] = Num(g.Ratio),
    };

    static JsonObject Effect(GroupEffect e) => new() { ["effect"] = Num(e.Effect), ["se"] = Num(e.Se), ["lower"] = Num(e.Lower), ["upper"] = Num(e.Upper) };

    static JsonObject Rate(RateEstimate r) => new() { ["estimate"] = r.Estimate, ["se"] = Num(r.Se), ["lower"] = Num(r.Lower), ["upper"] = Num(r.Upper), ["replicates"] = r.Replicates };

    static JsonObject Curve(RankingCurve c) => new()
    {
        ["x"] = new JsonArray([.. c.X.Select(v => (JsonNode)v)]), ["y"] = new JsonArray([.. c.Y.Select(v => (JsonNode)v)]),
    };

    static JsonObject? Calib(CalibrationResult? c) => c is null ? null : new JsonObject
    {
        ["mean_forest_prediction"] = Coef(c.Mean), ["differential_forest_prediction"] = Coef(c.Differential), ["users"] = c.Users,
    };

    static JsonObject Coef(CalibrationCoefficient k) => new() { ["estimate"] = k.Estimate, ["se"] = Num(k.Se), ["t"] = Num(k.T), ["p_one_sided"] = Num(k.PValue) };

    /// <summary>NaN is not JSON: null instead.</summary>
    static JsonNode? Num(double x) => double.IsFinite(x) ? JsonValue.Create(x) : null;

    /// <summary>The compact table of the metrics, one row per model (test users of one repeat).</summary>
    public static TextTable Table(IReadOnlyList<(string Name, RankingEvaluation Eval, RateComparison? VsFirst)> rows)
    {
        var t = new TextTable("model", "Qini coef", "AUUC-rand", "uplift@10% (95% CI)", "top/bottom decile", "RATE AUTOC +/- se", "RATE vs first +/- se", "calib. b");
        foreach (var (name, e, vs) in rows)
        {
            if (e.Metrics is not { } m) continue;
            var top = m.TopShares.FirstOrDefault(g => Math.Abs(g.To - 0.1) < 1e-9) ?? m.TopShares[0];
            string calib = e.CalibrationValue is { } c ? $"{Common.F3(c.Differential.Estimate)} (p {Common.F3(c.Differential.PValue)})" : "-";
            t.Add(name, Common.F3(m.QiniValue.AreaAboveRandom), Common.F3(m.UpliftValue.AreaAboveRandom),
                $"{Common.F3(top.Value.Effect)} ({Common.F3(top.Value.Lower)}, {Common.F3(top.Value.Upper)})",
                $"{Common.F3(m.Groups[0].Value.Effect)} / {Common.F3(m.Groups[^1].Value.Effect)}",
                $"{Common.F3(m.RateValue.Estimate)} +/- {Common.F3(m.RateValue.Se)}",
                vs is null ? "-" : $"{Common.F3(vs.Difference.Estimate)} +/- {Common.F3(vs.Difference.Se)}", calib);
        }
        return t;
    }
}
