using System.Text;

namespace Uplift.Hostile;

/// <summary>Plain-text edits of the base CSV (no quoting in it: simulate writes none).</summary>
public static class Csv
{
    /// <summary>Column index of <paramref name="name"/> in the header line.</summary>
    public static int Col(string header, string name) => Array.IndexOf(header.Split(','), name);

    /// <summary>Replaces cell <paramref name="col"/> of an unquoted line with <paramref name="raw"/> as written (the caller quotes).</summary>
    public static string SetCell(string line, int col, string raw)
    {
        var cells = line.Split(',');
        cells[col] = raw;
        return string.Join(',', cells);
    }

    /// <summary>Quotes a cell the RFC 4180 way when it needs it.</summary>
    public static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;

    public static string[] Lines(string path) => File.ReadAllLines(path);

    /// <summary>Writes lines joined with "\n" (and a final one), exactly, UTF-8 without a BOM.</summary>
    public static void Write(string path, IEnumerable<string> lines, string eol = "\n") =>
        File.WriteAllText(path, string.Join(eol, lines) + eol, new UTF8Encoding(false));
}
