using System.Diagnostics;
using Uplift.Allocation;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Forest;

namespace Uplift.Scoring;

/// <summary>Options of <see cref="StreamingScorer"/>. Every property has a documented default and a range checked by <see cref="Validate"/>.</summary>
public sealed record StreamScoreOptions
{
    /// <summary>Rows per CSV chunk and per transform/score slice (default 65,536; range 1..16,777,216). A Parquet chunk is one row group.</summary>
    public int ChunkRows { get; init; } = 65536;

    /// <summary>Worker threads, each reading, transforming and scoring whole chunks (default null = all cores; range 1..1024).</summary>
    public int? MaxThreads { get; init; }

    /// <summary>
    /// Most chunks alive at once, from reading to written (default null = threads + 2; range 1..1024). This bounds the
    /// memory: about (ChunkRows or the row-group size) x (bytes per input row + 4 x features) per chunk.
    /// </summary>
    public int? MaxChunksInFlight { get; init; }

    /// <summary>How CSV input is read (separator, missing tokens). Default: <see cref="TableReadOptions"/>'s defaults.</summary>
    public TableReadOptions? Read { get; init; }

    /// <summary>Input columns carried through unchanged into the output (default none), written after the score columns in
    /// the input file's column order: a CSV cell's text as it is (a numeric feature of the model as its number), a Parquet
    /// value as text. A name absent from the input, repeated, or equal to an output column (the id, <c>score</c>,
    /// <c>arm</c>, an effect column) is an error.</summary>
    public IReadOnlyList<string>? Keep { get; init; }

    /// <summary>Also write each user's estimated effects (default false): <c>tau_v</c> and <c>tau_c</c> for a binary model that
    /// estimates them (<see cref="IEffectModel"/>), <c>tau_v_LABEL</c> and <c>tau_c_LABEL</c> per arm for a model of several
    /// arms (<see cref="IMultiArmModel"/>: the heads' own effects or their calibration). Another model is an error naming it.</summary>
    public bool Effects { get; init; }

    /// <summary>With <see cref="Effects"/>, also write normal intervals at this level (0 &lt; level &lt; 1; default none):
    /// <c>tau_v_lo</c>, <c>tau_v_hi</c>, <c>tau_c_lo</c>, <c>tau_c_hi</c> after the effects (<see cref="StreamingScorer.IntervalColumns"/>).
    /// Only a causal-forest model of one arm fitted with little bags (<c>CausalForestOptions.CiGroupSize</c> &gt;= 2) gives
    /// them; another model is an error naming it.</summary>
    public double? Level { get; init; }

    /// <summary>Throws <see cref="UpliftOptionException"/> for an option out of range.</summary>
    public void Validate()
    {
        UpliftOptionException.Check(ChunkRows is >= 1 and <= 1 << 24, "chunk-rows", $"{ChunkRows} outside 1..16777216");
        UpliftOptionException.Check(MaxThreads is null or (>= 1 and <= 1024), "threads", $"{MaxThreads} outside 1..1024");
        UpliftOptionException.Check(MaxChunksInFlight is null or (>= 1 and <= 1024), "chunks-in-flight", $"{MaxChunksInFlight} outside 1..1024");
        UpliftOptionException.Check(Level is null or (> 0 and < 1), "level", $"{Level} outside (0, 1)");
        UpliftOptionException.Check(Level is null || Effects, "level", "intervals are written with the effects: add --effects");
        if (Keep is not null)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var k in Keep)
            {
                UpliftOptionException.Check(!string.IsNullOrEmpty(k), "keep", "a column name is empty.");
                UpliftOptionException.Check(seen.Add(k), "keep", $"'{k}' is named twice.");
            }
        }
    }

    internal int Threads => MaxThreads ?? Environment.ProcessorCount;
    internal int InFlight => MaxChunksInFlight ?? Threads + 1;
}

