using System.Diagnostics;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Models.Ranking;

namespace Uplift.Bench;

/// <summary>One measurement of the full-batch DRM step (forward + exact gradient + Adam update).</summary>
public sealed record StepBenchRow(int Rows, int Features, string Scorer, int Threads, string Model,
    double MedianMs, double MinMs, double CpuMsPerStep, int Steps, bool StoresActivations, long PeakWorkingSetMb)
{
    /// <summary>Threads the engine used (it runs single-threaded below its work threshold).</summary>
    public int EngineThreads { get; init; }
    /// <summary>Bytes a step moves to and from memory (model: see <see cref="StepBench.BytesPerStep"/>).</summary>
    public double Bytes { get; init; }
    /// <summary>Multiply-adds of a step (forward, backward, recomputed forward when activations are not stored).</summary>
    public double Fmas { get; init; }

    public override string ToString() =>
        $"{Model,-4} {Scorer,-8} rows {Rows,9:N0} x {Features} threads {Threads}: median {MedianMs,8:F2} ms  min {MinMs,8:F2} ms  cpu/step {CpuMsPerStep,8:F2} ms ({Steps} steps, acts stored {StoresActivations}, peak {PeakWorkingSetMb} MB)";
}

/// <summary>
/// Step-timing benchmark of the ranking engine: random data (x ~ N(0,1), random T, V, C), a warm-up, then
/// <c>steps</c> timed steps; reports the median and the minimum milliseconds per step.
/// </summary>
public static class StepBench
{
    public static IReadOnlyList<StepBenchRow> Run(int[]? rowCounts = null, int features = 50, int steps = 30,
        int[]? threadCounts = null, string[]? scorers = null, bool crm = false, Action<StepBenchRow>? onRow = null, long activationBudgetBytes = 2L << 30)
    {
        rowCounts ??= [100_000, 1_000_000];
        threadCounts ??= [1, 2];
        scorers ??= ["linear", "mlp64"];
        var rows = new List<StepBenchRow>();
        foreach (int n in rowCounts)
        {
            if ((long)n * features > 600_000_000) { Console.Error.WriteLine($"skipped {n} x {features}: over 2.4 GB of features"); continue; }
            var data = RandomData(n, features, seed: 7);
            foreach (var sc in scorers)
            {
                var net = sc == "linear" ? Network.Linear(features) : Network.Mlp(features, [int.Parse(sc["mlp".Length..])]);
                foreach (int th in threadCounts)
                {
                    using var engine = new CohortEngine(net, data, 1.0, 1.0, th, activationBudgetBytes: activationBudgetBytes);
                    var p = net.Initialize(1, 0);
                    var g = new float[net.ParameterCount];
                    var adam = new Adam(net.ParameterCount, 0.01);
                    var spec = new ObjectiveSpec(Objective.SmoothAbsRatio);
                    int nSteps = n >= 5_000_000 ? 3 : n >= 1_000_000 ? Math.Max(5, steps / 5) : steps;
                    var times = new double[nSteps];
                    for (int w = 0; w < (n >= 1_000_000 ? 1 : 10); w++) { engine.Run(p, g, spec, crm ? new MaskSpec(0.4, 1.0) : null); adam.Step(p, g); }
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    for (int k = 0; k < nSteps; k++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        engine.Run(p, g, spec, crm ? new MaskSpec(0.4, 1.0) : null);
                        adam.Step(p, g);
                        times[k] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                    }
                    double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / nSteps;
                    Array.Sort(times);
                    var row = new StepBenchRow(n, features, sc, th, crm ? "crm" : "drm", times[nSteps / 2], times[0], cpu, nSteps,
                        engine.StoresActivations, Process.GetCurrentProcess().PeakWorkingSet64 >> 20)
                    {
                        EngineThreads = engine.Threads,
                        Bytes = BytesPerStep(net, n, engine.StoresActivations),
                        Fmas = FmasPerStep(net, n, engine.StoresActivations),
                    };
                    rows.Add(row);
                    onRow?.Invoke(row);
                }
            }
        }
        return rows;
    }

