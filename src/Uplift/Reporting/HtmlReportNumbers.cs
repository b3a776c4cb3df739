using Uplift.Evaluation;

namespace Uplift.Reporting;

// What the report computes: the data summary, each model's cost curve, bootstrap, value at cost shares and paired
// differences against the reference (HtmlReport.cs renders them).
public static partial class HtmlReport
{
    // ---------------------------------------------------------------- numbers

    sealed record Row(string Name, string Color, CostCurveResult Curve, BootstrapSummary Boot, ValueAtCost[] AtCost, double? FitSeconds, bool IsOracle);
    sealed record Diff(Row Model, BootstrapSummary D, double ShareBetter);

    sealed record Numbers(int N, int Treated, double IncValue, double IncCost, List<Row> Models, Row? Oracle, Row Reference,
        List<Diff> Diffs, BootstrapOptions Boot, Row Best);

    static Numbers Compute(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(input.Title);
        ArgumentNullException.ThrowIfNull(input.Evaluation);
        ArgumentNullException.ThrowIfNull(input.Models);
        ArgumentNullException.ThrowIfNull(input.Options);
        ArgumentNullException.ThrowIfNull(input.Notes);
        var o = input.Options;
        o.Validate();
        var data = input.Evaluation;
        if (!data.HasOutcomes) throw new UpliftDataException("the report's evaluation set has no T, V and C.");
        if (input.Models.Count == 0) throw new UpliftOptionException("models", "the report needs at least one model.");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in input.Models)
        {
            ArgumentNullException.ThrowIfNull(model);
            UpliftOptionException.Check(!string.IsNullOrWhiteSpace(model.Name), "models", "every model needs a name.");
            UpliftOptionException.Check(names.Add(model.Name), "models", $"the model name '{model.Name}' appears twice.");
            ArgumentNullException.ThrowIfNull(model.Scores);
            if (model.Scores.Length != data.Rows)
                throw new UpliftDataException($"model '{model.Name}' has {model.Scores.Length} scores for {data.Rows} users.");
        }
        if (input.OracleScores is { } os && os.Length != data.Rows)
            throw new UpliftDataException($"the oracle has {os.Length} scores for {data.Rows} users.");

        var t = data.T; var v = data.V; var c = data.C;
        int n = data.Rows, n1 = 0;
        for (int i = 0; i < n; i++) n1 += t[i] == 1 ? 1 : 0;
        double incValue = Stats.DifferenceOfMeans(t, v), incCost = Stats.DifferenceOfMeans(t, c);

        var boot = new BootstrapOptions { Replicates = o.BootstrapReplicates, Seed = o.Seed, MaxThreads = o.MaxThreads, Curve = o.Curve };
        var curves = new CostCurveResult[input.Models.Count];
        for (int k = 0; k < curves.Length; k++)
            curves[k] = Named(input.Models[k].Name, () => CostCurve.Compute(input.Models[k].Scores, t, v, c, o.Curve));

        int refIndex;
        if (o.ReferenceModel is { } refName)
        {
            refIndex = input.Models.ToList().FindIndex(x => x.Name == refName);
            UpliftOptionException.Check(refIndex >= 0, "reference", $"no model is named '{refName}' (models: {string.Join(", ", input.Models.Select(x => x.Name))}).");
        }
        else if (o.Reference == ReportReference.BestAucc)
        {
            refIndex = 0;
            for (int k = 1; k < curves.Length; k++) if (curves[k].Aucc > curves[refIndex].Aucc) refIndex = k;
        }
        else refIndex = 0;

        // Paired bootstraps share their resamples (same seed), so the A side of "model vs reference" is the
        // model's own bootstrap: one run per model, plus one for the reference when it is alone.
        var boots = new BootstrapSummary[curves.Length];
        var diffs = new (BootstrapSummary D, double Share)?[curves.Length];
        var refScores = input.Models[refIndex].Scores;
        for (int k = 0; k < curves.Length; k++)
        {
            if (k == refIndex) continue;
            var p = Named(input.Models[k].Name, () => Bootstrap.AuccDifference(input.Models[k].Scores, refScores, t, v, c, boot));
            boots[k] = p.A;
            boots[refIndex] ??= p.B;
            var ok = p.Difference.Values.Where(x => !double.IsNaN(x)).ToArray();
            diffs[k] = (p.Difference, ok.Length == 0 ? double.NaN : ok.Count(x => x > 0) / (double)ok.Length);
        }
        boots[refIndex] ??= Named(input.Models[refIndex].Name, () => Bootstrap.Aucc(refScores, t, v, c, boot));

        var rows = new List<Row>();
        for (int k = 0; k < curves.Length; k++)
            rows.Add(new Row(input.Models[k].Name, CostCurvePlot.Palette[k % CostCurvePlot.Palette.Count], curves[k], boots[k],
                CostCurve.ValueAtStandardShares(curves[k]), input.Models[k].FitSeconds, false));
        Row? oracle = null;
        if (input.OracleScores is { } oracleScores)
        {
            var oc = Named("oracle", () => CostCurve.Compute(oracleScores, t, v, c, o.Curve));
            var ob = Named("oracle", () => Bootstrap.Aucc(oracleScores, t, v, c, boot));
            oracle = new Row("oracle", OracleColor, oc, ob, CostCurve.ValueAtStandardShares(oc), null, true);
        }
        var list = new List<Diff>();
        for (int k = 0; k < curves.Length; k++)
            if (diffs[k] is { } d) list.Add(new Diff(rows[k], d.D, d.Share));
        var best = rows[0];
        foreach (var r in rows) if (r.Curve.Aucc > best.Curve.Aucc) best = r;
        return new Numbers(n, n1, incValue, incCost, rows, oracle, rows[refIndex], list, boot, best);
    }

    static T Named<T>(string model, Func<T> f)
    {
        try { return f(); }
        catch (UpliftDataException) { throw; }
        catch (UpliftOptionException) { throw; }
        catch (UpliftException e) { throw new UpliftException($"model '{model}': {e.Message}", e); }
    }
}
