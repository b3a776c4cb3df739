using Uplift.Data;

namespace Uplift.Tests.Models.MultiArm;

/// <summary>
/// A small randomized campaign with K = 3 arms and known per-arm effects, built directly as a <see cref="Dataset"/> with
/// <c>arms: 3</c> (T in 0..3): control 40 % of users, each arm 20 %. Arm k buys value
/// tau_v,k(x) = k (1 + 0.5 tanh x0) at cost tau_c,k(x) = 0.5 k^2 (1.2 + 0.4 tanh x1) (a bigger offer buys more value at
/// a much higher cost); V and C add a baseline and noise. At least 4 features.
/// </summary>
static class MultiArmTestData
{
    public const int Arms = 3;

    public static double TauV(int arm, ReadOnlySpan<float> x) => arm == 0 ? 0 : arm * (1 + 0.5 * Math.Tanh(x[0]));
    public static double TauC(int arm, ReadOnlySpan<float> x) => arm == 0 ? 0 : 0.5 * arm * arm * (1.2 + 0.4 * Math.Tanh(x[1]));

    public static Dataset Generate(int rows, int features, long seed, double[]? shares = null)
    {
        shares ??= [0.4, 0.2, 0.2, 0.2];
        var rng = TestRng.Tagged(seed, 311);
        var x = new float[rows * features];
        var t = new byte[rows]; var v = new double[rows]; var c = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < features; j++) x[i * features + j] = (float)rng.NextNormal();
            double u = rng.NextDouble(), acc = 0;
            int arm = shares.Length - 1;
            for (int k = 0; k < shares.Length; k++) { acc += shares[k]; if (u < acc) { arm = k; break; } }
            t[i] = (byte)arm;
            var row = new ReadOnlySpan<float>(x, i * features, features);
            v[i] = 2 + row[2] + TauV(arm, row) + rng.NextNormal();
            c[i] = 1 + 0.5 * row[3] + TauC(arm, row) + 0.5 * rng.NextNormal();
        }
        return new Dataset(x, rows, features, [.. Enumerable.Range(0, features).Select(j => $"x{j}")], t, v, c, arms: Arms);
    }
}
