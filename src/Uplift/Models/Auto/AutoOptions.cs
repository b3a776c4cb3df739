namespace Uplift.Models.Auto;

/// <summary>
/// Options of the auto learner (<see cref="AutoLearner"/>): which candidates it may run and for how long.
/// </summary>
public sealed record AutoOptions
{
    /// <summary>The default of <see cref="TimeLimitSeconds"/>: 300 s.</summary>
    public const double DefaultTimeLimitSeconds = 300;

    /// <summary>
    /// Seconds after which no candidate runs (default 300; 0 = no limit). The candidates run in the fixed order of
    /// <see cref="AutoCandidates"/> (cheap first); the first always runs to its end; a later one still running at the limit
    /// is stopped (between Adam steps, trees or boosting rounds) and recorded as stopped, so a fit ends at about the limit
    /// plus the judging and the rank average (or the first candidate's time when that is longer). A limit makes the set of candidates
    /// that ran depend on the machine's speed: the model file records which ran, and with the same candidates the
    /// numbers are the same (same seed, same numbers holds for <c>0</c> or a limit no candidate reaches). Range 0..1e7.
    /// </summary>
    public double TimeLimitSeconds { get; init; } = DefaultTimeLimitSeconds;

    /// <summary>The options of the candidates' learners before each candidate's own variant (null = the catalog
    /// defaults). The variant (scorer, base learner, outcome) is set on top of these.</summary>
    public LearnerSettings? Base { get; init; }

    /// <summary>Also judge the rank average of the best <see cref="EnsembleSize"/> candidates (by their AUCC on the
    /// tuning half; default true). It needs at least two candidates that ran.</summary>
    public bool Ensemble { get; init; } = true;

    /// <summary>How many candidates the rank average holds (default 3; at most that many ran). Range 2..8.</summary>
    public int EnsembleSize { get; init; } = 3;

    /// <summary>Share of the training users held out as validation users when the fit is given none (default 0.25).
    /// Range (0, 1).</summary>
    public double HoldoutFraction { get; init; } = 0.25;

    /// <summary>Throws <see cref="UpliftOptionException"/> when an option is out of range.</summary>
    public void Validate()
    {
        UpliftOptionException.Check(double.IsFinite(TimeLimitSeconds) && TimeLimitSeconds is >= 0 and <= 1e7, "--time-limit",
            $"must be 0 (no limit) or a number of seconds up to 1e7, got {TimeLimitSeconds}.");
        UpliftOptionException.Check(EnsembleSize is >= 2 and <= 8, "ensemble-size", $"must be in 2..8, got {EnsembleSize}.");
        UpliftOptionException.Check(HoldoutFraction is > 0 and < 1, "holdout-fraction", $"must be in (0, 1), got {HoldoutFraction}.");
    }
}
