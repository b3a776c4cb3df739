using System.Globalization;

namespace Uplift.Campaign;

/// <summary>Observed outcomes of one user after the campaign.</summary>
public readonly record struct UserOutcome(string Id, double Value, double Cost);

/// <summary>Options of <see cref="Readout.Compute"/>.</summary>
public sealed record ReadoutOptions
{
    /// <summary>Bootstrap replicates for the slope and gain intervals; default 1000, in [100, 1,000,000].</summary>
    public int BootstrapReplicates { get; init; } = 1000;
    /// <summary>Confidence level of the intervals; default 0.95, in (0.5, 1).</summary>
    public double ConfidenceLevel { get; init; } = 0.95;
    /// <summary>Seed of the bootstrap; default 1.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>A slope is flagged when |ATE_c| &lt; this many standard errors; default 2.</summary>
    public double MinCostEffectZ { get; init; } = 2.0;
    /// <summary>When false (default) an assigned explore or exploit user without an outcome is an error; when true
    /// such users are left out, with a warning.</summary>
    public bool DropMissingOutcomes { get; init; }
    /// <summary>How the error about missing outcomes tells the caller to allow dropping them (the CLI names its flag);
    /// default "set DropMissingOutcomes to leave them out".</summary>
    public string AllowMissingHint { get; init; } = "set DropMissingOutcomes to leave them out";
    /// <summary>Cap on worker threads for the bootstrap (null = all cores). Results never depend on it.</summary>
    public int? MaxThreads { get; init; }

