using System.Runtime.Intrinsics;
using Uplift.Engine;
using Xunit;

namespace Uplift.Tests.Engine;

public unsafe class KernelTests
{
    static float[] Random(int n, int seed)
    {
        var rng = new Rng((ulong)seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)rng.NextNormal();
        return a;
    }

    public enum Path { Dispatch, V512, V256, Scalar }

    public static TheoryData<Path, int, int, int> Sizes()
    {
        var d = new TheoryData<Path, int, int, int>();
        foreach (var p in new[] { Path.Dispatch, Path.V512, Path.V256, Path.Scalar })
            foreach (var (m, k, n) in new[] { (1, 1, 1), (7, 13, 37), (9, 50, 64), (130, 51, 92), (5, 3, 17), (4, 4, 16) })
                d.Add(p, m, k, n);
        return d;
    }

    static bool Supported(Path p) => p switch
    {
        Path.V512 => Vector512.IsHardwareAccelerated,
        Path.V256 => Vector256.IsHardwareAccelerated,
        _ => true,
    };

    [Theory, MemberData(nameof(Sizes))]
    public void GemmMatchesNaive(Path path, int m, int k, int n)
    {
        if (!Supported(path)) path = Path.Scalar;
        int lda = k + 3, ldb = n + 5, ldc = n + 2;
        var a = Random(m * lda, 1); var b = Random(k * ldb, 2); var bias = Random(n, 3);
        var c = new float[m * ldc];
        fixed (float* pa = a) fixed (float* pb = b) fixed (float* pbias = bias) fixed (float* pc = c)
        {
            switch (path)
            {
                case Path.Dispatch: Kernels.Gemm(pa, lda, pb, ldb, pbias, pc, ldc, m, k, n); break;
                case Path.V512: Kernels.GemmImpl<V512, Vector512<float>>(pa, lda, pb, ldb, pbias, pc, ldc, m, k, n); break;
                case Path.V256: Kernels.GemmImpl<V256, Vector256<float>>(pa, lda, pb, ldb, pbias, pc, ldc, m, k, n); break;
                default: Kernels.GemmImpl<VScalar, float>(pa, lda, pb, ldb, pbias, pc, ldc, m, k, n); break;
            }
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = bias[j];
                for (int p = 0; p < k; p++) s += (double)a[i * lda + p] * b[p * ldb + j];
                Assert.True(Math.Abs(c[i * ldc + j] - s) < 1e-4 * (1 + Math.Abs(s)), $"C[{i},{j}] = {c[i * ldc + j]}, expected {s}");
            }
    }

