using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Uplift.Models.Forest;

namespace Uplift.Tests.Models.Forest;

/// <summary>
/// The format-1 writer of causal-forest models as the library had it before format 2 (2026-12-02), kept here so the
/// tests can make the old files the library must still read: per forest, one base64 array of raw little-endian values
/// per field ("nodes", "leaves", "feature", "left", "threshold", "leafSizes", "leafRows", "y", "w", "s").
/// </summary>
internal static class ForestFormat1
{
    public static JsonObject Save(CausalForestModel model) => new()
    {
        ["kind"] = model.Kind,
        ["format"] = 1,
        ["features"] = model.Features,
        ["options"] = ForestJson.SaveOptions(model.Options),
        ["value"] = SaveForest(model.Value.Inner),
        ["cost"] = SaveForest(model.Cost.Inner),
    };

    static JsonObject SaveForest(Uplift.Models.Forest.Forest forest)
    {
        var trees = forest.Trees;
        var nodeCounts = trees.Select(t => t.Nodes).ToArray();
        var leafCounts = trees.Select(t => t.Leaves).ToArray();
        var leafSizes = trees.SelectMany(t => Enumerable.Range(0, t.Leaves).Select(l => t.LeafOffsets[l + 1] - t.LeafOffsets[l])).ToArray();
        var o = new JsonObject
        {
            ["trees"] = trees.Length,
            ["rows"] = forest.Obs.Rows,
            ["nodes"] = B64(nodeCounts),
            ["leaves"] = B64(leafCounts),
            ["feature"] = B64(trees.SelectMany(t => t.Feature).ToArray()),
            ["left"] = B64(trees.SelectMany(t => t.Left).ToArray()),
            ["threshold"] = B64(trees.SelectMany(t => t.Threshold).ToArray()),
            ["leafSizes"] = B64(leafSizes),
            ["leafRows"] = B64(trees.SelectMany(t => t.LeafRows).ToArray()),
            ["y"] = B64(forest.Obs.Y),
            ["s"] = B64(forest.Obs.S),
        };
        if (forest.Obs.W is not null) o["w"] = B64(forest.Obs.W);
        return o;
    }

    static string B64<T>(T[] values) where T : unmanaged => Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan()));
}
