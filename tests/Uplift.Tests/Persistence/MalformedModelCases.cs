using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using static Uplift.Tests.Persistence.ModelCorpus;

namespace Uplift.Tests.Persistence;

/// <summary>
/// Malformed variants of the valid corpus models, by class: wrong JSON types and missing fields, duplicate keys,
/// non-finite or absurd numbers, broken structure (shapes that do not chain, indices out of range, cycles, repeated
/// categories, counts that disagree), and documents that are not a model at all. Each case names the text the error
/// message must contain (the JSON path of the field, or what is wrong).
/// </summary>
internal static class MalformedModelCases
{
    /// <summary>A case: its text, or raw bytes when the damage is below the text (invalid UTF-8).</summary>
    public sealed record Case(string Class, string Name, Func<string> Text, string Expect, Func<byte[]>? Raw = null);

    static Case C(string cls, string name, Func<string> text, string expect) => new(cls, name, text, expect);

    static Func<string> Edit(string model, Func<JsonObject, JsonObject> edit) => () => edit(Parse(model)).ToJsonString();

    static Func<string> SetAt(string model, string path, JsonNode? value) => Edit(model, r => Set(r, path, value?.DeepClone()));

    static Func<string> Drop(string model, string path) => Edit(model, r => Remove(r, path));

    static JsonNode Big(double v) => JsonValue.Create(v);

    /// <summary><paramref name="text"/> with the first occurrence of <paramref name="find"/> replaced.</summary>
    static string First(string text, string find, string by)
    {
        int i = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(i >= 0, $"no {find}");
        return string.Concat(text.AsSpan(0, i), by, text.AsSpan(i + find.Length));
    }

