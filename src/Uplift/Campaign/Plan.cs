using System.Globalization;
using System.Text.Json.Nodes;
using Uplift.Evaluation;

namespace Uplift.Campaign;

/// <summary>Where the plan's per-user incremental value and cost come from.</summary>
public enum PlanEffectSource
{
    /// <summary>Differences of means on an evaluation set with T, V, C scored by the same model (with bootstrap intervals).</summary>
    EvaluationData,
    /// <summary>The model's own tau_v(x), tau_c(x) estimates on the candidates (no interval).</summary>
    ModelEffects,
    /// <summary>The model's cost curve on its validation users, kept in the model file (no interval).</summary>
    ValidationCurve,
}

/// <summary>The column names a plan was made with (the model's roles, after any override), recorded in the plan file so
/// that <c>uplift readout --plan</c> needs no repeat of them.</summary>
public sealed record PlanColumns(string? Id, string? Treatment, string? Value, string? Cost)
{
    internal JsonObject ToJson() => new() { ["id"] = Id, ["treatment"] = Treatment, ["value"] = Value, ["cost"] = Cost };

    internal static PlanColumns? FromJson(JsonNode? n, string source)
    {
        if (n is null) return null;
        if (n is not JsonObject o) throw new UpliftDataException("the plan's 'columns' must be a JSON object.", source);
        string? S(string k) => o[k] switch
        {
            null => null,
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => (string?)v,
            _ => throw new UpliftDataException($"the plan's 'columns.{k}' must be a string.", source),
        };
        return new PlanColumns(S("id"), S("treatment"), S("value"), S("cost"));
    }
}

/// <summary>Options of <see cref="Plan"/>.</summary>
public sealed record PlanOptions
{
    /// <summary>Budget B on the expected incremental cost of the whole campaign (explore treatment + exploit). Required, finite, &gt;= 0.</summary>
    public required double Budget { get; init; }
    /// <summary>Share of the candidates drawn into the random explore group (as <see cref="AssignmentOptions.Explore"/>); default 0.1, in [0, 1].</summary>
    public double Explore { get; init; } = 0.1;
    /// <summary>Share of the explore group that is treated (as <see cref="AssignmentOptions.ExploreTreated"/>); default 0.5, in [0, 1].</summary>
    public double ExploreTreated { get; init; } = 0.5;
    /// <summary>Bootstrap replicates of the intervals; default 500, in [100, 100,000].</summary>
    public int BootstrapReplicates { get; init; } = 500;
    /// <summary>Confidence level of the intervals; default 0.95, in (0.5, 1).</summary>
    public double ConfidenceLevel { get; init; } = 0.95;
    /// <summary>Seed of the bootstrap; default 1. Replicate b draws from <c>Rng.Derive(Seed, b)</c>.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>A cut-off is only considered when the evaluation users above it hold at least this many treated
    /// and this many control users (else their difference of means is too noisy to plan with); default 20, &gt;= 2.</summary>
    public int MinArmUsers { get; init; } = 20;
    /// <summary>Cap on worker threads of the bootstrap (null = all cores). Results never depend on it.</summary>
    public int? MaxThreads { get; init; }

    internal void Validate()
    {
        UpliftOptionException.Check(double.IsFinite(Budget) && Budget >= 0, "budget", $"must be a finite number >= 0, got {Budget}.");
        UpliftOptionException.Check(Explore is >= 0 and <= 1, "explore", $"must be in [0, 1], got {Explore}.");
        UpliftOptionException.Check(ExploreTreated is >= 0 and <= 1, "explore-treated", $"must be in [0, 1], got {ExploreTreated}.");
        UpliftOptionException.Check(BootstrapReplicates is >= 100 and <= 100_000, "bootstrap", $"must be in [100, 100000], got {BootstrapReplicates}.");
        UpliftOptionException.Check(ConfidenceLevel > 0.5 && ConfidenceLevel < 1, "confidence", $"must be in (0.5, 1), got {ConfidenceLevel}.");
        UpliftOptionException.Check(MinArmUsers >= 2, "min-arm-users", $"must be at least 2, got {MinArmUsers}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", $"must be at least 1, got {MaxThreads}.");
    }
}

