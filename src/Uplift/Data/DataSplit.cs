namespace Uplift.Data;

/// <summary>How to split a campaign into training, validation and test rows.</summary>
public sealed record SplitOptions
{
    /// <summary>Share of rows for training, in (0, 1] (default 0.6).</summary>
    public double TrainFraction { get; init; } = 0.6;
    /// <summary>Share of rows for validation, in [0, 1 - TrainFraction] (default 0.2). The rest is the test set.</summary>
    public double ValidFraction { get; init; } = 0.2;
    /// <summary>Split each arm (control and every treatment arm) separately so each arm's share is the same in every part (default true).</summary>
    public bool Stratify { get; init; } = true;
    /// <summary>Seed of the shuffle (default 1).</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Throws <see cref="UpliftOptionException"/> for fractions out of range.</summary>
    public void Validate() => DataSplit.CheckFractions(TrainFraction, ValidFraction);
}

/// <summary>
/// Row indices of a train / validation / test split. Rows are assigned by a seeded shuffle (<see cref="Rng"/>),
/// so the same seed gives the same split; within each part the indices are in ascending (file) order.
/// Part sizes are round(n * fraction) for train and validation, the rest for test (per arm when stratified).
/// </summary>
/// <param name="Train">Training rows.</param>
/// <param name="Valid">Validation rows.</param>
/// <param name="Test">Test rows.</param>
public sealed record DataSplit(int[] Train, int[] Valid, int[] Test)
{
    /// <summary>A plain random split of <paramref name="rows"/> rows.</summary>
    public static DataSplit Random(int rows, double trainFraction = 0.6, double validFraction = 0.2, long seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        CheckFractions(trainFraction, validFraction);
        var idx = new int[rows];
        for (int i = 0; i < rows; i++) idx[i] = i;
        var (train, valid, test) = Cut(idx, trainFraction, validFraction, Rng.Derive(seed, RngStream.SplitAll));
        return new DataSplit(Sorted(train), Sorted(valid), Sorted(test));
    }

    /// <summary>A random split done within each arm of <paramref name="treatment"/> (0 = control, k = arm k, METHOD.md
    /// section 10), so every arm's share is kept; arm k shuffles with its own stream (arms 0 and 1 as in a binary split).</summary>
    public static DataSplit Stratified(ReadOnlySpan<byte> treatment, double trainFraction = 0.6, double validFraction = 0.2, long seed = 1)
    {
        CheckFractions(trainFraction, validFraction);
        var parts = new List<int>[3] { new(), new(), new() };
        int maxArm = 1;
        foreach (var b in treatment) if (b > maxArm) maxArm = b;
        for (int arm = 0; arm <= maxArm; arm++)
        {
            var idx = new List<int>();
            for (int i = 0; i < treatment.Length; i++) if (treatment[i] == arm) idx.Add(i);
            var (train, valid, test) = Cut(idx.ToArray(), trainFraction, validFraction, Rng.Derive(seed, RngStream.SplitArm, arm));
            parts[0].AddRange(train); parts[1].AddRange(valid); parts[2].AddRange(test);
        }
        return new DataSplit(Sorted(parts[0]), Sorted(parts[1]), Sorted(parts[2]));
    }

    /// <summary>The split <paramref name="options"/> asks for (stratified by <paramref name="treatment"/> or not).</summary>
    public static DataSplit Create(ReadOnlySpan<byte> treatment, SplitOptions options)
    {
        options.Validate();
        return options.Stratify
            ? Stratified(treatment, options.TrainFraction, options.ValidFraction, options.Seed)
            : Random(treatment.Length, options.TrainFraction, options.ValidFraction, options.Seed);
    }

    internal static void CheckFractions(double train, double valid)
    {
        UpliftOptionException.Check(train > 0 && train <= 1, "TrainFraction", $"must be in (0, 1], got {train}");
        UpliftOptionException.Check(valid >= 0 && valid < 1, "ValidFraction", $"must be in [0, 1), got {valid}");
        UpliftOptionException.Check(train + valid <= 1 + 1e-12, "ValidFraction", $"train + validation fractions must be at most 1, got {train} + {valid}");
    }

    static (int[] Train, int[] Valid, int[] Test) Cut(int[] idx, double trainFraction, double validFraction, Rng rng)
    {
        rng.Shuffle(idx.AsSpan());
        int n = idx.Length;
        int nTrain = (int)Math.Round(n * trainFraction, MidpointRounding.AwayFromZero);
        int nValid = Math.Min(n - nTrain, (int)Math.Round(n * validFraction, MidpointRounding.AwayFromZero));
        return (idx[..nTrain], idx[nTrain..(nTrain + nValid)], idx[(nTrain + nValid)..]);
    }

    static int[] Sorted(IEnumerable<int> rows)
    {
        var a = rows.ToArray();
        Array.Sort(a);
        return a;
    }
}
