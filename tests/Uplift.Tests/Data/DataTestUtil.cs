using Xunit;
using System.Globalization;
using System.Text;
using Uplift.Data;

namespace Uplift.Tests.Data;

/// <summary>A temporary folder for file fixtures, deleted on dispose.</summary>
sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "uplift-data-tests-" + Guid.NewGuid().ToString("N"));
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name, string content)
    {
        string p = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(p, content, new UTF8Encoding(false));
        return p;
    }
    public string Name(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, recursive: true); } catch (IOException) { } }
}

static class DataTestUtil
{
    public static readonly ColumnRoles Roles = new("t", "v", "c");

    /// <summary>A small campaign CSV: t alternating 0/1, v, c, age (numeric), country (text); n rows.</summary>
    public static string CampaignCsv(int n, Func<int, string>? extra = null, string? extraHeader = null)
    {
        var sb = new StringBuilder("t,v,c,age,country" + (extraHeader is null ? "" : "," + extraHeader) + "\n");
        string[] countries = ["FR", "DE", "ES"];
        for (int i = 0; i < n; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{i % 2},{i * 0.5},{i % 3},{20 + i},{countries[i % 3]}");
            if (extra is not null) sb.Append(',').Append(extra(i));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static int[] Range(int n) => Enumerable.Range(0, n).ToArray();

    /// <summary>Sequence equality of nullable strings.</summary>
    public static void SeqEqual(IEnumerable<string?> expected, IEnumerable<string?> actual) =>
        Assert.Equal(expected.ToArray(), actual.ToArray());

    /// <summary>Asserts that an UpliftDataException is thrown and its message contains every fragment.</summary>
    public static UpliftDataException Throws(Action a, params string[] fragments)
    {
        var e = Assert.Throws<UpliftDataException>(a);
        foreach (var f in fragments) Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"expected \"{f}\" in: {e.Message}");
        return e;
    }
}
