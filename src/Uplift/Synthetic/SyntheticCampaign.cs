using Uplift.Models;
using System.Buffers;
using System.Numerics.Tensors;
using Uplift.Data;

namespace Uplift.Synthetic;

/// <summary>
/// Synthetic campaigns with known effects. Every scenario draws features x_j ~ N(0,1) except x4, which is
/// binary (0/1 with probability 1/2), and shares the baselines (larger than the effects, so that the
/// baseline explains most of the variance of V and C, as in real campaigns):
/// <code>
/// mu_v(x) = 3 + 2 x0 + 1.5 x1 − x2 + x4 + 0.5 · mean-free sum_{j>=5} x_j / sqrt(d − 5)
/// mu_c(x) = 2 + x1 + 0.8 x3 + 0.5 x4
/// V = mu_v + T tau_v + noise · e_v,   C = mu_c + T tau_c + noise · e_c,   e ~ N(0,1)
/// </code>
/// T ~ Bernoulli(e(x)) with e(x) = treated share except in <see cref="ObservationalPropensity"/>.
/// The effects are z = 0.6 x0 + 0.8 x2 (a unit-variance linear index) and:
/// </summary>
public enum SyntheticScenario
{
    /// <summary>
    /// <c>linear</c>: tau_v = 1 + 0.9 z, tau_c = 1 + 0.1 x3. The ratio ranking is nearly a monotone function
    /// of z, so a linear ranker can approach the oracle.
    /// </summary>
    Linear,
    /// <summary>
    /// <c>nonlinear</c>: tau_v = 1 + 1.2 sin(2 x0) + 0.8 x1 x2, tau_c = 0.3 + 0.7 |x3| + 0.4 x4. Oscillation,
    /// an interaction and an absolute value: a linear ranker stays clearly below the oracle.
    /// </summary>
    Nonlinear,
    /// <summary>
    /// <c>varying-cost</c>: tau_v = 1 + 0.3 z, tau_c = 0.8 softplus(1.5 x1) − 0.1. The cost effect varies
    /// with x1, is near zero for x1 around −1.2 and slightly negative below (about 1 user in 11, down to −0.1).
    /// </summary>
    VaryingCost,
    /// <summary>
    /// <c>observational</c>: the effects of <see cref="Linear"/> with a non-constant propensity
    /// e(x) = clip(sigmoid(logit(share) + 0.5 x3 − 0.5 x2), 0.05, 0.95), confounded with both baselines
    /// (x2 enters mu_v and tau_v, x3 enters mu_c): the naive cost curve of section 6 is biased here.
    /// </summary>
    ObservationalPropensity,
    /// <summary>
    /// <c>multiarm</c>: K offers of growing size (<see cref="SyntheticOptions.Arms"/>, METHOD.md section 10) with
    /// diminishing returns; the formulas are at <see cref="MultiArmCampaign"/>.
    /// </summary>
    MultiArm,
    /// <summary>
    /// <c>confounded</c>: an observational campaign whose propensity follows the effects (METHOD.md section 11); the
    /// formulas are at <see cref="ConfoundedCampaign"/>.
    /// </summary>
    Confounded,
}

/// <summary>Options of <see cref="SyntheticCampaign.Generate"/>.</summary>
public sealed record SyntheticOptions
{
    /// <summary>Scenario. Default <see cref="SyntheticScenario.Linear"/>.</summary>
    public SyntheticScenario Scenario { get; init; } = SyntheticScenario.Linear;
    /// <summary>Number of users. Default 10,000, range 1 to 100,000,000.</summary>
    public int Rows { get; init; } = 10_000;
    /// <summary>Number of features d. Default 10, range 5 to 10,000 (the formulas use x0..x4).</summary>
    public int Features { get; init; } = 10;
    /// <summary>Share of treated users (the constant propensity; the centre of the observational one). Default 0.5, range (0, 1).
    /// Not used by <see cref="SyntheticScenario.MultiArm"/>, whose arm shares are fixed (<see cref="MultiArmCampaign.Shares"/>).</summary>
    public double TreatedShare { get; init; } = 0.5;
    /// <summary>Standard deviation of the outcome noise. Default 1, range [0, 1000].</summary>
    public double NoiseScale { get; init; } = 1.0;
    /// <summary>Number of treatment arms K of <see cref="SyntheticScenario.MultiArm"/> (the other scenarios have one).
    /// Default 3, range 1 to <see cref="TreatmentLabels.MaxArms"/>.</summary>
    public int Arms { get; init; } = 3;
    /// <summary>Seed. Default 1.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Cap on worker threads (null = all cores). The data never depend on it.</summary>
    public int? MaxThreads { get; init; }

