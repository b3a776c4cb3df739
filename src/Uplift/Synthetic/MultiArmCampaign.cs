using System.Buffers;
using Uplift.Data;

namespace Uplift.Synthetic;

/// <summary>
/// The <c>multiarm</c> scenario (METHOD.md section 10): K offers of growing size a_k = k / K, k = 1..K
/// (<see cref="SyntheticOptions.Arms"/>), with the features and value baseline mu_v of <see cref="SyntheticScenario"/>,
/// z = 0.6 x0 + 0.8 x2, and two kinds of user told apart by the binary x4 (half each):
/// <code>
/// m(x)  = 1.2 + 0.9 z                          value scale (negative, the offer hurts, for about 1 user in 11)
/// c(x)  = 0.5 + 0.5 softplus(x3)               cost scale, &gt; 0
/// x4 = 0, "regulars": r(a) = sqrt(min(1, a / s(x))),  s(x) = 0.15 + 0.85 sigmoid(1.5 x1)
///         saturation: an offer beyond size s adds no value (for s &lt;= 1/K the small offer is as good as the big one)
/// x4 = 1, "deal seekers": r(a) = 2 sqrt(max(0, a - h) / (1 - h)),  h = 0.4
///         a threshold: offers below 40 % of the largest buy nothing, bigger ones buy up to twice a regular's value
/// tau_v,k(x) = m(x) · r(a_k)                   concave in the size past the threshold: diminishing returns
/// tau_c,k(x) = c(x) · a_k^1.5                  convex in the size: a bigger offer costs much more
/// V = mu_v + tau_v,T + noise · e_v · exp(0.5 g − 0.25)
/// C = mu_c + tau_c,T + 0.3 · noise · e_c,      mu_c = 0.5 + 0.1 x1 + 0.1 x3   (tau_·,0 = 0)
/// </code>
/// e_v, e_c, g ~ N(0,1): the value noise is a scale mixture of normals (unit variance, kurtosis 3e ≈ 8), heavy-ish
/// tailed as revenue is. The cost is what the offers cost: a small, predictable baseline and noise a third of the
/// value's, so that, as in the campaigns the issue describes, the incremental cost of a third of 20,000 users is
/// estimated to about 6 % (`bench multiarm` prints it per seed). Every regular's tau_v,k / tau_c,k falls with k, so
/// regulars are worth the small offer first; deal seekers are worth only the bigger ones; at any price of cost the best
/// arm differs across users, and no single arm is close to the oracle at a third of the users (`bench multiarm` prints
/// the oracle's best single arm per budget). T is drawn with the fixed shares of <see cref="Shares"/>.
/// </summary>
public static class MultiArmCampaign
{
    /// <summary>The control group's share (0.4).</summary>
    public const double ControlShare = 0.4;

    /// <summary>
    /// The assignment shares, index 0 control and k arm k: control 0.4, and arm k gets 0.6 · (K + 1 − k) / (K (K + 1) / 2),
    /// so bigger offers are rarer (K = 3: 0.4, 0.3, 0.2, 0.1).
    /// </summary>
    public static double[] Shares(int arms)
    {
        UpliftOptionException.Check(arms is >= 1 and <= TreatmentLabels.MaxArms, "arms", $"must be between 1 and {TreatmentLabels.MaxArms}, got {arms}.");
        var p = new double[arms + 1];
        p[0] = ControlShare;
        double total = arms * (arms + 1) / 2.0;
        for (int k = 1; k <= arms; k++) p[k] = Math.Round((1 - ControlShare) * (arms + 1 - k) / total, 12); // 0.4, not 0.39999999999999997
        return p;
    }

    /// <summary>The control label of a multiarm file: "none".</summary>
    public const string ControlLabel = "none";