    /// <summary>
    /// The memory traffic of one step, counted from the engine's passes: X read by the forward and by the backward
    /// pass (twice more with a hidden layer whose activations are not stored: recomputed), the stored activations
    /// written by the forward and read by the backward pass, and the per-row vectors (s, e, Ṽ, C̃, T, and the chunk's
    /// df in cache: about 6 floats read or written per row and pass). Chunk scratch and the per-chunk gradient
    /// partials stay in cache and are not counted.
    /// </summary>
    internal static double BytesPerStep(Network net, long n, bool storesActs)
    {
        double x = 4.0 * n * net.Inputs;
        double acts = 4.0 * n * net.ActivationsPerRow;
        double rowVectors = 2 * 6 * 4.0 * n;
        if (net.IsLinear) return 2 * x + rowVectors;
        return storesActs ? 2 * x + 2 * acts + rowVectors : 3 * x + rowVectors;   // recomputed: acts stay in cache
    }

    /// <summary>Multiply-adds of one step: forward n·(d·P + P) (P the padded width), backward dW n·d·P, the output
    /// layer's 2·n·P and dz·Wᵀ for deeper layers; the linear scorer 2·n·d.</summary>
    internal static double FmasPerStep(Network net, long n, bool storesActs)
    {
        if (net.IsLinear) return 2.0 * n * net.Inputs;
        double fwd = 0, bwd = 0;
        int k = net.Inputs;
        for (int l = 0; l < net.Hidden.Count; l++)
        {
            int p = net.Pad[l];
            fwd += (double)n * k * p;
            bwd += (double)n * k * p + (l > 0 ? (double)n * k * p : 0);
            k = p;
        }
        fwd += (double)n * k;
        bwd += 2.0 * n * k;
        return storesActs ? fwd + bwd : 2 * fwd + bwd;
    }

