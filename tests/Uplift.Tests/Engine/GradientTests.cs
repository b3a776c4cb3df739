using Uplift.Data;
using Uplift.Engine;
using Uplift.Models.Ranking;
using Xunit;

namespace Uplift.Tests.Engine;

/// <summary>
/// The engine's exact gradient against central finite differences of an independent double-precision
/// reference of the loss (METHOD.md sections 2-4, written out naively here).
/// </summary>
public class GradientTests
{
    /// <summary>Reference loss: plain loops in double over the unpadded parameters.</summary>
    static double ReferenceLoss(Network net, double[] th, Dataset data, double sv, double sc, ObjectiveSpec spec,
        (double q, double t, double d1, double d0)? mask, out double[] scores)
    {
        int n = data.Rows, d = data.Features;
        scores = new double[n];
        var hidden = net.Hidden;
        for (int i = 0; i < n; i++)
        {
            var a = new double[d];
            for (int j = 0; j < d; j++) a[j] = data.X[i * d + j];
            int o = 0;
            foreach (int h in hidden)
            {
                var z = new double[h];
                for (int u = 0; u < h; u++) z[u] = th[o + a.Length * h + u];              // bias
                for (int k = 0; k < a.Length; k++)
                    for (int u = 0; u < h; u++) z[u] += a[k] * th[o + k * h + u];
                o += a.Length * h + h;
                a = z.Select(Math.Tanh).ToArray();
            }
            double f = th[o + a.Length];
            for (int k = 0; k < a.Length; k++) f += a[k] * th[o + k];
            scores[i] = Math.Tanh(f);
        }
        double eHat = (double)data.TreatedCount / n;
        double z1 = 0, z0 = 0, v1 = 0, v0 = 0, c1 = 0, c0 = 0;
        for (int i = 0; i < n; i++)
        {
            double s = scores[i];
            if (mask is { } m) s *= 1 / (1 + Math.Exp(-m.t * (s - (data.T[i] == 1 ? m.d1 : m.d0))));
            double e = Math.Exp(s) * (data.Weight?[i] ?? 1.0);
            double kappa = data.Propensity is null ? 1 : data.T[i] == 1 ? eHat / data.Propensity[i] : (1 - eHat) / (1 - data.Propensity[i]);
            double vi = kappa * data.V[i] / sv, ci = kappa * data.C[i] / sc;
            if (data.T[i] == 1) { z1 += e; v1 += e * vi; c1 += e * ci; } else { z0 += e; v0 += e * vi; c0 += e * ci; }
        }
        double tauV = v1 / z1 - v0 / z0, tauC = c1 / z1 - c0 / z0;
        static double Sp(double x) => Math.Log(1 + Math.Exp(x));
        double g = spec.Kind switch
        {
            Objective.Ratio => tauV / tauC,
            Objective.SoftplusRatio => Sp(tauV) / Sp(tauC),
            Objective.SmoothAbsRatio => tauV / ((Sp(40 * tauC) + Sp(-40 * tauC)) / 40),
            _ => tauV - spec.Lambda * tauC,
        };
        double pen = 0;
        var logicalIsWeight = WeightMask(net);
        for (int j = 0; j < th.Length; j++)
            if (logicalIsWeight[j]) pen += spec.L1 * Math.Abs(th[j]) + spec.L2 * th[j] * th[j];
        return -g + pen;
    }

    static bool[] WeightMask(Network net)
    {
        var ones = new float[net.ParameterCount];
        for (int j = 0; j < ones.Length; j++) ones[j] = net.IsWeight(j) ? 1 : 0;
        return net.ToLogical(ones).Select(v => v == 1).ToArray();
    }

