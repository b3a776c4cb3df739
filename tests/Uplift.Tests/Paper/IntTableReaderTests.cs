using Uplift.Paper;
using Xunit;

namespace Uplift.Tests.Paper;

public sealed class IntTableReaderTests : IDisposable
{
    readonly FixtureFiles _files = new();
    public void Dispose() => _files.Dispose();

    [Fact]
    public void Parses_signs_spaces_and_a_last_line_without_newline()
    {
        string path = Path.Combine(_files.Dir, "t.txt");
        File.WriteAllText(path, "1, -2 ,+3\r\n\n-2147483648,2147483647,0");
        using var r = IntTableReader.Open(path);
        var row = new int[3];
        Assert.True(r.ReadRow(row));
        Assert.Equal([1, -2, 3], row);
        Assert.True(r.ReadRow(row));
        Assert.Equal([int.MinValue, int.MaxValue, 0], row);
        Assert.Equal(3, r.Line);
        Assert.Equal(2, r.Row);
        Assert.False(r.ReadRow(row));
    }

    [Theory]
    [InlineData("1,,2", "an empty field")]
    [InlineData("1,2147483648,2", "out of range")]
    [InlineData("1,99999999999,2", "out of range")]
    [InlineData("1,2.5,2", "'.5'")]
    [InlineData("1,2,", "an empty field")]
    public void Malformed_fields_are_reported(string line, string expected)
    {
        var path = _files.Write("m.txt", ["0,0,0", line]);
        using var r = IntTableReader.Open(path);
        var row = new int[3];
        Assert.True(r.ReadRow(row));
        var e = Assert.Throws<UpliftDataException>(() => r.ReadRow(row));
        Assert.Contains(expected, e.Message);
        Assert.Equal(2, e.Row);
    }

    [Fact]
    public void Lines_longer_than_the_buffer_are_read()
    {
        int width = 300_000; // about 600 KB per line, more than half the initial 1 MB buffer
        var line = string.Join(",", Enumerable.Range(0, width).Select(i => i % 10));
        var path = _files.Write("long.txt", [line, line, line]);
        using var r = IntTableReader.Open(path);
        var row = new int[width];
        for (int k = 0; k < 3; k++)
        {
            Assert.True(r.ReadRow(row));
            Assert.Equal(7, row[299_997]);
        }
        Assert.False(r.ReadRow(row));
    }
}
