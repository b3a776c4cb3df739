using Uplift.Data;
using Uplift.Evaluation;

namespace Uplift.Paper;

/// <summary>Which cover type is the cost outcome C of the Covertype construction (METHOD.md section 7).</summary>
internal enum CovertypeCost
{
    /// <summary>The one of the two below whose incremental cost (mean C | T=1 minus mean C | T=0 over all kept rows) is positive.</summary>
    Auto,
    /// <summary>The paper's text: C = 1 when Cover_Type = 2 (Lodgepole Pine).</summary>
    LodgepolePine,
    /// <summary>The authors' code: C = 1 when Cover_Type = 1 (Spruce-Fir).</summary>
    SpruceFir,
}

/// <summary>Options of <see cref="CovertypeConstruction.Load"/>.</summary>
internal sealed record CovertypeOptions
{
    /// <summary>Cost convention; default <see cref="CovertypeCost.Auto"/> (the one with positive incremental cost).</summary>
    public CovertypeCost Cost { get; init; } = CovertypeCost.Auto;
    /// <summary>Seed of the shuffle before the split; default 1.</summary>
    public long Seed { get; init; } = 1;
    /// <summary>Training share; default 0.6 (train = floor(0.6 N)).</summary>
    public double TrainFraction { get; init; } = 0.6;
    /// <summary>Validation share; default 0.2 (validation = floor(0.2 N)); test gets the rest.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    internal void Validate()
    {
        UpliftOptionException.Check(Enum.IsDefined(Cost), "Cost", $"unknown value {(int)Cost}.");
        PaperStats.CheckFractions(TrainFraction, ValidationFraction);
    }
}

/// <summary>
/// The paper's Covertype pseudo-experiment (METHOD.md section 7) from the UCI file <c>covtype.data</c>
/// (no header, 54 integer feature columns then Cover_Type 1-7; plain or gzip).
/// <list type="number">
/// <item>Keep Cover_Type in {1, 2}; then keep Elevation &gt; median(Elevation over those rows) (strict).</item>
/// <item>T = 1 when Horizontal_Distance_To_Hydrology &lt; its median over the kept rows (strict).</item>
/// <item>V = 1 when Horizontal_Distance_To_Fire_Points &lt; its median over the kept rows (strict).</item>
/// <item>C = cover-type indicator per <see cref="CovertypeCost"/>.</item>
/// <item>Features: columns 0-2, 5-8, 10-53 (51), z-scored over all kept rows as the paper did (population sd;
///   zero variance gives 0).</item>
/// <item>Shuffle the kept rows with <see cref="Rng"/>(seed), split train/validation/test by the fractions.</item>
/// </list>
/// Medians are the numpy/pandas median (<see cref="PaperStats.Median"/>). Ids are the 1-based line numbers
/// in the file. On the full file this keeps 247,424 rows.
/// </summary>
internal static class CovertypeConstruction
{
    /// <summary>The 55 UCI column names, in file order.</summary>
    public static IReadOnlyList<string> ColumnNames { get; } = BuildNames();

    /// <summary>0-based indices of the 51 feature columns (drops 3 = treatment, 4 = its proxy, 9 = value, 54 = cost).</summary>
    public static IReadOnlyList<int> FeatureColumns { get; } =
        [.. Enumerable.Range(0, 3), .. Enumerable.Range(5, 4), .. Enumerable.Range(10, 44)];

    public const int Width = 55;
    const int Elevation = 0, HDistHydrology = 3, HDistFire = 9, CoverType = 54;

    static string[] BuildNames()
    {
        var n = new List<string> { "Elevation", "Aspect", "Slope", "Horizontal_Distance_To_Hydrology",
            "Vertical_Distance_To_Hydrology", "Horizontal_Distance_To_Roadways", "Hillshade_9am", "Hillshade_Noon",
            "Hillshade_3pm", "Horizontal_Distance_To_Fire_Points" };
        for (int i = 1; i <= 4; i++) n.Add($"Wilderness_Area{i}");
        for (int i = 1; i <= 40; i++) n.Add($"Soil_Type{i}");
        n.Add("Cover_Type");
        return [.. n];
    }

