using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Models;
using Uplift.Models.Ranking;
using Uplift.Partitions;
using Uplift.Tests.Engine;
using Xunit;

namespace Uplift.Tests.Partitions;

public class PartitionedTrainingTests
{
    // ---- the coordinator's merge against one engine

    /// <summary>A partition over rows [from, to) of a dataset, in memory: the passes only.</summary>
    sealed class EnginePartition(CohortEngine e) : IPartition
    {
        readonly int[] _counts = new int[2 * RankSelection.Buckets];
        public Task Ensure(PartitionConfig config) => Task.CompletedTask;
        public Task<double[]> Forward(long call, float[] p) => Task.FromResult(PartitionWire.Totals(e.ForwardTotals(p)));
        public Task ForwardScores(long call, float[] p) { e.ForwardScores(p); return Task.CompletedTask; }
        public Task<int[]> Histogram(long call, int round, uint p1, uint p0)
        {
            RankSelection.Histogram(e.Scores, e.Arm, round, p1, p0, _counts);
            return Task.FromResult((int[])_counts.Clone());
        }
        public Task<double[]> Pooled(long call, float d1, float d0, float t) => Task.FromResult(PartitionWire.Totals(e.PooledTotals(d1, d0, t)));
        public Task<double[]> Backward(long call, double[] k) { e.Backward(PartitionWire.Coefficients(k)); return Task.FromResult(e.GradientSum.ToArray()); }
        public Task<string> Partial() => throw new NotSupportedException();
        public Task<double[]> PrepareStats() => throw new NotSupportedException();
        public Task<double[]> ResidualStats() => throw new NotSupportedException();
        public Task<float[]> Raw(PartitionSet set, float[] p) => throw new NotSupportedException();
        public Task<double[]> Labels(PartitionSet set) => throw new NotSupportedException();
        public Task<long> Score(string modelPath, string outPath) => throw new NotSupportedException();
    }

    [Theory]
    [InlineData(false, 0)]
    [InlineData(true, 0)]
    [InlineData(false, 16)]
    [InlineData(true, 16)]
    public void PartitionsCutAtChunkBoundariesGiveTheEngineBitForBit(bool crm, int hidden)
    {
        var data = TestData.Campaign(5000, 7, seed: 3);
        var net = hidden == 0 ? Network.Linear(7) : Network.Mlp(7, [hidden]);
        var p = net.Initialize(11, 0);
        var spec = new ObjectiveSpec(Objective.SmoothAbsRatio, L2: 1e-3);
        MaskSpec? mask = crm ? new MaskSpec(0.3, 2.5) : null;
        using var whole = new CohortEngine(net, data, 1.3, 0.7, maxThreads: 1);
        var g1 = new float[net.ParameterCount];
        var r1 = whole.Run(p, g1, spec, mask);

        // The engine sums chunk totals left to right, ((c1 + c2) + c3) + ...; the coordinator sums partition sums. They
        // associate alike when the first partition is any run of chunks and every later one is a single chunk.
        int[] cuts = [0, 2 * CohortEngine.ChunkRows, 3 * CohortEngine.ChunkRows, 4 * CohortEngine.ChunkRows, data.Rows];
        var engines = new List<CohortEngine>();
        for (int k = 0; k + 1 < cuts.Length; k++)
            engines.Add(new CohortEngine(net, data.Subset(Enumerable.Range(cuts[k], cuts[k + 1] - cuts[k]).ToArray()), 1.3, 0.7, maxThreads: 2, partition: true));
        var isWeight = Enumerable.Range(0, net.ParameterCount).Select(net.IsWeight).ToArray();
        var cohort = new PartitionedCohort(engines.Select(e => (IPartition)new EnginePartition(e)).ToArray(), () => { },
            net.ParameterCount, isWeight, whole.Treated, whole.Control, null);
        var g2 = new float[net.ParameterCount];
        var r2 = cohort.Run(p, g2, spec, mask);
        foreach (var e in engines) e.Dispose();

        Assert.Equal(r1, r2);
        Assert.Equal(g1, g2);
    }

    [Fact]
    public void SelectionByCountsFindsTheKthLargest()
    {
        var rng = new Rng(5);
        var s = new float[3001];
        var arm = new byte[s.Length];
        for (int i = 0; i < s.Length; i++) { s[i] = (float)Math.Tanh(rng.NextNormal()); arm[i] = (byte)(i % 3 == 0 ? 0 : 1); }
        s[10] = 0f; s[11] = -0f; s[12] = s[13];  // zeros and a tie
        foreach (long k in new long[] { 0, 1, 500, 1999 })
        {
            uint p1 = 0, p0 = 0; long k1 = k, k0 = k / 2;
            var counts = new int[2 * RankSelection.Buckets];
            for (int r = 0; r < RankSelection.Rounds; r++)
            {
                RankSelection.Histogram(s, arm, r, p1, p0, counts);
                (p1, k1) = RankSelection.Narrow(counts.AsSpan(0, RankSelection.Buckets), r, p1, k1);
                (p0, k0) = RankSelection.Narrow(counts.AsSpan(RankSelection.Buckets), r, p0, k0);
            }
            var treated = s.Where((_, i) => arm[i] == 1).OrderByDescending(x => x).ToArray();
            var control = s.Where((_, i) => arm[i] == 0).OrderByDescending(x => x).ToArray();
            Assert.Equal(treated[k], RankSelection.FromKey(p1));
            Assert.Equal(control[k / 2], RankSelection.FromKey(p0));
        }
    }

