using System.Globalization;
using Uplift.Data;
using Uplift.Evaluation;

namespace Uplift.Paper;

/// <summary>Cost convention of the US Census construction (METHOD.md section 7).</summary>
internal enum CensusCost
{
    /// <summary>C = 1 - iFertil = minus the number of children (iFertil 2, 3, ... = 1, 2, ... children). Default.</summary>
    MinusChildren,
    /// <summary>The authors' code: C = 2 - iFertil. A constant shift of <see cref="MinusChildren"/>, so
    /// incremental costs, rankings and AUCC are the same; only the level of C differs.</summary>
    AuthorsCode,
}

/// <summary>Options of <see cref="CensusConstruction.Load"/>.</summary>
internal sealed record CensusOptions
{
    /// <summary>Cost convention; default <see cref="CensusCost.MinusChildren"/>.</summary>
    public CensusCost Cost { get; init; } = CensusCost.MinusChildren;
    /// <summary>Training share (first rows in file order); default 0.6.</summary>
    public double TrainFraction { get; init; } = 0.6;
    /// <summary>Validation share (next rows in file order); default 0.2; test gets the rest.</summary>
    public double ValidationFraction { get; init; } = 0.2;

    internal void Validate()
    {
        UpliftOptionException.Check(Enum.IsDefined(Cost), "Cost", $"unknown value {(int)Cost}.");
        PaperStats.CheckFractions(TrainFraction, ValidationFraction);
    }
}

/// <summary>
/// The paper's US Census 1990 pseudo-experiment (METHOD.md section 7) from the UCI file
/// <c>USCensus1990.data.txt</c> (header line, then caseid and 68 coded integer attributes; plain or gzip).
/// Columns are found by their header names, so their order does not matter.
/// <list type="number">
/// <item>Keep rows with iFertil &gt;= 2, dAge &lt; 5 and iCitizen = 0 (in that order; the summary gives the count after each).</item>
/// <item>T = 1 when dHour89 &gt; its median over the kept rows (numpy/pandas median, strict &gt;).</item>
/// <item>V = dIncome1; C = 1 - iFertil (or 2 - iFertil, <see cref="CensusCost"/>).</item>
/// <item>Features: the 46 columns of <see cref="FeatureNames"/>, z-scored over all kept rows (population sd; zero variance gives 0).</item>
/// <item>Split train/validation/test in file order (no shuffle).</item>
/// </list>
/// Ids are the caseid values. On the full file this keeps 225,814 rows.
/// </summary>
internal static class CensusConstruction
{
    /// <summary>The 46 feature columns of METHOD.md section 7, in that order.</summary>
    public static IReadOnlyList<string> FeatureNames { get; } =
    [
        "iAvail", "iCitizen", "iClass", "dDepart", "iDisabl1", "iDisabl2", "iEnglish", "iFeb55", "dIndustry", "iKorean",
        "iLang1", "iLooking", "iMay75880", "iMeans", "iMilitary", "iMobility", "iMobillim", "dOccup", "iOthrserv", "iPerscare",
        "dPOB", "dPoverty", "dPwgt1", "dRearning", "iRelat1", "iRelat2", "iRemplpar", "iRiders", "iRlabor", "iRPOB", "iRvetserv",
        "iSchool", "iSept80", "iSex", "iSubfam1", "iSubfam2", "iTmpabsnt", "dTravtime", "iVietnam", "dWeek89", "iWork89",
        "iWorklwk", "iWWII", "iYearsch", "iYearwrk", "dYrsserv",
    ];

    /// <summary>Columns the construction itself needs besides the features.</summary>
    public static IReadOnlyList<string> RoleColumns { get; } = ["caseid", "iFertil", "dAge", "iCitizen", "dHour89", "dIncome1"];

    /// <summary>Reads <paramref name="path"/> and builds the construction. Throws <see cref="UpliftDataException"/> on bad input.</summary>
    public static PaperData Load(string path, CensusOptions? options = null)
    {
        options ??= new CensusOptions();
        options.Validate();

        using var reader = IntTableReader.Open(path);
        try
        {
            return Build(path, reader, options);
        }
        catch (InvalidDataException e) { throw new UpliftDataException($"not a valid gzip stream ({e.Message}).", path); }
    }

