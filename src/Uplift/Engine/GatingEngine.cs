using System.Runtime.InteropServices;
using Uplift.Data;

namespace Uplift.Engine;

/// <summary>
/// The numeric core of the learned gating over K arms (METHOD.md section 10, "learn the gating over arms directly"):
/// 2K scalar networks of one architecture (<see cref="Network"/>), output 2(k - 1) giving s_v,k(x) and output
/// 2(k - 1) + 1 giving s_c,k(x), their parameters one flat vector (network o at <c>o * net.ParameterCount</c>).
/// <para>For a λ (rescaled units, V/σ_V per C/σ_C) the policy is π = softmax(z / τ) over {0..K} with z_0 = 0 and
/// z_k = s_v,k − λ s_c,k. Its value on a randomized campaign, by the difference of arm means (IPW with the observed
/// arm shares): τ_v(π) = Σ_k [ mean_{T=k} π_k V − mean_{T=0} π_k V ], the same for C, so the Lagrangian
/// τ_v(π) − λ τ_c(π) is a sum of per-user terms: y_i π_k(x_i) / n_k for a user of arm k and −y_i (1 − π_0(x_i)) / n_0
/// for a control user, with y_i = V_i − λ C_i. The objective is its mean over the λ grid minus L2 · Σ w² (weights, not
/// biases). Per user and λ, with w_k the user's weight of π_k (w_0 = 0), ∂/∂z_j = π_j (w_j − Σ_k w_k π_k) / τ, and
/// ∂z_j/∂s_v,j = 1, ∂z_j/∂s_c,j = −λ.</para>
/// <para>Deterministic whatever the thread count: rows are cut in chunks of <see cref="CohortEngine.ChunkRows"/>, each
/// chunk's objective and gradient are its own, and they are summed in chunk order.</para>
/// </summary>
internal sealed unsafe class GatingEngine : IDisposable
{
    readonly Network _net;
    readonly int _arms, _n, _d, _chunks, _outputs;
    readonly float[] _x;
    readonly byte[] _t;
    readonly double[] _v, _c;
    readonly double[] _inverseCount; // 1 / n_k per group k = 0..K
    readonly ParallelOptions _po;
    readonly float[] _chunkGrad;     // chunks x parameters
    readonly double[] _chunkG;
    GCHandle _hx;

    /// <summary>The engine over <paramref name="data"/> (T in 0..K, every group non-empty), outcomes divided by the scales.</summary>
    public GatingEngine(Network net, int arms, Dataset data, double vScale, double cScale, int? maxThreads, bool withGradient = true)
    {
        _net = net; _arms = arms; _n = data.Rows; _d = data.Features; _outputs = 2 * arms;
        if (_d != net.Inputs) throw new ArgumentException("features of the data and the network differ");
        _x = data.X; _t = data.T;
        _v = new double[_n]; _c = new double[_n];
        for (int i = 0; i < _n; i++) { _v[i] = data.V[i] / vScale; _c[i] = data.C[i] / cScale; }
        var counts = new int[arms + 1];
        foreach (var b in data.T)
        {
            if (b > arms) throw new ArgumentException($"treatment {b} above the {arms} arms");
            counts[b]++;
        }
        _inverseCount = new double[arms + 1];
        for (int k = 0; k <= arms; k++)
        {
            if (counts[k] == 0) throw new ArgumentException($"group {k} has no users");
            _inverseCount[k] = 1.0 / counts[k];
        }
        _chunks = (_n + CohortEngine.ChunkRows - 1) / CohortEngine.ChunkRows;
        int threads = CohortEngine.ThreadsFor(_n, ParameterCount, maxThreads);
        _po = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        _chunkGrad = withGradient ? new float[(long)_chunks * ParameterCount] : [];
        _chunkG = new double[_chunks];
        _hx = GCHandle.Alloc(_x, GCHandleType.Pinned);
    }

    public int Arms => _arms;
    public int Rows => _n;
    /// <summary>Length of the flat parameter vector of the 2K networks.</summary>
    public int ParameterCount => _outputs * _net.ParameterCount;

    /// <summary>Mean difference of group means of the rescaled outcomes: arm k's (τ_v, τ_c) against control (index k - 1).</summary>
    public (double[] TauV, double[] TauC) AverageEffects()
    {
        var sv = new double[_arms + 1]; var sc = new double[_arms + 1];
        for (int i = 0; i < _n; i++) { sv[_t[i]] += _v[i]; sc[_t[i]] += _c[i]; }
        var tv = new double[_arms]; var tc = new double[_arms];
        for (int k = 1; k <= _arms; k++)
        {
            tv[k - 1] = sv[k] * _inverseCount[k] - sv[0] * _inverseCount[0];
            tc[k - 1] = sc[k] * _inverseCount[k] - sc[0] * _inverseCount[0];
        }
        return (tv, tc);
    }

