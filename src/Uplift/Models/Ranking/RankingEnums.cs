namespace Uplift.Models.Ranking;

/// <summary>The scoring network f_θ (METHOD.md section 2).</summary>
public enum ScorerKind
{
    /// <summary>f(x) = w·x + b.</summary>
    Linear,
    /// <summary>A multi-layer perceptron with tanh hidden layers and a linear scalar output.</summary>
    Mlp,
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
