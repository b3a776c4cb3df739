using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary><see cref="CliRunner"/> redirects the process's console, so every test class that calls it must be in the
/// "cli" collection (run one at a time): a class outside it read another test's output once, a rare, load-dependent failure.</summary>
public class CliCollectionTests
{
    [Fact]
    public void Every_test_class_that_runs_the_cli_is_in_the_cli_collection()
    {
        string root = Path.GetFullPath(Path.Combine(Here(), ".."));
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.EndsWith("CliRunner.cs"))
            .Where(f => { var s = File.ReadAllText(f); return Regex.IsMatch(s, @"CliRunner\.(Run|Ok|Json)\(") && !s.Contains("[Collection(\"cli\")]"); })
            .Select(Path.GetFileName).ToList();
        Assert.True(Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Count() > 50, $"test sources not found under {root}");
        Assert.Empty(offenders);
    }

    static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
