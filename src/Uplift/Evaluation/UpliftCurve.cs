namespace Uplift.Evaluation;

/// <summary>
/// A curve of a ranking over the share of users targeted: <see cref="X"/> = k / N (with the prepended 0) and
/// <see cref="Y"/> the curve's value at each prefix; <see cref="Area"/> its trapezoid area and
/// <see cref="AreaAboveRandom"/> the area minus that of the straight line to the last point (a random ranking's
/// expected curve), so 0 means "no better than random".
/// </summary>
public sealed record RankingCurve(double[] X, double[] Y, double Area, double AreaAboveRandom)
{
    /// <summary>The curve's last value (every user targeted).</summary>
    public double Last => Y[^1];

    internal static RankingCurve FromPoints(double[] x, double[] y)
    {
        double area = 0;
        for (int j = 1; j < x.Length; j++) area += (x[j] - x[j - 1]) * (y[j] + y[j - 1]) * 0.5;
        return new RankingCurve(x, y, area, area - 0.5 * y[^1]);
    }
}

/// <summary>
/// The uplift curve and AUUC as causalml and scikit-uplift report them (METHOD.md section 11, companion metrics),
/// per user: u(k) = (k / N) · (ȳ1(k) − ȳ0(k)), where ȳ1(k), ȳ0(k) are the treated and control means of the outcome among
/// the top k users by score. It is the population's incremental outcome per user from treating the top k, estimated
/// inside the top k. u(N) is the difference in means (the ATE on randomized data); a random ranking's expected curve is
/// the line to it, so AUUC − u(N)/2 (<see cref="RankingCurve.AreaAboveRandom"/>) is about 0 for a random ranking.
/// Here, on V it is the incremental value per user; on C the incremental cost per user (a cost-aware ranking that
/// puts cheap users first has a LOW cost curve). A prefix with no treated or no control user has u(k) = 0 (no estimate).
/// Ties: the cost curve's fractional rule (<see cref="CostCurveTies.Fractional"/>). Grid: the cost curve's
/// (<see cref="CostCurveGrid.EndsAtN"/>) with <c>segments</c> points. With weights (inverse propensities, section 11)
/// the means are Hájek means.
/// </summary>
public static class UpliftCurve
{
    /// <summary>Segments of the metric curves by default (100: a point per percent of users).</summary>
    public const int DefaultSegments = 100;

    /// <summary>The uplift curve of <paramref name="score"/> on outcome <paramref name="y"/>; inputs checked as the cost curve's.</summary>
    public static RankingCurve Compute(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> y,
        int segments = DefaultSegments, ReadOnlySpan<double> weights = default)
    {
        MetricInputs.Check(score, t, y, weights);
        UpliftOptionException.Check(segments is >= 1 and <= 1_000_000, "segments", $"must be between 1 and 1000000, got {segments}.");
        return Compute(RankedPrefix.Build(score, t, y, weights), segments);
    }

    internal static RankingCurve Compute(RankedPrefix p, int segments)
    {
        var grid = RankedPrefix.Grid(p.N, segments);
        var x = new double[grid.Length + 1];
        var u = new double[grid.Length + 1];
        for (int j = 0; j < grid.Length; j++)
        {
            var s = p.Top(grid[j]);
            x[j + 1] = (double)grid[j] / p.N;
            double d = s.Effect;
            u[j + 1] = double.IsNaN(d) ? 0 : x[j + 1] * d;
        }
        return RankingCurve.FromPoints(x, u);
    }
}

/// <summary>The checks every metric shares: those of the cost curve for the score, T and one outcome, and weights that are positive and finite.</summary>
internal static class MetricInputs
{
    public static void Check(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> y, ReadOnlySpan<double> weights)
    {
        CostCurve.ValidateInputs(score, t, y, y);
        if (!weights.IsEmpty)
        {
            if (weights.Length != score.Length) throw new UpliftDataException($"{weights.Length} weights for {score.Length} users.");
            for (int i = 0; i < weights.Length; i++)
                if (!(weights[i] > 0) || !double.IsFinite(weights[i]))
                    throw new UpliftDataException($"the weight is {weights[i]}; weights must be positive and finite.", row: i + 1, column: "weight");
        }
    }
}
