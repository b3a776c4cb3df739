using Uplift.Evaluation;

namespace Uplift.Experiments;

// The evaluation half of the experiment, for callers that only score: one ranking on held-out users, and several
// rankings against a reference on the same bootstrap resamples.
public static partial class Experiment
{
    /// <summary>
    /// Evaluates <paramref name="score"/> (higher = treat first) on users with T, V, C: the cost curve and AUCC, the
    /// value at each of <see cref="EvaluationOptions.CostShares"/> (METHOD.md section 6) and, with bootstrap replicates,
    /// the AUCC interval (resampling seed <see cref="EvaluationOptions.BootstrapSeed"/>, else <paramref name="seed"/>).
    /// </summary>
    public static RankingEvaluation Evaluate(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v,
        ReadOnlySpan<double> c, EvaluationOptions? options = null, long seed = 1)
    {
        options ??= EvaluationOptions.Default;
        ArgumentNullException.ThrowIfNull(options.Curve);
        var curve = CostCurve.Compute(score, t, v, c, options.Curve); // the data's errors first, then the options'
        options.Validate();
        var at = options.CostShares.Select(s => CostCurve.ValueAtCostShare(curve, s)).ToArray();
        var ci = options.BootstrapReplicates > 0 ? Bootstrap.Aucc(score, t, v, c, options.Bootstrap(seed)) : null;
        return new RankingEvaluation(curve, at, ci);
    }

    /// <summary>
    /// Paired bootstraps of each model against model <paramref name="reference"/> on the same users: every model's own
    /// AUCC bootstrap (all on the resamples of <paramref name="boot"/>'s seed, so intervals and differences agree) and,
    /// for every model but the reference, the bootstrap of AUCC(model) − AUCC(reference). Errors name the model.
    /// </summary>
    public static (BootstrapSummary[] Bootstrap, PairedComparison?[] Differences) Paired(IReadOnlyList<(string Name, double[] Scores)> models,
        int reference, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, BootstrapOptions boot)
    {
        ArgumentNullException.ThrowIfNull(boot);
        byte[] ta = t.ToArray(); double[] va = v.ToArray(), ca = c.ToArray();
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
