using FsCheck.Xunit;
using Uplift.Allocation;
using Uplift.Evaluation;
using Uplift.Models;
using Uplift.Tests.Allocation;
using Xunit;

namespace Uplift.Tests.Evaluation;

public class MultiArmCostCurveTests
{
    /// <summary>A randomized campaign with K arms of unequal shares and the models' (noisy) estimates of the effects.</summary>
    static (byte[] T, double[] V, double[] C, double[] EstV, double[] EstC, double[] Share) MultiArm(int n, int k, long seed, double estNoise = 0.3)
    {
        var rng = TestRng.Tagged(seed, 53);
        var t = new byte[n]; var v = new double[n]; var c = new double[n];
        var ev = new double[n * k]; var ec = new double[n * k];
        var share = new double[k + 1];
        for (int i = 0; i < n; i++)
        {
            double u = rng.NextDouble(), w = 0.5 + rng.NextDouble();
            double r = rng.NextDouble();
            int arm = r < 0.4 ? 0 : 1 + (int)((r - 0.4) / 0.6 * k * (1 + (r - 0.4))) % k; // unequal shares
            t[i] = (byte)arm;
            share[arm]++;
            double tv = 0, tc = 0;
            for (int a = 1; a <= k; a++)
            {
                double av = u * Math.Sqrt(a) - 0.1, ac = w * a * a * 0.3;
                if (a == arm) { tv = av; tc = ac; }
                ev[(i * k) + a - 1] = av + estNoise * rng.NextNormal();
                ec[(i * k) + a - 1] = ac + estNoise * rng.NextNormal();
            }
            v[i] = 2 + tv + rng.NextNormal();
            c[i] = 1 + tc + 0.5 * rng.NextNormal();
        }
        for (int a = 0; a <= k; a++) share[a] /= n;
        return (t, v, c, ev, ec, share);
    }

    static void AssertSame(CostCurveResult a, CostCurveResult b)
    {
        Assert.Equal(a.X, b.X); Assert.Equal(a.Y, b.Y); Assert.Equal(a.K, b.K); Assert.Equal(a.Perc, b.Perc);
        Assert.Equal(a.Vpu, b.Vpu); Assert.Equal(a.Cpu, b.Cpu); Assert.Equal(a.Iv, b.Iv); Assert.Equal(a.Ic, b.Ic);
        Assert.Equal((a.Aucc, a.N, a.Segments, a.Grid, a.SkippedPoints, a.V0, a.C0), (b.Aucc, b.N, b.Segments, b.Grid, b.SkippedPoints, b.V0, b.C0));
    }

    [Property(MaxTest = 60)]
    public void WithOneArmTheCurveIsSectionSixBitForBit(int seed, int segments, byte policy)
    {
        int n = 200 + Math.Abs(seed % 300);
        var (_, t, v, c) = EvalData.Campaign(n, seed, noise: 1);
        var (ev, ec) = BudgetPathTests.RandomBinary(n, seed);
        var options = new CostCurveOptions
        {
            Segments = 1 + Math.Abs(segments % 40),
            Grid = (policy & 1) == 0 ? CostCurveGrid.EndsAtN : CostCurveGrid.Authors,
            Ties = (CostCurveTies)((policy >> 1) % 3),
            EmptyGroup = (policy & 8) == 0 ? CostCurveEmptyGroup.Skip : CostCurveEmptyGroup.WholeSetArmMean,
            TieSeed = seed,
        };
        var score = new double[n];
        EffectRatio.Guarded(ev, ec, score);
        var path = BudgetPath.Build(ev, ec, n, 1);
        CostCurveResult? expected = null, actual = null;
        Exception? e1 = null, e2 = null;
        try { expected = CostCurve.Compute(score, t, v, c, options); } catch (UpliftException e) { e1 = e; }
        try { actual = MultiArmCostCurve.Compute(path, t, v, c, options: options); } catch (UpliftException e) { e2 = e; }
        Assert.Equal(e1?.GetType(), e2?.GetType());
        if (expected is not null) AssertSame(expected, actual!);
    }

    [Fact]
    public void WithOneArmTheDefaultCurveIsSectionSixs()
    {
        int n = 5000;
        var (_, t, v, c) = EvalData.Campaign(n, 12, noise: 1);
        var (ev, ec) = BudgetPathTests.RandomBinary(n, 12);
        var score = new double[n];
        EffectRatio.Guarded(ev, ec, score);
        var expected = CostCurve.Compute(score, t, v, c);
        AssertSame(expected, MultiArmCostCurve.Compute(BudgetPath.Build(ev, ec, n, 1), t, v, c));
        Assert.InRange(expected.Aucc, 0.3, 0.7); // random estimates: near the diagonal, but a real curve
    }

