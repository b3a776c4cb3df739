using System.Text.RegularExpressions;
using Xunit;

namespace Uplift.Tests;

/// <summary>Named random streams: each purpose its own generator, indices apart, and no bare stream number in the code.</summary>
public class RngTests
{
    static readonly RngStream[] Streams = Enum.GetValues<RngStream>();

    [Fact]
    public void Streams_are_numbered_from_1_without_gaps()
    {
        Assert.Equal(Enumerable.Range(1, Streams.Length), Streams.Select(s => (int)s).Order());
    }

    [Theory]
    [InlineData(1L, 0L)]
    [InlineData(0L, 0L)]
    [InlineData(42L, 3L)]
    [InlineData(-7L, 1000L)]
    public void Every_stream_gives_a_different_first_draw_for_the_same_seed_and_index(long seed, long index)
    {
        var first = Streams.Select(s => Rng.Derive(seed, s, index).NextUInt64()).ToArray();
        Assert.Equal(first.Length, first.Distinct().Count());
        var keys = Streams.Select(s => Rng.Key(seed, s, index)).ToArray();
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void Indices_of_a_stream_give_different_generators_and_all_pairs_are_apart()
    {
        var seen = new HashSet<ulong>();
        foreach (var s in Streams)
            for (long i = 0; i < 200; i++)
                Assert.True(seen.Add(Rng.Derive(7, s, i).NextUInt64()), $"{s} {i}");
        // the restarts of the DRM do not reuse the split shuffles' generators (they did with bare numbers)
        Assert.NotEqual(Rng.Derive(1, RngStream.SplitArm, 0).NextUInt64(), Rng.Derive(1, RngStream.NetworkInit, 1).NextUInt64());
    }

    [Fact]
    public void Same_seed_same_draws_other_seed_other_draws()
    {
        var a = Rng.Derive(5, RngStream.Bootstrap, 3); var b = Rng.Derive(5, RngStream.Bootstrap, 3); var c = Rng.Derive(6, RngStream.Bootstrap, 3);
        for (int k = 0; k < 10; k++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
        Assert.NotEqual(a.NextUInt64(), c.NextUInt64());
        Assert.Equal(unchecked((long)Rng.Key(5, RngStream.CrossFitFold, 2)), Rng.SubSeed(5, RngStream.CrossFitFold, 2));
    }

    [Fact]
    public void An_unnamed_stream_or_a_negative_index_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Rng.Derive(1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rng.Derive(1, (RngStream)(Streams.Length + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rng.Derive(1, RngStream.Bootstrap, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Rng.Derive(1, RngStream.Bootstrap, 1L << 56));
    }

    /// <summary>Every Derive / SubSeed / Key call in src/ and bench/ names its stream, and nothing seeds a generator directly.</summary>
    [Fact]
    public void No_call_in_src_or_bench_uses_a_bare_stream_number()
    {
        string root = RepoRoot();
        var files = new[] { "src", "bench" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .Where(f => Path.GetFileName(f) != "Rng.cs").ToList();
        Assert.NotEmpty(files);
        var bad = new List<string>();
        int calls = 0;
        foreach (var f in files)
        {
            string text = File.ReadAllText(f);
            foreach (Match m in Regex.Matches(text, @"\bRng\.(Derive|SubSeed|Key)\("))
            {
                calls++;
                string second = SecondArgument(text, m.Index + m.Length);
                if (!second.StartsWith("RngStream.", StringComparison.Ordinal)) bad.Add($"{Path.GetRelativePath(root, f)}: {m.Value}..., {second}");
            }
            foreach (Match m in Regex.Matches(text, @"\bnew Rng\("))
                bad.Add($"{Path.GetRelativePath(root, f)}: {m.Value} (use Rng.Derive with a named stream)");
        }
        Assert.True(calls > 20, $"only {calls} calls found: is the scan looking in the right place?");
        Assert.Empty(bad);
    }

    static string SecondArgument(string text, int start)
    {
        int depth = 0, i = start;
        for (; i < text.Length; i++)
        {
            char ch = text[i];
            if (ch is '(' or '[' or '{') depth++;
            else if (ch is ')' or ']' or '}') { if (depth == 0) return ""; depth--; }
            else if (ch == ',' && depth == 0) break;
        }
        return text[(i + 1)..].TrimStart();
    }

    static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "src", "Uplift", "Rng.cs"))) return d.FullName;
        throw new DirectoryNotFoundException("the repository root (src/Uplift/Rng.cs) was not found above the test binaries");
    }
}