    static (float[] engineGrad, double[] fdGrad, double engineLoss, double refLoss) Compare(
        Network net, Dataset data, ObjectiveSpec spec, double? q, int seed)
    {
        double sv = 1.7, sc = 0.8;
        var p = net.Initialize(seed, 0);
        // non-zero biases too, and a modest scale so tanh is not saturated
        var rng = new Rng((ulong)seed + 99);
        var logical = net.ToLogical(p).Select(v => (float)(0.5 * v + 0.1 * rng.NextNormal())).ToArray();
        p = net.FromLogical(logical);
        using var engine = new CohortEngine(net, data, sv, sc, maxThreads: 2);
        var grad = new float[net.ParameterCount];
        MaskSpec? mask = q is { } qq ? new MaskSpec(qq, 2.5) : null;
        var res = engine.Run(p, grad, spec, mask);
        var th = logical.Select(v => (double)v).ToArray();
        (double, double, double, double)? refMask = null;
        ReferenceLoss(net, th, data, sv, sc, spec, null, out var s0);
        if (q is { } q2)
        {
            // the offsets are held fixed (stop-gradient): take them from the base scores, as the engine does
            double Off(byte arm)
            {
                var a = Enumerable.Range(0, data.Rows).Where(i => data.T[i] == arm).Select(i => s0[i]).OrderByDescending(x => x).ToArray();
                return a[(int)Math.Ceiling(a.Length * q2) - 1];
            }
            refMask = (q2, 2.5, Off(1), Off(0));
            Assert.Equal(refMask.Value.Item3, res.OffsetTreated, 1e-5);
            Assert.Equal(refMask.Value.Item4, res.OffsetControl, 1e-5);
        }
        double refLoss = ReferenceLoss(net, th, data, sv, sc, spec, refMask, out _);
        var fd = new double[th.Length];
        const double h = 1e-5;
        for (int j = 0; j < th.Length; j++)
        {
            double keep = th[j];
            th[j] = keep + h; double lp = ReferenceLoss(net, th, data, sv, sc, spec, refMask, out _);
            th[j] = keep - h; double lm = ReferenceLoss(net, th, data, sv, sc, spec, refMask, out _);
            th[j] = keep;
            fd[j] = (lp - lm) / (2 * h);
        }
        return (net.ToLogical(grad), fd, res.Loss, refLoss);
    }

    static void AssertClose(float[] g, double[] fd, double engineLoss, double refLoss)
    {
        Assert.True(Math.Abs(engineLoss - refLoss) < 1e-4 * (1 + Math.Abs(refLoss)), $"loss {engineLoss} vs reference {refLoss}");
        double num = 0, den = 0;
        for (int j = 0; j < g.Length; j++) { num += (g[j] - fd[j]) * (g[j] - fd[j]); den += fd[j] * fd[j]; }
        double rel = Math.Sqrt(num / den);
        Assert.True(den > 1e-12, "the gradient should not vanish in this test");
        Assert.True(rel < 1e-3, $"relative gradient error {rel:E2}");
    }

    public static TheoryData<string, Objective, bool> Cases()
    {
        var d = new TheoryData<string, Objective, bool>();
        foreach (var net in new[] { "linear", "mlp7", "mlp6x5" })
            foreach (var o in Enum.GetValues<Objective>())
                foreach (var crm in new[] { false, true })
                    d.Add(net, o, crm);
        return d;
    }

    static Network Make(string name, int d) => name switch
    {
        "linear" => Network.Linear(d),
        "mlp7" => Network.Mlp(d, [7]),
        _ => Network.Mlp(d, [6, 5]),
    };

    [Theory, MemberData(nameof(Cases))]
    public void GradientMatchesFiniteDifferences(string netName, Objective objective, bool crm)
    {
        var data = TestData.Campaign(260, 5, seed: 11);
        var net = Make(netName, 5);
        var spec = new ObjectiveSpec(objective, Lambda: 0.7);
        var (g, fd, el, rl) = Compare(net, data, spec, crm ? 0.4 : null, seed: 3);
        AssertClose(g, fd, el, rl);
    }

    [Fact]
    public void GradientWithWeightsPropensityPenaltiesAndManyChunks()
    {
        // more rows than one chunk, sample weights, known propensities, L1 and L2
        var data = TestData.Campaign(CohortEngine.ChunkRows * 2 + 77, 4, seed: 5, weights: true, propensity: true);
        var net = Network.Mlp(4, [3]);
        var spec = new ObjectiveSpec(Objective.SmoothAbsRatio, L1: 0.01, L2: 0.02);
        var (g, fd, el, rl) = Compare(net, data, spec, null, seed: 4);
        AssertClose(g, fd, el, rl);
        (g, fd, el, rl) = Compare(net, data, spec with { Kind = Objective.Lagrangian }, 0.3, seed: 4);
        AssertClose(g, fd, el, rl);
    }

