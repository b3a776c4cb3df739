using System.Diagnostics;
using FsCheck.Xunit;
using Uplift.Allocation;
using Uplift.Models;
using Xunit;

namespace Uplift.Tests.Allocation;

public class BudgetPathTests
{
    const double Eps = 1e-5;

    /// <summary>Row-major n x K effects from per-user rows of (tau_c, tau_v) pairs.</summary>
    static (double[] V, double[] C) Effects(params (double C, double V)[][] users)
    {
        int k = users[0].Length;
        var v = new double[users.Length * k]; var c = new double[users.Length * k];
        for (int i = 0; i < users.Length; i++)
            for (int a = 0; a < k; a++) { c[i * k + a] = users[i][a].C; v[i * k + a] = users[i][a].V; }
        return (v, c);
    }

    static Upgrade[] All(BudgetPath p) => Enumerable.Range(0, p.Count).Select(j => p[j]).ToArray();

    [Fact]
    public void DominatedArmIsDropped()
    {
        // arm 2 costs more than arm 1 and buys less: dominated. Hull: control -> arm 1 -> arm 3.
        var (v, c) = Effects([(1, 2), (2, 1.5), (3, 4)]);
        var up = All(BudgetPath.Build(v, c, 1, 3));
        Assert.Equal(2, up.Length);
        Assert.Equal(new Upgrade(0, 0, 1, 2, 1, 2 / (1 + Eps)), up[0]);
        Assert.Equal(new Upgrade(0, 1, 3, 2, 2, 1.0), up[1]);
    }

    [Fact]
    public void NonConvexMiddleArmIsDropped()
    {
        // arm 2 (2, 2.5) lies below the line from arm 1 (1, 2) to arm 3 (3, 4): slopes 0.5 then 1.5, so it goes.
        var (v, c) = Effects([(1, 2), (2, 2.5), (3, 4)]);
        var up = All(BudgetPath.Build(v, c, 1, 3));
        Assert.Equal([1, 3], up.Select(u => u.To));
        Assert.Equal([0, 1], up.Select(u => u.From));
        Assert.Equal(1.0, up[1].Slope);
        // collinear middle arm (2, 3) on the line (1, 2) -> (3, 4): dropped too (tie rule)
        (v, c) = Effects([(1, 2), (2, 3), (3, 4)]);
        Assert.Equal([1, 3], All(BudgetPath.Build(v, c, 1, 3)).Select(u => u.To));
    }

    [Fact]
    public void NonPositiveValueArmsAreDroppedAndUsersWithoutOneNeverAppear()
    {
        var (v, c) = Effects([(1, 0), (0.5, -1)], [(-1, -2), (2, 0)], [(1, 1), (0.1, -3)]);
        var up = All(BudgetPath.Build(v, c, 3, 2));
        Assert.Single(up);
        Assert.Equal(new Upgrade(2, 0, 1, 1, 1, 1 / (1 + Eps)), up[0]);
        Assert.Equal(0, BudgetPath.Build(v, c, 3, 2).AssignPrefix(0).Arm.Sum());
    }

    [Fact]
    public void ArmsThatSaveCostComeFirstAndBookTheirRealCost()
    {
        // user 0: a costly arm with a high slope; user 1: an arm that saves cost (-1) then a costly upgrade.
        var (v, c) = Effects([(0.5, 50), (4, 60)], [(-1, 0.5), (2, 3)]);
        var path = BudgetPath.Build(v, c, 2, 2);
        var up = All(path);
        Assert.Equal(new Upgrade(1, 0, 1, 0.5, -1, 0.5 / Eps), up[0]); // slope 0.5 / eps = 50000: first
        Assert.Equal(new Upgrade(0, 0, 1, 50, 0.5, 50 / (0.5 + Eps)), up[1]);
        Assert.Equal(new Upgrade(0, 1, 2, 10, 3.5, 10 / 3.5), up[2]);
        Assert.Equal(new Upgrade(1, 1, 2, 2.5, 3, 2.5 / 2), up[3]); // slope from relu cost 0; real cost 2 - (-1)
        Assert.Equal(new[] { 0, 1 }, path.Assign(-0.6).Arm); // the saving arm fits a negative budget; the next (+0.5) would not
    }

