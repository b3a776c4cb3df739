namespace Uplift.Evaluation;

/// <summary>Options of <see cref="UpliftMetrics.Compute"/>.</summary>
public sealed record UpliftMetricsOptions
{
    /// <summary>Segments of the Qini and uplift curves (a point per 1/S of users). Default 100, range 1 to 1,000,000.</summary>
    public int Segments { get; init; } = UpliftCurve.DefaultSegments;
    /// <summary>Top shares of users at which the effect is read (uplift at k %, <see cref="Deciles"/>).
    /// Default 10, 20 and 30 %; each in (0, 1].</summary>
    public IReadOnlyList<double> TopShares { get; init; } = Deciles.StandardShares;
    /// <summary>Groups of users by score. Default 10 (deciles), range 1 to 1000.</summary>
    public int Groups { get; init; } = 10;
    /// <summary>The RATE's options (its bootstrap replicates and seed). Default <see cref="RateOptions.Default"/>.</summary>
    public RateOptions Rate { get; init; } = RateOptions.Default;

    public static UpliftMetricsOptions Default { get; } = new();

    internal void Validate()
    {
        UpliftOptionException.Check(Segments is >= 1 and <= 1_000_000, "segments", $"must be between 1 and 1000000, got {Segments}.");
        ArgumentNullException.ThrowIfNull(TopShares);
        foreach (var s in TopShares) UpliftOptionException.Check(s > 0 && s <= 1, "top-shares", $"every share must be in (0, 1], got {s}.");
        UpliftOptionException.Check(Groups is >= 1 and <= 1000, "groups", $"must be between 1 and 1000, got {Groups}.");
        ArgumentNullException.ThrowIfNull(Rate);
        Rate.Validate();
    }
}

/// <summary>
/// The metrics other uplift tools report, next to the AUCC (METHOD.md section 11; definitions in docs/METRICS.md and on
/// each class): Qini curve and coefficient (<see cref="Qini"/>), uplift curve and AUUC (<see cref="UpliftCurve"/>), on V
/// and on C; the effect among the top 10/20/30 % and by score decile with intervals (<see cref="Deciles"/>); the RATE
/// (AUTOC, <see cref="Rate"/>) on the doubly robust scores of V and of C.
/// </summary>
public sealed record UpliftMetrics(RankingCurve QiniValue, RankingCurve QiniCost, RankingCurve UpliftValue, RankingCurve UpliftCost,
    IReadOnlyList<ScoreGroup> TopShares, IReadOnlyList<ScoreGroup> Groups, RateEstimate RateValue, RateEstimate RateCost)
{
    /// <summary>
    /// Every metric of <paramref name="score"/>. <paramref name="weights"/>: inverse-propensity weights (empty = 1, randomized);
    /// <paramref name="gammaV"/>, <paramref name="gammaC"/>: the DR scores of V and C for the RATE (empty = <see cref="DrScores.Randomized"/>,
    /// valid on randomized data only).
    /// </summary>
    public static UpliftMetrics Compute(ReadOnlySpan<double> score, ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c,
        UpliftMetricsOptions? options = null, ReadOnlySpan<double> weights = default, ReadOnlySpan<double> gammaV = default, ReadOnlySpan<double> gammaC = default)
    {
        options ??= UpliftMetricsOptions.Default;
        MetricInputs.Check(score, t, v, weights);
        CostCurve.ValidateInputs(score, t, v, c);
        options.Validate();
        var pv = RankedPrefix.Build(score, t, v, weights);
        var pc = RankedPrefix.Build(score, t, c, weights);
        var gv = gammaV.IsEmpty ? DrScores.Randomized(t, v) : gammaV.ToArray();
        var gc = gammaC.IsEmpty ? DrScores.Randomized(t, c) : gammaC.ToArray();
        return new UpliftMetrics(Qini.Compute(pv, options.Segments), Qini.Compute(pc, options.Segments),
            UpliftCurve.Compute(pv, options.Segments), UpliftCurve.Compute(pc, options.Segments),
            [.. options.TopShares.Select(s => Deciles.UpliftAt(pv, pc, s))], Deciles.Compute(pv, pc, options.Groups),
            Rate.Compute(score, gv, options.Rate), Rate.Compute(score, gc, options.Rate));
    }
}