    [Fact]
    public void WithOneArmTheBootstrapIsSectionSixsBootstrap()
    {
        int n = 1500;
        var (_, t, v, c) = EvalData.Campaign(n, 4, noise: 1);
        var (ev, ec) = BudgetPathTests.RandomBinary(n, 4);
        var score = new double[n];
        EffectRatio.Guarded(ev, ec, score);
        var o = new BootstrapOptions { Replicates = 30, Seed = 9 };
        var one = Bootstrap.Aucc(score, t, v, c, o);
        var multi = MultiArmBootstrap.Aucc(BudgetPath.Build(ev, ec, n, 1), t, v, c, options: o);
        Assert.Equal(one.Values, multi.Values);
        Assert.Equal(one.Estimate, multi.Estimate);
    }

    /// <summary>The class formula written out for one prefix of the evaluated path (the path's points; the tail after them is not written out).</summary>
    static double[] ReferenceVpu(BudgetPath path, byte[] t, double[] v, double[] c, bool cost)
    {
        int n = t.Length, k = path.Arms;
        var y = cost ? c : v;
        var steps = Enumerable.Range(0, path.Count).Select(j => (path[j].User, path[j].To)).ToList();
        var arm = new int[n];
        var wholeMean = Enumerable.Range(0, k + 1).Select(a => Enumerable.Range(0, n).Where(i => t[i] == a).Average(i => y[i])).ToArray();
        return [.. steps.Select(s =>
        {
            arm[s.User] = s.To;
            double nTr = arm.Count(a => a != 0), perc = nTr / n, vpu = 0;
            bool full = perc > 0.99;
            for (int a = 1; a <= k; a++)
            {
                int size = arm.Count(x => x == a);
                if (size == 0) continue;
                var obs = Enumerable.Range(0, n).Where(i => arm[i] == a && t[i] == a).ToArray();
                double m = obs.Length == 0 ? wholeMean[a] : obs.Average(i => y[i]);
                vpu += (full ? size / nTr : (double)size / n) * m;
            }
            if (!full)
            {
                var obs0 = Enumerable.Range(0, n).Where(i => arm[i] == 0 && t[i] == 0).ToArray();
                vpu += (1 - perc) * (obs0.Length == 0 ? wholeMean[0] : obs0.Average(i => y[i]));
            }
            return vpu;
        })];
    }

    [Fact]
    public void SeveralArmsFollowTheFormulaAtEveryPointOfThePath()
    {
        int n = 300, k = 3;
        var (t, v, c, ev, ec, _) = MultiArm(n, k, 7);
        var path = BudgetPath.Build(ev, ec, n, k);
        var o = new CostCurveOptions { Segments = 1_000_000, Ties = CostCurveTies.RowOrder, EmptyGroup = CostCurveEmptyGroup.WholeSetArmMean };
        var r = MultiArmCostCurve.Compute(path, t, v, c, options: o);
        var refV = ReferenceVpu(path, t, v, c, cost: false);
        var refC = ReferenceVpu(path, t, v, c, cost: true);
        Assert.True(path.Count > n / 2);
        for (int j = 0; j < path.Count; j++)
        {
            Assert.Equal(j + 1, r.K[j]);
            Assert.Equal(refV[j], r.Vpu[j], 10);
            Assert.Equal(refC[j], r.Cpu[j], 10);
        }
        Assert.Equal(1.0, r.Perc[^1]); // the tail treats everyone at the end
        Assert.InRange(r.Aucc, 0.5, 1);
    }

    [Fact]
    public void ConstantPropensitiesEqualTheArmShares()
    {
        int n = 2000, k = 2;
        var (t, v, c, ev, ec, share) = MultiArm(n, k, 8);
        var path = BudgetPath.Build(ev, ec, n, k);
        var plain = MultiArmCostCurve.Compute(path, t, v, c);
        var weighted = MultiArmCostCurve.Compute(path, t, v, c, t.Select(a => share[a]).ToArray());
        Assert.Equal(plain.Aucc, weighted.Aucc, 12);
        for (int j = 0; j < plain.Vpu.Length; j++) Assert.Equal(plain.Vpu[j], weighted.Vpu[j], 10);
        // a better model beats a worse one on average
        var noisy = BudgetPath.Build(ev.Select((x, i) => x + 3 * TestRng.Tagged(i, 1).NextNormal()).ToArray(), ec, n, k);
        Assert.True(plain.Aucc > MultiArmCostCurve.Aucc(noisy, t, v, c));
    }

