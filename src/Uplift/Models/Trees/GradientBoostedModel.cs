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

    public static RegressionTree Load(JsonObject o, int features) => Load(Uplift.IO.ModelJson.FromNode(o, "tree"), features);

    /// <summary>
    /// Reads what <see cref="Save"/> wrote. The node arrays have one length, the leaves one more; every feature index
    /// is in [0, <paramref name="features"/>); a child is a later node (so there is no cycle) or a leaf in range;
    /// thresholds are finite floats and leaf values finite with magnitude at most 1e30.
    /// </summary>
    internal static RegressionTree Load(Uplift.IO.ModelJson o, int features)
    {
        int nodes = o.Array("feature").Length;
        var feature = o.Ints("feature", nodes, null, 0, features - 1);
        // a threshold is a feature value seen in training: any finite float (it is only compared with)
        var threshold = o.Floats("threshold", nodes, "one per node of 'feature'", float.MaxValue);
        var left = o.Ints("left", nodes, "one per node of 'feature'");
        var right = o.Ints("right", nodes, "one per node of 'feature'");
        var leaf = o.Doubles("leaf", (long)nodes + 1, "one more than the nodes");
        for (int j = 0; j < nodes; j++)
        {
            CheckChild(o, "left", j, left[j], nodes);
            CheckChild(o, "right", j, right[j], nodes);
        }
        return new RegressionTree(feature, threshold, left, right, leaf);
    }

    static void CheckChild(Uplift.IO.ModelJson o, string side, int j, int c, int nodes)
    {
        bool ok = c >= 0 ? c > j && c < nodes : ~c <= nodes;
        if (!ok)
            throw o.Error($"{side}[{j}]", c >= 0
                ? $"must be a later node (in ({j}, {nodes})) or a leaf (~leaf), got {c}"
                : $"names leaf {~c}, but the tree has {nodes + 1} leaves");
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

    public static GradientBoostedModel Load(JsonObject o) => Load(Uplift.IO.ModelJson.FromNode(o, "model"));

    /// <summary>Largest feature count a model file may declare (the real count is checked against the preprocessor).</summary>
    internal const int MaxFeatures = 1 << 24;

    internal static GradientBoostedModel Load(Uplift.IO.ModelJson o)
    {
        o.Choice("type", "gbt");
        int features = o.Int("features", 1, MaxFeatures);
        var trees = o.Array("trees").Items().Select(t => RegressionTree.Load(t, features)).ToArray();
        return new GradientBoostedModel(features, o.Double("base"), trees);
    }
}

