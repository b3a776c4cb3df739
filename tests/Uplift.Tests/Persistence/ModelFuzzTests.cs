using System.Diagnostics;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Uplift.Persistence;
using Xunit;
using static Uplift.Tests.Persistence.ModelCorpus;

namespace Uplift.Tests.Persistence;

/// <summary>
/// Fuzzing the model loader: a randomly damaged model file of any kind either loads (and then scores without an
/// unexpected exception, every score finite) or is refused with an <see cref="UpliftException"/>, within a timeout.
/// The suite runs a fixed, fast slice; <c>tests/fuzz/run-model-fuzz.sh</c> runs a longer campaign through
/// <see cref="Model_fuzz_campaign"/> with UPLIFT_MODEL_FUZZ_SECONDS set.
/// </summary>
public class ModelFuzzTests
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public enum Outcome { Loaded, Refused }

    /// <summary>One damaged file: its outcome, or a finding (an exception other than UpliftException, a hang, a NaN score).</summary>
    public static (Outcome? Outcome, string? Finding) Try(byte[] bytes)
    {
        var work = Task.Run<(Outcome?, string?)>(() =>
        {
            ModelFile file;
            try { file = Load(bytes, "fuzz.json"); }
            catch (UpliftException e)
            {
                if (!e.Message.StartsWith("fuzz.json: ", StringComparison.Ordinal)) return (null, $"a message without the file name: {e.Message}");
                return (Outcome.Refused, null);
            }
            double[] scores;
            try { scores = Score(file); }
            catch (UpliftException) { return (Outcome.Loaded, null); } // e.g. the columns no longer match the data
            for (int i = 0; i < scores.Length; i++)
                if (!double.IsFinite(scores[i])) return (null, $"loaded, but row {i} scores {scores[i]}");
            return (Outcome.Loaded, null);
        });
        try
        {
            if (!work.Wait(Timeout)) return (null, $"no answer within {Timeout.TotalSeconds} s");
            return work.Result;
        }
        catch (AggregateException e)
        {
            return (null, e.InnerException!.ToString());
        }
    }

    static (byte[] Bytes, string What, string Model) Case(int seed)
    {
        var rng = new Random(seed);
        string model = Names[rng.Next(Names.Count)];
        var (bytes, what) = ModelMutator.Mutate(Files[model], rng);
        return (bytes, what, model);
    }

    /// <summary>The FsCheck slice: a fixed replay seed, so the suite always runs the same 300 cases.</summary>
    [Property(MaxTest = 300, Replay = "(16417161029384756211,9081726355)")]
    public Property A_damaged_model_file_loads_or_is_refused(int seed)
    {
        var (bytes, what, model) = Case(seed);
        var (_, finding) = Try(bytes);
        return Prop.Label(finding is null, $"seed {seed} ({model}: {what}): {finding}");
    }

    [Fact]
    public void Model_fuzz_campaign()
    {
        // Without the environment this is a fixed slice of 200 seeds; the script sets the seconds to run for.
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("UPLIFT_MODEL_FUZZ_SECONDS"), NumberStyles.Float,
            CultureInfo.InvariantCulture, out var s) ? s : 0;
        int start = int.TryParse(Environment.GetEnvironmentVariable("UPLIFT_MODEL_FUZZ_SEED"), out var f) ? f : 1;
        string? outDir = Environment.GetEnvironmentVariable("UPLIFT_MODEL_FUZZ_OUT");
        var clock = Stopwatch.StartNew();
        var findings = new List<string>();
        int loaded = 0, refused = 0, n = 0;
        for (int seed = start; seconds > 0 ? clock.Elapsed.TotalSeconds < seconds : n < 200; seed++, n++)
        {
            var (bytes, what, model) = Case(seed);
            var (outcome, finding) = Try(bytes);
            if (outcome == Outcome.Loaded) loaded++;
            if (outcome == Outcome.Refused) refused++;
            if (finding is null) continue;
            findings.Add($"seed {seed} ({model}: {what}): {finding}");
            if (outDir is not null)
            {
                Directory.CreateDirectory(outDir);
                File.WriteAllBytes(Path.Combine(outDir, $"finding-{seed}.json"), bytes);
            }
            if (findings.Count >= 20) break;
        }
        string summary = string.Create(CultureInfo.InvariantCulture,
            $"model fuzz: {n} cases from seed {start} in {clock.Elapsed.TotalSeconds:0.0} s: {refused} refused, {loaded} loaded, {findings.Count} findings");
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir);
            File.WriteAllLines(Path.Combine(outDir, "summary.txt"), [summary, .. findings]);
        }
        Assert.True(findings.Count == 0, $"{summary}\n{string.Join("\n", findings)}");
        Assert.True(refused > n / 4, summary); // the mutations do damage files
    }
}
