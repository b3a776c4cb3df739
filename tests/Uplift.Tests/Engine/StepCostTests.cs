using Uplift.Engine;
using Uplift.Models.Ranking;
using Xunit;

namespace Uplift.Tests.Engine;

/// <summary>
/// The fixed cost of a step (issue 13): the thread count follows the work, a single-threaded step allocates
/// nothing, and forced parallel passes give the same bits as one thread.
/// </summary>
public class StepCostTests
{
    static Network Net(string scorer, int d) => scorer == "linear" ? Network.Linear(d) : Network.Mlp(d, [20]);

    [Fact]
    public void ThreadsFollowTheWorkUnderTheCap()
    {
        int p = 13;   // linear scorer on 12 features
        Assert.Equal(1, CohortEngine.ThreadsFor(36_000, p, 2));
        Assert.Equal(1, CohortEngine.ThreadsFor(10, p, 8));
        long rowsForTwo = 2 * CohortEngine.MinWorkPerThread / (p + CohortEngine.RowOverhead) + 1;
        Assert.Equal(2, CohortEngine.ThreadsFor(rowsForTwo, p, 2));
        Assert.Equal(2, CohortEngine.ThreadsFor(rowsForTwo * 100, p, 2));
        Assert.Equal(1, CohortEngine.ThreadsFor(rowsForTwo * 100, p, 1));
        Assert.Equal(1, CohortEngine.ThreadsFor(rowsForTwo * 100, p, 0));
        Assert.Equal(3, CohortEngine.ThreadsFor(rowsForTwo * 100, p, 3, minWorkPerThread: 1));
    }

    [Theory]
    [InlineData("linear", false)]
    [InlineData("mlp", false)]
    [InlineData("linear", true)]
    [InlineData("mlp", true)]
    public void ASingleThreadedStepAllocatesNothing(string scorer, bool crm)
    {
        var data = TestData.Campaign(2_000, 12, seed: 3);
        var net = Net(scorer, 12);
        using var engine = new CohortEngine(net, data, 1.0, 1.0, maxThreads: 2);
        Assert.Equal(1, engine.Threads);
        var p = net.Initialize(1, 0);
        var g = new float[net.ParameterCount];
        var f = new float[data.Rows];
        var adam = new Adam(net.ParameterCount, 0.01);
        var spec = new ObjectiveSpec(Objective.SmoothAbsRatio, L2: 1e-3);
        MaskSpec? mask = crm ? new MaskSpec(0.4, 1.0) : null;
        var bytes = new long[4];
        for (int k = 0; k < 120; k++)   // the first 100 rounds warm up (JIT tiers); the last 20 are counted
        {
            long b0 = GC.GetAllocatedBytesForCurrentThread();
            engine.Run(p, g, spec, mask);
            long b1 = GC.GetAllocatedBytesForCurrentThread();
            adam.Step(p, g);
            long b2 = GC.GetAllocatedBytesForCurrentThread();
            engine.Evaluate(p, spec, mask);
            long b3 = GC.GetAllocatedBytesForCurrentThread();
            engine.RawScores(p, f);
            long b4 = GC.GetAllocatedBytesForCurrentThread();
            if (k < 100) continue;
            bytes[0] += b1 - b0; bytes[1] += b2 - b1; bytes[2] += b3 - b2; bytes[3] += b4 - b3;
        }
        Assert.Equal([0L, 0L, 0L, 0L], bytes);   // Run, Adam, Evaluate, RawScores
    }

    [Theory]
    [InlineData("linear", false)]
    [InlineData("mlp", false)]
    [InlineData("linear", true)]
    [InlineData("mlp", true)]
    public void ForcedParallelPassesGiveTheSameBitsAsOneThread(string scorer, bool crm)
    {
        var data = TestData.Campaign(9_500, 12, seed: 5, weights: true);   // 10 chunks, the last one short
        var net = Net(scorer, 12);
        var spec = new ObjectiveSpec(Objective.SmoothAbsRatio, L1: 1e-4, L2: 1e-3);
        MaskSpec? mask = crm ? new MaskSpec(0.3, 2.0) : null;
        (float[] P, double Loss, float[] F) Train(int threads, long minWork)
        {
            using var engine = new CohortEngine(net, data, 1.3, 0.7, threads, minWorkPerThread: minWork);
            Assert.Equal(threads, engine.Threads);
            var p = net.Initialize(7, 0);
            var g = new float[net.ParameterCount];
            var adam = new Adam(net.ParameterCount, 0.02);
            double loss = 0;
            for (int k = 0; k < 15; k++) { loss = engine.Run(p, g, spec, mask).Loss; adam.Step(p, g); }
            var f = new float[data.Rows];
            engine.RawScores(p, f);
            return (p, loss, f);
        }
        var one = Train(1, CohortEngine.MinWorkPerThread);
        foreach (int th in new[] { 2, 3 })
        {
            var many = Train(th, minWork: 1);
            Assert.Equal(one.Loss, many.Loss);
            Assert.Equal(one.P, many.P);
            Assert.Equal(one.F, many.F);
        }
    }

    [Theory]
    [InlineData("linear")]
    [InlineData("mlp")]
    public void EngineRawScoresEqualTheModelsRawScores(string scorer)
    {
        var data = TestData.Campaign(3_000, 9, seed: 11);
        var net = Net(scorer, 9);
        var p = net.Initialize(2, 1);
        using var engine = new CohortEngine(net, data, 1.0, 1.0, 2, withGradient: false);
        var a = new float[data.Rows]; var b = new float[data.Rows];
        engine.RawScores(p, a);
        RankingModel.RawScores(net, p, data, b);
        Assert.Equal(b, a);
    }

    /// <summary>Each column of GemvTAcc is one FMA chain over the rows in row order, whatever the vector width.</summary>
    [Theory]
    [InlineData(8)]
    [InlineData(12)]
    [InlineData(15)]
    [InlineData(19)]
    public unsafe void GemvTransposedIsTheSameChainAtEveryWidth(int k)
    {
        var rng = new Rng(42);
        int m = 333;
        var a = new float[m * k]; var y = new float[m];
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextNormal();
        for (int i = 0; i < m; i++) y[i] = (float)rng.NextNormal();
        var g0 = new float[k]; var g1 = new float[k];
        for (int q = 0; q < k; q++) g0[q] = g1[q] = 0.25f * q;
        for (int q = 0; q < k; q++)
        {
            float s = g0[q];
            for (int r = 0; r < m; r++) s = MathF.FusedMultiplyAdd(y[r], a[r * k + q], s);
            g0[q] = s;
        }
        fixed (float* pa = a, py = y, pg = g1) Kernels.GemvTAcc(pa, k, py, pg, m, k);
        Assert.Equal(g0, g1);
    }
}
