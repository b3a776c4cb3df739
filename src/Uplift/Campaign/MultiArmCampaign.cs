using System.Globalization;
using System.Text.Json.Nodes;
using Uplift.Allocation;

namespace Uplift.Campaign;

/// <summary>Per-arm totals of a multi-arm campaign (simulated truth or read-out): users, incremental value and cost, with intervals when estimated.</summary>
public sealed record ArmOutcome(string Label, int ExploreUsers, int ExploitUsers, double Value, double Cost,
    double? ExploreAteV = null, double? ExploreAteC = null, double? ExploitAteV = null, double? ExploitAteC = null,
    Interval? ValueCi = null, Interval? CostCi = null);

/// <summary>Totals of a multi-arm campaign: per arm, in total, and the value per cost of the explore and the exploit users.</summary>
public sealed record MultiArmCampaignTotals(IReadOnlyList<ArmOutcome> Arms, double Value, double Cost, Interval? ValueCi, Interval? CostCi,
    double ExploreSlope, double ExploitSlope, IReadOnlyList<string> Warnings)
{
    /// <summary>Human-readable lines for the CLI (<paramref name="what"/>: "true" or "realised").</summary>
    public IReadOnlyList<string> ToLines(string what)
    {
        var ci = CultureInfo.InvariantCulture;
        static string Iv(Interval? i) => i is { } x ? string.Create(CultureInfo.InvariantCulture, $" [{x.Low:G6}, {x.High:G6}]") : "";
        static string N(double? x) => x is { } y ? y.ToString("G4", CultureInfo.InvariantCulture) : "n/a";
        var lines = new List<string>();
        foreach (var a in Arms)
        {
            lines.Add(string.Create(ci, $"arm {a.Label}: explore {a.ExploreUsers:N0}, exploit {a.ExploitUsers:N0}; {what} value {a.Value:G6}{Iv(a.ValueCi)}, cost {a.Cost:G6}{Iv(a.CostCi)}"));
            if (a.ExploreAteV is not null || a.ExploitAteV is not null)
                lines.Add($"  ATE vs control: explore value {N(a.ExploreAteV)} cost {N(a.ExploreAteC)}; exploit value {N(a.ExploitAteV)} cost {N(a.ExploitAteC)}");
        }
        lines.Add(string.Create(ci, $"{what} incremental value {Value:G6}{Iv(ValueCi)}, {what} incremental cost {Cost:G6}{Iv(CostCi)}"));
        lines.Add(string.Create(ci, $"{what} value per cost: explore {ExploreSlope:G4}, exploit {ExploitSlope:G4}"));
        foreach (var w in Warnings) lines.Add("warning: " + w);
        return lines;
    }
}

/// <summary>What <c>assign --plan</c> takes from a multi-arm plan file (<see cref="MultiArmPlanResult.ToJson"/>, written by
/// <c>uplift plan --out</c>): the budget and explore share it was made for, the candidates it priced, its prefix of the
/// candidates' budget path (<see cref="Upgrades"/>, <see cref="CutoffSlope"/>), the arm labels and the expected value and cost.</summary>
public sealed record MultiArmPlanTerms(double Budget, double Explore, int Candidates, int Upgrades, double? CutoffSlope,
    IReadOnlyList<string> Arms, string ControlLabel, double? Value, double? Cost)
{
    /// <summary>Reads the terms of a multi-arm plan's JSON; a missing or mistyped field is an error naming it and <paramref name="source"/>.</summary>
    public static MultiArmPlanTerms FromJson(JsonObject o, string source = "plan")
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o["arms"] is not JsonArray arms || o["upgrades"] is null)
            throw new UpliftDataException("not a multi-arm plan file (from 'uplift plan --out' on a model of several arms).", source);
        double? Num(string key, bool required = true)
        {
            var n = o[key];
            if (n is null && !required) return null;
            try { return n is JsonValue v && v.TryGetValue<double>(out double x) && double.IsFinite(x) ? x : throw new FormatException(); }
            catch (Exception e) when (e is FormatException or InvalidOperationException)
            { throw new UpliftDataException($"field '{key}' must be a finite number.", source); }
        }
        string Text(JsonNode? n, string key) => n is JsonValue v && v.TryGetValue<string>(out var t) && t.Length > 0 ? t
            : throw new UpliftDataException($"field '{key}' must be a non-empty text.", source);
        double upgrades = Num("upgrades")!.Value, candidates = Num("candidates")!.Value;
        if (upgrades < 0 || upgrades != Math.Floor(upgrades) || upgrades > int.MaxValue) throw new UpliftDataException("field 'upgrades' must be a whole number >= 0.", source);
        if (candidates < 1 || candidates != Math.Floor(candidates) || candidates > int.MaxValue) throw new UpliftDataException("field 'candidates' must be a whole number >= 1.", source);
        var labels = arms.Select((a, i) => Text(a?["label"], $"arms[{i}].label")).ToList();
        return new MultiArmPlanTerms(Num("budget")!.Value, Num("explore")!.Value, (int)candidates, (int)upgrades, Num("cutoff_slope", required: false),
            labels, Text(o["control_label"], "control_label"), Num("incremental_value", required: false), Num("incremental_cost", required: false));
    }
}

