namespace Uplift.Data;

/// <summary>
/// The treatment, value and cost of every row of a table, checked as for training (the treatment labels of
/// <see cref="TreatmentLabels"/>, V and C finite, control and every arm present), for evaluating score columns
/// without a model. T is 0 (control) or k (arm k of <see cref="Labels"/>); binary callers check <see cref="Arms"/> = 1.
/// </summary>
public sealed record OutcomeColumns(byte[] T, double[] V, double[] C)
{
    /// <summary>The treatment labels found in the file (binary 0/1 unless the column holds several arms).</summary>
    public TreatmentLabels Labels { get; init; } = TreatmentLabels.Binary(null);
    /// <summary>K, the number of arms besides control (1 for a binary campaign).</summary>
    public int Arms => Labels.Arms;

    public static OutcomeColumns Read(RawTable table, ColumnRoles roles)
    {
        foreach (var (role, column) in roles.RoleColumns())
            if (role is "treatment" or "value" or "cost" && !table.Contains(column))
                throw new UpliftDataException($"missing {role} column '{column}'. Columns: {table.DescribeColumns()}", table.Source, column: column);
        var all = AllRows(table.Rows);
        var (t, labels) = Preprocessor.ReadTreatment(table, roles.Treatment, all, roles.Control);
        Preprocessor.CheckArms(table.Source, t, labels, 1, "file");
        return new OutcomeColumns(t,
            Preprocessor.Values(table, roles.Value, "value", all),
            Preprocessor.Values(table, roles.Cost, "cost", all)) { Labels = labels };
    }

    /// <summary>A numeric column of every row (e.g. a score), with an error naming the row of a missing or non-finite value.</summary>
    public static double[] Numbers(RawTable table, string column, string role = "score")
    {
        if (!table.Contains(column))
            throw new UpliftDataException($"missing {role} column '{column}'. Columns: {table.DescribeColumns()}", table.Source, column: column);
        return Preprocessor.Values(table, column, role, AllRows(table.Rows));
    }

    static int[] AllRows(int n)
    {
        var rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = i;
        return rows;
    }
}