    [Theory, MemberData(nameof(Sizes))]
    public void GemmTnAccMatchesNaive(Path path, int m, int k, int n)
    {
        if (!Supported(path)) path = Path.Scalar;
        m += 200; // more than one row tile
        int lda = k + 1, ldd = n + 3, ldg = n + 1;
        var a = Random(m * lda, 4); var d = Random(m * ldd, 5); var g0 = Random(k * ldg, 6);
        var g = (float[])g0.Clone();
        fixed (float* pa = a) fixed (float* pd = d) fixed (float* pg = g)
        {
            switch (path)
            {
                case Path.Dispatch: Kernels.GemmTnAcc(pa, lda, pd, ldd, pg, ldg, m, k, n); break;
                case Path.V512: Kernels.GemmTnImpl<V512, Vector512<float>>(pa, lda, pd, ldd, pg, ldg, m, k, n); break;
                case Path.V256: Kernels.GemmTnImpl<V256, Vector256<float>>(pa, lda, pd, ldd, pg, ldg, m, k, n); break;
                default: Kernels.GemmTnImpl<VScalar, float>(pa, lda, pd, ldd, pg, ldg, m, k, n); break;
            }
        }
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++)
            {
                double s = g0[p * ldg + j];
                for (int i = 0; i < m; i++) s += (double)a[i * lda + p] * d[i * ldd + j];
                Assert.True(Math.Abs(g[p * ldg + j] - s) < 1e-4 * (1 + Math.Abs(s)) + 1e-4, $"G[{p},{j}] = {g[p * ldg + j]}, expected {s}");
            }
    }

    [Theory, MemberData(nameof(Sizes))]
    public void GemvAndTransposeMatchNaive(Path path, int m, int k0, int _)
    {
        if (!Supported(path)) path = Path.Scalar;
        foreach (int k in new[] { k0, k0 + 70 })   // short rows, and rows with blocks of 4 vectors
            GemvCase(path, m, k);
    }

    static void GemvCase(Path path, int m, int k)
    {
        int lda = k + 2;
        var a = Random(m * lda, 7); var x = Random(k, 8); var y = new float[m];
        var yr = Random(m, 9); var g0 = Random(k, 10); var g = (float[])g0.Clone();
        fixed (float* pa = a) fixed (float* px = x) fixed (float* py = y) fixed (float* pyr = yr) fixed (float* pg = g)
        {
            switch (path)
            {
                case Path.Dispatch: Kernels.Gemv(pa, lda, px, 0.5f, py, m, k); Kernels.GemvTAcc(pa, lda, pyr, pg, m, k); break;
                case Path.V512: Kernels.GemvImpl<V512, Vector512<float>>(pa, lda, px, 0.5f, py, m, k); Kernels.GemvTImpl<V512, Vector512<float>>(pa, lda, pyr, pg, m, k); break;
                case Path.V256: Kernels.GemvImpl<V256, Vector256<float>>(pa, lda, px, 0.5f, py, m, k); Kernels.GemvTImpl<V256, Vector256<float>>(pa, lda, pyr, pg, m, k); break;
                default: Kernels.GemvImpl<VScalar, float>(pa, lda, px, 0.5f, py, m, k); Kernels.GemvTImpl<VScalar, float>(pa, lda, pyr, pg, m, k); break;
            }
        }
        for (int i = 0; i < m; i++)
        {
            double s = 0.5;
            for (int p = 0; p < k; p++) s += (double)a[i * lda + p] * x[p];
            Assert.True(Math.Abs(y[i] - s) < 1e-4 * (1 + Math.Abs(s)), $"y[{i}]");
        }
        for (int p = 0; p < k; p++)
        {
            double s = g0[p];
            for (int i = 0; i < m; i++) s += (double)a[i * lda + p] * yr[i];
            Assert.True(Math.Abs(g[p] - s) < 1e-4 * (1 + Math.Abs(s)), $"g[{p}]");
        }
    }

    [Fact]
    public void TanhAndExpAreAccurate()
    {
        var x = new float[20001];
        for (int i = 0; i < x.Length; i++) x[i] = (i - 10000) / 1000f;   // [-10, 10], odd length: vector and scalar tails
        x[10000] = 0; x[10001] = 1e-6f; x[9999] = -3e-8f;
        var y = new float[x.Length];
        Activations.Tanh(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double want = Math.Tanh(x[i]);
            Assert.True(Math.Abs(y[i] - want) <= 2e-7 + 2e-7 * Math.Abs(want), $"tanh({x[i]}) = {y[i]}, expected {want}");
        }
        Assert.Equal(1e-6f, y[10001], 1e-12f);
        var xn = x.Select(v => -Math.Abs(v) * 10).ToArray();
        Activations.ExpNonPositive(xn, y);
        for (int i = 0; i < xn.Length; i++)
        {
            double want = Math.Exp(xn[i]);
            Assert.True(Math.Abs(y[i] - want) <= 3e-7 * want + 1e-37, $"exp({xn[i]}) = {y[i]}, expected {want}");
        }
        Assert.Equal(-1f, Activations.TanhScalar(-50f));
        Assert.Equal(MathF.Tanh(0.3f), Activations.TanhScalar(0.3f), 1e-7f);
    }

    [Fact]
    public void Vector256TanhPathIsAccurate()
    {
        if (!Vector256.IsHardwareAccelerated) return;
        for (float x = -12f; x <= 12f; x += 0.0137f)
        {
            var y = Activations.Tanh256(Vector256.Create(x)).GetElement(3);
            Assert.True(Math.Abs(y - Math.Tanh(x)) <= 2e-7 + 2e-7 * Math.Abs(Math.Tanh(x)), $"tanh({x}) = {y}");
        }
    }
}