    internal void Validate()
    {
        UpliftOptionException.Check(BootstrapReplicates is >= 100 and <= 1_000_000, "BootstrapReplicates", $"must be in [100, 1000000], got {BootstrapReplicates}.");
        UpliftOptionException.Check(ConfidenceLevel > 0.5 && ConfidenceLevel < 1, "ConfidenceLevel", $"must be in (0.5, 1), got {ConfidenceLevel}.");
        UpliftOptionException.Check(double.IsFinite(MinCostEffectZ) && MinCostEffectZ >= 0, "MinCostEffectZ", $"must be >= 0, got {MinCostEffectZ}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "MaxThreads", $"must be >= 1, got {MaxThreads}.");
    }
}

/// <summary>A confidence interval.</summary>
public readonly record struct Interval(double Low, double High)
{
    public bool Contains(double x) => x >= Low && x <= High;
}

/// <summary>A difference of means (treated minus control) with its standard error
/// sqrt(s1^2 / n1 + s0^2 / n0) (sample variances) and the normal interval at the readout's level.</summary>
public sealed record EffectEstimate(double Ate, double StandardError, Interval Ci);

/// <summary>Read-out of one arm (explore or exploit): ATE on value and cost, and the slope ATE_v / ATE_c.</summary>
/// <param name="Name">"explore" or "exploit".</param>
/// <param name="Treated">Treated users used.</param>
/// <param name="Control">Control users used.</param>
/// <param name="Value">ATE on value.</param>
/// <param name="Cost">ATE on cost.</param>
/// <param name="Slope">ATE_v / ATE_c.</param>
/// <param name="SlopeCi">Percentile bootstrap interval of the slope.</param>
/// <param name="SlopeMeaningful">False when |ATE_c| is below MinCostEffectZ standard errors.</param>
public sealed record ArmReadout(string Name, int Treated, int Control, EffectEstimate Value, EffectEstimate Cost,
    double Slope, Interval SlopeCi, bool SlopeMeaningful);

/// <summary>The campaign read-out (METHOD.md section 9), for the CLI to print.</summary>
/// <param name="Explore">Explore treatment vs explore control.</param>
/// <param name="Exploit">Exploit treated vs the explore controls in the exploit region; null when either is empty.</param>
/// <param name="RelativeGain">slope_exploit / slope_explore - 1; null without an exploit read-out.</param>
/// <param name="RelativeGainCi">Percentile bootstrap interval of <paramref name="RelativeGain"/>.</param>
/// <param name="ExploitThreshold">Score of the lowest-ranked exploit user (the region's edge); null when exploit is empty.</param>
/// <param name="JoinedUsers">Explore and exploit users joined with an outcome.</param>
/// <param name="DroppedWithoutOutcome">Explore and exploit users without an outcome (left out when allowed).</param>
/// <param name="OutcomesWithoutAssignment">Outcome rows whose id was not assigned (ignored).</param>
/// <param name="Replicates">Bootstrap replicates.</param>
/// <param name="ConfidenceLevel">Level of every interval.</param>
/// <param name="Warnings">Things the reader should know before trusting the numbers.</param>
/// <param name="InvalidReplicates">Bootstrap replicates with a non-finite gain (an ATE_c of 0 in the resample), left out of the intervals.</param>
public sealed record ReadoutResult(
    ArmReadout Explore,
    ArmReadout? Exploit,
    double? RelativeGain,
    Interval? RelativeGainCi,
    double? ExploitThreshold,
    int JoinedUsers,
    int DroppedWithoutOutcome,
    int OutcomesWithoutAssignment,
    int Replicates,
    int InvalidReplicates,
    double ConfidenceLevel,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Estimated incremental value the campaign bought: explore-treatment users x explore ATE_v + exploit users x
    /// exploit ATE_v. Null without an exploit read-out while exploit users exist.</summary>
    public double? RealisedValue { get; init; }
    /// <summary>Percentile bootstrap interval of <see cref="RealisedValue"/>.</summary>
    public Interval? RealisedValueCi { get; init; }
    /// <summary>Estimated incremental cost the campaign spent (as <see cref="RealisedValue"/>, with ATE_c): the number to hold
    /// against the plan's expected incremental cost.</summary>
    public double? RealisedCost { get; init; }
    /// <summary>Percentile bootstrap interval of <see cref="RealisedCost"/>.</summary>
    public Interval? RealisedCostCi { get; init; }

    /// <summary>Human-readable lines for the CLI.</summary>
    public IReadOnlyList<string> ToLines()
    {
        var ci = CultureInfo.InvariantCulture;
        var lines = new List<string> { string.Create(ci, $"joined users: {JoinedUsers:N0} ({DroppedWithoutOutcome:N0} dropped without outcome, {OutcomesWithoutAssignment:N0} outcomes without assignment)") };
        void Arm(ArmReadout a)
        {
            lines.Add(string.Create(ci, $"{a.Name}: {a.Treated:N0} treated vs {a.Control:N0} control"));
            lines.Add(string.Create(ci, $"  ATE value {a.Value.Ate:G6} (SE {a.Value.StandardError:G3}, {ConfidenceLevel:P0} CI [{a.Value.Ci.Low:G6}, {a.Value.Ci.High:G6}])"));
            lines.Add(string.Create(ci, $"  ATE cost  {a.Cost.Ate:G6} (SE {a.Cost.StandardError:G3}, {ConfidenceLevel:P0} CI [{a.Cost.Ci.Low:G6}, {a.Cost.Ci.High:G6}])"));
            lines.Add(string.Create(ci, $"  slope ATE_v / ATE_c {a.Slope:G6} (bootstrap CI [{a.SlopeCi.Low:G6}, {a.SlopeCi.High:G6}]){(a.SlopeMeaningful ? "" : " NOT MEANINGFUL")}"));
        }
        Arm(Explore);
        if (Exploit is not null) Arm(Exploit);
        if (RelativeGain is { } g && RelativeGainCi is { } gci)
            lines.Add(string.Create(ci, $"relative efficiency gain (slope_exploit / slope_explore - 1): {g:+0.####;-0.####;0} (bootstrap CI [{gci.Low:G4}, {gci.High:G4}], {Replicates} replicates, {InvalidReplicates} invalid)"));
        if (RealisedValue is { } rv && RealisedValueCi is { } rvi && RealisedCost is { } rc && RealisedCostCi is { } rci)
        {
            lines.Add(string.Create(ci, $"realised incremental value {rv:G6} ({ConfidenceLevel:P0} CI [{rvi.Low:G6}, {rvi.High:G6}])"));
            lines.Add(string.Create(ci, $"realised incremental cost  {rc:G6} ({ConfidenceLevel:P0} CI [{rci.Low:G6}, {rci.High:G6}])"));
        }
        foreach (var w in Warnings) lines.Add("warning: " + w);
        return lines;
    }

    public override string ToString() => string.Join(Environment.NewLine, ToLines());
}

/// <summary>
/// Campaign read-out (METHOD.md section 9): is the model's targeting (exploit) more efficient than random
/// treatment (explore)?
/// <list type="bullet">
/// <item>Explore: ATE = mean over explore-treatment minus mean over explore-control (a randomized experiment on
///   a random sample of all candidates), for value and cost; slope_explore = ATE_v / ATE_c.</item>
/// <item>Exploit: the exploit group has no control of its own. Its region is every candidate ranking at or above
///   the lowest-ranked exploit user (score descending, ties by ordinal id, as in <see cref="Assignment"/>). Explore
///   membership is drawn independently of the score, so the explore-control users in that region are a random
///   sample of the region's untreated outcomes, and the exploit users are (all) the region's non-explore users:
///   ATE_exploit = mean over exploit-treated minus mean over explore-control users in the region.
///   slope_exploit = ATE_v / ATE_c.</item>
/// <item>Relative efficiency gain = slope_exploit / slope_explore - 1.</item>
/// <item>Intervals: ATEs by the normal approximation; slopes and gain by a percentile bootstrap, stratified
///   (explore-treatment, explore-control in region, explore-control outside, exploit-treated each resampled to its
///   own size; the in-region controls are shared by both arms in each replicate), replicate b drawing from
///   <c>Rng.Derive(seed, RngStream.ReadoutBootstrap, b)</c> so results do not depend on the thread count.</item>
/// <item>Warnings: |ATE_c| &lt; MinCostEffectZ standard errors (the slope then means little), slope_explore
///   &lt;= 0 (the gain then has no clear sense), missing outcomes, invalid bootstrap replicates.</item>
/// </list>
/// Untreated users (non-explore, below the cut-off) are not used.
/// </summary>
public static class Readout
{
    enum Stratum { ExploreTreatment, ControlInRegion, ControlOutside, Exploit }

