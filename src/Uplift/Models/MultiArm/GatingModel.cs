using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Engine;
using Uplift.IO;

namespace Uplift.Models.MultiArm;

/// <summary>
/// A learned gating over the K arms of a campaign (<see cref="GatingTrainer"/>, METHOD.md section 10, "Decision"): 2K
/// scalar scorers of one architecture give s_v,k(x) and s_c,k(x); arm k's effects are the calibrated equivalent
/// (β σ_V s_v,k, α σ_C s_c,k), whose hull at slope λ picks the gating's argmax over {0..K} of s_v,k − λ s_c,k (α and β,
/// one pair for all arms, put the spend in real units; see <see cref="CostFactor"/>).
/// <see cref="Score(Dataset, Span{double}, int?)"/> is the slope of the user's best upgrade, as for
/// <see cref="PerArmModel"/>: the largest guarded ratio over the arms.
/// <para>Model-file JSON (format 1): <c>{ "kind", "format": 1, "features", "arms": K, "armModel": "gating", "scorer",
/// "hiddenSizes", "outcomeScale": { "value", "cost" } (σ_V, σ_C), "calibration": { "value", "cost" } (β, α), "temperature", "lambdas" (the last training grid, in V per C
/// units), "seed", "objective": { "train", "validationAucc" }, "options", "weights" }</c>, where "weights" holds the 2K
/// networks one after another in the order s_v,1, s_c,1, s_v,2, ..., each in the ranking model's unpadded layout (per
/// hidden layer W then b, then the output weights and bias). The registration recognises it by "arms" and "armModel".</para>
/// Immutable.
/// </summary>
public sealed class GatingModel : IMultiArmModel
{
    /// <summary>Widest hidden layer and most hidden layers a file may declare (the ranking options' own limits).</summary>
    internal const int MaxHidden = 4096, MaxLayers = 8;

    readonly Network _net;
    readonly float[] _p;
    readonly double[] _lambdas;
    readonly JsonObject _options;

    internal GatingModel(string kind, Network net, int arms, float[] parameters, double vScale, double cScale, long seed,
        double temperature, double[] lambdas, double trainObjective, double? validationAucc, JsonObject options,
        double valueFactor = 1, double costFactor = 1)
    {
        if (!(valueFactor > 0) || !(costFactor > 0) || !double.IsFinite(valueFactor) || !double.IsFinite(costFactor))
            throw new ArgumentException("the calibration factors must be positive and finite");
        ValueFactor = valueFactor; CostFactor = costFactor;
        if (arms < 2 || arms > PerArmModel.MaxArms) throw new ArgumentException($"a gating model has 2..{PerArmModel.MaxArms} arms, got {arms}.", nameof(arms));
        if (parameters.Length != 2 * arms * net.ParameterCount) throw new ArgumentException("parameter vector length", nameof(parameters));
        Kind = kind; _net = net; Arms = arms; _p = (float[])parameters.Clone();
        ValueScale = vScale; CostScale = cScale; Seed = seed; Temperature = temperature;
        _lambdas = (double[])lambdas.Clone();
        TrainObjective = trainObjective; ValidationAucc = validationAucc;
        _options = (JsonObject)options.DeepClone();
    }

    /// <summary>This model with other recorded options (the scorer choice of <c>DrmOptions.Scorer</c> = auto).</summary>
    internal GatingModel WithOptions(JsonObject options) => new(Kind, _net, Arms, _p, ValueScale, CostScale, Seed, Temperature, _lambdas,
        TrainObjective, ValidationAucc, options, ValueFactor, CostFactor);

