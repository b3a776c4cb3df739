using Uplift.IO;
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
    public long Seed { get; }
    /// <summary>g of the kept parameters on the training set (rescaled units).</summary>
    public double TrainObjective { get; }
    /// <summary>g of the kept parameters on the validation set, when one was given.</summary>
    public double? ValidationObjective { get; }
    /// <summary>The options the model was trained with (a copy).</summary>
    public JsonObject Options => (JsonObject)_options.DeepClone();
    /// <summary>What the fit did beyond its options; null for a model file that does not say.</summary>
    public RankingFitInfo? FitInfo { get; }

    internal RankingModel(string kind, Network net, float[] parameters, double vScale, double cScale, long seed,
        double trainObjective, double? validationObjective, JsonObject options, RankingFitInfo? fitInfo)
    {
        Kind = kind; _net = net; _p = (float[])parameters.Clone();
        ValueScale = vScale; CostScale = cScale; Seed = seed;
        TrainObjective = trainObjective; ValidationObjective = validationObjective;
        _options = (JsonObject)options.DeepClone();
        FitInfo = fitInfo;
    }

    /// <summary>This model with other recorded options (the scorer choice of <see cref="DrmOptions.Scorer"/> = auto).</summary>
    internal RankingModel WithOptions(JsonObject options) =>
        new(Kind, _net, _p, ValueScale, CostScale, Seed, TrainObjective, ValidationObjective, options, FitInfo);

    /// <summary>The network weights in the unpadded layout: per hidden layer W (K x H row-major) and b, then w_out and b_out.</summary>
    public float[] Weights => _net.ToLogical(_p);

    public void Score(Dataset data, Span<double> scores) => Score(data, scores, null);

    public void Score(Dataset data, Span<double> scores, int? maxThreads)
    {
        ArgumentNullException.ThrowIfNull(data);
        var po = ScoreParallelism.Options(maxThreads);
        if (data.Features != Features) throw new UpliftException($"the model expects {Features} features, the data has {data.Features}");
        if (scores.Length != data.Rows) throw new ArgumentException("one score per row");
        var f = new float[data.Rows];
        RawScores(_net, _p, data, f, po);
        // s = tanh(f) in double: in float, tanh rounds to exactly ±1 for |f| > 9, and users beyond that would tie.
        for (int i = 0; i < f.Length; i++) scores[i] = Math.Tanh(f[i]);
    }

    /// <summary>f(x) of network <paramref name="net"/> with parameters <paramref name="p"/> for every row of <paramref name="data"/>
    /// chunk by chunk in parallel (each row's score is independent of the others), on at most <paramref name="po"/>'s
    /// thread cap (uncapped when null).</summary>
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
            ["scorer"] = RankingNames.Scorer.Name(Scorer),
            ["hiddenSizes"] = new JsonArray([.. _net.Hidden.Select(h => (JsonNode)h)]),
            ["outcomeScale"] = new JsonObject { ["value"] = ValueScale, ["cost"] = CostScale },
            ["seed"] = Seed,
            ["objective"] = new JsonObject { ["train"] = Finite(TrainObjective), ["validation"] = ValidationObjective is { } v ? Finite(v) : null },
            ["options"] = OptionsWithFitInfo(),
            ["layers"] = layers,
            ["output"] = output,
        };
    }

    static JsonNode? Finite(double x) => double.IsFinite(x) ? x : null;

    /// <summary>The file's "options": the options, then the fit information (the last two keys).</summary>
    JsonObject OptionsWithFitInfo()
    {
        var o = (JsonObject)_options.DeepClone();
        if (FitInfo is { } f)
        {
            o[SelectionKey] = RankingNames.AppliedSelection.Name(f.Selection);
            o[BaselineKey] = f.OutcomeBaselineApplied;
        }
        return o;
    }

    const string SelectionKey = "selectionApplied", BaselineKey = "outcomeBaselineApplied";

    /// <summary>The fit information saved in "options" (both keys or neither), taken out of <paramref name="options"/>.</summary>
    static RankingFitInfo? TakeFitInfo(ModelJson json, JsonObject options)
    {
        var section = json.Optional("options");
        if (section is null || (!section.Has(SelectionKey) && !section.Has(BaselineKey))) return null;
        var table = RankingNames.AppliedSelection;
        var info = new RankingFitInfo(table.Of(section.Choice(SelectionKey, [.. table.Names])), section.Bool(BaselineKey));
        options.Remove(SelectionKey);
        options.Remove(BaselineKey);
        return info;
    }

    static JsonArray Floats(float[] w, ref int o, int count)
    {
        var a = new JsonArray();
        for (int i = 0; i < count; i++) a.Add(w[o++]);
        return a;
    }

    /// <summary>Reads what <see cref="Save"/> wrote. Throws <see cref="UpliftException"/> naming the field on a malformed object.</summary>
    public static RankingModel Load(JsonObject json) => Load(ModelJson.FromNode(json, "model"));

    /// <summary>Largest hidden layer width a file may declare (sizes are also checked against the arrays present).</summary>
    internal const int MaxHidden = 1 << 20;

    internal static RankingModel Load(ModelJson json)
    {
        string kind = json.Choice("kind", DrmRegistration.Name, CrmRegistration.Name);
        json.Int("format", 1, 1);
        int features = json.Int("features", 1, int.MaxValue);
        var scorer = RankingNames.Scorer.Of(json.Choice("scorer", RankingNames.Scorer.Name(ScorerKind.Linear), RankingNames.Scorer.Name(ScorerKind.Mlp)));
        var hidden = json.Ints("hiddenSizes", why: null, min: 1, max: MaxHidden);
        if (scorer == ScorerKind.Linear && hidden.Length != 0) throw json.Error("hiddenSizes", $"must be empty for the linear scorer, got {hidden.Length} layers");
        if (scorer == ScorerKind.Mlp && hidden.Length == 0) throw json.Error("hiddenSizes", "must list at least one layer for the mlp scorer");
        var layers = json.Array("layers");
        if (layers.Length != hidden.Length)
            throw layers.Error($"has {layers.Length} layers, expected {hidden.Length} (one per hiddenSizes entry)");
        // Shapes chain (layer l maps prev -> hidden[l]) and are checked against the arrays present before the
        // network (with its padded layout) is allocated: the padded size is bounded by the stored weights.
        long prev = features, padded = 0;
        var parts = new List<float[]>(2 * hidden.Length + 2);
        for (int l = 0; l < hidden.Length; l++)
        {
            var layer = layers.Item(l);
            parts.Add(layer.Floats("weights", prev * hidden[l], $"{prev} inputs x hiddenSizes[{l}] = {hidden[l]}"));
            parts.Add(layer.Floats("bias", hidden[l], $"hiddenSizes[{l}]"));
            long pad = (hidden[l] + Network.PadTo - 1) / Network.PadTo * Network.PadTo;
            padded += prev * pad + pad;
            prev = hidden[l];
        }
        var output = json.Object("output");
        parts.Add(output.Floats("weights", prev, hidden.Length == 0 ? "one per feature" : "one per unit of the last hidden layer"));
        parts.Add([(float)output.Double("bias")]);
        padded += prev + Network.PadTo + 1;
        if (padded > Array.MaxLength) throw json.Error("hiddenSizes", "describe a network too large to hold in memory");
        var scale = json.Object("outcomeScale");
        // The scales are a record of training (scoring does not use them): any positive finite number.
        double vScale = scale.Double("value", double.Epsilon, double.MaxValue), cScale = scale.Double("cost", double.Epsilon, double.MaxValue);
        long seed = json.OptionalLong("seed") ?? 0;
        var objective = json.Optional("objective");
        double train = objective?.OptionalDouble("train", double.MinValue, double.MaxValue) ?? double.NaN;
        double? validation = objective?.OptionalDouble("validation", double.MinValue, double.MaxValue);
        var options = json.Optional("options")?.ToObject() ?? new JsonObject();
        var fitInfo = TakeFitInfo(json, options);
        var net = hidden.Length == 0 ? Network.Linear(features) : Network.Mlp(features, hidden);
        var w = new float[net.LogicalParameterCount];
        int o = 0;
        foreach (var part in parts) { part.CopyTo(w, o); o += part.Length; }
        return new RankingModel(kind, net, net.FromLogical(w), vScale, cScale, seed, train, validation, options, fitInfo);
    }
}