    // ---- preprocessing from partials

    [Fact]
    public void OnePartitionsPartialGivesTheOneFilePreprocessor()
    {
        var table = Table(TestData.Campaign(600, 3, seed: 4), withText: true);
        var roles = new ColumnRoles("treatment", "value", "cost");
        var rows = Enumerable.Range(0, table.Rows).Where(i => i % 4 != 0).ToArray();
        var options = new PreprocessOptions { MaxCategories = 2 };
        var expected = Preprocessor.Fit(table, roles, rows, options).ToJson().ToJsonString();
        var partial = Preprocessor.Partial.FromJson(JsonNode.Parse(Preprocessor.FitPartial(table, roles, rows, options).ToJson().ToJsonString())!.AsObject());
        var merged = Preprocessor.Merge([partial], options);
        Assert.Equal(expected, Preprocessor.FromPartial(roles, merged, options).ToJson().ToJsonString());
    }

    [Fact]
    public void MergedPartialsGiveTheMeanAndSdOfAllRows()
    {
        var table = Table(TestData.Campaign(900, 2, seed: 6), withText: false);
        var roles = new ColumnRoles("treatment", "value", "cost");
        var all = Enumerable.Range(0, table.Rows).ToArray();
        var options = new PreprocessOptions();
        var parts = new[] { all[..100], all[100..555], all[555..] }
            .Select(r => Preprocessor.FitPartial(table, roles, r, options)).ToArray();
        var merged = Preprocessor.FromPartial(roles, Preprocessor.Merge(parts, options), options);
        var whole = Preprocessor.Fit(table, roles, all, options);
        for (int j = 0; j < 2; j++)
        {
            Assert.Equal(whole.Specs[j].Mean, merged.Specs[j].Mean, 1e-12);
            Assert.Equal(whole.Specs[j].Sd, merged.Specs[j].Sd, 1e-12);
        }
    }

    // ---- whole trainings on files

    [Theory]
    [InlineData("drm")]
    [InlineData("crm")]
    public void TrainingIsTheSameForAnyThreadCountAndAfterLostPartitions(string kind)
    {
        using var dir = new TempDir();
        var job = WriteParts(dir.Path, TestData.Campaign(6000, 5, seed: 9), parts: 4);
        var drm = new DrmOptions { Steps = 60, Restarts = 1, EvalEvery = 20 };
        IUpliftLearner Learner() => kind == "drm" ? new DrmLearner(drm) : new CrmLearner(new CrmOptions { Drm = drm });

        string Train(Func<int, IPartition> make)
        {
            var parts = Enumerable.Range(0, job.Files.Count).Select(make).ToArray();
            var fit = PartitionedTrainer.Fit(job, parts, Learner(), new FitContext(Seed: 5, MaxThreads: 1));
            Assert.Equal(6000, fit.TrainRows + fit.ValidRows + fit.TestRows);
            Assert.True(fit.ValidAucc > 0.5, $"validation AUCC {fit.ValidAucc}");
            foreach (var q in parts.OfType<IDisposable>()) q.Dispose();
            return fit.Model.Model.Save().ToJsonString();
        }
        string one = Train(_ => new LocalPartition(1));
        string two = Train(_ => new LocalPartition(2));
        string lost = Train(i => i == 2 ? new LosingPartition(afterCalls: 37) : new LocalPartition(1));
        Assert.Equal(one, two);
        Assert.Equal(one, lost);
    }

