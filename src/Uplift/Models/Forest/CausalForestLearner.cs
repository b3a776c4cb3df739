using System.Text.Json.Nodes;
using Uplift.Data;

namespace Uplift.Models.Forest;

/// <summary>
/// The causal-forest baseline (METHOD.md section 5): two causal forests, one for the value V and one for the
/// cost C, on the same data (sharing ê(x)); users ranked by the guarded ratio of tau_v and tau_c, or the Lagrangian.
/// </summary>
public sealed class CausalForestLearner(CausalForestOptions? options = null) : IUpliftLearner
{
    public string Kind => CausalForestRegistration.Name;
    public CausalForestOptions Options { get; } = options ?? new CausalForestOptions();

    /// <summary>Fits both forests; <paramref name="validation"/> is not used.</summary>
    public IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context) => FitModel(train, context);

    public CausalForestModel FitModel(Dataset train, FitContext context)
    {
        Options.Validate();
        if (!train.HasOutcomes) throw new UpliftDataException("causal forest: training data needs treatment, value and cost");
        int treated = train.TreatedCount;
        if (treated == 0 || treated == train.Rows)
            throw new UpliftDataException("causal forest: training data needs both treated and control users");
        ForestInputs.CheckFinite(train.V, "value");
        ForestInputs.CheckFinite(train.C, "cost");
        if (train.Weight is not null) ForestInputs.CheckWeights(train.Weight, train.Rows);
        Options.ToTreeOptions(train.Features); // mtry range check against the data

        var fx = FeatureIndex.Build(train.X, train.Rows, train.Features, context.ParallelOptions);
        var w = new double[train.Rows];
        for (int i = 0; i < w.Length; i++) w[i] = train.T[i];
        var s = train.Weight;
        // A known propensity column (METHOD.md section 1) is used as ê as is; otherwise Options.Propensity decides.
        double[] wHat;
        if (train.Propensity is not null)
        {
            ForestInputs.CheckFinite(train.Propensity, "propensity");
            wHat = train.Propensity;
        }
        else wHat = CausalForest.PropensityHat(fx, w, s, Options, Rng.SubSeed(context.Seed, RngStream.ForestPropensity), context);
        var value = CausalForest.Fit(fx, train.V, w, wHat, s, Options, Rng.SubSeed(context.Seed, RngStream.ForestEffect, 0), context, "causal forest (value)");
        var cost = CausalForest.Fit(fx, train.C, w, wHat, s, Options, Rng.SubSeed(context.Seed, RngStream.ForestEffect, 1), context, "causal forest (cost)");
        return new CausalForestModel(Options, value, cost);
    }
}

/// <summary>
/// A fitted pair of causal forests. Scores are EffectRatio.Guarded(tau_v, tau_c) by default or
/// EffectRatio.Lagrangian(tau_v, tau_c, lambda) (<see cref="CausalForestOptions.Score"/>). To score new rows the
/// model keeps, per forest, the trees with their leaves' training-row indices and the centred training Y, W
/// (and sample weights).
/// </summary>
public sealed class CausalForestModel : IEffectModel
{
    public string Kind => CausalForestRegistration.Name;
    public int Features => Value.Features;
    public CausalForestOptions Options { get; }
    public CausalForest Value { get; }
    public CausalForest Cost { get; }

