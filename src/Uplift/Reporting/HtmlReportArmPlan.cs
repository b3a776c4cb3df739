using System.Text;
using Uplift.Campaign;

namespace Uplift.Reporting;

// The budget plan of a campaign with K > 1 arms (METHOD.md sections 9 and 10): per arm the expected users, incremental value
// and cost with their bootstrap intervals, the totals, and the references at the same spend (the best single-arm policy and
// random allocation with the plan's arm mix). The numbers are MultiArmPlan's; this file only lays them out.
public static partial class HtmlReport
{
    static void WriteArmPlan(StringBuilder sb, ArmPlanSummary s)
    {
        var p = s.Plan;
        string level = Pct(p.ConfidenceLevel);
        string Ci(Interval? i) => i is { } x ? $" <span class=\"ci\">{level} CI [{Num(x.Low)}, {Num(x.High)}]</span>" : "";
        sb.Append("<section id=\"plan\">\n<h2>Budget plan across arms</h2>\n<table class=\"kv\">\n<tbody>\n");
        if (!string.IsNullOrWhiteSpace(s.Model)) Kv(sb, "Model", Esc(s.Model!));
        Kv(sb, "Budget (incremental cost)", Num(p.Budget));
        Kv(sb, "Candidates", $"{Count(p.Candidates)} <span class=\"ci\">explore share {Esc(Pct(p.Explore))}, split equally across {Esc(p.ControlLabel)} and the {p.Arms.Count} arms</span>");
        Kv(sb, "Budget path", $"{Count(p.Upgrades)} upgrades" + (p.CutoffSlope is { } cs ? $" <span class=\"ci\">cut-off slope {Num(cs)} (estimated value per cost of the last upgrade)</span>" : ""));
        Kv(sb, "Expected incremental value", $"<span class=\"strong\">{Num(p.Value)}</span>{Ci(p.ValueCi)}");
        Kv(sb, "Expected incremental cost", $"<span class=\"strong\">{Num(p.Cost)}</span>{Ci(p.CostCi)}");
        if (p.SpendConfidence is { } sc)
            Kv(sb, "Spend confidence", $"{Esc(Pct(sc))} <span class=\"ci\">held back {Num(p.HeldBack)} of the expected spend so that the upper {Esc(Pct(sc))} bootstrap quantile of the spend stays within the budget</span>");
        sb.Append("</tbody>\n</table>\n");

        sb.Append("<div class=\"table-wrap\">\n<table id=\"plan-arms\">\n<thead><tr><th>Arm</th><th class=\"num\">Expected users</th>")
          .Append("<th class=\"num\">Incremental value</th><th class=\"num\">Incremental cost</th><th class=\"num\">Value per cost</th></tr></thead>\n<tbody>\n");
        for (int a = 0; a < p.Arms.Count; a++)
        {
            var arm = p.Arms[a];
            sb.Append("<tr><td>");
            Swatch(sb, ArmColor(a + 1));
            sb.Append(Esc(arm.Label)).Append("</td><td class=\"num\">").Append(Count((long)Math.Round(arm.Users)))
              .Append("</td><td class=\"num\">").Append(Num(arm.Value)).Append(Ci(arm.ValueCi))
              .Append("</td><td class=\"num\">").Append(Num(arm.Cost)).Append(Ci(arm.CostCi))
              .Append("</td><td class=\"num\">").Append(arm.Cost > 0 ? Num(arm.Value / arm.Cost) : "n/a").Append("</td></tr>\n");
        }
        sb.Append("<tr class=\"muted-row\"><td>");
        Swatch(sb, ArmColor(0));
        sb.Append(Esc(p.ControlLabel)).Append(" (no offer)</td><td class=\"num\">").Append(Count((long)Math.Round(p.ControlUsers)))
          .Append("</td><td></td><td></td><td></td></tr>\n");
        sb.Append("<tr><td><span class=\"strong\">Plan</span></td><td class=\"num\">").Append(Count((long)Math.Round(p.Candidates - p.ControlUsers)))
          .Append("</td><td class=\"num\"><span class=\"strong\">").Append(Num(p.Value)).Append("</span>").Append(Ci(p.ValueCi))
          .Append("</td><td class=\"num\"><span class=\"strong\">").Append(Num(p.Cost)).Append("</span>").Append(Ci(p.CostCi))
          .Append("</td><td class=\"num\">").Append(Num(p.ValuePerCost)).Append("</td></tr>\n");
        if (p.BestSingleArm is not null)
            sb.Append("<tr class=\"muted-row\"><td>Best single arm (").Append(Esc(p.BestSingleArm)).Append(") at the same spend</td><td></td><td class=\"num\">")
              .Append(Num(p.BestSingleArmValue)).Append("</td><td class=\"num\">").Append(Num(p.BestSingleArmCost)).Append("</td><td class=\"num\">")
              .Append(p.BestSingleArmCost > 0 ? Num(p.BestSingleArmValue / p.BestSingleArmCost) : "n/a").Append("</td></tr>\n");
        sb.Append("<tr class=\"muted-row\"><td>Random allocation, same arm mix</td><td></td><td class=\"num\">")
          .Append(Num(p.RandomValuePerCost * p.Cost)).Append("</td><td class=\"num\">").Append(Num(p.Cost)).Append("</td><td class=\"num\">")
          .Append(Num(p.RandomValuePerCost)).Append("</td></tr>\n");
        sb.Append("</tbody>\n</table>\n</div>\n<p class=\"note\">")
          .Append(Esc(p.Source == PlanEffectSource.EvaluationData
              ? string.Create(Inv, $"Per-arm effects estimated on the {p.EvaluationUsers:N0} evaluation users (each assigned group against its own control users), intervals by a bootstrap stratified by arm. The plan's value per cost is {p.RatioVsRandom:0.###} times random allocation's.")
              : "Priced by the model's own effect estimates (no interval)."));
        if (p.Warnings.Count > 0) sb.Append(' ').Append(Esc(string.Join(" ", p.Warnings)));
        sb.Append("</p>\n</section>\n");
    }
}