    /// <summary>A partition whose holder is lost once, after some calls (as when its worker dies): the next call fails,
    /// and the partition comes back empty, to be configured again by the coordinator.</summary>
    sealed class LosingPartition(int afterCalls) : IPartition, IDisposable
    {
        LocalPartition _p = new(1);
        int _calls;
        public bool Lost { get; private set; }
        Task<T> Do<T>(Func<LocalPartition, Task<T>> f)
        {
            if (++_calls == afterCalls) { _p.Dispose(); _p = new LocalPartition(1); Lost = true; throw new TimeoutException("worker lost"); }
            return f(_p);
        }
        Task Do(Func<LocalPartition, Task> f) => Do(async p => { await f(p); return 0; });
        public Task Ensure(PartitionConfig config) => _p.Ensure(config);
        public Task<string> Partial() => Do(p => p.Partial());
        public Task<double[]> PrepareStats() => Do(p => p.PrepareStats());
        public Task<double[]> ResidualStats() => Do(p => p.ResidualStats());
        public Task<double[]> Forward(long call, float[] w) => Do(p => p.Forward(call, w));
        public Task ForwardScores(long call, float[] w) => Do(p => p.ForwardScores(call, w));
        public Task<int[]> Histogram(long call, int round, uint a, uint b) => Do(p => p.Histogram(call, round, a, b));
        public Task<double[]> Pooled(long call, float d1, float d0, float t) => Do(p => p.Pooled(call, d1, d0, t));
        public Task<double[]> Backward(long call, double[] k) => Do(p => p.Backward(call, k));
        public Task<float[]> Raw(PartitionSet set, float[] w) => Do(p => p.Raw(set, w));
        public Task<double[]> Labels(PartitionSet set) => Do(p => p.Labels(set));
        public Task<long> Score(string m, string o) => Do(p => p.Score(m, o));
        public void Dispose() { Assert.True(Lost); _p.Dispose(); }
    }

    [Fact]
    public void SeveralArmsAndUnsupportedLearnersAreClearErrors()
    {
        using var dir = new TempDir();
        var job = WriteParts(dir.Path, TestData.Campaign(800, 3, seed: 2), parts: 2);
        var parts = job.Files.Select(_ => (IPartition)new LocalPartition(1)).ToArray();
        var e = Assert.Throws<UpliftOptionException>(() => PartitionedTrainer.Fit(job, parts, new Uplift.Models.Meta.TLearner(), new FitContext()));
        Assert.Contains("only drm and crm", e.Message);
    }

    [Fact]
    public void TheSplitIsPerRowAndNearItsFractions()
    {
        int[] n = new int[3];
        for (int i = 0; i < 30000; i++) n[PartitionJob.PartOf(7, 3, i, 0.6, 0.2)]++;
        Assert.InRange(n[0], 17600, 18400);
        Assert.InRange(n[1], 5700, 6300);
        Assert.Equal(PartitionJob.PartOf(7, 3, 123, 0.6, 0.2), PartitionJob.PartOf(7, 3, 123, 0.6, 0.2));
        Assert.NotEqual(Enumerable.Range(0, 64).Select(i => PartitionJob.PartOf(7, 3, i, 0.6, 0.2)),
            Enumerable.Range(0, 64).Select(i => PartitionJob.PartOf(7, 4, i, 0.6, 0.2)));
    }

    // ---- helpers

    internal static PartitionJob WriteParts(string dir, Dataset data, int parts)
    {
        var table = Table(data, withText: false);
        var files = new List<string>();
        for (int k = 0; k < parts; k++)
        {
            int a = (int)((long)k * data.Rows / parts), b = (int)((long)(k + 1) * data.Rows / parts);
            string path = Path.Combine(dir, $"part-{k:D2}.csv");
            File.WriteAllText(path, Csv(table, a, b));
            files.Add(path);
        }
        return new PartitionJob { Files = PartitionJob.ExpandFiles(Path.Combine(dir, "part-*.csv")), Roles = new ColumnRoles("treatment", "value", "cost"), Seed = 3 };
    }

    static RawTable Table(Dataset d, bool withText)
    {
        var cols = new List<RawColumn>();
        for (int j = 0; j < d.Features; j++)
        {
            int jj = j;
            cols.Add(RawColumn.Numeric($"x{j}", Enumerable.Range(0, d.Rows).Select(i => (double)d.X[i * d.Features + jj]).ToArray()));
        }
        if (withText) cols.Add(RawColumn.Text("region", Enumerable.Range(0, d.Rows).Select(i => i % 7 == 0 ? null : ((char)('a' + i % 3)).ToString()).ToArray()));
        cols.Add(RawColumn.Numeric("treatment", d.T.Select(b => (double)b).ToArray()));
        cols.Add(RawColumn.Numeric("value", d.V));
        cols.Add(RawColumn.Numeric("cost", d.C));
        return new RawTable("mem", d.Rows, cols);
    }

    static string Csv(RawTable t, int from, int to)
    {
        var sb = new StringBuilder();
        sb.AppendLine(string.Join(",", t.Columns.Select(c => c.Name)));
        for (int i = from; i < to; i++)
            sb.AppendLine(string.Join(",", t.Columns.Select(c => c.Numbers is { } x ? x[i].ToString("R", CultureInfo.InvariantCulture) : c.Strings![i] ?? "")));
        return sb.ToString();
    }

    internal sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("uplift-parts-").FullName;
        public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
    }
}
