namespace Uplift.Evaluation;

/// <summary>
/// The Qini curve and coefficient (Radcliffe 2007; as causalml's and scikit-uplift's <c>qini_curve</c>, METHOD.md
/// section 11), per treated user: q(k) = [Y1(k) − Y0(k) · n1(k) / n0(k)] / n1, where Y1(k), Y0(k) are the sums of the
/// outcome over the treated and control users among the top k by score, n1(k), n0(k) their counts and n1 the number of
/// treated users. Equivalently q(k) = (n1(k) / n1) · (ȳ1(k) − ȳ0(k)). The Qini coefficient is the area under
/// (k / N, q(k)) minus the area under the straight line to q(N) (a random ranking's expected curve):
/// about 0 for a random ranking, exactly 0 for a constant score (all users tied), positive when the ranking puts
/// responders first. Here, on V, q is the incremental value per treated user; on C, the incremental cost. A prefix
/// with no treated or no control user has q(k) = 0. Ties, grid and weights as <see cref="UpliftCurve"/> (with
/// weights n are sums of weights).
/// </summary>
public static class Qini
{
    /// <summary>The Qini curve (<see cref="RankingCurve.AreaAboveRandom"/> is the Qini coefficient); inputs checked as the cost curve's.</summary>
    public static RankingCurve Compute(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> y,
        int segments = UpliftCurve.DefaultSegments, ReadOnlySpan<double> weights = default)
    {
        MetricInputs.Check(score, t, y, weights);
        UpliftOptionException.Check(segments is >= 1 and <= 1_000_000, "segments", $"must be between 1 and 1000000, got {segments}.");
        return Compute(RankedPrefix.Build(score, t, y, weights), segments);
    }

    /// <summary>The Qini coefficient alone.</summary>
    public static double Coefficient(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> y,
        int segments = UpliftCurve.DefaultSegments, ReadOnlySpan<double> weights = default) =>
        Compute(score, t, y, segments, weights).AreaAboveRandom;

    internal static RankingCurve Compute(RankedPrefix p, int segments)
    {
        var grid = RankedPrefix.Grid(p.N, segments);
        double n1 = p.All.W1;
        var x = new double[grid.Length + 1];
        var q = new double[grid.Length + 1];
        for (int j = 0; j < grid.Length; j++)
        {
            var s = p.Top(grid[j]);
            x[j + 1] = (double)grid[j] / p.N;
            double d = s.Effect;
            q[j + 1] = double.IsNaN(d) ? 0 : s.W1 / n1 * d;
        }
        return RankingCurve.FromPoints(x, q);
    }
}
