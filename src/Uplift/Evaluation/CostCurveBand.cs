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
/// <see cref="Bootstrap.Aucc"/>'s <see cref="BootstrapSummary.Values"/> with the same options, since the resamples are the same.</param>
public sealed record CostCurveBand(double[] Share, double[] Estimate, double[] Lower, double[] Upper, int Replicates, int FailedReplicates,
    double[] AuccValues);

/// <summary>
/// Pointwise bootstrap bands of the cost curve (METHOD.md section 6 with the resampling of <see cref="Bootstrap"/>: users
/// drawn with replacement, treated then control, each arm keeping its count, replicate r from
/// <c>Rng.Derive(seed, RngStream.Bootstrap, r)</c>), so the same seed gives the same band whatever the thread count, and the
/// band's resamples are those of the AUCC interval.
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
        UpliftOptionException.Check(points is >= 2 and <= 1001, "points", $"must be between 2 and 1001, got {points}.");
        CostCurve.ValidateInputs(score, t, v, c);
        var share = new double[points];
        for (int g = 0; g < points; g++) share[g] = g == points - 1 ? 1 : g / (double)(points - 1);
        var estimate = new double[points];
        ValuesAt(CostCurve.Compute(score, t, v, c, options.Curve), share, estimate);

        int n = t.Length, reps = options.Replicates;
        double[] s = score.ToArray(), va = v.ToArray(), ca = c.ToArray();
        byte[] ta = t.ToArray();
        var treated = new List<int>(); var control = new List<int>();
        for (int i = 0; i < n; i++) (ta[i] == 1 ? treated : control).Add(i);
        int[] tr = [.. treated], co = [.. control];
        var at = new double[reps][];          // at[r][g]: replicate r's value at share g (null when its curve is undefined)
        var aucc = new double[reps];
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, reps, po,
            () => new Buffers(n),
            (r, _, b) =>
            {
                // The draw of Bootstrap.Run: replicate r's own generator, treated rows first, then control rows.
                var rng = Rng.Derive(options.Seed, RngStream.Bootstrap, r);
                for (int j = 0; j < tr.Length; j++) b.Rows[j] = tr[rng.NextInt(tr.Length)];
                for (int j = 0; j < co.Length; j++) b.Rows[tr.Length + j] = co[rng.NextInt(co.Length)];
                for (int j = 0; j < n; j++) { int i = b.Rows[j]; b.S[j] = s[i]; b.T[j] = ta[i]; b.V[j] = va[i]; b.C[j] = ca[i]; }
                try
                {
                    var curve = CostCurve.Core(b.S, b.T, b.V, b.C, options.Curve, b.Work);
                    aucc[r] = curve.Aucc;
                    var row = new double[points];
                    ValuesAt(curve, share, row);
                    at[r] = row;
                }
                catch (UpliftException) { aucc[r] = double.NaN; }
                return b;
            },
            _ => { });

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

    sealed class Buffers(int n)
    {
        public readonly int[] Rows = new int[n];
        public readonly double[] S = new double[n];
        public readonly byte[] T = new byte[n];
        public readonly double[] V = new double[n];
        public readonly double[] C = new double[n];
        public readonly CostCurve.Workspace Work = new(n);
    }
}
