using System.Text.Json.Nodes;

namespace Uplift.Models.Trees;

/// <summary>
/// One regression tree as flat arrays. Internal node j sends a row left when x[Feature[j]] &lt;= Threshold[j]
/// (NaN goes right); a child index c &gt;= 0 is another internal node, c &lt; 0 is leaf ~c. A tree with no
/// internal node is the single leaf 0.
/// </summary>
public sealed class RegressionTree
{
    internal readonly int[] Feature;
    internal readonly float[] Threshold;
    internal readonly int[] Left;
    internal readonly int[] Right;
    /// <summary>Leaf outputs, already multiplied by the learning rate.</summary>
    internal readonly double[] Leaf;

    internal RegressionTree(int[] feature, float[] threshold, int[] left, int[] right, double[] leaf)
    {
        Feature = feature; Threshold = threshold; Left = left; Right = right; Leaf = leaf;
    }

    public int Leaves => Leaf.Length;

    public double Predict(float[] x, long rowOffset)
    {
        if (Feature.Length == 0) return Leaf[0];
        int node = 0;
        while (node >= 0)
            node = x[rowOffset + Feature[node]] <= Threshold[node] ? Left[node] : Right[node];
        return Leaf[~node];
    }

    public JsonObject Save() => new()
    {
        ["feature"] = Arr(Feature, v => JsonValue.Create(v)),
        ["threshold"] = Arr(Threshold, v => JsonValue.Create(v)),
        ["left"] = Arr(Left, v => JsonValue.Create(v)),
        ["right"] = Arr(Right, v => JsonValue.Create(v)),
        ["leaf"] = Arr(Leaf, v => JsonValue.Create(v)),
    };

    static JsonArray Arr<T>(T[] a, Func<T, JsonValue> f) => new(a.Select(v => (JsonNode?)f(v)).ToArray());

    public static RegressionTree Load(JsonObject o, int features)
    {
        T[] Read<T>(string name) => (o[name] as JsonArray ?? throw new UpliftException($"tree: missing '{name}'."))
            .Select(v => v!.GetValue<T>()).ToArray();
        var t = new RegressionTree(Read<int>("feature"), Read<float>("threshold"), Read<int>("left"), Read<int>("right"), Read<double>("leaf"));
        int nodes = t.Feature.Length;
        bool ok = t.Threshold.Length == nodes && t.Left.Length == nodes && t.Right.Length == nodes && t.Leaf.Length == nodes + 1;
        bool Child(int c, int j) => c >= 0 ? c > j && c < nodes : ~c <= nodes;
        for (int j = 0; ok && j < nodes; j++)
            ok = t.Feature[j] >= 0 && t.Feature[j] < features && Child(t.Left[j], j) && Child(t.Right[j], j);
        if (!ok) throw new UpliftException("tree: inconsistent node arrays in the model file.");
        return t;
    }
}

/// <summary>A fitted gradient-boosted regression model: prediction = base + sum of the trees' leaf outputs.</summary>
public sealed class GradientBoostedModel : IRegressionModel
{
    public int Features { get; }
    public double Base { get; }
    public IReadOnlyList<RegressionTree> Trees => _trees;
    readonly RegressionTree[] _trees;

    public GradientBoostedModel(int features, double baseScore, RegressionTree[] trees)
    {
        Features = features; Base = baseScore; _trees = trees;
    }

    const int PredictChunk = 256;

    /// <summary>Scores fixed chunks of rows in parallel; each row sums base, tree 0, tree 1, ... in that order.</summary>
    public void Predict(float[] x, int[]? rows, double[] output, ParallelOptions parallel)
    {
        int d = Features;
        int n = rows?.Length ?? x.Length / Math.Max(d, 1);
        Chunks.For(n, parallel, (start, end) =>
        {
            for (int k = start; k < end; k++) output[k] = Base;
            foreach (var tree in _trees)
                for (int k = start; k < end; k++)
                    output[k] += tree.Predict(x, (long)(rows is null ? k : rows[k]) * d);
        }, PredictChunk);
    }

    public JsonObject Save() => new()
    {
        ["type"] = "gbt",
        ["features"] = Features,
        ["base"] = Base,
        ["trees"] = new JsonArray(_trees.Select(t => (JsonNode?)t.Save()).ToArray()),
    };

    public static GradientBoostedModel Load(JsonObject o)
    {
        if ((string?)o["type"] != "gbt") throw new UpliftException("boosted model: 'type' must be 'gbt'.");
        int features = o["features"]!.GetValue<int>();
        var trees = (o["trees"] as JsonArray ?? throw new UpliftException("boosted model: missing 'trees'."))
            .Select(t => RegressionTree.Load((JsonObject)t!, features)).ToArray();
        return new GradientBoostedModel(features, o["base"]!.GetValue<double>(), trees);
    }
}
