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

    internal static Forest LoadForest(JsonObject o, int features, IPredictionStrategy strategy, ParallelOptions po)
    {
        int trees = (int)o["trees"]!, n = (int)o["rows"]!;
        var nodeCounts = FromB64<int>(o, "nodes", trees);
        var leafCounts = FromB64<int>(o, "leaves", trees);
        long nodes = 0, leaves = 0;
        for (int b = 0; b < trees; b++) { nodes += nodeCounts[b]; leaves += leafCounts[b]; }
        var feature = FromB64<int>(o, "feature", nodes);
        var left = FromB64<int>(o, "left", nodes);
        var threshold = FromB64<float>(o, "threshold", nodes);
        var leafSizes = FromB64<int>(o, "leafSizes", leaves);
        long leafRows = 0;
        foreach (int s in leafSizes) { if (s < 0) throw new UpliftException("model file: negative leaf size"); leafRows += s; }
        var rows = FromB64<int>(o, "leafRows", leafRows);
        var y = FromB64<double>(o, "y", n);
        var sw = FromB64<double>(o, "s", n);
        var w = o["w"] is null ? null : FromB64<double>(o, "w", n);
        if (strategy.StatCount > 2 && w is null) throw new UpliftException("model file: causal forest without treatment column");
        foreach (int r in rows) if ((uint)r >= (uint)n) throw new UpliftException("model file: leaf row index out of range");

        var result = new Tree[trees];
        int pn = 0, pl = 0, pr = 0;
        for (int b = 0; b < trees; b++)
        {
            int nn = nodeCounts[b], nl = leafCounts[b];
            if (nn < 1 || nl < 1) throw new UpliftException("model file: empty tree");
            var f = feature.AsSpan(pn, nn).ToArray();
            var l = left.AsSpan(pn, nn).ToArray();
            for (int k = 0; k < nn; k++)
            {
                bool ok = f[k] < 0 ? (uint)l[k] < (uint)nl : f[k] < features && l[k] > k && l[k] + 1 < nn;
                if (!ok) throw new UpliftException("model file: malformed tree");
            }
            var offsets = new int[nl + 1];
            for (int j = 0; j < nl; j++) offsets[j + 1] = offsets[j] + leafSizes[pl + j];
            result[b] = new Tree(f, threshold.AsSpan(pn, nn).ToArray(), l, offsets, rows.AsSpan(pr, offsets[nl]).ToArray());
            pn += nn; pl += nl; pr += offsets[nl];
        }
        return new Forest(result, new Observations(y, w, sw), strategy, features, null, po);
    }

    internal static JsonObject SaveOptions(CausalForestOptions o) => new()
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

    internal static CausalForestOptions LoadOptions(JsonObject j)
    {
        var o = new CausalForestOptions
        {
            NumTrees = (int)j["numTrees"]!,
            SampleFraction = (double)j["sampleFraction"]!,
            Mtry = (int?)j["mtry"],
            MinNodeSize = (int)j["minNodeSize"]!,
            Honesty = (bool)j["honesty"]!,
            HonestyFraction = (double)j["honestyFraction"]!,
            HonestyPruneLeaves = (bool)j["honestyPruneLeaves"]!,
            Alpha = (double)j["alpha"]!,
            ImbalancePenalty = (double)j["imbalancePenalty"]!,
            NuisanceTrees = (int?)j["nuisanceTrees"],
            Propensity = Enum.Parse<PropensityMode>((string)j["propensity"]!),
            Score = Enum.Parse<ForestScore>((string)j["score"]!),
            Lambda = (double)j["lambda"]!,
            Epsilon = (double)j["epsilon"]!,
        };
        o.Validate();
        return o;
    }

    static string B64<T>(T[] values) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("forest files assume a little-endian machine");
        return Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    static T[] FromB64<T>(JsonObject o, string name, long expected) where T : unmanaged
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("forest files assume a little-endian machine");
        var bytes = Convert.FromBase64String((string?)o[name] ?? throw new UpliftException($"model file: forest field '{name}' is missing"));
        int size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes.Length != expected * size)
            throw new UpliftException($"model file: forest field '{name}' has {bytes.Length / size} values, expected {expected}");
        var result = new T[expected];
        bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }
}