    public static ReadoutResult Compute(IReadOnlyList<AssignedUser> assignments, IReadOnlyList<UserOutcome> outcomes,
        ReadoutOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(outcomes);
        options ??= new ReadoutOptions();
        options.Validate();
        var warnings = new List<string>();

        var outcomeById = new Dictionary<string, (double V, double C)>(outcomes.Count, StringComparer.Ordinal);
        for (int i = 0; i < outcomes.Count; i++)
        {
            var o = outcomes[i];
            if (string.IsNullOrEmpty(o.Id)) throw new UpliftDataException("empty user id in the outcomes.", row: i + 1, column: "id");
            if (!double.IsFinite(o.Value) || !double.IsFinite(o.Cost))
                throw new UpliftDataException($"user '{o.Id}' has a non-finite outcome (value {o.Value}, cost {o.Cost}).", row: i + 1);
            if (!outcomeById.TryAdd(o.Id, (o.Value, o.Cost)))
                throw new UpliftDataException($"duplicate user id '{o.Id}' in the outcomes.", row: i + 1, column: "id");
        }

        // The exploit region's edge: the lowest-ranked exploit user.
        string? edgeId = null; double edgeScore = 0;
        var assignedIds = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < assignments.Count; i++)
        {
            var a = assignments[i];
            if (string.IsNullOrEmpty(a.Id)) throw new UpliftDataException("empty user id in the assignments.", row: i + 1, column: "id");
            if (!assignedIds.Add(a.Id)) throw new UpliftDataException($"duplicate user id '{a.Id}' in the assignments.", row: i + 1, column: "id");
            if (!double.IsFinite(a.Score)) throw new UpliftDataException($"user '{a.Id}' has score {a.Score}.", row: i + 1, column: "score");
            if (!Enum.IsDefined(a.Group)) throw new UpliftDataException($"user '{a.Id}' has an unknown group {(int)a.Group}.", row: i + 1, column: "group");
            if (a.Group == CampaignGroup.ExploitTreated && (edgeId is null || Assignment.RankCompare(a.Score, a.Id, edgeScore, edgeId) > 0))
            { edgeId = a.Id; edgeScore = a.Score; }
        }

