using System.Globalization;
using Uplift.Bench;

// The performance and quality harness. Each subcommand prints a Markdown table; docs/BENCHMARKS.md
// records the results with the date and the machine. Usage:
//   dotnet run --project bench/Uplift.Bench -c Release -- <step [--profile|--threshold|--table]|determinism|trees|forest|quality|multiarm|score|selection|standin> [options]
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string what = args.Length > 0 ? args[0] : "help";
var rest = args.Skip(1).ToArray();
Console.WriteLine($"<!-- {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine.Describe()} -->");
switch (what)
{
    case "step" when rest.Contains("--threshold"):
        StepBench.Threshold(Machine.Ints(rest, "--steps")?[0] ?? 40, Console.WriteLine);
        break;
    case "step" when rest.Contains("--table"):
    {
        var (r1, r2, peak) = StepBench.Roofline();
        Console.WriteLine($"<!-- read bandwidth {r1:F1} GB/s (1 thread), {r2:F1} GB/s (2 threads); FMA peak {peak:F1} GFMA/s per core -->");
        Console.WriteLine("| scorer | users x features | threads (engine) | median ms/step | min ms | ms per M rows | MB moved/step | GB/s (of read bw) | GFMA/s (of peak) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (int d in Machine.Ints(rest, "--features") ?? [12, 50])
            StepBench.Run(rowCounts: Machine.Ints(rest, "--rows") ?? [10_000, 100_000, 1_000_000, 10_000_000], features: d,
                steps: 30, threadCounts: [1, 2], onRow: r =>
                {
                    double s = r.MedianMs / 1e3, bw = r.EngineThreads > 1 ? r2 : r1, gf = r.Bytes / s / 1e9, gfma = r.Fmas / s / 1e9;
                    Console.WriteLine($"| {r.Scorer} | {r.Rows:N0} x {r.Features} | {r.Threads} ({r.EngineThreads}) | {r.MedianMs:F2} | {r.MinMs:F2} | " +
                        $"{r.MedianMs / (r.Rows / 1e6):F2} | {r.Bytes / 1e6:F1} | {gf:F1} ({100 * gf / bw:F0} %) | {gfma:F1} ({100 * gfma / (peak * r.EngineThreads):F0} %) |");
                });
        break;
    }
    case "step" when rest.Contains("--profile"):
        StepBench.Profile(Machine.Ints(rest, "--rows")?[0] ?? 36_000, Machine.Ints(rest, "--features")?[0] ?? 12,
            Machine.Ints(rest, "--steps")?[0] ?? 300, Console.WriteLine);
        break;
    case "step":
        Console.WriteLine("| model | scorer | users x features | threads | median ms/step | min ms | CPU ms/step | peak MB |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (bool crm in new[] { false, true })
            StepBench.Run(rowCounts: Machine.Ints(rest, "--rows") ?? [100_000, 1_000_000], threadCounts: [1, 2], crm: crm,
                onRow: r => Console.WriteLine(
                    $"| {r.Model} | {r.Scorer} | {r.Rows:N0} x {r.Features} | {r.Threads} | {r.MedianMs:F2} | {r.MinMs:F2} | {r.CpuMsPerStep:F2} | {r.PeakWorkingSetMb} |"));
        break;
    case "trees":
        Console.WriteLine("| case | users x features | threads | wall s | CPU s | peak MB | note |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        TreesBench.Run(threads: 2, onRow: r => Console.WriteLine(
            $"| {r.Case} | {r.Rows:N0} x {r.Features} | {r.Threads} | {r.Seconds:F1} | {r.CpuSeconds:F1} | {r.PeakMb} | {r.Note} |"));
        break;
    case "forest":
        Console.WriteLine("| case | trees | threads | fit wall s | fit CPU s | predict wall s | peak MB | corr(tau_hat, tau) |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        ForestBench.Run(maxThreads: 2, includeLarge: !rest.Contains("--small"), onRow: r => Console.WriteLine(
            $"| {r.Case} | {r.Trees} | {r.Threads} | {r.FitSeconds:F1} | {r.FitCpuSeconds:F1} | {r.PredictSeconds:F1} | {r.PeakWorkingSetBytes >> 20} | {r.TauCorrelation:F4} |"));
        break;
    case "forest-hidden": ForestHiddenBench.Run(Machine.Ints(rest, "--trees") ?? [500, 2000], Machine.Ints(rest, "--threads")?[0] ?? 2, Machine.Strings(rest, "--out")?[0] ?? Path.GetTempPath(), Console.WriteLine, files: !rest.Contains("--no-files")); break;
    case "quality":
    {
        int seeds = Machine.Ints(rest, "--seeds")?[0] ?? 5;
        int users = Machine.Ints(rest, "--rows")?[0] ?? 100_000;
        var scenarios = Machine.Strings(rest, "--scenarios") ?? ["linear", "nonlinear"];
        var learners = Machine.Strings(rest, "--learners");
        var rows = QualityBench.Run(users, seeds, scenarios, learners, log: line => Console.Error.WriteLine(line));
        Console.Write(QualityBench.Format(rows));
        break;
    }
    case "score":
    {
        long users = Machine.Ints(rest, "--rows")?[0] ?? 10_000_000;
        long csv = Machine.Ints(rest, "--csv-rows")?[0] ?? 1_000_000;
        Console.WriteLine("| input | scorer | rows | threads | wall s | rows/s | peak MiB | CPU s | measured |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        // --parquet default: the six inputs of issue 13 (none/snappy/zstd x 100k/1M-row groups); "legacy" = one uncompressed file, 262,144-row groups
        var which = Machine.Strings(rest, "--parquet");
        var parquet = which is null ? ScoreBench.Issue13Parquet
            : which is ["legacy"] ? null
            : ScoreBench.Issue13Parquet.Where(v => which.Contains(ScoreBench.Label(v.Compression, v.GroupRows))).ToList();
        var scorers = Machine.Strings(rest, "--scorers");
        foreach (var r in ScoreBench.Run(users, 50, csvRows: csv, log: line => Console.Error.WriteLine(line), parquet: parquet, scorers: scorers))
            Console.WriteLine($"| {r.Input} | {r.Scorer} | {r.Rows:N0} | {r.Threads} | {r.Seconds:F1} | {r.RowsPerSecond:N0} | {r.PeakMiB:F0} | {r.CpuSeconds:F1} | {r.Measured} |");
        break;
    }
    case "selection":
    {
        string path = Machine.Strings(rest, "--covertype")?[0]
            ?? throw new ArgumentException("selection needs --covertype PATH (covtype.data or the 50k sample)");
        int first = Machine.Ints(rest, "--first-seed")?[0] ?? 11;
        int seeds = Machine.Ints(rest, "--seeds")?[0] ?? 20;
        var (rows, snapshots) = SelectionBench.Run(path, first, seeds, log: line => Console.Error.WriteLine(line));
        Console.Write(SelectionBench.Format(rows));
        Console.WriteLine();
        Console.Write(SelectionBench.FormatSnapshots(snapshots));
        break;
    }
    case "standin":
    {
        string dir = Machine.Strings(rest, "--out")?[0] ?? "paper-standin";
        var (cov, cen) = StandInFiles.Write(dir, Machine.Ints(rest, "--covertype-rows")?[0] ?? 581_012,
            Machine.Ints(rest, "--census-rows")?[0] ?? 2_458_285, seed: 1);
        Console.WriteLine($"wrote {cov} and {cen}");
        break;
    }
    case "allocation": AllocationBench.Run(Machine.Ints(rest, "--rows")?[0] ?? 10_000_000, Machine.Ints(rest, "--arms")?[0] ?? 3, Console.WriteLine); break;
    case "multiarm": { var (mr, ms) = MultiArmBench.Run(Machine.Ints(rest, "--rows")?[0] ?? 100_000, Machine.Ints(rest, "--seeds")?[0] ?? 5, Machine.Strings(rest, "--learners"), log: line => Console.Error.WriteLine(line)); Console.Write(MultiArmBench.Format(mr, ms)); break; }
    case "coverage": CoverageBench.Run(Machine.Ints(rest, "--rows")?[0] ?? 20_000, Machine.Ints(rest, "--test")?[0] ?? 2_000, Machine.Ints(rest, "--seeds")?[0] ?? 3, Machine.Ints(rest, "--trees")?[0] ?? 2000, 0.9, Console.WriteLine, line => Console.Error.WriteLine(line)); break;
    case "observational": ObservationalBench.Run(Machine.Ints(rest, "--rows")?[0] ?? 50_000, Machine.Ints(rest, "--seeds")?[0] ?? 5, Console.WriteLine, line => Console.Error.WriteLine(line)); break;
    case "determinism":
        DeterminismBench.Run(Console.WriteLine);
        break;
    default:
        Console.WriteLine("usage: Uplift.Bench step [--rows 100000,1000000] [--profile | --threshold | --table [--features 12,50]] | determinism | trees | forest [--small] |");
        Console.WriteLine("       score [--rows 10000000] [--csv-rows 1000000] |");
        Console.WriteLine("       quality [--rows 100000] [--seeds 5] [--scenarios linear,nonlinear] [--learners drm,crm,...] |");
        Console.WriteLine("       multiarm [--rows 100000] [--seeds 5] [--learners drm,tlearner,...] |");
        Console.WriteLine("       observational [--rows 50000] [--seeds 5] |");
        Console.WriteLine("       coverage [--rows 20000] [--test 2000] [--seeds 3] [--trees 2000] |");
        Console.WriteLine("       selection --covertype PATH [--first-seed 11] [--seeds 20] |");
        Console.WriteLine("       standin [--out DIR] [--covertype-rows 581012] [--census-rows 2458285]");
        return 2;
}
return 0;
