using System.Diagnostics;
using Uplift.Hostile;
using Uplift.Tests.Cli;
using Xunit;

namespace Uplift.Tests.Hostile;

/// <summary>Runs the uplift program in-process (through <see cref="CliRunner"/>) for the hostile cases.</summary>
sealed class InProcessRunner : IUpliftRunner
{
    public RunResult Run(string[] args, string? stdinFile, string? workingDirectory, TimeSpan timeout)
    {
        if (stdinFile is not null || workingDirectory is not null)
            throw new InvalidOperationException("in-process runs take no standard input or working directory");
        var sw = Stopwatch.StartNew();
        var t = Task.Run(() =>
        {
            try { return CliRunner.Run(args); }
            catch (Exception e) { return new CliRunner.Result(134, "", "unhandled: " + e); }
        });
        if (!t.Wait(timeout)) return new RunResult(-1, "", "", true, sw.Elapsed);
        return new RunResult(t.Result.ExitCode, t.Result.Out, t.Result.Err, false, sw.Elapsed);
    }
}

/// <summary>The valid files of the hostile cases, made once for the slice (simulate and train, in-process).</summary>
public sealed class HostileBase : IDisposable
{
    public string Root { get; } = CliRunner.TempDir();
    readonly Lazy<BaseFiles> _files;
    public HostileBase() => _files = new(() => BaseFiles.Create(Path.Combine(Root, "_base"), new InProcessRunner()));
    internal BaseFiles Files => _files.Value;
    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>The in-suite slice of the hostile tester (tests/Uplift.Hostile; the full run is tests/hostile/run-hostile.sh):
/// ten fast cases of each class of issue 9, in-process, with the runner's own expectations. A case fails on a refused
/// valid input, an unclear error, a crash, a hang, a wrong value or a changed input.</summary>
[Collection("cli")]
public sealed class HostileSliceTests(HostileBase b) : IClassFixture<HostileBase>
{
    public static TheoryData<string> Slice()
    {
        var d = new TheoryData<string>();
        foreach (var c in Cases.Slice(10)) d.Add(c.Name);
        return d;
    }

    [Theory]
    [MemberData(nameof(Slice))]
    public void Case_is_refused_clearly_or_read_correctly(string name)
    {
        var c = Cases.All().Single(x => x.Name == name);
        var o = Judge.RunCase(c, b.Files, new InProcessRunner(), b.Root);
        Assert.False(o.Failed, $"{name}: {o.Verdict}: {o.Why} (exit {o.Run?.ExitCode})\n{Judge.ErrorText(o.Run?.Err ?? "")}");
    }

    [Fact]
    public void Slice_covers_every_class_with_fast_in_process_cases()
    {
        var slice = Cases.Slice(10);
        Assert.Equal(40, slice.Count);
        foreach (var cls in CaseClass.All) Assert.Equal(10, slice.Count(x => x.Class == cls));
        Assert.DoesNotContain(slice, x => x.ProcessOnly || x.Slow);
        Assert.Equal(slice.Count, slice.Select(x => x.Name).Distinct().Count());
    }

    [Fact]
    public void Generators_cover_every_class_with_several_variants_and_unique_names()
    {
        var all = Cases.All();
        Assert.True(all.Count >= 300, $"{all.Count} cases");
        foreach (var cls in CaseClass.All) Assert.True(all.Count(x => x.Class == cls) >= 40, cls);
        Assert.Equal(all.Count, all.Select(x => x.Name).Distinct().Count());
    }
}
