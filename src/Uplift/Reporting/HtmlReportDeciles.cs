using System.Text;
using Uplift.Evaluation;

namespace Uplift.Reporting;

// The chart practitioners look at first (issue 12): the incremental value per user in each tenth of the users by score,
// best-scored tenth first, with its 95 % interval (Deciles in Evaluation/, defined in docs/METRICS.md), and the Qini
// coefficient beside it. One model of one arm: a multi-arm path has no single score to cut into tenths.
public static partial class HtmlReport
{
    const int DecW = 200, DecH = 80;

    static void WriteDeciles(StringBuilder sb, ReportNumbers m)
    {
        var rows = m.Models.Where(r => r.Metrics is not null).ToList();
        if (rows.Count == 0) return;
        double ext = 1e-12;
        foreach (var r in rows)
            foreach (var g in r.Metrics!.Groups)
                foreach (var x in new[] { g.Value.Effect, g.Value.Lower, g.Value.Upper })
                    if (double.IsFinite(x)) ext = Math.Max(ext, Math.Abs(x));
        double qLo = 0, qHi = 1e-12; // one vertical scale for every Qini curve
        foreach (var r in rows)
            foreach (var y in r.Metrics!.QiniValue.Y)
                if (double.IsFinite(y)) { qLo = Math.Min(qLo, y); qHi = Math.Max(qHi, y); }
        sb.Append("<section id=\"deciles\">\n<h2>Uplift by score decile</h2>\n")
          .Append("<p class=\"lead\">Users cut into ten equal groups by score, the best-scored tenth on the left: each bar is the group's incremental value per user ")
          .Append("(mean value of its treated users minus that of its control users) with its 95% interval. A good ranking falls from left to right. ")
          .Append("Qini curve: the incremental value gained by targeting the top share of users (x: share targeted), against random targeting (the straight line to the same end point); ")
          .Append("the Qini coefficient is the area between them (docs/METRICS.md). Charts of one kind share one scale.</p>\n")
          .Append("<div class=\"table-wrap\">\n<table>\n<thead><tr><th>Model</th><th class=\"num\">Qini coef.</th><th class=\"num\">Top decile</th><th class=\"num\">Bottom decile</th>")
          .Append("<th class=\"chart\">Incremental value per user by decile</th><th class=\"chart\">Qini curve <span class=\"ci\">(dashed: random)</span></th></tr></thead>\n<tbody>\n");
        foreach (var r in rows)
        {
            var g = r.Metrics!.Groups;
            sb.Append("<tr><td>");
            Swatch(sb, r.Color);
            sb.Append(Esc(r.Name)).Append("</td><td class=\"num\">").Append(A3(r.Metrics.QiniValue.AreaAboveRandom))
              .Append("</td><td class=\"num\">").Append(A3(g[0].Value.Effect)).Append(" <span class=\"ci\">[").Append(A3(g[0].Value.Lower)).Append(", ").Append(A3(g[0].Value.Upper)).Append("]</span>")
              .Append("</td><td class=\"num\">").Append(A3(g[^1].Value.Effect)).Append("</td><td class=\"chart\">");
            DecileSvg(sb, g, ext, r.Color);
            sb.Append("</td><td class=\"chart\">");
            QiniSvg(sb, r.Metrics.QiniValue, qLo, qHi, r.Color);
            sb.Append("</td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</div>\n</section>\n");
    }

    /// <summary>The Qini curve of value as a line from (0, 0), with the random line to its end point, on [<paramref name="lo"/>, <paramref name="hi"/>].</summary>
    static void QiniSvg(StringBuilder sb, RankingCurve q, double lo, double hi, string color)
    {
        double X(double x) => 4 + Math.Clamp(x, 0, 1) * (DecW - 8);
        double Y(double y) => DecH - 4 - (Math.Clamp(y, lo, hi) - lo) / (hi - lo) * (DecH - 8);
        sb.Append(Inv, $"<svg class=\"deciles\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{DecW}\" height=\"{DecH}\" viewBox=\"0 0 {DecW} {DecH}\" role=\"img\" aria-label=\"Qini curve, coefficient {A3(q.AreaAboveRandom)}\">")
          .Append(Inv, $"<line x1=\"{F(X(0))}\" y1=\"{F(Y(0))}\" x2=\"{F(X(1))}\" y2=\"{F(Y(q.Last))}\" stroke=\"{RandomColor}\" stroke-width=\"1\" stroke-dasharray=\"3 2\"/>")
          .Append("<polyline fill=\"none\" stroke=\"").Append(color).Append("\" stroke-width=\"1.8\" points=\"");
        for (int j = 0; j < q.X.Length; j++)
            if (double.IsFinite(q.Y[j])) sb.Append(F(X(q.X[j]))).Append(',').Append(F(Y(q.Y[j]))).Append(' ');
        sb.Append("\"/></svg>");
    }

    /// <summary>Vertical bars around a zero line (the same ±<paramref name="ext"/> scale for every model), with interval whiskers.</summary>
    static void DecileSvg(StringBuilder sb, IReadOnlyList<ScoreGroup> groups, double ext, string color)
    {
        double mid = DecH / 2.0, half = DecH / 2.0 - 4, slot = (DecW - 8.0) / groups.Count;
        double Y(double v) => mid - Math.Clamp(v / ext, -1, 1) * half;
        sb.Append(Inv, $"<svg class=\"deciles\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{DecW}\" height=\"{DecH}\" viewBox=\"0 0 {DecW} {DecH}\" role=\"img\" aria-label=\"incremental value by decile\">");
        for (int q = 0; q < groups.Count; q++)
        {
            var e = groups[q].Value;
            double x = 4 + q * slot + slot * 0.15, w = slot * 0.7;
            if (double.IsFinite(e.Effect))
            {
                double y0 = Math.Min(Y(0), Y(e.Effect)), y1 = Math.Max(Y(0), Y(e.Effect));
                sb.Append(Inv, $"<rect x=\"{F(x)}\" y=\"{F(y0)}\" width=\"{F(w)}\" height=\"{F(Math.Max(y1 - y0, 0.5))}\" rx=\"1.5\" fill=\"{color}\" fill-opacity=\"0.8\"><title>decile {q + 1}: {A3(e.Effect)} [{A3(e.Lower)}, {A3(e.Upper)}]</title></rect>");
            }
            if (double.IsFinite(e.Lower) && double.IsFinite(e.Upper))
            {
                double cx = x + w / 2;
                sb.Append(Inv, $"<line x1=\"{F(cx)}\" y1=\"{F(Y(e.Lower))}\" x2=\"{F(cx)}\" y2=\"{F(Y(e.Upper))}\" stroke=\"#222222\" stroke-width=\"1\"/>");
            }
        }
        sb.Append(Inv, $"<line x1=\"2\" y1=\"{F(mid)}\" x2=\"{DecW - 2}\" y2=\"{F(mid)}\" stroke=\"#8C8C8C\" stroke-width=\"1\"/>").Append("</svg>");
    }
}
