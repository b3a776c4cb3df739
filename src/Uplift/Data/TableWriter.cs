using System.Globalization;
using System.IO.Compression;
using nietras.SeparatedValues;
using Parquet;
using Parquet.Schema;

namespace Uplift.Data;

/// <summary>
/// Writes a <see cref="RawTable"/> (e.g. scores, a simulated campaign) as CSV or Parquet. The format follows the
/// extension: <c>.parquet</c> = Parquet, <c>.csv.gz</c> / <c>.gz</c> = gzipped CSV, anything else = CSV.
/// CSV has a header line, ',' separator, invariant culture, numbers in their shortest round-trip form
/// (reading them back gives the same doubles), missing values as empty cells, and quotes where a text needs them.
/// Parquet has one optional double or string column per table column (NaN and null are written as nulls).
/// Writing is atomic: the table goes to a temporary file in the same folder, which then replaces <c>path</c>.
/// </summary>
public static class TableWriter
{
    /// <summary>Rows per Parquet row group.</summary>
    public const int ParquetRowGroupRows = 1 << 20;

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/>, format from the extension.</summary>
    public static void Write(string path, RawTable table)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase)) WriteParquet(path, table);
        else WriteCsv(path, table, gzip: path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Writes <paramref name="table"/> as CSV (optionally gzipped) to <paramref name="path"/>.</summary>
    public static void WriteCsv(string path, RawTable table, char separator = ',', bool gzip = false) =>
        Atomic(path, stream =>
        {
            Stream target = gzip ? new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true) : stream;
            try
            {
                using var writer = new Sep(separator).Writer(o => o with { Escape = true, CultureInfo = CultureInfo.InvariantCulture })
                    .To(target, leaveOpen: true);
                var cols = table.Columns;
                writer.Header.Add(cols.Select(c => c.Name).ToArray());
                if (table.Rows == 0) writer.Header.Write();
                Span<char> buf = stackalloc char[32];
                for (int i = 0; i < table.Rows; i++)
                {
                    using var row = writer.NewRow();
                    for (int j = 0; j < cols.Count; j++)
                    {
                        var c = cols[j];
                        if (c.Numbers is { } nums)
                        {
                            double v = nums[i];
                            if (double.IsNaN(v)) row[j].Set("");
                            else
                            {
                                v.TryFormat(buf, out int len, "R", CultureInfo.InvariantCulture);
                                row[j].Set(buf[..len]);
                            }
                        }
                        else row[j].Set(c.Strings![i] ?? "");
                    }
                }
            }
            finally
            {
                if (gzip) target.Dispose();
            }
        });

    /// <summary>Writes <paramref name="table"/> as Parquet to <paramref name="path"/>.</summary>
    public static void WriteParquet(string path, RawTable table) =>
        Atomic(path, stream => WriteParquetAsync(stream, table).GetAwaiter().GetResult());

    static async Task WriteParquetAsync(Stream stream, RawTable table)
    {
        var fields = table.Columns
            .Select(c => c.IsNumeric ? (DataField)new DataField<double?>(c.Name) : new DataField<string>(c.Name, nullable: true))
            .ToArray();
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
        for (int start = 0; start < table.Rows || (start == 0 && table.Rows == 0); start += ParquetRowGroupRows)
        {
            int count = Math.Min(ParquetRowGroupRows, table.Rows - start);
            using var rg = writer.CreateRowGroup();
            for (int j = 0; j < fields.Length; j++)
            {
                var c = table.Columns[j];
                if (c.Numbers is { } nums)
                {
                    var buf = new double?[count];
                    for (int i = 0; i < count; i++) { double v = nums[start + i]; buf[i] = double.IsNaN(v) ? null : v; }
                    await rg.WriteAsync<double>(fields[j], buf.AsMemory());
                }
                else
                {
                    await rg.WriteAsync(fields[j], new ArraySegment<string?>(c.Strings!, start, count)!);
                }
            }
            if (table.Rows == 0) break;
        }
    }

    /// <summary>Runs <paramref name="write"/> on a temporary file next to <paramref name="path"/>, then moves it over <paramref name="path"/>.</summary>
    static void Atomic(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new UpliftDataException("cannot write: the folder does not exist", path);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                write(fs);
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tmp);
            throw new UpliftDataException($"cannot write: {e.Message}", path);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
