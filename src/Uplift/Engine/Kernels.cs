using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Uplift.Engine;

/// <summary>
/// The matrix products of the networks (row-major float32, explicit leading dimensions), written as
/// register-blocked micro-kernels: 4 rows x 4 SIMD vectors of accumulators, a single-vector block for
/// the remaining full vectors and a scalar tail for the last columns. One generic body serves
/// Vector512, Vector256 and plain scalars (<see cref="IVec{TV}"/>; the JIT specialises it per width).
/// Inner loops allocate nothing. Results are deterministic on a given machine (fixed order of the FMAs).
/// </summary>
internal static unsafe class Kernels
{
    /// <summary>SIMD width in floats of the path <see cref="Kernels"/> dispatches to (16, 8 or 1).</summary>
    public static int Width => Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 1;

    /// <summary>Rows of A per inner tile of GemmTnAcc (keeps the tile of A and D in L1/L2).</summary>
    const int TnRowTile = 128;

    // ---------------------------------------------------------------------------------------------
    // Public entry points (dispatch on the hardware width).

    /// <summary>C[M x N] = A[M x K] * B[K x N] + bias (bias: N values, or null for none).</summary>
    public static void Gemm(float* a, int lda, float* b, int ldb, float* bias, float* c, int ldc, int m, int k, int n)
    {
        if (Vector512.IsHardwareAccelerated) GemmImpl<V512, Vector512<float>>(a, lda, b, ldb, bias, c, ldc, m, k, n);
        else if (Vector256.IsHardwareAccelerated) GemmImpl<V256, Vector256<float>>(a, lda, b, ldb, bias, c, ldc, m, k, n);
        else GemmImpl<VScalar, float>(a, lda, b, ldb, bias, c, ldc, m, k, n);
    }

    /// <summary>G[K x N] += A[M x K]^T * D[M x N] (the weight gradient dW += X^T dH).</summary>
    public static void GemmTnAcc(float* a, int lda, float* d, int ldd, float* g, int ldg, int m, int k, int n)
    {
        if (Vector512.IsHardwareAccelerated) GemmTnImpl<V512, Vector512<float>>(a, lda, d, ldd, g, ldg, m, k, n);
        else if (Vector256.IsHardwareAccelerated) GemmTnImpl<V256, Vector256<float>>(a, lda, d, ldd, g, ldg, m, k, n);
        else GemmTnImpl<VScalar, float>(a, lda, d, ldd, g, ldg, m, k, n);
    }

    /// <summary>y[M] = A[M x K] * x[K] + b (one dot product per row).</summary>
    public static void Gemv(float* a, int lda, float* x, float b, float* y, int m, int k)
    {
        if (Vector512.IsHardwareAccelerated) GemvImpl<V512, Vector512<float>>(a, lda, x, b, y, m, k);
        else if (Vector256.IsHardwareAccelerated) GemvImpl<V256, Vector256<float>>(a, lda, x, b, y, m, k);
        else GemvImpl<VScalar, float>(a, lda, x, b, y, m, k);
    }

    /// <summary>g[K] += A[M x K]^T * y[M] (the linear scorer's weight gradient).</summary>
    public static void GemvTAcc(float* a, int lda, float* y, float* g, int m, int k)
    {
        // Each lane accumulates one column over the rows in row order, so the result is the same at every width;
        // a row narrower than a 512-bit vector (8 <= k < 16, e.g. 12 features) takes 256-bit vectors, not scalar code.
        if (Vector512.IsHardwareAccelerated && k >= 16) GemvTImpl<V512, Vector512<float>>(a, lda, y, g, m, k);
        else if (Vector256.IsHardwareAccelerated && k >= 8) GemvTImpl<V256, Vector256<float>>(a, lda, y, g, m, k);
        else if (Vector512.IsHardwareAccelerated) GemvTImpl<V512, Vector512<float>>(a, lda, y, g, m, k);
        else GemvTImpl<VScalar, float>(a, lda, y, g, m, k);
    }