    internal CausalForestModel(CausalForestOptions options, CausalForest value, CausalForest cost)
    {
        Options = options; Value = value; Cost = cost;
    }

    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC) => PredictEffects(data, tauV, tauC, null);

    public void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC, int? maxThreads)
    {
        CheckData(data);
        var po = ScoreParallelism.Options(maxThreads);
        Value.Predict(data.X, data.Rows, po).CopyTo(tauV);
        Cost.Predict(data.X, data.Rows, po).CopyTo(tauC);
    }

    /// <summary>Whether the forests were grown in little bags (<see cref="CausalForestOptions.CiGroupSize"/> &gt;= 2), so
    /// that <see cref="PredictEffectIntervals"/> can estimate variances.</summary>
    public bool HasIntervals => Options.CiGroupSize >= 2;

    /// <summary>
    /// Normal intervals tau +- z sigma at <paramref name="level"/> (0 &lt; level &lt; 1, z the (1 + level) / 2 normal
    /// quantile) for tau_v and tau_c, sigma^2 the little-bag variance of each forest (<c>Forest.PredictVariance</c>). Needs a
    /// model fitted with <see cref="CausalForestOptions.CiGroupSize"/> &gt;= 2. A user for whom no group of trees gives an
    /// estimate gets NaN bounds. Same numbers for any <paramref name="maxThreads"/>.
    /// </summary>
    public void PredictEffectIntervals(Dataset data, double level, Span<double> tauVLo, Span<double> tauVHi,
        Span<double> tauCLo, Span<double> tauCHi, int? maxThreads = null)
    {
        CheckData(data);
        if (!HasIntervals)
            throw new UpliftOptionException("level", "this causal-forest model has no intervals: train it with --ci-group-size 2 (or more)");
        UpliftOptionException.Check(level > 0 && level < 1, "level", $"must be in (0, 1), got {level}");
        double z = Normal.Quantile(0.5 + level / 2);
        var po = ScoreParallelism.Options(maxThreads);
        var tv = Value.Predict(data.X, data.Rows, po);
        var tc = Cost.Predict(data.X, data.Rows, po);
        var vv = Value.Inner.PredictVariance(data.X, data.Rows, Options.CiGroupSize, po);
        var vc = Cost.Inner.PredictVariance(data.X, data.Rows, Options.CiGroupSize, po);
        for (int i = 0; i < tv.Length; i++)
        {
            double hv = z * Math.Sqrt(vv[i]), hc = z * Math.Sqrt(vc[i]);
            tauVLo[i] = tv[i] - hv; tauVHi[i] = tv[i] + hv;
            tauCLo[i] = tc[i] - hc; tauCHi[i] = tc[i] + hc;
        }
    }

    public void Score(Dataset data, Span<double> scores) => Score(data, scores, null);

    public void Score(Dataset data, Span<double> scores, int? maxThreads)
    {
        CheckData(data);
        var po = ScoreParallelism.Options(maxThreads);
        var tv = Value.Predict(data.X, data.Rows, po);
        var tc = Cost.Predict(data.X, data.Rows, po);
        for (int i = 0; i < tv.Length; i++) scores[i] = ScoreOf(tv[i], tc[i]);
    }

    /// <summary>The ranking score of one user from the two effect estimates (METHOD.md section 5).</summary>
    public double ScoreOf(double tauV, double tauC) => Options.Score == ForestScore.Lagrangian
        ? EffectRatio.Lagrangian(tauV, tauC, Options.Lambda)
        : EffectRatio.Guarded(tauV, tauC, Options.Epsilon);

    void CheckData(Dataset data)
    {
        if (data.Features != Features)
            throw new UpliftDataException($"the causal-forest model expects {Features} features, the data has {data.Features}");
    }

    /// <summary>The fitted state: format 2, each forest's trees as one deflated base64 section (see <see cref="ForestJson"/>).</summary>
    public JsonObject Save() => new()
    {
        ["kind"] = Kind,
        ["format"] = ForestJson.Format,
        ["features"] = Features,
        ["options"] = ForestJson.SaveOptions(Options),
        ["value"] = ForestJson.SaveForest(Value.Inner),
        ["cost"] = ForestJson.SaveForest(Cost.Inner),
    };

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    public static CausalForestModel Load(JsonObject json) => Load(Uplift.IO.ModelJson.FromNode(json, "model"));

    internal static CausalForestModel Load(Uplift.IO.ModelJson json)
    {
        json.Choice("kind", CausalForestRegistration.Name);
        int format = json.Int("format", 1, ForestJson.Format);
        int features = json.Int("features", 1, int.MaxValue);
        var options = ForestJson.LoadOptions(json.Object("options"));
        var po = new FitContext().ParallelOptions;
        var value = ForestJson.LoadForest(json.Object("value"), format, features, CausalPrediction.Instance, po);
        var cost = ForestJson.LoadForest(json.Object("cost"), format, features, CausalPrediction.Instance, po);
        return new CausalForestModel(options, new CausalForest(value, null), new CausalForest(cost, null));
    }
}