        // Join and stratify.
        var strata = new List<(double V, double C)>[4];
        for (int s = 0; s < 4; s++) strata[s] = [];
        int missing = 0, joined = 0;
        string? firstMissing = null;
        foreach (var a in assignments)
        {
            if (a.Group == CampaignGroup.Untreated) continue;
            if (!outcomeById.TryGetValue(a.Id, out var y)) { missing++; firstMissing ??= a.Id; continue; }
            joined++;
            Stratum s = a.Group switch
            {
                CampaignGroup.ExploreTreatment => Stratum.ExploreTreatment,
                CampaignGroup.ExploitTreated => Stratum.Exploit,
                _ => edgeId is not null && Assignment.RankCompare(a.Score, a.Id, edgeScore, edgeId) <= 0
                    ? Stratum.ControlInRegion : Stratum.ControlOutside,
            };
            strata[(int)s].Add(y);
        }
        if (missing > 0)
        {
            if (!options.DropMissingOutcomes)
                throw new UpliftDataException($"{missing} explore or exploit user(s) have no outcome (first: '{firstMissing}'); supply them or {options.AllowMissingHint}.");
            warnings.Add($"{missing} explore or exploit user(s) without an outcome were left out (first: '{firstMissing}').");
        }
        int orphan = 0;
        foreach (var id in outcomeById.Keys) if (!assignedIds.Contains(id)) orphan++;

        var et = strata[(int)Stratum.ExploreTreatment].ToArray();
        var ecIn = strata[(int)Stratum.ControlInRegion].ToArray();
        var ecOut = strata[(int)Stratum.ControlOutside].ToArray();
        var xt = strata[(int)Stratum.Exploit].ToArray();
        var ecAll = ecIn.Concat(ecOut).ToArray();
        if (et.Length < 2 || ecAll.Length < 2)
            throw new UpliftDataException($"the explore group needs at least 2 treated and 2 control users with outcomes (has {et.Length} and {ecAll.Length}).");
        bool hasExploit = xt.Length >= 2 && ecIn.Length >= 2;
        if (!hasExploit)
            warnings.Add(edgeId is null
                ? "no exploit user: only the explore read-out is given."
                : $"the exploit read-out needs at least 2 exploit users and 2 explore-control users in the exploit region (has {xt.Length} and {ecIn.Length}); only the explore read-out is given.");

        double z = NormalQuantile(0.5 + options.ConfidenceLevel / 2);

        // Bootstrap: per replicate slopes of both arms and the gain.
        int reps = options.BootstrapReplicates;
        var slopeE = new double[reps]; var slopeX = new double[reps]; var gain = new double[reps];
        // Realised totals (treated count x ATE per group) exist when every treated group has a read-out.
        bool hasTotals = hasExploit || xt.Length == 0;
        var totV = new double[reps]; var totC = new double[reps];
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, reps, po, b =>
        {
            var rng = Rng.Derive(options.Seed, RngStream.ReadoutBootstrap, b);
            var (etV, etC) = ResampleSums(et, ref rng);
            var (inV, inC) = ResampleSums(ecIn, ref rng);
            var (outV, outC) = ResampleSums(ecOut, ref rng);
            double nc = ecIn.Length + ecOut.Length;
            // Explore ATE (section 9): explore-treatment mean minus explore-control mean.
            double seb = (etV / et.Length - (inV + outV) / nc) / (etC / et.Length - (inC + outC) / nc);
            slopeE[b] = seb;
            totV[b] = etV - et.Length * (inV + outV) / nc;
            totC[b] = etC - et.Length * (inC + outC) / nc;
            if (hasExploit)
            {
                var (xV, xC) = ResampleSums(xt, ref rng);
                double sxb = (xV / xt.Length - inV / ecIn.Length) / (xC / xt.Length - inC / ecIn.Length);
                slopeX[b] = sxb;
                gain[b] = sxb / seb - 1;
                totV[b] += xV - xt.Length * inV / ecIn.Length;
                totC[b] += xC - xt.Length * inC / ecIn.Length;
            }
        });

        ArmReadout MakeArm(string name, (double V, double C)[] treated, (double V, double C)[] control, double[] slopes)
        {
            var value = Effect(treated, control, cost: false, z);
            var cost = Effect(treated, control, cost: true, z);
            bool meaningful = Math.Abs(cost.Ate) >= options.MinCostEffectZ * cost.StandardError && cost.Ate != 0;
            if (!meaningful)
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{name}: the cost effect {cost.Ate:G4} is within {options.MinCostEffectZ} standard errors ({cost.StandardError:G4}) of zero; its slope ATE_v / ATE_c means little."));
            return new ArmReadout(name, treated.Length, control.Length, value, cost, value.Ate / cost.Ate,
                PercentileInterval(slopes, options.ConfidenceLevel, out _), meaningful);
        }

