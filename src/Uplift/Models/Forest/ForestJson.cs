using Uplift.IO;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Uplift.Models.Forest;

/// <summary>
/// JSON of fitted forests. Format 2 (written): see <see cref="SaveForest"/> and <see cref="ForestCodec"/>. Format 1 (read):
/// a forest's trees are concatenated; each big array is the base64 of its raw little-endian values: "nodes" and "leaves" (int32 per tree), "feature", "left" (int32 per node; a leaf's
/// "left" is its leaf index, a split's right child is left + 1), "threshold" (float32 per node), "leafSizes"
/// (int32 per leaf), "leafRows" (int32 training-row indices of the leaves, in leaf order), and the training
/// observations "y", "w", "s" (float64 per training row: centred outcome, centred treatment, sample weight).
/// </summary>
internal static class ForestJson
{
    /// <summary>The forest format <see cref="SaveForest"/> writes (the model's "format"); <see cref="LoadForest"/> reads 1 and 2.</summary>
    internal const int Format = 2;

    /// <summary>
    /// Format 2: "trees", "rows", the tree section "treeData" (base64 of the deflated stream of <see cref="ForestCodec"/>)
    /// with its sizes "treeBytes" (compressed) and "rawBytes" (inflated), and the observations "y", "w", "s" as in format 1.
    /// </summary>
    internal static JsonObject SaveForest(Forest forest)
    {
        var raw = ForestCodec.Encode(forest.Trees);
        var packed = ForestCodec.Deflate(raw);
        var o = new JsonObject
        {
            ["trees"] = forest.Trees.Length,
            ["rows"] = forest.Obs.Rows,
            ["rawBytes"] = raw.Length,
            ["treeBytes"] = packed.Length,
            ["treeData"] = B64<byte>(packed),
            ["y"] = B64<double>(forest.Obs.Y),
            ["s"] = B64<double>(forest.Obs.S),
        };
        if (forest.Obs.W is not null) o["w"] = B64<double>(forest.Obs.W);
        return o;
    }

    /// <summary>Reads a forest of model format <paramref name="format"/> (1: one base64 array per field; 2: <see cref="SaveForest"/>).</summary>
    internal static Forest LoadForest(ModelJson o, int format, int features, IPredictionStrategy strategy, ParallelOptions po)
    {
        if (format == 1) return LoadForestV1(o, features, strategy, po);
        int trees = o.Int("trees", 1, int.MaxValue), n = o.Int("rows", 1, int.MaxValue);
        int packedBytes = o.Int("treeBytes", 1, int.MaxValue);
        int rawBytes = o.Int("rawBytes", 1, int.MaxValue);
        if (rawBytes < trees) throw o.Error("rawBytes", $"is {rawBytes}, fewer than one byte for each of the {trees} trees");
        var packed = o.Base64<byte>("treeData", packedBytes, "'treeBytes'");
        var (y, w, sw) = LoadObservations(o, n, strategy);
        var raw = ForestCodec.Inflate(packed, rawBytes, m => o.Error("treeData", m));
        var result = ForestCodec.Decode(raw, trees, features, n, m => o.Error("treeData", m));
        return new Forest(result, new Observations(y, w, sw), strategy, features, null, po);
    }

    static (double[] Y, double[]? W, double[] S) LoadObservations(ModelJson o, int n, IPredictionStrategy strategy)
    {
        var y = Observations(o, "y", n);
        var sw = Observations(o, "s", n);
        var w = o.Has("w") ? Observations(o, "w", n) : null;
        if (strategy.StatCount > 2 && w is null) throw o.Error("w", "is missing (a causal forest needs the centred treatment)");
        foreach (double v in sw) if (v < 0) throw o.Error("s", "holds a negative sample weight");
        return (y, w, sw);
    }