    [Fact]
    public void BudgetWalkIsExact()
    {
        // three users, two arms; slopes: u0 0->1 10/(1+e), 1->2 (13-10)/(3-1) = 1.5; u1 0->2 only (arm 1 dominated) 4/(2+e) ~ 2;
        // u2 0->1 1/(1+e), 1->2 (1.2-1)/(1.4-1) = 0.5.
        var (v, c) = Effects([(1, 10), (3, 13)], [(2.5, 3), (2, 4)], [(1, 1), (1.4, 1.2)]);
        var path = BudgetPath.Build(v, c, 3, 2);
        var up = All(path);
        Assert.Equal([(0, 0, 1), (1, 0, 2), (0, 1, 2), (2, 0, 1), (2, 1, 2)], up.Select(u => (u.User, u.From, u.To)));
        var (pc, pv) = path.Points();
        Assert.Equal([1, 3, 5, 6, 6.4], pc.Select(x => Math.Round(x, 12)));
        Assert.Equal([10, 14, 17, 18, 18.2], pv.Select(x => Math.Round(x, 12)));
        Assert.Equal(6.4, path.FullCost, 12);

        var a = path.Assign(4.0); // 1 + 2 = 3 fits; + 2 would make 5 > 4: stop before it
        Assert.Equal([1, 2, 0], a.Arm);
        Assert.Equal((3.0, 14.0, 2), (a.Cost, a.Value, a.Upgrades));
        var cross = path.Assign(4.0, takeCrossing: true);
        Assert.Equal([2, 2, 0], cross.Arm);
        Assert.Equal((5.0, 17.0, 3), (cross.Cost, cross.Value, cross.Upgrades));
        Assert.Equal([0, 0, 0], path.Assign(0.5).Arm);
        Assert.Equal([2, 2, 2], path.Assign(100).Arm);
        Assert.Equal(path.Assign(6.0).Arm, path.AssignPrefix(4).Arm);
    }

    [Fact]
    public void TiesAreBrokenByUserIndex()
    {
        var (v, c) = Effects([(1, 2)], [(2, 4)], [(1, 2)], [(1, 2)]);
        // users 0, 2, 3 tie exactly (2 / (1 + eps)); user 1 has 4 / (2 + eps), a hair higher
        Assert.Equal([1, 0, 2, 3], All(BudgetPath.Build(v, c, 4, 1)).Select(u => u.User));
    }

    [Fact]
    public void EpsilonIsTheGuardedRatiosDefault() => Assert.Equal(EffectRatio.DefaultEpsilon, BudgetPathOptions.Default.Epsilon);

