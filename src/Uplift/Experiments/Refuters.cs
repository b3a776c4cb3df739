using Uplift.Data;
using Uplift.Evaluation;
using Uplift.Models.Propensity;

namespace Uplift.Experiments;

/// <summary>Options of <see cref="Refuters"/>.</summary>
public sealed record RefuterOptions
{
    /// <summary>Bootstrap replicates of the AUCC intervals. Default 200, range 2 to 100,000.</summary>
    public int Replicates { get; init; } = 200;
    /// <summary>Seed of every permutation, subset and resample (<c>RngStream.Refuter</c>). Default 1.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Number of random subsets of the data-subset refuter. Default 10, range 2 to 1000.</summary>
    public int Subsets { get; init; } = 10;
    /// <summary>Share of users in each subset. Default 0.5, in (0, 1).</summary>
    public double SubsetShare { get; init; } = 0.5;
    /// <summary>The confounding strengths Λ of the sensitivity analysis, each &gt;= 1. Default 1.05, 1.1, 1.25, 1.5, 2, 3.</summary>
    public IReadOnlyList<double> Lambdas { get; init; } = [1.05, 1.1, 1.25, 1.5, 2, 3];
    /// <summary>Cap on worker threads (null = all cores). Results never depend on it.</summary>
    public int? MaxThreads { get; init; }

    internal void Validate()
    {
        UpliftOptionException.Check(Replicates is >= 2 and <= 100_000, "replicates", $"must be between 2 and 100000, got {Replicates}.");
        UpliftOptionException.Check(Subsets is >= 2 and <= 1000, "subsets", $"must be between 2 and 1000, got {Subsets}.");
        UpliftOptionException.Check(SubsetShare > 0 && SubsetShare < 1, "subset-share", $"must be in (0, 1), got {SubsetShare}.");
        ArgumentNullException.ThrowIfNull(Lambdas);
        UpliftOptionException.Check(Lambdas.Count > 0 && Lambdas.All(l => l >= 1 && double.IsFinite(l)), "lambdas", "give confounding strengths of at least 1.");
    }
}

/// <summary>One check: its name, whether it passed, the verdict in words and the numbers behind it.</summary>
public sealed record RefuterCheck(string Name, bool Pass, string Verdict, IReadOnlyList<(string Name, double Value)> Numbers);

/// <summary>
/// Checks that a ranking's measured AUCC is not an accident (issue 12 item 4; the paper's open question on
/// unconfoundedness). Each takes the ranking's scores and the evaluation users (with a propensity column the AUCC is
/// inverse-propensity weighted, METHOD.md section 11):
/// <list type="bullet">
/// <item><b>placebo</b>: the link between users and outcomes is broken inside strata (the arm, and the propensity quintile
/// when there is a propensity): the scores are permuted among the users of each stratum, which is the same as permuting
/// their (V, C) pairs, so every arm keeps its outcomes and its average effect while the ranking carries no information.
/// The AUCC's bootstrap interval must cover 0.5. (Permuting the treatment itself, as DoWhy's placebo does, would zero
/// the average incremental cost of randomized data, where the AUCC is undefined: METHOD.md section 6's sharp edge.)</item>
/// <item><b>random common cause</b>: the doubly robust AUCC with cross-fitted outcome models (<see cref="CrossFitted"/>) on
/// the features, and again with one more feature of pure noise: the two must differ by less than the AUCC's bootstrap sd.</item>
/// <item><b>data subset</b>: the AUCC on random halves (seeded): their mean must be within two standard errors of the full AUCC.</item>
/// <item><b>sensitivity</b>: how much hidden confounding would erase the gain over random (AUCC 0.5). Method: a marginal
/// sensitivity model (Tan 2006, "A distributional approach for causal inference using propensity scores"; Zhao, Small
/// and Bhattacharya 2019): the unknown true inverse-propensity weight of each user may differ from the one used by a
/// factor in [1/Λ, Λ]. An adversary sets each factor to an end (users of the top half of the ranking who make the
/// effect look larger are down-weighted, those who make it look smaller up-weighted, the reverse in the bottom half),
/// and the weighted AUCC is recomputed for each Λ. This greedy adversary is not the sharp bound of that model (which
/// would need an optimisation per prefix), so the Λ it reports is an upper estimate of the robustness. Reported: the
/// smallest Λ of the grid at which the AUCC falls to 0.5; it passes when the gain survives Λ = 1.25.</item>
/// </list>
/// </summary>
public static class Refuters
{
    /// <summary>Every check, in the order above.</summary>
    public static IReadOnlyList<RefuterCheck> All(double[] score, Dataset data, RefuterOptions? options = null)
    {
        options ??= new RefuterOptions();
        return [Placebo(score, data, options), RandomCommonCause(score, data, options), Subset(score, data, options), Sensitivity(score, data, options)];
    }

