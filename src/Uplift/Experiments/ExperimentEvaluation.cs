using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;

namespace Uplift.Experiments;

// The evaluation half of the experiment, for callers that only score: one ranking on held-out users, and several
// rankings against a reference on the same bootstrap resamples.
public static partial class Experiment
{
    /// <summary>
    /// Evaluates <paramref name="score"/> (higher = treat first) on users with T, V, C: the cost curve and AUCC, the
    /// value at each of <see cref="EvaluationOptions.CostShares"/> (METHOD.md section 6) and, with bootstrap replicates,
    /// the AUCC interval (resampling seed <see cref="EvaluationOptions.BootstrapSeed"/>, else <paramref name="seed"/>);
    /// and the metrics other tools report (<see cref="EvaluationOptions.Metrics"/>). With <paramref name="adjustment"/>
    /// (observational data, METHOD.md section 11) the curve, interval and metrics are inverse-propensity weighted or
    /// doubly robust; without it the numbers are those of section 6 exactly.
    /// </summary>
    public static RankingEvaluation Evaluate(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, EvaluationOptions? options = null, long seed = 1, Adjustment? adjustment = null)
    {
        options ??= EvaluationOptions.Default;
        ArgumentNullException.ThrowIfNull(options.Curve);
        var curve = adjustment is null ? CostCurve.Compute(score, t, v, c, options.Curve) // the data's errors first, then the options'
            : CostCurve.ComputeAdjusted(score, t, v, c, adjustment, options.Curve);
        options.Validate();
        var at = options.CostShares.Select(s => CostCurve.ValueAtCostShare(curve, s)).ToArray();
        var ci = options.BootstrapReplicates <= 0 ? null
            : adjustment is null ? Bootstrap.Aucc(score, t, v, c, options.Bootstrap(seed))
            : CostCurve.BootstrapAdjusted(score, t, v, c, adjustment, options.Bootstrap(seed));
        UpliftMetrics? metrics = null;
        if (options.MetricsFor(seed) is { } mo)
        {
            if (adjustment is null) metrics = UpliftMetrics.Compute(score, t, v, c, mo);
            else
            {
                var (gv, gc) = adjustment.Gammas(t, v, c);
                metrics = UpliftMetrics.Compute(score, t, v, c, mo, adjustment.Weights(t), gv, gc);
            }
        }
        return new RankingEvaluation(curve, at, ci) { Metrics = metrics, Adjusted = adjustment?.Kind };
    }

    /// <summary>
    /// A binary model's evaluation on held-out users <paramref name="data"/> with scores <paramref name="scores"/>: <see cref="Evaluate"/>
    /// (on the kept users of <paramref name="observed"/> with its adjustment, when given) and, for a model that estimates effects,
    /// the calibration tests of tau_v and tau_c against the DR scores (section 11).
    /// </summary>
    internal static RankingEvaluation EvaluateHeldOut(IUpliftModel model, double[] scores, Dataset data, ObservedUsers? observed,
        EvaluationOptions options, long seed, int? maxThreads)
    {
        var d = observed?.Data ?? data;
        var s = observed?.Pick(scores) ?? scores;
        var ev = Evaluate(s, d.T, d.V, d.C, options, seed, observed?.Adjustment);
        if (model is not IEffectModel effects || options.Metrics is null) return ev;
        var tv = new double[d.Rows]; var tc = new double[d.Rows];
        effects.PredictEffects(d, tv, tc, maxThreads);
        var (gv, gc) = observed is null ? (DrScores.Randomized(d.T, d.V), DrScores.Randomized(d.T, d.C)) : observed.Adjustment.Gammas(d.T, d.V, d.C);
        CalibrationResult? cv = null, cc = null;
        var notes = new List<string>();
        try { cv = Calibration.Test(tv, gv); } catch (UpliftException e) { notes.Add("tau_v: " + e.Message); }
        try { cc = Calibration.Test(tc, gc); } catch (UpliftException e) { notes.Add("tau_c: " + e.Message); }
        return ev with { CalibrationValue = cv, CalibrationCost = cc, CalibrationNote = notes.Count == 0 ? null : string.Join("; ", notes) };
    }

