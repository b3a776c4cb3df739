using System.IO.Compression;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Forest;
using Xunit;

namespace Uplift.Tests.Models.Forest;

/// <summary>The causal-forest model file, format 2 (compact tree section) and format 1 (still read): round trips, size, damage.</summary>
public sealed class ForestFileFormatTests
{
    static readonly Lazy<(Dataset Data, CausalForestModel Model)> Fitted = new(() =>
    {
        var data = ForestTestData.Campaign(1200, 4, 71);
        var model = new CausalForestLearner(new CausalForestOptions { NumTrees = 40, NuisanceTrees = 10, CiGroupSize = 2 })
            .FitModel(data, new FitContext(Seed: 9, MaxThreads: 2));
        return (data, model);
    });

    static double[][] Everything(CausalForestModel m, Dataset d)
    {
        var (tv, tc, vlo, vhi, clo, chi) = (new double[d.Rows], new double[d.Rows], new double[d.Rows], new double[d.Rows], new double[d.Rows], new double[d.Rows]);
        m.PredictEffects(d, tv, tc);
        m.PredictEffectIntervals(d, 0.9, vlo, vhi, clo, chi);
        return [m.Score(d), tv, tc, vlo, vhi, clo, chi];
    }

    static CausalForestModel Load(string text) => CausalForestModel.Load(JsonNode.Parse(text)!.AsObject());

    [Fact]
    public void Format_2_and_format_1_files_give_bit_identical_scores_effects_and_intervals()
    {
        var (data, model) = Fitted.Value;
        string v2 = model.Save().ToJsonString();
        string v1 = ForestFormat1.Save(model).ToJsonString();
        Assert.Equal(2, JsonNode.Parse(v2)!["format"]!.GetValue<int>());
        Assert.Equal(1, JsonNode.Parse(v1)!["format"]!.GetValue<int>());
        var expected = Everything(model, data);
        Assert.Contains(expected[3], v => double.IsFinite(v)); // the intervals are really computed
        var fromV2 = Load(v2);
        var fromV1 = Load(v1);
        Assert.Equal(expected, Everything(fromV2, data));
        Assert.Equal(expected, Everything(fromV1, data));
        // The trees come back exactly (every array), and an old file re-saved is the new file.
        foreach (var (a, b) in new[] { (model.Value.Inner, fromV2.Value.Inner), (model.Cost.Inner, fromV1.Cost.Inner) })
            for (int t = 0; t < a.Trees.Length; t++)
            {
                Assert.Equal(a.Trees[t].Feature, b.Trees[t].Feature);
                Assert.Equal(a.Trees[t].Threshold, b.Trees[t].Threshold);
                Assert.Equal(a.Trees[t].Left, b.Trees[t].Left);
                Assert.Equal(a.Trees[t].LeafOffsets, b.Trees[t].LeafOffsets);
                Assert.Equal(a.Trees[t].LeafRows, b.Trees[t].LeafRows);
            }
        Assert.Equal(v2, fromV1.Save().ToJsonString());
        Assert.Equal(v2, fromV2.Save().ToJsonString());
    }

    [Fact]
    public void Format_2_trees_are_several_times_smaller_than_format_1()
    {
        var (_, model) = Fitted.Value;
        // The trees only: both formats store the training observations y, w, s alike.
        static int Trees(JsonObject m)
        {
            foreach (var f in new[] { "value", "cost" }) foreach (var k in new[] { "y", "w", "s" }) m[f]!.AsObject().Remove(k);
            return m.ToJsonString().Length;
        }
        int v2 = Trees(model.Save()), v1 = Trees(ForestFormat1.Save(model));
        Assert.True(v1 > 3 * v2, $"format 1 {v1} characters, format 2 {v2}");
    }

