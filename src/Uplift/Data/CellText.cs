using System.Text;

namespace Uplift.Data;

/// <summary>How a cell (or any text taken from a data file) is shown in a message: quoted, control characters made
/// visible (<c>\0</c>, <c>\n</c>, <c>\u001b</c>), and cut after <see cref="MaxShown"/> characters with an ellipsis and
/// the full length, so a message never echoes a huge or binary cell.</summary>
internal static class CellText
{
    /// <summary>Most characters of a cell shown in a message (200).</summary>
    public const int MaxShown = 200;

    /// <summary>The cell as shown in messages, e.g. <c>'1,5'</c> or <c>'xxxx…' (16,777,300 characters)</c>.</summary>
    public static string Show(ReadOnlySpan<char> cell)
    {
        var sb = new StringBuilder(Math.Min(cell.Length, MaxShown) + 16);
        sb.Append('\'');
        int i = 0;
        // The budget counts shown characters, so an escaped control character (\0) counts as two.
        for (; i < cell.Length && sb.Length <= MaxShown; i++)
        {
            char c = cell[i];
            switch (c)
            {
                case '\0': sb.Append("\\0"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        if (i < cell.Length) sb.Append("…' (").Append(Count(cell.Length)).Append(" characters)");
        else sb.Append('\'');
        return sb.ToString();
    }

    /// <summary>Column names for a message: each shown as <see cref="Show(ReadOnlySpan{char})"/> would but cut at 60
    /// characters and unquoted, at most <paramref name="max"/> of them, then "... (N in all)"; the whole list cut at 600 characters.</summary>
    public static string Names(IReadOnlyList<string> names, int max = 40)
    {
        var shown = names.Take(max).Select(n => { string s = Show(n.Length > 60 ? n[..60] : n)[1..^1]; return n.Length > 60 ? s + "…" : s; });
        string list = string.Join(", ", shown);
        if (list.Length > 3 * MaxShown) return $"{list[..(3 * MaxShown)]}… ({Count(names.Count)} columns)";
        return names.Count > max ? $"{list}, ... ({Count(names.Count)} in all)" : list;
    }

    /// <summary>A count with thousands separators in the invariant culture (16,777,216).</summary>
    public static string Count(long n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><see cref="Show(ReadOnlySpan{char})"/> of a string (null shows as "missing").</summary>
    public static string Show(string? cell) => cell is null ? "missing" : Show(cell.AsSpan());
}
