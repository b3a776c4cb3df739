namespace Uplift.Models.Ranking;

/// <summary>The scoring network f_θ (METHOD.md section 2).</summary>
public enum ScorerKind
{
    /// <summary>f(x) = w·x + b.</summary>
    Linear,
    /// <summary>A multi-layer perceptron with tanh hidden layers and a linear scalar output.</summary>
    Mlp,
    /// <summary>An option only, never a fitted model's scorer: fit the linear scorer and the MLP (<see cref="DrmOptions.HiddenSizes"/>)
    /// and keep the one with the higher validation AUCC (<see cref="DrmOptions.Scorer"/>).</summary>
    Auto,
}

/// <summary>
/// A per-user baseline subtracted from V and C before the cohort effects are computed (a control variate; see
/// <see cref="DrmOptions.Baseline"/>).
/// </summary>
public enum OutcomeBaseline
{
    /// <summary>The raw outcomes, as in the papers' code.</summary>
    None,
    /// <summary>
    /// V − m̂_V(x) and C − m̂_C(x), with m̂ the least-squares linear projection of the outcome on the features
    /// (with intercept), fitted on the training users of both arms together (T is not a regressor).
    /// </summary>
    Linear,
}

/// <summary>Which parameters a DRM or CRM fit keeps among its restarts and snapshots (see <see cref="DrmOptions.Selection"/>).</summary>
public enum ModelSelection
{
    /// <summary>The highest AUCC (METHOD.md section 6) of the scores on the validation set.</summary>
    ValidationAucc,
    /// <summary>The highest objective g on the validation set (METHOD.md section 3 as written).</summary>
    ValidationObjective,
}

/// <summary>The rule a DRM or CRM fit actually kept its parameters by (see <see cref="DrmOptions.Selection"/> for the fallbacks).</summary>
public enum AppliedSelection
{
    /// <summary>The highest validation AUCC.</summary>
    ValidationAucc,
    /// <summary>The highest validation objective g (asked for, or no positive validation incremental cost).</summary>
    ValidationObjective,
    /// <summary>The highest training objective g (no validation set).</summary>
    TrainingObjective,
}

/// <summary>The spellings of the ranking models' enums (command line and model file).</summary>
public static class RankingNames
{
    public static NameTable<ScorerKind> Scorer { get; } = new((ScorerKind.Linear, "linear"), (ScorerKind.Mlp, "mlp"), (ScorerKind.Auto, "auto"));
    public static NameTable<OutcomeBaseline> Baseline { get; } = new((OutcomeBaseline.Linear, "linear"), (OutcomeBaseline.None, "none"));
    public static NameTable<ModelSelection> Selection { get; } =
        new((ModelSelection.ValidationAucc, "aucc"), (ModelSelection.ValidationObjective, "objective"));
    public static NameTable<BudgetUnit> BudgetUnit { get; } =
        new((Ranking.BudgetUnit.FractionOfTotalCost, "fraction"), (Ranking.BudgetUnit.CostUnits, "cost"));
    public static NameTable<AppliedSelection> AppliedSelection { get; } = new(
        (Ranking.AppliedSelection.ValidationAucc, "validation-aucc"), (Ranking.AppliedSelection.ValidationObjective, "validation-objective"),
        (Ranking.AppliedSelection.TrainingObjective, "training-objective"));
}

/// <summary>
/// What a DRM or CRM fit did beyond its options: the selection rule applied and whether the linear outcome baseline
/// was subtracted (it is skipped above <see cref="DrmOptions.MaxBaselineFeatures"/> features). Saved at the end of the
/// model file's "options" as <c>selectionApplied</c> and <c>outcomeBaselineApplied</c>.
/// </summary>
public sealed record RankingFitInfo(AppliedSelection Selection, bool OutcomeBaselineApplied);
