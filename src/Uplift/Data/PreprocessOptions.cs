namespace Uplift.Data;

/// <summary>What to do with a missing (empty) cell in a numeric feature.</summary>
public enum MissingNumericPolicy
{
    /// <summary>Replace it with the training mean, so the feature is 0 after z-scoring (the default).</summary>
    ImputeMean,
    /// <summary>Stop with an <see cref="UpliftDataException"/> naming the row and the column.</summary>
    Error,
}

/// <summary>How a feature column is encoded.</summary>
public enum FeatureKind
{
    /// <summary>One output feature: (x - mean) / sd.</summary>
    Numeric,
    /// <summary>One 0/1 output feature per category of the vocabulary (one-hot), plus an "other" one when the vocabulary was capped.</summary>
    Categorical,
}

/// <summary>
/// Options of <see cref="Preprocessor.Fit"/>.
/// Missing values: a missing numeric feature follows <see cref="MissingNumeric"/> (default
/// <see cref="DefaultMissingNumeric"/>: the training mean, i.e. 0 after z-scoring); a missing text feature
/// gets all zeros in its one-hot block (it is not a category of its own).
/// </summary>
public sealed record PreprocessOptions
{
    /// <summary>The default policy for missing numeric features: <see cref="MissingNumericPolicy.ImputeMean"/>.</summary>
    public const MissingNumericPolicy DefaultMissingNumeric = MissingNumericPolicy.ImputeMean;

    /// <summary>Policy for a missing numeric feature value. Default <see cref="DefaultMissingNumeric"/>.</summary>
    public MissingNumericPolicy MissingNumeric { get; init; } = DefaultMissingNumeric;

    /// <summary>
    /// Cap on the one-hot vocabulary of a text feature (default 100; null = no cap). Above it only the most frequent
    /// training categories are kept and every other value, seen in training or not, sets the feature's "other" indicator.
    /// </summary>
    public int? MaxCategories { get; init; } = 100;

    /// <summary>
    /// A text feature with more distinct training values than this (default 1000) is an error: it is most likely an
    /// id or a free-text column included by mistake (leave it out with the feature list).
    /// </summary>
    public int MaxDistinctCategories { get; init; } = 1000;

    /// <summary>Fewest training rows needed in each arm (control and every treatment arm) (default 10, at least 1).</summary>
    public int MinRowsPerArm { get; init; } = 10;

    /// <summary>Throws <see cref="UpliftOptionException"/> for an option out of range.</summary>
    public void Validate()
    {
        UpliftOptionException.Check(Enum.IsDefined(MissingNumeric), "MissingNumeric", "must be ImputeMean or Error");
        UpliftOptionException.Check(MaxCategories is null or >= 1, "MaxCategories", $"must be at least 1 (or null for no cap), got {MaxCategories}");
        UpliftOptionException.Check(MaxDistinctCategories >= 1, "MaxDistinctCategories", $"must be at least 1, got {MaxDistinctCategories}");
        UpliftOptionException.Check(MinRowsPerArm >= 1, "MinRowsPerArm", $"must be at least 1, got {MinRowsPerArm}");
    }
}
