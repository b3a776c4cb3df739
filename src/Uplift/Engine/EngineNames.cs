namespace Uplift.Engine;

/// <summary>The spellings of the engine's enums (command line and model file).</summary>
internal static class EngineNames
{
    /// <summary>ratio | softplus-ratio | smooth-abs-ratio | lagrangian.</summary>
    public static NameTable<Objective> Objective { get; } = new(
        (Engine.Objective.Ratio, "ratio"), (Engine.Objective.SoftplusRatio, "softplus-ratio"),
        (Engine.Objective.SmoothAbsRatio, "smooth-abs-ratio"), (Engine.Objective.Lagrangian, "lagrangian"));
}