    /// <summary>Reads <paramref name="path"/> and builds the construction. Throws <see cref="UpliftDataException"/> on bad input.</summary>
    public static PaperData Load(string path, CovertypeOptions? options = null)
    {
        options ??= new CovertypeOptions();
        options.Validate();

        // Pass over the file: keep the Cover_Type 1/2 rows (all 55 columns) and their line numbers.
        var table = new IntBuffer(1 << 20);
        var lines = new List<long>();
        long read = 0;
        Span<int> row = stackalloc int[Width];
        using (var reader = IntTableReader.Open(path, ColumnNames))
        {
            try
            {
                while (reader.ReadRow(row))
                {
                    read++;
                    int cover = row[CoverType];
                    if (cover < 1 || cover > 7)
                        throw new UpliftDataException($"line {reader.Line}: Cover_Type must be 1-7, found {cover}.", path, reader.Row, "Cover_Type");
                    if (cover is 1 or 2) { table.Append(row); lines.Add(reader.Line); }
                }
            }
            catch (InvalidDataException e) { throw new UpliftDataException($"not a valid gzip stream ({e.Message}).", path); }
        }
        if (read == 0) throw new UpliftDataException("the file has no rows.", path);
        int n12 = lines.Count;
        if (n12 == 0) throw new UpliftDataException("no row has Cover_Type 1 or 2.", path);
        int[] t12 = table.Data;

        // Elevation > its median over the class 1/2 rows.
        var elev = new int[n12];
        for (int r = 0; r < n12; r++) elev[r] = t12[r * Width + Elevation];
        double elevMedian = PaperStats.Median(elev);
        var kept = new List<int>(n12 / 2 + 1);
        for (int r = 0; r < n12; r++) if (elev[r] > elevMedian) kept.Add(r);
        int n = kept.Count;
        if (n < 2) throw new UpliftDataException($"only {n} rows left after the elevation filter.", path);
        var keptIdx = kept.ToArray();

        // Treatment and value from medians over the kept rows (strict <).
        var hyd = new int[n]; var fire = new int[n];
        for (int k = 0; k < n; k++)
        {
            int off = keptIdx[k] * Width;
            hyd[k] = t12[off + HDistHydrology]; fire[k] = t12[off + HDistFire];
        }
        double hydMedian = PaperStats.Median(hyd), fireMedian = PaperStats.Median(fire);
        var t = new byte[n]; var v = new double[n]; var lodgepole = new double[n];
        for (int k = 0; k < n; k++)
        {
            t[k] = hyd[k] < hydMedian ? (byte)1 : (byte)0;
            v[k] = fire[k] < fireMedian ? 1.0 : 0.0;
            lodgepole[k] = t12[keptIdx[k] * Width + CoverType] == 2 ? 1.0 : 0.0;
        }
        int treated = 0; foreach (var b in t) treated += b;
        if (treated == 0 || treated == n)
            throw new UpliftDataException($"the treatment split leaves an empty arm ({treated} treated of {n}).", path);

        // Cost: Spruce-Fir indicator = 1 - Lodgepole indicator, so its incremental cost is the negative.
        double icLodgepole = Stats.DifferenceOfMeans(t, lodgepole);
        var notes = new List<string>();
        var cost = options.Cost;
        if (cost == CovertypeCost.Auto)
        {
            cost = icLodgepole >= 0 ? CovertypeCost.LodgepolePine : CovertypeCost.SpruceFir;
            notes.Add(icLodgepole == 0
                ? "auto cost: both conventions give zero incremental cost; using Lodgepole Pine (the paper's text)."
                : $"auto cost: chose {(cost == CovertypeCost.LodgepolePine ? "Lodgepole Pine (paper's text)" : "Spruce-Fir (authors' code)")}, the one with positive incremental cost.");
        }
        double[] c = cost == CovertypeCost.LodgepolePine ? lodgepole : Array.ConvertAll(lodgepole, x => 1.0 - x);
        string convention = cost == CovertypeCost.LodgepolePine
            ? "C = 1 when Cover_Type = 2 (Lodgepole Pine, the paper's text)"
            : "C = 1 when Cover_Type = 1 (Spruce-Fir, the authors' code)";
        if (options.Cost != CovertypeCost.Auto && Stats.DifferenceOfMeans(t, c) <= 0)
            notes.Add("the chosen cost convention has a non-positive incremental cost on the whole set.");
        notes.Add("features z-scored over all kept rows before the split (as the paper did), population sd.");

        // Features, z-scored over all kept rows.
        var cols = FeatureColumns.ToArray();
        var x = PaperStats.ZScore(t12, Width, keptIdx, cols);
        var names = Array.ConvertAll(cols, j => ColumnNames[j]);
        var ids = new string[n];
        for (int k = 0; k < n; k++) ids[k] = lines[keptIdx[k]].ToString(System.Globalization.CultureInfo.InvariantCulture);
        var all = new Dataset(x, n, cols.Length, names, t, v, c, ids: ids);

        var order = new int[n];
        for (int k = 0; k < n; k++) order[k] = k;
        Rng.Derive(options.Seed, RngStream.CovertypeShuffle).Shuffle(order.AsSpan());

        return PaperStats.Split(all, order, options.TrainFraction, options.ValidationFraction, (tr, va, te) =>
            new ConstructionSummary(
                Name: "Covertype",
                File: path,
                RowsRead: read,
                Filters:
                [
                    new FilterStep("Cover_Type in {1, 2}", n12),
                    new FilterStep("Elevation > median", n),
                ],
                Medians:
                [
                    new MedianUsed("Elevation", elevMedian, "over Cover_Type 1/2 rows; keep >"),
                    new MedianUsed("Horizontal_Distance_To_Hydrology", hydMedian, "over kept rows; T = 1 when <"),
                    new MedianUsed("Horizontal_Distance_To_Fire_Points", fireMedian, "over kept rows; V = 1 when <"),
                ],
                RowsKept: n,
                TreatedShare: (double)treated / n,
                IncrementalValue: Stats.DifferenceOfMeans(t, v),
                IncrementalCost: Stats.DifferenceOfMeans(t, c),
                CostConvention: convention,
                TrainRows: tr, ValidationRows: va, TestRows: te,
                SplitDescription: $"shuffled with seed {options.Seed}",
                Notes: notes));
    }
}

/// <summary>Growable int array for streamed rows.</summary>
internal sealed class IntBuffer(int capacity)
{
    int[] _data = new int[Math.Max(capacity, 16)];
    public int Count { get; private set; }
    /// <summary>The backing array (valid up to <see cref="Count"/>).</summary>
    public int[] Data => _data;

    public void Append(ReadOnlySpan<int> values)
    {
        if (Count + values.Length > _data.Length)
        {
            long want = Math.Max((long)_data.Length * 2, (long)Count + values.Length);
            if (want > Array.MaxLength) want = Array.MaxLength;
            if (Count + values.Length > want) throw new UpliftDataException("the file is too large to hold in memory.");
            Array.Resize(ref _data, (int)want);
        }
        values.CopyTo(_data.AsSpan(Count));
        Count += values.Length;
    }
}