    /// <summary>Scores in [−1, 1], arms, outcomes and weights of a cohort, for the objective's range functions.</summary>
    static (float[] sHat, byte[] arm, float[] v, float[] c, float[] w) Rows(Dataset data, int seed)
    {
        var rng = new Random(seed);
        int n = data.Rows;
        var sHat = new float[n]; var v = new float[n]; var c = new float[n]; var w = new float[n];
        for (int i = 0; i < n; i++)
        {
            sHat[i] = (float)(2 * rng.NextDouble() - 1);
            v[i] = (float)data.V[i]; c[i] = (float)data.C[i]; w[i] = (float)data.Weight![i];
        }
        return (sHat, data.T, v, c, w);
    }

    [Fact]
    public void SoftmaxWeightsSumToOnePerArmAndRangeTotalsMerge()
    {
        var data = TestData.Campaign(3000, 6, seed: 2, weights: true);
        var (sHat, arm, v, c, w) = Rows(data, 3);
        int n = data.Rows;
        var e = new float[n];
        var all = CohortObjective.Totals(sHat, arm, v, c, w, e);
        double s1 = 0, s0 = 0;
        for (int i = 0; i < n; i++)
        {
            double p = e[i] / (arm[i] != 0 ? all.Treated.Z : all.Control.Z);
            Assert.True(p > 0);
            if (arm[i] != 0) s1 += p; else s0 += p;
        }
        Assert.Equal(1.0, s1, 1e-9);
        Assert.Equal(1.0, s0, 1e-9);

        // the totals of ranges, merged, are the totals of the whole (up to the order of the double sums)
        var merged = new CohortTotals();
        var e2 = new float[n];
        foreach (var (r0, len) in new[] { (0, 1000), (1000, 1), (1001, 1999) })
            merged.Add(CohortObjective.Totals(sHat.AsSpan(r0, len), arm.AsSpan(r0, len), v.AsSpan(r0, len), c.AsSpan(r0, len),
                w.AsSpan(r0, len), e2.AsSpan(r0, len)));
        Assert.Equal(e, e2);
        foreach (var (x, y) in new[] { (all.Treated, merged.Treated), (all.Control, merged.Control) })
        {
            Assert.Equal(x.Z, y.Z, 1e-9 * Math.Abs(x.Z));
            Assert.Equal(x.SV, y.SV, 1e-9 * (1 + Math.Abs(x.SV)));
            Assert.Equal(x.SC, y.SC, 1e-9 * (1 + Math.Abs(x.SC)));
        }
        // unweighted = all weights one
        var e1 = new float[n]; var ones = Enumerable.Repeat(1f, n).ToArray();
        Assert.Equal(CohortObjective.Totals(sHat, arm, v, c, ones, e1), CohortObjective.Totals(sHat, arm, v, c, default, e2));
        Assert.Equal(e1, e2);
    }

    [Fact]
    public void RowGradientsAreTheDerivativeOfTheTotalsLoss()
    {
        // forward (Totals -> Coefficients) and backward (RowGradients) in double-checked pairs: dLoss/dŝ_i by finite differences
        var data = TestData.Campaign(200, 3, seed: 6, weights: true);
        var (sHat, arm, v, c, w) = Rows(data, 7);
        int n = data.Rows;
        var e = new float[n];
        var zero = new float[n];
        foreach (var kind in Enum.GetValues<Objective>())
        {
            double Loss(float[] sh) => -CohortObjective.Coefficients(CohortObjective.Totals(sh, arm, v, c, w, new float[n]), kind, 0.7).G;
            var k = CohortObjective.Coefficients(CohortObjective.Totals(sHat, arm, v, c, w, e), kind, 0.7);
            var df = new float[n];
            CohortObjective.RowGradients(k, arm, e, v, c, default, zero, df);
            double scale = 0;
            for (int i = 0; i < n; i++) scale = Math.Max(scale, Math.Abs(df[i]));
            Assert.True(scale > 0);
            foreach (int i in new[] { 0, 1, 17, 99, 199 })
            {
                const float h = 1e-2f;
                var plus = (float[])sHat.Clone(); var minus = (float[])sHat.Clone();
                plus[i] += h; minus[i] -= h;
                double fd = (Loss(plus) - Loss(minus)) / (plus[i] - minus[i]);
                Assert.True(Math.Abs(fd - df[i]) <= 2e-2 * scale, $"{kind} row {i}: finite difference {fd}, gradient {df[i]}");
            }
            // the chain through the CRM mask and the tanh: df = dLoss/dŝ · dŝ/ds · (1 − s²)
            var s = new float[n]; var dPool = new float[n]; var df2 = new float[n];
            for (int i = 0; i < n; i++) { s[i] = 0.5f * sHat[i]; dPool[i] = 1 + 0.1f * i / n; }
            CohortObjective.RowGradients(k, arm, e, v, c, dPool, s, df2);
            for (int i = 0; i < n; i++) Assert.Equal(df[i] * dPool[i] * (1 - s[i] * s[i]), df2[i]);
        }
    }