    /// <summary>
    /// Reads format 1 (one base64 array per field, written before 2026-12-02). Every array's length is checked against the counts it follows
    /// from before it is allocated (and those counts against the arrays that hold them); node counts and leaf counts
    /// are at least 1; a split's feature is in [0, <paramref name="features"/>) and its children (left, left + 1)
    /// are later nodes of the same tree (so there is no cycle); a leaf's index is in range; leaf rows are training
    /// rows; thresholds are finite; the observations are finite with magnitude at most 1e30 and the sample weights
    /// are not negative.
    /// </summary>
    static Forest LoadForestV1(ModelJson o, int features, IPredictionStrategy strategy, ParallelOptions po)
    {
        int trees = o.Int("trees", 1, int.MaxValue), n = o.Int("rows", 1, int.MaxValue);
        var nodeCounts = o.Base64<int>("nodes", trees, "one per tree");
        var leafCounts = o.Base64<int>("leaves", trees, "one per tree");
        long nodes = 0, leaves = 0;
        for (int b = 0; b < trees; b++)
        {
            if (nodeCounts[b] < 1) throw o.Error("nodes", $"gives tree {b} {nodeCounts[b]} nodes (at least 1)");
            if (leafCounts[b] < 1 || leafCounts[b] > nodeCounts[b])
                throw o.Error("leaves", $"gives tree {b} {leafCounts[b]} leaves (between 1 and its {nodeCounts[b]} nodes)");
            nodes += nodeCounts[b]; leaves += leafCounts[b];
        }
        var feature = o.Base64<int>("feature", nodes, "the sum of 'nodes'");
        var left = o.Base64<int>("left", nodes, "the sum of 'nodes'");
        var threshold = o.Base64<float>("threshold", nodes, "the sum of 'nodes'");
        var leafSizes = o.Base64<int>("leafSizes", leaves, "the sum of 'leaves'");
        long leafRows = 0;
        for (int j = 0; j < leafSizes.Length; j++)
        {
            if (leafSizes[j] < 0) throw o.Error("leafSizes", $"holds a negative size ({leafSizes[j]}) at leaf {j}");
            leafRows += leafSizes[j];
        }
        var rows = o.Base64<int>("leafRows", leafRows, "the sum of 'leafSizes'");
        var (y, w, sw) = LoadObservations(o, n, strategy);
        for (int k = 0; k < rows.Length; k++)
            if ((uint)rows[k] >= (uint)n) throw o.Error("leafRows", $"holds row {rows[k]} at position {k}, outside the {n} training rows");
        for (int k = 0; k < threshold.Length; k++)
            if (!float.IsFinite(threshold[k])) throw o.Error("threshold", $"holds a non-finite threshold at node {k}");

        var result = new Tree[trees];
        int pn = 0, pl = 0, pr = 0;
        for (int b = 0; b < trees; b++)
        {
            int nn = nodeCounts[b], nl = leafCounts[b];
            var f = feature.AsSpan(pn, nn).ToArray();
            var l = left.AsSpan(pn, nn).ToArray();
            for (int k = 0; k < nn; k++)
            {
                bool ok = f[k] < 0 ? (uint)l[k] < (uint)nl : f[k] < features && l[k] > k && (long)l[k] + 1 < nn;
                if (!ok)
                    throw o.Error(f[k] < 0 ? "left" : f[k] >= features ? "feature" : "left", f[k] < 0
                        ? $"of tree {b}, node {k} (a leaf) names leaf {l[k]}, outside its {nl} leaves"
                        : f[k] >= features
                            ? $"of tree {b}, node {k} is {f[k]}, outside the {features} features"
                            : $"of tree {b}, node {k} is {l[k]}: a split's children must be later nodes of its {nn} nodes");
            }
            var offsets = new int[nl + 1];
            for (int j = 0; j < nl; j++) offsets[j + 1] = offsets[j] + leafSizes[pl + j];
            result[b] = new Tree(f, threshold.AsSpan(pn, nn).ToArray(), l, offsets, rows.AsSpan(pr, offsets[nl]).ToArray());
            pn += nn; pl += nl; pr += offsets[nl];
        }
        return new Forest(result, new Observations(y, w, sw), strategy, features, null, po);
    }

    static double[] Observations(ModelJson o, string key, int n)
    {
        var v = o.Base64<double>(key, n, "one per training row ('rows')");
        for (int i = 0; i < v.Length; i++)
            if (!double.IsFinite(v[i]) || Math.Abs(v[i]) > ModelJson.MaxMagnitude)
                throw o.Error(key, $"holds {v[i]} at row {i} (values must be finite with magnitude at most 1e30)");
        return v;
    }

    internal static JsonObject SaveOptions(CausalForestOptions o)
    {
        var j = SaveCommonOptions(o);
        if (o.CiGroupSize != 1) j["ciGroupSize"] = o.CiGroupSize; // absent = 1 (files without intervals stay as they were)
        return j;
    }

    static JsonObject SaveCommonOptions(CausalForestOptions o) => new()
    {
        ["numTrees"] = o.NumTrees,
        ["sampleFraction"] = o.SampleFraction,
        ["mtry"] = o.Mtry,
        ["minNodeSize"] = o.MinNodeSize,
        ["honesty"] = o.Honesty,
        ["honestyFraction"] = o.HonestyFraction,
        ["honestyPruneLeaves"] = o.HonestyPruneLeaves,
        ["alpha"] = o.Alpha,
        ["imbalancePenalty"] = o.ImbalancePenalty,
        ["nuisanceTrees"] = o.NuisanceTrees,
        ["propensity"] = o.Propensity.ToString(),
        ["score"] = o.Score.ToString(),
        ["lambda"] = o.Lambda,
        ["epsilon"] = o.Epsilon,
    };

    internal static CausalForestOptions LoadOptions(ModelJson j)
    {
        var o = new CausalForestOptions
        {
            NumTrees = j.Int("numTrees"),
            SampleFraction = j.Double("sampleFraction"),
            Mtry = j.OptionalInt("mtry"),
            MinNodeSize = j.Int("minNodeSize"),
            Honesty = j.Bool("honesty"),
            HonestyFraction = j.Double("honestyFraction"),
            HonestyPruneLeaves = j.Bool("honestyPruneLeaves"),
            Alpha = j.Double("alpha"),
            ImbalancePenalty = j.Double("imbalancePenalty"),
            NuisanceTrees = j.OptionalInt("nuisanceTrees"),
            Propensity = Enum.Parse<PropensityMode>(j.Choice("propensity", Enum.GetNames<PropensityMode>())),
            Score = Enum.Parse<ForestScore>(j.Choice("score", Enum.GetNames<ForestScore>())),
            Lambda = j.Double("lambda"),
            Epsilon = j.Double("epsilon"),
            CiGroupSize = j.Has("ciGroupSize") ? j.Int("ciGroupSize", 1, 64) : 1,
        };
        try { o.Validate(); }
        catch (UpliftOptionException e) { throw j.Error($"holds an invalid option ({e.Message})"); }
        return o;
    }

    static string B64<T>(T[] values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("forest files assume a little-endian machine");
        return Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
