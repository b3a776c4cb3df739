using Uplift.Data;

namespace Uplift.Models.MultiArm;

/// <summary>How a ranking model (drm, crm) becomes a model of K &gt; 1 arms (METHOD.md section 10, "Decision").</summary>
public enum ArmModel
{
    /// <summary>One binary head per arm (arm k against control) calibrated to effects on validation users
    /// (<see cref="PerArmLearner"/>, <see cref="ScoreCalibration"/>).</summary>
    Heads,
    /// <summary>A learned gating over {0..K}: a per-user softmax trained on the Lagrangian τ_v(π) − λ τ_c(π) over a grid of λ
    /// (<see cref="GatingTrainer"/>, <see cref="GatingModel"/>).</summary>
    Gating,
}

/// <summary>The spellings of <see cref="ArmModel"/> (command line, model file, messages).</summary>
public static class ArmModelNames
{
    public static NameTable<ArmModel> Table { get; } = new((ArmModel.Heads, "heads"), (ArmModel.Gating, "gating"));
}

/// <summary>A binary learner that can fit a learned gating over the K arms itself (the ranking models with
/// <see cref="ArmModel.Gating"/>); null: it asks for heads after all (<see cref="PerArmLearner"/> fits them).
/// Called by <see cref="PerArmLearner"/> after its checks (K &gt; 1, every arm and control have training users).</summary>
internal interface IGatingLearner
{
    IMultiArmModel? FitGating(Dataset train, Dataset? validation, FitContext context);
}

/// <summary>
/// The settings of one gating fit (<see cref="GatingTrainer"/>), taken from the ranking model's options by the caller.
/// <paramref name="Hidden"/> empty = linear scores; <paramref name="LambdaFactors"/> multiply the centre λ̄ (the ratio of
/// the arms' summed average effects on the training data, rescaled units); <paramref name="TopFraction"/> non-null (the
/// CRM's q) re-centres the grid every <paramref name="EvalEvery"/> steps on the slope that the current gating's best
/// q-fraction of training users beat (the CRM's mask, carried over to the gating).
/// </summary>
internal sealed record GatingSettings(string Kind, int[] Hidden, int Steps, int Restarts, double LearningRate, double L2,
    int EvalEvery, double Temperature, double[] LambdaFactors, double? TopFraction, System.Text.Json.Nodes.JsonObject OptionsJson)
{
    /// <summary>λ̄ · {1/4, 1/2, 1, 2, 4}: two octaves each side of the centre.</summary>
    public static readonly double[] DefaultLambdaFactors = [0.25, 0.5, 1, 2, 4];
    /// <summary>Softmax temperature τ of the logits (1: the scores' own scale, bounded by the L2 penalty).</summary>
    public const double DefaultTemperature = 1.0;
}
