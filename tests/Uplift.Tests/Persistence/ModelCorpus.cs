using Uplift.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models;
using Uplift.Models.Forest;
using Uplift.Models.Meta;
using Uplift.Models.Ranking;
using Uplift.Models.Trees;
using Uplift.Persistence;
using Uplift.Tests.Data;
using Xunit;

namespace Uplift.Tests.Persistence;

/// <summary>
/// One valid saved model of every kind (tiny, trained once on a small seeded table), as the text of its model file,
/// and the scoring data they were trained on. The malformed-file and fuzz tests start from these.
/// </summary>
internal static class ModelCorpus
{
    public const int Rows = 400;
    static readonly Lazy<(RawTable Table, Dataset Data, IReadOnlyDictionary<string, string> Files)> Built = new(Build);

    public static RawTable Table => Built.Value.Table;
    public static Dataset Data => Built.Value.Data;
    /// <summary>Model-file text by name: drm-linear, drm-mlp, crm, rlearner, rlearner-gbt, duality-rlearner, tlearner, causal-forest (format 2), causal-forest-v1 (the same in format 1).</summary>
    public static IReadOnlyDictionary<string, string> Files => Built.Value.Files;
    public static IReadOnlyList<string> Names => [.. Files.Keys];

    static (RawTable, Dataset, IReadOnlyDictionary<string, string>) Build()
    {
        var table = MakeTable(Rows, seed: 5);
        var roles = new ColumnRoles("t", "v", "c") { Id = "id", Features = ["x1", "x2", "x3", "x4", "country"] };
        var all = DataTestUtil.Range(Rows);
        var pre = Preprocessor.Fit(table, roles, all);
        var data = pre.Transform(table, all);
        var ctx = new FitContext(Seed: 3, MaxThreads: 1);
        var drm = new DrmOptions { Steps = 20, Restarts = 1, EvalEvery = 0 };
        var gbt = new GradientBoostingOptions { NumTrees = 3, MinDataInLeaf = 20, NumLeaves = 4 };
        var learners = new (string Name, IUpliftLearner Learner)[]
        {
            ("drm-linear", new DrmLearner(drm)),
            ("drm-mlp", new DrmLearner(drm with { Scorer = ScorerKind.Mlp, HiddenSizes = [8, 4] })),
            ("crm", new CrmLearner(new CrmOptions { Drm = drm })),
            ("rlearner", new RLearner(new RLearnerOptions { Outcome = RLearnerOutcome.Both, Folds = 2 })),
            ("rlearner-gbt", new RLearner(new RLearnerOptions { BaseLearner = BaseLearnerKind.Boosted, Boosting = gbt, Folds = 2 })),
            ("duality-rlearner", new DualityRLearner(LearnerCatalog.ValidationAucc,
                new DualityRLearnerOptions { Lambdas = [0.01, 0.05], RLearner = new RLearnerOptions { Folds = 2 } })),
            ("tlearner", new TLearner(new TLearnerOptions { Boosting = gbt })),
            ("causal-forest", new CausalForestLearner(new CausalForestOptions
                { NumTrees = 4, NuisanceTrees = 2, Propensity = PropensityMode.Constant, MinNodeSize = 20 })),
        };
        var files = new Dictionary<string, string>();
        foreach (var (name, learner) in learners)
        {
            var model = learner.Fit(data, null, ctx);
            files[name] = new ModelFile(model, pre, 3).ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            if (model is CausalForestModel forest) // the same forest in the old format 1, which must still load
            {
                var v1 = new ModelFile(model, pre, 3).ToJson();
                v1["model"] = Uplift.Tests.Models.Forest.ForestFormat1.Save(forest);
                files[name + "-v1"] = v1.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            }
        }
        return (table, data, files);
    }

