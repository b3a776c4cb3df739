using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Engine;

namespace Uplift.Models.Ranking;

/// <summary>
/// A fitted DRM or CRM: the scoring network and its weights. Score(x) = s = tanh(f_θ(x)) (METHOD.md section 2).
/// <para>
/// The CRM also ranks by s, not by its pooled training score ŝ = s · σ(t (s − d)): the offset d is a per-arm
/// quantile of the training cohort (undefined for new users), ŝ is not monotone in s (for s &lt; 0 the mask
/// pulls it back towards 0), and the mask only decides which users the training objective looks at; the
/// ordering the network learned is s.
/// </para>
/// Immutable.
/// </summary>
public sealed unsafe class RankingModel : IUpliftModel
{
    readonly Network _net;
    readonly float[] _p;
    readonly JsonObject _options;

    public string Kind { get; }
    public int Features => _net.Inputs;
    public ScorerKind Scorer => _net.IsLinear ? ScorerKind.Linear : ScorerKind.Mlp;
    public IReadOnlyList<int> HiddenSizes => _net.Hidden;
    /// <summary>σ_V: the training standard deviation V was divided by.</summary>
    public double ValueScale { get; }
    /// <summary>σ_C: the training standard deviation C was divided by.</summary>
    public double CostScale { get; }
    public int Seed { get; }
    /// <summary>g of the kept parameters on the training set (rescaled units).</summary>
    public double TrainObjective { get; }
    /// <summary>g of the kept parameters on the validation set, when one was given.</summary>
    public double? ValidationObjective { get; }
    /// <summary>The options the model was trained with (a copy).</summary>
    public JsonObject Options => (JsonObject)_options.DeepClone();

    internal RankingModel(string kind, Network net, float[] parameters, double vScale, double cScale, int seed,
        double trainObjective, double? validationObjective, JsonObject options)
    {
        Kind = kind; _net = net; _p = (float[])parameters.Clone();
        ValueScale = vScale; CostScale = cScale; Seed = seed;
        TrainObjective = trainObjective; ValidationObjective = validationObjective;
        _options = (JsonObject)options.DeepClone();
    }

    /// <summary>The network weights in the unpadded layout: per hidden layer W (K x H row-major) and b, then w_out and b_out.</summary>
    public float[] Weights => _net.ToLogical(_p);

