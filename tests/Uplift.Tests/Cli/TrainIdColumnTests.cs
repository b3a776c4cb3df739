using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Uplift.Tests.Cli;

/// <summary>
/// 'train' and 'compare' read through the library's loader, so the id column is read as text: ids with leading zeros,
/// or ids that look like numbers a number column refuses ("inf", "1e999"), do not stop them.
/// </summary>
[Collection("cli")]
public sealed class TrainIdColumnTests : IDisposable
{
    readonly string _dir = CliRunner.TempDir();
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    string Write(Func<int, string> id, int n = 2000)
    {
        var rng = new Rng(11);
        var sb = new StringBuilder("uid,t,v,c,x1,x2,notes\n");
        for (int i = 0; i < n; i++)
        {
            double x1 = rng.NextNormal(), x2 = rng.NextNormal();
            int t = rng.NextDouble() < 0.5 ? 1 : 0;
            double v = 1 + x1 + t * (0.5 + 0.3 * x2) + rng.NextNormal();
            double c = 1 + t * (1 + 0.1 * x1) + 0.3 * rng.NextNormal();
            sb.Append(CultureInfo.InvariantCulture, $"{id(i)},{t},{v:0.###},{c:0.###},{x1:0.###},{x2:0.###},n{i}\n");
        }
        string path = Path.Combine(_dir, "campaign.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    string[] Args(string data, string command) => command == "train"
        ? ["train", "--data", data, "--treatment", "t", "--value", "v", "--cost", "c", "--id", "uid", "--exclude", "notes",
           "--model", "tlearner", "--out", Path.Combine(_dir, "m.json")]
        : ["compare", "--data", data, "--treatment", "t", "--value", "v", "--cost", "c", "--id", "uid", "--exclude", "notes",
           "--models", "tlearner", "--repeats", "1"];

    [Theory]
    [InlineData("train")]
    [InlineData("compare")]
    public void Ids_with_leading_zeros_and_non_numeric_ids_are_read_as_text(string command)
    {
        // Zero-padded numbers, then "inf" and "1e999" (which a number column refuses) and a text id.
        string data = Write(i => i switch { 7 => "inf", 8 => "1e999", 9 => "u-9", _ => i.ToString("000000", CultureInfo.InvariantCulture) });
        var json = CliRunner.Json(Args(data, command));
        if (command == "compare")
        {
            Assert.Equal(2000, (int)json["rows"]!);
            return;
        }
        Assert.Equal(2, (int)json["features"]!); // x1, x2: the id and the excluded column are not features
        string scores = Path.Combine(_dir, "scores.csv");
        CliRunner.Ok("score", "--model", Path.Combine(_dir, "m.json"), "--data", data, "--out", scores);
        var lines = File.ReadAllLines(scores);
        Assert.Equal("uid,score", lines[0]);
        Assert.StartsWith("000000,", lines[1]);
        Assert.StartsWith("inf,", lines[8]);
        Assert.StartsWith("1e999,", lines[9]);
    }

    [Fact]
    public void The_same_numbers_whether_ids_are_numbers_or_text()
    {
        // The id is never a feature: zero-padded ids give the model that plain numeric ids give.
        var plain = CliRunner.Json(Args(Write(i => (i + 1).ToString(CultureInfo.InvariantCulture)), "train"));
        var padded = CliRunner.Json(Args(Write(i => (i + 1).ToString("0000000", CultureInfo.InvariantCulture)), "train"));
        Assert.Equal((double)plain["valid_aucc"]!, (double)padded["valid_aucc"]!);
        Assert.Equal((double)plain["test_aucc"]!, (double)padded["test_aucc"]!);
    }
}
