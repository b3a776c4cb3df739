using Uplift.IO;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Uplift.Models.Forest;

/// <summary>
/// Compact JSON of fitted forests. A forest's trees are concatenated; each big array is the base64 of its raw
/// little-endian values: "nodes" and "leaves" (int32 per tree), "feature", "left" (int32 per node; a leaf's
/// "left" is its leaf index, a split's right child is left + 1), "threshold" (float32 per node), "leafSizes"
/// (int32 per leaf), "leafRows" (int32 training-row indices of the leaves, in leaf order), and the training
/// observations "y", "w", "s" (float64 per training row: centred outcome, centred treatment, sample weight).
/// </summary>
internal static class ForestJson
{
    internal static JsonObject SaveForest(Forest forest)
    {
        var trees = forest.Trees;
        int nodes = 0, leaves = 0, leafRows = 0;
        foreach (var t in trees) { nodes += t.Nodes; leaves += t.Leaves; leafRows += t.LeafRows.Length; }
        var nodeCounts = new int[trees.Length];
        var leafCounts = new int[trees.Length];
        var feature = new int[nodes];
        var left = new int[nodes];
        var threshold = new float[nodes];
        var leafSizes = new int[leaves];
        var rows = new int[leafRows];
        int pn = 0, pl = 0, pr = 0;
        for (int b = 0; b < trees.Length; b++)
        {
            var t = trees[b];
            nodeCounts[b] = t.Nodes; leafCounts[b] = t.Leaves;
            t.Feature.CopyTo(feature, pn); t.Left.CopyTo(left, pn); t.Threshold.CopyTo(threshold, pn);
            pn += t.Nodes;
            for (int l = 0; l < t.Leaves; l++) leafSizes[pl + l] = t.LeafOffsets[l + 1] - t.LeafOffsets[l];
            pl += t.Leaves;
            t.LeafRows.CopyTo(rows, pr);
            pr += t.LeafRows.Length;
        }
        var o = new JsonObject
        {
            ["trees"] = trees.Length,
            ["rows"] = forest.Obs.Rows,
            ["nodes"] = B64<int>(nodeCounts),
            ["leaves"] = B64<int>(leafCounts),
            ["feature"] = B64<int>(feature),
            ["left"] = B64<int>(left),
            ["threshold"] = B64<float>(threshold),
            ["leafSizes"] = B64<int>(leafSizes),
            ["leafRows"] = B64<int>(rows),
            ["y"] = B64<double>(forest.Obs.Y),
            ["s"] = B64<double>(forest.Obs.S),
        };
        if (forest.Obs.W is not null) o["w"] = B64<double>(forest.Obs.W);
        return o;
    }

    /// <summary>
    /// Reads what <see cref="SaveForest"/> wrote. Every array's length is checked against the counts it follows
    /// from before it is allocated (and those counts against the arrays that hold them); node counts and leaf counts
    /// are at least 1; a split's feature is in [0, <paramref name="features"/>) and its children (left, left + 1)
    /// are later nodes of the same tree (so there is no cycle); a leaf's index is in range; leaf rows are training
    /// rows; thresholds are finite; the observations are finite with magnitude at most 1e30 and the sample weights
    /// are not negative.
    /// </summary>
    internal static Forest LoadForest(ModelJson o, int features, IPredictionStrategy strategy, ParallelOptions po)
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
        var y = Observations(o, "y", n);
        var sw = Observations(o, "s", n);
        var w = o.Has("w") ? Observations(o, "w", n) : null;
        if (strategy.StatCount > 2 && w is null) throw o.Error("w", "is missing (a causal forest needs the centred treatment)");
        foreach (double v in sw) if (v < 0) throw o.Error("s", "holds a negative sample weight");
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