    static PaperData Build(string path, IntTableReader reader, CensusOptions options)
    {
        string header = reader.ReadTextLine() ?? throw new UpliftDataException("the file is empty (no header line).", path);
        var names = header.Split(',', StringSplitOptions.TrimEntries);
        reader.ColumnNames = names;
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int j = 0; j < names.Length; j++)
        {
            if (names[j].Length == 0) throw new UpliftDataException($"header column {j + 1} has no name.", path);
            if (!index.TryAdd(names[j], j)) throw new UpliftDataException($"header names column '{names[j]}' twice.", path);
        }
        var missing = RoleColumns.Concat(FeatureNames).Distinct().Where(c => !index.ContainsKey(c)).ToList();
        if (missing.Count > 0)
            throw new UpliftDataException(
                $"the header lacks {missing.Count} column(s) the construction needs: {string.Join(", ", missing)}.", path);

        int width = names.Length;
        int cCase = index["caseid"], cFertil = index["iFertil"], cAge = index["dAge"], cCitizen = index["iCitizen"],
            cHour = index["dHour89"], cIncome = index["dIncome1"];

        // Stream: keep the rows passing the three filters (all columns; ~10 % of the file).
        var table = new IntBuffer(1 << 20);
        long read = 0, afterFertil = 0, afterAge = 0;
        var row = new int[width];
        while (reader.ReadRow(row))
        {
            read++;
            if (row[cFertil] < 2) continue;
            afterFertil++;
            if (row[cAge] >= 5) continue;
            afterAge++;
            if (row[cCitizen] != 0) continue;
            table.Append(row);
        }
        if (read == 0) throw new UpliftDataException("the file has a header but no rows.", path);
        int n = table.Count / width;
        if (n < 2) throw new UpliftDataException($"only {n} rows pass the filters (iFertil >= 2, dAge < 5, iCitizen = 0).", path);
        int[] tab = table.Data;

        var hours = new int[n];
        for (int r = 0; r < n; r++) hours[r] = tab[r * width + cHour];
        double hourMedian = PaperStats.Median(hours);
        int shift = options.Cost == CensusCost.MinusChildren ? 1 : 2;
        var t = new byte[n]; var v = new double[n]; var c = new double[n]; var ids = new string[n];
        int treated = 0;
        for (int r = 0; r < n; r++)
        {
            int off = r * width;
            t[r] = hours[r] > hourMedian ? (byte)1 : (byte)0;
            treated += t[r];
            v[r] = tab[off + cIncome];
            c[r] = shift - tab[off + cFertil];
            ids[r] = tab[off + cCase].ToString(CultureInfo.InvariantCulture);
        }
        if (treated == 0 || treated == n)
            throw new UpliftDataException($"the treatment split (dHour89 > {hourMedian}) leaves an empty arm ({treated} treated of {n}).", path);

        var cols = new int[FeatureNames.Count];
        for (int j = 0; j < cols.Length; j++) cols[j] = index[FeatureNames[j]];
        var rowIdx = new int[n];
        for (int r = 0; r < n; r++) rowIdx[r] = r;
        var x = PaperStats.ZScore(tab, width, rowIdx, cols);
        var all = new Dataset(x, n, cols.Length, [.. FeatureNames], t, v, c, ids: ids);

        double ic = Stats.DifferenceOfMeans(t, c);
        var notes = new List<string>
        {
            "features z-scored over all kept rows before the split (as the paper did), population sd.",
            options.Cost == CensusCost.MinusChildren
                ? "C = 1 - iFertil; the authors' 2 - iFertil differs by a constant, which changes neither incremental costs nor AUCC."
                : "C = 2 - iFertil (authors' code); a constant shift of 1 - iFertil: incremental costs and AUCC are the same.",
        };
        if (!(ic > 0)) notes.Add("the incremental cost on the whole set is not positive (the paper expects it positive).");

        return PaperStats.Split(all, rowIdx, options.TrainFraction, options.ValidationFraction, (tr, va, te) =>
            new ConstructionSummary(
                Name: "US Census 1990",
                File: path,
                RowsRead: read,
                Filters:
                [
                    new FilterStep("iFertil >= 2", afterFertil),
                    new FilterStep("and dAge < 5", afterAge),
                    new FilterStep("and iCitizen = 0", n),
                ],
                Medians: [new MedianUsed("dHour89", hourMedian, "over kept rows; T = 1 when >")],
                RowsKept: n,
                TreatedShare: (double)treated / n,
                IncrementalValue: Stats.DifferenceOfMeans(t, v),
                IncrementalCost: ic,
                CostConvention: options.Cost == CensusCost.MinusChildren
                    ? "C = 1 - iFertil (minus the number of children)"
                    : "C = 2 - iFertil (the authors' code)",
                TrainRows: tr, ValidationRows: va, TestRows: te,
                SplitDescription: "file order, no shuffle",
                Notes: notes));
    }
}
