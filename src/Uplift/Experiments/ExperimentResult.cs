using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models;

namespace Uplift.Experiments;

/// <summary>A learner of an experiment: the name it is reported under and the learner.</summary>
/// <param name="Name">Unique within the experiment (the CLI uses the catalog name).</param>
/// <param name="Learner">Fitted once per repeat.</param>
public sealed record ExperimentLearner(string Name, IUpliftLearner Learner)
{
    /// <summary>The catalog's learner <paramref name="kind"/> with <paramref name="settings"/>, named by its kind.</summary>
    public static ExperimentLearner FromCatalog(string kind, LearnerSettings settings) => new(kind, LearnerCatalog.Create(kind, settings));
}

/// <summary>The three parts of one repeat, preprocessed. <see cref="Campaign"/> (its preprocessor, for saving a model)
/// and <see cref="Rows"/> (the row indices, e.g. to pick the truth of synthetic users) are set when the experiment
/// made the split.</summary>
public sealed record ExperimentSplit(Dataset Train, Dataset Valid, Dataset Test)
{
    /// <summary>The loaded campaign (table, preprocessor fitted on the training rows), when split from a table.</summary>
    public CampaignData? Campaign { get; init; }
    /// <summary>The row indices of each part.</summary>
    public DataSplit? Rows { get; init; }
}

/// <summary>One ranking evaluated on held-out users: its cost curve, the value at each cost share and, with bootstrap
/// replicates, the AUCC interval. With K &gt; 1 arms the ranking is a budget path across arms (<see cref="Arms"/>).</summary>
public sealed record RankingEvaluation(CostCurveResult Curve, IReadOnlyList<ValueAtCost> ValueAt, BootstrapSummary? Ci)
{
    /// <summary>The AUCC (METHOD.md section 6; with K &gt; 1 arms the multi-arm AUCC of section 10).</summary>
    public double Aucc => Curve.Aucc;

    /// <summary>With K &gt; 1 arms (<see cref="Experiment.EvaluateArms"/>): the budget path, value at fixed budgets and
    /// per-arm split; then <see cref="Curve"/> is the multi-arm cost curve. Null for a binary campaign.</summary>
    public MultiArmEvaluation? Arms { get; init; }

    /// <summary>The metrics other tools report (Qini, uplift curve, uplift at k %, deciles, RATE), on V and C; null when
    /// <see cref="EvaluationOptions.Metrics"/> is null or with K &gt; 1 arms.</summary>
    public UpliftMetrics? Metrics { get; init; }

    /// <summary>The calibration tests (grf's <c>test_calibration</c>) of a model that estimates effects (<see cref="IEffectModel"/>):
    /// its tau_v against the DR scores of V and its tau_c against those of C; null for a model that only scores, or where
    /// the test is not defined (the message is in <see cref="CalibrationNote"/>).</summary>
    public CalibrationResult? CalibrationValue { get; init; }
    /// <summary>See <see cref="CalibrationValue"/> (the cost effect).</summary>
    public CalibrationResult? CalibrationCost { get; init; }
    /// <summary>Why a calibration test is missing for a model that estimates effects (null otherwise).</summary>
    public string? CalibrationNote { get; init; }

    /// <summary>The adjustment of observational data (METHOD.md section 11) the curve used; null for the randomized curve of section 6.</summary>
    public AdjustmentKind? Adjusted { get; init; }

    /// <summary>The value at cost share <paramref name="share"/> (one of <see cref="EvaluationOptions.CostShares"/>).</summary>
    public ValueAtCost At(double share) =>
        ValueAt.FirstOrDefault(x => Math.Abs(x.Share - share) < 1e-9) is { Share: > 0 } v ? v
            : throw new ArgumentOutOfRangeException(nameof(share), share, "not one of the evaluated cost shares.");
}