    /// <summary>
    /// The objective G (mean over <paramref name="lambdas"/> of τ_v(π_λ) − λ τ_c(π_λ), minus <paramref name="l2"/> · Σ w²);
    /// when <paramref name="grad"/> is given it receives −∂G/∂θ (the loss gradient Adam descends).
    /// </summary>
    public double Run(float[] p, float[]? grad, ReadOnlySpan<double> lambdas, double temperature, double l2)
    {
        if (p.Length != ParameterCount) throw new ArgumentException("parameter vector length");
        if (grad is not null && _chunkGrad.Length == 0) throw new InvalidOperationException("engine built without gradient buffers");
        var lam = lambdas.ToArray();
        int P = _net.ParameterCount, L = _net.Hidden.Count, chunk = CohortEngine.ChunkRows;
        long actsPerOutput = (long)chunk * _net.ActivationsPerRow;
        long scratch = _outputs * (actsPerOutput + chunk) + chunk * (long)_outputs + _net.BackwardScratch(chunk) + chunk;
        var hp = GCHandle.Alloc(p, GCHandleType.Pinned);
        var hg = grad is null ? default : GCHandle.Alloc(_chunkGrad, GCHandleType.Pinned);
        try
        {
            float* px = (float*)_hx.AddrOfPinnedObject(), pp = (float*)hp.AddrOfPinnedObject();
            float* pg = grad is null ? null : (float*)hg.AddrOfPinnedObject();
            bool withGrad = grad is not null;
            Parallel.For(0, _chunks, _po, () => new Worker(scratch, _outputs, L), (ci, _, w) =>
            {
                int r0 = ci * chunk, rows = Math.Min(chunk, _n - r0);
                float* x = px + (long)r0 * _d;
                float* q = w.Buffer.Ptr;
                float* f = q; q += (long)_outputs * chunk;                  // f[o * chunk + r]
                float* df = q; q += (long)_outputs * chunk;                 // ∂loss/∂f, same layout
                float* back = q; q += _net.BackwardScratch(chunk);
                float* acts0 = q;
                for (int o = 0; o < _outputs; o++)
                {
                    float* a = acts0 + o * actsPerOutput;
                    for (int l = 0; l < L; l++) { w.Acts[o * Math.Max(L, 1) + l] = a; a += (long)chunk * _net.Pad[l]; }
                    _net.Forward(pp + (long)o * P, x, rows, w.Acts + o * Math.Max(L, 1), f + (long)o * chunk);
                }
                double g = UserTerms(r0, rows, f, withGrad ? df : null, lam, temperature, w.Pi, w.Weight);
                _chunkG[ci] = g;
                if (withGrad)
                {
                    float* gc = pg + (long)ci * ParameterCount;
                    new Span<float>(gc, ParameterCount).Clear();
                    for (int o = 0; o < _outputs; o++)
                        _net.Backward(pp + (long)o * P, x, rows, w.Acts + o * Math.Max(L, 1), df + (long)o * chunk, gc + (long)o * P, back);
                }
                return w;
            }, w => w.Dispose());
        }
        finally
        {
            hp.Free();
            if (hg.IsAllocated) hg.Free();
        }
        double total = 0;
        for (int ci = 0; ci < _chunks; ci++) total += _chunkG[ci];
        if (grad is not null)
        {
            Array.Clear(grad);
            for (int ci = 0; ci < _chunks; ci++)
            {
                var src = new ReadOnlySpan<float>(_chunkGrad, ci * ParameterCount, ParameterCount);
                for (int j = 0; j < grad.Length; j++) grad[j] += src[j];
            }
        }
        if (l2 > 0)
        {
            double pen = 0;
            for (int o = 0; o < _outputs; o++)
                for (int j = 0; j < P; j++)
                {
                    if (!_net.IsWeight(j)) continue;
                    double wj = p[o * P + j];
                    pen += wj * wj;
                    if (grad is not null) grad[o * P + j] += (float)(2 * l2 * wj);
                }
            total -= l2 * pen;
        }
        return total;
    }

