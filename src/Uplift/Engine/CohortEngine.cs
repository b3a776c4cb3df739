using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Uplift.Data;

namespace Uplift.Engine;

/// <summary>What to optimise: g, its λ, and the weight penalty Λ(θ) = L1 Σ|w| + L2 Σ w² (biases not penalised).</summary>
internal readonly record struct ObjectiveSpec(Objective Kind, double Lambda = 1.0, double L1 = 0, double L2 = 0);

/// <summary>The CRM mask of one step (METHOD.md section 4): top fraction q and temperature t.</summary>
internal readonly record struct MaskSpec(double TopFraction, double Temperature);

/// <summary>Result of one evaluation: the cohort effects, g, and the loss −g + Λ(θ).</summary>
internal readonly record struct StepResult(double TauV, double TauC, double G, double Loss, float OffsetTreated, float OffsetControl);

/// <summary>A cohort the training loop optimises over: one <see cref="CohortEngine"/>, or a cohort split in partitions
/// (<c>Partitions/PartitionedCohort</c>).</summary>
internal interface ICohort
{
    /// <summary>Loss and, when <paramref name="grad"/> is given, its exact gradient (see <see cref="CohortEngine.Run"/>).</summary>
    StepResult Run(float[] p, float[]? grad, in ObjectiveSpec spec, MaskSpec? mask);
}

/// <summary>
/// The exact full-batch objective and gradient over one cohort (METHOD.md sections 2-4), computed in two
/// passes over fixed chunks of <see cref="ChunkRows"/> rows:
/// <list type="number">
/// <item>pass 1 (parallel over chunks): forward s_i = tanh(f(x_i)); for the CRM, the per-arm offsets by
/// selection and the pooled scores ŝ_i (<see cref="CohortObjective.Pooled"/>); per-chunk totals
/// (<see cref="CohortObjective.Totals"/>: Σ e_i, Σ e_i Ṽ_i, Σ e_i C̃_i per arm, in double); the totals are then
/// reduced in chunk order;</item>
/// <item>pass 2 (parallel over chunks): dLoss/df_i per row from the totals, through the mask and the tanh
/// (<see cref="CohortObjective.RowGradients"/>), back through the network into a per-chunk gradient; those are
/// summed in chunk order (in double).</item>
/// </list>
/// The objective's formulas live in <see cref="CohortObjective"/>; this class only schedules chunks, runs the
/// network and reduces the partial sums.
/// The chunking does not depend on the thread count and every reduction has a fixed order, so results are
/// bit-identical for any <c>MaxThreads</c>. Forward activations are kept between the passes when they fit
/// in <c>activationBudgetBytes</c>, otherwise pass 2 recomputes them chunk by chunk.
/// Outcomes are rescaled: Ṽ_i = κ_i V_i / σ_V, C̃_i = κ_i C_i / σ_C (κ_i the inverse-propensity factor, 1 without propensity).
/// </summary>
internal sealed unsafe class CohortEngine : ICohort, IDisposable
{
    /// <summary>Rows per chunk (fixed; independent of the thread count).</summary>
    public const int ChunkRows = 1024;

    readonly Network _net;
    readonly int _n, _d, _chunks, _P, _L;
    readonly float[] _x;
    GCHandle _xHandle;
    readonly float* _px;
    readonly byte[] _t;
    readonly float[] _v, _c;
    readonly float[]? _w;
    readonly float[] _s, _sHat, _dPool, _e;
    readonly AlignedBuffer? _acts;          // stored activations, per layer N x P_l
    readonly long[] _actsLayerOffset;
    readonly AlignedBuffer _params;
    readonly AlignedBuffer? _partials;      // chunks x P
    readonly CohortTotals[] _chunkTotals;
    readonly bool[] _isWeight;
    readonly ParallelOptions _po;
    readonly int _threads;
    readonly ConcurrentBag<Worker> _workers = new();
    readonly Worker _main;                  // the calling thread's scratch (the single-threaded path rents nothing)
    readonly float[] _armScratch1, _armScratch0;
    readonly double[] _gradAcc;