    [Fact]
    public void ValueAtBudgetsAndTheEstimate()
    {
        int n = 3000, k = 3;
        var (t, v, c, ev, ec, _) = MultiArm(n, k, 9);
        var path = BudgetPath.Build(ev, ec, n, k);
        var at = MultiArmCostCurve.ValueAtBudgets(path, t, v, c);
        Assert.Equal([0.25, 0.5, 1.0], at.Select(b => b.Share));
        Assert.Equal(path.FullCost, at[2].Budget);
        Assert.Equal(path.FullValue, at[2].PlannedValue, 9);
        foreach (var b in at) { Assert.True(b.PlannedCost <= b.Budget); Assert.Equal(n, b.ArmCounts.Sum()); }
        Assert.True(at[0].ArmCounts[0] > at[2].ArmCounts[0]);
        Assert.True(at[0].Value < at[2].Value);
        // treat everyone with arm 1: the difference in means times N
        var all = Enumerable.Repeat(1, n).ToArray();
        var est = MultiArmCostCurve.Estimate(all, k, t, v, c);
        double m1 = Enumerable.Range(0, n).Where(i => t[i] == 1).Average(i => v[i]), m0 = Enumerable.Range(0, n).Where(i => t[i] == 0).Average(i => v[i]);
        Assert.Equal(n * (m1 - m0), est.Value, 6);
        Assert.Equal(0, MultiArmCostCurve.Estimate(new int[n], k, t, v, c).Value, 9);
    }

    [Fact]
    public void BootstrapIsThreadIndependentAndPaired()
    {
        int n = 1500, k = 2;
        var (t, v, c, ev, ec, _) = MultiArm(n, k, 10);
        var a = BudgetPath.Build(ev, ec, n, k);
        var b = BudgetPath.Build(ev.Select((x, i) => x + TestRng.Tagged(i, 2).NextNormal()).ToArray(), ec, n, k);
        var one = MultiArmBootstrap.AuccDifference(a, b, t, v, c, options: new BootstrapOptions { Replicates = 20, MaxThreads = 1 });
        var two = MultiArmBootstrap.AuccDifference(a, b, t, v, c, options: new BootstrapOptions { Replicates = 20, MaxThreads = 2 });
        Assert.Equal(one.Difference.Values, two.Difference.Values);
        Assert.Equal(one.A.Estimate, MultiArmCostCurve.Aucc(a, t, v, c));
        for (int r = 0; r < 20; r++) Assert.Equal(one.A.Values[r] - one.B.Values[r], one.Difference.Values[r]);
        Assert.Equal(one.A.Values, MultiArmBootstrap.Aucc(a, t, v, c, options: new BootstrapOptions { Replicates = 20 }).Values);
    }

    [Fact]
    public void PolicyValueBootstrapIsThreadIndependentAndPaired()
    {
        int n = 2000, k = 3;
        var (t, v, c, ev, ec, _) = MultiArm(n, k, 13);
        var path = BudgetPath.Build(ev, ec, n, k);
        var plan = path.Assign(0.4 * path.FullCost).Arm;
        var single = Enumerable.Range(0, n).Select(i => plan[i] == 0 ? 0 : 1).ToArray(); // the same users, all on arm 1
        var o1 = new BootstrapOptions { Replicates = 25, Seed = 3, MaxThreads = 1 };
        var one = MultiArmBootstrap.PolicyValue(plan, single, k, t, v, c, options: o1);
        var two = MultiArmBootstrap.PolicyValue(plan, single, k, t, v, c, options: o1 with { MaxThreads = 2 });
        Assert.Equal(one.Cost.Values, two.Cost.Values);
        Assert.Equal(one.ValueDifference!.Values, two.ValueDifference!.Values);
        var est = MultiArmCostCurve.Estimate(plan, k, t, v, c);
        Assert.Equal(est.Value, one.Value.Estimate);
        Assert.True(one.Cost.Lower <= est.Cost && est.Cost <= one.Cost.Upper);
        var alone = MultiArmBootstrap.PolicyValue(plan, default, k, t, v, c, options: o1);
        Assert.Null(alone.ValueDifference);
        Assert.Equal(one.Value.Values, alone.Value.Values);
    }

    [Fact]
    public void BadInputsAreRefused()
    {
        int n = 200, k = 2;
        var (t, v, c, ev, ec, _) = MultiArm(n, k, 11);
        var path = BudgetPath.Build(ev, ec, n, k);
        var noArm2 = t.Select(x => x == 2 ? (byte)1 : x).ToArray();
        Assert.Contains("arm 2", Assert.Throws<UpliftDataException>(() => MultiArmCostCurve.Compute(path, noArm2, v, c)).Message);
        var bad = (byte[])t.Clone(); bad[5] = 3;
        Assert.Equal(6, Assert.Throws<UpliftDataException>(() => MultiArmCostCurve.Compute(path, bad, v, c)).Row);
        Assert.Throws<UpliftDataException>(() => MultiArmCostCurve.Compute(path, t, v, c, new double[n]));
        Assert.Throws<UpliftDataException>(() => MultiArmCostCurve.Compute(path, t[..10], v[..10], c[..10]));
    }
}
