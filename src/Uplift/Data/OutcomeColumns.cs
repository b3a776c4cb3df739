namespace Uplift.Data;

/// <summary>
/// The treatment, value and cost of every row of a table, checked as for training (T in {0,1}, V and C
/// finite, both arms present), for evaluating score columns without a model.
/// </summary>
public sealed record OutcomeColumns(byte[] T, double[] V, double[] C)
{
    public static OutcomeColumns Read(RawTable table, ColumnRoles roles)
    {
        foreach (var (role, column) in roles.RoleColumns())
            if (role is "treatment" or "value" or "cost" && !table.Contains(column))
                throw new UpliftDataException($"missing {role} column '{column}'. Columns: {table.DescribeColumns()}", table.Source, column: column);
        var all = AllRows(table.Rows);
        var t = Preprocessor.Treatment(table, roles.Treatment, all, roles.Control);
        int treated = 0;
        foreach (var b in t) treated += b;
        Preprocessor.CheckArms(table.Source, t.Length, treated, 1, "file");
        return new OutcomeColumns(t,
            Preprocessor.Values(table, roles.Value, "value", all),
            Preprocessor.Values(table, roles.Cost, "cost", all));
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