    static Adjustment? Given(Dataset d) => d.Propensity is null ? null : new Adjustment { Propensity = d.Propensity, Source = "column" };

    static BootstrapSummary Boot(double[] score, Dataset d, Adjustment? a, RefuterOptions o, long seed)
    {
        var b = new BootstrapOptions { Replicates = o.Replicates, Seed = seed, MaxThreads = o.MaxThreads };
        return a is null ? Bootstrap.Aucc(score, d.T, d.V, d.C, b) : CostCurve.BootstrapAdjusted(score, d.T, d.V, d.C, a, b);
    }

    static double Aucc(double[] score, Dataset d, Adjustment? a) =>
        a is null ? CostCurve.Compute(score, d.T, d.V, d.C).Aucc : CostCurve.ComputeAdjusted(score, d.T, d.V, d.C, a).Aucc;

    static void Check(double[] score, Dataset data, RefuterOptions o)
    {
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(o);
        o.Validate();
        if (score.Length != data.Rows) throw new UpliftDataException($"{score.Length} scores for {data.Rows} users.");
        if (data.Arms != 1) throw new UpliftOptionException("check", "the refuters are available for two arms (treated and control) only.");
    }

    /// <summary>The placebo refuter (see <see cref="Refuters"/>).</summary>
    public static RefuterCheck Placebo(double[] score, Dataset data, RefuterOptions o)
    {
        Check(score, data, o);
        var a = Given(data);
        int n = data.Rows;
        // strata: the arm, and the propensity quintile when there is one
        var stratum = new int[n];
        if (a is not null)
        {
            var sorted = (double[])a.Propensity.Clone(); Array.Sort(sorted);
            double[] cuts = [.. new[] { 0.2, 0.4, 0.6, 0.8 }.Select(p => Bootstrap.Percentile(sorted, p))];
            for (int i = 0; i < n; i++) stratum[i] = cuts.Count(q => a.Propensity[i] > q);
        }
        var permuted = (double[])score.Clone();
        var rng = Rng.Derive(o.Seed, RngStream.Refuter, 0);
        foreach (var g in Enumerable.Range(0, n).GroupBy(i => (data.T[i], stratum[i])).OrderBy(g => g.Key))
        {
            int[] rows = [.. g];
            var vals = rows.Select(i => score[i]).ToArray();
            rng.Shuffle<double>(vals);
            for (int j = 0; j < rows.Length; j++) permuted[rows[j]] = vals[j];
        }
        var ci = Boot(permuted, data, a, o, Rng.SubSeed(o.Seed, RngStream.Refuter, 1));
        bool pass = ci.Lower <= 0.5 && ci.Upper >= 0.5;
        return new RefuterCheck("placebo", pass,
            pass ? $"pass: with the outcomes permuted within arm{(a is null ? "" : " and propensity quintile")}, the AUCC interval [{ci.Lower:F3}, {ci.Upper:F3}] covers 0.5"
                 : $"FAIL: with the outcomes permuted, the AUCC interval [{ci.Lower:F3}, {ci.Upper:F3}] misses 0.5: the evaluation finds a gain where there is none",
            [("placebo_aucc", ci.Estimate), ("placebo_lower", ci.Lower), ("placebo_upper", ci.Upper)]);
    }

    /// <summary>The random-common-cause refuter (see <see cref="Refuters"/>).</summary>
    public static RefuterCheck RandomCommonCause(double[] score, Dataset data, RefuterOptions o)
    {
        Check(score, data, o);
        int n = data.Rows, d = data.Features;
        var x = new float[(long)n * (d + 1)];
        var rng = Rng.Derive(o.Seed, RngStream.Refuter, 2);
        for (int i = 0; i < n; i++)
        {
            Array.Copy(data.X, (long)i * d, x, (long)i * (d + 1), d);
            x[(long)i * (d + 1) + d] = (float)rng.NextNormal();
        }
        var noisy = new Dataset(x, n, d + 1, [.. data.FeatureNames, "random_common_cause"], data.T, data.V, data.C, data.Propensity);
        long seed = Rng.SubSeed(o.Seed, RngStream.Refuter, 3);
        var cross = new CrossFitOptions { Outcomes = true };
        Adjustment Fit(Dataset ds) => ds.Propensity is null ? CrossFitted.Fit(ds, cross, seed, o.MaxThreads) : CrossFitted.WithOutcomes(ds, ds.Propensity, cross, seed, o.MaxThreads);
        double before = CostCurve.ComputeAdjusted(score, data.T, data.V, data.C, Fit(data)).Aucc;
        double after = CostCurve.ComputeAdjusted(score, data.T, data.V, data.C, Fit(noisy)).Aucc;
        double sd = Boot(score, data, Given(data), o, Rng.SubSeed(o.Seed, RngStream.Refuter, 4)).StdDev;
        bool pass = Math.Abs(after - before) < sd;
        return new RefuterCheck("random common cause", pass,
            (pass ? "pass" : "FAIL") + $": the doubly robust AUCC moves from {before:F4} to {after:F4} with a random feature added (|change| {Math.Abs(after - before):F4}, AUCC sd {sd:F4})",
            [("dr_aucc", before), ("dr_aucc_with_random_cause", after), ("aucc_sd", sd)]);
    }