    /// <summary>
    /// The machine's own limits: streaming read bandwidth (GB/s: a sum over a 1 GiB float array, 1 and 2 threads,
    /// best of 5) and the FMA peak of one core (GFMA/s: 12 independent Vector512/256 FMA chains in registers).
    /// </summary>
    public static (double Read1, double Read2, double PeakGfma) Roofline()
    {
        var a = new float[1 << 28];
        for (int i = 0; i < a.Length; i += 1024) a[i] = 1;
        double Read(int threads)
        {
            double best = 0;
            for (int rep = 0; rep < 5; rep++)
            {
                long t0 = Stopwatch.GetTimestamp();
                int part = a.Length / threads;
                var sums = new float[threads];
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                    t => sums[t] = System.Numerics.Tensors.TensorPrimitives.Sum(a.AsSpan(t * part, part)));
                double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                best = Math.Max(best, 4.0 * a.Length / s / 1e9);
            }
            return best;
        }
        double r1 = Read(1), r2 = Read(2);
        double peak = 0;
        for (int rep = 0; rep < 5; rep++)
        {
            long t0 = Stopwatch.GetTimestamp();
            double fmas = FmaLoop(20_000_000);
            peak = Math.Max(peak, fmas / Stopwatch.GetElapsedTime(t0).TotalSeconds / 1e9);
        }
        return (r1, r2, peak);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static double FmaLoop(int iters)
    {
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            var m = System.Runtime.Intrinsics.Vector512.Create(0.9999f);
            var c = System.Runtime.Intrinsics.Vector512.Create(1e-4f);
            var a0 = m; var a1 = m; var a2 = m; var a3 = m; var a4 = m; var a5 = m;
            var a6 = m; var a7 = m; var a8 = m; var a9 = m; var a10 = m; var a11 = m;
            for (int i = 0; i < iters; i++)
            {
                a0 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a0, m, c); a1 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a1, m, c);
                a2 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a2, m, c); a3 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a3, m, c);
                a4 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a4, m, c); a5 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a5, m, c);
                a6 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a6, m, c); a7 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a7, m, c);
                a8 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a8, m, c); a9 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a9, m, c);
                a10 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a10, m, c); a11 = System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a11, m, c);
            }
            var sum = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;
            GC.KeepAlive(sum.ToString());
            return 12.0 * 16 * iters;
        }
        var b = System.Runtime.Intrinsics.Vector256.Create(0.9999f);
        var d = System.Runtime.Intrinsics.Vector256.Create(1e-4f);
        var b0 = b; var b1 = b; var b2 = b; var b3 = b; var b4 = b; var b5 = b; var b6 = b; var b7 = b;
        for (int i = 0; i < iters; i++)
        {
            b0 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b0, b, d); b1 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b1, b, d);
            b2 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b2, b, d); b3 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b3, b, d);
            b4 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b4, b, d); b5 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b5, b, d);
            b6 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b6, b, d); b7 = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(b7, b, d);
        }
        GC.KeepAlive((b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7).ToString());
        return 8.0 * 8 * iters;
    }

    /// <summary>
    /// Where a second thread starts to pay (the measurement behind <see cref="CohortEngine.MinWorkPerThread"/>):
    /// per scorer, features and rows, the engine's step (Run) on exactly one thread and on two threads forced
    /// (work threshold 1), alternating, median and minimum ms over <paramref name="steps"/> steps each.
    /// </summary>
    public static void Threshold(int steps, Action<string> print)
    {
        print("| scorer | users x features | work/step (rows x (P+256)) | 1 thread median (min) ms | 2 threads median (min) ms | 1 / 2 (medians) | 1 / 2 (mins) |");
        print("|---|---|---|---|---|---|---|");
        foreach (int d in new[] { 12, 50 })
            foreach (var sc in new[] { "linear", "mlp64" })
                foreach (int n in new[] { 4_096, 16_384, 65_536, 262_144 })
                {
                    var data = RandomData(n, d, seed: 7);
                    var net = sc == "linear" ? Network.Linear(d) : Network.Mlp(d, [64]);
                    using var e1 = new CohortEngine(net, data, 1.0, 1.0, 1);
                    using var e2 = new CohortEngine(net, data, 1.0, 1.0, 2, minWorkPerThread: 1);
                    var p = net.Initialize(1, 0);
                    var g = new float[net.ParameterCount];
                    var spec = new ObjectiveSpec(Objective.SmoothAbsRatio);
                    for (int w = 0; w < 5; w++) { e1.Run(p, g, spec, null); e2.Run(p, g, spec, null); }
                    var t1 = new double[steps]; var t2 = new double[steps];
                    for (int k = 0; k < steps; k++)
                    {
                        long a = Stopwatch.GetTimestamp(); e1.Run(p, g, spec, null); t1[k] = Stopwatch.GetElapsedTime(a).TotalMilliseconds;
                        a = Stopwatch.GetTimestamp(); e2.Run(p, g, spec, null); t2[k] = Stopwatch.GetElapsedTime(a).TotalMilliseconds;
                    }
                    Array.Sort(t1); Array.Sort(t2);
                    double m1 = t1[steps / 2], m2 = t2[steps / 2];
                    print($"| {sc} | {n:N0} x {d} | {(double)n * (net.ParameterCount + CohortEngine.RowOverhead):E2} | {m1:F3} ({t1[0]:F3}) | {m2:F3} ({t2[0]:F3}) | {m1 / m2:F2} | {t1[0] / t2[0]:F2} |");
                }
    }

    /// <summary>
    /// Where the time of one step goes at a small size (issue 13): per scorer and thread cap, the median wall ms of
    /// a whole step (engine.Run + Adam), of the engine's Run alone, of Adam alone, of the validation objective
    /// (valEngine.Evaluate) and of the validation AUCC (raw scores + CostCurve.Aucc, as the trainer does every
    /// EvalEvery steps), and the bytes allocated per step by all threads.
    /// </summary>
    public static void Profile(int n, int d, int steps, Action<string> print)
    {
        var data = RandomData(n, d, seed: 7);
        var val = RandomData(Math.Max(1000, n / 3), d, seed: 8);
        var vScore = new double[val.Rows];
        var f = new float[val.Rows];
        print("| scorer | threads | engine threads | step ms (min) | engine.Run ms | Adam ms | valid objective ms | valid raw scores ms | valid AUCC ms (min) | bytes/step |");
        print("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var sc in new[] { "linear", "mlp64" })
        {
            var net = sc == "linear" ? Network.Linear(d) : Network.Mlp(d, [64]);
            foreach (int th in new[] { 1, 2 })
            {
                using var engine = new CohortEngine(net, data, 1.0, 1.0, th);
                using var valEngine = new CohortEngine(net, val, 1.0, 1.0, th, withGradient: false);
                var p = net.Initialize(1, 0);
                var g = new float[net.ParameterCount];
                var adam = new Adam(net.ParameterCount, 0.01);
                var spec = new ObjectiveSpec(Objective.SmoothAbsRatio);
                for (int w = 0; w < 20; w++) { engine.Run(p, g, spec, null); adam.Step(p, g); }
                double lastMin = 0;
                double Median(Action a, int reps)
                {
                    var t = new double[reps];
                    for (int k = 0; k < reps; k++) { long t0 = Stopwatch.GetTimestamp(); a(); t[k] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds; }
                    Array.Sort(t);
                    lastMin = t[0];
                    return t[reps / 2];
                }
                long b0 = GC.GetTotalAllocatedBytes(true);
                for (int k = 0; k < steps; k++) { engine.Run(p, g, spec, null); adam.Step(p, g); }
                double bytes = (double)(GC.GetTotalAllocatedBytes(true) - b0) / steps;
                double step = Median(() => { engine.Run(p, g, spec, null); adam.Step(p, g); }, steps), stepMin = lastMin;
                double run = Median(() => engine.Run(p, g, spec, null), steps);
                double ad = Median(() => adam.Step(p, g), steps);
                double vo = Median(() => valEngine.Evaluate(p, spec, null), Math.Max(5, steps / 10));
                var grid = new Uplift.Evaluation.CostCurveOptions { Segments = DrmOptions.SelectionSegments };
                double vr = Median(() => valEngine.RawScores(p, f), Math.Max(5, steps / 10));
                for (int i = 0; i < f.Length; i++) vScore[i] = f[i];
                double va = Median(() => Uplift.Evaluation.CostCurve.Aucc(vScore, val.T, val.V, val.C, grid), Math.Max(5, steps / 10)), vaMin = lastMin;
                print($"| {sc} | {th} | {engine.Threads} | {step:F3} ({stepMin:F3}) | {run:F3} | {ad:F4} | {vo:F3} | {vr:F3} | {va:F3} ({vaMin:F3}) | {bytes:F0} |");
            }
        }
    }

    static Dataset RandomData(int n, int d, long seed)
    {
        var rng = Rng.Derive(seed, RngStream.BenchStepData);
        var x = new float[(long)n * d];
        for (long i = 0; i < x.Length; i++) x[i] = (float)rng.NextNormal();
        var t = new byte[n]; var v = new double[n]; var c = new double[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = (byte)(rng.NextDouble() < 0.5 ? 1 : 0);
            v[i] = rng.NextNormal() + t[i] * (1 + 0.5 * x[(long)i * d]);
            c[i] = rng.NextNormal() + t[i];
        }
        return new Dataset(x, n, d, [.. Enumerable.Range(0, d).Select(j => $"x{j}")], t, v, c);
    }
}