    /// <summary>id, t (alternating), v and c with a treatment effect that grows with x1, x1..x4, country (FR, DE, ES).</summary>
    static RawTable MakeTable(int n, int seed)
    {
        var rng = new Random(seed);
        var x = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, n).Select(_ => Math.Round(rng.NextDouble() * 100 - 50, 3)).ToArray()).ToArray();
        var t = Enumerable.Range(0, n).Select(i => (double)(i % 2)).ToArray();
        var v = Enumerable.Range(0, n).Select(i => rng.NextDouble() * 10 + t[i] * (3 + x[0][i] / 20)).ToArray();
        var c = Enumerable.Range(0, n).Select(i => rng.NextDouble() + 0.5 + t[i] * (1 + x[1][i] / 100)).ToArray();
        string[] countries = ["FR", "DE", "ES"];
        var cols = new List<RawColumn>
        {
            RawColumn.Text("id", Enumerable.Range(0, n).Select(i => (string?)$"u{i:D6}").ToArray()),
            RawColumn.Numeric("t", t), RawColumn.Numeric("v", v), RawColumn.Numeric("c", c),
        };
        for (int j = 0; j < 4; j++) cols.Add(RawColumn.Numeric($"x{j + 1}", x[j]));
        cols.Add(RawColumn.Text("country", Enumerable.Range(0, n).Select(i => (string?)countries[i % 3]).ToArray()));
        return new RawTable("campaign", n, cols);
    }

    public static JsonObject Parse(string name) => JsonNode.Parse(Files[name])!.AsObject();

    /// <summary>Loads model-file text as <c>uplift score</c> would (from bytes, with the file name <paramref name="source"/>).</summary>
    public static ModelFile Load(string text, string source = "bad.json") => Load(Encoding.UTF8.GetBytes(text), source);

    public static ModelFile Load(byte[] bytes, string source = "bad.json") => ModelFile.FromJson(ModelJson.Parse(bytes, source));

    /// <summary>The node at a path such as "model.layers[0].weights[3]".</summary>
    public static JsonNode? At(JsonNode root, string path)
    {
        JsonNode? n = root;
        foreach (var (key, index) in Steps(path))
            n = key is not null ? n![key] : n![index];
        return n;
    }

    /// <summary>Replaces (or adds) the value at <paramref name="path"/>.</summary>
    public static JsonObject Set(JsonObject root, string path, JsonNode? value)
    {
        var steps = Steps(path).ToList();
        JsonNode parent = root;
        foreach (var (key, index) in steps.Take(steps.Count - 1)) parent = key is not null ? parent[key]! : parent[index]!;
        var (k, i) = steps[^1];
        if (k is not null) parent.AsObject()[k] = value;
        else parent.AsArray()[i] = value;
        return root;
    }

    public static JsonObject Remove(JsonObject root, string path)
    {
        int dot = path.LastIndexOf('.');
        var parent = dot < 0 ? root : At(root, path[..dot])!.AsObject();
        Assert.True(parent.Remove(path[(dot + 1)..]), $"no field {path}");
        return root;
    }

    static IEnumerable<(string? Key, int Index)> Steps(string path)
    {
        foreach (var part in path.Split('.'))
        {
            int b = part.IndexOf('[');
            yield return (b < 0 ? part : part[..b], 0);
            while (b >= 0)
            {
                int e = part.IndexOf(']', b);
                yield return (null, int.Parse(part[(b + 1)..e], System.Globalization.CultureInfo.InvariantCulture));
                b = part.IndexOf('[', e);
            }
        }
    }

    /// <summary>The values of a base64 field of raw little-endian <typeparamref name="T"/>.</summary>
    public static T[] Base64<T>(JsonNode root, string path) where T : unmanaged =>
        MemoryMarshal.Cast<byte, T>(Convert.FromBase64String((string)At(root, path)!)).ToArray();

    /// <summary>Rewrites a base64 field after <paramref name="change"/> edits its values.</summary>
    public static JsonObject PatchBase64<T>(JsonObject root, string path, Action<T[]> change) where T : unmanaged
    {
        var values = Base64<T>(root, path);
        change(values);
        return Set(root, path, Convert.ToBase64String(MemoryMarshal.AsBytes(values.AsSpan())));
    }

    /// <summary>Model-file text with field <paramref name="key"/> of the object at <paramref name="objectPath"/> written twice.</summary>
    public static string DuplicateKey(JsonObject root, string objectPath, string key) =>
        DuplicateKey(root, objectPath.Length == 0 ? root : At(root, objectPath)!, key);

    /// <summary>The text of <paramref name="root"/> with field <paramref name="key"/> of object <paramref name="target"/> written twice.</summary>
    public static string DuplicateKey(JsonNode root, JsonNode target, string key)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
            Write(w, root, target, key);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    static void Write(Utf8JsonWriter w, JsonNode? node, JsonNode target, string key)
    {
        switch (node)
        {
            case JsonObject o:
                w.WriteStartObject();
                foreach (var (k, v) in o)
                {
                    w.WritePropertyName(k);
                    Write(w, v, target, key);
                    if (ReferenceEquals(o, target) && k == key) { w.WritePropertyName(k); Write(w, v, target, key); }
                }
                w.WriteEndObject();
                break;
            case JsonArray a:
                w.WriteStartArray();
                foreach (var v in a) Write(w, v, target, key);
                w.WriteEndArray();
                break;
            case null: w.WriteNullValue(); break;
            default: node.WriteTo(w); break;
        }
    }

    /// <summary>Scores the corpus data with a loaded model (as <c>uplift score</c> would).</summary>
    public static double[] Score(ModelFile file) => file.Score(Table);
}