    /// <summary>Random K = 1 effects with ties, zero and negative costs and values.</summary>
    internal static (double[] V, double[] C) RandomBinary(int n, long seed)
    {
        var rng = TestRng.Tagged(seed, 41);
        var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = Math.Round(rng.NextDouble() * 8 - 2) / 4;       // coarse: ties; about a quarter <= 0
            c[i] = rng.NextDouble() < 0.1 ? -rng.NextDouble() : (rng.NextDouble() < 0.1 ? 0 : Math.Round(rng.NextDouble() * 12) / 4 + 1e-6 * rng.NextDouble());
        }
        return (v, c);
    }

    [Property(MaxTest = 60)]
    public bool WithOneArmTheOrderIsTheGuardedRatioRanking(int seed)
    {
        int n = 300;
        var (v, c) = RandomBinary(n, seed);
        var path = BudgetPath.Build(v, c, n, 1);
        var g = new double[n];
        EffectRatio.Guarded(v, c, g);
        var expected = Enumerable.Range(0, n).Where(i => v[i] > 0).OrderByDescending(i => g[i]).ThenBy(i => i).ToArray();
        var up = All(path);
        return up.Select(u => u.User).SequenceEqual(expected) && up.All(u => u.Slope == g[u.User] && u.Dv == v[u.User] && u.Dc == c[u.User]);
    }

    [Fact]
    public void SlopesDecreaseWithinEachUserAndTheWalkIsSortedAndTheOracleValueAddsUp()
    {
        int n = 2000, k = 4;
        var rng = TestRng.Tagged(3, 43);
        var v = new double[n * k]; var c = new double[n * k];
        for (int i = 0; i < n * k; i++) { v[i] = rng.NextDouble() * 3 - 0.5; c[i] = rng.NextDouble() * 2 - 0.2; }
        var path = BudgetPath.Build(v, c, n, k);
        var up = All(path);
        for (int j = 1; j < up.Length; j++)
            Assert.True(up[j].Slope < up[j - 1].Slope || (up[j].Slope == up[j - 1].Slope && up[j].User > up[j - 1].User));
        foreach (var g in up.GroupBy(u => u.User))
        {
            var chain = g.ToArray();
            Assert.Equal(0, chain[0].From);
            for (int j = 1; j < chain.Length; j++) { Assert.Equal(chain[j - 1].To, chain[j].From); Assert.True(chain[j].Slope < chain[j - 1].Slope); }
        }
        // the truth of an assignment = the sum of its arms' effects, so the path's own bookkeeping adds up
        foreach (double share in new[] { 0.1, 0.5, 1.0 })
        {
            var a = path.Assign(share * path.FullCost);
            var truth = Policy.TruePolicyValue(a.Arm, v, c);
            Assert.Equal(a.Value, truth.Value, 9);
            Assert.Equal(a.Cost, truth.Cost, 9);
            Assert.True(a.Cost <= share * path.FullCost);
        }
        Assert.Equal(new PolicyTotals(0, 0), Policy.TruePolicyValue(new int[n], v, c));
        var half = path.Assign(0.5 * path.FullCost);
        var split = Policy.PerArm(half.Arm, v, c);
        Assert.Equal(n, split.Sum(s => s.Users));
        Assert.Equal(half.Value, split.Sum(s => s.Value), 9);
        Assert.Equal(half.Cost, split.Sum(s => s.Cost), 9);
        Assert.Equal((0, 0.0, 0.0), (split[0].Arm, split[0].Value, split[0].Cost));
    }

    [Fact]
    public void BadEffectsAreRefusedWithTheUserAndArm()
    {
        var ex = Assert.Throws<UpliftDataException>(() => BudgetPath.Build([1, 2, double.NaN, 1], [1, 1, 1, 1], 2, 2));
        Assert.Equal(2, ex.Row);
        Assert.Equal("tau_v,1", ex.Column);
        Assert.Throws<UpliftOptionException>(() => BudgetPath.Build([1], [1], 1, 1, new BudgetPathOptions { Epsilon = 0 }));
        Assert.Throws<ArgumentException>(() => BudgetPath.Build([1, 2], [1], 1, 2));
    }

    /// <summary>The path is the reference construction: every user's hull segments (<see cref="Hull.Build"/>), Δv and Δc from
    /// the effects, sorted by slope descending, then user, then hull position, on random effects with ties and 1-4 arms.</summary>
    [Property(MaxTest = 60)]
    public bool PathIsTheSortedHullSegments(int seed)
    {
        var rng = TestRng.Tagged(seed, 61);
        int k = 1 + Math.Abs(seed % 4), n = 1 + Math.Abs(seed % 250);
        var v = new double[n * k]; var c = new double[n * k];
        for (int i = 0; i < n * k; i++)
        {
            v[i] = Math.Round(rng.NextDouble() * 8 - 2) / 2;
            c[i] = rng.NextDouble() < 0.1 ? -rng.NextDouble() : Math.Round(rng.NextDouble() * 6) / 2;
        }
        var expected = new List<(Upgrade U, int Pos)>();
        Span<int> ha = stackalloc int[k];
        Span<double> hs = stackalloc double[k], hc = stackalloc double[k], hv = stackalloc double[k];
        for (int u = 0; u < n; u++)
        {
            var uv = v.AsSpan(u * k, k); var uc = c.AsSpan(u * k, k);
            int h = Hull.Build(uv, uc, Eps, ha, hs, hc, hv);
            for (int j = 0; j < h; j++)
            {
                int from = j == 0 ? 0 : ha[j - 1], to = ha[j];
                expected.Add((new Upgrade(u, from, to, uv[to - 1] - (from == 0 ? 0.0 : uv[from - 1]), uc[to - 1] - (from == 0 ? 0.0 : uc[from - 1]), hs[j]), j));
            }
        }
        var want = expected.OrderByDescending(e => e.U.Slope).ThenBy(e => e.U.User).ThenBy(e => e.Pos).Select(e => e.U).ToArray();
        var path = BudgetPath.Build(v, c, n, k);
        return All(path).SequenceEqual(want) && path.FullCost == want.Sum(u => u.Dc);
    }

    [Fact]
    public void TwoHundredThousandUsersByThreeArmsBuildAndAssignQuickly()
    {
        int n = 200_000, k = 3;
        var (v, c) = ThreeArms(n, 5);
        var sw = Stopwatch.StartNew();
        var path = BudgetPath.Build(v, c, n, k);
        var a = path.Assign(0.3 * path.FullCost);
        sw.Stop();
        Assert.True(sw.Elapsed.TotalSeconds < 5, $"took {sw.Elapsed.TotalSeconds:F2} s");
        Assert.True(path.Count > n && path.Count < n * k);
        Assert.Contains(a.Arm, x => x == 3);
        var again = BudgetPath.Build(v, c, n, k);
        Assert.Equal(All(path), All(again));
    }

    /// <summary>Diminishing returns: arm k costs about k², buys about k (more or less by user).</summary>
    internal static (double[] V, double[] C) ThreeArms(int n, long seed)
    {
        var rng = TestRng.Tagged(seed, 47);
        var v = new double[n * 3]; var c = new double[n * 3];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble() * 2 - 0.3, w = 0.5 + rng.NextDouble();
            for (int a = 0; a < 3; a++)
            {
                v[i * 3 + a] = u * Math.Sqrt(a + 1) + 0.1 * rng.NextNormal();
                c[i * 3 + a] = w * (a + 1) * (a + 1) * 0.5 + 0.05 * rng.NextNormal();
            }
        }
        return (v, c);
    }
}
