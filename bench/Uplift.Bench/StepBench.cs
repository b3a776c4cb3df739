using System.Diagnostics;
using Uplift.Data;
using Uplift.Engine;
using Uplift.Models.Ranking;

namespace Uplift.Bench;

/// <summary>One measurement of the full-batch DRM step (forward + exact gradient + Adam update).</summary>
public sealed record StepBenchRow(int Rows, int Features, string Scorer, int Threads, string Model,
    double MedianMs, double MinMs, double CpuMsPerStep, int Steps, bool StoresActivations, long PeakWorkingSetMb)
{
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
                    int nSteps = n >= 1_000_000 ? Math.Max(5, steps / 5) : steps;
                    var times = new double[nSteps];
                    for (int w = 0; w < 10; w++) { engine.Run(p, g, spec, crm ? new MaskSpec(0.4, 1.0) : null); adam.Step(p, g); }
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
                        engine.StoresActivations, Process.GetCurrentProcess().PeakWorkingSet64 >> 20);
                    rows.Add(row);
                    onRow?.Invoke(row);
                }
            }
        }
        return rows;
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
