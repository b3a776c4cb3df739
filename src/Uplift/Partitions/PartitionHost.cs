using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Models.Linear;
using Uplift.Models;
using Uplift.Models.Ranking;

namespace Uplift.Partitions;

/// <summary>
/// How far a partition is set up: the job and the partition's index, then (each null until the coordinator has it) the
/// fitted preprocessing, the outcome baseline, and the network with the outcome scales. The coordinator sends the whole
/// configuration again after a failure; <see cref="PartitionHost.Ensure"/> redoes only what is missing.
/// </summary>
public sealed record PartitionConfig(string Job, int Index, string? Preprocessor = null, bool Baseline = false,
    string? BaselineModel = null, string? Engine = null)
{
    public string ToJson() => new JsonObject
    {
        ["job"] = Job, ["index"] = Index, ["preprocessor"] = Preprocessor, ["baseline"] = Baseline,
        ["baselineModel"] = BaselineModel, ["engine"] = Engine,
    }.ToJsonString();

    public static PartitionConfig FromJson(string json)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        return new PartitionConfig((string)o["job"]!, (int)o["index"]!, (string?)o["preprocessor"], (bool)o["baseline"]!,
            (string?)o["baselineModel"], (string?)o["engine"]);
    }
}

/// <summary>Which rows of a partition: the split's parts.</summary>
public enum PartitionSet { Train = 0, Valid = 1, Test = 2 }

/// <summary>Thrown when a partition is asked for something its state does not hold (it was re-created, or a pass
/// of the step is missing): the coordinator sends the configuration again and retries the step.</summary>
public sealed class PartitionStateException(string message) : UpliftException(message);

/// <summary>
/// One partition of a partitioned campaign, where it lives (this process, or a worker of a cluster): its rows, read
/// from its file and never sent anywhere; the stages of <see cref="PartitionConfig"/>; and the passes of a training
/// step over its training rows (<see cref="CohortEngine"/>'s, one partition at a time). Every result is a small
/// vector of sums that the coordinator (<see cref="PartitionedCohort"/>) merges in partition order.
/// Not thread-safe: one call at a time (an Orleans grain, or the local loop).
/// </summary>
public sealed class PartitionHost : IDisposable
{
    PartitionConfig? _cfg;
    PartitionJob? _job;
    RawTable? _table;
    int[][] _rows = [];
    string? _partial;
    Preprocessor? _prep;
    Dataset[] _sets = [];
    double[] _prepStats = [];
    Dataset? _trainFit, _validFit;
    double[] _residualStats = [];
    CohortEngine? _train, _valid, _test;
    long _forwardCall = -1;
    readonly int[] _counts = new int[2 * RankSelection.Buckets];

    /// <summary>Threads of this partition's passes (null = all cores); results never depend on it.</summary>
    public int? MaxThreads { get; init; }

    /// <summary>The configuration this host is at (null before the first <see cref="Ensure"/>).</summary>
    public PartitionConfig? Config => _cfg;

    /// <summary>Brings this partition to <paramref name="cfg"/>: reads its file if the job or index changed, then
    /// redoes each later stage whose input changed.</summary>
    public void Ensure(PartitionConfig cfg)
    {
        bool open = _cfg is null || _cfg.Job != cfg.Job || _cfg.Index != cfg.Index;
        bool prep = open || _cfg!.Preprocessor != cfg.Preprocessor || _cfg.Baseline != cfg.Baseline;
        bool resid = prep || _cfg!.BaselineModel != cfg.BaselineModel;
        bool engine = resid || _cfg!.Engine != cfg.Engine;
        _cfg = null;   // a stage that throws leaves the host unconfigured
        if (open) Open(PartitionJob.FromJson(JsonNode.Parse(cfg.Job)!.AsObject()), cfg.Index);
        if (prep)
        {
            ResetFrom(1);
            if (cfg.Preprocessor is not null)
            {
                // The raw table is dropped once transformed (it is the largest part of a partition): read it again.
                if (_table is null) Open(PartitionJob.FromJson(JsonNode.Parse(cfg.Job)!.AsObject()), cfg.Index, keepPartial: true);
                Prepare(cfg.Preprocessor, cfg.Baseline);
                _table = null;
            }
        }
        if (resid) { ResetFrom(2); if (cfg.Preprocessor is not null && (cfg.BaselineModel is not null || !cfg.Baseline)) Residualize(cfg.BaselineModel); }
        if (engine) { ResetFrom(3); if (cfg.Engine is not null) Build(cfg.Engine); }
        _cfg = cfg;
    }

