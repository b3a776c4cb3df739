namespace Uplift.Data;

/// <summary>
/// Writes a whole <see cref="RawTable"/> (e.g. scores, a simulated campaign) as CSV or Parquet through
/// <see cref="ChunkWriter"/>, the one writer of the project. The format follows the extension: <c>.parquet</c> =
/// Parquet, <c>.csv.gz</c> / <c>.gz</c> = gzipped CSV, anything else = CSV. CSV has a header line, ',' separator,
/// invariant culture, numbers in their shortest round-trip form (reading them back gives the same doubles),
/// missing values as empty cells, and quotes where a text needs them. Parquet has one optional double or string
/// column per table column (NaN and null are written as nulls), one row group per <see cref="ParquetRowGroupRows"/>
/// rows. Text cells of a CSV are guarded against formula injection (<see cref="Uplift.IO.CsvText"/>). Writing goes
/// through <see cref="Uplift.IO.AtomicFile"/>: a temporary file in the same folder then replaces <c>path</c> (missing
/// folders are created; a device, FIFO or symbolic link is written through).
/// </summary>
public static class TableWriter
{
    /// <summary>Rows per Parquet row group (and per chunk handed to the writer).</summary>
    public const int ParquetRowGroupRows = 1 << 20;

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/>, format from the extension.</summary>
    public static void Write(string path, RawTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var writer = ChunkWriter.Create(path, table.Columns.Select(c => new ChunkColumn(c.Name, c.IsNumeric)).ToList());
        if (table.Rows <= ParquetRowGroupRows) writer.Write(table);
        else
            for (int start = 0; start < table.Rows; start += ParquetRowGroupRows)
                writer.Write(Slice(table, start, Math.Min(ParquetRowGroupRows, table.Rows - start)));
        writer.Commit();
    }

    /// <summary>
    /// Writes <paramref name="table"/> as <paramref name="parts"/> files of consecutive rows (partitions, docs/CLUSTER.md):
    /// <paramref name="path"/>'s name with -00, -01, ... before the extension. Returns the paths, in partition order.
    /// </summary>
    public static IReadOnlyList<string> WriteParts(string path, RawTable table, int parts)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (parts is < 1 or > 10_000) throw new UpliftOptionException("--partitions", $"must be in 1..10000, got {parts}");
        string dir = Path.GetDirectoryName(path) ?? "", name = Path.GetFileName(path);
        int dot = name.EndsWith(".csv.gz", StringComparison.OrdinalIgnoreCase) ? name.Length - 7 : name.LastIndexOf('.');
        if (dot <= 0) dot = name.Length;
        if (dir.Length > 0) Directory.CreateDirectory(dir);
        var paths = new List<string>();
        for (int k = 0; k < parts; k++)
        {
            int a = (int)((long)k * table.Rows / parts), b = (int)((long)(k + 1) * table.Rows / parts);
            string p = Path.Combine(dir, $"{name[..dot]}-{k.ToString(parts > 100 ? "D4" : "D2", System.Globalization.CultureInfo.InvariantCulture)}{name[dot..]}");
            Write(p, Slice(table, a, b - a));
            paths.Add(p);
        }
        return paths;
    }

    static RawTable Slice(RawTable table, int start, int count) => new(table.Source, count, table.Columns.Select(c =>
        c.Numbers is { } nums
            ? RawColumn.Numeric(c.Name, nums.AsSpan(start, count).ToArray())
            : RawColumn.Text(c.Name, c.Strings!.AsSpan(start, count).ToArray())));
}
