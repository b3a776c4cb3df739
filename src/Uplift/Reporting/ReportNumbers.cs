using Uplift.Evaluation;
using Uplift.Experiments;

namespace Uplift.Reporting;

/// <summary>
/// What the report computes, apart from how <see cref="HtmlReport"/> renders it: the data summary (<see cref="Stats"/>) and,
/// from the experiment's evaluation half (<see cref="Experiment.Evaluate"/>, <see cref="Experiment.Paired"/>), each
/// model's cost curve, value at the standard cost shares, bootstrap interval and paired difference against the reference.
/// </summary>
internal sealed record ReportNumbers(int N, int Treated, double IncValue, double IncCost, List<ReportNumbers.Row> Models,
    ReportNumbers.Row? Oracle, ReportNumbers.Row Reference, List<ReportNumbers.Diff> Diffs, BootstrapOptions Boot, ReportNumbers.Row Best)
{
    /// <summary>One ranking of the report (a model or the oracle).</summary>
    internal sealed record Row(string Name, string Color, CostCurveResult Curve, BootstrapSummary Boot, IReadOnlyList<ValueAtCost> AtCost, double? FitSeconds, bool IsOracle);
    /// <summary>A model minus the reference: the bootstrap of the AUCC difference and the share of resamples where the model is better.</summary>
    internal sealed record Diff(Row Model, BootstrapSummary D, double ShareBetter);

    /// <summary>Checks <paramref name="input"/> and computes every number of the report.</summary>
    public static ReportNumbers Compute(ReportInput input)
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

        // The evaluation half of the experiment: each model's curve and value at the standard cost shares, then paired
        // bootstraps against the reference on the same resamples (which also give each model's own interval).
        var boot = new BootstrapOptions { Replicates = o.BootstrapReplicates, Seed = o.Seed, MaxThreads = o.MaxThreads, Curve = o.Curve };
        var curveOnly = new EvaluationOptions { Curve = o.Curve };
        var evals = new RankingEvaluation[input.Models.Count];
        for (int k = 0; k < evals.Length; k++)
            evals[k] = Experiment.Named(input.Models[k].Name, () => Experiment.Evaluate(input.Models[k].Scores, t, v, c, curveOnly));

        int refIndex;
        if (o.ReferenceModel is { } refName)
        {
            refIndex = input.Models.ToList().FindIndex(x => x.Name == refName);
            UpliftOptionException.Check(refIndex >= 0, "reference", $"no model is named '{refName}' (models: {string.Join(", ", input.Models.Select(x => x.Name))}).");
        }
        else if (o.Reference == ReportReference.BestAucc)
        {
            refIndex = 0;
            for (int k = 1; k < evals.Length; k++) if (evals[k].Aucc > evals[refIndex].Aucc) refIndex = k;
        }
        else refIndex = 0;
        var (boots, diffs) = Experiment.Paired([.. input.Models.Select(x => (x.Name, x.Scores))], refIndex, t, v, c, boot);

        var rows = new List<Row>();
        for (int k = 0; k < evals.Length; k++)
            rows.Add(new Row(input.Models[k].Name, CostCurvePlot.Palette[k % CostCurvePlot.Palette.Count], evals[k].Curve, boots[k],
                evals[k].ValueAt, input.Models[k].FitSeconds, false));
        Row? oracle = null;
        if (input.OracleScores is { } oracleScores)
        {
            var oe = Experiment.Named("oracle", () => Experiment.Evaluate(oracleScores, t, v, c, curveOnly with
            {
                BootstrapReplicates = o.BootstrapReplicates, BootstrapSeed = o.Seed, MaxThreads = o.MaxThreads,
            }));
            oracle = new Row("oracle", HtmlReport.OracleColor, oe.Curve, oe.Ci!, oe.ValueAt, null, true);
        }
        var list = new List<Diff>();
        for (int k = 0; k < evals.Length; k++)
            if (diffs[k] is { } d) list.Add(new Diff(rows[k], d.Difference, d.ShareBetter));
        var best = rows[0];
        foreach (var r in rows) if (r.Curve.Aucc > best.Curve.Aucc) best = r;
        return new ReportNumbers(n, n1, incValue, incCost, rows, oracle, rows[refIndex], list, boot, best);
    }
}
