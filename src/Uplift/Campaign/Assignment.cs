using System.Buffers;
using System.Globalization;
using System.Text;

namespace Uplift.Campaign;

/// <summary>The group of one candidate in a campaign (METHOD.md section 9).</summary>
public enum CampaignGroup
{
    /// <summary>Random explore group, treated.</summary>
    ExploreTreatment,
    /// <summary>Random explore group, not treated (the randomized control).</summary>
    ExploreControl,
    /// <summary>Targeted by the model: top scores among the non-explore candidates, within the budget.</summary>
    ExploitTreated,
    /// <summary>Not explore and below the exploit cut-off: not treated.</summary>
    Untreated,
}

/// <summary>One candidate and its group: the row of an assignment file. With several arms, <paramref name="Arm"/> is the
/// label the user gets (the control label when untreated) and <paramref name="PolicyArm"/> the label the budget path gives
/// it, explore or not (the read-out's exploit region per arm); both null in a binary campaign.</summary>
public readonly record struct AssignedUser(string Id, double Score, CampaignGroup Group, string? Arm = null, string? PolicyArm = null);

/// <summary>Options of <see cref="Assignment.Assign(IReadOnlyList{string}, ReadOnlySpan{double}, ReadOnlySpan{double}, AssignmentOptions)"/>.</summary>
public sealed record AssignmentOptions
{
    /// <summary>Budget B in cost units: expected incremental cost of the explore treatment plus the exploit group. Required, &gt;= 0.</summary>
    public required double Budget { get; init; }
    /// <summary>Share of candidates drawn into the random explore group; default 0.1, in [0, 1].</summary>
    public double Explore { get; init; } = 0.1;
    /// <summary>Share of the explore group that is treated; default 0.5, in [0, 1].</summary>
    public double ExploreTreated { get; init; } = 0.5;
    /// <summary>Seed of the explore draws; default 1. Same seed and id, same draws.</summary>
    public long Seed { get; init; } = 1;

    internal void Validate()
    {
        UpliftOptionException.Check(double.IsFinite(Budget) && Budget >= 0, "Budget", $"must be a finite number >= 0, got {Budget}.");
        UpliftOptionException.Check(Explore >= 0 && Explore <= 1, "Explore", $"must be in [0, 1], got {Explore}.");
        UpliftOptionException.Check(ExploreTreated >= 0 && ExploreTreated <= 1, "ExploreTreated", $"must be in [0, 1], got {ExploreTreated}.");
    }
}

/// <summary>The assignment of every candidate (in input order) and its totals.</summary>
/// <param name="Users">One entry per candidate, in input order.</param>
/// <param name="Budget">The budget B used.</param>
/// <param name="ExploreTreatmentCount">Users in the explore treatment.</param>
/// <param name="ExploreControlCount">Users in the explore control.</param>
/// <param name="ExploitCount">Users targeted by the model.</param>
/// <param name="UntreatedCount">Users left untreated.</param>
/// <param name="ExploreTreatmentCost">Sum of expected incremental cost over the explore-treatment users.</param>
/// <param name="ExploitCost">Sum of expected incremental cost over the exploit users.</param>
/// <param name="ExploitThreshold">Score of the last (lowest-ranked) exploit user; null when exploit is empty.</param>
/// <param name="StoppedByBudget">True when a non-explore candidate was left out because it would exceed the budget
/// (false when every non-explore candidate fit).</param>
public sealed record AssignmentResult(
    IReadOnlyList<AssignedUser> Users,
    double Budget,
    int ExploreTreatmentCount,
    int ExploreControlCount,
    int ExploitCount,
    int UntreatedCount,
    double ExploreTreatmentCost,
    double ExploitCost,
    double? ExploitThreshold,
    bool StoppedByBudget)
{
    /// <summary>Human-readable lines for the CLI.</summary>
    public IReadOnlyList<string> ToLines()
    {
        var ci = CultureInfo.InvariantCulture;
        return
        [
            string.Create(ci, $"candidates: {Users.Count:N0}"),
            string.Create(ci, $"explore treatment: {ExploreTreatmentCount:N0} (expected cost {ExploreTreatmentCost:G6})"),
            string.Create(ci, $"explore control: {ExploreControlCount:N0}"),
            string.Create(ci, $"exploit treated: {ExploitCount:N0} (expected cost {ExploitCost:G6}, score cut-off {(ExploitThreshold is { } t ? t.ToString("G6", ci) : "none")})"),
            string.Create(ci, $"untreated: {UntreatedCount:N0}"),
            string.Create(ci, $"budget {Budget:G6}, expected cost used {ExploreTreatmentCost + ExploitCost:G6}{(StoppedByBudget ? "" : " (every candidate fit)")}"),
        ];
    }
}