    // The chunk bodies are built once (a lambda per call would allocate on every step); the state of the current
    // call lives in these fields, written before and only read during a pass.
    readonly Action<int, Worker> _forwardBody, _pooledBody, _backwardBody, _rawBody;
    readonly Func<int, ParallelLoopState, Worker, Worker> _forwardLoop, _pooledLoop, _backwardLoop, _rawLoop;
    readonly Func<Worker> _rent;
    readonly Action<Worker> _return;
    readonly Action<int> _reduceBlock;
    bool _crm;
    float _temp, _d1, _d0;
    RowCoefficients _k;
    float[]? _rawOut;

    /// <summary>
    /// Work per step (rows x (parameters + <see cref="RowOverhead"/>)) that one thread is given before a second one
    /// is used: below 2 x this, a step runs on the calling thread alone (no dispatch, no allocation). Measured with
    /// <c>bench step --threshold</c> (docs/BENCHMARKS.md, "Step cost and start-up"): the dispatch and join of the two
    /// passes cost about 60 µs a step on the 2-core EPYC, and on that shared, loaded machine a second thread won at no
    /// measured size; 2^25 puts the switch where one thread's step takes a few milliseconds, so the dispatch is at most
    /// a few per cent of it (linear scorer: from about 250,000 rows; MLP(64) on 50 features: from about 19,000 rows).
    /// The thread count never changes results: chunks and reduction order are fixed.
    /// </summary>
    public const long MinWorkPerThread = 1L << 25;

    /// <summary>The per-row cost of the objective's own terms (exp, tanh, totals, row gradient, the row's loads) in
    /// parameter units: measured, a row of the linear scorer on 12 features costs about as much as 250-300 parameters.</summary>
    public const int RowOverhead = 256;

    /// <summary>Threads a step uses for a cohort of <paramref name="rows"/> rows and <paramref name="parameters"/>
    /// parameters under the cap <paramref name="maxThreads"/> (null = all cores): at least one, one per
    /// <see cref="MinWorkPerThread"/> of work.</summary>
    public static int ThreadsFor(long rows, int parameters, int? maxThreads, long minWorkPerThread = MinWorkPerThread)
    {
        int cap = Math.Max(1, maxThreads ?? Environment.ProcessorCount);
        long work = rows * (parameters + RowOverhead);
        return (int)Math.Clamp(work / Math.Max(1, minWorkPerThread), 1, cap);
    }

    /// <summary>Threads the passes of this engine use (see <see cref="ThreadsFor"/>).</summary>
    public int Threads => _threads;

    public int Rows => _n;
    public int Treated { get; }
    public int Control { get; }
    public bool StoresActivations => _acts is not null;