    void ResetFrom(int stage)
    {
        if (stage <= 3) { _train?.Dispose(); _valid?.Dispose(); _test?.Dispose(); _train = _valid = _test = null; _forwardCall = -1; }
        if (stage <= 2) { _trainFit = _validFit = null; _residualStats = []; }
        if (stage <= 1) { _prep = null; _sets = []; _prepStats = []; }
    }

    void Open(PartitionJob job, int index, bool keepPartial = false)
    {
        ResetFrom(1);
        if ((uint)index >= (uint)job.Files.Count) throw new ArgumentOutOfRangeException(nameof(index));
        _job = job;
        _table = TableReader.Read(job.Files[index]);
        var parts = new List<int>[] { new(), new(), new() };
        for (int i = 0; i < _table.Rows; i++) parts[PartitionJob.PartOf(job.Seed, index, i, job.TrainFraction, job.ValidFraction)].Add(i);
        _rows = parts.Select(p => p.ToArray()).ToArray();
        if (!keepPartial) _partial = null;
    }

    /// <summary>The mergeable preprocessing statistics of this partition's training rows (JSON).</summary>
    public string Partial() => _partial ??= Preprocessor.FitPartial(_table ?? throw Missing("file"), _job!.RolesFor(_table), _rows[0], _job.Preprocess)
        .ToJson().ToJsonString();

    void Prepare(string preprocessorJson, bool baseline)
    {
        _prep = Preprocessor.FromJson(JsonNode.Parse(preprocessorJson)!.AsObject());
        _sets = _rows.Select(r => _prep.Transform(_table!, r, requireOutcomes: true, firstRow: 0, requireArms: false)).ToArray();
        var train = _sets[0];
        double c1 = 0, c0 = 0; int n1 = 0;
        for (int i = 0; i < train.Rows; i++) if (train.T[i] != 0) { c1 += train.C[i]; n1++; } else c0 += train.C[i];
        var stats = new List<double> { train.Rows, n1, c1, c0, _sets[1].Rows, _sets[2].Rows };
        _rows = [];
        if (baseline)
        {
            var all = Enumerable.Range(0, train.Rows).ToArray();
            var ones = Enumerable.Repeat(1.0, train.Rows).ToArray();
            var po = new ParallelOptions { MaxDegreeOfParallelism = MaxThreads ?? -1 };
            stats.AddRange(NormalEquations.Compute(new RegressionSet(train.X, train.Features, all, train.V), null, ones, train.V, po).ToArray());
            stats.AddRange(NormalEquations.Compute(new RegressionSet(train.X, train.Features, all, train.C), null, ones, train.C, po).ToArray());
        }
        _prepStats = stats.ToArray();
    }

    /// <summary>After the preprocessing: [training rows, treated training rows, Σ C treated, Σ C control, validation
    /// rows, test rows], then with the baseline the normal equations of V and of C (<see cref="NormalEquations.ToArray"/>).</summary>
    public double[] PrepareStats() => _prep is null ? throw Missing("preprocessing") : _prepStats;

    void Residualize(string? baselineJson)
    {
        var train = _sets[0];
        var valid = _sets[1];
        if (baselineJson is not null)
        {
            var o = JsonNode.Parse(baselineJson)!.AsObject();
            var mv = LinearModel.Load(o["v"]!.AsObject());
            var mc = LinearModel.Load(o["c"]!.AsObject());
            var po = new ParallelOptions { MaxDegreeOfParallelism = MaxThreads ?? -1 };
            train = RankingTrainer.Residual(train, mv, mc, po);
            valid = RankingTrainer.Residual(valid, mv, mc, po);
        }
        _trainFit = train; _validFit = valid;
        var mv0 = Moments.Of(train.V);
        var mc0 = Moments.Of(train.C);
        _residualStats = [train.Rows, mv0.Mean, mv0.SS, mc0.Mean, mc0.SS];
    }

    /// <summary>After the baseline: [rows, mean V, Σ (V − mean)², mean C, Σ (C − mean)²] of the training outcomes the
    /// model is fitted on (mergeable as in <see cref="Preprocessor"/>'s means).</summary>
    public double[] ResidualStats() => _trainFit is null ? throw Missing("baseline") : _residualStats;

    void Build(string engineJson)
    {
        var e = JsonNode.Parse(engineJson)!.AsObject();
        var net = NetworkOf(e, _trainFit!.Features);
        double vs = (double)e["vScale"]!, cs = (double)e["cScale"]!;
        _train = new CohortEngine(net, _trainFit, vs, cs, MaxThreads, partition: true);
        _valid = new CohortEngine(net, _validFit!, vs, cs, MaxThreads, withGradient: false, partition: true);
        _test = new CohortEngine(net, _sets[2], vs, cs, MaxThreads, withGradient: false, partition: true);
    }