    /// <summary>The data-subset refuter (see <see cref="Refuters"/>).</summary>
    public static RefuterCheck Subset(double[] score, Dataset data, RefuterOptions o)
    {
        Check(score, data, o);
        var a = Given(data);
        double full = Aucc(score, data, a);
        int n = data.Rows, m = Math.Max(2, (int)Math.Round(n * o.SubsetShare));
        var values = new List<double>();
        for (int s = 0; s < o.Subsets; s++)
        {
            var idx = Enumerable.Range(0, n).ToArray();
            var rng = Rng.Derive(o.Seed, RngStream.Refuter, 10 + s);
            rng.Shuffle<int>(idx);
            var rows = idx[..m];
            Array.Sort(rows);
            var sub = data.Subset(rows);
            try { values.Add(Aucc([.. rows.Select(i => score[i])], sub, a?.Pick(rows))); }
            catch (UpliftException) { }
        }
        if (values.Count < 2) return new RefuterCheck("data subset", false, "FAIL: the AUCC is undefined on most subsets", []);
        double mean = Stats.Mean(values), se = Stats.SampleSd(values) / Math.Sqrt(values.Count);
        bool pass = Math.Abs(mean - full) <= 2 * se + 1e-3;
        return new RefuterCheck("data subset", pass,
            (pass ? "pass" : "FAIL") + $": the AUCC on {values.Count} random {o.SubsetShare:P0} subsets averages {mean:F4} (se {se:F4}) against {full:F4} on all users",
            [("aucc", full), ("subset_mean", mean), ("subset_se", se)]);
    }

    /// <summary>The sensitivity analysis (see <see cref="Refuters"/>).</summary>
    public static RefuterCheck Sensitivity(double[] score, Dataset data, RefuterOptions o)
    {
        Check(score, data, o);
        int n = data.Rows;
        var e = data.Propensity ?? Enumerable.Repeat(data.T.Count(x => x == 1) / (double)n, n).ToArray();
        // which users make the effect look larger: treated above the treated median of V, control below the control median
        double Median(int arm) { var s = Enumerable.Range(0, n).Where(i => data.T[i] == arm).Select(i => data.V[i]).Order().ToArray(); return s[s.Length / 2]; }
        double m1 = Median(1), m0 = Median(0);
        var sortedScore = score.Order().ToArray();
        double mid = sortedScore[n / 2];
        double baseAucc = CostCurve.ComputeAdjusted(score, data.T, data.V, data.C, new Adjustment { Propensity = e }).Aucc;
        var numbers = new List<(string, double)> { ("aucc", baseAucc) };
        double? erased = null;
        foreach (double lambda in o.Lambdas.Order())
        {
            var ep = new double[n];
            for (int i = 0; i < n; i++)
            {
                bool helps = data.T[i] == 1 ? data.V[i] > m1 : data.V[i] < m0;
                bool top = score[i] >= mid;
                double factor = helps == top ? 1 / lambda : lambda;
                // weight × factor, rescaled by Λ within the arm (Hájek means do not change under a common scale): e' stays in (0, 1)
                ep[i] = data.T[i] == 1 ? e[i] / (factor * lambda) : 1 - (1 - e[i]) / (factor * lambda);
            }
            double aucc;
            try { aucc = CostCurve.ComputeAdjusted(score, data.T, data.V, data.C, new Adjustment { Propensity = ep }).Aucc; }
            catch (UpliftException) { aucc = 0.5; }
            numbers.Add(($"aucc_at_lambda_{lambda:0.##}", aucc));
            if (erased is null && aucc <= 0.5) erased = lambda;
        }
        bool pass = baseAucc > 0.5 && (erased is null || erased > 1.25);
        string verdict = baseAucc <= 0.5 ? "FAIL: the AUCC shows no gain over random to begin with"
            : erased is { } l ? $"{(pass ? "pass" : "FAIL")}: hidden confounding that moves the inverse-propensity weights by a factor of {l:0.##} erases the gain (AUCC {baseAucc:F3} -> 0.5)"
            : $"pass: the gain survives every tested strength up to Λ = {o.Lambdas.Max():0.##}";
        numbers.Add(("lambda_erasing_gain", erased ?? double.PositiveInfinity));
        return new RefuterCheck("sensitivity", pass, verdict, numbers);
    }
}
