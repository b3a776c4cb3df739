using System.Text;
using Uplift.Evaluation;
using Uplift.Experiments;

namespace Uplift.Reporting;

// The sections of a campaign with K > 1 arms (METHOD.md section 10): the value at fixed budgets of each model's budget
// path and, per model, how the budget splits across arms as it grows. Inline SVG only, like the rest of the page.
public static partial class HtmlReport
{
    /// <summary>The label of arm <paramref name="a"/> (0 = control) as the report shows it.</summary>
    static string ArmName(ReportInput input, int a) =>
        a == 0 ? input.ControlLabel : input.ArmLabels is { } l ? l[a - 1] : $"arm {a}";

    /// <summary>The colour of arm <paramref name="a"/> in the split charts (control light grey).</summary>
    static string ArmColor(int a) => a == 0 ? "#DDDDDD" : CostCurvePlot.Palette[(a - 1) % CostCurvePlot.Palette.Count];

    /// <summary>The data table's row of users per arm.</summary>
    static void WriteArmCounts(StringBuilder sb, ReportInput input, ReportNumbers m)
    {
        var counts = input.Evaluation.ArmCounts();
        Kv(sb, "Arms", string.Join(" · ", Enumerable.Range(0, m.Arms + 1).Select(a =>
            $"{Esc(ArmName(input, a))} {Count(counts[a])}")) + $" <span class=\"ci\">({m.Arms} arms against control)</span>");
    }

    static void WriteBudgets(StringBuilder sb, ReportInput input, ReportNumbers m)
    {
        var all = m.Models.Concat(m.Oracle is null ? [] : [m.Oracle]).Where(r => r.Arms is not null).ToList();
        if (all.Count == 0) return;
        var shares = all[0].Arms!.ValueAtBudgets.Select(b => b.Share).ToList();
        sb.Append("<section id=\"value-at-budget\">\n<h2>Value at fixed budgets</h2>\n")
          .Append("<p class=\"lead\">Each model's budget path (users' upgrades between arms, steepest estimated value per cost first) stopped at a share of ")
          .Append("the budget that gives every user their best arm: the held-out incremental value and cost of that assignment (totals over the evaluation users), ")
          .Append("estimated from the users observed in each assigned arm.</p>\n<div class=\"table-wrap\">\n<table>\n<thead><tr><th>Model</th>");
        foreach (var s in shares) sb.Append("<th class=\"num\">").Append(Pct(s)).Append(" of full budget</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var r in all)
        {
            sb.Append(r.IsOracle ? "<tr class=\"muted-row\">" : "<tr>").Append("<td>");
            Swatch(sb, r.Color);
            sb.Append(Esc(r.Name)).Append("</td>");
            foreach (var b in r.Arms!.ValueAtBudgets)
                sb.Append("<td class=\"num\"><span class=\"strong\">").Append(Num(b.Value)).Append("</span> <span class=\"ci\">cost ")
                  .Append(Num(b.Cost)).Append(" · budget ").Append(Num(b.Budget)).Append("</span></td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</div>\n</section>\n");

        sb.Append("<section id=\"arm-split\">\n<h2>How the budget splits across arms</h2>\n")
          .Append("<p class=\"lead\">Share of users assigned to each arm as the budget grows along each model's path (5 % steps of the full budget).</p>\n");
        foreach (var r in all)
            sb.Append("<figure class=\"plot\">\n").Append(ArmSplitSvg(input, r.Name, r.Arms!)).Append("<figcaption>")
              .Append(Esc(r.Name)).Append(": bars stack the users per arm at each budget (grey: left in control).</figcaption>\n</figure>\n");
        sb.Append("</section>\n");
    }

    /// <summary>A stacked bar chart: for each budget share of <see cref="MultiArmEvaluation.Split"/>, the users per arm as a share of all users.</summary>
    static string ArmSplitSvg(ReportInput input, string name, MultiArmEvaluation e)
    {
        const int W = 640, H = 240, L = 48, R = 130, T = 28, B = 36;
        double pw = W - L - R, ph = H - T - B;
        var split = e.Split;
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"{Esc(name)}: users per arm along the budget\">")
          .Append(Inv, $"<text x=\"{L}\" y=\"18\" font-size=\"13\" font-family=\"sans-serif\" fill=\"#222222\">{Esc(name)}: users per arm by budget</text>");
        double bw = pw / split.Count;
        for (int s = 0; s < split.Count; s++)
        {
            var p = split[s];
            int total = p.Users.Sum();
            double y = T + ph;
            for (int a = 1; a <= e.Arms; a++) y = Bar(sb, L + s * bw, y, bw, p.Users[a], total, ph, ArmColor(a));
            Bar(sb, L + s * bw, y, bw, p.Users[0], total, ph, ArmColor(0));
        }
        for (int q = 0; q <= 4; q++)
        {
            double y = T + ph - q / 4.0 * ph;
            sb.Append(Inv, $"<line x1=\"{L}\" y1=\"{F(y)}\" x2=\"{F(L + pw)}\" y2=\"{F(y)}\" stroke=\"#CCCCCC\" stroke-width=\"0.5\"/>")
              .Append(Inv, $"<text x=\"{L - 6}\" y=\"{F(y + 4)}\" font-size=\"11\" font-family=\"sans-serif\" text-anchor=\"end\" fill=\"#555555\">{q * 25}%</text>");
        }
        foreach (int pct in new[] { 25, 50, 75, 100 })
            sb.Append(Inv, $"<text x=\"{F(L + pct / 100.0 * pw)}\" y=\"{H - 18}\" font-size=\"11\" font-family=\"sans-serif\" text-anchor=\"end\" fill=\"#555555\">{pct}%</text>");
        sb.Append(Inv, $"<text x=\"{F(L + pw / 2)}\" y=\"{H - 4}\" font-size=\"11\" font-family=\"sans-serif\" text-anchor=\"middle\" fill=\"#555555\">budget (share of the full path's estimated cost)</text>");
        for (int a = 0; a <= e.Arms; a++)
        {
            int row = a == 0 ? e.Arms : a - 1; // arms first, control last
            double y = T + 8 + row * 18;
            sb.Append(Inv, $"<rect x=\"{F(L + pw + 14)}\" y=\"{F(y - 9)}\" width=\"12\" height=\"12\" fill=\"{ArmColor(a)}\"/>")
              .Append(Inv, $"<text x=\"{F(L + pw + 32)}\" y=\"{F(y + 1)}\" font-size=\"11\" font-family=\"sans-serif\" fill=\"#222222\">{Esc(ArmName(input, a))}</text>");
        }
        return sb.Append("</svg>\n").ToString();
    }

    /// <summary>One segment of a stacked bar, drawn upwards from <paramref name="bottom"/>; returns its top.</summary>
    static double Bar(StringBuilder sb, double x, double bottom, double w, int users, int total, double ph, string color)
    {
        if (users <= 0 || total <= 0) return bottom;
        double h = (double)users / total * ph;
        sb.Append(Inv, $"<rect x=\"{F(x + 1)}\" y=\"{F(bottom - h)}\" width=\"{F(Math.Max(w - 2, 0.5))}\" height=\"{F(h)}\" fill=\"{color}\"/>");
        return bottom - h;
    }
}
