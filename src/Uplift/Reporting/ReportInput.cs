using Uplift.Allocation;
using Uplift.Campaign;
using Uplift.Data;
using Uplift.Evaluation;

namespace Uplift.Reporting;

/// <summary>One model of the report: its name and its scores on the evaluation set (higher = treat first).</summary>
/// <param name="Name">Shown in the tables and the plot legend; must be unique within the report.</param>
/// <param name="Scores">One score per row of <see cref="ReportInput.Evaluation"/>.</param>
/// <param name="FitSeconds">Optional training time, shown in the AUCC table.</param>
public sealed record ReportModel(string Name, double[] Scores, double? FitSeconds = null)
{
    /// <summary>With K &gt; 1 arms (<see cref="Dataset.Arms"/> of the evaluation set): the model's budget path on the
    /// evaluation users (<see cref="Experiments.Experiment.ArmPath"/>), which the report evaluates instead of the scores
    /// (METHOD.md section 10). Required then; ignored for a binary campaign.</summary>
    public BudgetPath? ArmPath { get; init; }
    /// <summary>The model's effect estimates on the evaluation users when it estimates effects (tau_v, tau_c); null = it only
    /// ranks (DRM, CRM, a rank average), shown as "not an effect estimator" in the calibration block. One arm only.</summary>
    public ReportEffects? Effects { get; init; }
    /// <summary>What the model file records about the model (learner, settings, training size, validation AUCC, auto choice);
    /// null = no "Model details" entry for it.</summary>
    public ReportModelDetails? Details { get; init; }
}

/// <summary>Permutation feature importance of one model (from <see cref="FeatureImportance.Permutation"/>).</summary>
public sealed record ReportFeatureImportance(string ModelName, FeatureImportanceResult Result);

/// <summary>
/// A budget plan to show in the report (computed elsewhere): treat the users whose score is at least
/// <see cref="CutoffScore"/>, with the expected incremental value and cost of doing so and their confidence intervals.
/// </summary>
/// <param name="Budget">The budget B on the incremental cost.</param>
/// <param name="CutoffScore">Users with a score at or above this are treated.</param>
/// <param name="ShareTreated">Share of users treated, in [0, 1].</param>
/// <param name="IncrementalValue">Expected incremental value of the plan (total over the users it targets).</param>
/// <param name="IncrementalValueCi">Confidence interval of <paramref name="IncrementalValue"/>.</param>
/// <param name="IncrementalCost">Expected incremental cost of the plan.</param>
/// <param name="IncrementalCostCi">Confidence interval of <paramref name="IncrementalCost"/>.</param>
public sealed record PlanSummary(double Budget, double CutoffScore, double ShareTreated,
    double IncrementalValue, Interval IncrementalValueCi, double IncrementalCost, Interval IncrementalCostCi)
{
    /// <summary>The model whose scores the plan thresholds. Default none.</summary>
    public string? Model { get; init; }
    /// <summary>Number of candidate users the plan was made for. Default none.</summary>
    public long? Users { get; init; }
    /// <summary>Confidence level of the intervals, shown in the table. Default 0.95.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;
    /// <summary>One free sentence under the plan (e.g. how it was computed). Default none.</summary>
    public string? Note { get; init; }
}

/// <summary>A multi-arm budget plan to show in the report (<see cref="MultiArmPlan.Build"/>, computed elsewhere): per arm the
/// expected users, incremental value and cost with intervals, against the best single arm and random allocation.</summary>
/// <param name="Model">The model whose budget path the plan walks (shown; may be null).</param>
/// <param name="Plan">The plan.</param>
public sealed record ArmPlanSummary(string? Model, MultiArmPlanResult Plan);

/// <summary>Which model the paired differences are taken against.</summary>
public enum ReportReference
{
    /// <summary>The first model of <see cref="ReportInput.Models"/>. The default.</summary>
    First,
    /// <summary>The model with the highest AUCC on the evaluation set (the first of equals).</summary>
    BestAucc,
}

