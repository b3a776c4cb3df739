using Uplift.Data;
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
    internal sealed record Row(string Name, string Color, CostCurveResult Curve, BootstrapSummary Boot, IReadOnlyList<ValueAtCost> AtCost, double? FitSeconds, bool IsOracle)
    {
        /// <summary>With K &gt; 1 arms: the value at budgets and the per-arm split of the model's budget path.</summary>
        public MultiArmEvaluation? Arms { get; init; }
        /// <summary>One arm: the metrics other tools report on the evaluation users (deciles, Qini; docs/METRICS.md).</summary>
        public UpliftMetrics? Metrics { get; init; }
        /// <summary>With <see cref="ReportOptions.Bands"/>: the pointwise bootstrap band of the cost curve (with K &gt; 1 arms, of the
        /// multi-arm cost curve of the budget path).</summary>
        public CostCurveBand? Band { get; init; }
        /// <summary>One arm: whether the model gave effect estimates (<see cref="ReportModel.Effects"/>).</summary>
        public bool EstimatesEffects { get; init; }
        /// <summary>The calibration test of tau_v against the DR scores of V (null when not an effect estimator or not defined).</summary>
        public CalibrationResult? CalibrationValue { get; init; }
        /// <summary>The same for tau_c against the DR scores of C.</summary>
        public CalibrationResult? CalibrationCost { get; init; }
        /// <summary>Why a test of an effect estimator is missing (null otherwise).</summary>
        public string? CalibrationNote { get; init; }
    }

    /// <summary>The best model (highest AUCC) is better than every other model by its paired bootstrap: each other model's
    /// AUCC minus the best's has a 95 % interval wholly below zero. Only then does the report give it the "best" badge.</summary>
    public bool BestIsClear { get; init; }
    /// <summary>K, the number of arms of the evaluation set (1 = binary).</summary>
    public int Arms { get; init; } = 1;
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
        if (data.Arms > 1) return ComputeArms(input, data, o);

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

        int refIndex = ReferenceIndex(input, o, evals);
        var (boots, diffs) = Experiment.Paired([.. input.Models.Select(x => (x.Name, x.Scores))], refIndex, t, v, c, boot);

        var rows = new List<Row>();
        for (int k = 0; k < evals.Length; k++)
        {
            var model = input.Models[k];
            var band = o.Bands ? Experiment.Named(model.Name, () => CostCurveBands.Compute(model.Scores, t, v, c, boot)) : null;
            var (cv, cc, note) = model.Effects is { } fx ? Calibrate(model.Name, fx, t, v, c) : (null, null, null);
            rows.Add(new Row(model.Name, CostCurvePlot.Palette[k % CostCurvePlot.Palette.Count], evals[k].Curve, boots[k],
                evals[k].ValueAt, model.FitSeconds, false)
            {
                Metrics = evals[k].Metrics, Band = band, EstimatesEffects = model.Effects is not null,
                CalibrationValue = cv, CalibrationCost = cc, CalibrationNote = note,
            });
        }
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
        int bi = BestIndex(rows);
        var vsBest = bi == refIndex ? diffs : Experiment.Paired([.. input.Models.Select(x => (x.Name, x.Scores))], bi, t, v, c, boot).Differences;
        return new ReportNumbers(n, n1, incValue, incCost, rows, oracle, rows[refIndex], list, boot, rows[bi]) { BestIsClear = Clear(vsBest, bi) };
    }

    /// <summary>With K &gt; 1 arms (METHOD.md section 10): each model's budget path evaluated (multi-arm cost curve and AUCC,
    /// value at budgets, per-arm split), paired bootstraps of the paths, the oracle path when given.</summary>
    static ReportNumbers ComputeArms(ReportInput input, Dataset data, ReportOptions o)
    {
        var t = data.T; var v = data.V; var c = data.C;
        int n = data.Rows, k = data.Arms;
        foreach (var model in input.Models)
            if (model.ArmPath is not { } p || p.Users != n || p.Arms != k)
                throw new UpliftOptionException("models", $"model '{model.Name}' needs its budget path over the {n} users and {k} arms (ReportModel.ArmPath).");
        if (input.OraclePath is { } op && (op.Users != n || op.Arms != k))
            throw new UpliftDataException($"the oracle path has {op.Users} users and {op.Arms} arms for {n} users and {k} arms.");
        if (input.ArmLabels is { } labels && labels.Count != k)
            throw new UpliftOptionException("arm-labels", $"give one label per arm ({k}), got {labels.Count}.");
        int n1 = 0; double sv1 = 0, sc1 = 0, sv0 = 0, sc0 = 0;
        for (int i = 0; i < n; i++)
            if (t[i] > 0) { n1++; sv1 += v[i]; sc1 += c[i]; } else { sv0 += v[i]; sc0 += c[i]; }
        // Treated users of any arm against control: what treating everyone at the observed arm shares buys per user.
        double incValue = sv1 / n1 - sv0 / (n - n1), incCost = sc1 / n1 - sc0 / (n - n1);

        var boot = new BootstrapOptions { Replicates = o.BootstrapReplicates, Seed = o.Seed, MaxThreads = o.MaxThreads, Curve = o.Curve };
        var curveOnly = new EvaluationOptions { Curve = o.Curve };
        var evals = new RankingEvaluation[input.Models.Count];
        for (int m = 0; m < evals.Length; m++)
            evals[m] = Experiment.Named(input.Models[m].Name, () => Experiment.EvaluateArms(input.Models[m].ArmPath!, t, v, c, curveOnly));
        int refIndex = ReferenceIndex(input, o, evals);
        var (boots, diffs) = Experiment.PairedArms([.. input.Models.Select(x => (x.Name, x.ArmPath!))], refIndex, t, v, c, boot);
        var rows = new List<Row>();
        for (int m = 0; m < evals.Length; m++)
        {
            var model = input.Models[m];
            var band = o.Bands ? Experiment.Named(model.Name, () => CostCurveBands.Compute(model.ArmPath!, t, v, c, boot)) : null;
            rows.Add(new Row(model.Name, CostCurvePlot.Palette[m % CostCurvePlot.Palette.Count], evals[m].Curve, boots[m],
                evals[m].ValueAt, model.FitSeconds, false) { Arms = evals[m].Arms, Band = band });
        }
        Row? oracle = null;
        if (input.OraclePath is { } path)
        {
            var oe = Experiment.Named("oracle", () => Experiment.EvaluateArms(path, t, v, c, curveOnly with
            {
                BootstrapReplicates = o.BootstrapReplicates, BootstrapSeed = o.Seed, MaxThreads = o.MaxThreads,
            }));
            oracle = new Row("oracle", HtmlReport.OracleColor, oe.Curve, oe.Ci!, oe.ValueAt, null, true) { Arms = oe.Arms };
        }
        var list = new List<Diff>();
        for (int m = 0; m < evals.Length; m++)
            if (diffs[m] is { } d) list.Add(new Diff(rows[m], d.Difference, d.ShareBetter));
        int bi = BestIndex(rows);
        var vsBest = bi == refIndex ? diffs : Experiment.PairedArms([.. input.Models.Select(x => (x.Name, x.ArmPath!))], bi, t, v, c, boot).Differences;
        return new ReportNumbers(n, n1, incValue, incCost, rows, oracle, rows[refIndex], list, boot, rows[bi]) { Arms = k, BestIsClear = Clear(vsBest, bi) };
    }

    /// <summary>grf's test_calibration of a model's tau_v and tau_c against the randomized DR scores of V and C (as
    /// <see cref="Experiment"/>'s held-out evaluation does); a test that is not defined gives its reason in the note.</summary>
    static (CalibrationResult?, CalibrationResult?, string?) Calibrate(string name, ReportEffects fx, byte[] t, double[] v, double[] c)
    {
        ArgumentNullException.ThrowIfNull(fx.TauV);
        ArgumentNullException.ThrowIfNull(fx.TauC);
        if (fx.TauV.Length != t.Length || fx.TauC.Length != t.Length)
            throw new UpliftDataException($"model '{name}' has {fx.TauV.Length} tau_v and {fx.TauC.Length} tau_c estimates for {t.Length} users.");
        CalibrationResult? cv = null, cc = null;
        var notes = new List<string>();
        try { cv = Calibration.Test(fx.TauV, DrScores.Randomized(t, v)); } catch (UpliftException e) { notes.Add("tau_v: " + e.Message); }
        try { cc = Calibration.Test(fx.TauC, DrScores.Randomized(t, c)); } catch (UpliftException e) { notes.Add("tau_c: " + e.Message); }
        return (cv, cc, notes.Count == 0 ? null : string.Join("; ", notes));
    }

    /// <summary>The model with the highest AUCC (the first of equals).</summary>
    static int BestIndex(List<Row> rows)
    {
        int b = 0;
        for (int i = 1; i < rows.Count; i++) if (rows[i].Curve.Aucc > rows[b].Curve.Aucc) b = i;
        return b;
    }

    /// <summary>Whether every other model's paired AUCC difference against the best (<paramref name="vsBest"/>, index = model)
    /// has its whole interval below zero; false with one model.</summary>
    static bool Clear(PairedComparison?[] vsBest, int best)
    {
        if (vsBest.Length < 2) return false;
        for (int i = 0; i < vsBest.Length; i++)
        {
            if (i == best) continue;
            if (vsBest[i] is not { } d || !(d.Difference.Upper < 0)) return false;
        }
        return true;
    }

    /// <summary>The index of the reference model of the paired differences (<see cref="ReportOptions.ReferenceModel"/>, else <see cref="ReportOptions.Reference"/>).</summary>
    static int ReferenceIndex(ReportInput input, ReportOptions o, RankingEvaluation[] evals)
    {
        if (o.ReferenceModel is { } refName)
        {
            int r = input.Models.ToList().FindIndex(x => x.Name == refName);
            UpliftOptionException.Check(r >= 0, "reference", $"no model is named '{refName}' (models: {string.Join(", ", input.Models.Select(x => x.Name))}).");
            return r;
        }
        int best = 0;
        if (o.Reference == ReportReference.BestAucc)
            for (int k = 1; k < evals.Length; k++) if (evals[k].Aucc > evals[best].Aucc) best = k;
        return best;
    }
}
