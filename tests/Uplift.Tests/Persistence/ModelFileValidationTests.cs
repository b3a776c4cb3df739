using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Uplift.Data;
using Uplift.Persistence;
using Uplift.Tests.Cli;
using Xunit;
using static Uplift.Tests.Persistence.ModelCorpus;

namespace Uplift.Tests.Persistence;

/// <summary>Every malformed model file is refused with an <see cref="UpliftException"/> naming the file and the field.</summary>
public class ModelFileValidationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Every_corpus_model_loads_and_scores_like_the_original()
    {
        Assert.Equal(9, Names.Count); // causal-forest in format 2 and format 1
        foreach (var name in Names)
        {
            var file = Load(Files[name], $"{name}.json");
            var scores = Score(file);
            Assert.Equal(Rows, scores.Length);
            Assert.All(scores, s => Assert.True(double.IsFinite(s), $"{name}: a non-finite score"));
            Assert.True(scores.Distinct().Count() > 1, $"{name}: constant scores");
            // what is loaded saves back to the same document (nothing dropped or altered on the way in; an old format saves as the new)
            Assert.Equal(Parse(name.Replace("-v1", ""))["model"]!.ToJsonString(), file.ToJson()["model"]!.ToJsonString());
            Assert.Equal(Parse(name)["preprocessor"]!.ToJsonString(), file.ToJson()["preprocessor"]!.ToJsonString());
        }
    }

    [Theory]
    [MemberData(nameof(MalformedModelCases.Names), MemberType = typeof(MalformedModelCases))]
    public void A_malformed_file_is_an_UpliftException_naming_the_field(string name)
    {
        var c = MalformedModelCases.Get(name);
        var bytes = MalformedModelCases.Bytes(c);
        var e = Record.Exception(() => Load(bytes, "bad.json"));
        Assert.NotNull(e);
        Assert.True(e is UpliftException, $"{name}: {e.GetType().Name} instead of UpliftException: {e}");
        Assert.StartsWith("bad.json: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(c.Expect, e.Message, StringComparison.Ordinal);
        Assert.True(e.Message.Length < 600, $"{name}: a {e.Message.Length}-character message");
    }

    [Fact]
    public void Every_class_and_every_model_kind_has_cases()
    {
        var byClass = MalformedModelCases.All.GroupBy(c => c.Class).ToDictionary(g => g.Key, g => g.Count());
        foreach (var cls in new[] { "type", "missing", "duplicate", "number", "structure", "document" })
            Assert.True(byClass.GetValueOrDefault(cls) >= 4, $"class {cls} has {byClass.GetValueOrDefault(cls)} cases");
        Assert.Equal(MalformedModelCases.All.Count, MalformedModelCases.All.Select(c => c.Name).Distinct().Count());
    }

    [Fact]
    public void The_in_memory_loaders_name_the_field_too()
    {
        var root = Parse("drm-mlp");
        Set(root, "model.layers[0].weights[3]", null);
        var e = Assert.ThrowsAny<UpliftException>(() => ModelFile.FromJson(root, "m.json"));
        Assert.Equal("m.json: model.layers[0].weights[3] must be a finite number with magnitude at most 1e30, got null", e.Message);
        var model = Parse("rlearner")["model"]!.AsObject();
        Set(model, "tau_v.coefficients[2]", "x");
        Assert.Contains("model.tau_v.coefficients[2] must be a finite number",
            Assert.ThrowsAny<UpliftException>(() => Uplift.Models.Meta.RLearnerModel.Load(model)).Message);
    }

    static string Temp(string name, byte[]? bytes = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), "uplift-model-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        if (bytes is not null) File.WriteAllBytes(path, bytes);
        return path;
    }

    static string Refused(string path, long? cap = null)
    {
        var clock = Stopwatch.StartNew();
        var e = Record.Exception(() => cap is { } c ? ModelFile.Load(path, c) : ModelFile.Load(path));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{path}: took {clock.Elapsed}");
        Assert.NotNull(e);
        Assert.True(e is UpliftException, $"{path}: {e}");
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        return e.Message;
    }

    [Fact]
    public void Files_that_are_not_regular_model_files_are_refused_without_blocking()
    {
        Assert.Contains("not a regular file", Refused("/dev/zero"));
        Assert.Contains("not a regular file", Refused("/dev/null"));
        string empty = Temp("empty.json", []);
        Assert.Contains("is empty", Refused(empty));
        Assert.Contains("is a directory", Refused(Path.GetDirectoryName(empty)!));
        Assert.Contains("not found", Refused(Path.Combine(Path.GetDirectoryName(empty)!, "absent.json")));

        string fifo = Temp("fifo.json");
        using (var mk = Process.Start(new ProcessStartInfo("mkfifo", fifo) { UseShellExecute = false })!)
        {
            mk.WaitForExit();
            Assert.Equal(0, mk.ExitCode);
        }
        Assert.Contains("not a regular file", Refused(fifo)); // would block forever if it were opened

        string link = Temp("zero-link.json");
        File.CreateSymbolicLink(link, "/dev/zero");
        Assert.Contains("not a regular file", Refused(link));
        string dangling = Temp("dangling.json");
        File.CreateSymbolicLink(dangling, "/nonexistent/uplift/model.json");
        Assert.Contains("is a link to something that is not a file", Refused(dangling));

        // a link to a real model file is read through
        string good = Temp("good.json", Encoding.UTF8.GetBytes(Files["drm-linear"]));
        string goodLink = Temp("good-link.json");
        File.CreateSymbolicLink(goodLink, good);
        Assert.Equal("drm", ModelFile.Load(goodLink).Model.Kind);
    }

    [Fact]
    public void A_file_above_the_size_cap_is_refused_before_it_is_read()
    {
        string path = Temp("huge.json");
        using (var f = File.Create(path)) f.SetLength(ModelFile.MaxFileBytes + 1); // sparse: no disk used, nothing to read
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("larger than the 2,000,000,000-byte limit", Refused(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the refusal allocated the file");

        string small = Temp("model.json", Encoding.UTF8.GetBytes(Files["crm"]));
        Assert.Contains("-byte limit of a model file", Refused(small, cap: 1000));
        Assert.Equal("crm", ModelFile.Load(small, 1 << 20).Model.Kind);
    }

    /// <summary>A drm MLP with hidden sizes [1024, 32] (about 40k weights), as model-file text.</summary>
    static string BigMlp()
    {
        var r = Parse("drm-mlp");
        int d = (int)r["model"]!["features"]!;
        int[] hidden = [1024, 32];
        var rng = new Random(11);
        JsonArray Values(int n) => new([.. Enumerable.Range(0, n).Select(_ => (JsonNode?)JsonValue.Create(Math.Round(rng.NextDouble() - 0.5, 4)))]);
        Set(r, "model.hiddenSizes", new JsonArray(hidden[0], hidden[1]));
        Set(r, "model.layers", new JsonArray(
            new JsonObject { ["weights"] = Values(d * hidden[0]), ["bias"] = Values(hidden[0]) },
            new JsonObject { ["weights"] = Values(hidden[0] * hidden[1]), ["bias"] = Values(hidden[1]) }));
        Set(r, "model.output", new JsonObject { ["weights"] = Values(hidden[1]), ["bias"] = 0.1 });
        return r.ToJsonString();
    }

    [Fact]
    public void Loading_allocates_a_small_multiple_of_the_file_size()
    {
        var bytes = Encoding.UTF8.GetBytes(BigMlp());
        Load(bytes); // warm up (JIT)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var file = Load(bytes);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal([1024, 32], ((Uplift.Models.Ranking.RankingModel)file.Model).HiddenSizes);
        output.WriteLine($"mlp: {bytes.Length} bytes, {allocated} allocated ({allocated / (double)bytes.Length:0.00}x)");
        Assert.True(allocated < 8L * bytes.Length, $"loading a {bytes.Length}-byte model allocated {allocated} bytes");
        Assert.All(Score(file), s => Assert.True(double.IsFinite(s)));

        var forest = Encoding.UTF8.GetBytes(Files["causal-forest"]);
        Load(forest);
        before = GC.GetAllocatedBytesForCurrentThread();
        Load(forest);
        allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"forest: {forest.Length} bytes, {allocated} allocated ({allocated / (double)forest.Length:0.00}x)");
        Assert.True(allocated < 8L * forest.Length, $"loading a {forest.Length}-byte forest allocated {allocated} bytes");
    }
}

