namespace Uplift.Evaluation;

/// <summary>How the cost curve's means are adjusted for non-randomized data (METHOD.md section 11).</summary>
public enum AdjustmentKind
{
    /// <summary>Inverse-propensity weighted (Hájek) means: treated users weighted by 1/e(x), control users by 1/(1 − e(x)).</summary>
    Ipw,
    /// <summary>Doubly robust: each prefix's incremental value and cost are sums of the AIPW scores Γ (<see cref="DrScores"/>).</summary>
    DoublyRobust,
}

/// <summary>
/// What the evaluation of observational data needs per user: the propensity e(x) (given or fitted out of fold) and, for
/// the doubly robust curve, the out-of-fold outcome models μ1, μ0 of V and of C. Arrays are aligned with the users.
/// </summary>
public sealed record Adjustment
{
    /// <summary>e(x) = P(T = 1 | x) per user, in (0, 1).</summary>
    public required double[] Propensity { get; init; }
    /// <summary>μ1(x), μ0(x) of V (both or neither; with those of C they make the curve doubly robust).</summary>
    public double[]? Mu1V { get; init; }
    public double[]? Mu0V { get; init; }
    /// <summary>μ1(x), μ0(x) of C.</summary>
    public double[]? Mu1C { get; init; }
    public double[]? Mu0C { get; init; }
    /// <summary>Where the propensity came from, for messages and reports ("column p", "logistic, 3-fold cross-fitted").</summary>
    public string Source { get; init; } = "given";

    /// <summary><see cref="AdjustmentKind.DoublyRobust"/> when every outcome model is given, else <see cref="AdjustmentKind.Ipw"/>.</summary>
    public AdjustmentKind Kind => Mu1V is not null && Mu0V is not null && Mu1C is not null && Mu0C is not null ? AdjustmentKind.DoublyRobust : AdjustmentKind.Ipw;

    /// <summary>The inverse-propensity weight of each user: 1/e for the treated, 1/(1 − e) for control users.</summary>
    public double[] Weights(ReadOnlySpan<byte> t)
    {
        Check(t.Length);
        var w = new double[t.Length];
        for (int i = 0; i < w.Length; i++) w[i] = t[i] == 1 ? 1 / Propensity[i] : 1 / (1 - Propensity[i]);
        return w;
    }

    /// <summary>The DR scores of V and C (<see cref="DrScores.Compute"/>); with IPW only (no μ), μ = 0: Γ = T Y / e − (1 − T) Y / (1 − e).</summary>
    public (double[] V, double[] C) Gammas(ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c)
    {
        Check(t.Length);
        var zero = new double[t.Length];
        return (DrScores.Compute(t, v, Propensity, Mu1V ?? zero, Mu0V ?? zero), DrScores.Compute(t, c, Propensity, Mu1C ?? zero, Mu0C ?? zero));
    }

    /// <summary>The same adjustment restricted to users <paramref name="rows"/> (a resample or a trimmed set).</summary>
    public Adjustment Pick(ReadOnlySpan<int> rows)
    {
        var r = rows.ToArray();
        static double[]? P(double[]? a, int[] r) => a is null ? null : [.. r.Select(i => a[i])];
        return this with { Propensity = P(Propensity, r)!, Mu1V = P(Mu1V, r), Mu0V = P(Mu0V, r), Mu1C = P(Mu1C, r), Mu0C = P(Mu0C, r) };
    }

    internal void Check(int n)
    {
        ArgumentNullException.ThrowIfNull(Propensity);
        if (Propensity.Length != n) throw new UpliftDataException($"{Propensity.Length} propensities for {n} users.");
        for (int i = 0; i < n; i++)
            if (!(Propensity[i] > 0 && Propensity[i] < 1))
                throw new UpliftDataException($"the propensity is {Propensity[i]}; inverse-propensity weighting needs it in (0, 1) (trim the users outside, or clip).", row: i + 1, column: "propensity");
        foreach (var (a, name) in new[] { (Mu1V, "mu1 of V"), (Mu0V, "mu0 of V"), (Mu1C, "mu1 of C"), (Mu0C, "mu0 of C") })
            if (a is not null && a.Length != n) throw new UpliftDataException($"{a.Length} values of {name} for {n} users.");
    }
}

/// <summary>The distribution of the propensity in one arm.</summary>
/// <param name="Arm">"treated" or "control".</param>
/// <param name="Users">Users of the arm.</param>
/// <param name="Quantiles">min, 5, 25, 50, 75, 95 %, max.</param>
/// <param name="Outside">Users with e outside [<see cref="Overlap.Low"/>, <see cref="Overlap.High"/>].</param>
public sealed record ArmOverlap(string Arm, int Users, double[] Quantiles, int Outside);

/// <summary>The overlap report: the propensity by arm, and a warning when some users fall outside [0.02, 0.98].</summary>
public sealed record OverlapReport(ArmOverlap Treated, ArmOverlap Control, string? Warning);

/// <summary>Overlap of the arms (METHOD.md section 11): the distribution of e(x) by arm, the [0.02, 0.98] check and trimming.</summary>
public static class Overlap
{
    /// <summary>The bounds outside which overlap is poor (METHOD.md section 11).</summary>
    public const double Low = 0.02, High = 0.98;

    /// <summary>The report of propensities <paramref name="e"/> by arm <paramref name="t"/>.</summary>
    public static OverlapReport Report(ReadOnlySpan<byte> t, ReadOnlySpan<double> e)
    {
        if (t.Length != e.Length) throw new UpliftDataException($"{e.Length} propensities for {t.Length} users.");
        var byArm = new[] { new List<double>(), new List<double>() };
        for (int i = 0; i < t.Length; i++)
        {
            if (double.IsNaN(e[i])) throw new UpliftDataException("the propensity is NaN.", row: i + 1, column: "propensity");
            byArm[t[i] == 1 ? 1 : 0].Add(e[i]);
        }
        ArmOverlap Arm(string name, List<double> x)
        {
            var s = x.ToArray(); Array.Sort(s);
            double[] q = s.Length == 0 ? [] : [.. new[] { 0, 0.05, 0.25, 0.5, 0.75, 0.95, 1 }.Select(p => Bootstrap.Percentile(s, p))];
            return new ArmOverlap(name, s.Length, q, s.Count(v => v < Low || v > High));
        }
        var tr = Arm("treated", byArm[1]); var co = Arm("control", byArm[0]);
        int outside = tr.Outside + co.Outside;
        string? warning = outside == 0 ? null
            : $"{outside} of {t.Length} users have a propensity outside [{Low}, {High}] ({tr.Outside} treated, {co.Outside} control): " +
              "their inverse weights dominate the weighted curve; consider trimming them.";
        return new OverlapReport(tr, co, warning);
    }

    /// <summary>The users whose propensity is inside [<paramref name="low"/>, 1 − <paramref name="low"/>] (0 &lt; low &lt; 0.5).</summary>
    public static int[] Kept(ReadOnlySpan<double> e, double low)
    {
        UpliftOptionException.Check(low > 0 && low < 0.5, "trim", $"must be in (0, 0.5), got {low}.");
        var r = new List<int>(e.Length);
        for (int i = 0; i < e.Length; i++) if (e[i] >= low && e[i] <= 1 - low) r.Add(i);
        return [.. r];
    }
}