    internal void Validate()
    {
        UpliftOptionException.Check(Enum.IsDefined(Scenario), "scenario", $"unknown value {Scenario}.");
        UpliftOptionException.Check(Rows is >= 1 and <= 100_000_000, "rows", $"must be between 1 and 100000000, got {Rows}.");
        UpliftOptionException.Check(Features is >= 5 and <= 10_000, "features", $"must be between 5 and 10000, got {Features}.");
        UpliftOptionException.Check((long)Rows * Features <= Array.MaxLength, "rows", $"rows x features = {(long)Rows * Features} is more than one array can hold.");
        UpliftOptionException.Check(TreatedShare > 0 && TreatedShare < 1, "treated-share", $"must be in (0, 1), got {TreatedShare}.");
        UpliftOptionException.Check(NoiseScale is >= 0 and <= 1000, "noise", $"must be between 0 and 1000, got {NoiseScale}.");
        UpliftOptionException.Check(MaxThreads is null or >= 1, "threads", $"must be at least 1, got {MaxThreads}.");
        UpliftOptionException.Check(Arms is >= 1 and <= TreatmentLabels.MaxArms, "arms", $"must be between 1 and {TreatmentLabels.MaxArms}, got {Arms}.");
    }
}

/// <summary>A generated campaign with its truth: the true effects, the true propensity and the oracle score.</summary>
/// <param name="Data">Features, T, V, C; <see cref="Dataset.Propensity"/> is set only for a non-constant propensity.</param>
/// <param name="TauV">True tau_v(x) per user (multiarm: of the user's own arm, 0 for control; see <see cref="ArmTauV"/>).</param>
/// <param name="TauC">True tau_c(x) per user (multiarm: of the user's own arm, 0 for control; see <see cref="ArmTauC"/>).</param>
/// <param name="Propensity">True e(x) per user (the constant share unless observational; multiarm: the share of the user's own arm).</param>
/// <param name="OracleScore">Guarded ratio of the true effects (<see cref="EffectRatio.Guarded(double, double, double)"/>) of TauV, TauC.</param>
/// <param name="Options">The options that generated it.</param>
public sealed record SyntheticData(Dataset Data, double[] TauV, double[] TauC, double[] Propensity, double[] OracleScore, SyntheticOptions Options)
{
    /// <summary>K, the number of treatment arms (<see cref="Dataset.Arms"/>).</summary>
    public int Arms => Data.Arms;
    /// <summary>True tau_v,k(x), row-major n x K (user i, arm k at i*K + k − 1); the binary scenarios: <see cref="TauV"/>.</summary>
    public double[] ArmTauV { get; init; } = TauV;
    /// <summary>True tau_c,k(x), row-major n x K; the binary scenarios: <see cref="TauC"/>.</summary>
    public double[] ArmTauC { get; init; } = TauC;
    /// <summary>The assignment shares: index 0 control, k arm k (the centre share for the observational scenario).</summary>
    public IReadOnlyList<double> ArmShares { get; init; } = [1 - Options.TreatedShare, Options.TreatedShare];
    /// <summary>The arm labels a file of this campaign uses ("1" for the binary scenarios; see <see cref="MultiArmCampaign.ArmLabels"/>).</summary>
    public IReadOnlyList<string> ArmLabels { get; init; } = ["1"];
    /// <summary>The control label a file of this campaign uses ("0"; "none" for multiarm).</summary>
    public string ControlLabel { get; init; } = "0";
}

/// <summary>Names of the scenarios on the command line: linear, nonlinear, varying-cost, observational, multiarm, confounded.</summary>
public static class SyntheticScenarios
{
    /// <summary>The one spelling of each scenario.</summary>
    public static NameTable<SyntheticScenario> Table { get; } = new(
        (SyntheticScenario.Linear, "linear"), (SyntheticScenario.Nonlinear, "nonlinear"),
        (SyntheticScenario.VaryingCost, "varying-cost"), (SyntheticScenario.ObservationalPropensity, "observational"),
        (SyntheticScenario.MultiArm, "multiarm"), (SyntheticScenario.Confounded, "confounded"));

    public static IReadOnlyList<string> Names => Table.Names;

    public static string Name(SyntheticScenario s) => Table.Name(s);

    /// <summary>Parses a CLI name (case-insensitive); throws <see cref="UpliftOptionException"/> listing the names.</summary>
    public static SyntheticScenario Parse(string name) => Table.TryParse(name, out var s) ? s
        : throw new UpliftOptionException("scenario", $"unknown scenario '{name}'; expected one of {string.Join(", ", Names)}.");
}

/// <summary>Generates synthetic campaigns (see <see cref="SyntheticScenario"/> for the formulas).</summary>
public static class SyntheticCampaign
{
    internal const int ChunkRows = 8192;

    public static SyntheticData Generate(SyntheticOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.Scenario == SyntheticScenario.MultiArm) return MultiArmCampaign.Generate(options);
        int n = options.Rows, d = options.Features;
        var x = new float[(long)n * d];
        var t = new byte[n];
        var v = new double[n];
        var c = new double[n];
        var tauV = new double[n];
        var tauC = new double[n];
        var e = new double[n];
        var scenario = options.Scenario;
        double noise = options.NoiseScale, share = options.TreatedShare;
        double logitShare = Math.Log(share / (1 - share));
        double restScale = d > 5 ? 0.5 / Math.Sqrt(d - 5) : 0;
        int chunks = (n + ChunkRows - 1) / ChunkRows;
        var po = new ParallelOptions { MaxDegreeOfParallelism = options.MaxThreads ?? Environment.ProcessorCount };

