using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Uplift.Paper;

/// <summary>
/// Streaming reader of the UCI integer tables (comma-separated integers, one row per line, optional
/// header). Plain or gzip, detected by the gzip magic bytes (0x1f 0x8b), not by the file name.
/// Integers are parsed straight from the byte buffer (no string per line or per field); a line
/// spanning two buffer reads is moved to the front of the buffer. Empty lines (and a trailing "\r")
/// are ignored. Every error names the file, the data row, the line and the column.
/// </summary>
internal sealed class IntTableReader : IDisposable
{
    const int InitialBuffer = 1 << 20;

    readonly Stream _stream;
    readonly string _file;
    readonly IReadOnlyList<string>? _columnNames;
    byte[] _buf = new byte[InitialBuffer];
    int _start, _end;
    bool _eof;

    /// <summary>1-based line number of the line last returned (header included).</summary>
    public long Line { get; private set; }
    /// <summary>1-based data row of the row last returned (header excluded).</summary>
    public long Row { get; private set; }

    IntTableReader(Stream stream, string file, IReadOnlyList<string>? columnNames)
    {
        _stream = stream; _file = file; _columnNames = columnNames;
    }

    /// <summary>Most bytes in one line (16 MiB): a longer line is an error, not an ever-growing buffer.</summary>
    internal const int MaxLineBytes = 1 << 24;

    /// <summary>Opens <paramref name="path"/>, plain or gzip (by magic bytes), with the checks and caps of
    /// <see cref="Uplift.Data.InputSource"/> (no devices, pipes read once, gzip output capped).</summary>
    public static IntTableReader Open(string path, IReadOnlyList<string>? columnNames = null) =>
        new(Uplift.Data.InputSource.Of(path).OpenContent(), path, columnNames);

    /// <summary>Names used in error messages (by 0-based column index); set after reading a header.</summary>
    public IReadOnlyList<string>? ColumnNames { get; set; }

    /// <summary>Reads the next non-empty line as text (for a header). Null at end of file.</summary>
    public string? ReadTextLine()
    {
        if (!NextLine(out var line)) return null;
        return Encoding.UTF8.GetString(line);
    }

    /// <summary>
    /// Parses the next non-empty line into <paramref name="dest"/>, which must have exactly the expected
    /// column count. Returns false at end of file. Throws <see cref="UpliftDataException"/> on a
    /// malformed field or a wrong number of columns.
    /// </summary>
    public bool ReadRow(Span<int> dest)
    {
        if (!NextLine(out var line)) return false;
        Row++;
        int col = 0, i = 0, n = line.Length, width = dest.Length;
        ref byte p = ref MemoryMarshal.GetReference(line);
        ref int o = ref MemoryMarshal.GetReference(dest);
        while (true)
        {
            if (col >= width)
                throw Error($"expected {width} comma-separated columns, found more ({line.Count((byte)',') + 1}).", null);
            // One field: optional spaces, optional sign, 1 to 10 digits, optional spaces.
            while (i < n && Unsafe.Add(ref p, i) == (byte)' ') i++;
            bool neg = false;
            if (i < n && Unsafe.Add(ref p, i) is (byte)'-' or (byte)'+') { neg = Unsafe.Add(ref p, i) == (byte)'-'; i++; }
            int digitsStart = i;
            long value = 0;
            while (i < n)
            {
                uint d = (uint)(Unsafe.Add(ref p, i) - (byte)'0');
                if (d > 9) break;
                value = value * 10 + d;
                i++;
            }
            int digits = i - digitsStart;
            if (digits == 0) throw Error(FieldMessage(line, i, "an integer"), col);
            if (neg) value = -value;
            if (digits > 10 || value > int.MaxValue || value < int.MinValue) throw Error("integer out of range.", col);
            Unsafe.Add(ref o, col++) = (int)value;
            if (i == n) break;
            byte next = Unsafe.Add(ref p, i);
            if (next == (byte)' ')
            {
                while (i < n && Unsafe.Add(ref p, i) == (byte)' ') i++;
                if (i == n) break;
                next = Unsafe.Add(ref p, i);
            }
            if (next != (byte)',') throw Error(FieldMessage(line, i, "',' or the end of the line"), col - 1);
            i++;
        }
        if (col != width)
            throw Error($"expected {width} comma-separated columns, found {col}.", null);
        return true;
    }

    static string FieldMessage(ReadOnlySpan<byte> line, int at, string expected)
    {
        int end = at;
        while (end < line.Length && line[end] != (byte)',' && end - at < 20) end++;
        string found = end == at ? "an empty field" : $"'{Encoding.UTF8.GetString(line[at..end])}'";
        return $"expected {expected}, found {found}.";
    }

    UpliftDataException Error(string message, int? col)
    {
        string? name = col is null ? null
            : ColumnNames is not null && col < ColumnNames.Count ? ColumnNames[col.Value]
            : _columnNames is not null && col < _columnNames.Count ? _columnNames[col.Value]
            : $"#{col + 1}";
        return new UpliftDataException($"line {Line}: {message}", _file, Row, name);
    }

    /// <summary>Next non-empty line (without "\n" or a trailing "\r").</summary>
    bool NextLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var avail = new ReadOnlySpan<byte>(_buf, _start, _end - _start);
            int nl = avail.IndexOf((byte)'\n');
            if (nl < 0 && !_eof)
            {
                Fill();
                continue;
            }
            if (nl < 0)
            {
                if (avail.Length == 0) { line = default; return false; }
                line = avail; _start = _end;
            }
            else
            {
                line = avail[..nl]; _start += nl + 1;
            }
            Line++;
            if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
            if (line.IsEmpty || line.IndexOfAnyExcept((byte)' ', (byte)'\t') < 0) continue;
            return true;
        }
    }

    void Fill()
    {
        int rem = _end - _start;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buf, _start, _buf, 0, rem);
            _start = 0; _end = rem;
        }
        if (_end == _buf.Length)
        {
            if (_buf.Length >= MaxLineBytes)
                throw new UpliftDataException($"line {Line + 1} is longer than {MaxLineBytes} bytes", _file, Row + 1);
            Array.Resize(ref _buf, _buf.Length * 2);
        }
        int r = _stream.Read(_buf, _end, _buf.Length - _end);
        if (r == 0) _eof = true;
        _end += r;
    }

    public void Dispose() => _stream.Dispose();
}