    /// <param name="net">The scoring network.</param>
    /// <param name="data">The cohort (must have outcomes; both arms non-empty).</param>
    /// <param name="vScale">σ_V: V is divided by it.</param>
    /// <param name="cScale">σ_C: C is divided by it.</param>
    /// <param name="maxThreads">Thread cap (null = all cores); results never depend on it.</param>
    /// <param name="withGradient">False for an evaluation-only cohort (validation): no gradient buffers.</param>
    /// <param name="activationBudgetBytes">Keep forward activations between passes when they fit.</param>
    /// <param name="minWorkPerThread">Tests only: the work per thread (default <see cref="MinWorkPerThread"/>).</param>
    /// <param name="partition">One partition of a larger cohort (<c>Partitions/</c>): may be empty or lack an arm; the
    /// cohort's totals are merged by the caller.</param>
    public CohortEngine(Network net, Dataset data, double vScale, double cScale, int? maxThreads,
        bool withGradient = true, long activationBudgetBytes = 2L << 30, long minWorkPerThread = MinWorkPerThread, bool partition = false)
    {
        if (!data.HasOutcomes && !(partition && data.Rows == 0)) throw new UpliftException("training a ranking model needs T, V and C for every user");
        if (data.Features != net.Inputs) throw new UpliftException($"data has {data.Features} features, the network expects {net.Inputs}");
        if (!(vScale > 0) || !(cScale > 0)) throw new ArgumentOutOfRangeException(nameof(vScale), "outcome scales must be positive");
        _net = net; _n = data.Rows; _d = data.Features; _P = net.ParameterCount; _L = net.Hidden.Count;
        _chunks = (_n + ChunkRows - 1) / ChunkRows;
        _x = data.X;
        _xHandle = GCHandle.Alloc(_x, GCHandleType.Pinned);
        _px = (float*)_xHandle.AddrOfPinnedObject();
        _t = data.T;
        Treated = data.TreatedCount; Control = _n - Treated;
        if (!partition && (Treated == 0 || Control == 0)) throw new UpliftException($"both arms must be non-empty (treated {Treated}, control {Control})");

        // Rescaled, inverse-propensity-weighted outcomes (METHOD.md sections 2-3).
        double eHat = _n == 0 ? 0 : (double)Treated / _n;
        _v = new float[_n]; _c = new float[_n];
        var prop = data.Propensity;
        for (int i = 0; i < _n; i++)
        {
            double kappa = 1;
            if (prop is not null)
            {
                double e = prop[i];
                if (!(e > 0 && e < 1)) throw new UpliftDataException($"propensity must be strictly between 0 and 1, got {e}", row: i + 1, column: "propensity");
                kappa = _t[i] != 0 ? eHat / e : (1 - eHat) / (1 - e);
            }
            _v[i] = (float)(kappa * data.V[i] / vScale);
            _c[i] = (float)(kappa * data.C[i] / cScale);
            if (!float.IsFinite(_v[i]) || !float.IsFinite(_c[i])) throw new UpliftDataException("V and C must be finite", row: i + 1);
        }
        if (data.Weight is { } wt)
        {
            _w = new float[_n];
            double w1 = 0, w0 = 0;
            for (int i = 0; i < _n; i++)
            {
                if (!(wt[i] >= 0) || double.IsInfinity(wt[i])) throw new UpliftDataException($"sample weight must be finite and non-negative, got {wt[i]}", row: i + 1, column: "weight");
                _w[i] = (float)wt[i];
                if (_t[i] != 0) w1 += wt[i]; else w0 += wt[i];
            }
            if (!partition && (!(w1 > 0) || !(w0 > 0))) throw new UpliftDataException("the sample weights of each arm must have a positive sum");
        }
        _s = new float[_n]; _sHat = new float[_n]; _dPool = new float[_n]; _e = new float[_n];
        _armScratch1 = new float[Treated]; _armScratch0 = new float[Control];

        _actsLayerOffset = new long[_L];
        long perRow = net.ActivationsPerRow;
        if (_L > 0 && (long)_n * perRow * sizeof(float) <= activationBudgetBytes)
        {
            _acts = new AlignedBuffer((long)_n * perRow);
            long off = 0;
            for (int l = 0; l < _L; l++) { _actsLayerOffset[l] = off; off += (long)_n * net.Pad[l]; }
        }
        _params = new AlignedBuffer(_P);
        if (withGradient) _partials = new AlignedBuffer((long)_chunks * _P);
        _chunkTotals = new CohortTotals[_chunks];
        _isWeight = new bool[_P];
        for (int j = 0; j < _P; j++) _isWeight[j] = net.IsWeight(j);
        _gradAcc = new double[_P];
        _threads = ThreadsFor(_n, _P, maxThreads, minWorkPerThread);
        _po = new ParallelOptions { MaxDegreeOfParallelism = _threads };
        _main = new Worker(net, _acts is not null);
        _rent = Rent; _return = Return;
        _forwardBody = ForwardChunk; _pooledBody = PooledChunk; _backwardBody = BackwardChunk; _rawBody = RawChunk;
        _forwardLoop = (c, _, w) => { ForwardChunk(c, w); return w; };
        _pooledLoop = (c, _, w) => { PooledChunk(c, w); return w; };
        _backwardLoop = (c, _, w) => { BackwardChunk(c, w); return w; };
        _rawLoop = (c, _, w) => { RawChunk(c, w); return w; };
        _reduceBlock = b => ReduceBlock(b * ReduceBlockSize, Math.Min(_P, b * ReduceBlockSize + ReduceBlockSize));
    }

    /// <summary>The scores s_i = tanh(f(x_i)) of the last evaluation.</summary>
    public ReadOnlySpan<float> Scores => _s;

    /// <summary>Objective only (pass 1 and the totals).</summary>
    public StepResult Evaluate(float[] p, in ObjectiveSpec spec, MaskSpec? mask) => Run(p, null, spec, mask);