    /// <summary>The value forest's raw tree section, and a way to put an edited one back (re-deflated, sizes updated).</summary>
    static byte[] Raw(JsonObject model)
    {
        var v = model["value"]!.AsObject();
        using var z = new DeflateStream(new MemoryStream(Convert.FromBase64String((string)v["treeData"]!)), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        z.CopyTo(ms);
        return ms.ToArray();
    }

    static JsonObject WithRaw(string text, byte[] raw)
    {
        var o = JsonNode.Parse(text)!.AsObject();
        var v = o["value"]!.AsObject();
        var packed = ForestCodec.Deflate(raw);
        v["treeData"] = Convert.ToBase64String(packed);
        v["treeBytes"] = packed.Length;
        v["rawBytes"] = raw.Length;
        return o;
    }

    /// <summary>Loads or refuses with an UpliftException naming the tree section; any other exception fails the test.</summary>
    static bool LoadsOrRefusesClearly(JsonObject o)
    {
        try { CausalForestModel.Load(o); return true; }
        catch (UpliftException e) { Assert.Contains("model.value.", e.Message); return false; }
    }

    [Fact]
    public void Every_truncation_of_the_tree_section_is_refused_clearly()
    {
        string text = Fitted.Value.Model.Save().ToJsonString();
        var raw = Raw(JsonNode.Parse(text)!.AsObject());
        int step = Math.Max(1, raw.Length / 300);
        for (int cut = 1; cut < raw.Length; cut += step)
        {
            var e = Assert.Throws<UpliftException>(() => CausalForestModel.Load(WithRaw(text, raw[..cut])));
            Assert.Matches("model\\.value\\.(treeData|rawBytes)", e.Message);
        }
        // The same stream with its declared size kept: the deflate stream ends early.
        var o = JsonNode.Parse(text)!.AsObject();
        var v = o["value"]!.AsObject();
        var packed = ForestCodec.Deflate(raw[..(raw.Length / 2)]);
        v["treeData"] = Convert.ToBase64String(packed);
        v["treeBytes"] = packed.Length;
        Assert.Contains("truncated", Assert.Throws<UpliftException>(() => CausalForestModel.Load(o)).Message);
        // Bytes after the last tree.
        Assert.Contains("after the last", Assert.Throws<UpliftException>(() => CausalForestModel.Load(WithRaw(text, [.. raw, 0]))).Message);
    }

    [Fact]
    public void Damaged_bytes_are_refused_clearly_or_load_as_valid_trees()
    {
        string text = Fitted.Value.Model.Save().ToJsonString();
        var raw = Raw(JsonNode.Parse(text)!.AsObject());
        var rng = new Rng(5);
        int refused = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            var bad = (byte[])raw.Clone();
            int at = rng.NextInt(bad.Length);
            bad[at] = trial % 3 == 0 ? (byte)0xFF : (byte)(bad[at] ^ (1 << rng.NextInt(8)));
            if (!LoadsOrRefusesClearly(WithRaw(text, bad))) refused++;
        }
        Assert.True(refused > 100, $"only {refused} of 300 damaged sections refused");

        // Damage to the compressed bytes themselves.
        var o = JsonNode.Parse(text)!.AsObject();
        var packed = Convert.FromBase64String((string)o["value"]!["treeData"]!);
        for (int trial = 0; trial < 200; trial++)
        {
            var bad = (byte[])packed.Clone();
            bad[rng.NextInt(bad.Length)] ^= (byte)(1 << rng.NextInt(8));
            o["value"]!["treeData"] = Convert.ToBase64String(bad);
            LoadsOrRefusesClearly(o);
        }
    }

    [Fact]
    public void Declared_sizes_that_lie_are_refused_before_allocating()
    {
        string text = Fitted.Value.Model.Save().ToJsonString();
        var o = JsonNode.Parse(text)!.AsObject();
        o["value"]!["rawBytes"] = int.MaxValue;
        Assert.Contains("model.value.treeData declares 2147483647 raw bytes", Assert.Throws<UpliftException>(() => CausalForestModel.Load(o)).Message);
        o = JsonNode.Parse(text)!.AsObject();
        o["value"]!["treeBytes"] = o["value"]!["treeBytes"]!.GetValue<int>() + 1;
        Assert.Contains("model.value.treeData holds", Assert.Throws<UpliftException>(() => CausalForestModel.Load(o)).Message);
        o = JsonNode.Parse(text)!.AsObject();
        o["value"]!["trees"] = 1_000_000;
        Assert.Contains("model.value.rawBytes", Assert.Throws<UpliftException>(() => CausalForestModel.Load(o)).Message);
        o = JsonNode.Parse(text)!.AsObject();
        o["format"] = 3;
        Assert.Contains("model.format", Assert.Throws<UpliftException>(() => CausalForestModel.Load(o)).Message);
    }
}
