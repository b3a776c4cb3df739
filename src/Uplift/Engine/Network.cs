using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Uplift.Engine;

/// <summary>
/// The scoring network f_θ of METHOD.md section 2: a linear scorer f(x) = w·x + b (no hidden layer), or an
/// MLP with tanh hidden layers and a scalar linear output. The score used everywhere is s = tanh(f(x));
/// that last tanh lives with the cohort objective (<see cref="CohortEngine"/>), not here.
/// <para>
/// All parameters are one flat float vector (so Adam works on one vector), laid out layer by layer:
/// W_l (K_l rows x P_l columns, row-major), b_l (P_l), then the output weights w (P_last, or d for the
/// linear scorer) and the output bias b. K_1 = d, K_l = H_{l-1} (the true width of the previous layer),
/// and P_l = H_l rounded up to a multiple of 16 so every row of activations is whole SIMD vectors. The
/// padding columns start at zero and stay exactly zero: their activations are tanh(0) = 0 and their
/// output weights are 0, so they neither change the score nor receive any gradient.
/// <see cref="ToLogical"/> / <see cref="FromLogical"/> convert to and from the unpadded layout.
/// </para>
/// Forward and backward of each layer sit next to each other and work on a block of rows at a time.
/// </summary>
internal sealed unsafe class Network
{
    /// <summary>Rows of activations are padded to a multiple of this many floats.</summary>
    public const int PadTo = 16;

    public int Inputs { get; }
    /// <summary>Hidden layer widths (empty for the linear scorer).</summary>
    public IReadOnlyList<int> Hidden => _hidden;
    public bool IsLinear => _hidden.Length == 0;
    /// <summary>Length of the flat (padded) parameter vector.</summary>
    public int ParameterCount { get; }
    /// <summary>Number of true (unpadded) parameters.</summary>
    public int LogicalParameterCount { get; }

    readonly int[] _hidden;
    internal readonly int[] Pad;      // P_l
    internal readonly int[] InRows;   // K_l
    internal readonly int[] WOff, BOff;
    internal readonly int OutWOff, OutBOff, OutIn; // output weights offset, bias offset, output fan-in (true)
    internal readonly int OutLen;                  // stored length of the output weight vector (P_last or d)
    internal readonly int MaxPad;