    /// <summary>The chunk's share of the mean Lagrangian over the grid; when <paramref name="df"/> is given, the loss
    /// derivative (−∂G/∂f) of every output and row.</summary>
    double UserTerms(int r0, int rows, float* f, float* df, double[] lambdas, double temperature, double[] pi, double[] weight)
    {
        int K = _arms, chunk = CohortEngine.ChunkRows;
        double inv = 1.0 / lambdas.Length, total = 0;
        if (df is not null) new Span<float>(df, _outputs * chunk).Clear();
        for (int r = 0; r < rows; r++)
        {
            int i = r0 + r, t = _t[i];
            for (int li = 0; li < lambdas.Length; li++)
            {
                double lambda = lambdas[li];
                double y = _v[i] - lambda * _c[i];
                // softmax over {0..K} with z_0 = 0
                double zmax = 0;
                for (int k = 1; k <= K; k++)
                {
                    double z = (f[2 * (k - 1) * chunk + r] - lambda * f[(2 * (k - 1) + 1) * chunk + r]) / temperature;
                    pi[k] = z;
                    if (z > zmax) zmax = z;
                }
                double sum = zmax == 0 ? 1 : Math.Exp(-zmax);
                for (int k = 1; k <= K; k++) { pi[k] = Math.Exp(pi[k] - zmax); sum += pi[k]; }
                double norm = 1 / sum;
                for (int k = 1; k <= K; k++) pi[k] *= norm;
                // the user's weight of each π_k (w_0 = 0): −y/n_0 for every arm for a control user, y/n_k for arm k's own users
                double mean;
                if (t == 0)
                {
                    double w = -y * _inverseCount[0], s1 = 0;
                    for (int k = 1; k <= K; k++) { weight[k] = w; s1 += pi[k]; }
                    mean = w * s1;
                }
                else
                {
                    for (int k = 1; k <= K; k++) weight[k] = 0;
                    weight[t] = y * _inverseCount[t];
                    mean = weight[t] * pi[t];
                }
                total += inv * mean;
                if (df is null) continue;
                for (int k = 1; k <= K; k++)
                {
                    double dz = inv * pi[k] * (weight[k] - mean) / temperature; // ∂G/∂z_k
                    df[2 * (k - 1) * chunk + r] -= (float)dz;
                    df[(2 * (k - 1) + 1) * chunk + r] += (float)(lambda * dz);
                }
            }
        }
        return total;
    }

    /// <summary>The 2K raw outputs of every row, row-major n x 2K (output o of row i at <c>i * 2K + o</c>).</summary>
    public static void Outputs(Network net, int arms, float[] p, Dataset data, double[] result, ParallelOptions po)
    {
        int n = data.Rows, d = data.Features, outputs = 2 * arms, P = net.ParameterCount, L = net.Hidden.Count, chunk = CohortEngine.ChunkRows;
        if (result.Length != (long)n * outputs) throw new ArgumentException("result must hold rows x 2K values");
        int chunks = (n + chunk - 1) / chunk;
        long actsFloats = (long)chunk * net.ActivationsPerRow;
        var hx = GCHandle.Alloc(data.X, GCHandleType.Pinned);
        var hp = GCHandle.Alloc(p, GCHandleType.Pinned);
        try
        {
            float* px = (float*)hx.AddrOfPinnedObject(), pp = (float*)hp.AddrOfPinnedObject();
            Parallel.For(0, chunks, po, () => new Worker(actsFloats + chunk, 1, L), (ci, _, w) =>
            {
                int r0 = ci * chunk, rows = Math.Min(chunk, n - r0);
                float* a = w.Buffer.Ptr;
                for (int l = 0; l < L; l++) { w.Acts[l] = a; a += (long)chunk * net.Pad[l]; }
                float* f = w.Buffer.Ptr + actsFloats;
                for (int o = 0; o < outputs; o++)
                {
                    net.Forward(pp + (long)o * P, px + (long)r0 * d, rows, w.Acts, f);
                    for (int r = 0; r < rows; r++) result[(long)(r0 + r) * outputs + o] = f[r];
                }
                return w;
            }, w => w.Dispose());
        }
        finally { hx.Free(); hp.Free(); }
    }

    sealed class Worker : IDisposable
    {
        public readonly AlignedBuffer Buffer;
        public readonly float** Acts;
        public readonly double[] Pi, Weight;
        public Worker(long floats, int outputs, int layers)
        {
            Buffer = new AlignedBuffer(floats);
            Acts = (float**)NativeMemory.AllocZeroed((nuint)(outputs * Math.Max(layers, 1)), (nuint)sizeof(float*));
            Pi = new double[256]; Weight = new double[256];
        }
        public void Dispose() { Buffer.Dispose(); NativeMemory.Free(Acts); }
    }

    public void Dispose()
    {
        if (_hx.IsAllocated) _hx.Free();
    }
}