/// <summary>What a streaming run did.</summary>
/// <param name="Rows">Rows scored (= rows written).</param>
/// <param name="Chunks">Chunks read.</param>
/// <param name="PeakChunksInFlight">Most chunks alive at once (never above <see cref="StreamScoreOptions.MaxChunksInFlight"/>).</param>
/// <param name="Elapsed">Wall time from opening the input to the committed output.</param>
public sealed record StreamScoreResult(long Rows, int Chunks, int PeakChunksInFlight, TimeSpan Elapsed)
{
    /// <summary>Rows per second of wall time.</summary>
    public double RowsPerSecond => Elapsed.TotalSeconds > 0 ? Rows / Elapsed.TotalSeconds : double.PositiveInfinity;
}

/// <summary>
/// Scores a file of any size in bounded memory: the input (CSV or Parquet) is read in chunks
/// (<see cref="TableChunkReader"/>), each chunk is transformed by the model file's <see cref="Preprocessor"/> and
/// scored by its model on worker threads (the workers are the parallelism: each chunk is scored single-threaded,
/// <c>Score(data, scores, maxThreads: 1)</c>, so <see cref="StreamScoreOptions.MaxThreads"/> caps the whole run), and the id column (when the model has one) and <c>score</c> are written
/// chunk by chunk in input order (<see cref="ChunkWriter"/>), with a model of several arms also <see cref="ArmColumn"/>, then the effects and the kept input columns when asked
/// (<see cref="StreamScoreOptions.Effects"/>, <see cref="StreamScoreOptions.Keep"/>). At most <see cref="StreamScoreOptions.MaxChunksInFlight"/>
/// chunks are alive at once; the whole file is never held. The scores equal those of
/// <see cref="FittedPipeline.Score(RawTable, int?)"/> on the whole table (every model scores each row on its own).
/// Errors name the file's row. The output is atomic: it appears only when every row was written.
/// </summary>
public static class StreamingScorer
{
    /// <summary>The name of the output's score column.</summary>
    public const string ScoreColumn = "score";

    /// <summary>The name of the output's arm column, written for a model of K &gt; 1 arms: the label of the arm of the
    /// user's first upgrade on the budget path (the steepest segment of its hull, METHOD.md section 10: the arm whose
    /// guarded ratio is <c>score</c>), or the control label when no arm has a positive estimated value.</summary>
    public const string ArmColumn = "arm";

    /// <summary>Whether <paramref name="model"/>'s output has the <see cref="ArmColumn"/> (a model of several arms).</summary>
    public static bool WritesArm(FittedPipeline model) => model.Model is IMultiArmModel { Arms: > 1 };