    public string Kind { get; }
    public int Features => _net.Inputs;
    public int Arms { get; }
    /// <summary>Hidden layer widths of each of the 2K scorers (empty: linear).</summary>
    public IReadOnlyList<int> HiddenSizes => _net.Hidden;
    /// <summary>σ_V: the training standard deviation of V, the unit of s_v.</summary>
    public double ValueScale { get; }
    /// <summary>σ_C: the training standard deviation of C, the unit of s_c.</summary>
    public double CostScale { get; }
    /// <summary>β: the factor on every arm's value effect that makes the estimated value of the path's assignment at half
    /// its full cost match its held-out estimate (<see cref="GatingTrainer"/>; 1 when it could not be measured).</summary>
    public double ValueFactor { get; }
    /// <summary>α: the same for the cost effects. One factor for all arms and users keeps the budget path's order (an
    /// axis scaling of the (τ_c, τ_v) plane keeps every hull and the order of the slopes), so it only makes the spend
    /// in estimated cost a spend in real cost.</summary>
    public double CostFactor { get; }
    public long Seed { get; }
    public double Temperature { get; }
    /// <summary>The λ grid of the kept snapshot, in units of V per unit of C.</summary>
    public IReadOnlyList<double> Lambdas => _lambdas;
    /// <summary>The objective (rescaled units) of the kept parameters on the training data.</summary>
    public double TrainObjective { get; }
    /// <summary>The validation multi-arm AUCC that selected the parameters (null without a validation set).</summary>
    public double? ValidationAucc { get; }
    /// <summary>The options the model was trained with (a copy).</summary>
    public JsonObject Options => (JsonObject)_options.DeepClone();
    /// <summary>The 2K networks' weights in the unpadded layout, one after another (as in the file).</summary>
    public float[] Weights
    {
        get
        {
            int pn = _net.ParameterCount, ln = _net.LogicalParameterCount;
            var w = new float[2 * Arms * ln];
            for (int o = 0; o < 2 * Arms; o++) _net.ToLogical(_p.AsSpan(o * pn, pn)).CopyTo(w, o * ln);
            return w;
        }
    }