/// <summary>
/// A budget plan (METHOD.md section 9): treat the non-explore candidates scoring at or above <see cref="CutoffScore"/>,
/// plus the random explore treatment, with the expected incremental value and cost of doing so.
/// </summary>
/// <param name="Source">How the per-user effects were estimated.</param>
/// <param name="Budget">The budget B.</param>
/// <param name="Candidates">N, the number of candidates.</param>
/// <param name="Explore">Explore share epsilon.</param>
/// <param name="ExploreTreated">Treated share rho within explore.</param>
/// <param name="AboveCutoff">k, candidates scoring at or above the cut-off (explore or not).</param>
/// <param name="CutoffScore">The k-th highest candidate score; null when k = 0 (no exploit).</param>
/// <param name="ExpectedExploitUsers">(1 - epsilon) k: the non-explore candidates above the cut-off.</param>
/// <param name="ExpectedExploreTreated">N epsilon rho.</param>
/// <param name="ExploitValuePerUser">Estimated incremental value per treated user above the cut-off (ATE_v of the top group).</param>
/// <param name="ExploitCostPerUser">Estimated incremental cost per treated user above the cut-off (ATE_c of the top group);
/// the expected cost per exploit user that <c>uplift assign</c> uses.</param>
/// <param name="ExploreValuePerUser">Estimated incremental value per random user (ATE_v of everyone).</param>
/// <param name="ExploreCostPerUser">Estimated incremental cost per random user (ATE_c of everyone).</param>
/// <param name="IncrementalValue">Expected incremental value of the campaign: explore treatment + exploit.</param>
/// <param name="IncrementalValueCi">Bootstrap interval of <paramref name="IncrementalValue"/> (null for model effects).</param>
/// <param name="IncrementalCost">Expected incremental cost of the campaign (at most the budget).</param>
/// <param name="IncrementalCostCi">Bootstrap interval of <paramref name="IncrementalCost"/> (null for model effects).</param>
/// <param name="RatioVsRandom">Value of the exploit spend over the value of the same spend on random users:
/// (ATE_v / ATE_c of the top group) / (ATE_v / ATE_c of everyone); the readout's slope_exploit / slope_explore is its online check.</param>
/// <param name="RatioVsRandomCi">Bootstrap interval of the ratio (null for model effects).</param>
/// <param name="EvaluationUsers">Users of the evaluation set (0 for model effects).</param>
/// <param name="EvaluationUsersAboveCutoff">Evaluation users scoring at or above the cut-off (0 for model effects).</param>
/// <param name="ConfidenceLevel">Level of the intervals.</param>
/// <param name="InvalidReplicates">Bootstrap replicates left out (a top group without a treated or control user).</param>
/// <param name="Warnings">What may make the plan unreliable.</param>
public sealed record PlanResult(
    PlanEffectSource Source,
    double Budget,
    int Candidates,
    double Explore,
    double ExploreTreated,
    int AboveCutoff,
    double? CutoffScore,
    double ExpectedExploitUsers,
    double ExpectedExploreTreated,
    double ExploitValuePerUser,
    double ExploitCostPerUser,
    double ExploreValuePerUser,
    double ExploreCostPerUser,
    double IncrementalValue,
    Interval? IncrementalValueCi,
    double IncrementalCost,
    Interval? IncrementalCostCi,
    double RatioVsRandom,
    Interval? RatioVsRandomCi,
    int EvaluationUsers,
    int EvaluationUsersAboveCutoff,
    double ConfidenceLevel,
    int InvalidReplicates,
    IReadOnlyList<string> Warnings)
{
    /// <summary>Share of all candidates treated (explore treatment + exploit).</summary>
    public double ShareTreated => Candidates == 0 ? 0 : (ExpectedExploitUsers + ExpectedExploreTreated) / Candidates;

    /// <summary>True when the budget limits the campaign (some candidate is left below the cut-off); false when every
    /// candidate fits, i.e. the budget is at least the expected cost of treating everyone and cannot be spent.</summary>
    public bool BudgetBinding => AboveCutoff < Candidates;

    /// <summary>Budget minus the expected incremental cost (what the plan leaves unspent).</summary>
    public double UnspentBudget => Budget - IncrementalCost;

    /// <summary>The column names the plan was made with (null when not recorded).</summary>
    public PlanColumns? Columns { get; init; }

    /// <summary>The source's name in the plan file and in --json: evaluation-data, validation-curve or model-effects.</summary>
    public static string SourceName(PlanEffectSource s) => s switch
    {
        PlanEffectSource.EvaluationData => "evaluation-data",
        PlanEffectSource.ValidationCurve => "validation-curve",
        PlanEffectSource.ModelEffects => "model-effects",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    static string SourceLine(PlanEffectSource s, int evalUsers, int above) => s switch
    {
        PlanEffectSource.EvaluationData => string.Create(CultureInfo.InvariantCulture,
            $"effects estimated on {evalUsers:N0} evaluation users ({above:N0} above the cut-off)"),
        PlanEffectSource.ValidationCurve => string.Create(CultureInfo.InvariantCulture,
            $"effects: the model's validation cost curve ({evalUsers:N0} validation users, about {above:N0} above the cut-off; no interval)"),
        _ => "effects: the model's own tau_v, tau_c estimates on the candidates (no interval)",
    };

    /// <summary>Human-readable lines for the CLI (the <see cref="Warnings"/> are not among them: the CLI prints them on
    /// standard error).</summary>
    public IReadOnlyList<string> ToLines()
    {
        var ci = CultureInfo.InvariantCulture;
        string Ci(Interval? i) => i is { } x ? string.Create(ci, $" ({ConfidenceLevel:P0} CI [{x.Low:G6}, {x.High:G6}])") : "";
        var lines = new List<string>
        {
            string.Create(ci, $"candidates: {Candidates:N0}; budget {Budget:G6}; explore {Explore:0.###} (treated share {ExploreTreated:0.###})"),
            SourceLine(Source, EvaluationUsers, EvaluationUsersAboveCutoff),
            string.Create(ci, $"cut-off score: {(CutoffScore is { } s ? s.ToString("G6", ci) : "none (no exploit)")}; {AboveCutoff:N0} candidates at or above it"),
            string.Create(ci, $"exploit: about {ExpectedExploitUsers:N0} users, per user value {ExploitValuePerUser:G4}, cost {ExploitCostPerUser:G4}"),
            string.Create(ci, $"explore treatment: about {ExpectedExploreTreated:N0} users, per user value {ExploreValuePerUser:G4}, cost {ExploreCostPerUser:G4}"),
            string.Create(ci, $"expected incremental value: {IncrementalValue:G6}{Ci(IncrementalValueCi)}"),
            string.Create(ci, $"expected incremental cost:  {IncrementalCost:G6}{Ci(IncrementalCostCi)}"),
            string.Create(ci, $"ratio against random targeting (exploit value per unit of cost / random): {RatioVsRandom:0.###}{Ci(RatioVsRandomCi)}"),
        };
        if (!BudgetBinding) lines.Add(string.Create(ci, $"budget not binding: every candidate fits, {UnspentBudget:G6} of the budget is left unspent"));
        return lines;
    }

    /// <summary>The plan as JSON (the plan file that <c>uplift assign --plan</c> and <c>uplift readout --plan</c> read).</summary>
    public JsonObject ToJson()
    {
        static JsonNode? I(Interval? i) => i is { } x && double.IsFinite(x.Low) && double.IsFinite(x.High) ? new JsonArray(x.Low, x.High) : null;
        static double? F(double x) => double.IsFinite(x) ? x : null; // JSON has no NaN: null stands for "undefined"
        return new JsonObject
        {
            ["format"] = "uplift-plan",
            ["source"] = SourceName(Source),
            ["budget"] = Budget,
            ["budget_binding"] = BudgetBinding,
            ["unspent_budget"] = F(UnspentBudget),
            ["candidates"] = Candidates,
            ["explore"] = Explore,
            ["explore_treated"] = ExploreTreated,
            ["above_cutoff"] = AboveCutoff,
            ["cutoff_score"] = CutoffScore,
            ["expected_exploit_users"] = ExpectedExploitUsers,
            ["expected_explore_treated"] = ExpectedExploreTreated,
            ["exploit_value_per_user"] = F(ExploitValuePerUser),
            ["exploit_cost_per_user"] = F(ExploitCostPerUser),
            ["explore_value_per_user"] = F(ExploreValuePerUser),
            ["explore_cost_per_user"] = F(ExploreCostPerUser),
            ["incremental_value"] = F(IncrementalValue),
            ["incremental_value_ci"] = I(IncrementalValueCi),
            ["incremental_cost"] = F(IncrementalCost),
            ["incremental_cost_ci"] = I(IncrementalCostCi),
            ["ratio_vs_random"] = F(RatioVsRandom),
            ["ratio_vs_random_ci"] = I(RatioVsRandomCi),
            ["evaluation_users"] = EvaluationUsers,
            ["evaluation_users_above_cutoff"] = EvaluationUsersAboveCutoff,
            ["confidence_level"] = ConfidenceLevel,
            ["invalid_replicates"] = InvalidReplicates,
            ["warnings"] = new JsonArray([.. Warnings.Select(w => (JsonNode)JsonValue.Create(w)!)]),
            ["columns"] = Columns?.ToJson(),
        };
    }

    /// <summary>Reads a plan written by <see cref="ToJson"/>.</summary>
    public static PlanResult FromJson(JsonObject o, string source = "plan")
    {
        try
        {
            if ((string?)o["format"] != "uplift-plan") throw new UpliftDataException("not a plan file (format is not 'uplift-plan').", source);
            static Interval? I(JsonNode? n) => n is JsonArray a ? new Interval((double)a[0]!, (double)a[1]!) : null;
            double D(string k) => o.ContainsKey(k) ? (double?)o[k] ?? double.NaN : throw new UpliftDataException($"the plan lacks '{k}'.", source);
            return new PlanResult(
                (string?)o["source"] switch
                {
                    "model-effects" => PlanEffectSource.ModelEffects,
                    "validation-curve" => PlanEffectSource.ValidationCurve,
                    _ => PlanEffectSource.EvaluationData,
                },
                D("budget"), (int)D("candidates"), D("explore"), D("explore_treated"), (int)D("above_cutoff"), (double?)o["cutoff_score"],
                D("expected_exploit_users"), D("expected_explore_treated"), D("exploit_value_per_user"), D("exploit_cost_per_user"),
                D("explore_value_per_user"), D("explore_cost_per_user"),
                D("incremental_value"), I(o["incremental_value_ci"]), D("incremental_cost"), I(o["incremental_cost_ci"]),
                D("ratio_vs_random"), I(o["ratio_vs_random_ci"]), (int)D("evaluation_users"), (int)D("evaluation_users_above_cutoff"),
                D("confidence_level"), (int)D("invalid_replicates"),
                (o["warnings"] as JsonArray)?.Select(w => (string?)w ?? "").ToArray() ?? [])
            { Columns = PlanColumns.FromJson(o["columns"], source) };
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidCastException)
        {
            throw new UpliftDataException($"the plan file is malformed: {e.Message}", source);
        }
    }
}

/// <summary>
/// Budget plan (METHOD.md section 9): which score cut-off spends the budget, and what it buys.
/// <para>Campaign shape (as <see cref="Assignment"/> builds it): of N candidates a random share epsilon is explore, of
/// which a share rho is treated; the other candidates scoring at or above the cut-off are exploit-treated.
/// With k candidates at or above the cut-off, the expected totals are</para>
/// <para>cost = N epsilon rho ATE_c(all) + (1 - epsilon) k ATE_c(top),  value likewise with ATE_v,</para>
/// <para>where ATE(top) is the incremental effect per treated user above the cut-off and ATE(all) that of a random user.</para>
/// <para>From evaluation data (<see cref="FromEvaluation"/>): ATE(top) = mean(V | s &gt;= cut-off, T=1) − mean(V | s &gt;= cut-off, T=0)
/// on evaluation users scored by the same model (the cost curve of the model at that cut-off), ATE(all) the plain
/// difference of means. The cut-off is a candidate score (the k-th highest), so the evaluation users "above it" are those
/// above the same score, not the same quantile. The plan takes the largest k whose expected cost fits the budget
/// (only cut-offs leaving <see cref="PlanOptions.MinArmUsers"/> per arm above them on the evaluation set are considered).
/// Intervals: percentile bootstrap over evaluation users, stratified by arm, at the chosen cut-off.</para>
/// <para>From the model's validation cost curve (<see cref="FromValidationCurve"/>, no evaluation data needed): the curve
/// holds, for 100 score cut-offs, the incremental value and cost per treated validation user scoring at or above each
/// (<see cref="ValidationCurvePoint.ValuePerTreated"/>, <see cref="ValidationCurvePoint.CostPerTreated"/>). The candidates
/// are mapped to it by score threshold, as with evaluation data: ATE(top) at a candidate cut-off score s is interpolated
/// linearly in the score between the two curve points whose cut-offs bracket s (above the highest cut-off: the top point;
/// below the lowest: everyone), and ATE(all) is the curve's last point. Cut-offs whose bracketing point above them has
/// fewer than <see cref="PlanOptions.MinArmUsers"/> treated or control validation users are not considered. No interval.</para>
/// <para>From model effects (<see cref="FromModelEffects"/>): ATE(top) = mean of the model's tau estimates over the
/// top k candidates, ATE(all) their mean over all candidates; no interval.</para>
/// <para>Every source warns when the budget does not bind (every candidate fits: the budget is at least the expected cost
/// of treating everyone, or the expected cost per treated user is not positive), and <see cref="PlanResult.BudgetBinding"/>
/// is then false.</para>
/// </summary>
public static class Plan
{
    /// <summary>Plan from an evaluation set with outcomes, scored by the same model as the candidates.</summary>
    public static PlanResult FromEvaluation(ReadOnlySpan<double> candidateScores, ReadOnlySpan<double> evalScores,
        ReadOnlySpan<byte> t, ReadOnlySpan<double> v, ReadOnlySpan<double> c, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = evalScores.Length, nCand = candidateScores.Length;
        if (t.Length != n || v.Length != n || c.Length != n)
            throw new UpliftDataException($"the evaluation set has {n} scores but {t.Length} treatments, {v.Length} values and {c.Length} costs.");
        CheckFinite(candidateScores, "candidate score");
        CheckFinite(evalScores, "evaluation score");
        CheckFinite(v, "value");
        CheckFinite(c, "cost");
        int n1 = 0;
        for (int i = 0; i < n; i++)
        {
            if (t[i] > 1) throw new UpliftDataException($"treatment is {t[i]}; it must be 0 or 1.", row: i + 1, column: "treatment");
            n1 += t[i];
        }
        if (n1 < options.MinArmUsers || n - n1 < options.MinArmUsers)
            throw new UpliftDataException($"the evaluation set needs at least {options.MinArmUsers} treated and {options.MinArmUsers} control users (has {n1} and {n - n1}).");

        // Evaluation users by score, descending, with prefix sums per arm: the top group of any cut-off is a prefix.
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var es = evalScores.ToArray();
        Array.Sort(order, (a, b) => es[b].CompareTo(es[a]) is var r && r != 0 ? r : a.CompareTo(b));
        var sorted = new double[n];
        var p = new Prefix(n);
        for (int j = 0; j < n; j++)
        {
            int i = order[j];
            sorted[j] = es[i];
            p.Add(j, t[i] == 1, v[i], c[i]);
        }
        var all = p.Effect(n);

        var cand = Descending(candidateScores);
        double exploreUsers = ExploreUsers(nCand, all, options);
        double exploreCost = exploreUsers * all.Cost;

        // Largest k whose expected cost fits (section 9: the threshold that spends the budget).
        int bestK = 0, bestM = 0;
        Effect top = default;
        for (int k = nCand; k >= 1; k--)
        {
            if (k < nCand && cand[k] == cand[k - 1]) continue; // a cut-off treats every candidate tied at it
            int m = CountAtLeast(sorted, cand[k - 1]);
            if (p.N1[m] < options.MinArmUsers || p.N0[m] < options.MinArmUsers) continue;
            var e = p.Effect(m);
            if (exploreCost + (1 - options.Explore) * k * e.Cost <= options.Budget) { bestK = k; bestM = m; top = e; break; }
        }
        var warnings = new List<string>();
        if (bestK == 0)
        {
            warnings.Add("no cut-off fits the budget with enough evaluation users above it: the plan is explore only.");
            top = all;
        }
        if (all.Cost <= 0) warnings.Add("the incremental cost of a random user is not positive on the evaluation set: the ratio against random has no clear sense.");

        double exploitUsers = (1 - options.Explore) * bestK;
        double value = exploreUsers * all.Value + exploitUsers * top.Value;
        double cost = exploreCost + exploitUsers * top.Cost;
        WarnIfNotBinding(warnings, bestK, nCand, options.Budget, cost, top.Cost);
        double ratio = Ratio(top, all);

        // Bootstrap over evaluation users, stratified by arm, at the chosen cut-off.
        int reps = options.BootstrapReplicates;
        var bv = new double[reps]; var bc = new double[reps]; var br = new double[reps];
        var tr = new List<int>(n1); var co = new List<int>(n - n1);
        for (int j = 0; j < n; j++) (t[order[j]] == 1 ? tr : co).Add(j); // positions in score order
        int[] trA = [.. tr], coA = [.. co];
        var vs = new double[n]; var cs = new double[n];
        for (int j = 0; j < n; j++) { vs[j] = v[order[j]]; cs[j] = c[order[j]]; }
        int cutM = bestK == 0 ? n : bestM;
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, reps, po, b =>
        {
            var rng = Rng.Derive(options.Seed, b);
            Sums allS = default, topS = default;
            foreach (var (arm, treated) in new[] { (trA, true), (coA, false) })
                for (int q = 0; q < arm.Length; q++)
                {
                    int j = arm[rng.NextInt(arm.Length)];
                    allS.Add(treated, vs[j], cs[j]);
                    if (j < cutM) topS.Add(treated, vs[j], cs[j]);
                }
            var ea = allS.Effect();
            var et = topS.Effect();
            bv[b] = exploreUsers * ea.Value + exploitUsers * et.Value;
            bc[b] = exploreUsers * ea.Cost + exploitUsers * et.Cost;
            br[b] = Ratio(et, ea);
        });
        var valueCi = Readout.PercentileInterval(bv, options.ConfidenceLevel, out int inv1);
        var costCi = Readout.PercentileInterval(bc, options.ConfidenceLevel, out int inv2);
        var ratioCi = Readout.PercentileInterval(br, options.ConfidenceLevel, out _);
        int invalid = Math.Max(inv1, inv2);
        if (invalid > 0) warnings.Add($"{invalid} of {reps} bootstrap replicates had an empty arm above the cut-off and were left out.");
        if (bestK > 0 && bestM < 200)
            warnings.Add($"only {bestM} evaluation users score above the cut-off: the per-user effects there are noisy.");

        return new PlanResult(PlanEffectSource.EvaluationData, options.Budget, nCand, options.Explore, options.ExploreTreated,
            bestK, bestK == 0 ? null : cand[bestK - 1], exploitUsers, exploreUsers, top.Value, top.Cost, all.Value, all.Cost,
            value, valueCi, cost, costCi, ratio, ratioCi, n, bestK == 0 ? 0 : bestM, options.ConfidenceLevel, invalid, warnings);
    }

    /// <summary>Plan from the model's own effect estimates tau_v(x), tau_c(x) on the candidates (no evaluation data, no interval).</summary>
    public static PlanResult FromModelEffects(ReadOnlySpan<double> candidateScores, ReadOnlySpan<double> tauV,
        ReadOnlySpan<double> tauC, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = candidateScores.Length;
        if (tauV.Length != n || tauC.Length != n)
            throw new UpliftDataException($"{n} candidate scores but {tauV.Length} tau_v and {tauC.Length} tau_c estimates.");
        if (n == 0) throw new UpliftDataException("no candidates.");
        CheckFinite(candidateScores, "candidate score");
        CheckFinite(tauV, "tau_v");
        CheckFinite(tauC, "tau_c");
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        var s = candidateScores.ToArray();
        Array.Sort(order, (a, b) => s[b].CompareTo(s[a]) is var r && r != 0 ? r : a.CompareTo(b));
        var sv = new double[n + 1]; var sc = new double[n + 1];
        for (int j = 0; j < n; j++) { sv[j + 1] = sv[j] + tauV[order[j]]; sc[j + 1] = sc[j] + tauC[order[j]]; }
        var all = new Effect(sv[n] / n, sc[n] / n);
        double exploreUsers = ExploreUsers(n, all, options);
        double exploreCost = exploreUsers * all.Cost;
        int bestK = 0;
        for (int k = n; k >= 1; k--)
        {
            if (k < n && s[order[k]] == s[order[k - 1]]) continue;
            if (exploreCost + (1 - options.Explore) * sc[k] <= options.Budget) { bestK = k; break; }
        }
        var warnings = new List<string>();
        var top = bestK == 0 ? all : new Effect(sv[bestK] / bestK, sc[bestK] / bestK);
        if (bestK == 0) warnings.Add("no cut-off fits the budget: the plan is explore only.");
        warnings.Add("the model's own effect estimates carry no interval; plan with --eval data for bootstrap intervals.");
        double exploitUsers = (1 - options.Explore) * bestK;
        WarnIfNotBinding(warnings, bestK, n, options.Budget, exploreCost + exploitUsers * top.Cost, top.Cost);
        return new PlanResult(PlanEffectSource.ModelEffects, options.Budget, n, options.Explore, options.ExploreTreated,
            bestK, bestK == 0 ? null : s[order[bestK - 1]], exploitUsers, exploreUsers, top.Value, top.Cost, all.Value, all.Cost,
            exploreUsers * all.Value + exploitUsers * top.Value, null, exploreCost + exploitUsers * top.Cost, null,
            Ratio(top, all), null, 0, 0, options.ConfidenceLevel, 0, warnings);
    }

    /// <summary>Plan from the model's cost curve on its validation users (kept in the model file by <c>uplift train</c>):
    /// no evaluation data, no interval. The candidates are mapped to the curve by score threshold (see the class summary).</summary>
    public static PlanResult FromValidationCurve(ReadOnlySpan<double> candidateScores, ValidationCurve curve, PlanOptions options)
    {
        ArgumentNullException.ThrowIfNull(curve);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = candidateScores.Length;
        if (n == 0) throw new UpliftDataException("no candidates.");
        CheckFinite(candidateScores, "candidate score");
        var pts = curve.Points;
        var last = pts[^1];
        if (last.Treated < options.MinArmUsers || last.Control < options.MinArmUsers)
            throw new UpliftDataException($"the model's validation curve has {last.Treated} treated and {last.Control} control users; planning needs at least " +
                $"{options.MinArmUsers} of each: give --eval data (held-out users with treatment, value and cost).");
        var all = new Effect(last.ValuePerTreated, last.CostPerTreated);
        var cand = Descending(candidateScores);
        double exploreUsers = ExploreUsers(n, all, options);
        double exploreCost = exploreUsers * all.Cost;

        int bestK = 0;
        Effect top = all;
        double aboveUsers = 0;
        for (int k = n; k >= 1; k--)
        {
            if (k < n && cand[k] == cand[k - 1]) continue; // a cut-off treats every candidate tied at it
            if (AtScore(pts, cand[k - 1], options.MinArmUsers) is not { } at) continue;
            if (exploreCost + (1 - options.Explore) * k * at.Effect.Cost <= options.Budget) { bestK = k; top = at.Effect; aboveUsers = at.Users; break; }
        }
        var warnings = new List<string>();
        if (bestK == 0) warnings.Add("no cut-off fits the budget with enough validation users above it: the plan is explore only.");
        warnings.Add(string.Create(CultureInfo.InvariantCulture, $"priced by the model's validation cost curve ({curve.Users:N0} validation users, no interval)") +
            "; they also took part in fitting the model (restarts, stopping), so its effects above the cut-off may be optimistic: " +
            "plan with --eval held-out data for bootstrap intervals.");
        if (all.Cost <= 0) warnings.Add("the incremental cost of a random user is not positive on the validation users: the ratio against random has no clear sense.");
        double exploitUsers = (1 - options.Explore) * bestK;
        double cost = exploreCost + exploitUsers * top.Cost;
        WarnIfNotBinding(warnings, bestK, n, options.Budget, cost, top.Cost);
        return new PlanResult(PlanEffectSource.ValidationCurve, options.Budget, n, options.Explore, options.ExploreTreated,
            bestK, bestK == 0 ? null : cand[bestK - 1], exploitUsers, exploreUsers, top.Value, top.Cost, all.Value, all.Cost,
            exploreUsers * all.Value + exploitUsers * top.Value, null, cost, null,
            Ratio(top, all), null, curve.Users, bestK == 0 ? 0 : (int)Math.Round(aboveUsers), options.ConfidenceLevel, 0, warnings);
    }

    /// <summary>Per-treated effects of the validation users scoring at or above <paramref name="s"/>, interpolated linearly
    /// in the score between the bracketing curve points, and their (interpolated) number; null when the point above
    /// <paramref name="s"/> has fewer than <paramref name="minArm"/> users in an arm.</summary>
    static (Effect Effect, double Users)? AtScore(IReadOnlyList<ValidationCurvePoint> pts, double s, int minArm)
    {
        // j = the last point whose cut-off is >= s (its users all score >= s); j + 1 has a cut-off below s.
        int lo = 0, hi = pts.Count;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (pts[mid].Cutoff >= s) lo = mid + 1; else hi = mid;
        }
        int j = lo - 1;
        var a = pts[Math.Max(j, 0)];
        if (a.Treated < minArm || a.Control < minArm) return null;
        if (j < 0 || j == pts.Count - 1 || a.Cutoff == s) return (new Effect(a.ValuePerTreated, a.CostPerTreated), a.K);
        var b = pts[j + 1];
        double w = (a.Cutoff - s) / (a.Cutoff - b.Cutoff); // in (0, 1]: 0 at a's cut-off, 1 at b's
        return (new Effect(a.ValuePerTreated + w * (b.ValuePerTreated - a.ValuePerTreated), a.CostPerTreated + w * (b.CostPerTreated - a.CostPerTreated)),
            a.K + w * (b.K - a.K));
    }

    /// <summary>Adds the warning that the budget does not bind when every candidate fits (the plan's k is N).</summary>
    static void WarnIfNotBinding(List<string> warnings, int bestK, int candidates, double budget, double cost, double exploitCostPerUser)
    {
        if (candidates == 0 || bestK < candidates) return;
        var ci = CultureInfo.InvariantCulture;
        if (exploitCostPerUser <= 0)
            warnings.Add(string.Create(ci, $"the expected incremental cost per treated user is not positive ({exploitCostPerUser:G4}): the budget does not limit the campaign, every candidate is treated (expected cost {cost:G6}, budget {budget:G6})."));
        else if (budget - cost > 1e-9 * Math.Max(1, Math.Abs(budget)))
            warnings.Add(string.Create(ci, $"the budget {budget:G6} cannot be spent: treating every candidate has expected cost {cost:G6}, so {budget - cost:G6} is left unspent."));
    }

    /// <summary>Value of a unit of cost spent on the top group over that of a random user (section 9's slope comparison).</summary>
    static double Ratio(Effect top, Effect all) => top.Value / top.Cost / (all.Value / all.Cost);

    /// <summary>Per-user incremental value and cost (difference of means treated − control).</summary>
    readonly record struct Effect(double Value, double Cost);

    struct Sums
    {
        double _v1, _c1, _v0, _c0; int _n1, _n0;
        public void Add(bool treated, double v, double c)
        {
            if (treated) { _v1 += v; _c1 += c; _n1++; } else { _v0 += v; _c0 += c; _n0++; }
        }
        public readonly Effect Effect() => _n1 == 0 || _n0 == 0
            ? new Effect(double.NaN, double.NaN)
            : new Effect(_v1 / _n1 - _v0 / _n0, _c1 / _n1 - _c0 / _n0);
    }

    /// <summary>Prefix sums per arm over users in score order: entry m covers the first m users.</summary>
    sealed class Prefix(int n)
    {
        public readonly int[] N1 = new int[n + 1], N0 = new int[n + 1];
        readonly double[] _v1 = new double[n + 1], _c1 = new double[n + 1], _v0 = new double[n + 1], _c0 = new double[n + 1];
        public void Add(int j, bool treated, double v, double c)
        {
            N1[j + 1] = N1[j] + (treated ? 1 : 0); N0[j + 1] = N0[j] + (treated ? 0 : 1);
            _v1[j + 1] = _v1[j] + (treated ? v : 0); _c1[j + 1] = _c1[j] + (treated ? c : 0);
            _v0[j + 1] = _v0[j] + (treated ? 0 : v); _c0[j + 1] = _c0[j] + (treated ? 0 : c);
        }
        /// <summary>Difference of means over the first m users (section 9: ATE of the top group).</summary>
        public Effect Effect(int m) => new(_v1[m] / N1[m] - _v0[m] / N0[m], _c1[m] / N1[m] - _c0[m] / N0[m]);
    }

    /// <summary>Number of entries of <paramref name="descending"/> that are &gt;= <paramref name="x"/>.</summary>
    static int CountAtLeast(double[] descending, double x)
    {
        int lo = 0, hi = descending.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (descending[mid] >= x) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The candidates' scores, highest first.</summary>
    static double[] Descending(ReadOnlySpan<double> scores)
    {
        var d = scores.ToArray();
        Array.Sort(d);
        Array.Reverse(d);
        return d;
    }

    /// <summary>Expected treated users of the explore group; refused when their expected cost alone is above the budget.</summary>
    static double ExploreUsers(int candidates, Effect all, PlanOptions options)
    {
        double users = candidates * options.Explore * options.ExploreTreated;
        double cost = users * all.Cost;
        if (cost > options.Budget)
            throw new UpliftOptionException("budget", string.Create(CultureInfo.InvariantCulture,
                $"the explore treatment alone has expected cost {cost:G6}, above the budget {options.Budget:G6}; lower the explore share or raise the budget."));
        return users;
    }

    static void CheckFinite(ReadOnlySpan<double> a, string what)
    {
        for (int i = 0; i < a.Length; i++)
            if (!double.IsFinite(a[i])) throw new UpliftDataException($"{what} is {a[i]}; it must be finite.", row: i + 1);
    }
}
