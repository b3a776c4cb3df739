using System.Globalization;
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
