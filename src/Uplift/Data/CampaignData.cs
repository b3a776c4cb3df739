namespace Uplift.Data;

/// <summary>Options of <see cref="CampaignData.Load"/>.</summary>
public sealed record CampaignLoadOptions
{
    /// <summary>How to read the file (default: separator detected; the id column, if any, is always read as text).</summary>
    public TableReadOptions Read { get; init; } = new();
    /// <summary>How to preprocess the features (defaults of <see cref="PreprocessOptions"/>).</summary>
    public PreprocessOptions Preprocess { get; init; } = new();
    /// <summary>How to split the rows (default 60/20/20, stratified by arm, seed 1).</summary>
    public SplitOptions Split { get; init; } = new();
}

/// <summary>
/// A past campaign loaded for learning: the raw table, the train / validation / test split, the preprocessor
/// fitted on the training rows only, and the three preprocessed datasets.
/// </summary>
public sealed class CampaignData
{
    /// <summary>The table as read from the file.</summary>
    public RawTable Table { get; }
    /// <summary>The preprocessing fitted on <see cref="Train"/> rows only (save it with the model).</summary>
    public Preprocessor Preprocessor { get; }
    /// <summary>The row indices of each part (into <see cref="Table"/>).</summary>
    public DataSplit Split { get; }
    /// <summary>The training rows, preprocessed.</summary>
    public Dataset Train { get; }
    /// <summary>The validation rows, preprocessed (empty when the validation fraction is 0).</summary>
    public Dataset Valid { get; }
    /// <summary>The test rows, preprocessed (empty when train + validation fractions are 1).</summary>
    public Dataset Test { get; }

    CampaignData(RawTable table, Preprocessor pre, DataSplit split, Dataset train, Dataset valid, Dataset test)
    {
        Table = table; Preprocessor = pre; Split = split; Train = train; Valid = valid; Test = test;
    }

    /// <summary>Reads <paramref name="path"/> (CSV or Parquet), then see <see cref="FromTable"/>.</summary>
    public static CampaignData Load(string path, ColumnRoles roles, CampaignLoadOptions? options = null)
    {
        options ??= new CampaignLoadOptions();
        var read = options.Read;
        if (roles.Id is { } id)
            read = read with { TextColumns = [.. read.TextColumns ?? [], id] };
        return FromTable(TableReader.Read(path, read), roles, options);
    }

    /// <summary>
    /// Checks the roles and the treatment of every row, splits the rows, fits the preprocessor on the training rows
    /// and transforms the three parts. Errors are <see cref="UpliftDataException"/>s naming file, row and column.
    /// </summary>
    public static CampaignData FromTable(RawTable table, ColumnRoles roles, CampaignLoadOptions? options = null)
    {
        options ??= new CampaignLoadOptions();
        options.Split.Validate();
        options.Preprocess.Validate();
        var bound = roles.Bind(table);
        var all = new int[table.Rows];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        var t = Preprocessor.Treatment(table, bound.Treatment, all, bound.Control);
        int treated = 0;
        foreach (var b in t) treated += b;
        Preprocessor.CheckArms(table.Source, t.Length, treated, 1, "file");

        var split = DataSplit.Create(t, options.Split);
        var pre = Preprocessor.Fit(table, bound, split.Train, options.Preprocess);
        CheckPart(table.Source, t, split.Valid, "validation rows");
        CheckPart(table.Source, t, split.Test, "test rows");
        return new CampaignData(table, pre, split,
            pre.Transform(table, split.Train), pre.Transform(table, split.Valid), pre.Transform(table, split.Test));
    }

    static void CheckPart(string src, byte[] t, int[] rows, string what)
    {
        if (rows.Length == 0) return;
        int treated = 0;
        foreach (int i in rows) treated += t[i];
        Preprocessor.CheckArms(src, rows.Length, treated, 1, what);
    }

    /// <summary>Every row of the table, preprocessed with the fitted <see cref="Preprocessor"/> (e.g. to score the whole file).</summary>
    public Dataset All(bool requireOutcomes = true) => Preprocessor.Transform(Table, requireOutcomes);
}