    /// <summary>
    /// Loss −g(τv, τc) + Λ(θ) at parameters <paramref name="p"/>; when <paramref name="grad"/> is given, it receives
    /// the exact full-batch gradient dLoss/dθ. <paramref name="mask"/> non-null = the CRM's pooled scores.
    /// </summary>
    public StepResult Run(float[] p, float[]? grad, in ObjectiveSpec spec, MaskSpec? mask)
    {
        if (grad is not null && (grad.Length != _P || _partials is null)) throw new ArgumentException("gradient buffer");
        // ---- pass 1: forward, (CRM: offsets and pooled scores), per-chunk totals
        float d1 = 0, d0 = 0;
        CohortTotals totals;
        if (mask is null) totals = ForwardTotals(p);
        else
        {
            ForwardScores(p);
            double q = mask.Value.TopFraction;
            // stop-gradient: d is a constant of the step; with two threads the arms' selections run side by side
            if (_threads > 1) (d1, d0) = ArmOffsetsInParallel(q);
            else { d1 = ArmOffset(1, q); d0 = ArmOffset(0, q); }
            totals = PooledTotals(d1, d0, (float)mask.Value.Temperature);
        }
        var k = CohortObjective.Coefficients(totals, spec.Kind, spec.Lambda);
        var result = new StepResult(k.TauV, k.TauC, k.G, -k.G + CohortObjective.Penalty(p, _isWeight, spec), d1, d0);
        if (grad is null) return result;

        // ---- pass 2: dLoss/dŝ_i -> through the mask and tanh -> through the network, per-chunk gradients
        Backward(k);
        for (int j = 0; j < _P; j++) grad[j] = (float)_gradAcc[j];
        CohortObjective.AddPenaltyGradient(p, grad, _isWeight, spec);
        return result;
    }

    // The passes one by one, for a cohort split in partitions (Partitions/PartitionedCohort): the caller merges the
    // totals and the gradients of the partitions in partition order, as Run merges those of its chunks.

    /// <summary>Pass 1 of the DRM: forward s = tanh(f) and the totals of this cohort (chunk totals summed in chunk order).</summary>
    public CohortTotals ForwardTotals(float[] p)
    {
        LoadParameters(p);
        _crm = false;
        ForChunks(_forwardBody, _forwardLoop);
        return SumChunkTotals();
    }

    /// <summary>Pass 1 of the CRM, first half: forward s = tanh(f) (<see cref="Scores"/>), no totals yet.</summary>
    public void ForwardScores(float[] p)
    {
        LoadParameters(p);
        _crm = true;
        ForChunks(_forwardBody, _forwardLoop);
    }

    /// <summary>Pass 1 of the CRM, second half: pooled scores with the offsets d1, d0 and temperature t, and the totals.</summary>
    public CohortTotals PooledTotals(float d1, float d0, float temperature)
    {
        _temp = temperature; _d1 = d1; _d0 = d0;
        ForChunks(_pooledBody, _pooledLoop);
        return SumChunkTotals();
    }

    /// <summary>Pass 2 at the step's coefficients <paramref name="k"/> (computed from the whole cohort's totals): the
    /// gradient of this cohort's rows, summed over chunks in chunk order in double, in <see cref="GradientSum"/>.</summary>
    public void Backward(in RowCoefficients k)
    {
        if (_partials is null) throw new ArgumentException("an evaluation-only engine has no gradient");
        _k = k;
        ForChunks(_backwardBody, _backwardLoop);
        ReduceGradient();
    }

    /// <summary>The double sum of the last <see cref="Backward"/> (no penalty).</summary>
    public ReadOnlySpan<double> GradientSum => _gradAcc;

    /// <summary>The arm (0 control, 1 treated) of each row.</summary>
    public ReadOnlySpan<byte> Arm => _t;

    /// <summary>Which parameters are weights (penalised) rather than biases.</summary>
    public ReadOnlySpan<bool> IsWeight => _isWeight;

    void LoadParameters(float[] p)
    {
        if (p.Length != _P) throw new ArgumentException("parameter vector length");
        p.AsSpan().CopyTo(_params.Span(0, _P));
    }

    CohortTotals SumChunkTotals()
    {
        var totals = new CohortTotals();
        for (int c = 0; c < _chunks; c++) totals.Add(_chunkTotals[c]);
        return totals;
    }

