using System.Text;
using System.Text.Json.Nodes;

namespace Uplift.Hostile.Generators;

/// <summary>Issue 9, class 3: model files with wrong JSON types, absurd numbers, broken structure or sizes above a
/// cap. Each is loaded by 'score' (and some by 'plan' and 'report'); each must be refused naming the field.</summary>
public static class ModelCases
{
    sealed record Mutation(string Label, Func<BaseFiles, string> Source, Func<string, string> Mutate, string Pattern, bool MayLoad = false);

    static string J(string text, Action<JsonObject> edit)
    {
        var o = JsonNode.Parse(text)!.AsObject();
        edit(o);
        return o.ToJsonString();
    }

    static JsonObject M(JsonObject o) => o["model"]!.AsObject();
    static JsonObject Feature0(JsonObject o) => o["preprocessor"]!["features"]![0]!.AsObject();

    /// <summary>Edits the inflated tree section (model format 2) of the causal forest's value forest and deflates it back,
    /// with its declared sizes updated, so the damage is in the trees themselves.</summary>
    static string ForestTrees(string text, Func<byte[], byte[]> edit) => J(text, o =>
    {
        var v = M(o)["value"]!.AsObject();
        byte[] raw;
        using (var z = new System.IO.Compression.DeflateStream(new MemoryStream(Convert.FromBase64String((string)v["treeData"]!)),
                   System.IO.Compression.CompressionMode.Decompress))
        using (var ms = new MemoryStream()) { z.CopyTo(ms); raw = ms.ToArray(); }
        raw = edit(raw);
        using var packed = new MemoryStream();
        using (var z = new System.IO.Compression.DeflateStream(packed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        v["treeData"] = Convert.ToBase64String(packed.ToArray());
        v["treeBytes"] = (int)packed.Length;
        v["rawBytes"] = raw.Length;
    });

    static Mutation Drm(string label, Func<string, string> m, string pattern, bool mayLoad = false) => new(label, b => b.Drm, m, pattern, mayLoad);
    static Mutation Mlp(string label, Func<string, string> m, string pattern) => new(label, b => b.Mlp, m, pattern);
    static Mutation TL(string label, Func<string, string> m, string pattern) => new(label, b => b.TLearner, m, pattern);
    static Mutation CF(string label, Func<string, string> m, string pattern) => new(label, b => b.Forest, m, pattern);

    static readonly Mutation[] Mutations =
    [
        Drm("format-version-string", t => J(t, o => o["formatVersion"] = "1"), "formatVersion"),
        Drm("format-version-99", t => J(t, o => o["formatVersion"] = 99), "formatVersion|version"),
        Drm("format-version-missing", t => J(t, o => o.Remove("formatVersion")), "formatVersion|version"),
        Drm("format-other", t => J(t, o => o["format"] = "not-a-model"), "format"),
        Drm("kind-unknown", t => J(t, o => { o["kind"] = "xyz"; M(o)["kind"] = "xyz"; }), "kind|xyz"),
        Drm("kind-number", t => J(t, o => { o["kind"] = 5; M(o)["kind"] = 5; }), "kind"),
        Drm("model-missing", t => J(t, o => o.Remove("model")), "model"),
        Drm("model-array", t => J(t, o => o["model"] = new JsonArray()), "model|object|array"),
        Drm("preprocessor-string", t => J(t, o => o["preprocessor"] = "x"), "preprocessor"),
        Drm("weights-null", t => J(t, o => M(o)["output"]!["weights"] = null), "weights"),
        Drm("weight-element-null", t => J(t, o => M(o)["output"]!["weights"]![0] = null), "weights"),
        Drm("weight-element-string", t => J(t, o => M(o)["output"]!["weights"]![0] = "0.5"), "weights"),
        Drm("weights-object", t => J(t, o => M(o)["output"]!["weights"] = new JsonObject { ["a"] = 1 }), "weights"),
        Drm("weights-string", t => J(t, o => M(o)["output"]!["weights"] = "abc"), "weights"),
        Drm("weights-too-short", t => J(t, o => M(o)["output"]!["weights"]!.AsArray().RemoveAt(0)), "weights|features|length|size"),
        Drm("weights-too-long", t => J(t, o => M(o)["output"]!["weights"]!.AsArray().Add(0.1)), "weights|features|length|size"),
        Drm("weights-empty", t => J(t, o => M(o)["output"]!["weights"] = new JsonArray()), "weights|features|length|size"),
        Drm("output-array", t => J(t, o => M(o)["output"] = new JsonArray()), "output"),
        Drm("bias-string", t => J(t, o => M(o)["output"]!["bias"] = "0.5"), "bias"),
        Drm("bias-true", t => J(t, o => M(o)["output"]!["bias"] = true), "bias"),
        Drm("weight-1e39", t => J(t, o => M(o)["output"]!["weights"]![0] = 1e39), "weights|finite|range|large"),
        Drm("weights-all-1e39", t => J(t, o => { var w = M(o)["output"]!["weights"]!.AsArray(); for (int i = 0; i < w.Count; i++) w[i] = 1e39; }), "weights|finite|range|large"),
        Drm("bias-1e39", t => J(t, o => M(o)["output"]!["bias"] = 1e39), "bias|finite|range|large"),
        Drm("weight-1e309-text", t => t.Replace("\"bias\": ", "\"bias\": 1e309, \"bias2\": "), "bias|finite|range|large|number"),
        Drm("mean-1.7e308", t => J(t, o => Feature0(o)["mean"] = 1.7e308), "mean|x0"),
        Drm("mean-string", t => J(t, o => Feature0(o)["mean"] = "0"), "mean|x0"),
        Drm("sd-1e-300", t => J(t, o => Feature0(o)["sd"] = 1e-300), @"\bsd\b|standard deviation|x0"),
        Drm("sd-zero", t => J(t, o => Feature0(o)["sd"] = 0), @"\bsd\b|standard deviation|x0"),
        Drm("sd-negative", t => J(t, o => Feature0(o)["sd"] = -1), @"\bsd\b|standard deviation|x0"),
        Drm("sd-null", t => J(t, o => Feature0(o)["sd"] = null), @"\bsd\b|standard deviation|x0"),
        Drm("feature-kind-unknown", t => J(t, o => Feature0(o)["kind"] = "categorical-ish"), "kind|x0"),
        Drm("feature-count-mismatch", t => J(t, o => M(o)["features"] = 7), "features|weights"),
        Drm("feature-names-missing", t => J(t, o => o["preprocessor"]!.AsObject().Remove("featureNames")), "featureNames|feature names"),
        Drm("feature-names-duplicate", t => J(t, o => o["preprocessor"]!["featureNames"]![1] = "x0"), "duplicate|x0|featureNames|feature names"),
        Drm("feature-names-numbers", t => J(t, o => o["preprocessor"]!["featureNames"]![0] = 17), "featureNames|feature names"),
        Drm("features-empty", t => J(t, o => { o["preprocessor"]!["features"] = new JsonArray(); o["preprocessor"]!["featureNames"] = new JsonArray(); }), "feature"),
        Drm("roles-array", t => J(t, o => o["preprocessor"]!["roles"] = new JsonArray()), "roles"),
        Drm("duplicate-key-root", t => t.Replace("\"formatVersion\": 1,", "\"formatVersion\": 1, \"formatVersion\": 2,"), "duplicate|formatVersion"),
        Drm("duplicate-key-weights", t => t.Replace("\"bias\":", "\"weights\": [9, 9, 9, 9, 9], \"bias\":"), "duplicate|weights"),
        Drm("root-array", t => "[" + t + "]", "object|array|model"),
        Drm("root-null", _ => "null", "null|object|empty|model"),
        Drm("root-number", _ => "42", "object|number|model"),
        Drm("root-string", _ => "\"uplift-model\"", "object|string|model"),
        Drm("empty-file", _ => "", "empty|model|JSON"),
        Drm("whitespace-only", _ => "  \n\t\n", "empty|model|JSON"),
        Drm("truncated-half", t => t[..(t.Length / 2)], "truncat|end|incomplete|JSON|model"),
        Drm("truncated-last-byte", t => t.TrimEnd()[..^1], "truncat|end|incomplete|JSON|model"),
        Drm("trailing-garbage", t => t + "\n{\"more\": 1}", "JSON|trailing|model|after"),
        Drm("comments", t => "// a model\n" + t, "JSON|comment|model"),
        Drm("deep-nesting-root", _ => new string('[', 100_000) + new string(']', 100_000), "depth|nest|JSON|model"),
        Drm("deep-nesting-field", t => J(t, o => o["extra"] = "@@"), "depth|nest|JSON|extra|model"),
        Drm("nul-bytes", t => t.Insert(t.Length / 2, "\0\0\0"), "JSON|model|invalid"),
        Drm("utf16", t => "\uFEFF" + t, "", mayLoad: true),
        Drm("bom-utf8-read", t => t, "", mayLoad: true),
        Mlp("hidden-2pow31", t => J(t, o => { M(o)["hiddenSizes"] = new JsonArray(2147483648L); M(o)["options"]!["hiddenSizes"] = new JsonArray(2147483648L); }), "hiddenSizes|hidden"),
        Mlp("hidden-int-max", t => J(t, o => { M(o)["hiddenSizes"] = new JsonArray(int.MaxValue); M(o)["options"]!["hiddenSizes"] = new JsonArray(int.MaxValue); }), "hiddenSizes|hidden|layers|weights"),
        Mlp("hidden-negative", t => J(t, o => { M(o)["hiddenSizes"] = new JsonArray(-1); M(o)["options"]!["hiddenSizes"] = new JsonArray(-1); }), "hiddenSizes|hidden"),
        Mlp("hidden-mismatch-layers", t => J(t, o => M(o)["hiddenSizes"] = new JsonArray(4, 4)), "hiddenSizes|hidden|layers"),
        Mlp("layer-weights-short", t => J(t, o => M(o)["layers"]![0]!["weights"]!.AsArray().RemoveAt(0)), "weights|layers|length|size"),
        Mlp("layer-bias-null", t => J(t, o => M(o)["layers"]![0]!["bias"] = null), "bias|layers"),
        Mlp("layers-object", t => J(t, o => M(o)["layers"] = new JsonObject()), "layers"),
        Mlp("layer-weight-1e39", t => J(t, o => M(o)["layers"]![0]!["weights"]![0] = 1e39), "weights|finite|range|large|layers"),
        Mlp("scorer-unknown", t => J(t, o => M(o)["scorer"] = "transformer"), "scorer|transformer"),
        TL("coefficients-null", t => J(t, o => M(o)["mu_v1"]!["coefficients"] = null), "coefficients|mu_v1"),
        TL("coefficients-short", t => J(t, o => M(o)["mu_v1"]!["coefficients"]!.AsArray().RemoveAt(0)), "coefficients|mu_v1|length|features"),
        TL("base-type-unknown", t => J(t, o => M(o)["mu_v1"]!["type"] = "xgboost"), "type|xgboost|mu_v1"),
        TL("intercept-string", t => J(t, o => M(o)["mu_v1"]!["intercept"] = "abc"), "intercept|mu_v1"),
        TL("intercept-1e309-text", t => J(t, o => M(o)["mu_v1"]!["intercept"] = "@@").Replace("\"@@\"", "1e309"), "intercept|mu_v1|finite|number|range"),
        TL("part-missing", t => J(t, o => M(o).Remove("mu_c0")), "mu_c0"),
        CF("treedata-not-base64", t => J(t, o => M(o)["value"]!["treeData"] = "!!!not base64!!!"), "treeData|base64|value"),
        CF("treedata-truncated", t => J(t, o => { var s = (string)M(o)["value"]!["treeData"]!; M(o)["value"]!["treeData"] = s[..(s.Length / 2 / 4 * 4)]; }), "treeData|length|values|value"),
        CF("rawbytes-2pow31", t => J(t, o => M(o)["value"]!["rawBytes"] = int.MaxValue), "rawBytes|raw bytes|treeData|value"),
        CF("treedata-not-deflate", t => J(t, o => { var b = Convert.FromBase64String((string)M(o)["value"]!["treeData"]!); for (int i = 0; i < b.Length; i++) b[i] ^= 0x5A; M(o)["value"]!["treeData"] = Convert.ToBase64String(b); }), "treeData|deflate|truncated|value"),
        CF("trees-cut-short", t => ForestTrees(t, raw => raw[..(raw.Length / 2)]), "treeData|truncated|ends|value"),
        CF("feature-out-of-range", t => ForestTrees(t, raw => { raw[0] = 99; return raw; }), "feature|range|value"),
        CF("trees-million", t => J(t, o => M(o)["value"]!["trees"] = 1_000_000), "trees|value"),
        CF("value-forest-missing", t => J(t, o => M(o).Remove("value")), "value"),
    ];

    static readonly string[] AlsoPlan = ["format-version-string", "weights-null", "weight-1e39", "sd-1e-300", "truncated-half", "duplicate-key-root"];
    static readonly string[] AlsoReport = ["kind-number", "weights-object", "mean-1.7e308", "root-array"];

    public static IEnumerable<HostileCase> All()
    {
        foreach (var m in Mutations)
        {
            yield return Case("score", m, (c, model) => BaseFiles.Score(model, c.Copy(c.Base.Csv), c.P("scores.csv")), c => c.P("scores.csv"));
            if (AlsoPlan.Contains(m.Label))
                yield return Case("plan", m, (c, model) => { var d = c.Copy(c.Base.Csv); return [.. BaseFiles.Plan(model, d, d), "--out", c.P("plan.json")]; }, c => c.P("plan.json"));
            if (AlsoReport.Contains(m.Label))
                yield return Case("report", m, (c, model) => BaseFiles.Report(c.Copy(c.Base.Csv), model, c.P("report.html")), c => c.P("report.html"));
        }

        // Above a size cap: a 1.1 GB (sparse) file behind a valid start, and /dev/zero. Separate processes.
        yield return new HostileCase
        {
            Class = CaseClass.Models,
            Name = "models/score-model-1gb-string",
            ProcessOnly = true,
            Prepare = c =>
            {
                var model = c.P("model.json");
                using (var f = File.Create(model))
                {
                    f.Write("{\"format\": \"uplift-model\", \"formatVersion\": 1, \"kind\": \""u8);
                    f.SetLength(1100L << 20);
                }
                return new Prepared
                {
                    Args = BaseFiles.Score(model, c.Copy(c.Base.Csv), c.P("scores.csv")), Inputs = [model], AllowedExits = [2],
                    MustNotExist = [c.P("scores.csv")], ErrorPattern = @"large|size|cap|\bMB\b|\bGB\b|model\.json|kind", Timeout = TimeSpan.FromSeconds(20),
                };
            },
        };
        yield return new HostileCase
        {
            Class = CaseClass.Models,
            Name = "models/score-model-dev-zero",
            ProcessOnly = true,
            Prepare = c => new Prepared
            {
                Args = BaseFiles.Score("/dev/zero", c.Copy(c.Base.Csv), c.P("scores.csv")), AllowedExits = [2],
                MustNotExist = [c.P("scores.csv")], ErrorPattern = @"/dev/zero|device|regular|large|size|cap", Timeout = TimeSpan.FromSeconds(20),
            },
        };
    }

    static HostileCase Case(string cmd, Mutation m, Func<CaseContext, string, string[]> args, Func<CaseContext, string> output) => new()
    {
        Class = CaseClass.Models,
        Name = $"models/{cmd}-{m.Label}",
        Slow = m.Label.StartsWith("deep-nesting", StringComparison.Ordinal) && cmd != "score",
        Prepare = c =>
        {
            var text = m.Mutate(File.ReadAllText(m.Source(c.Base)));
            if (m.Label == "deep-nesting-field") text = text.Replace("\"@@\"", new string('[', 50_000) + new string(']', 50_000));
            var model = c.P("model.json");
            byte[] bytes = m.Label == "bom-utf8-read" ? [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(text)]
                : m.Label == "utf16" ? Encoding.Unicode.GetBytes(text)
                : Encoding.UTF8.GetBytes(text);
            File.WriteAllBytes(model, bytes);
            var a = args(c, model);
            return new Prepared
            {
                Args = a,
                Inputs = [model],
                AllowedExits = m.MayLoad ? [0, 2] : [2],
                MustNotExist = m.MayLoad ? [] : [output(c)],
                ErrorPattern = m.Pattern.Length == 0 ? "model" : m.Pattern,
                CheckOk = m.MayLoad
                    ? r =>
                    {
                        // Read correctly: the same output as the unmodified model.
                        Directory.CreateDirectory(c.P("ref"));
                        var refModel = c.Copy(m.Source(c.Base), "ref/model.json");
                        var refArgs = args(c, refModel).Select(x => x == output(c) ? c.P("ref/" + Path.GetFileName(x)) : x).ToArray();
                        c.Reference(refArgs);
                        var got = File.ReadAllText(output(c));
                        var want = File.ReadAllText(c.P("ref/" + Path.GetFileName(output(c))));
                        return got == want ? null : "exit 0 but the output differs from the unmodified model's";
                    }
                    : null,
            };
        },
    };
}
