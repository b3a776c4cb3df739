using System.Globalization;

namespace Uplift.Data;

/// <summary>
/// One column of a <see cref="RawTable"/>: either numeric (<see cref="Numbers"/>, NaN = missing cell) or text
/// (<see cref="Strings"/>, null = missing cell). Row k of the column is data row k + 1 of the file (header excluded).
/// </summary>
public sealed class RawColumn
{
    /// <summary>The column name from the header.</summary>
    public string Name { get; }
    /// <summary>The values of a numeric column (NaN = missing); null for a text column.</summary>
    public double[]? Numbers { get; }
    /// <summary>The values of a text column (null = missing); null for a numeric column.</summary>
    public string?[]? Strings { get; }

    RawColumn(string name, double[]? numbers, string?[]? strings)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name; Numbers = numbers; Strings = strings;
    }

    /// <summary>A numeric column; NaN marks a missing value.</summary>
    public static RawColumn Numeric(string name, double[] values) => new(name, values ?? throw new ArgumentNullException(nameof(values)), null);

    /// <summary>A text column; null marks a missing value.</summary>
    public static RawColumn Text(string name, string?[] values) => new(name, null, values ?? throw new ArgumentNullException(nameof(values)));

    /// <summary>True when every non-missing cell of the column is a number.</summary>
    public bool IsNumeric => Numbers is not null;

    /// <summary>Number of rows.</summary>
    public int Length => Numbers?.Length ?? Strings!.Length;

    /// <summary>True when cell <paramref name="row"/> is empty / missing.</summary>
    public bool IsMissing(int row) => Numbers is not null ? double.IsNaN(Numbers[row]) : Strings![row] is null;

    /// <summary>
    /// The cell as text: the string itself for a text column, the shortest round-trip invariant form for a
    /// numeric one (so 17 gives "17", not "17.0"); null when missing.
    /// </summary>
    public string? TextAt(int row)
    {
        if (Strings is not null) return Strings[row];
        double v = Numbers![row];
        return double.IsNaN(v) ? null : v.ToString("R", CultureInfo.InvariantCulture);
    }

    public override string ToString() => $"{Name} ({(IsNumeric ? "numeric" : "text")}, {Length} rows)";
}

/// <summary>
/// A table read from a file (<see cref="TableReader"/>) or built for output (<see cref="TableWriter"/>): named
/// columns in file order, all with <see cref="Rows"/> rows. Row k (0-based) is data row k + 1 of the file,
/// which is how error messages name rows.
/// </summary>
public sealed class RawTable
{
    readonly Dictionary<string, int> _index;

    /// <summary>Where the table came from (the file path as given), used in error messages.</summary>
    public string Source { get; }
    /// <summary>Number of data rows (header excluded).</summary>
    public int Rows { get; }
    /// <summary>The columns in file order.</summary>
    public IReadOnlyList<RawColumn> Columns { get; }

    /// <summary>Builds a table; column names must be distinct and every column must have <paramref name="rows"/> rows.</summary>
    public RawTable(string source, int rows, IEnumerable<RawColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        var list = columns.ToArray();
        _index = new Dictionary<string, int>(list.Length, StringComparer.Ordinal);
        for (int j = 0; j < list.Length; j++)
        {
            if (list[j].Length != rows)
                throw new ArgumentException($"column '{list[j].Name}' has {list[j].Length} rows, expected {rows}.");
            if (!_index.TryAdd(list[j].Name, j))
                throw new UpliftDataException($"duplicate column name '{list[j].Name}' (columns {_index[list[j].Name] + 1} and {j + 1})", source, column: list[j].Name);
        }
        Source = source; Rows = rows; Columns = list;
    }

    /// <summary>The column names in file order.</summary>
    public IReadOnlyList<string> ColumnNames => Columns.Select(c => c.Name).ToArray();

    /// <summary>True when the table has a column named <paramref name="name"/> (case-sensitive).</summary>
    public bool Contains(string name) => _index.ContainsKey(name);

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public RawColumn? Find(string name) => _index.TryGetValue(name, out int j) ? Columns[j] : null;

    /// <summary>The column named <paramref name="name"/>; throws <see cref="UpliftDataException"/> listing the available columns when absent.</summary>
    public RawColumn this[string name] => Find(name)
        ?? throw new UpliftDataException($"column '{name}' not found; available columns: {DescribeColumns()}", Source);

    /// <summary>The column names as a comma-separated list for messages (long lists are shortened).</summary>
    public string DescribeColumns(int max = 40) => CellText.Names(ColumnNames, max);

    public override string ToString() => $"{Source}: {Rows} rows x {Columns.Count} columns";
}