        var explore = MakeArm("explore", et, ecAll, slopeE);
        ArmReadout? exploit = null;
        double? relGain = null; Interval? gainCi = null; int invalid = 0;
        if (hasExploit)
        {
            exploit = MakeArm("exploit", xt, ecIn, slopeX);
            relGain = exploit.Slope / explore.Slope - 1;
            gainCi = PercentileInterval(gain, options.ConfidenceLevel, out invalid);
            if (!(explore.Slope > 0))
                warnings.Add("the explore slope is not positive: the relative gain slope_exploit / slope_explore - 1 has no clear sense.");
            if (invalid > 0)
                warnings.Add($"{invalid} of {reps} bootstrap replicates gave a non-finite gain and were left out of its interval.");
        }
        var result = new ReadoutResult(explore, exploit, relGain, gainCi, edgeId is null ? null : edgeScore, joined, missing, orphan,
            reps, invalid, options.ConfidenceLevel, warnings);
        if (!hasTotals) return result;
        // Realised totals: treated users of each group times that group's ATE.
        double rv = et.Length * explore.Value.Ate + (exploit is null ? 0 : xt.Length * exploit.Value.Ate);
        double rc = et.Length * explore.Cost.Ate + (exploit is null ? 0 : xt.Length * exploit.Cost.Ate);
        return result with
        {
            RealisedValue = rv, RealisedValueCi = PercentileInterval(totV, options.ConfidenceLevel, out _),
            RealisedCost = rc, RealisedCostCi = PercentileInterval(totC, options.ConfidenceLevel, out _),
        };
    }

    /// <summary>Difference of means treated minus control with SE sqrt(s1^2/n1 + s0^2/n0) (section 9 read-out).
    /// <paramref name="cost"/> picks the cost outcome, else the value outcome.</summary>
    static EffectEstimate Effect((double V, double C)[] treated, (double V, double C)[] control, bool cost, double z)
    {
        var (m1, v1) = MeanVar(treated, cost);
        var (m0, v0) = MeanVar(control, cost);
        double ate = m1 - m0;
        double se = Math.Sqrt(v1 / treated.Length + v0 / control.Length);
        return new EffectEstimate(ate, se, new Interval(ate - z * se, ate + z * se));
    }

    /// <summary>Mean and sample variance (n - 1) of one outcome.</summary>
    static (double Mean, double Var) MeanVar((double V, double C)[] a, bool cost)
    {
        int n = a.Length;
        double s = 0;
        foreach (var y in a) s += cost ? y.C : y.V;
        double m = s / n, q = 0;
        foreach (var y in a) { double e = (cost ? y.C : y.V) - m; q += e * e; }
        return (m, n > 1 ? q / (n - 1) : 0);
    }

    static (double V, double C) ResampleSums((double V, double C)[] a, ref Rng rng)
    {
        double sv = 0, sc = 0;
        int n = a.Length;
        if (n == 0) return (0, 0);
        for (int k = 0; k < n; k++) { var y = a[rng.NextInt(n)]; sv += y.V; sc += y.C; }
        return (sv, sc);
    }

    /// <summary>Percentile interval (linear interpolation between order statistics) over the finite values;
    /// <paramref name="invalid"/> counts the others. Shared by the read-out and the plan.</summary>
    internal static Interval PercentileInterval(double[] values, double level, out int invalid)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        invalid = values.Length - finite.Length;
        if (finite.Length == 0) return new Interval(double.NaN, double.NaN);
        Array.Sort(finite);
        double alpha = (1 - level) / 2;
        return new Interval(Evaluation.Bootstrap.Percentile(finite, alpha), Evaluation.Bootstrap.Percentile(finite, 1 - alpha));
    }

    /// <summary>Standard normal quantile (Acklam's rational approximation, relative error about 1e-9).</summary>
    internal static double NormalQuantile(double p)
    {
        if (p <= 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p));
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double pl = 0.02425;
        if (p < pl)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - pl) return -NormalQuantile(1 - p);
        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