    // ---------------------------------------------------------------------------------------------
    // Generic bodies. TV is the vector type, TO its operations (a struct, so the JIT specialises).

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void GemmImpl<TO, TV>(float* a, int lda, float* b, int ldb, float* bias, float* c, int ldc, int m, int k, int n)
        where TO : struct, IVec<TV> where TV : struct
    {
        int w = TO.Count;
        int nv = n / w * w;
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            float* a0 = a + (long)i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            float* c0 = c + (long)i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
            int j = 0;
            for (; j + 4 * w <= nv; j += 4 * w)
            {
                TV z0 = bias == null ? TO.Zero : TO.Load(bias + j), z1 = bias == null ? TO.Zero : TO.Load(bias + j + w);
                TV z2 = bias == null ? TO.Zero : TO.Load(bias + j + 2 * w), z3 = bias == null ? TO.Zero : TO.Load(bias + j + 3 * w);
                TV s00 = z0, s01 = z1, s02 = z2, s03 = z3, s10 = z0, s11 = z1, s12 = z2, s13 = z3;
                TV s20 = z0, s21 = z1, s22 = z2, s23 = z3, s30 = z0, s31 = z1, s32 = z2, s33 = z3;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    TV b0 = TO.Load(bp), b1 = TO.Load(bp + w), b2 = TO.Load(bp + 2 * w), b3 = TO.Load(bp + 3 * w);
                    TV x = TO.Broadcast(a0[p]);
                    s00 = TO.Fma(x, b0, s00); s01 = TO.Fma(x, b1, s01); s02 = TO.Fma(x, b2, s02); s03 = TO.Fma(x, b3, s03);
                    x = TO.Broadcast(a1[p]);
                    s10 = TO.Fma(x, b0, s10); s11 = TO.Fma(x, b1, s11); s12 = TO.Fma(x, b2, s12); s13 = TO.Fma(x, b3, s13);
                    x = TO.Broadcast(a2[p]);
                    s20 = TO.Fma(x, b0, s20); s21 = TO.Fma(x, b1, s21); s22 = TO.Fma(x, b2, s22); s23 = TO.Fma(x, b3, s23);
                    x = TO.Broadcast(a3[p]);
                    s30 = TO.Fma(x, b0, s30); s31 = TO.Fma(x, b1, s31); s32 = TO.Fma(x, b2, s32); s33 = TO.Fma(x, b3, s33);
                }
                TO.Store(s00, c0 + j); TO.Store(s01, c0 + j + w); TO.Store(s02, c0 + j + 2 * w); TO.Store(s03, c0 + j + 3 * w);
                TO.Store(s10, c1 + j); TO.Store(s11, c1 + j + w); TO.Store(s12, c1 + j + 2 * w); TO.Store(s13, c1 + j + 3 * w);
                TO.Store(s20, c2 + j); TO.Store(s21, c2 + j + w); TO.Store(s22, c2 + j + 2 * w); TO.Store(s23, c2 + j + 3 * w);
                TO.Store(s30, c3 + j); TO.Store(s31, c3 + j + w); TO.Store(s32, c3 + j + 2 * w); TO.Store(s33, c3 + j + 3 * w);
            }
            for (; j < nv; j += w)
            {
                TV z = bias == null ? TO.Zero : TO.Load(bias + j);
                TV s0 = z, s1 = z, s2 = z, s3 = z;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    TV bv = TO.Load(bp);
                    s0 = TO.Fma(TO.Broadcast(a0[p]), bv, s0); s1 = TO.Fma(TO.Broadcast(a1[p]), bv, s1);
                    s2 = TO.Fma(TO.Broadcast(a2[p]), bv, s2); s3 = TO.Fma(TO.Broadcast(a3[p]), bv, s3);
                }
                TO.Store(s0, c0 + j); TO.Store(s1, c1 + j); TO.Store(s2, c2 + j); TO.Store(s3, c3 + j);
            }
            for (; j < n; j++)
            {
                float z = bias == null ? 0f : bias[j];
                float s0 = z, s1 = z, s2 = z, s3 = z;
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb)
                {
                    float bv = *bp;
                    s0 = MathF.FusedMultiplyAdd(a0[p], bv, s0); s1 = MathF.FusedMultiplyAdd(a1[p], bv, s1);
                    s2 = MathF.FusedMultiplyAdd(a2[p], bv, s2); s3 = MathF.FusedMultiplyAdd(a3[p], bv, s3);
                }
                c0[j] = s0; c1[j] = s1; c2[j] = s2; c3[j] = s3;
            }
        }
        for (; i < m; i++)
        {
            float* a0 = a + (long)i * lda;
            float* c0 = c + (long)i * ldc;
            int j = 0;
            for (; j < nv; j += w)
            {
                TV s0 = bias == null ? TO.Zero : TO.Load(bias + j);
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb) s0 = TO.Fma(TO.Broadcast(a0[p]), TO.Load(bp), s0);
                TO.Store(s0, c0 + j);
            }
            for (; j < n; j++)
            {
                float s0 = bias == null ? 0f : bias[j];
                float* bp = b + j;
                for (int p = 0; p < k; p++, bp += ldb) s0 = MathF.FusedMultiplyAdd(a0[p], *bp, s0);
                c0[j] = s0;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void GemmTnImpl<TO, TV>(float* a, int lda, float* d, int ldd, float* g, int ldg, int m, int k, int n)
        where TO : struct, IVec<TV> where TV : struct
    {
        for (int r0 = 0; r0 < m; r0 += TnRowTile)
            GemmTnTile<TO, TV>(a + (long)r0 * lda, lda, d + (long)r0 * ldd, ldd, g, ldg, Math.Min(TnRowTile, m - r0), k, n);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GemmTnTile<TO, TV>(float* a, int lda, float* d, int ldd, float* g, int ldg, int m, int k, int n)
        where TO : struct, IVec<TV> where TV : struct
    {
        int w = TO.Count;
        int nv = n / w * w;
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            float* g0 = g + (long)p * ldg, g1 = g0 + ldg, g2 = g1 + ldg, g3 = g2 + ldg;
            int j = 0;
            for (; j + 4 * w <= nv; j += 4 * w)
            {
                TV s00 = TO.Load(g0 + j), s01 = TO.Load(g0 + j + w), s02 = TO.Load(g0 + j + 2 * w), s03 = TO.Load(g0 + j + 3 * w);
                TV s10 = TO.Load(g1 + j), s11 = TO.Load(g1 + j + w), s12 = TO.Load(g1 + j + 2 * w), s13 = TO.Load(g1 + j + 3 * w);
                TV s20 = TO.Load(g2 + j), s21 = TO.Load(g2 + j + w), s22 = TO.Load(g2 + j + 2 * w), s23 = TO.Load(g2 + j + 3 * w);
                TV s30 = TO.Load(g3 + j), s31 = TO.Load(g3 + j + w), s32 = TO.Load(g3 + j + 2 * w), s33 = TO.Load(g3 + j + 3 * w);
                float* ap = a + p;
                float* dp = d + j;
                for (int r = 0; r < m; r++, ap += lda, dp += ldd)
                {
                    TV d0 = TO.Load(dp), d1 = TO.Load(dp + w), d2 = TO.Load(dp + 2 * w), d3 = TO.Load(dp + 3 * w);
                    TV x = TO.Broadcast(ap[0]);
                    s00 = TO.Fma(x, d0, s00); s01 = TO.Fma(x, d1, s01); s02 = TO.Fma(x, d2, s02); s03 = TO.Fma(x, d3, s03);
                    x = TO.Broadcast(ap[1]);
                    s10 = TO.Fma(x, d0, s10); s11 = TO.Fma(x, d1, s11); s12 = TO.Fma(x, d2, s12); s13 = TO.Fma(x, d3, s13);
                    x = TO.Broadcast(ap[2]);
                    s20 = TO.Fma(x, d0, s20); s21 = TO.Fma(x, d1, s21); s22 = TO.Fma(x, d2, s22); s23 = TO.Fma(x, d3, s23);
                    x = TO.Broadcast(ap[3]);
                    s30 = TO.Fma(x, d0, s30); s31 = TO.Fma(x, d1, s31); s32 = TO.Fma(x, d2, s32); s33 = TO.Fma(x, d3, s33);
                }
                TO.Store(s00, g0 + j); TO.Store(s01, g0 + j + w); TO.Store(s02, g0 + j + 2 * w); TO.Store(s03, g0 + j + 3 * w);
                TO.Store(s10, g1 + j); TO.Store(s11, g1 + j + w); TO.Store(s12, g1 + j + 2 * w); TO.Store(s13, g1 + j + 3 * w);
                TO.Store(s20, g2 + j); TO.Store(s21, g2 + j + w); TO.Store(s22, g2 + j + 2 * w); TO.Store(s23, g2 + j + 3 * w);
                TO.Store(s30, g3 + j); TO.Store(s31, g3 + j + w); TO.Store(s32, g3 + j + 2 * w); TO.Store(s33, g3 + j + 3 * w);
            }
            for (; j < nv; j += w)
            {
                TV s0 = TO.Load(g0 + j), s1 = TO.Load(g1 + j), s2 = TO.Load(g2 + j), s3 = TO.Load(g3 + j);
                float* ap = a + p;
                float* dp = d + j;
                for (int r = 0; r < m; r++, ap += lda, dp += ldd)
                {
                    TV dv = TO.Load(dp);
                    s0 = TO.Fma(TO.Broadcast(ap[0]), dv, s0); s1 = TO.Fma(TO.Broadcast(ap[1]), dv, s1);
                    s2 = TO.Fma(TO.Broadcast(ap[2]), dv, s2); s3 = TO.Fma(TO.Broadcast(ap[3]), dv, s3);
                }
                TO.Store(s0, g0 + j); TO.Store(s1, g1 + j); TO.Store(s2, g2 + j); TO.Store(s3, g3 + j);
            }
            for (; j < n; j++)
            {
                float s0 = g0[j], s1 = g1[j], s2 = g2[j], s3 = g3[j];
                float* ap = a + p;
                float* dp = d + j;
                for (int r = 0; r < m; r++, ap += lda, dp += ldd)
                {
                    float dv = *dp;
                    s0 = MathF.FusedMultiplyAdd(ap[0], dv, s0); s1 = MathF.FusedMultiplyAdd(ap[1], dv, s1);
                    s2 = MathF.FusedMultiplyAdd(ap[2], dv, s2); s3 = MathF.FusedMultiplyAdd(ap[3], dv, s3);
                }
                g0[j] = s0; g1[j] = s1; g2[j] = s2; g3[j] = s3;
            }
        }
        for (; p < k; p++)
        {
            float* g0 = g + (long)p * ldg;
            int j = 0;
            for (; j < nv; j += w)
            {
                TV s0 = TO.Load(g0 + j);
                float* ap = a + p;
                float* dp = d + j;
                for (int r = 0; r < m; r++, ap += lda, dp += ldd) s0 = TO.Fma(TO.Broadcast(*ap), TO.Load(dp), s0);
                TO.Store(s0, g0 + j);
            }
            for (; j < n; j++)
            {
                float s0 = g0[j];
                float* ap = a + p;
                float* dp = d + j;
                for (int r = 0; r < m; r++, ap += lda, dp += ldd) s0 = MathF.FusedMultiplyAdd(*ap, *dp, s0);
                g0[j] = s0;
            }
        }
    }

    // The GEMV kernels cover the last k mod w columns of a row with one full vector that ends at the row's
    // end (it overlaps the previous vector; the overlapping lanes are masked out), so no scalar tail and no
    // read beyond the row. Rows shorter than one vector use scalar code.

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void GemvImpl<TO, TV>(float* a, int lda, float* x, float b, float* y, int m, int k)
        where TO : struct, IVec<TV> where TV : struct
    {
        int w = TO.Count;
        int kv = k / w * w, tail = k - kv;
        if (kv == 0) { GemvShort(a, lda, x, b, y, m, k); return; }
        bool overlap = tail > 0 && k >= w;
        TV xt = TO.Zero;
        if (overlap)
        {
            float* tmp = stackalloc float[w];
            for (int q = 0; q < w; q++) tmp[q] = q >= w - tail ? x[k - w + q] : 0f;
            xt = TO.Load(tmp);
        }
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            float* a0 = a + (long)i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda;
            TV s0 = TO.Zero, s1 = TO.Zero, s2 = TO.Zero, s3 = TO.Zero;
            for (int p = 0; p < kv; p += w)
            {
                TV xv = TO.Load(x + p);
                s0 = TO.Fma(TO.Load(a0 + p), xv, s0); s1 = TO.Fma(TO.Load(a1 + p), xv, s1);
                s2 = TO.Fma(TO.Load(a2 + p), xv, s2); s3 = TO.Fma(TO.Load(a3 + p), xv, s3);
            }
            if (overlap)
            {
                int o = k - w;
                s0 = TO.Fma(TO.Load(a0 + o), xt, s0); s1 = TO.Fma(TO.Load(a1 + o), xt, s1);
                s2 = TO.Fma(TO.Load(a2 + o), xt, s2); s3 = TO.Fma(TO.Load(a3 + o), xt, s3);
            }
            float t0 = TO.Sum(s0), t1 = TO.Sum(s1), t2 = TO.Sum(s2), t3 = TO.Sum(s3);
            if (!overlap)
                for (int p = kv; p < k; p++)
                {
                    float xv = x[p];
                    t0 = MathF.FusedMultiplyAdd(a0[p], xv, t0); t1 = MathF.FusedMultiplyAdd(a1[p], xv, t1);
                    t2 = MathF.FusedMultiplyAdd(a2[p], xv, t2); t3 = MathF.FusedMultiplyAdd(a3[p], xv, t3);
                }
            y[i] = t0 + b; y[i + 1] = t1 + b; y[i + 2] = t2 + b; y[i + 3] = t3 + b;
        }
        for (; i < m; i++)
        {
            float* a0 = a + (long)i * lda;
            TV s0 = TO.Zero;
            for (int p = 0; p < kv; p += w) s0 = TO.Fma(TO.Load(a0 + p), TO.Load(x + p), s0);
            if (overlap) s0 = TO.Fma(TO.Load(a0 + k - w), xt, s0);
            float t0 = TO.Sum(s0);
            if (!overlap) for (int p = kv; p < k; p++) t0 = MathF.FusedMultiplyAdd(a0[p], x[p], t0);
            y[i] = t0 + b;
        }
    }

    /// <summary>
    /// Gemv for rows shorter than one vector (k &lt; width): per row t = fma over p in order from 0, then t + b (the
    /// same arithmetic as the vector body's scalar tail), eight rows at a time so that the FMA chains overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void GemvShort(float* a, int lda, float* x, float b, float* y, int m, int k)
    {
        int i = 0;
        for (; i + 8 <= m; i += 8)
        {
            float* a0 = a + (long)i * lda;
            float t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, t6 = 0, t7 = 0;
            for (int p = 0; p < k; p++)
            {
                float xv = x[p];
                float* ap = a0 + p;
                t0 = MathF.FusedMultiplyAdd(ap[0], xv, t0); t1 = MathF.FusedMultiplyAdd(ap[lda], xv, t1);
                t2 = MathF.FusedMultiplyAdd(ap[2 * lda], xv, t2); t3 = MathF.FusedMultiplyAdd(ap[3 * lda], xv, t3);
                t4 = MathF.FusedMultiplyAdd(ap[4 * lda], xv, t4); t5 = MathF.FusedMultiplyAdd(ap[5 * lda], xv, t5);
                t6 = MathF.FusedMultiplyAdd(ap[6 * lda], xv, t6); t7 = MathF.FusedMultiplyAdd(ap[7 * lda], xv, t7);
            }
            y[i] = t0 + b; y[i + 1] = t1 + b; y[i + 2] = t2 + b; y[i + 3] = t3 + b;
            y[i + 4] = t4 + b; y[i + 5] = t5 + b; y[i + 6] = t6 + b; y[i + 7] = t7 + b;
        }
        for (; i < m; i++)
        {
            float* a0 = a + (long)i * lda;
            float t0 = 0;
            for (int p = 0; p < k; p++) t0 = MathF.FusedMultiplyAdd(a0[p], x[p], t0);
            y[i] = t0 + b;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void GemvTImpl<TO, TV>(float* a, int lda, float* y, float* g, int m, int k)
        where TO : struct, IVec<TV> where TV : struct
    {
        int w = TO.Count;
        int kv = k / w * w, tail = k - kv;
        int p = 0;
        // Blocks of 4 vectors of columns: accumulators stay in registers over all rows.
        for (; p + 4 * w <= kv; p += 4 * w)
        {
            TV s0 = TO.Load(g + p), s1 = TO.Load(g + p + w), s2 = TO.Load(g + p + 2 * w), s3 = TO.Load(g + p + 3 * w);
            float* ap = a + p;
            for (int r = 0; r < m; r++, ap += lda)
            {
                TV yv = TO.Broadcast(y[r]);
                s0 = TO.Fma(yv, TO.Load(ap), s0); s1 = TO.Fma(yv, TO.Load(ap + w), s1);
                s2 = TO.Fma(yv, TO.Load(ap + 2 * w), s2); s3 = TO.Fma(yv, TO.Load(ap + 3 * w), s3);
            }
            TO.Store(s0, g + p); TO.Store(s1, g + p + w); TO.Store(s2, g + p + 2 * w); TO.Store(s3, g + p + 3 * w);
        }
        // The rest (fewer than 4 vectors plus the overlapping tail vector) in one sweep over the rows.
        int nvec = (kv - p) / w;
        bool overlap = tail > 0 && k >= w;
        if (nvec == 0 && tail == 0) return;
        if (tail > 0 && !overlap)
        {
            for (int q = kv; q < k; q++)
            {
                float sq = g[q];
                for (int r = 0; r < m; r++) sq = MathF.FusedMultiplyAdd(y[r], a[(long)r * lda + q], sq);
                g[q] = sq;
            }
            return;   // k < w: nothing vectorised
        }
        {
            TV s0 = nvec > 0 ? TO.Load(g + p) : TO.Zero;
            TV s1 = nvec > 1 ? TO.Load(g + p + w) : TO.Zero;
            TV s2 = nvec > 2 ? TO.Load(g + p + 2 * w) : TO.Zero;
            TV st = overlap ? TO.Load(g + (k - w)) : TO.Zero;   // its last `tail` lanes are g[kv..k)
            float* ap = a + p;
            float* at = a + (k - w);
            for (int r = 0; r < m; r++, ap += lda, at += lda)
            {
                TV yv = TO.Broadcast(y[r]);
                if (nvec > 0) s0 = TO.Fma(yv, TO.Load(ap), s0);
                if (nvec > 1) s1 = TO.Fma(yv, TO.Load(ap + w), s1);
                if (nvec > 2) s2 = TO.Fma(yv, TO.Load(ap + 2 * w), s2);
                if (overlap) st = TO.Fma(yv, TO.Load(at), st);
            }
            if (nvec > 0) TO.Store(s0, g + p);
            if (nvec > 1) TO.Store(s1, g + p + w);
            if (nvec > 2) TO.Store(s2, g + p + 2 * w);
            if (overlap)
            {
                float* tmp = stackalloc float[w];
                TO.Store(st, tmp);
                for (int q = 0; q < tail; q++) g[kv + q] = tmp[w - tail + q];
            }
        }
    }

    /// <summary>In place x = tanh(x) (vectorised).</summary>
    public static void TanhInPlace(Span<float> x) => Activations.Tanh(x);
}

/// <summary>The few SIMD operations the kernels need, for one vector type.</summary>
internal interface IVec<TV> where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Zero { get; }
    static abstract unsafe TV Load(float* p);
    static abstract unsafe void Store(TV v, float* p);
    static abstract TV Broadcast(float x);
    /// <summary>a * b + c, fused.</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract float Sum(TV v);
    static abstract TV Add(TV a, TV b);
    static abstract TV Mul(TV a, TV b);
}

internal readonly unsafe struct V512 : IVec<Vector512<float>>
{
    public static int Count => 16;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => V256.Sum(v.GetLower() + v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
}

internal readonly unsafe struct V256 : IVec<Vector256<float>>
{
    public static int Count => 8;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float x) => Vector256.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) { var q = v.GetLower() + v.GetUpper(); q += Vector128.Shuffle(q, Vector128.Create(2, 3, 0, 1)); q += Vector128.Shuffle(q, Vector128.Create(1, 0, 3, 2)); return q.ToScalar(); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
}

internal readonly unsafe struct VScalar : IVec<float>
{
    public static int Count => 1;
    public static float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Load(float* p) => *p;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float v, float* p) => *p = v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float x) => x;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(float v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Mul(float a, float b) => a * b;
}