/// <summary>One learner fitted on one repeat.</summary>
/// <param name="Learner">The learner's name.</param>
/// <param name="Repeat">The repeat (0-based).</param>
/// <param name="Seed">The repeat's seed (split and fit).</param>
/// <param name="Model">The fitted model.</param>
/// <param name="FitSeconds">Wall time of the fit.</param>
/// <param name="ValidScores">Scores of the validation users (empty when not scored).</param>
/// <param name="ValidAucc">AUCC on the validation users (NaN when not scored).</param>
/// <param name="TestScores">Scores of the test users.</param>
/// <param name="Test">The evaluation on the test users (null when the split leaves none: test fraction 0).</param>
public sealed record FittedRun(string Learner, int Repeat, long Seed, IUpliftModel Model, double FitSeconds,
    double[] ValidScores, double ValidAucc, double[] TestScores, RankingEvaluation? Test);

/// <summary>A model against the reference on the same users and the same bootstrap resamples.</summary>
/// <param name="Model">The model's name.</param>
/// <param name="Reference">The reference's name.</param>
/// <param name="ModelBootstrap">The model's own AUCC bootstrap (the A side).</param>
/// <param name="ReferenceBootstrap">The reference's AUCC bootstrap (the B side).</param>
/// <param name="Difference">Bootstrap of AUCC(model) − AUCC(reference).</param>
/// <param name="ShareBetter">Share of the defined resamples where the model's AUCC is higher (NaN when none is defined).</param>
public sealed record PairedComparison(string Model, string Reference, BootstrapSummary ModelBootstrap,
    BootstrapSummary ReferenceBootstrap, BootstrapSummary Difference, double ShareBetter);

/// <summary>One repeat: its seed and split, each learner's fit and, with a reference and bootstrap replicates, the
/// paired comparisons on its test users.</summary>
public sealed record ExperimentRepeat(int Index, long Seed, ExperimentSplit Split, IReadOnlyList<FittedRun> Runs,
    IReadOnlyList<PairedComparison> Paired)
{
    /// <summary>The fit of the learner named <paramref name="learner"/>.</summary>
    public FittedRun Run(string learner) => Runs.First(r => r.Learner == learner);

    /// <summary>The observational adjustment of the test users (propensity, overlap report, trimming); null for randomized evaluation.</summary>
    public ObservedUsers? Observed { get; init; }

    /// <summary>The RATE (AUTOC on the DR scores of V) of every learner against the first one on the same bootstrap resamples
    /// (<see cref="Rate.Compare"/>), in the learners' order; the first entry compares the first learner with itself. Empty
    /// without metrics, test users or with K &gt; 1 arms.</summary>
    public IReadOnlyList<RateComparison> RateVsFirst { get; init; } = [];
}

/// <summary>A learner over the repeats (test AUCC mean and sample sd, 0 for one repeat).</summary>
/// <param name="Learner">The learner's name.</param>
/// <param name="TestAucc">Test AUCC of each repeat (NaN where there are no test users).</param>
/// <param name="TestAuccMean">Mean test AUCC.</param>
/// <param name="TestAuccSd">Sample sd of the test AUCC (0 for one repeat).</param>
/// <param name="ValidAuccMean">Mean validation AUCC.</param>
/// <param name="ValueAtMean">Mean value at each cost share of <see cref="EvaluationOptions.CostShares"/>.</param>
/// <param name="FitSecondsMean">Mean fit time.</param>
public sealed record LearnerSummary(string Learner, double[] TestAucc, double TestAuccMean, double TestAuccSd,
    double ValidAuccMean, IReadOnlyList<ValueAtCost> ValueAtMean, double FitSecondsMean);

/// <summary>Test AUCC of a learner minus the reference's, per repeat (paired on the repeat's split), with the mean
/// and its 95 % t-interval over the repeats (NaN for one repeat).</summary>
public sealed record PairedSummary(string Model, string Reference, double[] PerRepeat, double Mean, double Lower, double Upper);

/// <summary>What <see cref="Experiment"/> returns: every repeat and the summaries over them, learners in the order given.</summary>
public sealed record ExperimentResult(IReadOnlyList<ExperimentRepeat> Repeats, IReadOnlyList<LearnerSummary> Learners,
    IReadOnlyList<PairedSummary> Paired)
{
    /// <summary>The summary of the learner named <paramref name="learner"/>.</summary>
    public LearnerSummary Summary(string learner) => Learners.First(l => l.Learner == learner);

    /// <summary>The fits of <paramref name="learner"/>, one per repeat.</summary>
    public IReadOnlyList<FittedRun> Runs(string learner) => [.. Repeats.Select(r => r.Run(learner))];
}
