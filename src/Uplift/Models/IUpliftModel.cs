using System.Text.Json.Nodes;
using Uplift.Data;

namespace Uplift.Models;

/// <summary>
/// A fitted model: immutable, only scores. Higher score = treat first (better incremental value per
/// unit of incremental cost). Models work on preprocessed features (<see cref="Dataset"/>); the
/// preprocessing that maps raw columns to those features lives in the model file (Persistence/ModelFile.cs).
/// </summary>
public interface IUpliftModel
{
    /// <summary>The learner name as used on the command line (drm, crm, rlearner, ...).</summary>
    string Kind { get; }
    /// <summary>Number of input features the model expects.</summary>
    int Features { get; }
    /// <summary>Writes one score per row of <paramref name="data"/> into <paramref name="scores"/>.</summary>
    void Score(Dataset data, Span<double> scores);
    /// <summary>The fitted state as JSON (weights, options); read back by the kind's loader in the model file (Persistence/ModelFile.cs).</summary>
    JsonObject Save();
}

/// <summary>A model that also estimates the two conditional effects tau_v(x) and tau_c(x) (METHOD.md section 1).</summary>
public interface IEffectModel : IUpliftModel
{
    void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC);
}

/// <summary>A learner: options in, fitted model out (the options are the learner's own record).</summary>
public interface IUpliftLearner
{
    string Kind { get; }
    /// <summary>Fits on <paramref name="train"/>; <paramref name="validation"/> (optional) picks restarts or hyper-parameters.</summary>
    IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context);
}

public static class UpliftModelExtensions
{
    public static double[] Score(this IUpliftModel model, Dataset data)
    {
        var s = new double[data.Rows];
        model.Score(data, s);
        return s;
    }
}