/// <summary>Options of <see cref="HtmlReport"/>.</summary>
public sealed record ReportOptions
{
    /// <summary>Bootstrap replicates of every confidence interval. Default 200, range 2 to 100,000.</summary>
    public int BootstrapReplicates { get; init; } = 200;
    /// <summary>Seed of the bootstrap. Default 1. The same seed gives the same report.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>How the reference of the paired differences is chosen. Default <see cref="ReportReference.First"/>.</summary>
    public ReportReference Reference { get; init; } = ReportReference.First;
    /// <summary>The reference by name (overrides <see cref="Reference"/>). Default none.</summary>
    public string? ReferenceModel { get; init; }
    /// <summary>Cost curve options of every curve and AUCC. Default <see cref="CostCurveOptions.Default"/>.</summary>
    public CostCurveOptions Curve { get; init; } = CostCurveOptions.Default;
    /// <summary>Cap on worker threads of the bootstrap (null = all cores). The report never depends on it.</summary>
    public int? MaxThreads { get; init; }
    /// <summary>Draw each model's pointwise 95 % bootstrap band around its cost curve (<see cref="CostCurveBands"/>, on the
    /// resamples of the AUCC interval; with K &gt; 1 arms around each budget path's multi-arm cost curve). Default true.</summary>
    public bool Bands { get; init; } = true;

    public static ReportOptions Default { get; } = new();

    internal void Validate()
    {
        UpliftOptionException.Check(BootstrapReplicates is >= 2 and <= 100_000, "bootstrap", $"must be between 2 and 100000, got {BootstrapReplicates}.");
        UpliftOptionException.Check(Enum.IsDefined(Reference), "reference", $"unknown value {Reference}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", $"must be at least 1, got {MaxThreads}.");
        ArgumentNullException.ThrowIfNull(Curve);
        Curve.Validate();
    }
}

/// <summary>Everything <see cref="HtmlReport"/> needs. The numbers (curves, AUCC, intervals) are computed from it.</summary>
public sealed record ReportInput
{
    /// <summary>Title of the page.</summary>
    public required string Title { get; init; }
    /// <summary>The evaluation set: T, V and C are required (features are only counted).</summary>
    public required Dataset Evaluation { get; init; }
    /// <summary>Where the evaluation set comes from (file, split, synthetic scenario). Default none.</summary>
    public string? Source { get; init; }
    /// <summary>The models, in display order (at least one).</summary>
    public required IReadOnlyList<ReportModel> Models { get; init; }
    /// <summary>Oracle scores (true tau_v / tau_c, synthetic data only), one per row. Default none.</summary>
    public double[]? OracleScores { get; init; }
    /// <summary>With K &gt; 1 arms: the oracle budget path (from the true per-arm effects), used instead of
    /// <see cref="OracleScores"/>. Default none.</summary>
    public BudgetPath? OraclePath { get; init; }
    /// <summary>With K &gt; 1 arms: the label of each arm (arm k = label k − 1) and of control, shown in the per-arm split.
    /// Default none (arms shown as "arm 1", "arm 2", ...).</summary>
    public IReadOnlyList<string>? ArmLabels { get; init; }
    /// <summary>The control label shown in the per-arm split. Default "control".</summary>
    public string ControlLabel { get; init; } = "control";
    public ReportOptions Options { get; init; } = ReportOptions.Default;
    /// <summary>Permutation feature importance of one model. Default none (section left out).</summary>
    public ReportFeatureImportance? FeatureImportance { get; init; }
    /// <summary>A budget plan. Default none (section left out).</summary>
    public PlanSummary? Plan { get; init; }
    /// <summary>A budget plan across K &gt; 1 arms. Default none (section left out).</summary>
    public ArmPlanSummary? ArmPlan { get; init; }
    /// <summary>Missing values of the data the report was computed on (<see cref="MissingValueSummary.Compute(RawTable, IReadOnlyList{Preprocessor})"/>).
    /// Default none (section left out).</summary>
    public MissingValueSummary? MissingValues { get; init; }
    /// <summary>Free-form notes, one paragraph each. Default none.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    /// <summary>The command line that produced the report, shown in the footer. Default none.</summary>
    public string? CommandLine { get; init; }
    /// <summary>Generation time shown in the header; null = now. Fix it to get byte-identical reports.</summary>
    public DateTimeOffset? GeneratedAt { get; init; }
}
