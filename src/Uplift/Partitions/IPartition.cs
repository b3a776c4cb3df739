namespace Uplift.Partitions;

/// <summary>
/// One partition as the coordinator sees it: the operations of <see cref="PartitionHost"/>, asynchronous because the
/// host may be on another machine (src/Uplift.Cluster's partition grain) or in this process (<see cref="LocalPartition"/>).
/// Every result is exact (doubles and floats sent as they are), so a cohort's numbers do not depend on where its
/// partitions live.
/// </summary>
public interface IPartition
{
    Task Ensure(PartitionConfig config);
    Task<string> Partial();
    Task<double[]> PrepareStats();
    Task<double[]> ResidualStats();
    Task<double[]> Forward(long call, float[] p);
    Task ForwardScores(long call, float[] p);
    Task<int[]> Histogram(long call, int round, uint prefix1, uint prefix0);
    Task<double[]> Pooled(long call, float d1, float d0, float temperature);
    Task<double[]> Backward(long call, double[] coefficients);
    Task<float[]> Raw(PartitionSet set, float[] p);
    Task<double[]> Labels(PartitionSet set);
    /// <summary>Scores the partition's file with the model file <paramref name="modelPath"/> into <paramref name="outPath"/>
    /// (written atomically); returns the rows written.</summary>
    Task<long> Score(string modelPath, string outPath);
}

/// <summary>A partition held in this process.</summary>
public sealed class LocalPartition(int? maxThreads = null) : IPartition, IDisposable
{
    readonly PartitionHost _host = new() { MaxThreads = maxThreads };

    public Task Ensure(PartitionConfig config) { _host.Ensure(config); return Task.CompletedTask; }
    public Task<string> Partial() => Task.FromResult(_host.Partial());
    public Task<double[]> PrepareStats() => Task.FromResult(_host.PrepareStats());
    public Task<double[]> ResidualStats() => Task.FromResult(_host.ResidualStats());
    public Task<double[]> Forward(long call, float[] p) => Task.FromResult(_host.Forward(call, p));
    public Task ForwardScores(long call, float[] p) { _host.ForwardScores(call, p); return Task.CompletedTask; }
    public Task<int[]> Histogram(long call, int round, uint prefix1, uint prefix0) => Task.FromResult(_host.Histogram(call, round, prefix1, prefix0));
    public Task<double[]> Pooled(long call, float d1, float d0, float temperature) => Task.FromResult(_host.Pooled(call, d1, d0, temperature));
    public Task<double[]> Backward(long call, double[] coefficients) => Task.FromResult(_host.Backward(call, coefficients));
    public Task<float[]> Raw(PartitionSet set, float[] p) => Task.FromResult(_host.Raw(set, p));
    public Task<double[]> Labels(PartitionSet set) => Task.FromResult(_host.Labels(set));
    public Task<long> Score(string modelPath, string outPath) => Task.FromResult(PartitionScoring.Score(_host.Config, modelPath, outPath));
    public void Dispose() => _host.Dispose();
}