    /// <summary>The arm labels of a multiarm file: small, medium, large for K = 3; offer1..offerK otherwise (offer01..
    /// from K = 10, so that the sorted labels, the arm order of <see cref="TreatmentLabels"/>, follow the offer size).</summary>
    public static string[] ArmLabels(int arms) => arms == 3
        ? ["small", "medium", "large"]
        : Enumerable.Range(1, arms).Select(k => "offer" + k.ToString(arms >= 10 ? "00" : "0", System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>The true (tau_v,k, tau_c,k) of one user's features <paramref name="row"/> for arm k of K (formulas above).</summary>
    public static (double TauV, double TauC) Effects(ReadOnlySpan<float> row, int arm, int arms)
    {
        double x0 = row[0], x1 = row[1], x2 = row[2], x3 = row[3], x4 = row[4];
        double a = (double)arm / arms;
        double m = 1.2 + 0.9 * (0.6 * x0 + 0.8 * x2);
        double c = 0.5 + 0.5 * SyntheticCampaign.Softplus(x3);
        double r = x4 == 0
            ? Math.Sqrt(Math.Min(1, a / (0.15 + 0.85 / (1 + Math.Exp(-1.5 * x1)))))
            : 2 * Math.Sqrt(Math.Max(0, a - DealThreshold) / (1 - DealThreshold));
        return (m * r, c * Math.Pow(a, 1.5));
    }

    /// <summary>The offer size below which a deal seeker (x4 = 1) does not respond: 0.4 of the largest offer.</summary>
    public const double DealThreshold = 0.4;

    /// <summary>The baseline cost mu_c of the scenario (formulas above): small and predictable, as an offer's cost is.</summary>
    internal static double CostBaseline(ReadOnlySpan<float> row) => 0.5 + 0.1 * row[1] + 0.1 * row[3];

    /// <summary>The cost noise as a share of the value's (<see cref="SyntheticOptions.NoiseScale"/>).</summary>
    public const double CostNoise = 0.3;

    internal static SyntheticData Generate(SyntheticOptions options)
    {
        int n = options.Rows, d = options.Features, arms = options.Arms;
        var x = new float[(long)n * d];
        var t = new byte[n];
        var v = new double[n];
        var c = new double[n];
        var armV = new double[(long)n * arms];
        var armC = new double[(long)n * arms];
        var tauV = new double[n];
        var tauC = new double[n];
        var e = new double[n];
        var shares = Shares(arms);
        var cumulative = new double[arms + 1];
        double sum = 0;
        for (int k = 0; k <= arms; k++) cumulative[k] = sum += shares[k];
        double noise = options.NoiseScale;
        double restScale = d > 5 ? 0.5 / Math.Sqrt(d - 5) : 0;
        int chunkRows = SyntheticCampaign.ChunkRows;
        int chunks = (n + chunkRows - 1) / chunkRows;
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };

        // Fixed chunks, one derived generator each: the data do not depend on the thread count.
        Parallel.For(0, chunks, po, chunk =>
        {
            var rng = Rng.Derive(options.Seed, RngStream.SyntheticChunk, chunk);
            int first = chunk * chunkRows, end = Math.Min(n, first + chunkRows);
            int perRow = d + 3; // the features, e_v, g, e_c
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
                    double muV = SyntheticCampaign.Baselines(row, restScale * rest).MuV, muC = CostBaseline(row);
                    for (int k = 1; k <= arms; k++)
                        (armV[(long)i * arms + k - 1], armC[(long)i * arms + k - 1]) = Effects(row, k, arms);
                    double u = rng.NextDouble();
                    int ti = 0;
                    while (ti < arms && u >= cumulative[ti]) ti++;
                    double tv = ti == 0 ? 0 : armV[(long)i * arms + ti - 1], tc = ti == 0 ? 0 : armC[(long)i * arms + ti - 1];
                    t[i] = (byte)ti; tauV[i] = tv; tauC[i] = tc; e[i] = shares[ti];
                    double ev = normals[q++], g = normals[q++], ec = normals[q++];
                    v[i] = muV + tv + noise * ev * Math.Exp(0.5 * g - 0.25);
                    c[i] = muC + tc + CostNoise * noise * ec;
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
        var data = new Dataset(x, n, d, names, t, v, c, arms: arms);
        return new SyntheticData(data, tauV, tauC, e, Oracle.OracleScore(tauV, tauC), options)
        {
            ArmTauV = armV, ArmTauC = armC, ArmShares = shares, ArmLabels = ArmLabels(arms), ControlLabel = ControlLabel,
        };
    }
}
