using System.Numerics;

namespace Uplift.Models.Linear;

/// <summary>
/// Weighted normal equations of a linear model with intercept, z = [1, x]:
/// G = sum_k s_k z_k z_k', b = sum_k s_k z_k y_k, yy = sum_k s_k y_k^2, in double, over fixed row chunks
/// reduced in chunk order (same numbers for any thread count).
/// </summary>
internal sealed class NormalEquations
{
    public readonly int P;
    public readonly double[] G;
    public readonly double[] B;
    public double YY;
    public double W;

    public NormalEquations(int p) { P = p; G = new double[p * p]; B = new double[p]; }

    /// <summary>
    /// Accumulates positions <paramref name="positions"/> (indices into <paramref name="set"/>'s rows; null = all)
    /// with weights <paramref name="s"/> and targets <paramref name="y"/> indexed by position.
    /// </summary>
    public static NormalEquations Compute(RegressionSet set, int[]? positions, ReadOnlySpan<double> s, ReadOnlySpan<double> y, ParallelOptions parallel)
    {
        int d = set.Features, p = d + 1;
        int n = positions?.Length ?? set.Count;
        int chunks = Chunks.Count(n);
        var parts = new NormalEquations[Math.Max(chunks, 1)];
        double[] sArr = s.ToArray(), yArr = y.ToArray();
        Chunks.For(n, parallel, (start, end) =>
        {
            var part = new NormalEquations(p);
            var z = new double[p];
            var x = set.X;
            for (int q = start; q < end; q++)
            {
                int k = positions is null ? q : positions[q];
                double sk = sArr[k];
                if (sk == 0) continue;
                int row = set.Rows[k];
                z[0] = 1.0;
                for (int j = 0; j < d; j++) z[j + 1] = x[(long)row * d + j];
                double yk = yArr[k];
                for (int j = 0; j < p; j++)
                {
                    double a = sk * z[j];
                    AddScaled(part.G.AsSpan(j * p, p), z, a);
                    part.B[j] += a * yk;
                }
                part.YY += sk * yk * yk;
                part.W += sk;
            }
            parts[start / Chunks.RowChunk] = part;
        });
        var total = new NormalEquations(p);
        foreach (var part in parts) if (part is not null) total.Add(part, 1.0);
        return total;
    }

    static void AddScaled(Span<double> dst, ReadOnlySpan<double> src, double a)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(a);
            for (; i <= dst.Length - Vector<double>.Count; i += Vector<double>.Count)
                (new Vector<double>(dst[i..]) + va * new Vector<double>(src[i..])).CopyTo(dst[i..]);
        }
        for (; i < dst.Length; i++) dst[i] += a * src[i];
    }

    public void Add(NormalEquations o, double sign)
    {
        for (int i = 0; i < G.Length; i++) G[i] += sign * o.G[i];
        for (int i = 0; i < B.Length; i++) B[i] += sign * o.B[i];
        YY += sign * o.YY; W += sign * o.W;
    }

    /// <summary>The sums as one vector (G, B, YY, W), to send between machines; <see cref="FromArray"/> reads it back.</summary>
    public double[] ToArray()
    {
        var a = new double[P * P + P + 2];
        G.CopyTo(a, 0); B.CopyTo(a, P * P);
        a[^2] = YY; a[^1] = W;
        return a;
    }

    /// <summary>The length of <see cref="ToArray"/> for p coefficients.</summary>
    public static int ArrayLength(int p) => p * p + p + 2;

    public static NormalEquations FromArray(int p, ReadOnlySpan<double> a)
    {
        if (a.Length != ArrayLength(p)) throw new ArgumentException("normal equations vector length");
        var n = new NormalEquations(p);
        a[..(p * p)].CopyTo(n.G); a.Slice(p * p, p).CopyTo(n.B);
        n.YY = a[^2]; n.W = a[^1];
        return n;
    }

    /// <summary>
    /// Solves (G + lambda W I') beta = b, I' = identity without the intercept entry (ridge with unpenalised
    /// intercept; the penalty lambda ||beta||^2 is per unit of total weight W).
    /// </summary>
    public double[] Solve(double lambda)
    {
        var a = (double[])G.Clone();
        for (int j = 1; j < P; j++) a[j * P + j] += lambda * W;
        double jitter = 0;
        for (int attempt = 0; attempt < 8; attempt++)
        {
            var m = (double[])a.Clone();
            if (jitter > 0) for (int j = 0; j < P; j++) m[j * P + j] += jitter;
            if (Cholesky.Factor(m, P)) return Cholesky.Solve(m, P, B);
            double tr = 0;
            for (int j = 0; j < P; j++) tr += Math.Abs(a[j * P + j]);
            jitter = jitter == 0 ? 1e-12 * Math.Max(tr / P, 1e-300) : jitter * 100;
        }
        throw new UpliftException("linear model: the normal equations are singular (constant or duplicated features with no regularisation).");
    }

    /// <summary>Weighted sum of squared errors of <paramref name="beta"/> on these rows: beta'G beta - 2 beta'b + yy.</summary>
    public double Sse(double[] beta)
    {
        double q = 0;
        for (int i = 0; i < P; i++)
        {
            double r = 0;
            for (int j = 0; j < P; j++) r += G[i * P + j] * beta[j];
            q += beta[i] * (r - 2 * B[i]);
        }
        return q + YY;
    }
}
