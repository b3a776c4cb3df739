namespace Uplift.Models.Forest;

/// <summary>
/// What the trees are trained on and what their leaves average: the outcome Y, the treatment W (causal forests;
/// null for regression) and the sample weight S (all ones when none is given). Causal forests hold the centred
/// Y - m̂ and W - ê here.
/// </summary>
internal sealed class Observations
{
    public double[] Y { get; }
    public double[]? W { get; }
    public double[] S { get; }
    public int Rows => Y.Length;

    public Observations(double[] y, double[]? w, double[]? s)
    {
        if (w is not null && w.Length != y.Length) throw new ArgumentException("W length");
        if (s is not null && s.Length != y.Length) throw new ArgumentException("S length");
        Y = y; W = w;
        if (s is null) { s = new double[y.Length]; Array.Fill(s, 1.0); }
        S = s;
    }
}