/// <summary>The same malformed files through <c>uplift score</c>: exit code 2 (a user error), a one-message error, no stack.</summary>
[Collection("cli")]
public class ModelFileCliTests
{
    static readonly Lazy<(string Dir, string Data)> Setup = new(() =>
    {
        string dir = CliRunner.TempDir();
        string data = Path.Combine(dir, "data.csv");
        TableWriter.Write(data, Table);
        return (dir, data);
    });

    static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Theory]
    [MemberData(nameof(MalformedModelCases.Names), MemberType = typeof(MalformedModelCases))]
    public void Score_with_a_malformed_model_exits_2_with_the_field_named(string name)
    {
        var c = MalformedModelCases.Get(name);
        var (dir, data) = Setup.Value;
        string model = Path.Combine(dir, $"bad-{Guid.NewGuid():N}.json");
        File.WriteAllBytes(model, MalformedModelCases.Bytes(c));
        string out_ = Path.Combine(dir, $"out-{Guid.NewGuid():N}.csv");
        string modelHash = Hash(model), dataHash = Hash(data);
        var r = CliRunner.Run("score", "--model", model, "--data", data, "--out", out_);
        Assert.True(r.ExitCode == 2, $"{name}: exit {r.ExitCode}: {r.Err}");
        Assert.Contains(c.Expect, r.Err, StringComparison.Ordinal);
        Assert.Contains(model, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(out_), "an output was written");
        Assert.Equal(modelHash, Hash(model));
        Assert.Equal(dataHash, Hash(data));
    }

    [Fact]
    public void Score_with_a_device_or_a_fifo_as_model_exits_2()
    {
        var (dir, data) = Setup.Value;
        foreach (var model in new[] { "/dev/zero", "/dev/null", dir })
        {
            var r = CliRunner.Run("score", "--model", model, "--data", data, "--out", Path.Combine(dir, "o.csv"));
            Assert.True(r.ExitCode == 2, $"{model}: exit {r.ExitCode}: {r.Err}");
            Assert.Contains(model, r.Err, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Score_with_each_corpus_model_works()
    {
        var (dir, data) = Setup.Value;
        foreach (var name in Names)
        {
            string model = Path.Combine(dir, $"{name}.json");
            File.WriteAllText(model, Files[name]);
            string out_ = Path.Combine(dir, $"{name}.csv");
            CliRunner.Ok("score", "--model", model, "--data", data, "--out", out_);
            Assert.Equal(Rows + 1, File.ReadAllLines(out_).Length);
        }
    }
}