    /// <summary>
    /// The raw scores f(x_i) (before the tanh) at parameters <paramref name="p"/> into <paramref name="f"/>: the
    /// forward pass alone, on this engine's chunks and threads (what the validation AUCC ranks by).
    /// </summary>
    public void RawScores(float[] p, float[] f)
    {
        if (f.Length != _n) throw new ArgumentException("score buffer length");
        LoadParameters(p);
        _rawOut = f;
        try { ForChunks(_rawBody, _rawLoop); }
        finally { _rawOut = null; }
    }

    // The chunk bodies of the passes (METHOD.md sections 2-4 through CohortObjective).
    void ForwardChunk(int c, Worker wk)
    {
        int r0 = c * ChunkRows, rows = Math.Min(ChunkRows, _n - r0);
        float** acts = ActsFor(r0, wk);
        _net.Forward(_params.Ptr, _px + (long)r0 * _d, rows, acts, wk.F);
        Activations.Tanh(new ReadOnlySpan<float>(wk.F, rows), _s.AsSpan(r0, rows));   // s = tanh(f)
        if (!_crm) ChunkTotals(c, _s);
    }

    void PooledChunk(int c, Worker _)
    {
        int r0 = c * ChunkRows, rows = Math.Min(ChunkRows, _n - r0);
        CohortObjective.Pooled(_s.AsSpan(r0, rows), _t.AsSpan(r0, rows), _temp, _d1, _d0, _sHat.AsSpan(r0, rows), _dPool.AsSpan(r0, rows));
        ChunkTotals(c, _sHat);
    }

    void BackwardChunk(int c, Worker wk)
    {
        int r0 = c * ChunkRows, rows = Math.Min(ChunkRows, _n - r0);
        float* df = wk.Df;
        CohortObjective.RowGradients(_k, _t.AsSpan(r0, rows), _e.AsSpan(r0, rows), _v.AsSpan(r0, rows), _c.AsSpan(r0, rows),
            _crm ? _dPool.AsSpan(r0, rows) : default, _s.AsSpan(r0, rows), new Span<float>(df, rows));
        float** acts = ActsFor(r0, wk);
        float* x = _px + (long)r0 * _d;
        if (_acts is null && _L > 0) _net.Forward(_params.Ptr, x, rows, acts, wk.F);   // recompute when not stored
        float* g = _partials!.Ptr + (long)c * _P;
        new Span<float>(g, _P).Clear();
        _net.Backward(_params.Ptr, x, rows, acts, df, g, wk.Back);
    }

    void RawChunk(int c, Worker wk)
    {
        int r0 = c * ChunkRows, rows = Math.Min(ChunkRows, _n - r0);
        float** acts = ActsFor(r0, wk);
        _net.Forward(_params.Ptr, _px + (long)r0 * _d, rows, acts, wk.F);
        new ReadOnlySpan<float>(wk.F, rows).CopyTo(_rawOut.AsSpan(r0, rows));
    }

    /// <summary>Per-layer activation pointers of a chunk: into the stored activations, or the worker's scratch.</summary>
    float** ActsFor(int r0, Worker wk)
    {
        float* p = wk.ChunkActs;
        for (int l = 0; l < _L; l++)
        {
            if (_acts is not null) wk.ActPtrs[l] = _acts.Ptr + _actsLayerOffset[l] + (long)r0 * _net.Pad[l];
            else { wk.ActPtrs[l] = p; p += ChunkRows * _net.Pad[l]; }
        }
        return wk.ActPtrs;
    }

    /// <summary>Scratch of one worker (reused across chunks and steps; its content never leaks into results).</summary>
    sealed class Worker : IDisposable
    {
        readonly AlignedBuffer _buf;
        public readonly float* F, Df, ChunkActs, Back;
        public readonly float** ActPtrs;
        public Worker(Network net, bool storeActs)
        {
            long acts = storeActs ? 0 : (long)ChunkRows * net.ActivationsPerRow;
            _buf = new AlignedBuffer(2L * ChunkRows + acts + net.BackwardScratch(ChunkRows));
            F = _buf.Ptr; Df = F + ChunkRows; ChunkActs = Df + ChunkRows; Back = ChunkActs + acts;
            ActPtrs = (float**)NativeMemory.AllocZeroed((nuint)(Math.Max(1, net.Hidden.Count) * sizeof(float*)));
        }
        public void Dispose() { _buf.Dispose(); NativeMemory.Free(ActPtrs); }
    }

