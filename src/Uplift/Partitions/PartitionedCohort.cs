using Uplift.Engine;

namespace Uplift.Partitions;

/// <summary>
/// The training cohort of a partitioned campaign, seen from the coordinator: the exact objective and gradient of
/// METHOD.md sections 2-4 over the training rows of every partition, computed by the partitions and merged here in
/// partition order (per-arm softmax totals, then the gradient given the merged totals: the two passes of
/// <see cref="CohortEngine"/>, with partitions for chunks). The CRM's per-arm offsets are selected exactly across
/// partitions by counts (<see cref="RankSelection"/>). A failed call (a worker lost) sends every partition its
/// configuration again and retries the whole step, at most <see cref="MaxRetries"/> times.
/// </summary>
internal sealed class PartitionedCohort(IReadOnlyList<IPartition> parts, Action restore,
    int parameters, ReadOnlyMemory<bool> isWeight, long treated, long control, PartitionProgress? progress,
    Func<bool>? rebalance = null) : ICohort
{
    /// <summary>Evaluations between two calls of the rebalance hook (workers that joined get partitions then).</summary>
    public const int RebalanceEvery = 50;

    /// <summary>Retries of one step after a failure before the training gives up.</summary>
    public const int MaxRetries = 5;

    long _call;

    public StepResult Run(float[] p, float[]? grad, in ObjectiveSpec spec, MaskSpec? mask)
    {
        var s = spec;
        // A worker that joined: the hook moves partitions (they re-activate elsewhere, empty), so all are restored first.
        if (rebalance is not null && _call > 0 && _call % RebalanceEvery == 0 && rebalance()) restore();
        return Retrying(() => RunOnce(p, grad, s, mask), restore, progress);
    }

    /// <summary>
    /// Runs <paramref name="call"/>; after a failure other than bad data or options (<see cref="Retriable"/>: a worker
    /// lost, a timeout, a re-created partition), reports it, waits 1, 2, 4, 8 s, restores the partitions
    /// (<paramref name="restore"/>: their configurations sent again) and calls again, at most <see cref="MaxRetries"/> times.
    /// The one retry rule of every partitioned operation (steps, set-up stages, AUCC gathers, scoring).
    /// </summary>
    public static T Retrying<T>(Func<T> call, Action restore, PartitionProgress? progress)
    {
        for (int attempt = 0; ; attempt++)
        {
            try { return call(); }
            catch (Exception e) when (attempt < MaxRetries && Retriable(e))
            {
                progress?.Retry(attempt + 1, e);
                Thread.Sleep(TimeSpan.FromSeconds(1 << Math.Min(attempt, 3)));
                try { restore(); } catch (Exception r) when (Retriable(r)) { }
            }
        }
    }

    /// <summary>False for failures a retry cannot mend: bad data, bad options, a programming error.</summary>
    public static bool Retriable(Exception e) =>
        e is not UpliftDataException and not UpliftOptionException and not ArgumentException and not InvalidOperationException;

    StepResult RunOnce(float[] p, float[]? grad, ObjectiveSpec spec, MaskSpec? mask)
    {
        long call = ++_call;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        float d1 = 0, d0 = 0;
        double[][] totals;
        if (mask is null) totals = All(q => q.Forward(call, p));
        else
        {
            Wait(Task.WhenAll(parts.Select(q => q.ForwardScores(call, p))));
            (d1, d0) = Offsets(call, mask.Value.TopFraction);
            float t = (float)mask.Value.Temperature;
            totals = All(q => q.Pooled(call, d1, d0, t));
        }
        var merged = new CohortTotals();
        foreach (var t in totals) merged.Add(PartitionWire.Totals(t));
        var k = CohortObjective.Coefficients(merged, spec.Kind, spec.Lambda);
        var result = new StepResult(k.TauV, k.TauC, k.G, -k.G + CohortObjective.Penalty(p, isWeight.Span, spec), d1, d0);
        if (grad is null) { progress?.Step(clock.Elapsed, parts.Count); return result; }

        var kv = PartitionWire.Coefficients(k);
        var partial = All(q => q.Backward(call, kv));
        var acc = new double[parameters];
        foreach (var g in partial)
        {
            if (g.Length != parameters) throw new PartitionStateException("gradient of the wrong length");
            for (int j = 0; j < parameters; j++) acc[j] += g[j];
        }
        for (int j = 0; j < parameters; j++) grad[j] = (float)acc[j];
        CohortObjective.AddPenaltyGradient(p, grad, isWeight.Span, spec);
        progress?.Step(clock.Elapsed, parts.Count);
        return result;
    }

    /// <summary>The CRM offsets d1, d0 (METHOD.md section 4): the scores at index ceil(n_a q) − 1 of each arm's
    /// descending order over all partitions, by <see cref="RankSelection.Rounds"/> rounds of merged counts.</summary>
    (float D1, float D0) Offsets(long call, double q)
    {
        if (treated == 0 || control == 0) throw new UpliftException("both arms must be non-empty");
        long k1 = CohortObjective.OffsetIndex((int)Math.Min(int.MaxValue, treated), q);
        long k0 = CohortObjective.OffsetIndex((int)Math.Min(int.MaxValue, control), q);
        uint p1 = 0, p0 = 0;
        for (int round = 0; round < RankSelection.Rounds; round++)
        {
            int r = round;
            var counts = All(x => x.Histogram(call, r, p1, p0));
            var sum = new int[2 * RankSelection.Buckets];
            foreach (var c in counts) for (int b = 0; b < sum.Length; b++) sum[b] += c[b];
            (p1, k1) = RankSelection.Narrow(sum.AsSpan(0, RankSelection.Buckets), round, p1, k1);
            (p0, k0) = RankSelection.Narrow(sum.AsSpan(RankSelection.Buckets), round, p0, k0);
        }
        return (RankSelection.FromKey(p1), RankSelection.FromKey(p0));
    }

    T[] All<T>(Func<IPartition, Task<T>> op) => Wait(Task.WhenAll(parts.Select(op)));

    static T Wait<T>(Task<T> t) => t.GetAwaiter().GetResult();
    static void Wait(Task t) => t.GetAwaiter().GetResult();
}

/// <summary>What the coordinator reports while a partitioned training runs (the library never prints: the CLI does).</summary>
public abstract class PartitionProgress
{
    /// <summary>One objective evaluation finished: its wall time (fan-out and merge) and the partitions.</summary>
    public abstract void Step(TimeSpan elapsed, int partitions);
    /// <summary>A step failed and is retried after the partitions are restored.</summary>
    public abstract void Retry(int attempt, Exception error);
}
