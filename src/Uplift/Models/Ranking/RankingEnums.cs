namespace Uplift.Models.Ranking;

/// <summary>The aggregated function g(τv, τc) the ranking models maximise (METHOD.md section 3).</summary>
public enum Objective
{
    /// <summary>The paper's plain ratio τv / τc, the denominator kept at least 1e-6 away from zero (sign kept).</summary>
    Ratio,
    /// <summary>softplus(τv) / softplus(τc).</summary>
    SoftplusRatio,
    /// <summary>τv / |τc|_β with the smooth absolute value |x|_β = (softplus(βx) + softplus(−βx)) / β, β = 40.</summary>
    SmoothAbsRatio,
    /// <summary>The Lagrangian τv − λ·τc.</summary>
    Lagrangian,
}

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
