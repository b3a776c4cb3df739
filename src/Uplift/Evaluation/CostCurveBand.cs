namespace Uplift.Evaluation;

/// <summary>
/// A pointwise bootstrap band of one cost curve (docs/METRICS.md, "Cost curve bands"): at each share x of the
/// incremental cost on a fixed grid, the value the curve captures there (<see cref="CostCurve.ValueAtCostShare"/>, 0 at
/// x = 0) on the original users (<see cref="Estimate"/>) and the 2.5 and 97.5 percentiles of that value over the bootstrap
/// resamples (<see cref="Lower"/>, <see cref="Upper"/>). Pointwise: each x has its own 95 % interval; the band as a whole
/// covers the true curve less often than 95 %.
/// </summary>
/// <param name="Share">The grid of cost shares, 0 to 1, increasing.</param>
/// <param name="Estimate">The curve's value at each share on the original users.</param>
/// <param name="Lower">2.5 percentile at each share (over the replicates whose curve was defined).</param>
/// <param name="Upper">97.5 percentile at each share.</param>
/// <param name="Replicates">Bootstrap replicates drawn.</param>
/// <param name="FailedReplicates">Replicates whose cost curve was undefined (left out).</param>
/// <param name="AuccValues">The AUCC of each replicate (NaN when undefined): the same numbers as
/// <see cref="Bootstrap.Aucc"/>'s (or <see cref="MultiArmBootstrap.Aucc"/>'s) <see cref="BootstrapSummary.Values"/> with the same options,
/// since the resamples are the same.</param>
public sealed record CostCurveBand(double[] Share, double[] Estimate, double[] Lower, double[] Upper, int Replicates, int FailedReplicates,
    double[] AuccValues);

/// <summary>
/// Pointwise bootstrap bands of the cost curve (METHOD.md section 6) and of the multi-arm cost curve of a budget path
/// (section 10), on the resamples of the AUCC intervals (<see cref="Bootstrap"/>, <see cref="MultiArmBootstrap"/>: users drawn
/// with replacement, stratified by arm, replicate r from <c>Rng.Derive(seed, RngStream.Bootstrap, r)</c>), so the same seed
/// gives the same band whatever the thread count.
/// </summary>
public static class CostCurveBands
{
    /// <summary>Default number of grid points (shares 0, 0.02, ..., 1).</summary>
    public const int DefaultPoints = 51;

    /// <summary>The band of the curve of <paramref name="score"/> on <paramref name="points"/> equally spaced cost shares
    /// from 0 to 1 (range 2 to 1001). Same errors as <see cref="Bootstrap.Aucc"/>.</summary>
    public static CostCurveBand Compute(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        BootstrapOptions? options = null, int points = DefaultPoints)
    {
        options ??= BootstrapOptions.Default;
        options.Validate();
        CheckPoints(points);
        var estimate = CostCurve.Compute(score, t, v, c, options.Curve);
        double[] s = score.ToArray(), va = v.ToArray(), ca = c.ToArray();
        byte[] ta = t.ToArray();
        return Band(estimate, options, points, each => Bootstrap.Curves([s], ta, va, ca, options, (_, r, curve) => each(r, curve)));
    }

    /// <summary>The band of the multi-arm cost curve of <paramref name="path"/> (randomized data), on the resamples of
    /// <see cref="MultiArmBootstrap.Aucc"/>. Same errors as <see cref="MultiArmBootstrap.Aucc"/>.</summary>
    public static CostCurveBand Compute(Allocation.BudgetPath path, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        BootstrapOptions? options = null, int points = DefaultPoints)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= BootstrapOptions.Default;
        options.Validate();
        CheckPoints(points);
        var estimate = MultiArmCostCurve.Compute(path, t, v, c, default, options.Curve);
        byte[] ta = t.ToArray(); double[] va = v.ToArray(), ca = c.ToArray();
        return Band(estimate, options, points, each => MultiArmBootstrap.Curves(path, ta, va, ca, options, each));
    }

    static void CheckPoints(int points) =>
        UpliftOptionException.Check(points is >= 2 and <= 1001, "points", $"must be between 2 and 1001, got {points}.");

    /// <summary>The band from the replicates' curves that <paramref name="run"/> hands over (replicate index, curve or null).</summary>
    static CostCurveBand Band(CostCurveResult curve, BootstrapOptions options, int points, Action<Action<int, CostCurveResult?>> run)
    {
        var share = new double[points];
        for (int g = 0; g < points; g++) share[g] = g == points - 1 ? 1 : g / (double)(points - 1);
        var estimate = new double[points];
        ValuesAt(curve, share, estimate);
        int reps = options.Replicates;
        var at = new double[reps][];          // at[r][g]: replicate r's value at share g (null when its curve is undefined)
        var aucc = new double[reps];
        run((r, c) =>
        {
            if (c is null) { aucc[r] = double.NaN; return; }
            aucc[r] = c.Aucc;
            var row = new double[points];
            ValuesAt(c, share, row);
            at[r] = row;
        });
        var ok = at.Where(x => x is not null).ToArray();
        if (ok.Length < 2)
            throw new UpliftException($"the bootstrap failed: the cost curve was undefined on {reps - ok.Length} of {reps} resamples (incremental cost or value not positive).");
        var lower = new double[points]; var upper = new double[points];
        var column = new double[ok.Length];
        for (int g = 0; g < points; g++)
        {
            for (int q = 0; q < ok.Length; q++) column[q] = ok[q]![g];
            Array.Sort(column);
            lower[g] = Bootstrap.Percentile(column, 0.025);
            upper[g] = Bootstrap.Percentile(column, 0.975);
        }
        return new CostCurveBand(share, estimate, lower, upper, reps, reps - ok.Length, aucc);
    }

    /// <summary>The curve's value at each share (0 at share 0).</summary>
    static void ValuesAt(CostCurveResult curve, double[] share, double[] into)
    {
        for (int g = 0; g < share.Length; g++) into[g] = share[g] <= 0 ? 0 : CostCurve.ValueAtCostShare(curve, share[g]).Value;
    }
}
