using System.Diagnostics;
using Uplift.Engine;
namespace Uplift.Bench;
public static unsafe class KernelProbe
{
    public static void Run()
    {
        int m = 1024, k = 50, n = 64, reps = 2000;
        var a = new float[m * k]; var b = new float[k * n]; var c = new float[m * n]; var bias = new float[n];
        var rng = new Rng(1);
        for (int i = 0; i < a.Length; i++) a[i] = (float)rng.NextNormal();
        for (int i = 0; i < b.Length; i++) b[i] = (float)rng.NextNormal();
        for (int i = 0; i < c.Length; i++) c[i] = (float)rng.NextNormal();
        var g = new float[k * n];
        void T(string name, Action act, double flops)
        {
            for (int w = 0; w < 200; w++) act();
            var p = Process.GetCurrentProcess(); var c0 = p.TotalProcessorTime; long t0 = Stopwatch.GetTimestamp();
            for (int r = 0; r < reps; r++) act();
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds; double cpu = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds;
            Console.WriteLine($"{name}: {cpu / reps * 1000:F1} us cpu/call, {flops * reps / cpu / 1e6:F1} GFLOPS (wall {ms / reps * 1000:F1} us)");
        }
        T("gemm 1024x50x64", () => Kernels.Gemm(a, k, b, n, bias, c, n, m, k, n), 2.0 * m * k * n);
        T("gemmTN 1024x50x64", () => Kernels.GemmTnAcc(a, k, c, n, g, n, m, k, n), 2.0 * m * k * n);
        T("tanh 1024x64", () => Kernels.TanhInPlace(c), m * n);
        var y = new float[m]; var x = new float[k];
        T("gemv 1024x50", () => Kernels.Gemv(a, k, x, 0f, y, m, k), 2.0 * m * k);
        T("gemvT 1024x50", () => Kernels.GemvTAcc(a, k, y, x, m, k), 2.0 * m * k);
        T("exp 1024", () => Activations.ExpNonPositive(y, y), m);
    }
}
public static class KernelProbe2
{
    public static void Run()
    {
        var c = new float[65536]; var rng = new Rng(2);
        for (int i = 0; i < c.Length; i++) c[i] = (float)rng.NextNormal();
        var o = new float[c.Length];
        void T(string name, Action act)
        {
            for (int w = 0; w < 200; w++) act();
            var c0 = Process.GetCurrentProcess().TotalProcessorTime;
            for (int r = 0; r < 2000; r++) act();
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - c0).TotalMilliseconds;
            Console.WriteLine($"{name}: {cpu / 2000 * 1e6 / c.Length:F3} ns/elem");
        }
        T("TP.Tanh", () => System.Numerics.Tensors.TensorPrimitives.Tanh(c, o));
        T("TP.Exp", () => System.Numerics.Tensors.TensorPrimitives.Exp(c, o));
        T("V512.Exp", () => { for (int i = 0; i < c.Length; i += 16) System.Runtime.Intrinsics.Vector512.StoreUnsafe(System.Runtime.Intrinsics.Vector512.Exp(System.Runtime.Intrinsics.Vector512.Create(c, i)), ref o[i]); });
    }
}