/// <summary>
/// Campaign assignment (METHOD.md section 9): a random explore group, itself split treatment / control,
/// and an exploit group targeted by the model within the budget.
/// <para>Explore draws are a pure function of (seed, user id): the id's UTF-8 bytes are hashed with
/// FNV-1a 64 (<see cref="IdHash"/>), mixed with the seed's keys of the streams <see cref="RngStream.ExploreDraw"/>
/// and <see cref="RngStream.ExploreArmDraw"/> (<see cref="Rng.Key"/>) through <see cref="Rng.Hash"/>, and mapped to two
/// independent uniforms in [0, 1) (<see cref="Draws"/>). u1 &lt; Explore puts the user in explore; u2 &lt;
/// ExploreTreated then makes it explore-treatment. So a user keeps its explore group across reruns with the
/// same seed, whatever the row order and whatever the other candidates.</para>
/// <para>Budget: the explore treatment's expected cost is taken first (an error if it alone exceeds B).
/// What is left goes to exploit: the non-explore candidates in decreasing score (ties: ordinal id order),
/// added while the running expected cost stays within the budget; the first candidate that would exceed it
/// stops the exploit group (a score cut-off, as deployments use; later cheaper users are not back-filled).
/// Sums run in that canonical order, so results do not depend on the input order.</para>
/// <para>Explore is a share of candidates (not of the budget): its budget share follows from the explore
/// treatment's expected cost, which <see cref="AssignmentResult.ExploreTreatmentCost"/> reports.</para>
/// </summary>
public static class Assignment
{
    /// <summary>Assignment with one expected incremental cost per treated user, the same for all.</summary>
    public static AssignmentResult Assign(IReadOnlyList<string> ids, ReadOnlySpan<double> scores, double costPerTreated,
        AssignmentOptions options)
    {
        UpliftOptionException.Check(double.IsFinite(costPerTreated), "costPerTreated", $"must be finite, got {costPerTreated}.");
        var costs = new double[ids.Count];
        Array.Fill(costs, costPerTreated);
        return Assign(ids, scores, costs, options);
    }

    /// <summary>Assignment with a per-user expected incremental cost if treated (e.g. the model's tau_c).</summary>
    public static AssignmentResult Assign(IReadOnlyList<string> ids, ReadOnlySpan<double> scores,
        ReadOnlySpan<double> expectedCostPerTreated, AssignmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = ids.Count;
        if (scores.Length != n) throw new UpliftDataException($"{n} ids but {scores.Length} scores.");
        if (expectedCostPerTreated.Length != n) throw new UpliftDataException($"{n} ids but {expectedCostPerTreated.Length} expected costs.");

        var seen = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            string? id = ids[i];
            if (string.IsNullOrEmpty(id)) throw new UpliftDataException("empty user id.", row: i + 1, column: "id");
            if (!seen.TryAdd(id, i))
                throw new UpliftDataException($"duplicate user id '{id}' (also at row {seen[id] + 1}).", row: i + 1, column: "id");
            if (!double.IsFinite(scores[i])) throw new UpliftDataException($"score is {scores[i]}; scores must be finite.", row: i + 1, column: "score");
            if (!double.IsFinite(expectedCostPerTreated[i]))
                throw new UpliftDataException($"expected cost is {expectedCostPerTreated[i]}; it must be finite.", row: i + 1, column: "cost");
        }

