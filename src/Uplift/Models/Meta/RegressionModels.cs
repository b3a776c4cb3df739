using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Models.Linear;
using Uplift.Models.Trees;

namespace Uplift.Models.Meta;

/// <summary>Which base regressor a meta-learner uses for m(x) and tau(x).</summary>
public enum BaseLearnerKind { Ridge, Boosted }

/// <summary>Helpers shared by the meta-learners: loading base models, whole-dataset prediction.</summary>
internal static class RegressionModels
{
    /// <summary>Reads a base model saved by <see cref="IRegressionModel.Save"/> (types "ridge", "logistic", "gbt").</summary>
    public static IRegressionModel Load(JsonObject o) => Load(Uplift.IO.ModelJson.FromNode(o, "model"));

    internal static IRegressionModel Load(Uplift.IO.ModelJson o) => o.Choice("type", "ridge", "logistic", "gbt") switch
    {
        "gbt" => GradientBoostedModel.Load(o),
        _ => LinearModel.Load(o),
    };

    /// <summary>Base model <paramref name="key"/> of <paramref name="o"/>, which must take <paramref name="features"/> features
    /// (when <paramref name="features"/> is not null).</summary>
    internal static IRegressionModel Load(Uplift.IO.ModelJson o, string key, int? features)
    {
        var section = o.Object(key);
        var m = Load(section);
        if (features is { } f && m.Features != f)
            throw section.Error($"takes {m.Features} features, but the model has {f}");
        return m;
    }

    internal static IRegressor Create(BaseLearnerKind kind, RidgeOptions ridge, GradientBoostingOptions boosting) => kind switch
    {
        BaseLearnerKind.Ridge => new RidgeRegressor(ridge),
        BaseLearnerKind.Boosted => new GradientBoostingRegressor(boosting),
        _ => throw new UpliftOptionException("base-learner", $"unknown value {kind}."),
    };


    /// <summary>Predictions of <paramref name="model"/> for every row of <paramref name="data"/>.</summary>
    internal static double[] PredictAll(IRegressionModel model, Dataset data, ParallelOptions parallel)
    {
        if (data.Features != model.Features)
            throw new UpliftDataException($"the model expects {model.Features} features, the data has {data.Features}.");
        var r = new double[data.Rows];
        model.Predict(data.X, null, r, parallel);
        return r;
    }

    internal static void CheckTraining(Dataset train, string learner, int minRows)
    {
        if (!train.HasOutcomes) throw new UpliftDataException($"{learner}: the training data has no treatment and outcome columns.");
        if (train.Rows < minRows) throw new UpliftDataException($"{learner}: needs at least {minRows} training rows, got {train.Rows}.");
        int treated = train.TreatedCount;
        if (treated == 0 || treated == train.Rows)
            throw new UpliftDataException($"{learner}: the training data needs both treated and control users (treated: {treated} of {train.Rows}).");
    }
}
