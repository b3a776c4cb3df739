namespace Uplift.Evaluation;

/// <summary>One coefficient of the calibration regression with its HC3 standard error, t statistic and one-sided
/// p-value of H0: coefficient ≤ 0 (grf reports the same one-sided test).</summary>
public readonly record struct CalibrationCoefficient(double Estimate, double Se, double T, double PValue);

/// <summary>The result of <see cref="Calibration.Test"/>.</summary>
/// <param name="Mean">The coefficient of the mean prediction τ̄: near 1 when the average effect is right.</param>
/// <param name="Differential">The coefficient of τ̂ − τ̄: near 1 when the heterogeneity is right, 0 when the estimates
/// carry no information on who gains more, above 1 when they understate it.</param>
/// <param name="Users">Number of users.</param>
public sealed record CalibrationResult(CalibrationCoefficient Mean, CalibrationCoefficient Differential, int Users);

/// <summary>
/// The calibration test of grf's <c>test_calibration</c> (Chernozhukov, Demirer, Duflo and Fernández-Val's "best linear
/// predictor", METHOD.md section 11): the doubly robust scores Γ (<see cref="DrScores"/>) are regressed, without an
/// intercept, on the mean prediction τ̄ (a constant column) and on the centred prediction τ̂_i − τ̄:
/// Γ_i = a · τ̄ + b · (τ̂_i − τ̄) + ε_i, by least squares with heteroskedasticity-consistent (HC3) standard errors, as grf.
/// Because the second column sums to 0 the two estimates separate: a = mean(Γ) / τ̄ and
/// b = Σ (τ̂_i − τ̄) Γ_i / Σ (τ̂_i − τ̄)². The p-values are one-sided normal ones (grf uses Student's t; the same beyond a few
/// hundred users). For a cost-aware product run it twice: tau_v against the DR scores of V, tau_c against those of C.
/// Only learners that estimate effects (<c>IEffectModel</c>) have a τ̂ to test; a score that is a ratio is not one.
/// </summary>
public static class Calibration
{
    /// <summary>
    /// The test of predictions <paramref name="tauHat"/> against DR scores <paramref name="gamma"/>. Throws
    /// <see cref="UpliftException"/> when τ̄ is 0 or the predictions do not vary (the regression is then not defined),
    /// <see cref="UpliftDataException"/> for lengths that differ, non-finite values or fewer than three users.
    /// </summary>
    public static CalibrationResult Test(ReadOnlySpan<double> tauHat, ReadOnlySpan<double> gamma)
    {
        int n = tauHat.Length;
        if (gamma.Length != n) throw new UpliftDataException($"{n} predictions for {gamma.Length} doubly robust scores.");
        if (n < 3) throw new UpliftDataException($"the calibration test needs at least 3 users, got {n}.");
        double st = 0, sg = 0;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(tauHat[i])) throw new UpliftDataException($"the predicted effect is {tauHat[i]}.", row: i + 1, column: "tau");
            if (!double.IsFinite(gamma[i])) throw new UpliftDataException($"the doubly robust score is {gamma[i]}.", row: i + 1, column: "gamma");
            st += tauHat[i]; sg += gamma[i];
        }
        double mean = st / n;
        double dd = 0, dg = 0;
        for (int i = 0; i < n; i++) { double d = tauHat[i] - mean; dd += d * d; dg += d * gamma[i]; }
        if (Math.Abs(mean) < 1e-12) throw new UpliftException("the calibration test is not defined: the mean predicted effect is 0.");
        if (dd <= 1e-12 * Math.Max(1, mean * mean) * n) throw new UpliftException("the calibration test is not defined: the predicted effects do not vary.");
        double a = sg / n / mean, b = dg / dd;
        // HC3: (X'X)^-1 X' diag(e_i² / (1 − h_i)²) X (X'X)^-1 with X'X = diag(N τ̄², Σ d²) and h_i = 1/N + d_i² / Σ d².
        double m11 = 0, m22 = 0;
        for (int i = 0; i < n; i++)
        {
            double d = tauHat[i] - mean;
            double e = gamma[i] - a * mean - b * d;
            double h = 1.0 / n + d * d / dd;
            if (1 - h < 1e-12) throw new UpliftException($"the calibration test is not defined: user {i + 1} alone determines the slope (leverage 1).");
            double w = e * e / ((1 - h) * (1 - h));
            m11 += w * mean * mean; m22 += w * d * d;
        }
        double seA = Math.Sqrt(m11) / (n * mean * mean), seB = Math.Sqrt(m22) / dd;
        return new CalibrationResult(Coefficient(a, seA), Coefficient(b, seB), n);
    }

    static CalibrationCoefficient Coefficient(double est, double se)
    {
        double t = est / se;
        return new CalibrationCoefficient(est, se, t, 1 - Normal.Cdf(t));
    }
}