        var groups = new CampaignGroup[n];
        for (int i = 0; i < n; i++)
        {
            var (uExplore, uArm) = Draws(options.Seed, ids[i]);
            groups[i] = uExplore < options.Explore
                ? (uArm < options.ExploreTreated ? CampaignGroup.ExploreTreatment : CampaignGroup.ExploreControl)
                : CampaignGroup.Untreated;
        }

        var order = CanonicalOrder(ids, scores);
        double exploreCost = 0;
        foreach (int i in order) if (groups[i] == CampaignGroup.ExploreTreatment) exploreCost += expectedCostPerTreated[i];
        if (exploreCost > options.Budget)
            throw new UpliftOptionException("Budget",
                string.Create(CultureInfo.InvariantCulture,
                    $"the explore treatment alone has expected cost {exploreCost:G6}, above the budget {options.Budget:G6}; lower Explore or ExploreTreated, or raise the budget."));

        double left = options.Budget - exploreCost, exploitCost = 0;
        double? threshold = null;
        bool stopped = false;
        foreach (int i in order)
        {
            if (groups[i] != CampaignGroup.Untreated) continue;
            double next = exploitCost + expectedCostPerTreated[i];
            if (next > left) { stopped = true; break; }
            exploitCost = next;
            groups[i] = CampaignGroup.ExploitTreated;
            threshold = scores[i];
        }

        var users = new AssignedUser[n];
        int et = 0, ec = 0, xt = 0, un = 0;
        for (int i = 0; i < n; i++)
        {
            users[i] = new AssignedUser(ids[i], scores[i], groups[i]);
            switch (groups[i])
            {
                case CampaignGroup.ExploreTreatment: et++; break;
                case CampaignGroup.ExploreControl: ec++; break;
                case CampaignGroup.ExploitTreated: xt++; break;
                default: un++; break;
            }
        }
        return new AssignmentResult(users, options.Budget, et, ec, xt, un, exploreCost, exploitCost, threshold, stopped);
    }

    /// <summary>Indices sorted by score descending, ties by ordinal id (the order every sum and cut-off uses).</summary>
    internal static int[] CanonicalOrder(IReadOnlyList<string> ids, ReadOnlySpan<double> scores)
    {
        var order = new int[ids.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        var s = scores.ToArray();
        Array.Sort(order, (a, b) => RankCompare(s[a], ids[a], s[b], ids[b]));
        return order;
    }

    /// <summary>Negative when (scoreA, idA) ranks before (scoreB, idB): higher score first, then ordinal id.</summary>
    internal static int RankCompare(double scoreA, string idA, double scoreB, string idB)
    {
        int c = scoreB.CompareTo(scoreA);
        return c != 0 ? c : string.CompareOrdinal(idA, idB);
    }

    /// <summary>The two explore uniforms in [0, 1) of user <paramref name="id"/> under <paramref name="seed"/>:
    /// the first decides explore, the second treatment within explore.</summary>
    public static (double Explore, double Treat) Draws(long seed, string id)
    {
        ulong h = IdHash(id);
        return (ToUnit(Rng.Hash(Rng.Hash(h ^ Rng.Key(seed, RngStream.ExploreDraw)))),
                ToUnit(Rng.Hash(Rng.Hash(h ^ Rng.Key(seed, RngStream.ExploreArmDraw)))));
    }

    static double ToUnit(ulong h) => (h >> 11) * (1.0 / (1UL << 53));

    /// <summary>FNV-1a 64 of the id's UTF-8 bytes: stable across processes and platforms (unlike string.GetHashCode).</summary>
    public static ulong IdHash(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        int len = Encoding.UTF8.GetByteCount(id);
        byte[]? rented = null;
        Span<byte> bytes = len <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(len));
        bytes = bytes[..Encoding.UTF8.GetBytes(id, bytes)];
        ulong h = 0xCBF29CE484222325UL;
        foreach (byte b in bytes) { h ^= b; h *= 0x100000001B3UL; }
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return h;
    }
}
