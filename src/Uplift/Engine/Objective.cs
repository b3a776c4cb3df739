namespace Uplift.Engine;

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