    public void Score(Dataset data, Span<double> scores)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Features != Features) throw new UpliftException($"the model expects {Features} features, the data has {data.Features}");
        if (scores.Length != data.Rows) throw new ArgumentException("one score per row");
        var f = new float[data.Rows];
        RawScoresInto(data, f);
        // s = tanh(f) in double: in float, tanh rounds to exactly ±1 for |f| > 9, and users beyond that would tie.
        for (int i = 0; i < f.Length; i++) scores[i] = Math.Tanh(f[i]);
    }

    /// <summary>The network output f(x) as float, chunk by chunk in parallel (each row's score is independent of the others).</summary>
    internal void RawScoresInto(Dataset data, float[] s) => RawScores(_net, _p, data, s);

    /// <summary>f(x) of network <paramref name="net"/> with parameters <paramref name="p"/> for every row of <paramref name="data"/>
    /// (on at most <paramref name="po"/>'s thread cap; all cores when null).</summary>
    internal static void RawScores(Network net, float[] p, Dataset data, float[] s, ParallelOptions? po = null)
    {
        int n = data.Rows, d = data.Features, chunk = CohortEngine.ChunkRows;
        int chunks = (n + chunk - 1) / chunk;
        var hx = GCHandle.Alloc(data.X, GCHandleType.Pinned);
        var hp = GCHandle.Alloc(p, GCHandleType.Pinned);
        try
        {
            float* px = (float*)hx.AddrOfPinnedObject(), pp = (float*)hp.AddrOfPinnedObject();
            int L = net.Hidden.Count;
            long actsFloats = (long)chunk * net.ActivationsPerRow;
            Parallel.For(0, chunks, po ?? new ParallelOptions(), () => new AlignedBuffer(actsFloats + chunk + L * 2 + 2), (c, _, buf) =>
            {
                int r0 = c * chunk, rows = Math.Min(chunk, n - r0);
                float** acts = (float**)(buf.Ptr + actsFloats + chunk);
                float* q = buf.Ptr;
                for (int l = 0; l < L; l++) { acts[l] = q; q += chunk * net.Pad[l]; }
                float* f = buf.Ptr + actsFloats;
                net.Forward(pp, px + (long)r0 * d, rows, acts, f);
                new ReadOnlySpan<float>(f, rows).CopyTo(s.AsSpan(r0, rows));
                return buf;
            }, buf => buf.Dispose());
        }
        finally { hx.Free(); hp.Free(); }
    }

    public JsonObject Save()
    {
        var w = _net.ToLogical(_p);
        int o = 0;
        var layers = new JsonArray();
        int prev = _net.Inputs;
        foreach (var h in _net.Hidden)
        {
            layers.Add(new JsonObject { ["weights"] = Floats(w, ref o, prev * h), ["bias"] = Floats(w, ref o, h) });
            prev = h;
        }
        var output = new JsonObject { ["weights"] = Floats(w, ref o, prev), ["bias"] = w[o] };
        return new JsonObject
        {
            ["kind"] = Kind,
            ["format"] = 1,
            ["features"] = Features,
            ["scorer"] = Scorer == ScorerKind.Linear ? "linear" : "mlp",
            ["hiddenSizes"] = new JsonArray([.. _net.Hidden.Select(h => (JsonNode)h)]),
            ["outcomeScale"] = new JsonObject { ["value"] = ValueScale, ["cost"] = CostScale },
            ["seed"] = Seed,
            ["objective"] = new JsonObject { ["train"] = Finite(TrainObjective), ["validation"] = ValidationObjective is { } v ? Finite(v) : null },
            ["options"] = _options.DeepClone(),
            ["layers"] = layers,
            ["output"] = output,
        };
    }

    static JsonNode? Finite(double x) => double.IsFinite(x) ? x : null;

    static JsonArray Floats(float[] w, ref int o, int count)
    {
        var a = new JsonArray();
        for (int i = 0; i < count; i++) a.Add(w[o++]);
        return a;
    }

    /// <summary>Reads what <see cref="Save"/> wrote. Throws <see cref="UpliftException"/> on a malformed object.</summary>
    public static RankingModel Load(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            string kind = Req(json, "kind").GetValue<string>();
            if (kind is not ("drm" or "crm")) throw new UpliftException($"not a ranking model: kind '{kind}'");
            int features = Req(json, "features").GetValue<int>();
            string scorer = Req(json, "scorer").GetValue<string>();
            var hidden = Req(json, "hiddenSizes").AsArray().Select(n => n!.GetValue<int>()).ToArray();
            var net = scorer switch
            {
                "linear" when hidden.Length == 0 => Network.Linear(features),
                "mlp" when hidden.Length > 0 => Network.Mlp(features, hidden),
                _ => throw new UpliftException($"ranking model: scorer '{scorer}' with {hidden.Length} hidden layers is not valid"),
            };
            var w = new List<float>(net.LogicalParameterCount);
            var layers = Req(json, "layers").AsArray();
            if (layers.Count != hidden.Length) throw new UpliftException("ranking model: layer count does not match hiddenSizes");
            int prev = features;
            for (int l = 0; l < hidden.Length; l++)
            {
                var layer = layers[l]!.AsObject();
                ReadFloats(Req(layer, "weights").AsArray(), prev * hidden[l], w, $"layer {l + 1} weights");
                ReadFloats(Req(layer, "bias").AsArray(), hidden[l], w, $"layer {l + 1} bias");
                prev = hidden[l];
            }
            var output = Req(json, "output").AsObject();
            ReadFloats(Req(output, "weights").AsArray(), prev, w, "output weights");
            w.Add(Req(output, "bias").GetValue<float>());
            var scale = Req(json, "outcomeScale").AsObject();
            var objective = json["objective"] as JsonObject;
            return new RankingModel(kind, net, net.FromLogical(w.ToArray()),
                Req(scale, "value").GetValue<double>(), Req(scale, "cost").GetValue<double>(),
                json["seed"]?.GetValue<int>() ?? 0,
                objective?["train"]?.GetValue<double>() ?? double.NaN,
                objective?["validation"]?.GetValue<double>(),
                json["options"] as JsonObject ?? new JsonObject());
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException or KeyNotFoundException)
        {
            throw new UpliftException($"ranking model: malformed JSON ({e.Message})", e);
        }
    }

    static JsonNode Req(JsonObject o, string name) =>
        o[name] ?? throw new UpliftException($"ranking model: missing '{name}'");

    static void ReadFloats(JsonArray a, int count, List<float> into, string what)
    {
        if (a.Count != count) throw new UpliftException(string.Create(CultureInfo.InvariantCulture, $"ranking model: {what} has {a.Count} values, expected {count}"));
        foreach (var n in a) into.Add(n!.GetValue<float>());
    }
}
