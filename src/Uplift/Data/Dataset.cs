namespace Uplift.Data;

/// <summary>
/// A campaign ready for learning: N users, D float32 features stored row-major (user i's features are
/// <c>X[i*D .. i*D+D)</c>), and, for training and evaluation data, the treatment T (0 = control, k = arm k of <see cref="Arms"/>), the value V and
/// the cost C of each user (METHOD.md section 1). Scoring-only data has empty T, V, C
/// (<see cref="HasOutcomes"/> is false). Features here are already preprocessed (one-hot, z-scored).
/// Instances are never mutated after construction.
/// </summary>
public sealed class Dataset
{
    public int Rows { get; }
    public int Features { get; }
    /// <summary>Row-major features, length Rows * Features.</summary>
    public float[] X { get; }
    public IReadOnlyList<string> FeatureNames { get; }
    /// <summary>Treatment: 0 = control, k = treatment arm k (1..<see cref="Arms"/>; 1 = treated in the binary case,
    /// METHOD.md section 10); empty when <see cref="HasOutcomes"/> is false.</summary>
    public byte[] T { get; }
    /// <summary>K, the number of treatment arms besides control (1 for a binary campaign). Set by the preprocessing from
    /// the treatment labels (so a subset that lacks an arm keeps K); by default the largest T, at least 1.</summary>
    public int Arms { get; }
    public double[] V { get; }
    public double[] C { get; }
    /// <summary>Optional known propensity P(T=1 | x) per user (METHOD.md section 2, inverse-propensity form).</summary>
    public double[]? Propensity { get; }
    /// <summary>Optional non-negative sample weight per user.</summary>
    public double[]? Weight { get; }
    /// <summary>Optional user ids carried through to scores.</summary>
    public string[]? Ids { get; }

    public Dataset(float[] x, int rows, int features, IReadOnlyList<string> featureNames,
        byte[]? t = null, double[]? v = null, double[]? c = null,
        double[]? propensity = null, double[]? weight = null, string[]? ids = null, int? arms = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (rows < 0 || features < 0 || (long)rows * features != x.Length)
            throw new ArgumentException($"X has {x.Length} values, expected {rows} x {features}.");
        if (featureNames.Count != features) throw new ArgumentException("featureNames must have one name per feature.");
        t ??= []; v ??= []; c ??= [];
        bool has = t.Length == rows && v.Length == rows && c.Length == rows;
        bool none = t.Length == 0 && v.Length == 0 && c.Length == 0;
        if (!has && !none) throw new ArgumentException("T, V and C must all have one value per row, or all be empty.");
        if (propensity is not null && propensity.Length != rows) throw new ArgumentException("propensity length");
        if (weight is not null && weight.Length != rows) throw new ArgumentException("weight length");
        if (ids is not null && ids.Length != rows) throw new ArgumentException("ids length");
        int maxT = 0;
        foreach (var b in t) if (b > maxT) maxT = b;
        if (arms is { } k && (k < 1 || k < maxT)) throw new ArgumentException($"arms = {k}, but T holds arm {maxT}.", nameof(arms));
        X = x; Rows = rows; Features = features; FeatureNames = featureNames;
        T = t; V = v; C = c; Propensity = propensity; Weight = weight; Ids = ids;
        Arms = arms ?? Math.Max(1, maxT);
    }

    public bool HasOutcomes => Rows > 0 && T.Length == Rows;

    public ReadOnlySpan<float> Row(int i) => new(X, i * Features, Features);

    /// <summary>The users in any treatment arm (T &gt; 0); the treated count of a binary campaign.</summary>
    public int TreatedCount
    {
        get { int n = 0; foreach (var b in T) if (b != 0) n++; return n; }
    }

    /// <summary>The users per arm: index 0 control, k arm k (length <see cref="Arms"/> + 1; zeros without outcomes).</summary>
    public int[] ArmCounts() => CountArms(T, Arms);

    internal static int[] CountArms(ReadOnlySpan<byte> t, int arms)
    {
        var counts = new int[arms + 1];
        foreach (var b in t) counts[b]++;
        return counts;
    }

    /// <summary>The rows at <paramref name="rows"/>, in that order, as a new dataset.</summary>
    public Dataset Subset(ReadOnlySpan<int> rows)
    {
        var x = new float[(long)rows.Length * Features];
        for (int k = 0; k < rows.Length; k++)
            Array.Copy(X, (long)rows[k] * Features, x, (long)k * Features, Features);
        return new Dataset(x, rows.Length, Features, FeatureNames,
            HasOutcomes ? Pick(T, rows) : null, HasOutcomes ? Pick(V, rows) : null, HasOutcomes ? Pick(C, rows) : null,
            Propensity is null ? null : Pick(Propensity, rows), Weight is null ? null : Pick(Weight, rows),
            Ids is null ? null : Pick(Ids, rows), Arms);
    }

    /// <summary>The same users with other outcome columns (used by learners that fit V - lambda C, by tests of scale invariance).</summary>
    public Dataset WithOutcomes(double[] v, double[] c) =>
        new(X, Rows, Features, FeatureNames, T, v, c, Propensity, Weight, Ids, Arms);

    static T2[] Pick<T2>(T2[] a, ReadOnlySpan<int> rows)
    {
        var r = new T2[rows.Length];
        for (int k = 0; k < rows.Length; k++) r[k] = a[rows[k]];
        return r;
    }
}