    /// <summary>The network an engine configuration names (<c>scorer</c>: linear, or hidden sizes).</summary>
    internal static Network NetworkOf(JsonObject e, int features)
    {
        var hidden = e["hidden"]!.AsArray().Select(n => (int)n!).ToArray();
        return hidden.Length == 0 ? Network.Linear(features) : Network.Mlp(features, hidden);
    }

    CohortEngine Engine => _train ?? throw Missing("network");

    /// <summary>Pass 1 of the DRM for call <paramref name="call"/>: the six per-arm totals (Σ e, Σ e Ṽ, Σ e C̃; treated then control).</summary>
    public double[] Forward(long call, float[] p)
    {
        var t = Engine.ForwardTotals(p);
        _forwardCall = call;
        return PartitionWire.Totals(t);
    }

    /// <summary>Pass 1 of the CRM, first half (scores only).</summary>
    public void ForwardScores(long call, float[] p)
    {
        Engine.ForwardScores(p);
        _forwardCall = call;
    }

    /// <summary>The counts of one round of the offsets' selection (<see cref="RankSelection.Histogram"/>).</summary>
    public int[] Histogram(long call, int round, uint prefix1, uint prefix0)
    {
        Check(call);
        RankSelection.Histogram(Engine.Scores, Engine.Arm, round, prefix1, prefix0, _counts);
        return (int[])_counts.Clone();
    }

    /// <summary>Pass 1 of the CRM, second half: the totals with the cohort's offsets.</summary>
    public double[] Pooled(long call, float d1, float d0, float temperature)
    {
        Check(call);
        return PartitionWire.Totals(Engine.PooledTotals(d1, d0, temperature));
    }

    /// <summary>Pass 2 at the cohort's coefficients: this partition's gradient sum (double, no penalty).</summary>
    public double[] Backward(long call, double[] coefficients)
    {
        Check(call);
        Engine.Backward(PartitionWire.Coefficients(coefficients));
        return Engine.GradientSum.ToArray();
    }

    void Check(long call)
    {
        if (_forwardCall != call) throw new PartitionStateException($"partition {_cfg?.Index}: pass 1 of call {call} is missing (the partition was re-created)");
    }

    /// <summary>The raw scores f(x) of the validation or test rows at <paramref name="p"/>.</summary>
    public float[] Raw(PartitionSet set, float[] p)
    {
        var e = set switch { PartitionSet.Valid => _valid, PartitionSet.Test => _test, _ => _train } ?? throw Missing("network");
        var f = new float[e.Rows];
        e.RawScores(p, f);
        return f;
    }

    /// <summary>T, V and C (as given, before the baseline) of a part's rows, one after the other.</summary>
    public double[] Labels(PartitionSet set)
    {
        if (_sets.Length == 0) throw Missing("preprocessing");
        var d = _sets[(int)set];
        var a = new double[3 * d.Rows];
        for (int i = 0; i < d.Rows; i++) { a[i] = d.T[i]; a[d.Rows + i] = d.V[i]; a[2 * d.Rows + i] = d.C[i]; }
        return a;
    }

    PartitionStateException Missing(string what) => new($"partition {_cfg?.Index.ToString() ?? "?"}: no {what} yet (the partition was re-created or not set up)");

    public void Dispose() => ResetFrom(1);
}

/// <summary>The vectors partitions send: the per-arm totals and the step's row coefficients, packed as doubles.</summary>
internal static class PartitionWire
{
    internal static double[] Totals(in CohortTotals t) =>
        [t.Treated.Z, t.Treated.SV, t.Treated.SC, t.Control.Z, t.Control.SV, t.Control.SC];

    internal static CohortTotals Totals(ReadOnlySpan<double> a) => new()
    {
        Treated = new ArmTotals { Z = a[0], SV = a[1], SC = a[2] },
        Control = new ArmTotals { Z = a[3], SV = a[4], SC = a[5] },
    };

    internal static double[] Coefficients(in RowCoefficients k) =>
        [k.TauV, k.TauC, k.G, k.GV, k.GC, k.KTreated, k.OTreated, k.KControl, k.OControl];

    internal static RowCoefficients Coefficients(ReadOnlySpan<double> a)
    {
        if (a.Length != 9) throw new ArgumentException("coefficients vector length");
        return new RowCoefficients(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
    }
}
