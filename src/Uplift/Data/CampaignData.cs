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
    /// <summary>Columns to leave out when the features are "all other columns" (<see cref="ColumnRoles.Features"/> null);
    /// each must be in the file. Default none.</summary>
    public IReadOnlyList<string>? ExcludeFeatures { get; init; }
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

    /// <summary>Reads <paramref name="path"/> (CSV or Parquet, see <see cref="ReadTable"/>), then see <see cref="FromTable"/>.</summary>
    public static CampaignData Load(string path, ColumnRoles roles, CampaignLoadOptions? options = null)
    {
        options ??= new CampaignLoadOptions();
        return FromTable(ReadTable(path, roles, options.Read), roles, options);
    }

    /// <summary>Reads the campaign file with the rule every campaign loader shares: the id column of
    /// <paramref name="roles"/>, if any, is read as text (ids such as "007" or "u-12" stay as written).</summary>
    public static RawTable ReadTable(string path, ColumnRoles roles, TableReadOptions? read = null)
    {
        ArgumentNullException.ThrowIfNull(roles);
        read ??= new TableReadOptions();
        if (roles.Id is { } id)
            read = read with { TextColumns = [.. read.TextColumns ?? [], id] };
        return TableReader.Read(path, read);
    }

    /// <summary>
    /// <paramref name="roles"/> with the features "all other columns" narrowed by <paramref name="exclude"/> (each name must
    /// be a column of <paramref name="table"/>); the roles unchanged when <paramref name="exclude"/> is null.
    /// </summary>
    public static ColumnRoles ExcludeFeatures(RawTable table, ColumnRoles roles, IReadOnlyList<string>? exclude)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(roles);
        if (exclude is null) return roles;
        UpliftOptionException.Check(roles.Features is null, "ExcludeFeatures", "use either Features or ExcludeFeatures, not both.");
        var drop = new HashSet<string>(exclude, StringComparer.Ordinal);
        foreach (var name in drop)
            if (!table.Contains(name))
                throw new UpliftDataException($"the excluded column '{name}' is not in the file. Columns: {table.DescribeColumns()}", table.Source, column: name);
        var used = new HashSet<string>(roles.RoleColumns().Select(x => x.Column), StringComparer.Ordinal);
        return roles with { Features = table.ColumnNames.Where(n => !used.Contains(n) && !drop.Contains(n)).ToArray() };
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
        var bound = ExcludeFeatures(table, roles, options.ExcludeFeatures).Bind(table);
        var all = new int[table.Rows];
        for (int i = 0; i < all.Length; i++) all[i] = i;
        // The labels are found on the whole file, so an arm that the split leaves out of the training rows is named.
        var (t, labels) = Preprocessor.ReadTreatment(table, bound.Treatment, all, bound.Control);
        Preprocessor.CheckArms(table.Source, t, labels, 1, "file");

        var split = DataSplit.Create(t, options.Split);
        var pre = Preprocessor.FitWithLabels(table, bound, split.Train, options.Preprocess, labels);
        CheckPart(table.Source, t, labels, split.Valid, "validation rows");
        CheckPart(table.Source, t, labels, split.Test, "test rows");
        return new CampaignData(table, pre, split,
            pre.Transform(table, split.Train), pre.Transform(table, split.Valid), pre.Transform(table, split.Test));
    }

    /// <summary>A non-empty validation or test part needs control and every arm (the split is stratified by arm by default).</summary>
    static void CheckPart(string src, byte[] t, TreatmentLabels labels, int[] rows, string what)
    {
        if (rows.Length == 0) return;
        var part = new byte[rows.Length];
        for (int k = 0; k < rows.Length; k++) part[k] = t[rows[k]];
        Preprocessor.CheckArms(src, part, labels, 1, what);
    }

    /// <summary>Every row of the table, preprocessed with the fitted <see cref="Preprocessor"/> (e.g. to score the whole file).</summary>
    public Dataset All(bool requireOutcomes = true) => Preprocessor.Transform(Table, requireOutcomes);
}
