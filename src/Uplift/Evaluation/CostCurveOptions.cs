namespace Uplift.Evaluation;

/// <summary>Which prefixes of the ranking the cost curve evaluates (METHOD.md section 6, step 3).</summary>
public enum CostCurveGrid
{
    /// <summary>k = step, 2·step, ..., and always k = N as the last point (step = floor(N / S)). The default.</summary>
    EndsAtN,
    /// <summary>
    /// The authors' evaluation code: k = step, 2·step, ... while k &lt; N. When N is a multiple of S the last
    /// point is k = (S−1)·step and the curve is normalised by that point. Use it to reproduce the paper's numbers.
    /// </summary>
    Authors,
}

/// <summary>How users with equal scores are ordered (METHOD.md section 6, step 2).</summary>
public enum CostCurveTies
{
    /// <summary>
    /// A block of tied users is treated as a unit: a prefix that ends inside the block takes the same share
    /// of each of the block's sums (treated and control counts, V and C) as it takes of the block's users.
    /// This is the expectation over orders inside the block of the counts and sums (not of the means), it
    /// needs no seed and does not depend on the file order. A constant score gives exactly the diagonal
    /// (AUCC 0.5 when the whole set's increments are positive). The default.
    /// </summary>
    Fractional,
    /// <summary>Ties broken by a seeded random order (<see cref="CostCurveOptions.TieSeed"/>): one draw of a random order.</summary>
    SeededRandom,
    /// <summary>Ties broken by row index (earlier rows first). Depends on file order; offered for comparison with other code.</summary>
    RowOrder,
}

/// <summary>What a prefix does when one of its two means has no users (METHOD.md section 6, sharp edges).</summary>
public enum CostCurveEmptyGroup
{
    /// <summary>
    /// The grid point is left out of the curve (no treated user among the top k, or no control user in the
    /// rest while the rest term is used); the count is in <see cref="CostCurveResult.SkippedPoints"/>. The default:
    /// it invents no number. The last point k = N is never skipped (it uses only the treated mean of all users).
    /// </summary>
    Skip,
    /// <summary>The missing mean is replaced by the mean of that arm over the whole set (no information from the ranking).</summary>
    WholeSetArmMean,
}

/// <summary>Options of <see cref="CostCurve.Compute"/>. The defaults are METHOD.md section 6.</summary>
public sealed record CostCurveOptions
{
    /// <summary>Number of segments S (paper: 10; 20 in some runs). Default 10, range 1 to 1,000,000.
    /// When N &lt; S the grid uses every prefix (step 1); the effective S is in <see cref="CostCurveResult.Segments"/>.</summary>
    public int Segments { get; init; } = 10;

    /// <summary>Prefix grid. Default <see cref="CostCurveGrid.EndsAtN"/>.</summary>
    public CostCurveGrid Grid { get; init; } = CostCurveGrid.EndsAtN;

    /// <summary>Tie policy. Default <see cref="CostCurveTies.Fractional"/>.</summary>
    public CostCurveTies Ties { get; init; } = CostCurveTies.Fractional;

    /// <summary>Seed of the random tie break (only with <see cref="CostCurveTies.SeededRandom"/>). Default 0.</summary>
    public long TieSeed { get; init; }

    /// <summary>Empty-group policy. Default <see cref="CostCurveEmptyGroup.Skip"/>.</summary>
    public CostCurveEmptyGroup EmptyGroup { get; init; } = CostCurveEmptyGroup.Skip;

    public static CostCurveOptions Default { get; } = new();

    internal void Validate()
    {
        UpliftOptionException.Check(Segments is >= 1 and <= 1_000_000, "segments", $"must be between 1 and 1000000, got {Segments}.");
        UpliftOptionException.Check(Enum.IsDefined(Grid), "grid", $"unknown value {Grid}.");
        UpliftOptionException.Check(Enum.IsDefined(Ties), "ties", $"unknown value {Ties}.");
        UpliftOptionException.Check(Enum.IsDefined(EmptyGroup), "empty-group", $"unknown value {EmptyGroup}.");
    }
}
