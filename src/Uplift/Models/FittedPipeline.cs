using Uplift.Data;

namespace Uplift.Models;

/// <summary>
/// A fitted preprocessing and a fitted model together (ML.NET's chain of transformers): scores raw rows, so a
/// <see cref="RawTable"/> is scored without a model file. Immutable. A model file holds one
/// (<c>ModelFile.Pipeline</c>); the streaming scorer runs one chunk at a time.
/// </summary>
public sealed class FittedPipeline
{
    public Preprocessor Preprocessor { get; }
    public IUpliftModel Model { get; }

    public FittedPipeline(Preprocessor preprocessor, IUpliftModel model)
    {
        ArgumentNullException.ThrowIfNull(preprocessor);
        ArgumentNullException.ThrowIfNull(model);
        if (model.Features != preprocessor.FeatureNames.Count)
            throw new ArgumentException($"the model expects {model.Features} features but the preprocessor makes {preprocessor.FeatureNames.Count}.");
        Preprocessor = preprocessor;
        Model = model;
    }

    /// <summary>The rows of <paramref name="table"/> as the model sees them (the stored encoding; outcomes not required).</summary>
    public Dataset Transform(RawTable table) => Preprocessor.Transform(table, requireOutcomes: false);

    /// <summary>One score per row of <paramref name="table"/>, on at most <paramref name="maxThreads"/> threads
    /// (null = all cores; the scores do not depend on it).</summary>
    public double[] Score(RawTable table, int? maxThreads = null) => Model.Score(Transform(table), maxThreads);

    /// <summary>The estimated tau_v(x) and tau_c(x) of each row (METHOD.md section 1), or null when the model does not
    /// estimate the two effects (<see cref="IEffectModel"/>).</summary>
    public (double[] TauV, double[] TauC)? PredictEffects(RawTable table, int? maxThreads = null)
    {
        if (Model is not IEffectModel effects) return null;
        var data = Transform(table);
        var tauV = new double[data.Rows];
        var tauC = new double[data.Rows];
        effects.PredictEffects(data, tauV, tauC, maxThreads);
        return (tauV, tauC);
    }
}