    public static readonly IReadOnlyList<Case> All =
    [
        // --- wrong JSON types, missing fields -------------------------------------------------------------
        C("type", "formatVersion is a string", SetAt("drm-linear", "formatVersion", "1"), "formatVersion must be a whole number"),
        C("type", "formatVersion is 1.5", SetAt("drm-linear", "formatVersion", 1.5), "formatVersion must be a whole number"),
        C("type", "kind is a number", SetAt("drm-linear", "kind", 5), "kind must be a string"),
        C("type", "model.features is a string", SetAt("drm-linear", "model.features", "6"), "model.features must be a whole number"),
        C("type", "a null weight", SetAt("drm-mlp", "model.layers[1].weights[5]", null), "model.layers[1].weights[5] must be a finite number"),
        C("type", "a weight that is a string", SetAt("drm-linear", "model.output.weights[0]", "0.5"), "model.output.weights[0] must be a finite number"),
        C("type", "layers is an object", SetAt("drm-mlp", "model.layers", new JsonObject()), "model.layers must be a JSON array"),
        C("type", "output is an array", SetAt("drm-linear", "model.output", new JsonArray()), "model.output must be a JSON object"),
        C("type", "model is an array", SetAt("crm", "model", new JsonArray(1, 2)), "model must be a JSON object"),
        C("type", "roles is an array", SetAt("drm-linear", "preprocessor.roles", new JsonArray()), "preprocessor.roles must be a JSON object"),
        C("type", "a mean that is a string", SetAt("drm-linear", "preprocessor.features[0].mean", "0"), "preprocessor.features[0].mean must be a finite number"),
        C("type", "other is a string", SetAt("drm-linear", "preprocessor.features[4].other", "false"), "preprocessor.features[4].other must be true or false"),
        C("type", "a category that is a number", SetAt("drm-linear", "preprocessor.features[4].vocabulary[0]", 3), "preprocessor.features[4].vocabulary[0] must be a string"),
        C("type", "a coefficient that is true", SetAt("rlearner", "model.tau_v.coefficients[0]", true), "model.tau_v.coefficients[0] must be a finite number"),
        C("type", "a tree child that is a string", SetAt("tlearner", "model.mu_v1.trees[0].left[0]", "x"), "model.mu_v1.trees[0].left[0] must be a whole number"),
        C("type", "forest node counts as a number", SetAt("causal-forest-v1", "model.value.nodes", 12), "model.value.nodes must be a base64 string"),
        C("type", "forest leaf rows not base64", SetAt("causal-forest-v1", "model.cost.leafRows", "@@@@"), "model.cost.leafRows is not valid base64"),
        C("type", "a broken escape in a base64 field", () => First(Files["causal-forest-v1"], "\"leafRows\": \"", "\"leafRows\": \"\\ud800"), "model.value.leafRows is not valid base64 (a broken escape)"),
        C("type", "honesty is a number", SetAt("causal-forest", "model.options.honesty", 1), "model.options.honesty must be true or false"),
        C("type", "a metric that is a string", SetAt("duality-rlearner", "model.metrics[0]", "0.5"), "model.metrics[0] must be a finite number"),
        C("type", "seed is a string", SetAt("drm-linear", "seed", "3"), "seed must be a whole number"),
        C("type", "unknown scorer", SetAt("drm-linear", "model.scorer", "deep"), "model.scorer must be one of 'linear', 'mlp'"),
        C("type", "unknown base model type", SetAt("rlearner", "model.tau_c.type", "svm"), "model.tau_c.type must be one of"),
        C("missing", "no output section", Drop("drm-linear", "model.output"), "model.output is missing"),
        C("missing", "no featureNames", Drop("drm-mlp", "preprocessor.featureNames"), "preprocessor.featureNames is missing"),
        C("missing", "no forest observations", Drop("causal-forest", "model.value.y"), "model.value.y is missing"),
        C("missing", "no mu_c0", Drop("tlearner", "model.mu_c0"), "model.mu_c0 is missing"),
        C("missing", "no tau", Drop("duality-rlearner", "model.tau"), "model.tau is missing"),
        C("missing", "no tau_c for outcome both", Drop("rlearner", "model.tau_c"), "model.tau_c is missing"),
        C("missing", "no intercept", Drop("rlearner", "model.tau_v.intercept"), "model.tau_v.intercept is missing"),
        C("missing", "no tree leaves", Drop("rlearner-gbt", "model.tau_v.trees[0].leaf"), "model.tau_v.trees[0].leaf is missing"),
        C("missing", "no formatVersion", Drop("crm", "formatVersion"), "formatVersion is missing"),
        C("missing", "no preprocessor", Drop("tlearner", "preprocessor"), "preprocessor is missing"),

        // --- duplicate keys ---------------------------------------------------------------------------
        C("duplicate", "kind twice at the top", () => DuplicateKey(Parse("drm-linear"), "", "kind"), "Duplicate property 'kind'"),
        C("duplicate", "weights twice in the output", () => DuplicateKey(Parse("drm-linear"), "model.output", "weights"), "Duplicate property 'weights'"),
        C("duplicate", "sd twice in a feature", () => DuplicateKey(Parse("rlearner"), "preprocessor.features[1]", "sd"), "Duplicate property 'sd'"),
        C("duplicate", "a forest field twice", () => DuplicateKey(Parse("causal-forest-v1"), "model.value", "leafRows"), "Duplicate property 'leafRows'"),

        // --- non-finite and absurd numbers -----------------------------------------------------------
        C("number", "a weight of 1e39", SetAt("drm-linear", "model.output.weights[2]", Big(1e39)), "model.output.weights[2] must be a finite number with magnitude at most 1e30, got 1E+39"),
        C("number", "a weight of -1e31", SetAt("drm-mlp", "model.layers[0].bias[0]", Big(-1e31)), "model.layers[0].bias[0] must be a finite number"),
        C("number", "a number that overflows a double", () => Files["drm-linear"].Replace("\"bias\": ", "\"bias\": 1e400, \"x\": "), "model.output.bias must be a finite number"),
        C("number", "a mean of 1.7e308", SetAt("crm", "preprocessor.features[2].mean", Big(1.7e308)), "preprocessor.features[2].mean must be a finite number"),
        C("number", "an sd of 1e-300", SetAt("drm-linear", "preprocessor.features[0].sd", Big(1e-300)), "preprocessor.features[0].sd must be a finite number in [1E-12, 1E+30]"),
        C("number", "an sd of 0", SetAt("drm-mlp", "preprocessor.features[1].sd", 0), "preprocessor.features[1].sd must be a finite number in"),
        C("number", "a negative sd", SetAt("tlearner", "preprocessor.features[3].sd", -2.5), "preprocessor.features[3].sd must be a finite number in"),
        C("number", "a hidden size of 2^31", SetAt("drm-mlp", "model.hiddenSizes[0]", 2147483648L), "model.hiddenSizes[0] must be in [1, 1048576], got 2147483648"),
        C("number", "a hidden size of 2^31-1", SetAt("drm-mlp", "model.hiddenSizes[0]", int.MaxValue), "model.hiddenSizes[0] must be in [1, 1048576]"),
        C("number", "a negative hidden size", SetAt("drm-mlp", "model.hiddenSizes[1]", -4), "model.hiddenSizes[1] must be in [1, 1048576]"),
        C("number", "a hidden size the weights do not have", SetAt("drm-mlp", "model.hiddenSizes[0]", 1 << 20), "model.layers[0].weights has 56 values, expected 7340032 (7 inputs x hiddenSizes[0] = 1048576)"),
        C("number", "features of 2^31-1", SetAt("drm-linear", "model.features", int.MaxValue), "model.output.weights has 7 values, expected 2147483647"),
        C("number", "a coefficient of 1e300", SetAt("rlearner", "model.tau_c.coefficients[1]", Big(1e300)), "model.tau_c.coefficients[1] must be a finite number"),
        C("number", "a boosted leaf of 1e300", SetAt("tlearner", "model.mu_v0.trees[1].leaf[0]", Big(1e300)), "model.mu_v0.trees[1].leaf[0] must be a finite number"),
        C("number", "a boosted base of -1e35", SetAt("rlearner-gbt", "model.tau_v.base", Big(-1e35)), "model.tau_v.base must be a finite number"),
        C("number", "a lambda of 1e40", SetAt("duality-rlearner", "model.lambdas[1]", Big(1e40)), "model.lambdas[1] must be a finite number"),
        C("number", "a NaN forest outcome", Edit("causal-forest", r => PatchBase64<double>(r, "model.value.y", v => v[7] = double.NaN)), "model.value.y holds NaN at row 7"),
        C("number", "an infinite forest weight", Edit("causal-forest", r => PatchBase64<double>(r, "model.cost.w", v => v[0] = double.PositiveInfinity)), "model.cost.w holds"),
        C("number", "a negative sample weight", Edit("causal-forest", r => PatchBase64<double>(r, "model.value.s", v => v[3] = -1)), "model.value.s holds a negative sample weight"),
        C("number", "a NaN forest threshold", Edit("causal-forest-v1", r => PatchBase64<float>(r, "model.value.threshold", v => v[0] = float.NaN)), "model.value.threshold holds a non-finite threshold"),
        C("number", "forest trees of 2^31-1", SetAt("causal-forest-v1", "model.value.trees", int.MaxValue), "model.value.nodes holds 4 values, expected 2147483647"),
        C("number", "forest rows of 2^31-1", SetAt("causal-forest", "model.cost.rows", int.MaxValue), "model.cost.y holds 400 values, expected 2147483647"),
        C("number", "a negative forest option", SetAt("causal-forest", "model.options.numTrees", -1), "model.options holds an invalid option"),
        C("number", "a boosted tree feature of 2^40", SetAt("tlearner", "model.mu_c1.trees[0].feature[0]", 1L << 40), "model.mu_c1.trees[0].feature[0] must be in [0, "),

        // --- broken structure ------------------------------------------------------------------------
        C("structure", "layer shapes do not chain", Edit("drm-mlp", r => Set(r, "model.hiddenSizes[1]", 5)), "model.layers[1].weights has 32 values, expected 40 (8 inputs x hiddenSizes[1] = 5)"),
        C("structure", "a truncated weight array", Edit("drm-mlp", r => { At(r, "model.layers[0].weights")!.AsArray().RemoveAt(0); return r; }), "model.layers[0].weights has 55 values, expected 56"),
        C("structure", "more layers than hidden sizes", Edit("drm-mlp", r => { At(r, "model.layers")!.AsArray().Add(new JsonObject()); return r; }), "model.layers has 3 layers, expected 2"),
        C("structure", "linear scorer with hidden layers", SetAt("drm-mlp", "model.scorer", "linear"), "model.hiddenSizes must be empty for the linear scorer"),
        C("structure", "model and preprocessor disagree on features", Edit("drm-linear", r =>
        {
            Set(r, "model.features", 8);
            At(r, "model.output.weights")!.AsArray().Add(0.5);
            return r;
        }), "model takes 8 features but the preprocessor makes 7"),
        C("structure", "a base model with other features", Edit("tlearner", r => Set(r, "model.mu_c1.features", 3)), "model.mu_c1 takes 3 features, but the model has 7"),
        C("structure", "two effect models disagree", Edit("rlearner", r => { At(r, "model.tau_c.coefficients")!.AsArray().RemoveAt(0); return r; }), "model.tau_c takes 6 features, but the model has 7"),
        C("structure", "a boosted child out of range", SetAt("tlearner", "model.mu_v1.trees[0].left[0]", 999), "model.mu_v1.trees[0].left[0] must be a later node"),
        C("structure", "a cycle in a boosted tree", Edit("rlearner-gbt", r =>
        {
            // node 1 points back at node 0
            var right = At(r, "model.tau_v.trees[0].right")!.AsArray();
            Assert.True(right.Count >= 2, "the corpus tree needs two internal nodes");
            right[1] = 0;
            return r;
        }), "model.tau_v.trees[0].right[1] must be a later node"),
        C("structure", "a boosted leaf out of range", SetAt("rlearner-gbt", "model.tau_v.trees[2].left[0]", ~99), "model.tau_v.trees[2].left[0] names leaf 99"),
        C("structure", "a boosted feature index out of range", SetAt("tlearner", "model.mu_v0.trees[0].feature[0]", 7), "model.mu_v0.trees[0].feature[0] must be in [0, 6], got 7"),
        C("structure", "boosted node arrays of different lengths", Edit("tlearner", r => { At(r, "model.mu_c0.trees[0].threshold")!.AsArray().Add(1.0); return r; }), "model.mu_c0.trees[0].threshold has"),
        C("structure", "a cycle in a forest tree", Edit("causal-forest-v1", r => PatchBase64<int>(r, "model.value.left", v => v[0] = 0)), "model.value.left of tree 0, node 0 is 0"),
        C("structure", "a forest child past the end", Edit("causal-forest-v1", r => PatchBase64<int>(r, "model.value.left", v => v[0] = int.MaxValue)), "a split's children must be later nodes"),
        C("structure", "a forest feature out of range", Edit("causal-forest-v1", r => PatchBase64<int>(r, "model.cost.feature", v => v[0] = 7)), "model.cost.feature of tree 0, node 0 is 7, outside the 7 features"),
        C("structure", "a forest leaf index out of range", Edit("causal-forest-v1", r =>
            PatchBase64<int>(r, "model.value.left", v => { var f = Base64<int>(r, "model.value.feature"); v[Array.FindIndex(f, x => x < 0)] = 1000; })), "(a leaf) names leaf 1000"),
        C("structure", "a forest leaf row out of range", Edit("causal-forest-v1", r => PatchBase64<int>(r, "model.value.leafRows", v => v[1] = 400)), "model.value.leafRows holds row 400 at position 1"),
        C("structure", "forest node counts that do not add up", Edit("causal-forest-v1", r => PatchBase64<int>(r, "model.value.nodes", v => v[0] += 1)), "model.value.feature holds"),
        C("structure", "a forest tree with no nodes", Edit("causal-forest-v1", r => PatchBase64<int>(r, "model.cost.nodes", v => v[1] = 0)), "model.cost.nodes gives tree 1 0 nodes"),
        C("structure", "a negative forest leaf size", Edit("causal-forest-v1", r => PatchBase64<int>(r, "model.value.leafSizes", v => { v[0] = -v[1]; })), "model.value.leafSizes holds a negative size"),
        C("structure", "a repeated category", Edit("drm-linear", r => { var v = At(r, "preprocessor.features[4].vocabulary")!.AsArray(); v[1] = (string)v[0]!; return r; }), "preprocessor.features[4].vocabulary[1] repeats the category"),
        C("structure", "feature names that do not match the specs", SetAt("drm-linear", "preprocessor.featureNames[2]", "other"), "preprocessor.featureNames[2] is 'other' but the feature specs make 'x3'"),
        C("structure", "a feature that is also a role", SetAt("drm-linear", "preprocessor.features[0].column", "t"), "preprocessor.roles and features do not name the columns consistently"),
        C("structure", "a model section of another kind", SetAt("rlearner", "kind", "tlearner"), "model.kind is 'rlearner' but the file's kind is 'tlearner'"),
        C("structure", "a metric per lambda missing", Edit("duality-rlearner", r => { At(r, "model.metrics")!.AsArray().RemoveAt(0); return r; }), "model.metrics has 1 values, expected 2 (one per lambda)"),

        // --- not a model / bounds of the document --------------------------------------------------------
        C("document", "truncated in the middle", () => Files["causal-forest"][..(Files["causal-forest"].Length / 2)], "invalid JSON"),
        C("document", "binary garbage", () => "\u0001\u0002PK\u0003", "invalid JSON"),
        C("document", "a JSON array", () => "[1, 2, 3]", "not a model file"),
        C("document", "another JSON document", () => "{\"name\": \"x\"}", "not an Uplift model file"),
        C("document", "nesting deeper than 64", () => Files["drm-linear"].Replace("\"options\": {", "\"options\": {\"deep\": " + new string('[', 500) + new string(']', 500) + ",", StringComparison.Ordinal), "depth"),
        C("document", "a text field of 200 KB", SetAt("drm-linear", "preprocessor.roles.id", new string('a', 200_000)), "preprocessor.roles.id is a string of 200000 bytes"),
        C("document", "a 200 KB string in the options", SetAt("drm-linear", "options", new JsonObject { ["note"] = new string('b', 200_000) }), "options.note is a string of 200000 bytes"),
        C("document", "an unknown kind", Edit("drm-linear", r => { Set(r, "kind", "xgboost"); return r; }), "unknown model kind 'xgboost'"),
        new("document", "bytes that are not UTF-8", () => "", "not UTF-8 text: an invalid byte at offset",
            () => [.. Encoding.UTF8.GetBytes(Files["crm"].Replace("\"crm\"", "\"cr\u0001\"")).Select(b => b == 1 ? (byte)0xFF : b)]),
        C("document", "a lone surrogate in a name", () => Files["drm-linear"].Replace("\"treatment\": \"t\"", "\"treatment\": \"\\ud800\""), "preprocessor.roles.treatment is not valid text"),
        C("document", "a lone surrogate in the options", () => "{\"options\": {\"note\": \"\\udc00\"}, " + Edit("drm-mlp", r => { r.Remove("options"); return r; })()[1..],
            "options.note is not valid text"),
        C("document", "format version 2", SetAt("drm-linear", "formatVersion", 2), "model format version 2 is not supported"),
    ];

    public static IEnumerable<object[]> Names() => All.Select(c => new object[] { c.Name });

    public static Case Get(string name) => All.Single(c => c.Name == name);

    public static byte[] Bytes(Case c) => c.Raw?.Invoke() ?? Encoding.UTF8.GetBytes(c.Text());
}
