using System.Buffers;
using Uplift.Data;

namespace Uplift.Synthetic;

/// <summary>
/// The <c>confounded</c> scenario (<see cref="SyntheticScenario.Confounded"/>): an observational campaign with the truth,
/// where past targeting chose who got the offer by the very features that drive the effects (METHOD.md section 11).
/// Features and baselines as <see cref="SyntheticScenario"/>; with z = 0.6 x0 + 0.8 x2 (the effect index):
/// <code>
/// tau_v = 1 + 0.9 z,   tau_c = 1 + 0.2 x3
/// e(x)  = 0.1 + 0.8 · sigmoid(logit(share) + 1.5 z + 0.5 x3)      (in (0.1, 0.9); share = TreatedShare sets its centre)
/// </code>
/// Users with large effects were treated more often, and z also moves the value baseline mu_v (2 x0 − x2): the naive
/// cost curve of section 6 compares treated and control users that differ in more than the treatment, so it is
/// biased, while the inverse-propensity weighted and doubly robust curves with the true e(x) are not. The propensity is
/// in <see cref="SyntheticData.Propensity"/> and in <see cref="Dataset.Propensity"/>.
/// </summary>
public static class ConfoundedCampaign
{
    /// <summary>The propensity's floor and range: e in (Floor, Floor + Range).</summary>
    public const double Floor = 0.1, Range = 0.8;

    internal static SyntheticData Generate(SyntheticOptions options)
    {
        int n = options.Rows, d = options.Features;
        var x = new float[(long)n * d];
        var t = new byte[n]; var v = new double[n]; var c = new double[n];
        var tauV = new double[n]; var tauC = new double[n]; var e = new double[n];
        double noise = options.NoiseScale, share = options.TreatedShare;
        double logitShare = Math.Log(share / (1 - share));
        double restScale = d > 5 ? 0.5 / Math.Sqrt(d - 5) : 0;
        int chunk = SyntheticCampaign.ChunkRows, chunks = (n + chunk - 1) / chunk;
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };
        Parallel.For(0, chunks, po, ch =>
        {
            var rng = Rng.Derive(options.Seed, RngStream.ConfoundedChunk, ch);
            int first = ch * chunk, end = Math.Min(n, first + chunk), perRow = d + 2;
            var normals = ArrayPool<double>.Shared.Rent((end - first) * perRow + 1);
            var scratch = ArrayPool<double>.Shared.Rent(2 * ((end - first) * perRow / 2 + 1));
            try
            {
                SyntheticCampaign.FillNormals(ref rng, normals.AsSpan(0, (end - first) * perRow), scratch);
                int q = 0;
                for (int i = first; i < end; i++)
                {
                    var row = x.AsSpan(i * d, d);
                    double rest = SyntheticCampaign.Features(row, normals, ref q);
                    double x0 = row[0], x2 = row[2], x3 = row[3];
                    double z = 0.6 * x0 + 0.8 * x2;
                    var (muV, muC) = SyntheticCampaign.Baselines(row, restScale * rest);
                    double tv = 1 + 0.9 * z, tc = 1 + 0.2 * x3;
                    double ei = Floor + Range / (1 + Math.Exp(-(logitShare + 1.5 * z + 0.5 * x3)));
                    byte ti = rng.NextDouble() < ei ? (byte)1 : (byte)0;
                    t[i] = ti; tauV[i] = tv; tauC[i] = tc; e[i] = ei;
                    v[i] = muV + ti * tv + noise * normals[q++];
                    c[i] = muC + ti * tc + noise * normals[q++];
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(normals);
                ArrayPool<double>.Shared.Return(scratch);
            }
        });
        var names = new string[d];
        for (int j = 0; j < d; j++) names[j] = "x" + j;
        var data = new Dataset(x, n, d, names, t, v, c, propensity: (double[])e.Clone());
        return new SyntheticData(data, tauV, tauC, e, Oracle.OracleScore(tauV, tauC), options);
    }
}