/// <summary>
/// A campaign with several arms (METHOD.md sections 9 and 10): assignment along the budget path, outcomes simulated from the
/// truth, and the read-out per arm.
/// </summary>
public static class MultiArmCampaign
{
    /// <summary>
    /// The assignment: a random explore group (<see cref="Assignment.Draws"/>: u1 &lt; explore, as for one arm), split
    /// equally across control and the K arms by the second draw (arm floor(u2 (K + 1)), 0 = control); every other
    /// candidate gets its arm after the first <paramref name="upgrades"/> upgrades of <paramref name="path"/> (the plan's
    /// prefix: <see cref="MultiArmPlanResult.Upgrades"/>), exploit-treated when it is an arm, untreated otherwise. Every
    /// user also carries its path arm (<see cref="AssignedUser.PolicyArm"/>), so the read-out knows the exploit region of
    /// each arm among the explore controls. Stateless per user: same seed and id, same explore draw.
    /// </summary>
    public static List<AssignedUser> Assign(IReadOnlyList<string> ids, ReadOnlySpan<double> scores, BudgetPath path, int upgrades,
        IReadOnlyList<string> labels, string controlLabel, double explore, long seed)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labels);
        UpliftOptionException.Check(explore is >= 0 and <= 1, "explore", $"must be in [0, 1], got {explore}.");
        int n = ids.Count, k = labels.Count;
        if (scores.Length != n || path.Users != n) throw new UpliftDataException($"{n} ids but {scores.Length} scores and {path.Users} users on the path.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            if (string.IsNullOrEmpty(ids[i])) throw new UpliftDataException("empty user id.", row: i + 1, column: "id");
            if (!seen.Add(ids[i])) throw new UpliftDataException($"duplicate user id '{ids[i]}'.", row: i + 1, column: "id");
        }
        string Label(int a) => a == 0 ? controlLabel : labels[a - 1];
        var policy = path.AssignPrefix(upgrades).Arm;
        var users = new List<AssignedUser>(n);
        for (int i = 0; i < n; i++)
        {
            var (u1, u2) = Assignment.Draws(seed, ids[i]);
            if (u1 < explore)
            {
                int a = Math.Min((int)(u2 * (k + 1)), k);
                users.Add(new AssignedUser(ids[i], scores[i], a == 0 ? CampaignGroup.ExploreControl : CampaignGroup.ExploreTreatment, Label(a), Label(policy[i])));
            }
            else
                users.Add(new AssignedUser(ids[i], scores[i], policy[i] == 0 ? CampaignGroup.Untreated : CampaignGroup.ExploitTreated,
                    Label(policy[i]), Label(policy[i])));
        }
        return users;
    }

    /// <summary>
    /// The prefix of <paramref name="path"/> (the candidates' budget path) that a plan file fixed: its
    /// <see cref="MultiArmPlanTerms.Upgrades"/>, after checking that the plan was made for these candidates and this model
    /// (the same number of candidates, the same arms and control label, the same slope at the cut-off), so that the
    /// assignment spends what the plan priced. A mismatch is an error saying to plan for these candidates.
    /// </summary>
    public static int PlanPrefix(MultiArmPlanTerms plan, BudgetPath path, IReadOnlyList<string> labels, string controlLabel, string source = "plan")
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(labels);
        const string Again = "make the plan for these candidates and this model ('uplift plan --model M --data CANDIDATES --out PLAN').";
        if (!plan.Arms.SequenceEqual(labels, StringComparer.OrdinalIgnoreCase) || !string.Equals(plan.ControlLabel, controlLabel, StringComparison.OrdinalIgnoreCase))
            throw new UpliftDataException($"the plan's arms ({string.Join(", ", plan.Arms)}; control '{plan.ControlLabel}') differ from the model's ({string.Join(", ", labels)}; control '{controlLabel}'): {Again}", source);
        if (plan.Candidates != path.Users)
            throw new UpliftDataException(FormattableString.Invariant($"the plan was made for {plan.Candidates:N0} candidates, the data has {path.Users:N0}: {Again}"), source);
        if (plan.Upgrades > path.Count)
            throw new UpliftDataException(FormattableString.Invariant($"the plan takes {plan.Upgrades:N0} upgrades, the candidates' budget path has {path.Count:N0}: {Again}"), source);
        if (plan.Upgrades > 0)
        {
            double s = path[plan.Upgrades - 1].Slope;
            if (plan.CutoffSlope is not { } p || Math.Abs(s - p) > 1e-9 * Math.Max(1, Math.Abs(p)))
                throw new UpliftDataException(FormattableString.Invariant($"the plan's cut-off slope {plan.CutoffSlope:G6} is not the slope {s:G6} of upgrade {plan.Upgrades:N0} of the candidates' path: {Again}"), source);
        }
        return plan.Upgrades;
    }

    /// <summary>
    /// Outcomes under the assigned arms from the known truth (additive effects, as <see cref="OutcomeSimulator"/> for one arm):
    /// V_A = V − tau_v,T + tau_v,A, likewise C (tau_·,0 = 0), with T the simulated arm; true value and cost per arm and in total.
    /// <paramref name="tauV"/>/<paramref name="tauC"/> are the truth's row-major n x K effects, <paramref name="t"/> its arms 0..K.
    /// </summary>
    public static (UserOutcome[] Outcomes, MultiArmCampaignTotals Truth) Simulate(IReadOnlyList<AssignedUser> assignments, string[] truthIds,
        byte[] t, double[] v, double[] c, double[] tauV, double[] tauC, IReadOnlyList<string> labels, string controlLabel)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        int n = truthIds.Length, k = labels.Count;
        var row = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
            if (!row.TryAdd(truthIds[i], i)) throw new UpliftDataException($"duplicate user id '{truthIds[i]}' in the truth.", row: i + 1, column: "id");
        var outcomes = new UserOutcome[assignments.Count];
        var ev = new double[k + 1]; var ec = new double[k + 1]; var xv = new double[k + 1]; var xc = new double[k + 1];
        var en = new int[k + 1]; var xn = new int[k + 1];
        for (int q = 0; q < assignments.Count; q++)
        {
            var u = assignments[q];
            if (!row.TryGetValue(u.Id, out int i)) throw new UpliftDataException($"user '{u.Id}' of the assignments is not in the truth file.", row: q + 1, column: "id");
            int a = ArmIndex(u.Arm, labels, controlLabel, q);
            double TV(int arm) => arm == 0 ? 0 : tauV[i * k + arm - 1];
            double TC(int arm) => arm == 0 ? 0 : tauC[i * k + arm - 1];
            outcomes[q] = new UserOutcome(u.Id, v[i] - TV(t[i]) + TV(a), c[i] - TC(t[i]) + TC(a));
            if (a == 0) continue;
            if (u.Group == CampaignGroup.ExploreTreatment) { en[a]++; ev[a] += TV(a); ec[a] += TC(a); }
            else { xn[a]++; xv[a] += TV(a); xc[a] += TC(a); }
        }
        var arms = Enumerable.Range(1, k).Select(a => new ArmOutcome(labels[a - 1], en[a], xn[a], ev[a] + xv[a], ec[a] + xc[a])).ToList();
        return (outcomes, new MultiArmCampaignTotals(arms, arms.Sum(a => a.Value), arms.Sum(a => a.Cost), null, null,
            ev.Sum() / ec.Sum(), xv.Sum() / xc.Sum(), []));
    }

    /// <summary>Arm index (0 = control) of a label of the assignment file.</summary>
    internal static int ArmIndex(string? label, IReadOnlyList<string> labels, string controlLabel, int row)
    {
        if (label is null) throw new UpliftDataException("the assignment file has no arm column: it is a binary campaign.", row: row + 1, column: CampaignFiles.ArmColumn);
        if (string.Equals(label, controlLabel, StringComparison.OrdinalIgnoreCase)) return 0;
        for (int a = 0; a < labels.Count; a++) if (string.Equals(label, labels[a], StringComparison.OrdinalIgnoreCase)) return a + 1;
        throw new UpliftDataException($"unknown arm '{label}' (arms: {string.Join(", ", labels)}; control '{controlLabel}').", row: row + 1, column: CampaignFiles.ArmColumn);
    }
}
