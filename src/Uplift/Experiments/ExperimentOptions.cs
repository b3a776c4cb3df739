using Uplift.Data;
using Uplift.Evaluation;

namespace Uplift.Experiments;

/// <summary>How held-out users are evaluated (<see cref="Experiment.Evaluate"/> and every repeat of <see cref="Experiment.Run(Func{long, ExperimentSplit}, IReadOnlyList{ExperimentLearner}, ExperimentOptions?, FitContext?, Action{FittedRun}?)"/>).</summary>
public sealed record EvaluationOptions
{
    /// <summary>Cost curve options of every curve and AUCC. Default <see cref="CostCurveOptions.Default"/>.</summary>
    public CostCurveOptions Curve { get; init; } = CostCurveOptions.Default;

    /// <summary>Shares of the total incremental cost at which the captured value is read (METHOD.md section 6).
    /// Default <see cref="CostCurve.StandardShares"/> (10, 20 and 30 %); each in (0, 1], at least one.</summary>
    public IReadOnlyList<double> CostShares { get; init; } = CostCurve.StandardShares;

    /// <summary>Bootstrap replicates of the AUCC interval (2.5 / 97.5 % percentiles, <see cref="Bootstrap"/>) and of
    /// the paired differences. Default 0 (no interval); otherwise 2 to 100,000.</summary>
    public int BootstrapReplicates { get; init; }

    /// <summary>Seed of the bootstrap resamples. Default null: the repeat's seed in an experiment, 1 in
    /// <see cref="Experiment.Evaluate"/>. Every model of a repeat is resampled with the same seed (paired).</summary>
    public long? BootstrapSeed { get; init; }

    /// <summary>Cap on worker threads of the bootstrap (null = all cores). Results never depend on it.</summary>
    public int? MaxThreads { get; init; }

    public static EvaluationOptions Default { get; } = new();

    /// <summary>Throws <see cref="UpliftOptionException"/> when an option is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Curve);
        Curve.Validate();
        ArgumentNullException.ThrowIfNull(CostShares);
        UpliftOptionException.Check(CostShares.Count > 0, "cost-shares", "give at least one cost share.");
        foreach (var s in CostShares)
            UpliftOptionException.Check(s > 0 && s <= 1, "cost-shares", $"every share must be in (0, 1], got {s}.");
        // The same words as Bootstrap's own check, so that a command reports a bad count the same way.
        UpliftOptionException.Check(BootstrapReplicates == 0 || BootstrapReplicates is >= 2 and <= 100_000, "replicates",
            $"must be between 2 and 100000, got {BootstrapReplicates}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", $"must be at least 1, got {MaxThreads}.");
    }

    /// <summary>The bootstrap options of one evaluation with resampling seed <paramref name="seed"/>.</summary>
    internal BootstrapOptions Bootstrap(long seed) =>
        new() { Replicates = BootstrapReplicates, Seed = BootstrapSeed ?? seed, MaxThreads = MaxThreads, Curve = Curve };
}

/// <summary>
/// Options of <see cref="Experiment.Run(RawTable, ColumnRoles, IReadOnlyList{ExperimentLearner}, ExperimentOptions?, FitContext?, CampaignLoadOptions?)"/>:
/// how each repeat splits the users, how many repeats, how the held-out users are evaluated, and the reference of
/// the paired differences.
/// </summary>
public sealed record ExperimentOptions
{
    /// <summary>Share of users for training, in (0, 1]. Default 0.6.</summary>
    public double TrainFraction { get; init; } = 0.6;

    /// <summary>Share of users for validation (restarts, hyper-parameters), in [0, 1 − TrainFraction]. Default 0.2; the rest is the test set.</summary>
    public double ValidFraction { get; init; } = 0.2;

    /// <summary>Split each arm separately (default true), as <see cref="SplitOptions.Stratify"/>.</summary>
    public bool Stratify { get; init; } = true;

    /// <summary>Repeats, 1 to 100. Default 1. Repeat k uses seed <see cref="FirstSeed"/> + k for its split and for
    /// every learner's <see cref="FitContext.Seed"/>.</summary>
    public int Repeats { get; init; } = 1;

    /// <summary>The seed of the first repeat. Default 1.</summary>
    public long FirstSeed { get; init; } = 1;

    /// <summary>Score the validation users and compute their AUCC (default true). When false,
    /// <see cref="FittedRun.ValidAucc"/> is NaN and <see cref="FittedRun.ValidScores"/> empty.</summary>
    public bool ScoreValidation { get; init; } = true;

    /// <summary>How the test users are evaluated. Default <see cref="EvaluationOptions.Default"/>.</summary>
    public EvaluationOptions Evaluation { get; init; } = EvaluationOptions.Default;

    /// <summary>The learner (by <see cref="ExperimentLearner.Name"/>) every other one is compared with, on the same
    /// test users of each repeat (and on the same bootstrap resamples). Default none: no paired differences.</summary>
    public string? Reference { get; init; }

    /// <summary>Throws <see cref="UpliftOptionException"/> when an option is out of range.</summary>
    public void Validate()
    {
        DataSplit.CheckFractions(TrainFraction, ValidFraction);
        UpliftOptionException.Check(Repeats is >= 1 and <= 100, "repeats", $"must be between 1 and 100, got {Repeats}.");
        UpliftOptionException.Check(FirstSeed <= int.MaxValue - (Repeats - 1), "seed", $"the last repeat's seed {(long)FirstSeed + Repeats - 1} is not an int.");
        ArgumentNullException.ThrowIfNull(Evaluation);
        Evaluation.Validate();
    }

    /// <summary>The seed of repeat <paramref name="repeat"/> (0-based).</summary>
    public long Seed(int repeat) => FirstSeed + repeat;

    /// <summary>The split options of the repeat with seed <paramref name="seed"/>.</summary>
    public SplitOptions Split(long seed) => new() { TrainFraction = TrainFraction, ValidFraction = ValidFraction, Stratify = Stratify, Seed = seed };
}