    /// <summary>(σ_V s_v,k, σ_C s_c,k) of raw outputs f (n x 2K) into n x K spans.</summary>
    internal static void Effects(ReadOnlySpan<double> f, int arms, double vScale, double cScale, Span<double> tauV, Span<double> tauC)
    {
        int n = tauV.Length / arms;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < arms; k++)
            {
                tauV[i * arms + k] = vScale * f[i * 2 * arms + 2 * k];
                tauC[i * arms + k] = cScale * f[i * 2 * arms + 2 * k + 1];
            }
    }

    public void PredictArmEffects(Dataset data, Span<double> tauV, Span<double> tauC, int? maxThreads = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Features != Features) throw new UpliftException($"the model expects {Features} features, the data has {data.Features}");
        int n = data.Rows;
        if (tauV.Length != (long)n * Arms || tauC.Length != (long)n * Arms)
            throw new ArgumentException($"tauV and tauC must hold rows x arms = {n} x {Arms} values.");
        var f = new double[(long)n * 2 * Arms];
        GatingEngine.Outputs(_net, Arms, _p, data, f, ScoreParallelism.Options(maxThreads) ?? new ParallelOptions());
        Effects(f, Arms, ValueScale * ValueFactor, CostScale * CostFactor, tauV, tauC);
    }

    public void Score(Dataset data, Span<double> scores) => Score(data, scores, null);

    /// <summary>The slope of each user's best upgrade: max over arms of the guarded ratio of (tau_v,k, tau_c,k).</summary>
    public void Score(Dataset data, Span<double> scores, int? maxThreads) => ArmScores.BestUpgradeSlope(this, data, scores, maxThreads);

    const string ArmModelKey = "armModel";

    public JsonObject Save() => new()
    {
        ["kind"] = Kind,
        ["format"] = 1,
        ["features"] = Features,
        ["arms"] = Arms,
        [ArmModelKey] = ArmModelNames.Table.Name(ArmModel.Gating),
        ["scorer"] = _net.IsLinear ? "linear" : "mlp",
        ["hiddenSizes"] = new JsonArray([.. _net.Hidden.Select(h => (JsonNode)h)]),
        ["outcomeScale"] = new JsonObject { ["value"] = ValueScale, ["cost"] = CostScale },
        ["calibration"] = new JsonObject { ["value"] = ValueFactor, ["cost"] = CostFactor },
        ["temperature"] = Temperature,
        ["lambdas"] = new JsonArray([.. _lambdas.Select(l => (JsonNode)l)]),
        ["seed"] = Seed,
        ["objective"] = new JsonObject
        {
            ["train"] = double.IsFinite(TrainObjective) ? TrainObjective : null,
            ["validationAucc"] = ValidationAucc is { } a && double.IsFinite(a) ? a : null,
        },
        ["options"] = Options,
        ["weights"] = new JsonArray([.. Weights.Select(w => (JsonNode)w)]),
    };

    /// <summary>Whether a multi-arm model section (it has "arms") is a gating model: its "armModel" says so.</summary>
    internal static bool IsGating(ModelJson model) => model.IsObject && model.Has(ArmModelKey)
        && model.Choice(ArmModelKey, [.. ArmModelNames.Table.Names]) == ArmModelNames.Table.Name(ArmModel.Gating);

    /// <summary>Reads a model written by <see cref="Save"/> of kind <paramref name="kind"/>; every field checked (types,
    /// bounds, sizes), errors name the field.</summary>
    internal static GatingModel Load(ModelJson o, string kind)
    {
        o.Choice("kind", kind);
        o.Int("format", 1, 1);
        int features = o.Int("features", 1, int.MaxValue);
        int arms = o.Int("arms", 2, PerArmModel.MaxArms);
        o.Choice(ArmModelKey, ArmModelNames.Table.Name(ArmModel.Gating));
        string scorer = o.Choice("scorer", "linear", "mlp");
        var hidden = o.Ints("hiddenSizes", why: null, min: 1, max: MaxHidden);
        if (scorer == "linear" && hidden.Length != 0) throw o.Error("hiddenSizes", $"must be empty for the linear scorer, got {hidden.Length} layers");
        if (scorer == "mlp" && (hidden.Length == 0 || hidden.Length > MaxLayers)) throw o.Error("hiddenSizes", $"must list 1 to {MaxLayers} layers for the mlp scorer");
        long logical = 0, prev = features;
        foreach (var h in hidden) { logical += prev * h + h; prev = h; }
        logical += prev + 1;
        long expected = 2L * arms * logical;
        int present = o.Array("weights").Length;
        if (expected != present) throw o.Error("weights", $"holds {present} numbers, but {2 * arms} networks of {logical} parameters need {expected}");
        var scale = o.Object("outcomeScale");
        double vs = scale.Double("value", double.Epsilon), cs = scale.Double("cost", double.Epsilon);
        var cal = o.Object("calibration");
        double vf = cal.Double("value", double.Epsilon), cf = cal.Double("cost", double.Epsilon);
        double temperature = o.Double("temperature", double.Epsilon);
        int nl = o.Array("lambdas").Length;
        if (nl < 1) throw o.Error("lambdas", "must hold at least one slope");
        var lambdas = o.Doubles("lambdas", nl, min: 0);
        long seed = o.Get("seed").AsLong();
        var obj = o.Object("objective");
        double train = obj.OptionalDouble("train") ?? double.NaN;
        double? aucc = obj.OptionalDouble("validationAucc");
        var options = o.Object("options").ToObject();
        var w = o.Floats("weights", expected);
        var net = hidden.Length == 0 ? Network.Linear(features) : Network.Mlp(features, hidden);
        int pn = net.ParameterCount, ln = net.LogicalParameterCount;
        var p = new float[2 * arms * pn];
        for (int k = 0; k < 2 * arms; k++) net.FromLogical(w.AsSpan(k * ln, ln)).CopyTo(p, k * pn);
        return new GatingModel(kind, net, arms, p, vs, cs, seed, temperature, lambdas, train, aucc, options, vf, cf);
    }
}