    Network(int inputs, int[] hidden)
    {
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), "need at least one feature");
        foreach (var h in hidden) if (h <= 0) throw new ArgumentOutOfRangeException(nameof(hidden), "hidden sizes must be positive");
        Inputs = inputs;
        _hidden = (int[])hidden.Clone();
        int L = hidden.Length;
        Pad = new int[L]; InRows = new int[L]; WOff = new int[L]; BOff = new int[L];
        int off = 0, logical = 0;
        for (int l = 0; l < L; l++)
        {
            Pad[l] = (hidden[l] + PadTo - 1) / PadTo * PadTo;
            InRows[l] = l == 0 ? inputs : hidden[l - 1];
            WOff[l] = off; off += InRows[l] * Pad[l];
            BOff[l] = off; off += Pad[l];
            logical += InRows[l] * hidden[l] + hidden[l];
            MaxPad = Math.Max(MaxPad, Pad[l]);
        }
        OutIn = L == 0 ? inputs : hidden[L - 1];
        OutLen = L == 0 ? inputs : Pad[L - 1];
        OutWOff = off; off += OutLen;
        OutBOff = off; off += 1;
        ParameterCount = off;
        LogicalParameterCount = logical + OutIn + 1;
    }

    public static Network Linear(int inputs) => new(inputs, []);
    public static Network Mlp(int inputs, IReadOnlyList<int> hidden) => new(inputs, [.. hidden]);

    /// <summary>Floats of stored activations per row (sum of the padded hidden widths).</summary>
    public int ActivationsPerRow { get { int s = 0; foreach (var p in Pad) s += p; return s; } }

    /// <summary>
    /// Glorot/Xavier uniform initial weights, U(-a, a) with a = sqrt(6 / (fan_in + fan_out)); biases zero;
    /// padding zero. Seeded: the same (seed, restart) gives the same vector.
    /// </summary>
    public float[] Initialize(long seed, long restart)
    {
        var p = new float[ParameterCount];
        var rng = Rng.Derive(seed, RngStream.NetworkInit, restart);
        for (int l = 0; l < _hidden.Length; l++)
        {
            double a = Math.Sqrt(6.0 / (InRows[l] + _hidden[l]));
            for (int i = 0; i < InRows[l]; i++)
                for (int j = 0; j < _hidden[l]; j++)
                    p[WOff[l] + i * Pad[l] + j] = (float)((2 * rng.NextDouble() - 1) * a);
        }
        double ao = Math.Sqrt(6.0 / (OutIn + 1));
        for (int j = 0; j < OutIn; j++) p[OutWOff + j] = (float)((2 * rng.NextDouble() - 1) * ao);
        return p;
    }

    /// <summary>Indices of the flat vector that are weights (not biases, not padding): what L1/L2 penalise.</summary>
    public bool IsWeight(int index)
    {
        if (index >= OutWOff && index < OutWOff + OutIn) return true;
        for (int l = 0; l < _hidden.Length; l++)
            if (index >= WOff[l] && index < BOff[l]) return (index - WOff[l]) % Pad[l] < _hidden[l];
        return false;
    }

    /// <summary>The unpadded parameters: per layer W (K x H row-major) then b (H); then w_out, b_out.</summary>
    public float[] ToLogical(ReadOnlySpan<float> p)
    {
        if (p.Length != ParameterCount) throw new ArgumentException("parameter vector length");
        var r = new float[LogicalParameterCount];
        int o = 0;
        for (int l = 0; l < _hidden.Length; l++)
        {
            for (int i = 0; i < InRows[l]; i++)
                for (int j = 0; j < _hidden[l]; j++) r[o++] = p[WOff[l] + i * Pad[l] + j];
            for (int j = 0; j < _hidden[l]; j++) r[o++] = p[BOff[l] + j];
        }
        for (int j = 0; j < OutIn; j++) r[o++] = p[OutWOff + j];
        r[o] = p[OutBOff];
        return r;
    }

    /// <summary>Inverse of <see cref="ToLogical"/> (padding set to zero).</summary>
    public float[] FromLogical(ReadOnlySpan<float> logical)
    {
        if (logical.Length != LogicalParameterCount) throw new ArgumentException($"expected {LogicalParameterCount} parameters, got {logical.Length}");
        var p = new float[ParameterCount];
        int o = 0;
        for (int l = 0; l < _hidden.Length; l++)
        {
            for (int i = 0; i < InRows[l]; i++)
                for (int j = 0; j < _hidden[l]; j++) p[WOff[l] + i * Pad[l] + j] = logical[o++];
            for (int j = 0; j < _hidden[l]; j++) p[BOff[l] + j] = logical[o++];
        }
        for (int j = 0; j < OutIn; j++) p[OutWOff + j] = logical[o++];
        p[OutBOff] = logical[o];
        return p;
    }

    /// <summary>Floats of scratch <see cref="Backward"/> needs for a block of <paramref name="rows"/> rows.</summary>
    public int BackwardScratch(int rows) => IsLinear ? 0 : 2 * rows * MaxPad + MaxPad * MaxPad;

    // ---------------------------------------------------------------------------------------------
    // Forward: f = net(x) for a block of rows.
    //   layer l:  Z_l = A_{l-1} W_l + b_l,  A_l = tanh(Z_l)     (A_0 = X)
    //   output:   f = A_L w + b
    // acts[l] receives A_{l+1} (rows x P_l); kept for the backward pass.

    /// <param name="p">Flat parameters.</param>
    /// <param name="x">The block's features, rows x d row-major.</param>
    /// <param name="rows">Rows in the block.</param>
    /// <param name="acts">One pointer per hidden layer, each to rows x P_l floats.</param>
    /// <param name="f">Receives the raw score f(x) per row.</param>
    public void Forward(float* p, float* x, int rows, float** acts, float* f)
    {
        float* input = x;
        int ld = Inputs;
        for (int l = 0; l < _hidden.Length; l++)
        {
            Kernels.Gemm(input, ld, p + WOff[l], Pad[l], p + BOff[l], acts[l], Pad[l], rows, InRows[l], Pad[l]);
            Kernels.TanhInPlace(new Span<float>(acts[l], rows * Pad[l]));
            input = acts[l];
            ld = Pad[l];
        }
        Kernels.Gemv(input, ld, p + OutWOff, p[OutBOff], f, rows, OutLen);
    }

    // Backward: given df = dLoss/df per row, accumulate dLoss/dθ into g (same layout as p).
    //   output:   dw += A_L^T df,  db += Σ df,  dA_L = df w^T
    //   layer l:  dZ_l = dA_l ⊙ (1 − A_l²),  dW_l += A_{l-1}^T dZ_l,  db_l += Σ_rows dZ_l,  dA_{l-1} = dZ_l W_l^T

    /// <summary>Backward pass for a block of rows; <paramref name="scratch"/> holds at least
    /// <see cref="BackwardScratch"/>(rows) floats. Gradients are added to <paramref name="g"/>.</summary>
    public void Backward(float* p, float* x, int rows, float** acts, float* df, float* g, float* scratch)
    {
        int L = _hidden.Length;
        float sumDf = 0f;
        for (int r = 0; r < rows; r++) sumDf += df[r];
        g[OutBOff] += sumDf;
        if (L == 0)
        {
            Kernels.GemvTAcc(x, Inputs, df, g + OutWOff, rows, Inputs);
            return;
        }
        float* dz = scratch;
        float* dzPrev = scratch + rows * MaxPad;
        float* wt = dzPrev + rows * MaxPad;
        int P = Pad[L - 1];
        // Output layer and the last tanh in one sweep over the rows.
        if (Vector512.IsHardwareAccelerated) OutputBackward<V512, Vector512<float>>(acts[L - 1], P, rows, df, p + OutWOff, dz, g + OutWOff, g + BOff[L - 1]);
        else if (Vector256.IsHardwareAccelerated) OutputBackward<V256, Vector256<float>>(acts[L - 1], P, rows, df, p + OutWOff, dz, g + OutWOff, g + BOff[L - 1]);
        else OutputBackward<VScalar, float>(acts[L - 1], P, rows, df, p + OutWOff, dz, g + OutWOff, g + BOff[L - 1]);
        for (int l = L - 1; l >= 0; l--)
        {
            float* input = l == 0 ? x : acts[l - 1];
            int ldIn = l == 0 ? Inputs : Pad[l - 1];
            Kernels.GemmTnAcc(input, ldIn, dz, Pad[l], g + WOff[l], Pad[l], rows, InRows[l], Pad[l]);
            if (l == 0) break;
            // dA_{l-1} = dZ_l W_l^T: W_l^T is P_l x P_{l-1} (rows beyond H_l and columns beyond K_l are zero).
            int pin = Pad[l - 1];
            new Span<float>(wt, Pad[l] * pin).Clear();
            float* w = p + WOff[l];
            for (int i = 0; i < InRows[l]; i++)
                for (int j = 0; j < _hidden[l]; j++) wt[j * pin + i] = w[i * Pad[l] + j];
            Kernels.Gemm(dz, Pad[l], wt, pin, null, dzPrev, pin, rows, Pad[l], pin);
            TanhBackward(acts[l - 1], pin, rows, dzPrev, g + BOff[l - 1]);
            float* tmp = dz; dz = dzPrev; dzPrev = tmp;
        }
    }

    /// <summary>g_out += Σ_r df_r a_r;  dz_r = df_r · w ⊙ (1 − a_r²);  g_b += Σ_r dz_r.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void OutputBackward<TO, TV>(float* a, int P, int rows, float* df, float* w, float* dz, float* gOut, float* gB)
        where TO : struct, IVec<TV> where TV : struct
    {
        int W = TO.Count;
        for (int j = 0; j < P; j += W)
        {
            TV go = TO.Load(gOut + j), gb = TO.Load(gB + j), wv = TO.Load(w + j);
            float* ar = a + j;
            float* dr = dz + j;
            for (int r = 0; r < rows; r++, ar += P, dr += P)
            {
                TV av = TO.Load(ar);
                TV d = TO.Broadcast(df[r]);
                go = TO.Fma(d, av, go);
                TV dzv = TO.Mul(TO.Mul(d, wv), OneMinusSquare<TO, TV>(av));
                TO.Store(dzv, dr);
                gb = TO.Add(gb, dzv);
            }
            TO.Store(go, gOut + j);
            TO.Store(gb, gB + j);
        }
    }

    /// <summary>In place dz_r = dA_r ⊙ (1 − a_r²);  g_b += Σ_r dz_r.</summary>
    static void TanhBackward(float* a, int P, int rows, float* dz, float* gB)
    {
        if (Vector512.IsHardwareAccelerated) TanhBackward<V512, Vector512<float>>(a, P, rows, dz, gB);
        else if (Vector256.IsHardwareAccelerated) TanhBackward<V256, Vector256<float>>(a, P, rows, dz, gB);
        else TanhBackward<VScalar, float>(a, P, rows, dz, gB);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void TanhBackward<TO, TV>(float* a, int P, int rows, float* dz, float* gB)
        where TO : struct, IVec<TV> where TV : struct
    {
        int W = TO.Count;
        for (int j = 0; j < P; j += W)
        {
            TV gb = TO.Load(gB + j);
            float* ar = a + j;
            float* dr = dz + j;
            for (int r = 0; r < rows; r++, ar += P, dr += P)
            {
                TV dzv = TO.Mul(TO.Load(dr), OneMinusSquare<TO, TV>(TO.Load(ar)));
                TO.Store(dzv, dr);
                gb = TO.Add(gb, dzv);
            }
            TO.Store(gb, gB + j);
        }
    }

    // 1 − a² computed as fma(−a, a, 1).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static TV OneMinusSquare<TO, TV>(TV a) where TO : struct, IVec<TV> where TV : struct =>
        TO.Fma(TO.Mul(a, TO.Broadcast(-1f)), a, TO.Broadcast(1f));
}