        // Fixed chunks, one derived generator each: the data do not depend on the thread count.
        Parallel.For(0, chunks, po, chunk =>
        {
            var rng = scenario == SyntheticScenario.Confounded // its own stream, as when it had a generator of its own
                ? Rng.Derive(options.Seed, RngStream.ConfoundedChunk, chunk)
                : Rng.Derive(options.Seed, RngStream.SyntheticChunk, chunk);
            int first = chunk * ChunkRows, end = Math.Min(n, first + ChunkRows);
            // all normals of the chunk at once (vectorized Box-Muller): d per row for the features, 2 for the noise
            int perRow = d + 2;
            var normals = ArrayPool<double>.Shared.Rent((end - first) * perRow + 1);
            var scratch = ArrayPool<double>.Shared.Rent(2 * ((end - first) * perRow / 2 + 1));
            try
            {
                FillNormals(ref rng, normals.AsSpan(0, (end - first) * perRow), scratch);
                int q = 0;
                for (int i = first; i < end; i++)
                {
                    var row = x.AsSpan(i * d, d);
                    double rest = Features(row, normals, ref q);
                    double x0 = row[0], x1 = row[1], x2 = row[2], x3 = row[3], x4 = row[4];
                    double z = 0.6 * x0 + 0.8 * x2;
                    var (muV, muC) = Baselines(row, restScale * rest);
                    double tv, tc, ei = share;
                    switch (scenario)
                    {
                        case SyntheticScenario.Linear:
                            tv = 1 + 0.9 * z; tc = 1 + 0.1 * x3; break;
                        case SyntheticScenario.Nonlinear:
                            tv = 1 + 1.2 * Math.Sin(2 * x0) + 0.8 * x1 * x2; tc = 0.3 + 0.7 * Math.Abs(x3) + 0.4 * x4; break;
                        case SyntheticScenario.VaryingCost:
                            tv = 1 + 0.3 * z; tc = 0.8 * Softplus(1.5 * x1) - 0.1; break;
                        case SyntheticScenario.Confounded:
                            (tv, tc, ei) = ConfoundedCampaign.Truth(z, x3, logitShare); break;
                        default: // ObservationalPropensity
                            tv = 1 + 0.9 * z; tc = 1 + 0.1 * x3;
                            ei = Math.Clamp(1 / (1 + Math.Exp(-(logitShare + 0.5 * x3 - 0.5 * x2))), 0.05, 0.95);
                            break;
                    }
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
        bool observational = scenario is SyntheticScenario.ObservationalPropensity or SyntheticScenario.Confounded;
        var data = new Dataset(x, n, d, names, t, v, c, propensity: observational ? (double[])e.Clone() : null);
        return new SyntheticData(data, tauV, tauC, e, Oracle.OracleScore(tauV, tauC), options);
    }

    /// <summary>One user's features from d normals at <paramref name="q"/> (x4 = 1{g &gt;= 0}); returns sum_{j&gt;=5} x_j.</summary>
    internal static double Features(Span<float> row, double[] normals, ref int q)
    {
        double rest = 0;
        for (int j = 0; j < row.Length; j++)
        {
            double g = normals[q++];
            float xj = j == 4 ? (g < 0 ? 0f : 1f) : (float)g; // x4 = 1{g >= 0}: binary with probability 1/2
            row[j] = xj;
            if (j >= 5) rest += xj;
        }
        return rest;
    }

    /// <summary>The shared baselines mu_v, mu_c of <see cref="SyntheticScenario"/>; <paramref name="rest"/> = the scaled sum_{j&gt;=5} x_j.</summary>
    internal static (double MuV, double MuC) Baselines(ReadOnlySpan<float> row, double rest)
    {
        double x0 = row[0], x1 = row[1], x2 = row[2], x3 = row[3], x4 = row[4];
        return (3 + 2 * x0 + 1.5 * x1 - x2 + x4 + rest, 2 + x1 + 0.8 * x3 + 0.5 * x4);
    }

    internal static double Softplus(double a) => a > 30 ? a : Math.Log(1 + Math.Exp(a));

    /// <summary>Fills <paramref name="dest"/> with standard normals: Box-Muller on pairs of uniforms, vectorized.</summary>
    internal static void FillNormals(ref Rng rng, Span<double> dest, double[] scratch)
    {
        int pairs = (dest.Length + 1) / 2;
        var r = scratch.AsSpan(0, pairs);
        var a = scratch.AsSpan(pairs, pairs);
        for (int j = 0; j < pairs; j++) { r[j] = 1.0 - rng.NextDouble(); a[j] = 2.0 * Math.PI * rng.NextDouble(); }
        TensorPrimitives.Log(r, r);
        TensorPrimitives.Multiply(r, -2.0, r);
        TensorPrimitives.Sqrt(r, r);
        for (int j = 0; j < pairs; j++)
        {
            (double sin, double cos) = Math.SinCos(a[j]);
            dest[2 * j] = r[j] * cos;
            if (2 * j + 1 < dest.Length) dest[2 * j + 1] = r[j] * sin;
        }
    }
}