    /// <summary>The validation AUCC of a binary model (adjusted on the kept users of <paramref name="observed"/> when given).</summary>
    internal static double ValidationAucc(double[] scores, Dataset data, ObservedUsers? observed, CostCurveOptions curve) =>
        observed is null ? CostCurve.Compute(scores, data.T, data.V, data.C, curve).Aucc
            : CostCurve.ComputeAdjusted(observed.Pick(scores), observed.Data.T, observed.Data.V, observed.Data.C, observed.Adjustment, curve).Aucc;

    /// <summary>The RATE of every run's test scores against the first run's, on the same resamples (<see cref="ExperimentRepeat.RateVsFirst"/>).</summary>
    internal static RateComparison[] RateAgainstFirst(IReadOnlyList<FittedRun> runs, Dataset test, ObservedUsers? observed, EvaluationOptions options, long seed)
    {
        if (options.MetricsFor(seed) is not { } mo || runs.Count == 0 || test.Rows == 0) return [];
        var d = observed?.Data ?? test;
        var gv = observed is null ? DrScores.Randomized(d.T, d.V) : observed.Adjustment.Gammas(d.T, d.V, d.C).V;
        var first = observed?.Pick(runs[0].TestScores) ?? runs[0].TestScores;
        return [.. runs.Select(r => Rate.Compare(observed?.Pick(r.TestScores) ?? r.TestScores, first, gv, mo.Rate))];
    }

    /// <summary>
    /// Paired bootstraps of each model against model <paramref name="reference"/> on the same users: every model's own
    /// AUCC bootstrap (all on the resamples of <paramref name="boot"/>'s seed, so intervals and differences agree) and,
    /// for every model but the reference, the bootstrap of AUCC(model) − AUCC(reference); adjusted (section 11) with
    /// <paramref name="adjustment"/>. Errors name the model.
    /// </summary>
    public static (BootstrapSummary[] Bootstrap, PairedComparison?[] Differences) Paired(IReadOnlyList<(string Name, double[] Scores)> models,
        int reference, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, BootstrapOptions boot, Adjustment? adjustment = null)
    {
        ArgumentNullException.ThrowIfNull(boot);
        byte[] ta = t.ToArray(); double[] va = v.ToArray(), ca = c.ToArray();
        if (adjustment is not null)
            return PairedCore(models, reference, (a, r) => CostCurve.BootstrapAdjustedDifference(a, r, ta, va, ca, adjustment, boot),
                r => CostCurve.BootstrapAdjusted(r, ta, va, ca, adjustment, boot));
        return PairedCore(models, reference, (a, r) => Bootstrap.AuccDifference(a, r, ta, va, ca, boot),
            r => Bootstrap.Aucc(r, ta, va, ca, boot));
    }

    /// <summary>The paired loop of <see cref="Paired"/> and <see cref="PairedArms"/>: the A side of "model vs reference" is
    /// the model's own bootstrap (one paired run per model), plus one run for the reference when it is alone.</summary>
    static (BootstrapSummary[] Bootstrap, PairedComparison?[] Differences) PairedCore<TModel>(IReadOnlyList<(string Name, TModel Model)> models,
        int reference, Func<TModel, TModel, PairedBootstrapSummary> difference, Func<TModel, BootstrapSummary> alone)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfNegative(reference);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(reference, models.Count);
        var boots = new BootstrapSummary[models.Count];
        var diffs = new PairedComparison?[models.Count];
        var (refName, refModel) = models[reference];
        for (int k = 0; k < models.Count; k++)
        {
            if (k == reference) continue;
            var (name, model) = models[k];
            var p = Named(name, () => difference(model, refModel));
            boots[k] = p.A;
            boots[reference] ??= p.B;
            var ok = p.Difference.Values.Where(x => !double.IsNaN(x)).ToArray();
            diffs[k] = new PairedComparison(name, refName, p.A, p.B, p.Difference, ok.Length == 0 ? double.NaN : ok.Count(x => x > 0) / (double)ok.Length);
        }
        boots[reference] ??= Named(refName, () => alone(refModel));
        return (boots, diffs);
    }

    /// <summary>Runs <paramref name="f"/>, prefixing a numeric failure (not a data or option error) with the model's name.</summary>
    internal static T Named<T>(string model, Func<T> f)
    {
        try { return f(); }
        catch (UpliftDataException) { throw; }
        catch (UpliftOptionException) { throw; }
        catch (UpliftException e) { throw new UpliftException($"model '{model}': {e.Message}", e); }
    }
}
