using System.Diagnostics;
using System.Text.Json;
using Uplift.IO;
using Uplift.Models.Forest;
using Uplift.Synthetic;
using Uplift.Tests.Models.Forest;

namespace Uplift.Bench;

/// <summary>
/// The causal-forest learner (two causal forests, grf's defaults) on the hidden-size case: the campaign of
/// <c>uplift simulate --rows 60000 --features 12 --seed 1</c> (linear scenario), all 60,000 users. Times each stage of
/// the fit (from the learner's progress reports: a stage runs from its first report to its last; what lies between two
/// stages is the out-of-bag prediction of a centring forest and the leaf statistics), and the model file in format 1
/// (the old writer, linked from the tests) and format 2: size, save and load time, medians of 3.
/// </summary>
public static class ForestHiddenBench
{
    public static Uplift.Data.Dataset Data(int rows = 60_000, int features = 12) => Campaign(rows, features).Data;

    /// <summary>The campaign with its truth (the same users as <c>uplift simulate --rows 60000 --features 12 --seed 1</c>).</summary>
    static SyntheticData Campaign(int rows = 60_000, int features = 12) =>
        SyntheticCampaign.Generate(new SyntheticOptions { Rows = rows, Features = features, Seed = 1 });

    /// <summary>Mean squared error of the out-of-bag tau_v and tau_c against the truth (what bench/grf/grf_bench.cpp prints for grf).</summary>
    static (double V, double C) OobMse(CausalForestModel m, SyntheticData truth, int threads)
    {
        static double Mse(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]); return s / a.Length; }
        var context = new FitContext(1, threads);
        return (Mse(m.Value.PredictOob(context), truth.TauV), Mse(m.Cost.PredictOob(context), truth.TauC));
    }

    sealed class StageClock : IProgress<ProgressInfo>
    {
        readonly Stopwatch _sw = Stopwatch.StartNew();
        public readonly List<(string Stage, double Start, double End)> Stages = [];
        public void Report(ProgressInfo p)
        {
            double t = _sw.Elapsed.TotalSeconds;
            if (Stages.Count == 0 || Stages[^1].Stage != p.Stage) Stages.Add((p.Stage, t, t));
            else Stages[^1] = (p.Stage, Stages[^1].Start, t);
        }
        public double Now => _sw.Elapsed.TotalSeconds;
    }

    /// <summary>Fits the learner and prints one line per stage (seconds) and the total.</summary>
    public static CausalForestModel Fit(Uplift.Data.Dataset data, CausalForestOptions options, int threads, Action<string> print)
    {
        var clock = new StageClock();
        var proc = Process.GetCurrentProcess();
        var cpu0 = proc.TotalProcessorTime;
        var model = new CausalForestLearner(options).FitModel(data, new FitContext(1, threads, clock));
        double total = clock.Now;
        proc.Refresh();
        double cpu = (proc.TotalProcessorTime - cpu0).TotalSeconds;
        double prev = 0;
        foreach (var (stage, start, end) in clock.Stages)
        {
            print($"|   before '{stage}' (index, OOB prediction, leaf stats) | {start - prev:F2} |");
            print($"|   {stage} | {end - start:F2} |");
            prev = end;
        }
        print($"|   after the last stage | {total - prev:F2} |");
        print($"| fit total ({options.NumTrees} causal trees x 2, {options.ResolvedNuisanceTrees} x 3 centring, {threads} threads; CPU {cpu:F1} s) | {total:F2} |");
        // What the fit made, as digests: equal digests = bit-identical forests and scores (across builds and thread counts).
        var scores = new double[data.Rows];
        model.Score(data, scores, threads);
        print($"<!-- model {Digest(System.Text.Encoding.UTF8.GetBytes(model.Save().ToJsonString()))}, scores {Digest(System.Runtime.InteropServices.MemoryMarshal.AsBytes(scores.AsSpan()))} -->");
        return model;
    }

    /// <summary>Median seconds of 3 saves and 3 loads of each format, and the file sizes.</summary>
    public static void File(CausalForestModel model, string dir, Action<string> print)
    {
        Directory.CreateDirectory(dir);
        foreach (int format in new[] { 1, 2 })
        {
            string path = Path.Combine(dir, $"forest-format{format}.json");
            var save = new List<double>();
            var load = new List<double>();
            for (int r = 0; r < 3; r++)
            {
                var sw = Stopwatch.StartNew();
                var json = format == 1 ? ForestFormat1.Save(model) : model.Save();
                AtomicFile.Write(path, stream =>
                {
                    using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                    json.WriteTo(writer);
                });
                save.Add(sw.Elapsed.TotalSeconds);
                sw.Restart();
                var root = ModelJson.Parse(System.IO.File.ReadAllBytes(path), path);
                var loaded = CausalForestModel.Load(root);
                root.Release();
                load.Add(sw.Elapsed.TotalSeconds);
                if (loaded.Value.NumTrees != model.Value.NumTrees) throw new InvalidOperationException("lost trees");
            }
            long bytes = new FileInfo(path).Length;
            print($"| format {format} | {model.Value.NumTrees} x 2 | {bytes / 1e6:F1} MB | {bytes / 2.0 / model.Value.NumTrees / 1e3:F2} kB | {Median(save):F2} s | {Median(load):F2} s |");
            System.IO.File.Delete(path);
        }
    }

    static string Digest(ReadOnlySpan<byte> bytes) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes))[..16];

    static double Median(List<double> v) { v.Sort(); return v[v.Count / 2]; }

    /// <summary>The hidden-size benchmark: stage times of one fit per tree count, then the file table.</summary>
    public static void Run(int[] treeCounts, int threads, string dir, Action<string> print, bool files = true)
    {
        var campaign = Campaign();
        var data = campaign.Data;
        var models = new List<CausalForestModel>();
        print("| stage | seconds |");
        print("|---|---|");
        foreach (int trees in treeCounts)
        {
            var m = Fit(data, new CausalForestOptions { NumTrees = trees }, threads, print);
            var (v, c) = OobMse(m, campaign, threads);
            print(FormattableString.Invariant($"<!-- {trees} trees: OOB MSE of tau_v {v:G6}, of tau_c {c:G6} -->"));
            models.Add(m);
        }
        if (!files) return;
        print("");
        print("| file | trees | size | per tree | save (median of 3) | load (median of 3) |");
        print("|---|---|---|---|---|---|");
        foreach (var m in models) File(m, dir, print);
    }
}
