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
    /// <summary>Writes one score per row of <paramref name="data"/> into <paramref name="scores"/>, on all cores
    /// (the same as <c>Score(data, scores, null)</c> for the library's models).</summary>
    void Score(Dataset data, Span<double> scores);
    /// <summary>
    /// Writes one score per row of <paramref name="data"/> into <paramref name="scores"/> on at most
    /// <paramref name="maxThreads"/> threads (null = all cores; 1 = the calling thread only). Scoring is per row, so
    /// the scores never depend on it. Who parallelises is the caller's choice: the streaming scorer runs chunks in
    /// parallel and scores each with 1; direct callers pass their cap (the CLI's --threads). A model whose scoring
    /// is single-threaded need not implement this overload.
    /// </summary>
    void Score(Dataset data, Span<double> scores, int? maxThreads) => Score(data, scores);
    /// <summary>One score per row of <paramref name="data"/>, on at most <paramref name="maxThreads"/> threads (null = all
    /// cores). A member of the interface (not an extension) so that <c>file.Model.Score(data)</c> needs no extra using.</summary>
    double[] Score(Dataset data, int? maxThreads = null)
    {
        var s = new double[data.Rows];
        Score(data, s, maxThreads);
        return s;
    }
    /// <summary>The fitted state as JSON (weights, options); read back by the kind's loader in the model file (Persistence/ModelFile.cs).</summary>
    JsonObject Save();
}

/// <summary>A model that also estimates the two conditional effects tau_v(x) and tau_c(x) (METHOD.md section 1).</summary>
public interface IEffectModel : IUpliftModel
{
    void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC);
    /// <summary>The two effects on at most <paramref name="maxThreads"/> threads (null = all cores); as for
    /// <see cref="IUpliftModel.Score(Dataset, Span{double}, int?)"/>, the numbers never depend on it.</summary>
    void PredictEffects(Dataset data, Span<double> tauV, Span<double> tauC, int? maxThreads) => PredictEffects(data, tauV, tauC);
}

/// <summary>
/// A model of a campaign with K treatment arms (METHOD.md section 10): per user and arm k = 1..K, the estimated
/// incremental value tau_v,k(x) and cost tau_c,k(x) against control (or a calibrated equivalent), from which the budget
/// path across arms is built. With K = 1 it is the binary case (<see cref="IEffectModel"/>'s two effects).
/// </summary>
public interface IMultiArmModel : IUpliftModel
{
    /// <summary>K, the number of treatment arms (control excluded).</summary>
    int Arms { get; }
    /// <summary>Writes tau_v,k and tau_c,k of every row, row-major: user i's arm k (1-based) at <c>i * Arms + (k - 1)</c>
    /// (spans of <c>Rows * Arms</c>), on at most <paramref name="maxThreads"/> threads (the numbers never depend on it).</summary>
    void PredictArmEffects(Dataset data, Span<double> tauV, Span<double> tauC, int? maxThreads = null);
}

/// <summary>A learner: options in, fitted model out (the options are the learner's own record).</summary>
public interface IUpliftLearner
{
    string Kind { get; }
    /// <summary>Fits on <paramref name="train"/>; <paramref name="validation"/> (optional) picks restarts or hyper-parameters.</summary>
    IUpliftModel Fit(Dataset train, Dataset? validation, FitContext context);
}

/// <summary>The interface's <see cref="IUpliftModel.Score(Dataset, int?)"/> on a variable of a concrete model type
/// (default interface members are reached only through the interface).</summary>
public static class UpliftModelExtensions
{
    public static double[] Score<TModel>(this TModel model, Dataset data, int? maxThreads = null) where TModel : class, IUpliftModel =>
        ((IUpliftModel)model).Score(data, maxThreads);
}

/// <summary>The thread cap of a scoring call as <see cref="ParallelOptions"/> (null = all cores).</summary>
internal static class ScoreParallelism
{
    internal static ParallelOptions Options(int? maxThreads)
    {
        if (maxThreads is < 1) throw new ArgumentOutOfRangeException(nameof(maxThreads), maxThreads, "at least 1 thread");
        return new ParallelOptions { MaxDegreeOfParallelism = maxThreads ?? Environment.ProcessorCount };
    }
}