    /// <summary>The names of the effect columns with <see cref="StreamScoreOptions.Effects"/>: <c>tau_v</c>, <c>tau_c</c>
    /// (one arm), or per arm in T order <c>tau_v_LABEL</c>, <c>tau_c_LABEL</c> (the names <c>uplift evaluate --score tau</c>
    /// reads); null when the model does not estimate the two effects.</summary>
    public static IReadOnlyList<string>? EffectColumns(FittedPipeline model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Model is IMultiArmModel { Arms: > 1 })
            return [.. model.Preprocessor.ArmLabels.SelectMany(l => new[] { $"{EffectValueColumn}_{l}", $"{EffectCostColumn}_{l}" })];
        return model.Model is IEffectModel or IMultiArmModel ? [EffectValueColumn, EffectCostColumn] : null;
    }

    /// <summary>The interval columns with <see cref="StreamScoreOptions.Level"/>, in order.</summary>
    public static IReadOnlyList<string> IntervalColumns { get; } = ["tau_v_lo", "tau_v_hi", "tau_c_lo", "tau_c_hi"];

    /// <summary>The model's intervals, or an <see cref="UpliftOptionException"/> saying which models give them.</summary>
    static CausalForestModel IntervalModel(FittedPipeline model) =>
        model.Model is CausalForestModel { HasIntervals: true } cf ? cf
        : throw new UpliftOptionException("level", model.Model is CausalForestModel
            ? "this causal-forest model was fitted without little bags: train it with --ci-group-size 2 to get intervals"
            : $"a {model.Model.Kind} model gives no intervals (only a causal-forest model of one arm trained with --ci-group-size 2 does)");

    /// <summary>Names of the estimated effects (METHOD.md section 1), alone or as the prefix of an arm's pair.</summary>
    public const string EffectValueColumn = "tau_v", EffectCostColumn = "tau_c";

    /// <summary>The output's columns, in order: the id (when the model has one), <see cref="ScoreColumn"/>, <see cref="ArmColumn"/>
    /// (several arms), the effect columns (<see cref="StreamScoreOptions.Effects"/>), then the kept columns in the input's
    /// column order (<paramref name="fileColumns"/>). Throws <see cref="UpliftOptionException"/> for effects the model cannot
    /// give and a kept column named as an output column.</summary>
    public static IReadOnlyList<ChunkColumn> OutputColumns(FittedPipeline model, StreamScoreOptions options, IReadOnlyList<string> fileColumns)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(fileColumns);
        string? id = model.Preprocessor.Roles.Id;
        var outCols = new List<ChunkColumn>();
        if (id is not null) outCols.Add(new ChunkColumn(id, Numeric: false));
        outCols.Add(new ChunkColumn(ScoreColumn, Numeric: true));
        if (WritesArm(model))
        {
            if (id == ArmColumn) throw new UpliftOptionException("id", $"the id column may not be named '{ArmColumn}': a multi-arm model writes an '{ArmColumn}' column.");
            outCols.Add(new ChunkColumn(ArmColumn, Numeric: false));
        }
        if (options.Effects)
        {
            var effects = EffectColumns(model) ?? throw new UpliftOptionException("effects",
                $"a {model.Model.Kind} model does not estimate tau_v and tau_c (the models that do: tlearner, rlearner with --outcome both, " +
                "causal-forest, and every model of several arms).");
            foreach (var e in effects)
            {
                if (e == id) throw new UpliftOptionException("effects", $"the id column '{id}' has the name of an effect column.");
                outCols.Add(new ChunkColumn(e, Numeric: true));
            }
            if (options.Level is not null)
            {
                IntervalModel(model);
                foreach (var e in IntervalColumns)
                {
                    if (e == id) throw new UpliftOptionException("level", $"the id column '{id}' has the name of an interval column.");
                    outCols.Add(new ChunkColumn(e, Numeric: true));
                }
            }
        }
        if (options.Keep is { Count: > 0 } keep)
        {
            var taken = outCols.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var k in keep)
                if (taken.Contains(k))
                    throw new UpliftOptionException("keep", $"'{k}' is already an output column ({string.Join(", ", outCols.Select(c => c.Name))}): it cannot be kept as well.");
            var asked = keep.ToHashSet(StringComparer.Ordinal);
            var numeric = model.Preprocessor.Specs.Where(s => s.Kind == FeatureKind.Numeric).Select(s => s.Column).ToHashSet(StringComparer.Ordinal);
            foreach (var c in fileColumns.Distinct(StringComparer.Ordinal))
                if (asked.Contains(c)) outCols.Add(new ChunkColumn(c, Numeric: numeric.Contains(c)));
        }
        return outCols;
    }

    /// <summary>Scores <paramref name="dataPath"/> into <paramref name="outPath"/> (format from the extension, as <see cref="TableWriter.Write"/>).</summary>
    public static StreamScoreResult Score(FittedPipeline model, string dataPath, string outPath, StreamScoreOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new StreamScoreOptions();
        options.Validate();
        var clock = Stopwatch.StartNew();
        OutputColumns(model, options, options.Keep ?? []); // the option errors before the input is opened
        using var reader = OpenWithKept(model, dataPath, options);
        using var writer = ChunkWriter.Create(outPath, OutputColumns(model, options, reader.FileColumns));
        var (rows, chunks, peak) = Run(model, reader, writer.Write, options, cancellation);
        writer.Commit();
        return new StreamScoreResult(rows, chunks, peak, clock.Elapsed);
    }

    /// <summary>The reader of the model's input columns and the kept ones (as text); a kept column absent from the input
    /// is an error naming it.</summary>
    static TableChunkReader OpenWithKept(FittedPipeline model, string dataPath, StreamScoreOptions options)
    {
        var cols = InputColumns(model.Preprocessor).ToList();
        var kept = (options.Keep ?? []).Where(k => !cols.Any(c => c.Name == k)).ToList();
        cols.AddRange(kept.Select(k => new ChunkColumn(k, Numeric: false)));
        try { return TableChunkReader.Open(dataPath, cols, options.ChunkRows, options.Read); }
        catch (UpliftDataException e) when (e.Column is { } c && kept.Contains(c) && e.Row is null)
        {
            int at = e.Message.IndexOf("available columns:", StringComparison.Ordinal);
            throw new UpliftDataException($"no column '{c}' to keep (--keep)" + (at >= 0 ? "; " + e.Message[at..] : ""), e.File, column: c);
        }
    }

    /// <summary>
    /// Scores every chunk of <paramref name="reader"/> and hands each result to <paramref name="sink"/> in input order
    /// (on the calling thread): a table of the <see cref="OutputColumns"/> (the id column as text when the model has one,
    /// <c>score</c>, for a model of several arms <see cref="ArmColumn"/>, the effects and the kept columns when asked; the
    /// reader must hold the kept columns).
    /// Returns (rows, chunks, peak chunks in flight).
    /// </summary>
    public static (long Rows, int Chunks, int PeakChunksInFlight) Run(FittedPipeline model, TableChunkReader reader, Action<RawTable> sink,
        StreamScoreOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sink);
        options ??= new StreamScoreOptions();
        options.Validate();
        OutputColumns(model, options, reader.FileColumns); // effects the model cannot give, a kept column named as an output

        int workers = options.Threads, maxInFlight = options.InFlight;
        using var slots = new SemaphoreSlim(maxInFlight);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var done = new Dictionary<int, RawTable>();
        var gate = new object();
        int inFlight = 0, peak = 0, running = workers, chunks = 0;
        Exception? failure = null;
        int failedChunk = int.MaxValue;

        // The error reported is the one of the earliest chunk in file order, whatever the thread count: a failure stops
        // new chunks from being taken, but the chunks before it, already taken, are still read and scored (one of them may
        // fail too, and wins).
        void Fail(Exception e, int chunk)
        {
            lock (gate)
            {
                if (failure is null || chunk < failedChunk) { failure = e; failedChunk = chunk; }
                Monitor.PulseAll(gate);
            }
            stop.Cancel();
        }

        void Work()
        {
            TableChunk? chunk = null;
            try
            {
                while (true)
                {
                    chunk = null;
                    slots.Wait(stop.Token);
                    int now = Interlocked.Increment(ref inFlight);
                    InterlockedMax(ref peak, now);
                    chunk = reader.Next();
                    if (chunk is null)
                    {
                        Interlocked.Decrement(ref inFlight);
                        slots.Release();
                        break;
                    }
                    Interlocked.Increment(ref chunks);
                    var result = ScoreChunk(model, chunk, options);
                    // The feature arrays are no longer read (the result holds only the id and the scores): reuse them.
                    reader.Recycle(chunk.Table.Columns.Where(c => !result.Columns.Contains(c)));
                    CollectIfDue();
                    lock (gate)
                    {
                        done.Add(chunk.Index, result);
                        Monitor.PulseAll(gate);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
            catch (Exception e) { Fail(e, chunk?.Index ?? TableChunkReader.ChunkIndexOf(e) ?? int.MaxValue - 1); }
            finally
            {
                lock (gate) { running--; Monitor.PulseAll(gate); }
            }
        }

        var threads = new Thread[workers];
        for (int w = 0; w < workers; w++)
        {
            threads[w] = new Thread(Work) { IsBackground = true, Name = $"uplift-score-{w}" };
            threads[w].Start();
        }

        long rows = 0;
        int next = 0;
        try
        {
            while (true)
            {
                RawTable? ready;
                lock (gate)
                {
                    while (failure is null && !done.ContainsKey(next) && running > 0 && !cancellation.IsCancellationRequested)
                        Monitor.Wait(gate, 200);
                    if (failure is not null || cancellation.IsCancellationRequested) break;
                    if (!done.Remove(next, out ready))
                    {
                        if (running == 0 && !done.ContainsKey(next)) break; // every chunk written
                        continue;
                    }
                }
                sink(ready);
                rows += ready.Rows;
                next++;
                Interlocked.Decrement(ref inFlight);
                slots.Release();
            }
        }
        catch (Exception e)
        {
            Fail(e, next);
        }
        finally
        {
            stop.Cancel();
            foreach (var t in threads) t.Join();
        }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        cancellation.ThrowIfCancellationRequested();
        lock (gate)
            if (done.Count > 0) throw new InvalidOperationException("internal error: chunks left unwritten");
        return (rows, chunks, peak);
    }

    /// <summary>The columns the model reads: its features (numeric as numbers, categorical as text) and the id (text).</summary>
    public static IReadOnlyList<ChunkColumn> InputColumns(Preprocessor preprocessor)
    {
        var cols = preprocessor.Specs
            .Select(s => new ChunkColumn(s.Column, s.Kind == FeatureKind.Numeric, s.Kind == FeatureKind.Numeric ? $"'{s.Column}' is a numeric feature of the model" : null))
            .ToList();
        if (preprocessor.Roles.Id is { } id && !cols.Any(c => c.Name == id)) cols.Add(new ChunkColumn(id, Numeric: false));
        return cols;
    }

    /// <summary>Transforms and scores one chunk in slices of <see cref="StreamScoreOptions.ChunkRows"/> rows (bounding the
    /// float matrix); the result holds the output columns (<see cref="OutputColumns"/>), kept columns as read.</summary>
    static RawTable ScoreChunk(FittedPipeline model, TableChunk chunk, StreamScoreOptions options)
    {
        int sliceRows = options.ChunkRows;
        var table = chunk.Table;
        var pre = model.Preprocessor;
        int n = table.Rows;
        string? id = pre.Roles.Id;
        RawColumn? idCol = id is null ? null : table[id];
        var features = new RawTable(table.Source, n, table.Columns.Where(c => c.Name != id || pre.Specs.Any(s => s.Column == id)));
        var scores = new double[n];
        var multi = model.Model as IMultiArmModel is { Arms: > 1 } m ? m : null;
        var arm = multi is null ? null : new string?[n];
        // Effects, row-major n x K (K = 1 for a binary model): the arm column and --effects read them.
        int k = multi?.Arms ?? 1;
        bool effects = options.Effects;
        var tv = multi is not null || effects ? new double[(long)n * k] : null;
        var tc = tv is null ? null : new double[tv.Length];
        var bounds = options.Level is null ? null : new double[4][];
        if (bounds is not null) for (int b = 0; b < 4; b++) bounds[b] = new double[n];
        var all = new int[Math.Min(n, sliceRows)];
        for (int start = 0; start < n; start += sliceRows)
        {
            int len = Math.Min(sliceRows, n - start);
            for (int q = 0; q < len; q++) all[q] = start + q;
            var data = pre.Transform(features, all.AsSpan(0, len), requireOutcomes: false, chunk.FirstRow);
            model.Model.Score(data, scores.AsSpan(start, len), maxThreads: 1); // the workers are the parallelism
            if (tv is null) continue;
            var v = tv.AsSpan(start * k, len * k); var c = tc.AsSpan(start * k, len * k);
            if (model.Model is IMultiArmModel am) am.PredictArmEffects(data, v, c, maxThreads: 1);
            else ((IEffectModel)model.Model).PredictEffects(data, v, c, maxThreads: 1);
            if (multi is not null) FirstArms(v, c, k, pre, arm.AsSpan(start, len));
            if (bounds is not null)
                IntervalModel(model).PredictEffectIntervals(data, options.Level!.Value, bounds[0].AsSpan(start, len), bounds[1].AsSpan(start, len),
                    bounds[2].AsSpan(start, len), bounds[3].AsSpan(start, len), maxThreads: 1);
        }
        var cols = new List<RawColumn>(4);
        if (idCol is not null)
        {
            for (int i = 0; i < n; i++)
                if (idCol.IsMissing(i)) throw new UpliftDataException("missing id", table.Source, chunk.FirstRow + i + 1, id);
            cols.Add(idCol);
        }
        cols.Add(RawColumn.Numeric(ScoreColumn, scores));
        if (arm is not null) cols.Add(RawColumn.Text(ArmColumn, arm));
        if (effects)
        {
            var names = EffectColumns(model)!;
            for (int a = 0; a < k; a++)
            {
                var v = new double[n]; var c = new double[n];
                for (int i = 0; i < n; i++) { v[i] = tv![(long)i * k + a]; c[i] = tc![(long)i * k + a]; }
                cols.Add(RawColumn.Numeric(names[2 * a], v));
                cols.Add(RawColumn.Numeric(names[2 * a + 1], c));
            }
            if (bounds is not null)
                for (int b = 0; b < 4; b++) cols.Add(RawColumn.Numeric(IntervalColumns[b], bounds[b]));
        }
        foreach (var name in options.Keep ?? [])
            if (name != id) cols.Add(table[name]);
        return new RawTable(table.Source, n, cols);
    }

    /// <summary>The label of each user's first upgrade (<see cref="ArmColumn"/>), from the model's per-arm effects (row-major, <paramref name="k"/> arms).</summary>
    static void FirstArms(ReadOnlySpan<double> tv, ReadOnlySpan<double> tc, int k, Preprocessor pre, Span<string?> labels)
    {
        int n = labels.Length;
        var eps = BudgetPathOptions.Default.Epsilon;
        Span<int> ha = stackalloc int[k];
        Span<double> hs = stackalloc double[k], hc = stackalloc double[k], hv = stackalloc double[k];
        for (int i = 0; i < n; i++)
        {
            int h = Hull.Build(tv.Slice(i * k, k), tc.Slice(i * k, k), eps, ha, hs, hc, hv);
            labels[i] = h == 0 ? pre.ControlLabel : pre.ArmLabels[ha[0] - 1];
        }
    }

    static long _lastCollectBytes;

    /// <summary>
    /// Each chunk leaves large short-lived arrays (the float matrix of each slice, the text of ids) on the large object
    /// heap, which the GC would otherwise let grow well past the live data before collecting. A full collection after
    /// every <see cref="CollectEveryBytes"/> of allocation keeps the peak near the chunks in flight; its cost is small
    /// (the live data is mostly arrays of numbers, which the GC does not scan).
    /// </summary>
    static void CollectIfDue()
    {
        long now = GC.GetTotalAllocatedBytes();
        long last = Interlocked.Read(ref _lastCollectBytes);
        if (now - last < CollectEveryBytes || Interlocked.CompareExchange(ref _lastCollectBytes, now, last) != last) return;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
    }

    const long CollectEveryBytes = 256L << 20;

    static void InterlockedMax(ref int target, int value)
    {
        int seen = Volatile.Read(ref target);
        while (value > seen)
        {
            int was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }
}