    Worker Rent() => _workers.TryTake(out var w) ? w : new Worker(_net, _acts is not null);
    void Return(Worker w) => _workers.Add(w);

    /// <summary>Runs <paramref name="body"/> for every chunk: on the calling thread with its own scratch (no
    /// allocation) when the engine uses one thread, otherwise <paramref name="loop"/> in parallel up to the thread count.</summary>
    void ForChunks(Action<int, Worker> body, Func<int, ParallelLoopState, Worker, Worker> loop)
    {
        if (_threads == 1 || _chunks == 1)
        {
            for (int c = 0; c < _chunks; c++) body(c, _main);
            return;
        }
        Parallel.For(0, _chunks, _po, _rent, loop, _return);
    }

    /// <summary>Pass 1's totals of chunk <paramref name="c"/> from its scores ŝ (s for the DRM), kept for the ordered reduction.</summary>
    void ChunkTotals(int c, float[] sHat)
    {
        int r0 = c * ChunkRows, rows = Math.Min(ChunkRows, _n - r0);
        _chunkTotals[c] = CohortObjective.Totals(sHat.AsSpan(r0, rows), _t.AsSpan(r0, rows), _v.AsSpan(r0, rows), _c.AsSpan(r0, rows),
            _w is null ? default : _w.AsSpan(r0, rows), _e.AsSpan(r0, rows));
    }

    /// <summary>Both arms' offsets on two threads (a method of its own: the lambdas' closure would otherwise be
    /// allocated on every call of <see cref="Run"/>, single-threaded too).</summary>
    (float D1, float D0) ArmOffsetsInParallel(double q)
    {
        float d1 = 0, d0 = 0;
        Parallel.Invoke(_po, () => d1 = ArmOffset(1, q), () => d0 = ArmOffset(0, q));
        return (d1, d0);
    }

    float ArmOffset(byte arm, double q)
    {
        int m = 0;
        var buf = arm != 0 ? _armScratch1 : _armScratch0;
        for (int i = 0; i < _n; i++) if (_t[i] == arm) buf[m++] = _s[i];
        return CohortObjective.Offset(buf.AsSpan(0, m), q);
    }

    /// <summary>grad = Σ over chunks, in chunk order, of the per-chunk gradients, summed in double (parameters split in fixed blocks).</summary>
    const int ReduceBlockSize = 512;

    void ReduceGradient()
    {
        const int Block = ReduceBlockSize;
        int blocks = (_P + Block - 1) / Block;
        if (_threads == 1 || blocks == 1) for (int b = 0; b < blocks; b++) ReduceBlock(b * Block, Math.Min(_P, b * Block + Block));
        else Parallel.For(0, blocks, _po, _reduceBlock);
    }

    /// <summary>_gradAcc[j0..j1) = Σ over chunks, in chunk order, of the per-chunk gradients, in double.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    void ReduceBlock(int j0, int j1)
    {
        float* parts = _partials!.Ptr;
        fixed (double* acc0 = _gradAcc)
        {
            double* acc = acc0 + j0;
            int len = j1 - j0;
            new Span<double>(acc, len).Clear();
            for (int c = 0; c < _chunks; c++)
            {
                float* g = parts + (long)c * _P + j0;
                int j = 0;
                if (Vector512.IsHardwareAccelerated)
                    for (; j + 16 <= len; j += 16)
                    {
                        var (lo, hi) = Vector512.Widen(Vector512.Load(g + j));
                        (Vector512.Load(acc + j) + lo).Store(acc + j);
                        (Vector512.Load(acc + j + 8) + hi).Store(acc + j + 8);
                    }
                for (; j < len; j++) acc[j] += g[j];
            }
        }
    }

    public void Dispose()
    {
        if (_xHandle.IsAllocated) _xHandle.Free();
        _acts?.Dispose(); _params.Dispose(); _partials?.Dispose(); _main.Dispose();
        while (_workers.TryTake(out var w)) w.Dispose();
    }
}
