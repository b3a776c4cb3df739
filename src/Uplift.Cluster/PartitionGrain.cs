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
    /// <summary>Deactivates the grain (its next call activates it again, placed over the current workers).</summary>
    Task Leave();
}

/// <summary>The grain: a <see cref="PartitionHost"/> in the worker's memory (Orleans runs one call at a time).</summary>
[Orleans.Placement.HashBasedPlacement]   // partitions spread over the workers by key, not piled on the first one
public sealed class PartitionGrain : Grain, IPartitionGrain
{
    readonly PartitionHost _host = new() { MaxThreads = WorkerSettings.ThreadsPerPartition };

    /// <summary>Configures the partition; returns the worker's address (for the coordinator's progress).</summary>
    public Task<string> Ensure(string config) => Guard(() =>
    {
        _host.Ensure(PartitionConfig.FromJson(config));
        return RuntimeIdentity;
    });

    public Task<string> Partial() => Guard(() => _host.Partial());
    public Task<double[]> PrepareStats() => Guard(() => _host.PrepareStats());
    public Task<double[]> ResidualStats() => Guard(() => _host.ResidualStats());
    public Task<double[]> Forward(long call, float[] p) => Guard(() => _host.Forward(call, p));
    public Task ForwardScores(long call, float[] p) => Guard(() => { _host.ForwardScores(call, p); return 0; });
    public Task<int[]> Histogram(long call, int round, uint prefix1, uint prefix0) => Guard(() => _host.Histogram(call, round, prefix1, prefix0));
    public Task<double[]> Pooled(long call, float d1, float d0, float temperature) => Guard(() => _host.Pooled(call, d1, d0, temperature));
    public Task<double[]> Backward(long call, double[] coefficients) => Guard(() => _host.Backward(call, coefficients));
    public Task<float[]> Raw(int set, float[] p) => Guard(() => _host.Raw((PartitionSet)set, p));
    public Task<double[]> Labels(int set) => Guard(() => _host.Labels((PartitionSet)set));
    public Task<long> Score(string modelPath, string outPath) => Guard(() => PartitionScoring.Score(_host.Config, modelPath, outPath));

    /// <summary>Runs <paramref name="body"/> on the thread pool (the library's parallel loops and tasks must not land on the
    /// grain's single-threaded scheduler, which the call holds) and sends the library's exceptions as
    /// <see cref="WorkerException"/>, which Orleans can serialise.</summary>
    static async Task<T> Guard<T>(Func<T> body)
    {
        try { return await Task.Run(body); }
        catch (UpliftException e) { throw new WorkerException(e.Message, retriable: e is PartitionStateException); }
    }

    public Task Leave() { this.DeactivateOnIdle(); return Task.CompletedTask; }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _host.Dispose();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }
}

/// <summary>A library error on a worker, as Orleans sends it to the coordinator (the library's exception types have no
/// Orleans codec); <see cref="GrainPartition"/> turns it back into the library's type.</summary>
[GenerateSerializer]
public sealed class WorkerException : Exception
{
    [Id(0)] public string Text { get; init; }
    [Id(1)] public bool Retriable { get; init; }
    public WorkerException(string text, bool retriable) : base(text) { Text = text; Retriable = retriable; }
    public override string Message => Text;

    /// <summary>The library's exception: a lost partition state (retried) or an error in the data (not).</summary>
    public UpliftException ToLibrary() => Retriable ? new PartitionStateException(Text) : new UpliftDataException(Text);
}

/// <summary>The coordinator's view of a partition grain (<see cref="IPartition"/>); remembers where it was last seen.</summary>
public sealed class GrainPartition(IPartitionGrain grain) : IPartition
{
    /// <summary>The worker that answered the last <see cref="Ensure"/>.</summary>
    public string? Worker { get; private set; }

    public async Task Ensure(PartitionConfig config) => Worker = await Call(() => grain.Ensure(config.ToJson()));
    public Task<string> Partial() => Call(grain.Partial);
    public Task<double[]> PrepareStats() => Call(grain.PrepareStats);
    public Task<double[]> ResidualStats() => Call(grain.ResidualStats);
    public Task<double[]> Forward(long call, float[] p) => Call(() => grain.Forward(call, p));
    public Task ForwardScores(long call, float[] p) => Call(async () => { await grain.ForwardScores(call, p); return 0; });
    public Task<int[]> Histogram(long call, int round, uint prefix1, uint prefix0) => Call(() => grain.Histogram(call, round, prefix1, prefix0));
    public Task<double[]> Pooled(long call, float d1, float d0, float temperature) => Call(() => grain.Pooled(call, d1, d0, temperature));
    public Task<double[]> Backward(long call, double[] coefficients) => Call(() => grain.Backward(call, coefficients));
    public Task<float[]> Raw(PartitionSet set, float[] p) => Call(() => grain.Raw((int)set, p));
    public Task<double[]> Labels(PartitionSet set) => Call(() => grain.Labels((int)set));
    public Task<long> Score(string modelPath, string outPath) => Call(() => grain.Score(modelPath, outPath));

    /// <summary>Lets the partition re-activate over the current workers at its next call.</summary>
    public Task Leave() => grain.Leave();

    static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try { return await call(); }
        catch (WorkerException e) { throw e.ToLibrary(); }
    }
}
