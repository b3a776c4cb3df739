namespace Uplift.Evaluation;

/// <summary>The effect on one outcome inside a group of users: treated mean minus control mean, its standard error and
/// 95 % normal interval (NaN when an arm of the group has fewer than two users).</summary>
/// <param name="Effect">ȳ1 − ȳ0 in the group (NaN when an arm is empty).</param>
/// <param name="Se">Welch standard error sqrt(s1²/n1 + s0²/n0).</param>
/// <param name="Lower">Effect − 1.96 · Se.</param>
/// <param name="Upper">Effect + 1.96 · Se.</param>
public readonly record struct GroupEffect(double Effect, double Se, double Lower, double Upper)
{
    internal static GroupEffect From(RankedPrefix.Sums s)
    {
        double e = s.Effect, se = s.EffectSe;
        return new GroupEffect(e, se, e - Normal.Z975 * se, e + Normal.Z975 * se);
    }
}

/// <summary>One group of users by score (a decile, or a top share of users).</summary>
/// <param name="From">Share of users ranked above the group (0 for the top group).</param>
/// <param name="To">Share of users up to the group's end.</param>
/// <param name="Treated">Treated users in the group (fractional when a tie block straddles a boundary; sum of weights with weights).</param>
/// <param name="Control">Control users in the group (same rules).</param>
/// <param name="Value">The effect on V in the group.</param>
/// <param name="Cost">The effect on C in the group.</param>
public sealed record ScoreGroup(double From, double To, double Treated, double Control, GroupEffect Value, GroupEffect Cost)
{
    /// <summary>Value effect over cost effect in the group (NaN when the cost effect is not positive): the group's
    /// incremental value per unit of incremental cost, the quantity a cost-aware ranking sorts by.</summary>
    public double Ratio => Cost.Effect > 0 ? Value.Effect / Cost.Effect : double.NaN;
}

/// <summary>
/// Uplift by score decile (the bar chart practitioners look at first) and uplift at k % (scikit-uplift's
/// <c>uplift_at_k</c>, strategy "overall"), on V and on C (METHOD.md section 11, companion metrics). Users are sorted by
/// score, descending; group j of G holds the users ranked in (N·(j−1)/G, N·j/G] (ties: the cost curve's fractional
/// rule, so a tie block that straddles a boundary is shared in proportion). In each group: ȳ1 − ȳ0 of V and of C with a
/// Welch standard error and 95 % normal interval. A good cost-aware ranking shows value effects falling from the top
/// decile down, and a ratio value/cost falling too. With weights (inverse propensities) the means are Hájek means and
/// the standard errors use the Kish effective sizes.
/// </summary>
public static class Deciles
{
    /// <summary>The top shares of uplift at k % by default (10, 20 and 30 % of users).</summary>
    public static IReadOnlyList<double> StandardShares { get; } = [0.1, 0.2, 0.3];

    /// <summary>The <paramref name="groups"/> groups (default 10: deciles) of users by score, best first.</summary>
    public static ScoreGroup[] Compute(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        int groups = 10, ReadOnlySpan<double> weights = default)
    {
        MetricInputs.Check(score, t, v, weights);
        CostCurve.ValidateInputs(score, t, v, c);
        UpliftOptionException.Check(groups is >= 1 and <= 1000, "groups", $"must be between 1 and 1000, got {groups}.");
        return Compute(RankedPrefix.Build(score, t, v, weights), RankedPrefix.Build(score, t, c, weights), groups);
    }

    internal static ScoreGroup[] Compute(RankedPrefix pv, RankedPrefix pc, int groups)
    {
        int n = pv.N;
        var r = new ScoreGroup[groups];
        for (int j = 0; j < groups; j++)
        {
            double a = (double)n * j / groups, b = (double)n * (j + 1) / groups;
            var sv = pv.Top(b) - pv.Top(a);
            var sc = pc.Top(b) - pc.Top(a);
            r[j] = new ScoreGroup((double)j / groups, (double)(j + 1) / groups, sv.W1, sv.W0, GroupEffect.From(sv), GroupEffect.From(sc));
        }
        return r;
    }

    /// <summary>The effect among the top <paramref name="share"/> of users by score, on V and on C (share in (0, 1]).</summary>
    public static ScoreGroup UpliftAt(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        double share, ReadOnlySpan<double> weights = default)
    {
        MetricInputs.Check(score, t, v, weights);
        CostCurve.ValidateInputs(score, t, v, c);
        return UpliftAt(RankedPrefix.Build(score, t, v, weights), RankedPrefix.Build(score, t, c, weights), share);
    }

    internal static ScoreGroup UpliftAt(RankedPrefix pv, RankedPrefix pc, double share)
    {
        UpliftOptionException.Check(share > 0 && share <= 1, "share", $"must be in (0, 1], got {share}.");
        double k = pv.N * share;
        var sv = pv.Top(k); var sc = pc.Top(k);
        return new ScoreGroup(0, share, sv.W1, sv.W0, GroupEffect.From(sv), GroupEffect.From(sc));
    }
}