    [Fact]
    public void ObjectiveDerivativesMatchFiniteDifferences()
    {
        foreach (var kind in Enum.GetValues<Objective>())
            foreach (var (tv, tc) in new[] { (0.3, 0.7), (-0.2, 0.05), (0.4, -0.3), (1.5, 2.0) })
            {
                CohortObjective.G(kind, tv, tc, 0.6, out double gv, out double gc);
                const double h = 1e-6;
                double nv = (CohortObjective.G(kind, tv + h, tc, 0.6, out _, out _) - CohortObjective.G(kind, tv - h, tc, 0.6, out _, out _)) / (2 * h);
                double nc = (CohortObjective.G(kind, tv, tc + h, 0.6, out _, out _) - CohortObjective.G(kind, tv, tc - h, 0.6, out _, out _)) / (2 * h);
                Assert.Equal(nv, gv, 1e-5 * (1 + Math.Abs(nv)));
                Assert.Equal(nc, gc, 1e-5 * (1 + Math.Abs(nc)));
            }
        // the plain ratio's guard band keeps the sign of τc and is finite at 0
        Assert.Equal(0.5 / CohortObjective.RatioEpsilon, CohortObjective.G(Objective.Ratio, 0.5, 0.0, 0, out _, out _));
        Assert.Equal(-0.5 / CohortObjective.RatioEpsilon, CohortObjective.G(Objective.Ratio, 0.5, -1e-9, 0, out _, out _));
    }

    [Fact]
    public void PooledScoreDerivativeMatchesFiniteDifferences()
    {
        foreach (var (s, t, d) in new[] { (0.3f, 2f, 0.1f), (-0.5f, 0.5f, 0.2f), (0.9f, 10f, 0.85f) })
        {
            // one user in each arm, both with offset d
            var sHat = new float[2]; var dp = new float[2];
            CohortObjective.Pooled([s, s], [1, 0], t, d, d, sHat, dp);
            double Ref(double x) => x / (1 + Math.Exp(-t * (x - d)));
            double num = (Ref(s + 1e-4) - Ref(s - 1e-4)) / 2e-4;
            for (int a = 0; a < 2; a++)
            {
                Assert.Equal(num, dp[a], 1e-4);
                Assert.Equal(Ref(s), sHat[a], 1e-6);
            }
        }
        Assert.Equal(0.5 + 0.1 * 3, CohortObjective.Temperature(0.5, 0.1, 100, 399), 12);
    }

    [Fact]
    public void RecomputingActivationsGivesTheSameGradientAsStoringThem()
    {
        var data = TestData.Campaign(CohortEngine.ChunkRows + 300, 7, seed: 8);
        var net = Network.Mlp(7, [20, 9]);
        var p = net.Initialize(2, 0);
        using var stored = new CohortEngine(net, data, 1, 1, 2);
        using var streamed = new CohortEngine(net, data, 1, 1, 2, activationBudgetBytes: 0);
        Assert.True(stored.StoresActivations);
        Assert.False(streamed.StoresActivations);
        var g1 = new float[p.Length]; var g2 = new float[p.Length];
        var spec = new ObjectiveSpec(Objective.SmoothAbsRatio);
        var r1 = stored.Run(p, g1, spec, new MaskSpec(0.4, 1.5));
        var r2 = streamed.Run(p, g2, spec, new MaskSpec(0.4, 1.5));
        Assert.Equal(r1, r2);
        Assert.Equal(g1, g2);
    }
}
