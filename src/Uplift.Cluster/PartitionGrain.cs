using Orleans;
using Uplift.Partitions;

namespace Uplift.Cluster;

/// <summary>
/// One partition of a partitioned campaign on a worker (docs/CLUSTER.md): the operations of <see cref="PartitionHost"/>
/// with plain arrays and strings, so that every number travels exactly. Keyed by "job/partition". A grain re-activated
/// on another worker (its worker died) starts empty, and its first call fails until the coordinator sends the
/// configuration again.
/// </summary>
public interface IPartitionGrain : IGrainWithStringKey
{
    Task<string> Ensure(string config);
    Task<string> Partial();
    Task<double[]> PrepareStats();
    Task<double[]> ResidualStats();
    Task<double[]> Forward(long call, float[] p);
    Task ForwardScores(long call, float[] p);
    Task<int[]> Histogram(long call, int round, uint prefix1, uint prefix0);
    Task<double[]> Pooled(long call, float d1, float d0, float temperature);
    Task<double[]> Backward(long call, double[] coefficients);
    Task<float[]> Raw(int set, float[] p);
    Task<double[]> Labels(int set);
    Task<long> Score(string modelPath, string outPath);
}

/// <summary>The grain: a <see cref="PartitionHost"/> in the worker's memory (Orleans runs one call at a time).</summary>
public sealed class PartitionGrain : Grain, IPartitionGrain
{
    readonly PartitionHost _host = new() { MaxThreads = WorkerSettings.ThreadsPerPartition };

    /// <summary>Configures the partition; returns the worker's address (for the coordinator's progress).</summary>
    public Task<string> Ensure(string config)
    {
        _host.Ensure(PartitionConfig.FromJson(config));
        return Task.FromResult(RuntimeIdentity);
    }

    public Task<string> Partial() => Task.FromResult(_host.Partial());
    public Task<double[]> PrepareStats() => Task.FromResult(_host.PrepareStats());
    public Task<double[]> ResidualStats() => Task.FromResult(_host.ResidualStats());
    public Task<double[]> Forward(long call, float[] p) => Task.FromResult(_host.Forward(call, p));
    public Task ForwardScores(long call, float[] p) { _host.ForwardScores(call, p); return Task.CompletedTask; }
    public Task<int[]> Histogram(long call, int round, uint prefix1, uint prefix0) => Task.FromResult(_host.Histogram(call, round, prefix1, prefix0));
    public Task<double[]> Pooled(long call, float d1, float d0, float temperature) => Task.FromResult(_host.Pooled(call, d1, d0, temperature));
    public Task<double[]> Backward(long call, double[] coefficients) => Task.FromResult(_host.Backward(call, coefficients));
    public Task<float[]> Raw(int set, float[] p) => Task.FromResult(_host.Raw((PartitionSet)set, p));
    public Task<double[]> Labels(int set) => Task.FromResult(_host.Labels((PartitionSet)set));
    public Task<long> Score(string modelPath, string outPath) => Task.FromResult(PartitionScoring.Score(_host.Config, modelPath, outPath));

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _host.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }
}

/// <summary>The coordinator's view of a partition grain (<see cref="IPartition"/>); remembers where it was last seen.</summary>
public sealed class GrainPartition(IPartitionGrain grain) : IPartition
{
    /// <summary>The worker that answered the last <see cref="Ensure"/>.</summary>
    public string? Worker { get; private set; }

    public async Task Ensure(PartitionConfig config) => Worker = await grain.Ensure(config.ToJson());
    public Task<string> Partial() => grain.Partial();
    public Task<double[]> PrepareStats() => grain.PrepareStats();
    public Task<double[]> ResidualStats() => grain.ResidualStats();
    public Task<double[]> Forward(long call, float[] p) => grain.Forward(call, p);
    public Task ForwardScores(long call, float[] p) => grain.ForwardScores(call, p);
    public Task<int[]> Histogram(long call, int round, uint prefix1, uint prefix0) => grain.Histogram(call, round, prefix1, prefix0);
    public Task<double[]> Pooled(long call, float d1, float d0, float temperature) => grain.Pooled(call, d1, d0, temperature);
    public Task<double[]> Backward(long call, double[] coefficients) => grain.Backward(call, coefficients);
    public Task<float[]> Raw(PartitionSet set, float[] p) => grain.Raw((int)set, p);
    public Task<double[]> Labels(PartitionSet set) => grain.Labels((int)set);
    public Task<long> Score(string modelPath, string outPath) => grain.Score(modelPath, outPath);
}
