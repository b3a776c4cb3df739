using System.Globalization;

namespace Uplift.Campaign;

/// <summary>
/// The known truth of a synthetic candidate file (as <c>uplift simulate</c> writes it): each user's id, the treatment T
/// the simulation happened to give, the observed V and C under it, and the true effects tau_v, tau_c.
/// </summary>
public sealed record CampaignTruth(string[] Ids, byte[] T, double[] V, double[] C, double[] TauV, double[] TauC);

/// <summary>Outcomes of a campaign simulated from the known truth, and the truth's own totals.</summary>
/// <param name="Outcomes">One per assigned user, in assignment order.</param>
/// <param name="TrueIncrementalValue">Sum of tau_v over the users the campaign treats: what it really buys.</param>
/// <param name="TrueIncrementalCost">Sum of tau_c over the users the campaign treats: what it really spends.</param>
/// <param name="TrueExploreSlope">Sum tau_v / sum tau_c over the explore-treatment users (NaN when empty).</param>
/// <param name="TrueExploitSlope">Sum tau_v / sum tau_c over the exploit users (NaN when empty).</param>
public sealed record SimulatedOutcomes(IReadOnlyList<UserOutcome> Outcomes, double TrueIncrementalValue, double TrueIncrementalCost,
    double TrueExploreSlope, double TrueExploitSlope)
{
    /// <summary>Human-readable lines for the CLI.</summary>
    public IReadOnlyList<string> ToLines()
    {
        var ci = CultureInfo.InvariantCulture;
        return
        [
            string.Create(ci, $"simulated outcomes of {Outcomes.Count:N0} users from the known truth"),
            string.Create(ci, $"true incremental value {TrueIncrementalValue:G6}, true incremental cost {TrueIncrementalCost:G6}"),
            string.Create(ci, $"true slope sum tau_v / sum tau_c: explore {TrueExploreSlope:G4}, exploit {TrueExploitSlope:G4}"),
        ];
    }
}

/// <summary>
/// Simulates a campaign's outcomes with the known truth, for end-to-end checks on synthetic data (METHOD.md section 9).
/// <para>The synthetic outcomes are additive in the treatment (V = mu_v(x) + T tau_v(x) + noise, likewise C), so the
/// outcome of a user under the assigned treatment A follows exactly from the simulated one by swapping the treatment:</para>
/// <para>V_A = V − T tau_v + A tau_v,  C_A = C − T tau_c + A tau_c,</para>
/// <para>with A = 1 for explore-treatment and exploit-treated users, 0 otherwise. The noise is the simulation's own (no new
/// random draw), so the result is deterministic.</para>
/// </summary>
public static class OutcomeSimulator
{
    public static SimulatedOutcomes Simulate(IReadOnlyList<AssignedUser> assignments, CampaignTruth truth)
    {
        ArgumentNullException.ThrowIfNull(assignments);
        ArgumentNullException.ThrowIfNull(truth);
        int n = truth.Ids.Length;
        if (truth.T.Length != n || truth.V.Length != n || truth.C.Length != n || truth.TauV.Length != n || truth.TauC.Length != n)
            throw new UpliftDataException("the truth columns differ in length.");
        var row = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            if (string.IsNullOrEmpty(truth.Ids[i])) throw new UpliftDataException("empty user id in the truth.", row: i + 1, column: "id");
            if (!row.TryAdd(truth.Ids[i], i)) throw new UpliftDataException($"duplicate user id '{truth.Ids[i]}' in the truth.", row: i + 1, column: "id");
        }
        var outcomes = new UserOutcome[assignments.Count];
        double value = 0, cost = 0, eV = 0, eC = 0, xV = 0, xC = 0;
        for (int k = 0; k < assignments.Count; k++)
        {
            var a = assignments[k];
            if (!row.TryGetValue(a.Id, out int i))
                throw new UpliftDataException($"user '{a.Id}' of the assignments is not in the truth file.", row: k + 1, column: "id");
            int assigned = CampaignFiles.IsTreated(a.Group) ? 1 : 0;
            double tv = truth.TauV[i], tc = truth.TauC[i];
            // Swap the simulated treatment for the assigned one (additive effects).
            outcomes[k] = new UserOutcome(a.Id, truth.V[i] + (assigned - truth.T[i]) * tv, truth.C[i] + (assigned - truth.T[i]) * tc);
            if (assigned == 1) { value += tv; cost += tc; }
            if (a.Group == CampaignGroup.ExploreTreatment) { eV += tv; eC += tc; }
            if (a.Group == CampaignGroup.ExploitTreated) { xV += tv; xC += tc; }
        }
        return new SimulatedOutcomes(outcomes, value, cost, eC == 0 ? double.NaN : eV / eC, xC == 0 ? double.NaN : xV / xC);
    }
}
