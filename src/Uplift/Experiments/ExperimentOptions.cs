using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models.Propensity;

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

    /// <summary>The metrics other tools report (Qini, uplift curve, uplift at k %, deciles, RATE: <see cref="UpliftMetrics"/>),
    /// computed next to the AUCC. Default <see cref="UpliftMetricsOptions.Default"/>; null = not computed. They never change the AUCC.</summary>
    public UpliftMetricsOptions? Metrics { get; init; } = UpliftMetricsOptions.Default;

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
        Metrics?.Validate();
    }

    /// <summary>The metrics' options of one evaluation with resampling seed <paramref name="seed"/> (the RATE's bootstrap).</summary>
    internal UpliftMetricsOptions? MetricsFor(long seed) =>
        Metrics is null ? null : Metrics with { Rate = Metrics.Rate with { Seed = BootstrapSeed ?? seed, MaxThreads = MaxThreads } };

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

    /// <summary>Evaluate as observational data (METHOD.md section 11): inverse-propensity weighted or doubly robust cost
    /// curves, metrics and validation AUCC. Default null: the randomized evaluation of section 6, exactly as without it.</summary>
    public ObservationalOptions? Observational { get; init; }

    /// <summary>Throws <see cref="UpliftOptionException"/> when an option is out of range.</summary>
    public void Validate()
    {
        Observational?.Validate();
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

/// <summary>
/// How held-out users of observational data are evaluated (METHOD.md section 11): the propensity comes from the data's
/// propensity column (<see cref="Model"/> null) or from a model cross-fitted on the held-out users' features; the curves
/// are inverse-propensity weighted, or doubly robust with cross-fitted outcome models; users outside
/// [<see cref="Trim"/>, 1 − Trim] may be left out.
/// </summary>
public sealed record ObservationalOptions
{
    /// <summary>The propensity model, cross-fitted on the evaluated users (<see cref="CrossFitted"/>). Default null: the data's
    /// propensity column (<see cref="Dataset.Propensity"/>), which must then be present.</summary>
    public PropensityModelKind? Model { get; init; }
    /// <summary>Doubly robust curves (AIPW scores with cross-fitted outcome models of the <see cref="Model"/> kind, ridge for a
    /// column) instead of IPW. Default false.</summary>
    public bool DoublyRobust { get; init; }
    /// <summary>Leave out users whose propensity is outside [Trim, 1 − Trim] (in (0, 0.5)). Default null: keep everyone
    /// (the overlap report warns outside [0.02, 0.98]).</summary>
    public double? Trim { get; init; }
    /// <summary>Folds of the cross-fitting. Default 3, range 2 to 20.</summary>
    public int Folds { get; init; } = 3;

    internal void Validate()
    {
        UpliftOptionException.Check(Model is null || Enum.IsDefined(Model.Value), "propensity-model", $"unknown value {Model}.");
        UpliftOptionException.Check(Trim is null || (Trim > 0 && Trim < 0.5), "trim", $"must be in (0, 0.5), got {Trim}.");
        UpliftOptionException.Check(Folds is >= 2 and <= 20, "propensity-folds", $"must be between 2 and 20, got {Folds}.");
    }
}
