using System.Text;

namespace Uplift.Cli;

/// <summary>A plain text table with aligned columns (numbers right-aligned), for terminal output.</summary>
sealed class TextTable(params string[] headers)
{
    readonly List<string[]> _rows = [];

    public TextTable Add(params string[] cells)
    {
        if (cells.Length != headers.Length) throw new ArgumentException("cell count");
        _rows.Add(cells);
        return this;
    }

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        void Line(string[] cells, bool header)
        {
            for (int i = 0; i < cells.Length; i++)
            {
                bool right = !header && i > 0 && LooksNumeric(cells[i]);
                sb.Append(right ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
                sb.Append(i + 1 < cells.Length ? "  " : "");
            }
            sb.AppendLine();
        }
        Line(headers, true);
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in _rows) Line(r, false);
        return sb.ToString();
    }

    static bool LooksNumeric(string s) => s.Length > 0 && (char.IsDigit(s[0]) || s[0] is '-' or '+' or '.') ;
}
